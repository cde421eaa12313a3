"""The request loop of the tests' pre-imported forking parents (tests/forked_programs.py: programs
to kill, confine or lock; tests/server_fork.py: servers). One JSON request a line on standard
input, one answer a line on standard output:

    {"op": "start", ...}            → {"pid": N}      the child runs ``child(request)``, never returns
    {"op": "status", "pid": N,      → {"code": C}     its exit code (-signal if killed), None while
     "block": bool (optional)}                        it runs (``block``: wait for it)

At EOF (the test process is done) what still runs is killed with ``kill(pid, SIGKILL)`` and
reaped."""
from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any, Callable


def serve_requests(child: Callable[[dict[str, Any]], None],
                   kill: Callable[[int, int], None] = os.kill) -> None:
    codes: dict[int, int] = {}
    running: set[int] = set()

    def reap(pid: int, block: bool) -> None:
        if pid in codes:
            return
        try:
            got, status = os.waitpid(pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return
        if got:
            codes[pid] = os.waitstatus_to_exitcode(status)
            running.discard(pid)

    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "start":
            pid = os.fork()
            if pid == 0:
                child(request)  # never returns
            running.add(pid)
            answer: dict[str, Any] = {"pid": pid}
        else:
            reap(request["pid"], request.get("block", False))
            answer = {"code": codes.get(request["pid"])}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    for pid in list(running):
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass
        reap(pid, True)
