"""Sync ops written straight through ``store.change`` with payloads of their registered shape
(core/ops.py): the outbox tests need many ops of every kind without the services behind them."""
from __future__ import annotations

from typing import Any

from weicha_desktop.core.ops import OP_BY_NAME
from weicha_desktop.core.store import Store

# op → (the synced action its change logs, that action's object kind)
ACTION_OF = {"case.create": ("case.create", "case"), "case.draft": ("case.update", "case"),
             "case.finalize": ("case.finalize", "case"), "case.amend": ("case.amend", "case"),
             "case.review": ("case.approve", "case"), "photo.add": ("photo.add", "photo"),
             "photo.reorder": ("photo.reorder", "case")}


def example(schema: dict, value: str) -> Any:
    """The smallest value of ``schema`` (the registry's subset of JSON Schema): the required
    keys of an object only, strings ``value`` (a hash: 64 zeros), numbers 1."""
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "null") if isinstance(kind, list) else kind
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object":
        return {k: example(schema["properties"].get(k, {"type": "string"}), value)
                for k in schema.get("required", ())}
    if kind == "array":
        return [example(item, value) for item in schema.get("prefixItems", ())]
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1))
    if kind == "string":
        return "0" * 64 if schema.get("pattern", "").startswith("^[0-9a-f]{64}") else \
            value.ljust(schema.get("minLength", 0), "0")
    return None


def payload(op: str, entity_id: str) -> dict:
    """A payload of ``op``'s registered shape whose ids are ``entity_id``: whatever the keys
    are named (the records issue renames case_id), the tests stay valid."""
    return example(OP_BY_NAME[op].schema, entity_id)


def id_key(op: str) -> str:
    """The payload key that names the entity (case_id, record_id, id …)."""
    return next(k for k in sorted(OP_BY_NAME[op].schema["required"]) if k == "id" or k.endswith("_id"))


def write_op(store: Store, actor, op: str, entity_id: str) -> str:
    """One change that logs ``op``'s action and enqueues ``op``; returns the op id."""
    action, kind = ACTION_OF[op]
    with store.change(actor) as ch:
        ch.log(action, kind, entity_id, f"测试 {op}")
        return ch.enqueue(OP_BY_NAME[op].entity_kind, entity_id, op, payload(op, entity_id))


def outbox_rows(store: Store, where: str = "1", *args) -> list[dict]:
    cur = store.conn.execute(f"SELECT * FROM outbox WHERE {where} ORDER BY device_seq", args)
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r)) for r in cur]
