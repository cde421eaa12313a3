"""Forms already built in this process, found again by the SHA-256 of what they were built from.

Building a registry's FormSpecs from the parsed trees is most of its cost (~14 ms for every
version of every shipped form; the trees themselves come from ``__parsed__/``, yamlsrc.py):
every command of a process that runs several (the tests, the window's refresh after a pull,
each `weicha` call made in-process) built them again from the same bytes. Here a form file's
spec (and its problems) is kept under its path, the digest of its bytes (or of the text of a
server's version) and the digest of the choice lists it was built with, so it is used again
only for exactly the same input: a file edited within the same second to the same size has
other bytes and is built afresh (no size or mtime short-cut: reading and hashing the ~25 small
files is ~0.3 ms). A spec is a frozen dataclass, shared by the registries that ask for it.
At most LIMIT entries are kept, the least recently used dropped first."""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Hashable

LIMIT = 512
_kept: OrderedDict[Hashable, Any] = OrderedDict()
_lock = threading.Lock()


def digest(path: Path, text: str | None) -> str | None:
    """The SHA-256 of a source: ``text`` if given, else the file's bytes; None if it cannot be
    read (then nothing is kept: the reader reports the problem)."""
    if text is not None:
        return "t" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        return "b" + hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def remembered(key: Hashable | None, make: Callable[[], Any], still: Callable[[], bool] = lambda: True) -> Any:
    """What ``make()`` gave for ``key`` before, else ``make()`` — kept if ``still()`` says its
    sources have not changed while it was made. ``key`` None: made, never kept."""
    if key is None:
        return make()
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    value = make()
    if still():
        with _lock:
            _kept[key] = value
            while len(_kept) > LIMIT:
                _kept.popitem(last=False)
    return value


def forget() -> None:
    """Drop everything kept (tests)."""
    with _lock:
        _kept.clear()
