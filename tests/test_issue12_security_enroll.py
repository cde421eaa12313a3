"""Issue 12 security review, finding 1: a forged enrollment file. The request on the stick is
signed, not secret: whoever finds it can answer with a .wce signed by keys of their own. The
laptop trusts the server key only when the administrator's fingerprint (``weicha-server keys``)
names it — before anything is kept (core/bundle/offline_enroll.py, cli, gui/bundles/enroll.py)."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from tests import bundle_support as B
from tests.server_support import closes_laptops, laptop  # noqa: F401 — the fixture closes them
from tests.support import UNIT, run_cli
from weicha_desktop.core.bundle import container as C
from weicha_desktop.core.bundle.keys import public_b64
from weicha_desktop.core.bundle.offline_enroll import apply_enrollment, same_fingerprint, write_request
from weicha_desktop.core.sync.enrollment import SyncConfig

REAL_FP = C.fingerprint(B.keys().server_sign.public_key())
WATCH = [{"list": "person", "key": "450702199001011234", "name": "x", "reason": "planted", "active": True, "seq": 1}]


@pytest.fixture(scope="module")
def evil():
    sign, enc = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    return sign, {"signing_public": public_b64(sign), "encryption_public": public_b64(enc.public_key())}


def _answer(path, lt, req_path, *, keys=None, signer=None):
    """An enrollment file answering the request at ``req_path`` (the reviewer's forgery when
    ``keys``/``signer`` are the finder's)."""
    header, m = C.peek_manifest(req_path)
    device_id = lt.device_id
    keys = keys or B.server_keys_b64()
    body = {"device_id": device_id, "server_id": B.SERVER_ID, "unit_code": UNIT, "bundle_keys": keys}
    return B.server_file(path, "enrollment", device_id, {"enrollment.json": body, "watch_lists.json": WATCH},
                         {"server_id": B.SERVER_ID, "device_id": device_id, "request_id": header.bundle_id,
                          "device_public_key": m["public_key"], "version": 999999, **keys}, signer=signer,
                         laptop=lt.store)


def _nothing_kept(lt, config):
    assert config.load() is None
    assert lt.store.conn.execute("SELECT count(*) FROM watch_list").fetchone()[0] == 0
    assert not [e for e in lt.store.audit_entries() if e.action == "sync.enroll"]


def test_a_forged_enrollment_file_is_refused_before_anything_is_kept(tmp_path, evil):
    lt = laptop(tmp_path / "lt")
    req = write_request(lt.store, lt.actor, tmp_path / "req.wcq")
    forged = _answer(tmp_path / "evil.wce", lt, req.path, keys=evil[1], signer=evil[0])
    config = SyncConfig.of(lt.store)
    for given in (REAL_FP, "", REAL_FP[:-3]):  # the real server's, none, a cut one
        with pytest.raises(C.BundleError) as e:
            apply_enrollment(lt.store, lt.actor, forged, config=config, expected_fingerprint=given)
        assert e.value.code == "fingerprint_mismatch" and "指纹" in str(e.value) and "weicha-server keys" in str(e.value)
    _nothing_kept(lt, config)
    # the genuine file, its fingerprint typed in lower case without separators: taken
    good = _answer(tmp_path / "good.wce", lt, req.path)
    done = apply_enrollment(lt.store, lt.actor, good, config=config,
                            expected_fingerprint=REAL_FP.replace(":", "").lower())
    assert done.fingerprint == REAL_FP and config.require().server_id == B.SERVER_ID


def test_fingerprints_compare_ignoring_separators_and_case():
    assert same_fingerprint(REAL_FP, REAL_FP) and same_fingerprint(REAL_FP.lower().replace(":", " "), REAL_FP)
    assert same_fingerprint(REAL_FP.replace(":", "-"), REAL_FP)
    assert not same_fingerprint(REAL_FP[:-2] + "00", REAL_FP) and not same_fingerprint(None, REAL_FP)
    assert not same_fingerprint("", REAL_FP)


def test_cli_requires_the_fingerprint_with_file(tmp_path, evil):
    lt = laptop(tmp_path / "lt")
    req = write_request(lt.store, lt.actor, tmp_path / "req.wcq")
    forged = _answer(tmp_path / "evil.wce", lt, req.path, keys=evil[1], signer=evil[0])
    data = lt.store.data_dir
    lt.store.close()
    out = run_cli(data, "enroll", "--file", str(forged), user="admin")
    assert out.returncode == 2 and "--fingerprint" in out.stderr and "指纹" in out.stderr
    out = run_cli(data, "enroll", "--file", str(forged), "--fingerprint", REAL_FP, user="admin")
    assert out.returncode == 1 and "指纹不符" in out.stderr and "Traceback" not in out.stderr
