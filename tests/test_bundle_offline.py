"""Reference bundles and offline enrollment on the laptop (core/bundle/refimport.py,
offline_enroll.py), against files a test server key signs as the server writes them."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from weicha_desktop.core.bundle import container as C
from weicha_desktop.core.bundle.keys import public_b64, stored
from weicha_desktop.core.bundle.offline_enroll import apply_enrollment, write_request
from weicha_desktop.core.bundle.refimport import held_version, import_reference
from weicha_desktop.core.sync.enrollment import SyncConfig
from tests import bundle_support as B
from tests.server_support import closes_laptops, laptop  # noqa: F401 — the fixture closes them
from tests.support import UNIT, run_cli

USER = {"id": "7d1c0a52-0000-5000-8000-000000000001", "unit_code": UNIT, "badge_no": "200001", "name": "zhang3",
        "display_name": "张三", "role": "technician", "active": True, "seq": 5}


@pytest.fixture
def lt(tmp_path):
    return laptop(tmp_path / "lt")


def _entries(lt, action):
    return [e for e in lt.store.audit_entries() if e.action == action]


def _reference(path, version, *, users=(USER,), server_id=B.SERVER_ID, unit=UNIT, recipient=("device", "*"), store):
    return B.server_file(path, "reference", "*", {"users.json": list(users)},
                         {"server_id": server_id, "unit_code": unit, "version": version},
                         recipient=recipient, sender_id=server_id, laptop=store)


def test_reference_import_applies_in_one_change_and_refuses_older(lt, tmp_path):
    config = B.enroll_offline_config(lt.store)
    r = import_reference(lt.store, lt.actor, _reference(tmp_path / "r7.wcref", 7, store=lt.store), config=config)
    assert r.rows == {"users": 1} and r.applied == {"users": 1} and held_version(lt.store, B.SERVER_ID) == 7
    row = lt.store.conn.execute("SELECT display_name, active FROM users WHERE id = ?", (USER["id"],)).fetchone()
    assert row == ("张三", 0)  # a known person: cannot log in here until given a password
    entry = _entries(lt, "reference.import")[-1]
    assert entry.object_id == r.bundle_id and entry.details["version"] == 7
    assert import_reference(lt.store, lt.actor, tmp_path / "r7.wcref", config=config).same  # again: nothing
    with pytest.raises(C.BundleError) as e:
        import_reference(lt.store, lt.actor, _reference(tmp_path / "r6.wcref", 6, store=lt.store), config=config)
    assert e.value.code == "older" and "旧" in str(e.value)
    assert _entries(lt, "bundle.refused")[-1].details["code"] == "older"


def test_reference_refused_whole(lt, tmp_path):
    config = B.enroll_offline_config(lt.store)
    bad = dict(USER, id="7d1c0a52-0000-5000-8000-000000000002", badge_no="200002", role="chief")
    cases = [(_reference(tmp_path / "a.wcref", 8, store=lt.store, users=[USER, bad]), "manifest_mismatch"),
             (_reference(tmp_path / "b.wcref", 8, store=lt.store, server_id="srv-other"), "unknown_sender"),
             (_reference(tmp_path / "c.wcref", 8, store=lt.store, unit="450100000000"), "wrong_recipient"),
             (_reference(tmp_path / "d.wcref", 8, store=lt.store, recipient=("device", "dev-x")), "wrong_recipient"),
             (_reference(tmp_path / "e.wcref", 8, store=lt.store, users=[{"id": 1}]), "manifest_mismatch"),
             (B.receipt(tmp_path / "f.wcr", lt.device_id, "b", 0), "bad_header")]
    for path, code in cases:
        with pytest.raises(C.BundleError) as e:
            import_reference(lt.store, lt.actor, path, config=config)
        assert e.value.code == code, (path.name, e.value.code, str(e.value))
    assert lt.store.conn.execute("SELECT count(*) FROM users WHERE id = ?", (USER["id"],)).fetchone()[0] == 0
    assert held_version(lt.store, B.SERVER_ID) == 0 and len(_entries(lt, "bundle.refused")) == len(cases)


FP = C.fingerprint(B.keys().server_sign.public_key())  # what the administrator reads out


def _enrollment(lt, req_manifest, path, *, device_key=None, body=None, signer=None, extra=None):
    keys = B.server_keys_b64()
    manifest = {"server_id": B.SERVER_ID, "device_id": lt.device_id, "request_id": req_manifest["bundle_id"],
                "device_public_key": device_key or req_manifest["public_key"], **keys, **(extra or {})}
    content = {"device_id": lt.device_id, "server_id": B.SERVER_ID, "unit_code": UNIT, "bundle_keys": keys,
               **(body or {})}
    return B.server_file(path, "enrollment", lt.device_id, {"enrollment.json": content, "users.json": [USER]},
                         manifest, signer=signer, laptop=lt.store)


def test_offline_enrollment_round(lt, tmp_path):
    req = write_request(lt.store, lt.actor, tmp_path / "req.wcq", device_name="勘验笔记本 3")
    header, m = C.peek_manifest(req.path)
    assert header.kind == "enroll-request" and header.sender == ("device", lt.device_id)
    assert m["public_key"] == public_b64(B.device_public(lt.store)) and m["device_name"] == "勘验笔记本 3"
    key = B.device_public(lt.store)
    with C.open_container(req.path, sender_key=lambda h: key, decrypt_with=None, clock=lt.store.clock,
                          staging_dir=tmp_path / "st") as opened:  # self-signed by the key it carries
        assert json.loads(opened.entry_path("request.json").read_bytes())["device_id"] == lt.device_id
    assert _entries(lt, "bundle.export")[-1].details["kind"] == "enroll-request"
    config = SyncConfig.of(lt.store)
    done = apply_enrollment(lt.store, lt.actor, _enrollment(lt, m | {"bundle_id": header.bundle_id},
                                                             tmp_path / "e.wce"), config=config, expected_fingerprint=FP)
    assert done.server_id == B.SERVER_ID and done.fingerprint == C.fingerprint(B.keys().server_sign.public_key())
    assert stored(config).as_dict() == B.server_keys_b64() and config.require().server_id == B.SERVER_ID
    assert done.tables == {"users": 1} and _entries(lt, "sync.enroll")[-1].details["offline"] is True
    with pytest.raises(C.BundleError) as e:  # the same file again (or an older one): never a block back
        apply_enrollment(lt.store, lt.actor, tmp_path / "e.wce", config=config, expected_fingerprint=FP)
    assert e.value.code == "older" and len(_entries(lt, "sync.enroll")) == 1


def test_offline_enrollment_refused(lt, tmp_path):
    req = write_request(lt.store, lt.actor, tmp_path / "req.wcq")
    header, m = C.peek_manifest(req.path)
    m = m | {"bundle_id": header.bundle_id}
    config = SyncConfig.of(lt.store)
    other = public_b64(B.keys().device)
    cases = [(_enrollment(lt, m, tmp_path / "a.wce", device_key=other), "wrong_recipient"),
             (_enrollment(lt, m, tmp_path / "b.wce", signer=B.keys().device), "bad_signature"),
             (_enrollment(lt, m, tmp_path / "c.wce", body={"device_id": "dev-x"}), "manifest_mismatch"),
             (_enrollment(lt, m, tmp_path / "d.wce", extra={"server_id": "srv-x"}), "unknown_sender"),
             (req.path, "bad_header")]
    data = _enrollment(lt, m, tmp_path / "t.wce").read_bytes()
    (tmp_path / "t.wce").write_bytes(data[:-200] + bytes([data[-200] ^ 1]) + data[-199:])
    cases.append((tmp_path / "t.wce", ("bad_signature", "decrypt_failed")))  # encrypted: the peek may not open it
    for path, code in cases:
        with pytest.raises(C.BundleError) as e:
            apply_enrollment(lt.store, lt.actor, path, config=config, expected_fingerprint=FP)
        assert e.value.code in ((code,) if isinstance(code, str) else code), (path.name, e.value.code, str(e.value))
    assert config.load() is None and not _entries(lt, "sync.enroll")
    assert len(_entries(lt, "bundle.refused")) == len(cases)


def test_cli_offline_enroll_and_reference(lt, tmp_path):
    data = lt.store.data_dir
    lt.store.close()
    out = run_cli(data, "enroll", "--request", "-o", str(tmp_path / "r.wcq"), user="admin")
    assert out.returncode == 0 and "指纹" in out.stdout, out.stderr
    header, m = C.peek_manifest(tmp_path / "r.wcq")
    wce = _enrollment(SimpleNamespace(device_id=m["device_id"], store=lt.store), m | {"bundle_id": header.bundle_id},
                      tmp_path / "e.wce")
    out = run_cli(data, "enroll", "--file", str(wce), "--fingerprint", FP, user="admin")
    assert out.returncode == 0 and C.fingerprint(B.keys().server_sign.public_key()) in out.stdout, out.stderr
    out = run_cli(data, "reference", "import", str(_reference(tmp_path / "r.wcref", 3, store=lt.store)))
    assert out.returncode == 0 and "第 3 版" in out.stdout, out.stderr
    assert run_cli(data, "enroll", "--request", user="admin").returncode == 2  # no -o
    assert run_cli(data, "enroll", "--file", str(wce), "--code", "x", user="admin").returncode == 2
    assert run_cli(data, "enroll", user="admin").returncode == 2
