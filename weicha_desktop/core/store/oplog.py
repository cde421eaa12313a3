"""The rows of the sync outbox: one op each, in the envelope a server receives.

Every op carries (docs/sync-protocol.md): ``op_id`` (UUIDv7), ``device_id``, ``device_seq``
(per device, gapless: allocated from ``outbox_sequence`` in the change's own transaction, so
a rolled-back change gives its number back), ``actor`` {id, name, display_name, badge_no,
unit_code, role}, ``payload_version``, ``entity_kind``, ``entity_id``, ``op``, ``created_at`` and
``payload`` (the resulting state of what the op touched). ``Change.enqueue`` (store.py) writes
them through ``insert_op``; ``outbox_envelope`` gives back exactly what is sent.

The change's audit entry lists each op with ``op_digest``: SHA-256 over the whole envelope as
stored (header fields + the payload's exact JSON text), so verify tells an edited payload,
sequence number or actor. Ops written before the envelope existed (schema < 11) were listed
with ``audit.op_digest`` (entity, id, op, payload only); verify accepts either form."""
from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any, Mapping

from weicha_desktop.core.canonical import canonical_json, sha256_hex

if TYPE_CHECKING:  # the registry is imported by the first change (store.py), not here
    from weicha_desktop.core.ops import OpSpec

# The envelope of one op, in this order (the outbox columns of the same names).
ENVELOPE = ("op_id", "device_id", "device_seq", "actor", "payload_version", "entity_kind",
            "entity_id", "op", "created_at", "payload")
DIGEST_TAG = "weicha-op/1"
# The details keys under which the queue (core/sync/queue.py) logs the ops it removes from the
# outbox, so verify does not take them for deleted ones (core/verify/outbox.py): pruned after
# the server acknowledged them (op ids), dropped as superseded drafts ({op_id, op, …}).
ACKED_KEY = "acknowledged_ops"
SUPERSEDED_KEY = "superseded_ops"


def op_digest(values: Mapping[str, Any]) -> str:
    """SHA-256 of one op's envelope as stored: the header as canonical JSON (the actor as its
    stored text), a newline, the payload's stored text."""
    header = [DIGEST_TAG] + [values[k] for k in ENVELOPE[:-1]]
    return sha256_hex(canonical_json(header) + b"\n"
                      + str(values["payload"]).encode("utf-8", "surrogatepass"))


def next_device_seq(conn: sqlite3.Connection, device_id: str) -> int:
    """The device's next sequence number, taken inside the caller's transaction. Never one an
    op in the outbox has, even with the counter set back or deleted behind the program (a
    save must not fail for that; verify names the counter: core/verify/outbox.py)."""
    return conn.execute(  # one statement: the highest in the outbox (its unique index) + 1
        "INSERT INTO outbox_sequence (device_id, last_seq) "
        "SELECT ?1, ifnull(max(device_seq), 0) + 1 FROM outbox WHERE device_id = ?1 "
        "ON CONFLICT (device_id) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq - 1) + 1 "
        "RETURNING last_seq", (device_id,)).fetchone()[0]


def person(conn: sqlite3.Connection, user_id: str | None, *, name: str = "",
           display_name: str = "", role: str = "system") -> dict[str, Any] | None:
    """A user as ops name them, so the server (and a store applying the ops) knows the
    person without this device's users table (docs/identities.md): ``{id, name,
    display_name, badge_no, unit_code, role}`` from the user's row where there is one (the
    folder's unit when the row names none), else from what the caller says. None for no id."""
    if user_id is None and not name:
        return None
    cur = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,))
    row = cur.fetchone()
    user = dict(zip([c[0] for c in cur.description], row)) if row else {}
    unit = user.get("unit_code") or (conn.execute(
        "SELECT value FROM meta WHERE key = 'unit_code'").fetchone() or (None,))[0]
    return {"id": user_id, "name": user.get("name") or name,
            "display_name": user.get("display_name") or display_name or name,
            "badge_no": user.get("badge_no"), "unit_code": unit, "role": user.get("role") or role}


def actor_text(conn: sqlite3.Connection, actor: Any) -> str:
    """Who did it, as the server needs to name the same person on every device: ``person``
    (the user's row; 警号 ``badge_no``, ``unit_code`` and ``role`` where it has them), as
    stored in the envelope."""
    return canonical_json(person(conn, actor.id, name=actor.name, display_name=actor.display_name,
                                 role=actor.role)).decode("utf-8")


def insert_op(conn: sqlite3.Connection, spec: OpSpec, *, op_id: str, device_id: str,
              actor: str, entity_id: str, created_at: str, payload: str) -> str:
    """Write one op (the payload already checked and as JSON text); returns its digest."""
    values = {
        "op_id": op_id, "device_id": device_id, "device_seq": next_device_seq(conn, device_id),
        "actor": actor, "payload_version": spec.payload_version, "entity_kind": spec.entity_kind,
        "entity_id": entity_id, "op": spec.name, "created_at": created_at, "payload": payload,
    }
    conn.execute(f"INSERT INTO outbox ({', '.join(ENVELOPE)}) VALUES ({', '.join('?' * len(ENVELOPE))})",
                 [values[k] for k in ENVELOPE])
    return op_digest(values)


def outbox_envelope(row: Mapping[str, Any]) -> dict[str, Any]:
    """One outbox row (a mapping with the ENVELOPE columns) as the server receives it."""
    env = {k: row[k] for k in ENVELOPE}
    env["actor"] = json.loads(env["actor"])
    env["payload"] = json.loads(env["payload"])
    return env


def envelope_json(row: Mapping[str, Any]) -> bytes:
    """The envelope's bytes in a bundle: canonical JSON (sorted keys, no spaces, UTF-8)."""
    return canonical_json(outbox_envelope(row))
