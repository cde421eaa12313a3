"""Helpers for the server's bundle tests (weicha_server/bundles.py): a server data folder
made in this process (no server process: the commands and the Importer run here), laptops
enrolled with a signing key of their own, and ops bundles built from a laptop's outbox with
the container's own ``write_container`` — what ``weicha bundle export`` writes (issue 12)."""
from __future__ import annotations

import base64
import json
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from weicha_desktop.core import numbering
from weicha_desktop.core.bundle.container import Entry, open_container, utc_iso, write_container
from weicha_desktop.core.canonical import canonical_json
from weicha_desktop.core.clock import Clock
from weicha_desktop.core.sync.anchoring import entries_after
from weicha_desktop.core.sync.queue import OutboxQueue
from weicha_server import auth, db
from weicha_server import config as settings
from weicha_server.keys import ServerKeys

from tests.server_support import BACKENDS, LIMITS, Laptop, backend_db, init_server, laptop, server_cli

UNIT = "450702000000"
USERS = ((UNIT, "450001", "张伟"), (UNIT, "450009", "王五"), ("450703000000", "460001", "李娜"))


@dataclass
class BundleServer:
    """A server data folder and database (``db_url`` None: its SQLite), opened in this process."""
    data_dir: Path
    db_url: str | None
    engine: Any
    keys: ServerKeys
    server_id: str

    @classmethod
    def make(cls, data_dir: Path, db_url: str | None, settings_: dict[str, Any] | None = None) -> "BundleServer":
        init_server(data_dir, db_url, settings_)
        cfg = settings.load(data_dir, db_url)
        engine = db.make_engine(cfg.db_url, pool_size=1)
        with db.read(engine) as conn:
            server_id = db.meta(conn, "server_id")
        return cls(data_dir, db_url, engine, ServerKeys.load(data_dir), server_id)

    def config(self, **kw) -> settings.ServerConfig:
        from dataclasses import replace

        return replace(settings.load(self.data_dir, self.db_url), **kw)

    def enroll(self, lt: Laptop, key: Ed25519PrivateKey, unit: str | None = None) -> None:
        """``lt`` registered with ``key`` as the server registers a laptop (``auth.enroll_device``,
        what /v1/enroll and enroll-import do): the server assigns it a number block of the unit
        (``number_slots``) and the laptop takes it (``numbering.adopt_block``, as its enrollment
        does), so no later laptop of the unit is given the numbers this one issues."""
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        with self.engine.begin() as conn:
            code, _ = auth.make_code(conn, "勘验笔记本", unit, 1.0)
            done = auth.enroll_device(conn, code=code, device_id=lt.device_id, device_name="勘验笔记本",
                                      public_key=base64.b64encode(raw).decode(), unit_code=lt.store.meta("unit_code"),
                                      issued=numbering.issued_runs(lt.store.conn), slots=self.config().number_slots)
        block = done.answer["numbers"]
        with lt.store.change(lt.actor) as ch:
            numbering.adopt_block(ch, block)
            ch.log("sync.enroll", "device", lt.device_id, "本机登记到同步服务器（测试）",
                   {"server_id": self.server_id, "numbers": {k: block[k] for k in ("slot", "slots", "first", "last")}})

    def snapshot(self) -> dict[str, Any]:
        """Every table but the audit chain, row by row, every column (what a refused import
        must not change): in primary-key order, read by the driver (the shared bundle server
        holds every bundle test's rows; SQLAlchemy's row objects cost more than the query)."""
        out = {}
        with db.read(self.engine) as conn:
            cur = conn.connection.driver_connection.cursor()
            for t in (db.devices, db.ops, db.records, db.reviews, db.blobs, db.bundle_imports):
                cur.execute(f"SELECT * FROM {t.name} ORDER BY {', '.join(c.name for c in t.primary_key.columns)}")
                out[t.name] = cur.fetchall()
            cur.close()
        return out

    def audit(self, action: str | None = None) -> list[dict[str, Any]]:
        from weicha_server import audit

        with db.read(self.engine) as conn:
            if action is None:
                return audit.entries(conn)
            rows = conn.execute(sa.select(db.server_audit).where(db.server_audit.c.action == action)
                                .order_by(db.server_audit.c.seq))  # (as audit.entries reads them)
            return [dict(r._mapping, details=json.loads(r.details)) for r in rows]


# The bundle servers of this test process, one per backend. A fixture imported into several
# modules is a fixture of each (pytest keeps its value per defining module, even at session
# scope, and drops it when the module's tests move to the other backend), so they live here
# and are closed when pytest ends (config cleanup: in-process, nothing else to outlive).
_SERVERS: dict[str, BundleServer] = {}


