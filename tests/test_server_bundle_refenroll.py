"""Reference data and enrollment by USB, the server's side (weicha_server/refexport.py,
enroll_offline.py, issue 12), on SQLite and PostgreSQL: `reference export` writes the pull
tables signed, with the server's change mark as version, and a laptop applies them; an
enrollment request is verified, shown (name, key fingerprint), registered as /v1/enroll
would, and answered with a signed enrollment file the device's bundles are then taken with.
Each is in the server's audit chain with the bundle id; a refused request registers nothing."""
from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from weicha_desktop.core.bundle.container import Entry, fingerprint, open_container, write_container
from weicha_desktop.core.canonical import canonical_json
from weicha_desktop.core.clock import Clock
from weicha_desktop.core.sync.reference import apply_rows
from weicha_desktop.core.bundle.laptop_key import bundle_key, bundle_public_b64
from weicha_server import auth, db

from tests.server_bundle_support import UNIT, ops_bundle, srv  # noqa: F401
from tests.server_support import closes_laptops, laptop, server_cli  # noqa: F401



def opened(srv, path, staging, recipient, lt):
    return open_container(path, sender_key=lambda h: srv.keys.signing_public if h.sender == ("server", srv.server_id)
                          else None, decrypt_with=bundle_key(lt.store, create=True), clock=Clock(), staging_dir=staging,
                          recipient=recipient)


def test_reference_export_is_signed_versioned_and_applies_on_a_laptop(srv, tmp_path):
    out = tmp_path / "usb" / "ref.wcref"
    out.parent.mkdir()
    lt = laptop(tmp_path / "lt")
    srv.enroll(lt, Ed25519PrivateKey.generate())
    with srv.engine.begin() as conn:  # as its first ops bundle gives it
        assert auth.keep_bundle_key(conn, lt.device_id, bundle_public_b64(lt.store))
    export = ("reference", "export", "--device", lt.device_id)
    earlier = len(srv.audit("reference.export"))  # the server is shared with other bundle modules
    run = server_cli(srv.data_dir, *export, "-o", str(out), "--unit", UNIT, db=srv.db_url)
    assert run.code == 0, run.err
    assert "已导出参考数据包" in run.out and "用户 2 人" in run.out
    with db.read(srv.engine) as conn:
        mark = conn.execute(sa.select(db.counters.c.value).where(db.counters.c.name == "change_seq")).scalar()
    with opened(srv, out, tmp_path / "stage", ("device", lt.device_id), lt) as got:
        assert got.header.kind == "reference" and got.manifest["version"] == mark > 0
        assert got.manifest["unit_code"] == UNIT and got.manifest["server_id"] == srv.server_id
        assert [e["path"] for e in got.manifest["entries"]] == [
            "code_tables.json", "forms.json", "users.json", "watch_lists.json"]
        users = json.loads(got.entry_path("users.json").read_bytes())
    assert [(u["badge_no"], u["name"], u["unit_code"]) for u in users] == [("450001", "张伟", UNIT), ("450009", "王五", UNIT)]
    with lt.store.change(lt.actor) as ch:
        apply_rows(ch, "users", users)
    assert lt.store.conn.execute("SELECT count(*) FROM users WHERE badge_no = '450001'").fetchone()[0] == 1
    [entry] = [e for e in srv.audit("reference.export")[earlier:] if e["details"]["file"] == out.name]
    assert entry["details"]["version"] == mark and entry["details"]["bundle_id"] == got.header.bundle_id
    every = tmp_path / "all.wcref"
    assert server_cli(srv.data_dir, *export, "-o", str(every), db=srv.db_url).code == 0
    with opened(srv, every, tmp_path / "stage", ("device", lt.device_id), lt) as got:
        assert len(json.loads(got.entry_path("users.json").read_bytes())) == 3
    bad = server_cli(srv.data_dir, *export, "-o", str(tmp_path / "x.wcref"), "--unit", "12", db=srv.db_url)
    assert bad.code == 1 and "单位代码" in bad.err and not (tmp_path / "x.wcref").exists()
    db_file = srv.data_dir / "keys" / "signing.pem"
    kept = db_file.read_bytes()
    inside = server_cli(srv.data_dir, *export, "-o", str(db_file), db=srv.db_url)
    assert inside.code == 1 and "数据文件夹" in inside.err and db_file.read_bytes() == kept


def request_file(path, lt, key, *, signer=None, name="现场勘验-笔记本7", public_key=None, expires=None, unit=UNIT):
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pub = public_key or base64.b64encode(raw).decode()
    fields = {"device_id": lt.device_id, "device_name": name, "public_key": pub, "unit_code": unit,
              "bundle_public": bundle_public_b64(lt.store)}
    write_container(path, kind="enroll-request", sender=("device", lt.device_id), recipient=("server", "*"),
                    signer=signer or key, encrypt_to=None, manifest_extra=fields,
                    entries=[Entry.of_bytes("request.json", canonical_json({**fields, "issued": []}))],
                    expires_at=expires or datetime.now(timezone.utc) + timedelta(days=30), clock=Clock())
    return raw


