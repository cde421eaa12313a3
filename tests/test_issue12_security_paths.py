"""Issue 12 security review, finding 3: a file is unpacked while its signature is still being
checked, so what a forged manifest may make before its verdict is bounded — an entry path has
at most 8 parts, each kind holds only its own file names (checked before anything is created),
and empty entries are made only once the signature held."""
from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from tests import bundle_support as B
from weicha_desktop.core.bundle import container as C
from weicha_desktop.core.bundle.format import check_entry_paths


def _header(kind: str) -> bytes:
    return C.canonical({"format": "weicha-bundle", "format_version": 2, "kind": kind, "bundle_id": "b1",
                        "sender": {"kind": "server", "id": B.SERVER_ID}, "recipient": {"kind": "device", "id": "dev"},
                        "created_at": "2026-12-01T00:00:00+00:00", "expires_at": None, "chunk_size": 1 << 20,
                        "encryption": None})


@pytest.fixture
def made_before_verdict(monkeypatch):
    """What the staging folder held when the refusal cleaned it up."""
    seen: list[str] = []
    real = C.shutil.rmtree

    def counting(path, *a, **k):
        seen.extend(os.path.relpath(os.path.join(d, n), path) for d, ds, fs in os.walk(path) for n in ds + fs)
        return real(path, *a, **k)

    monkeypatch.setattr(C.shutil, "rmtree", counting)
    return seen


def _open(tmp_path, data: bytes, key=None):
    (tmp_path / "f").write_bytes(data)
    key = key or B.keys().server_sign.public_key()
    with pytest.raises(C.BundleError) as e:
        C.open_container(tmp_path / "f", sender_key=lambda h: key, decrypt_with=None, clock=B.fixed_clock(),
                         staging_dir=tmp_path / "stg")
    return e.value


def test_a_forged_receipt_of_deep_paths_makes_nothing_before_its_verdict(tmp_path, made_before_verdict):
    deep = "/".join(["a"] * 505)  # the reviewer's: 20,240 folders from 44 KB, 28 s
    entries = B.entry_list(*[(f"{k}/{deep}/f", b"") for k in range(40)], ("z", b"x"))
    forged = B.plain_bundle(_header("receipt"), B.stream({"bundle_id": "b1", "entries": entries}, b"x"), 1 << 20,
                            Ed25519PrivateKey.generate())
    assert _open(tmp_path, forged).code == "bad_signature" and made_before_verdict == []


def test_paths_deeper_than_eight_parts_are_refused():
    check_entry_paths(["/".join("abcdefgh")])
    with pytest.raises(C.BundleError) as e:
        check_entry_paths(["/".join("abcdefghi")])
    assert e.value.code == "bad_path" and "层级过深" in str(e.value)


@pytest.mark.parametrize("kind,path", [("receipt", "ops.jsonl"), ("receipt", "x/receipt.json"),
                                       ("reference", "users.json.bak"), ("enrollment", "blobs/" + "a" * 64),
                                       ("ops", "blobs/" + "A" * 64), ("ops", "notes.txt"),
                                       ("enroll-request", "enrollment.json")])
def test_each_kind_holds_only_its_own_names(tmp_path, kind, path):
    if kind == "ops":  # encrypted to the server, signed by the device
        B.write(tmp_path / "x.wcb", [C.Entry.of_bytes(path, b"1")])
        opening = {}
    else:
        to = X25519PrivateKey.generate()
        C.write_container(tmp_path / "x.wcb", kind=kind, sender=("server", B.SERVER_ID), recipient=("device", "d"),
                          signer=B.keys().server_sign, manifest_extra={}, entries=[C.Entry.of_bytes(path, b"1")],
                          encrypt_to=to.public_key() if kind in C.ENCRYPTED_KINDS else None, expires_at=None,
                          clock=B.fixed_clock())
        opening = {"sender_key": lambda h: B.keys().server_sign.public_key(),
                   "decrypt_with": to if kind in C.ENCRYPTED_KINDS else None}
    with pytest.raises(C.BundleError) as raised:
        B.open_(tmp_path / "x.wcb", tmp_path / "stg", **opening)
    assert raised.value.code == "bad_path" and "不应有文件" in str(raised.value)
    assert not (tmp_path / "stg").exists() or list((tmp_path / "stg").iterdir()) == []


def test_empty_entries_are_made_only_after_the_signature(tmp_path, made_before_verdict):
    """An ops bundle anyone can make (the server's encryption key is public), signed by a key
    that is not the device's: its empty audit.jsonl is not made before the verdict."""
    B.write(tmp_path / "x.wcb", [C.Entry.of_bytes("audit.jsonl", b""), C.Entry.of_bytes("ops.jsonl", b"{}")])
    other = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(C.BundleError) as e:
        B.open_(tmp_path / "x.wcb", tmp_path / "stg", sender_key=lambda h: other)
    assert e.value.code == "bad_signature" and "audit.jsonl" not in made_before_verdict
    with B.open_(tmp_path / "x.wcb", tmp_path / "stg2") as got:
        assert got.entry_path("audit.jsonl").read_bytes() == b"" and got.entry_path("ops.jsonl").read_bytes() == b"{}"