def _bundle_server(backend: str, tmp_path_factory, config) -> BundleServer:
    if backend not in _SERVERS:
        stack = ExitStack()
        url = stack.enter_context(backend_db(backend, migrated=True))  # (PostgreSQL: the template's copy)
        # the tests' number blocks (server_support.LIMITS): every bundle module of the process
        # enrolls laptops of the one unit on this server, each offline enrollment takes a block
        s = BundleServer.make(tmp_path_factory.mktemp(f"bundles-{backend}") / "srv", url,
                              {"number_slots": LIMITS["number_slots"]})
        stack.callback(s.engine.dispose)
        for unit, badge, name in USERS:
            run = server_cli(s.data_dir, "user", "add", "--unit", unit, "--badge", badge, "--name", name, db=url)
            assert run.code == 0, run.err
        _SERVERS[backend] = s
        config.add_cleanup(stack.close)
    return _SERVERS[backend]


@pytest.fixture(scope="session", params=BACKENDS)
def srv(request, tmp_path_factory):
    """One bundle server per backend for every bundle test module of the test process (import
    it into a module): each test works with laptops of its own; the users are USERS."""
    return _bundle_server(request.param, tmp_path_factory, request.config)


def enrolled_laptop(srv: BundleServer, path: Path) -> tuple[Laptop, Ed25519PrivateKey]:
    lt, key = laptop(path), Ed25519PrivateKey.generate()
    srv.enroll(lt, key)
    return lt, key


def ops_bundle(lt: Laptop, key: Ed25519PrivateKey, srv: BundleServer, dst: Path, *, bundle_seq: int = 1,
               audit_after: int = 0, blobs: list[str] | None = None, encrypt_to: X25519PublicKey | None = None,
               recipient: str | None = None, expires_at: datetime | None = None,
               manifest: dict[str, Any] | None = None, ops: list[dict[str, Any]] | None = None,
               extra_entries: list[Entry] = (), chunk_size: int = 1 << 20) -> dict[str, Any]:
    """The laptop's outstanding ops (exported: ``OutboxQueue.export_bundle``), its audit entries
    after ``audit_after`` and the originals ``blobs`` as an ops bundle at ``dst``; the
    export_bundle dict (with ``audit_seq``: the last audit entry sent). Overrides make hostile ones (signed by the device all the same)."""
    exported = OutboxQueue(lt.store, lt.actor).export_bundle()
    envs = exported["ops"] if ops is None else ops
    info = {k: v for k, v in exported.items() if k != "ops"}  # before audit_seq is added
    entries_audit = entries_after(lt.store.conn, audit_after, 10**9)  # (Laptop.audit: read whole, then cut)
    exported["audit_seq"] = entries_audit[-1]["seq"] if entries_audit else None
    entries = [Entry.of_bytes("ops.jsonl", b"".join(canonical_json(e) + b"\n" for e in envs)),
               Entry.of_bytes("audit.jsonl", b"".join(canonical_json(e) + b"\n" for e in entries_audit)),
               Entry.of_bytes("bundle.json", canonical_json(info))]
    entries += [Entry.of_bytes(f"blobs/{sha}", lt.blob(sha)) for sha in blobs or []]
    entries += list(extra_entries)
    expires = utc_iso(expires_at or datetime.now(timezone.utc) + timedelta(days=30))
    extra = {"device_id": lt.device_id, "bundle_seq": bundle_seq, "from_seq": exported["from_seq"],
             "through_seq": exported["through_seq"], "protocol": 1, "expires_at": expires, **(manifest or {})}
    write_container(dst, kind="ops", sender=("device", lt.device_id), recipient=("server", recipient or srv.server_id),
                    signer=key, encrypt_to=encrypt_to or srv.keys.encryption_public, manifest_extra=extra,
                    entries=entries, expires_at=expires, clock=Clock(), chunk_size=chunk_size)
    return exported


def read_receipt(srv: BundleServer, path: Path, device_id: str, staging: Path) -> dict[str, Any]:
    """The receipt at ``path``, verified with the server's signing key: its receipt.json."""
    with open_container(path, sender_key=lambda h: srv.keys.signing_public if h.sender == ("server", srv.server_id)
                        else None, decrypt_with=None, clock=Clock(), staging_dir=staging,
                        recipient=("device", device_id)) as opened:
        assert opened.header.kind == "receipt"
        return json.loads(opened.entry_path("receipt.json").read_bytes())
