"""Issue 12 security review, finding 7 (low): an ops bundle always expires; Windows reserved
names are refused as entry paths; a forged receipt naming the genuine one's id does not make it
look taken; the server never silently makes a new key beside a kept one, and keeps keys/ 0700."""
from __future__ import annotations

import json
import stat

import pytest

from tests import bundle_support as B
from tests.server_support import closes_laptops, laptop  # noqa: F401
from weicha_desktop.core.bundle import container as C
from weicha_desktop.core.bundle.format import _parse_header, check_entry_paths
from weicha_desktop.core.bundle.found import receipt_taken
from weicha_desktop.core.bundle.receipt import apply_receipt
from weicha_server.keys import ENCRYPTION_FILE, KEYS_DIR, SIGNING_FILE, ServerKeyError, ServerKeys


def test_an_ops_bundle_must_expire(tmp_path):
    with pytest.raises(ValueError):
        B.write(tmp_path / "x.wcb", [C.Entry.of_bytes("ops.jsonl", b"")], expires_at=None)
    B.write(tmp_path / "x.wcb", [C.Entry.of_bytes("ops.jsonl", b"")])
    lay = B.layout((tmp_path / "x.wcb").read_bytes())
    header = json.loads((tmp_path / "x.wcb").read_bytes()[lay.header[0]:lay.header[1]])
    assert _parse_header(C.canonical(header)).expires_at
    with pytest.raises(C.BundleError) as e:
        _parse_header(C.canonical(header | {"expires_at": None}))
    assert e.value.code == "bad_header"


@pytest.mark.parametrize("path", ["CON", "nul.txt", "blobs/COM1", "aux", "LPT9.json", "a.", "a ", "x/PRN.b/c"])
def test_windows_reserved_names_are_refused(path):
    with pytest.raises(C.BundleError) as e:
        check_entry_paths([path])
    assert e.value.code == "bad_path" and "保留名" in str(e.value)


def test_names_near_the_reserved_ones_are_fine():
    check_entry_paths(["console", "com10", "a.b", "nully/x"])


def test_a_forged_receipt_naming_the_genuine_id_does_not_make_it_taken(tmp_path):
    lt = laptop(tmp_path / "lt")
    config = B.enroll_offline_config(lt.store)
    genuine = B.receipt(tmp_path / "r.wcr", lt.device_id, "b-1", 0)
    receipt_id = C.peek_manifest(genuine)[0].bundle_id
    data = bytearray(genuine.read_bytes())
    data[-1] ^= 1  # its signature: the finder of the stick cannot sign
    (tmp_path / "f.wcr").write_bytes(bytes(data))
    with pytest.raises(C.BundleError) as e:
        apply_receipt(lt.store, lt.actor, tmp_path / "f.wcr", config=config)
    assert e.value.code == "bad_signature" and not receipt_taken(lt.store, receipt_id)
    with lt.store.change(lt.actor) as ch:  # a refusal after the signature held: taken
        ch.log("bundle.refused", "bundle", "b-older", "x", {"code": "older"})
    assert receipt_taken(lt.store, "b-older")


def test_server_keys_never_silently_remade_and_kept_owner_only(tmp_path):
    keys = ServerKeys.load(tmp_path)
    folder = tmp_path / KEYS_DIR
    folder.chmod(0o755)
    assert ServerKeys.load(tmp_path).public() == keys.public()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    (folder / ENCRYPTION_FILE).unlink()
    with pytest.raises(ServerKeyError) as e:
        ServerKeys.load(tmp_path)
    assert ENCRYPTION_FILE in str(e.value) and "恢复" in str(e.value) and not (folder / ENCRYPTION_FILE).exists()
    (folder / SIGNING_FILE).unlink()  # an empty folder (a first start killed before its keys): made
    assert ServerKeys.load(tmp_path).public() != keys.public()