def test_offline_enrollment_registers_the_device_and_its_bundles_are_then_taken(srv, tmp_path):
    lt, key = laptop(tmp_path / "lt"), Ed25519PrivateKey.generate()
    req, answer = tmp_path / "req.wcq", tmp_path / "enroll.wce"
    raw = request_file(req, lt, key)
    asked = server_cli(srv.data_dir, "enroll-import", str(req), "-o", str(answer), db=srv.db_url)
    assert asked.code == 1 and "--yes" in asked.err and fingerprint(raw) in asked.out and "现场勘验-笔记本7" in asked.out
    assert not answer.exists() and lt.device_id not in str(srv.snapshot()["devices"])
    run = server_cli(srv.data_dir, "enroll-import", str(req), "-o", str(answer), "--yes", db=srv.db_url)
    assert run.code == 0, run.err
    assert fingerprint(raw) in run.out and srv.keys.fingerprints()["signing"] in run.out
    with db.read(srv.engine) as conn:
        row = conn.execute(sa.select(db.devices).where(db.devices.c.id == lt.device_id)).one()
    assert row.public_key == base64.b64encode(raw).decode() and row.unit_code == UNIT and row.revoked_at is None
    with opened(srv, answer, tmp_path / "stage", ("device", lt.device_id), lt) as got:
        assert got.header.kind == "enrollment" and got.manifest["device_public_key"] == row.public_key
        assert got.manifest["signing_public"] == srv.keys.public()["signing_public"]
        body = json.loads(got.entry_path("enrollment.json").read_bytes())
        users = json.loads(got.entry_path("users.json").read_bytes())
    assert body["device_id"] == lt.device_id and body["server_id"] == srv.server_id and body["unit_code"] == UNIT
    assert body["bundle_keys"] == srv.keys.public() and [u["badge_no"] for u in users] == ["450001", "450009"]
    [entry] = [e["details"] for e in srv.audit("device.enroll_offline") if e["details"]["device_id"] == lt.device_id]
    assert entry["bundle_id"] == got.header.bundle_id and entry["key_fingerprint"] == fingerprint(raw)
    # the device's ops bundle is now taken
    lt.new_case(1)
    wcb = tmp_path / "ops.wcb"
    ops_bundle(lt, key, srv, wcb)
    assert server_cli(srv.data_dir, "bundle", "import", str(wcb), db=srv.db_url).code == 0
    again = server_cli(srv.data_dir, "enroll-import", str(req), "-o", str(tmp_path / "2.wce"), "--yes", db=srv.db_url)
    assert again.code == 1 and "已经登记过" in again.err and not (tmp_path / "2.wce").exists()
    refusal = srv.audit()[-1]
    assert refusal["action"] == "bundle.refused" and refusal["details"]["code"] == "already_enrolled"


def test_a_request_not_signed_by_its_key_or_tampered_registers_nothing(srv, tmp_path):
    lt, key = laptop(tmp_path / "lt"), Ed25519PrivateKey.generate()
    cases = {"forged.wcq": dict(signer=Ed25519PrivateKey.generate()),
             "expired.wcq": dict(expires=datetime.now(timezone.utc) - timedelta(seconds=5)),
             "badkey.wcq": dict(public_key="bm90IGEga2V5"),
             "unit.wcq": dict(unit="4" * 40), "name.wcq": dict(name="a\x00b")}
    for name, kw in cases.items():
        request_file(tmp_path / name, lt, key, **kw)
    flipped = tmp_path / "flipped.wcq"
    request_file(flipped, lt, key)
    data = bytearray(flipped.read_bytes())
    data[len(data) // 2] ^= 0x20
    flipped.write_bytes(bytes(data))
    before, entries = srv.snapshot(), len(srv.audit())
    for name in [*cases, flipped.name]:
        run = server_cli(srv.data_dir, "enroll-import", str(tmp_path / name), "-o", str(tmp_path / "e.wce"), "--yes",
                         db=srv.db_url)
        assert run.code == 1 and "Traceback" not in run.err and any("\u4e00" <= c <= "\u9fff" for c in run.err), run.err
    assert srv.snapshot() == before and not (tmp_path / "e.wce").exists()
    logged = srv.audit()[entries:]
    assert [e["action"] for e in logged] == ["bundle.refused"] * 6
    assert [e["details"]["code"] for e in logged] == ["bad_signature", "expired", "manifest_mismatch",
                                                      "manifest_mismatch", "manifest_mismatch", "bad_signature"]
