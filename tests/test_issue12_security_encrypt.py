"""Issue 12 security review, finding 2: reference bundles (.wcref) and enrollment files (.wce)
name every unit's staff and the watch lists' ID numbers. Both are encrypted to the laptop's
own X25519 bundle key (core/bundle/laptop_key.py): its public half in the enrollment request,
the network enrollment and every ops bundle; `reference export --device ID` refuses a device
whose key the server lacks."""
from __future__ import annotations

import stat
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from tests.server_bundle_support import ops_bundle, srv  # noqa: F401
from tests.server_support import closes_laptops, laptop, server_cli  # noqa: F401
from weicha_desktop.core.bundle import container as C
from weicha_desktop.core.bundle.keys import public_b64
from weicha_desktop.core.bundle.laptop_key import KEY_FILE, bundle_key, bundle_public_b64
from weicha_desktop.core.checkpoint import Anchor
from weicha_desktop.core.bundle.offline_enroll import write_request
from weicha_desktop.core.errors import WeichaError
from weicha_server import auth, db
from weicha_server.reference import import_watch_list

WANTED = "11010519491231002X"


def _stored_key(srv, device_id):
    with db.read(srv.engine) as conn:
        return conn.execute(sa.select(db.devices.c.bundle_public).where(db.devices.c.id == device_id)).scalar()


def test_reference_export_is_encrypted_to_one_laptop(srv, tmp_path):
    csv = tmp_path / "w.csv"
    csv.write_text(f"类型,证件号码,姓名,原因,在用\n人员,{WANTED},王某,在逃人员,是\n", encoding="utf-8")
    with srv.engine.begin() as conn:
        import_watch_list(conn, csv)
    lt, key = laptop(tmp_path / "lt"), Ed25519PrivateKey.generate()
    srv.enroll(lt, key)  # enrolled before laptops had bundle keys: the server has none for it
    export = ("reference", "export", "--device", lt.device_id, "-o", str(tmp_path / "r.wcref"))
    refused = server_cli(srv.data_dir, *export, db=srv.db_url)
    assert refused.code == 1 and "数据包公钥" in refused.err and not (tmp_path / "r.wcref").exists()
    assert server_cli(srv.data_dir, "reference", "export", "-o", str(tmp_path / "r.wcref"),
                      db=srv.db_url).code == 2  # --device is required
    # its next ops bundle carries the key (signed by the device): then the export works
    lt.new_case(1)
    ops_bundle(lt, key, srv, tmp_path / "o.wcb", manifest={"bundle_public": bundle_public_b64(lt.store)})
    assert server_cli(srv.data_dir, "bundle", "import", str(tmp_path / "o.wcb"), db=srv.db_url).code == 0
    assert _stored_key(srv, lt.device_id) == bundle_public_b64(lt.store)
    assert server_cli(srv.data_dir, *export, db=srv.db_url).code == 0
    raw = (tmp_path / "r.wcref").read_bytes()
    for secret in (WANTED, "在逃人员", "张伟"):  # the finder of the stick, without a key
        assert secret.encode() not in raw
    header, manifest = C.peek_manifest(tmp_path / "r.wcref", decrypt_with=bundle_key(lt.store, create=False))
    assert header.recipient == ("device", lt.device_id) and header.encryption and manifest["version"] > 0
    with pytest.raises(C.BundleError) as e:  # another laptop's key
        C.peek_manifest(tmp_path / "r.wcref", decrypt_with=X25519PrivateKey.generate())
    assert e.value.code == "decrypt_failed"


def test_the_request_and_network_enrollment_carry_the_key_and_the_enrollment_file_is_encrypted(srv, tmp_path):
    lt = laptop(tmp_path / "lt")
    req = write_request(lt.store, lt.actor, tmp_path / "req.wcq")
    assert C.peek_manifest(req.path)[1]["bundle_public"] == bundle_public_b64(lt.store)
    run = server_cli(srv.data_dir, "enroll-import", str(req.path), "-o", str(tmp_path / "e.wce"), "--yes", db=srv.db_url)
    assert run.code == 0, run.err
    assert _stored_key(srv, lt.device_id) == bundle_public_b64(lt.store)
    raw = (tmp_path / "e.wce").read_bytes()
    assert "张伟".encode() not in raw and b"450001" not in raw  # the unit's users (server_bundle_support.USERS)
    assert C.peek_manifest(tmp_path / "e.wce", decrypt_with=bundle_key(lt.store, create=False))[0].encryption
    # the network /v1/enroll body's optional field
    with srv.engine.begin() as conn:
        code, _ = auth.make_code(conn, "n", None, 1.0)
        pub = public_b64(X25519PrivateKey.generate().public_key())
        auth.enroll_device(conn, code=code, device_id="dev-net-1", device_name="n", unit_code="450702000000",
                           public_key=bundle_public_b64(lt.store), bundle_public=pub)
    assert _stored_key(srv, "dev-net-1") == pub


def test_the_bundle_key_is_kept_owner_only_and_never_silently_replaced(tmp_path):
    store = SimpleNamespace(anchor=Anchor(tmp_path / "cfg", keyring=None))  # no OS keyring: a file
    assert bundle_key(store, create=False) is None
    pub = bundle_public_b64(store)
    path = tmp_path / "cfg" / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and bundle_public_b64(store) == pub
    assert stat.S_IMODE((tmp_path / "cfg").stat().st_mode) == 0o700
    path.write_bytes(b"garbage")
    with pytest.raises(WeichaError) as e:
        bundle_key(store, create=True)
    assert "恢复" in str(e.value) and path.read_bytes() == b"garbage"
