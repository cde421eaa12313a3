"""What the store tells its listeners after a commit (``Store.on_commit``).

A ``ChangeSummary`` says what a committed change (or a whole ``batch()``) touched, read from
its audit entries: the actions, the objects (kind + id) and how many outbox operations it
enqueued. Listeners re-read what they show; the summary only tells them whether to.

Listeners are called on the thread that committed, after the COMMIT and after the signed
checkpoint moved, never inside the transaction. A listener that fails is logged and the
others still run: a view that cannot refresh never undoes or fails a commit.

Only commits made through the same ``Store`` object are seen, and through the stores it
opened for other threads with ``Store.sibling()`` (they share its listeners). Another
``Store.open`` of the same folder, or another program, is not: SQLite tells a connection
nothing of another connection's commits."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from weicha_desktop.core.store import audit

log = logging.getLogger("weicha.store")

Listener = Callable[["ChangeSummary"], None]


@dataclass(frozen=True)
class ChangeSummary:
    """``entries``: (action, object_kind, object_id) of every audit entry, in order;
    ``outbox``: the outbox operations enqueued."""

    entries: tuple[tuple[str, str, str | None], ...] = ()
    outbox: int = 0

    @classmethod
    def of(cls, entries: Iterable[audit.AuditEntry]) -> "ChangeSummary":
        entries = list(entries)
        return cls(tuple((e.action, e.object_kind, e.object_id) for e in entries),
                   sum(len(e.details.get(audit.OUTBOX_KEY) or ()) for e in entries))

    def __add__(self, other: "ChangeSummary") -> "ChangeSummary":
        return ChangeSummary(self.entries + other.entries, self.outbox + other.outbox)

    def __bool__(self) -> bool:
        return bool(self.entries)

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(a for a, _k, _i in self.entries)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(k for _a, k, _i in self.entries)

    def ids(self, kind: str) -> frozenset[str]:
        """The ids of the objects of ``kind`` it touched."""
        return frozenset(i for _a, k, i in self.entries if k == kind and i is not None)

    def changed(self, kind: str) -> bool:
        """Data of ``kind`` changed (an entry of that kind, and the change enqueued an outbox
        operation: a logged read such as a report print enqueues none)."""
        return self.outbox > 0 and kind in self.kinds


@dataclass
class CommitListeners:
    """The listeners of one store (shared with its siblings). Thread-safe."""

    _listeners: list[Listener] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, listener: Listener) -> Callable[[], None]:
        """Register ``listener``; returns the function that removes it again."""
        with self._lock:
            self._listeners.append(listener)
        return lambda: self.remove(listener)

    def remove(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def __len__(self) -> int:
        return len(self._listeners)

    def notify(self, summary: ChangeSummary) -> None:
        if not summary:
            return
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(summary)
            except Exception:  # noqa: BLE001 - a view's failure never fails a commit
                log.exception("commit listener %r failed", _name(listener))


def _name(listener: Any) -> str:
    return getattr(listener, "__qualname__", None) or type(listener).__name__
