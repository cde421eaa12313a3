"""Record, op and audit ids (core/ids.py new_id): UUIDv7 made without the uuid6 package (its
import reads package metadata: importlib.metadata and email, in every process that makes an
id), in the form uuid6 gave: version 7, RFC variant, the time in milliseconds, and the ids
of one process sorting in the order they were made."""
from __future__ import annotations

import sys
import time
import uuid

from weicha_desktop.core import ids
from weicha_desktop.core.ids import new_id


def test_new_ids_are_uuid7_in_order_and_never_import_uuid6(monkeypatch):
    monkeypatch.setitem(sys.modules, "uuid6", None)  # an import of it raises ImportError
    before = time.time_ns() // 1_000_000
    made = [new_id() for _ in range(3000)]  # many within one millisecond
    assert made == sorted(made) and len(set(made)) == len(made)
    for text in made[:50] + made[-50:]:
        u = uuid.UUID(text)
        assert str(u) == text and u.version == 7 and u.variant == uuid.RFC_4122
    first = uuid.UUID(made[0]).int >> 80
    assert before <= first <= before + 60_000  # Unix milliseconds, as uuid6.uuid7 wrote them
    randoms = {uuid.UUID(t).int & ((1 << 62) - 1) for t in made}
    assert len(randoms) == len(made)  # the random part differs


def test_a_clock_set_back_still_sorts_after(monkeypatch):
    new_id()
    last = ids._last_ms
    monkeypatch.setattr(ids.time, "time_ns", lambda: (last - 5_000) * 1_000_000)  # 5 s back
    a, b = new_id(), new_id()
    assert uuid.UUID(a).int >> 80 == last + 1 and uuid.UUID(b).int >> 80 == last + 2 and a < b
