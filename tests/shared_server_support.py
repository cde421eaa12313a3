"""One running test server per backend for the whole test process (per xdist worker), for the
modules whose tests only enroll laptops of their own and read back what those laptops did:
starting a server (init, migrations, the fork, the first request) costs ~0.4-0.6 s CPU, and
~1 s on PostgreSQL, per module that used to start its own.

Only for modules whose tests stay apart on one server: each test enrolls new laptops (new
device ids), a test that counts per unit numbers in a unit of its own (the module's own unit
codes, as test_sync_numbers and test_sync_unit_records choose them), nothing stops, restarts
or reconfigures the server, nothing reads server-wide totals. A module that needs any of
that starts its own with ``running_server``. The servers are those of ``running_server``
(server_support.LIMITS: 99 number blocks per unit, enough for every enrollment in the
default unit that the sharing modules make).

Use: ``server = shared_server(BACKEND)`` inside a module fixture of the module's own."""
from __future__ import annotations

from contextlib import ExitStack
from typing import Callable

import pytest

from tests.server_support import Server, running_server

# The servers of this test process. A fixture imported into several modules is a fixture of
# each (pytest keeps its value per module that defines it, even at session scope), so the
# servers live here: the fixture's instances count themselves, the last one to end stops them
# (at the session's end, before the zygote that forked them stops).
_SERVERS: dict[str, Server] = {}
_STACK = ExitStack()
_USERS = [0]


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory) -> Callable[[str], Server]:
    """``shared_server(backend)``: the one server of that backend, started on first use,
    stopped (and its database dropped) when the session ends."""
    def get(backend: str) -> Server:
        if backend not in _SERVERS:
            _SERVERS[backend] = _STACK.enter_context(
                running_server(tmp_path_factory.mktemp(f"shared-{backend}"), backend))
        return _SERVERS[backend]

    _USERS[0] += 1
    try:
        yield get
    finally:
        _USERS[0] -= 1
        if not _USERS[0]:
            _SERVERS.clear()
            _STACK.close()
