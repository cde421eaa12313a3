"""Sync of the op log with a server (docs/sync-protocol.md).

queue.py: the outbox's states on this device — compaction of superseded drafts, bundles
exported, acknowledgement, rejection, pruning. The ops themselves are written by the store
(``Change.enqueue``, core/store/oplog.py: the envelope); their names and payload schemas are
registered in core/ops.py. apply.py: another device's ops applied in sequence to a store,
the code the server runs (idempotent, stops at a gap, checks finalized hashes)."""


def is_copy(conn, record_id: str) -> bool:
    """Was the record created by another device — a read-only copy of it, its create applied
    here from a pull (core/sync/review.py)? Nobody here edits it (core/duties.py)."""
    return conn.execute("SELECT 1 FROM applied_ops WHERE entity_id = ? AND op LIKE '%.create' LIMIT 1",
                        (record_id,)).fetchone() is not None
