"""Sync of the op log with a server (docs/sync-protocol.md).

queue.py: the outbox's states on this device — compaction of superseded drafts, bundles
exported, acknowledgement, rejection, pruning. The ops themselves are written by the store
(``Change.enqueue``, core/store/oplog.py: the envelope); their names and payload schemas are
registered in core/ops.py. apply.py: another device's ops applied in sequence to a store,
the code the server runs (idempotent, stops at a gap, checks finalized hashes)."""
