"""Sync ops written straight through ``store.change`` with payloads of their registered shape
(core/ops.py): the outbox tests need many ops of every kind without the services behind them."""
from __future__ import annotations

from weicha_desktop.core.store import Store

# op → (the synced action its change logs, that action's object kind)
ACTION_OF = {"case.create": ("case.create", "case"), "case.draft": ("case.update", "case"),
             "case.finalize": ("case.finalize", "case"), "case.amend": ("case.amend", "case"),
             "case.review": ("case.approve", "case"), "photo.add": ("photo.add", "photo"),
             "photo.reorder": ("photo.reorder", "case")}


def payload(op: str, entity_id: str, n: int = 1) -> dict:
    version = {"case_id": entity_id, "number": f"K{n}", "version": 1, "version_id": f"v{n}",
               "form": ["scene_investigation", 2], "data": {"n": n}}
    return {
        "case.create": version, "case.draft": version,
        "case.amend": {**version, "amends_id": "v0", "amend_reason": "补正"},
        "case.finalize": {**version, "kind": "case", "manifest": [], "finalized_at": "2026-11-27T09:00:00+08:00",
                          "finalized_by": "u", "content_hash": "0" * 64, "amends_id": None,
                          "amend_reason": None},
        "case.review": {"case_id": entity_id, "number": f"K{n}", "version": 1, "decision": "approved",
                        "comment": ""},
        "photo.add": {"id": entity_id, "case_id": "c", "position": 1, "sha256": "a" * 64,
                      "original_name": "IMG.JPG", "size": 1, "format": "JPEG", "width": 1, "height": 1},
        "photo.reorder": {"case_id": entity_id, "order": []},
    }[op]


def write_op(store: Store, actor, op: str, entity_id: str, n: int = 1) -> str:
    """One change that logs ``op``'s action and enqueues ``op``; returns the op id."""
    action, kind = ACTION_OF[op]
    entity_kind = "photo" if op == "photo.add" else "case"
    with store.change(actor) as ch:
        ch.log(action, kind, entity_id, f"测试 {op}")
        return ch.enqueue(entity_kind, entity_id, op, payload(op, entity_id, n))


def outbox_rows(store: Store, where: str = "1", *args) -> list[dict]:
    cur = store.conn.execute(f"SELECT * FROM outbox WHERE {where} ORDER BY device_seq", args)
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r)) for r in cur]
