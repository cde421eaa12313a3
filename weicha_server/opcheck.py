"""What the server checks of one op before it holds it, with the desktop's own contract code:
the registry and payload schemas (``weicha_desktop.core.ops``), the envelope
(core/sync/envelope.py) and the finalize content hash (``records.finalized_hash``).

``problem(env)`` → None, or ``(error, message)`` of a 422 rejection; ``blobs_needed(env)``
→ the photo originals the op names (a photo's own, a finalize's photo manifest): an op whose
originals the server lacks waits for them."""
from __future__ import annotations

import re
from typing import Any, Mapping

from weicha_desktop.core import ops
from weicha_desktop.core.records import finalized_hash

SHA256_RE = re.compile(r"[0-9a-f]{64}")
# a rejection's code → its HTTP status in the push answer
STATUS = {"conflict": 409, "not_owner": 409, "record_exists": 409, "decision_exists": 409, "superseded": 409,
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
        spec.check(env["payload"])
    except ops.PayloadError as e:
        return "bad_payload", f"同步操作 {spec.name} 的内容不符合登记的格式：{_detail(e)}"
    payload, kind, name = env["payload"], env["entity_kind"], env["op"]
    if is_record_op(name, kind):
        if payload.get(f"{kind}_id") != env["entity_id"]:
            return "bad_payload", f"同步操作 {name} 的内容所指的记录与操作的对象（{env['entity_id']}）不符。"
    elif name != "photo.reorder" and payload.get("id") != env["entity_id"]:
        return "bad_payload", f"同步操作 {name} 的内容所指的照片与操作的对象（{env['entity_id']}）不符。"
    if name == f"{kind}.finalize" and finalize_hash(env) != payload["content_hash"]:
        return "hash_mismatch", "重算的定稿内容哈希与设备上的不符：内容可能在途中或在设备上被改动。"
    return None


def is_record_op(name: str, kind: str) -> bool:
    """A record's life-cycle op (K.create … K.review) or a 必比 status change."""
    return ops.is_record_op(name, kind) or name == "case.evidence"


def finalize_hash(env: Mapping[str, Any]) -> str:
    """The content hash of the version a K.finalize op carries, recomputed from its payload."""
    p, kind = env["payload"], env["entity_kind"]
    return finalized_hash({
        "record_id": p[f"{kind}_id"], "kind": p["kind"], "version": p["version"],
        "form_id": p["form"][0], "form_version": p["form"][1], "data": p["data"],
        "amends_id": p.get("amends_id"), "amend_reason": p.get("amend_reason"),
        "finalized_at": p["finalized_at"], "finalized_by": p["finalized_by"],
        "manifest": p["manifest"]})


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
