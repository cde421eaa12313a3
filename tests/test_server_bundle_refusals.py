"""Bundles the server refuses (weicha_server/bundles.py, issue 12), on SQLite and PostgreSQL:
each one exits 1 with a Chinese reason, imports nothing (every table but the audit chain
as it was) and is one ``bundle.refused`` entry of the server's audit chain naming the bundle."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from weicha_desktop.core.bundle.container import Entry, write_container
from weicha_desktop.core.clock import Clock
from weicha_desktop.core.users import UserService
from weicha_server import auth, db

from tests.server_bundle_support import enrolled_laptop, ops_bundle, srv  # noqa: F401
from tests.server_support import Laptop, server_cli
from tests.support import PASSWORD, new_store


@pytest.fixture(scope="module")
def lt(srv, tmp_path_factory):
    """One enrolled laptop with two cases outstanding (each test exports them again)."""
    store = new_store(tmp_path_factory.mktemp("laptop") / "a")
    laptop = Laptop(store, UserService(store).authenticate("admin", PASSWORD))
    laptop.key = Ed25519PrivateKey.generate()
    srv.enroll(laptop, laptop.key)
    laptop.new_case(1)
    laptop.new_case(2, finalize=True)
    yield laptop
    store.close()


@pytest.fixture(scope="module")
def small_frames(srv, lt, tmp_path_factory) -> bytes:
    """The laptop's ops bundle in frames of 512 bytes (many), written once per backend: each
    test damages a copy of its own (a refused import records nothing of the bundle, its id
    included: the next copy is judged afresh)."""
    path = tmp_path_factory.mktemp("framed") / "t.wcb"
    ops_bundle(lt, lt.key, srv, path, chunk_size=512)
    return path.read_bytes()


def audit_tail(srv) -> tuple[int, dict]:
    """How many entries the server's audit chain has, and its last one (the chain of the
    shared bundle server grows with every bundle test of the process: not read whole)."""
    with db.read(srv.engine) as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(db.server_audit)).scalar()
        last = conn.execute(sa.select(db.server_audit).order_by(db.server_audit.c.seq.desc()).limit(1)).one()
    return count, dict(last._mapping, details=json.loads(last.details))


def refused(srv, path, code: str, *words: str):
    """Import ``path``: refused with ``code``, nothing changed, one audit entry."""
    before, (entries, _) = srv.snapshot(), audit_tail(srv)
    run = server_cli(srv.data_dir, "bundle", "import", str(path), "--json", db=srv.db_url)
    assert run.code == 1, (run.out, run.err)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in run.err) and "Traceback" not in run.err + run.out
    assert all(w in run.err for w in words), run.err
    assert f'"code": "{code}"' in run.out, run.out
    assert srv.snapshot() == before
    count, last = audit_tail(srv)
    assert count == entries + 1 and last["action"] == "bundle.refused"
    assert last["details"]["code"] == code and last["details"]["file"] == path.name
    assert not path.with_suffix(".wcr").exists()
    return last["details"]


def test_unknown_and_revoked_devices(srv, lt, tmp_path):
    stranger, key = Laptop(lt.store, lt.actor), Ed25519PrivateKey.generate()  # the laptop's ops, a key never enrolled
    path = tmp_path / "x.wcb"
    ops_bundle(stranger, key, srv, path)
    assert refused(srv, path, "bad_signature")["bundle_id"]  # the device is known: another key did not sign it
    other, other_key = enrolled_laptop(srv, tmp_path / "b")
    other.new_case(3)
    with srv.engine.begin() as conn:
        conn.execute(auth.devices.delete().where(auth.devices.c.id == other.device_id))
    path = tmp_path / "unknown.wcb"
    ops_bundle(other, other_key, srv, path)
    details = refused(srv, path, "unknown_sender", "未在本服务器登记")
    assert details["device_id"] == other.device_id and details["bundle_id"]
    revoked, revoked_key = enrolled_laptop(srv, tmp_path / "c")
    revoked.new_case(4)
    with srv.engine.begin() as conn:
        auth.revoke(conn, revoked.device_id)
    path = tmp_path / "revoked.wcb"
    ops_bundle(revoked, revoked_key, srv, path)
    refused(srv, path, "unknown_sender", "已被吊销")


def test_wrong_server_key_wrong_recipient_expired(srv, lt, tmp_path):
    path = tmp_path / "key.wcb"
    ops_bundle(lt, lt.key, srv, path, encrypt_to=X25519PrivateKey.generate().public_key())
    refused(srv, path, "decrypt_failed")
    path = tmp_path / "to.wcb"
    ops_bundle(lt, lt.key, srv, path, recipient="another-server")
    refused(srv, path, "wrong_recipient")
    path = tmp_path / "old.wcb"
    ops_bundle(lt, lt.key, srv, path, expires_at=datetime.now(timezone.utc) - timedelta(minutes=1))
    refused(srv, path, "expired", "过期")


@pytest.mark.parametrize("where", ["magic", "header", "manifest", "middle", "last frame", "signature", "cut"])
def test_a_flipped_byte_anywhere_or_a_cut_file(srv, small_frames, tmp_path, where):
    path = tmp_path / "t.wcb"
    data = bytearray(small_frames)  # frames of 512 bytes: many
    n = int.from_bytes(data[5:9], "big")
    at = {"magic": 1, "header": 9 + n // 2, "manifest": 9 + n + 40, "middle": len(data) // 2,
          "last frame": len(data) - 80, "signature": len(data) - 10}.get(where)
    if where == "cut":
        data = data[:len(data) * 2 // 3]
    else:
        data[at] ^= 0x01
    path.write_bytes(bytes(data))
    before = srv.snapshot()
    run = server_cli(srv.data_dir, "bundle", "import", str(path), db=srv.db_url)
    assert run.code == 1 and "未导入任何内容" in run.err and "Traceback" not in run.err, run.err
    assert srv.snapshot() == before and audit_tail(srv)[1]["action"] == "bundle.refused"


def test_contents_that_disagree_are_refused(srv, lt, tmp_path):
    path = tmp_path / "m.wcb"
    ops_bundle(lt, lt.key, srv, path, manifest={"through_seq": 99})  # bundle.json and the ops say otherwise
    refused(srv, path, "manifest_mismatch")
    path = tmp_path / "p.wcb"
    ops_bundle(lt, lt.key, srv, path, manifest={"protocol": 2})
    refused(srv, path, "manifest_mismatch", "协议")
    path = tmp_path / "blob.wcb"
    ops_bundle(lt, lt.key, srv, path, extra_entries=[Entry.of_bytes("blobs/" + "ab" * 32, b"not that")])
    refused(srv, path, "manifest_mismatch", "SHA-256")
    path = tmp_path / "extra.wcb"
    ops_bundle(lt, lt.key, srv, path, extra_entries=[Entry.of_bytes("notes.txt", b"hi")])
    refused(srv, path, "bad_path", "notes.txt")  # not a path an ops bundle holds: refused before anything is made
    path = tmp_path / "seq.wcb"
    ops_bundle(lt, lt.key, srv, path, manifest={"bundle_seq": 0})
    refused(srv, path, "manifest_mismatch")


def test_not_an_ops_bundle(srv, lt, tmp_path):
    path = tmp_path / "garbage.wcb"
    path.write_bytes(b"PK\x03\x04 not a bundle at all" * 10)
    assert refused(srv, path, "bad_magic")["bundle_id"] is None
    path = tmp_path / "receipt.wcb"
    write_container(path, kind="receipt", sender=("device", lt.device_id), recipient=("server", srv.server_id),
                    signer=lt.key, encrypt_to=None, manifest_extra={}, entries=[], expires_at=None, clock=Clock())
    refused(srv, path, "bad_header", "不是笔记本导出的数据包")
    empty = tmp_path / "none.wcb"
    run = server_cli(srv.data_dir, "bundle", "import", str(empty), db=srv.db_url)
    assert run.code == 1 and "找不到" in run.err


def test_a_bundle_id_another_device_used_is_refused(srv, lt, tmp_path):
    """Bundle ids are UUIDv7s, but a device could name another's: never taken as its replay."""
    from weicha_desktop.core.bundle import container

    other, other_key = enrolled_laptop(srv, tmp_path / "b")
    other.new_case(5)
    first = tmp_path / "first.wcb"
    ops_bundle(other, other_key, srv, first)
    assert server_cli(srv.data_dir, "bundle", "import", str(first), db=srv.db_url).code == 0
    used = container.verify_container(first, sender_key=lambda _h: other_key.public_key()).bundle_id
    path = tmp_path / "same-id.wcb"
    real = container.write_container
    with pytest.MonkeyPatch.context() as m:
        m.setattr("tests.server_bundle_support.write_container", lambda *a, **k: real(*a, **{**k, "bundle_id": used}))
        ops_bundle(lt, lt.key, srv, path)
    refused(srv, path, "manifest_mismatch", "另一台设备")
