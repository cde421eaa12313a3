"""An op's envelope as it travels (docs/sync-protocol.md): is it whole, and its digest.

Pure functions (no store, no Qt) shared by everything that receives ops: a store applying
another device's ops (core/sync/apply.py) and the central server (weicha_server/push.py)."""
from __future__ import annotations

from typing import Any, Mapping

from weicha_desktop.core.canonical import canonical_json, sha256_hex
from weicha_desktop.core.store.oplog import ENVELOPE


def envelope_bytes(env: Mapping[str, Any]) -> bytes:
    """The envelope as a bundle carries it: canonical JSON of its ENVELOPE keys (UnicodeEncode-
    or ValueError for what JSON cannot hold: a lone surrogate, NaN)."""
    return canonical_json({k: env[k] for k in ENVELOPE})


def envelope_digest(env: Mapping[str, Any]) -> str:
    """SHA-256 of ``envelope_bytes``: the same op sent twice has the same digest; any other
    byte in it gives another."""
    return sha256_hex(envelope_bytes(env))


def is_count(n: Any) -> bool:
    """A whole number ≥ 0 (not a bool)."""
    return isinstance(n, int) and not isinstance(n, bool) and n >= 0


def envelope_problem(env: Any) -> str | None:
    """None for a whole envelope (every ENVELOPE field there, of its type); else what is
    wrong with it, in Chinese."""
    if not isinstance(env, Mapping):
        return "不是 JSON 对象"
    missing = [k for k in ENVELOPE if k not in env]
    if missing:
        return f"缺少 {'、'.join(missing)}"
    texts = ("op_id", "device_id", "entity_kind", "entity_id", "op", "created_at")
    if not all(isinstance(env[k], str) and env[k] for k in texts):
        return "编号、设备、类型或时间不是文字"
    if not (is_count(env["device_seq"]) and env["device_seq"] >= 1 and is_count(env["payload_version"])):
        return "序号或版本不是正整数"
    if not isinstance(env["actor"], Mapping) or not isinstance(env["payload"], Mapping):
        return "actor 或 payload 不是 JSON 对象"
    return None
