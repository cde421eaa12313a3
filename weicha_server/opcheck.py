"""What the server checks of one op before it holds it, with the desktop's own contract code:
the registry and payload schemas (``weicha_desktop.core.ops``), the envelope
(core/sync/envelope.py) and the finalize content hash (``records.finalized_hash``).

``problem(env)`` → None, or ``(error, message)`` of a 422 rejection; ``blobs_needed(env)``
→ the photo originals the op names (a photo's own, a finalize's photo manifest): an op whose
originals the server lacks waits for them.

The payload check is the desktop's JSON Schema, judged by ``jsonschema`` (``OpSpec.check``) as
on the desktop; a compiled validator of the same schema (``jsonschema_rs``, ~100× faster:
most of a push's time per op was the check) answers first, and whatever it does not accept
— or cannot judge — goes to ``OpSpec.check``, whose verdict and message stand. So the server
accepts exactly what ``jsonschema`` accepts, provided the fast validator never accepts what
``jsonschema`` refuses (tests/test_server_opcheck.py compares them on mutated payloads)."""
from __future__ import annotations

import re
from typing import Any, Mapping

import jsonschema_rs

from weicha_desktop.core import ops
from weicha_desktop.core.canonical import sha256_hex
from weicha_desktop.core.records import HASHED, finalized_hash
from weicha_server import fastjson

SHA256_RE = re.compile(r"[0-9a-f]{64}")
# a rejection's code → its HTTP status in the push answer
STATUS = {"conflict": 409, "not_owner": 409, "record_exists": 409, "decision_exists": 409, "superseded": 409,
          "number_taken": 409,
          "unknown_op": 422, "unknown_version": 422, "bad_payload": 422, "hash_mismatch": 422}


def problem(env: Mapping[str, Any]) -> tuple[str, str] | None:
    """Why the server will not hold this (whole) envelope, or None."""
    try:
        spec = ops.op(env["op"], env["entity_kind"])
    except ops.UnknownName:
        return "unknown_op", f"服务器不认识同步操作 {env['op']}（对象类型 {env['entity_kind']}）：请升级服务器或桌面程序。"
    if spec.payload_version != env["payload_version"]:
        return "unknown_version", (f"同步操作 {spec.name} 的内容格式第 {env['payload_version']} 版服务器不认识"
                                   f"（认识第 {spec.payload_version} 版）：请升级服务器或桌面程序。")
    try:
        check_payload(spec, env["payload"])
    except ops.PayloadError as e:
        return "bad_payload", f"同步操作 {spec.name} 的内容不符合登记的格式：{_detail(e)}"
    payload, kind, name = env["payload"], env["entity_kind"], env["op"]
    if is_record_op(name, kind):
        if payload.get(f"{kind}_id") != env["entity_id"]:
            return "bad_payload", f"同步操作 {name} 的内容所指的记录与操作的对象（{env['entity_id']}）不符。"
    elif name != "photo.reorder" and payload.get("id") != env["entity_id"]:
        return "bad_payload", f"同步操作 {name} 的内容所指的照片与操作的对象（{env['entity_id']}）不符。"
    if name == "photo.add" and not SHA256_RE.fullmatch(payload["sha256"]):  # the schema's ``$`` lets "…\n" by
        return "bad_payload", f"同步操作 {name} 的照片原图哈希不是 64 位十六进制数：这张照片无法上传。"
    if name == f"{kind}.finalize" and finalize_hash(env) != payload["content_hash"]:
        return "hash_mismatch", "重算的定稿内容哈希与设备上的不符：内容可能在途中或在设备上被改动。"
    return None


_FAST: dict[str, tuple[ops.OpSpec, Any]] = {}  # op name → (its spec, the compiled validator)


def check_payload(spec: ops.OpSpec, payload: Any) -> None:
    """``spec.check(payload)`` (PayloadError naming the first mismatch), answered by the
    compiled validator when it accepts the payload (module doc)."""
    held = _FAST.get(spec.name)
    if held is None or held[0] is not spec:
        held = _FAST[spec.name] = (spec, jsonschema_rs.Draft202012Validator(dict(spec.schema)))
    try:
        if held[1].is_valid(payload):
            return
    except Exception:  # noqa: BLE001 — a value it cannot take: jsonschema judges it
        pass
    spec.check(payload)


def is_record_op(name: str, kind: str) -> bool:
    """A record's life-cycle op (K.create … K.review) or a 必比 status change."""
    return ops.is_record_op(name, kind) or name == "case.evidence"


def finalize_hash(env: Mapping[str, Any]) -> str:
    """The content hash of the version a K.finalize op carries, recomputed from its payload."""
    p, kind = env["payload"], env["entity_kind"]
    row = {"record_id": p[f"{kind}_id"], "kind": p["kind"], "version": p["version"],
           "form_id": p["form"][0], "form_version": p["form"][1], "data": p["data"],
           "amends_id": p.get("amends_id"), "amend_reason": p.get("amend_reason"),
           "finalized_at": p["finalized_at"], "finalized_by": p["finalized_by"],
           "manifest": p["manifest"]}
    if isinstance(row["data"], str) or isinstance(row["manifest"], str):
        return finalized_hash(row)  # JSON text: the desktop's function parses it
    # finalized_hash's content hash of the same body, its canonical JSON by fastjson (the same
    # bytes; tests/test_server_fastjson_finalize.py compares the two)
    body = {k: row[k] for k in HASHED}
    if row["manifest"] is not None:
        body["manifest"] = row["manifest"]
    return sha256_hex(fastjson.canonical(body))


def blobs_needed(env: Mapping[str, Any]) -> list[str]:
    """The photo originals (SHA-256) the op names: photo.add's own, a finalize's manifest."""
    p, name = env["payload"], env["op"]
    if name == "photo.add":
        return [p["sha256"]]
    if name == f"{env['entity_kind']}.finalize":
        return sorted({m["sha256"] for m in p["manifest"]
                       if isinstance(m.get("sha256"), str) and SHA256_RE.fullmatch(m["sha256"])})
    return []


def _detail(e: Exception) -> str:
    text = str(e)
    start, end = text.find("（"), text.rfind("）")
    return text[start + 1:end] if 0 <= start < end else text
