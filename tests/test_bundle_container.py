"""The bundle container (core/bundle/container.py): round trips, and every bad input refused
with its code, a Chinese message and nothing left in staging."""
from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import datetime, timezone

import pytest

from weicha_desktop.core.bundle import container as C
from tests import bundle_support as B
from tests.support import fixed_clock
from tests.bundle_support import any_entry_names  # noqa: F401 — the fixture

pytestmark = pytest.mark.usefixtures("any_entry_names")

E1 = bytes(range(256)) * 3  # 768 bytes: three 256-byte frames' worth
E2 = b"second entry \xe5\x86\x99" * 20
ENTRIES = [("ops.jsonl", b'{"op":"case.create"}\n'), ("blobs/" + "a" * 64, E1), ("empty", b""),
           ("bundle.json", E2)]


def _entries(pairs=ENTRIES):
    return [C.Entry.of_bytes(p, b) for p, b in pairs]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One encrypted (ops) and one signed-only (receipt) bundle, as bytes, shared."""
    d = tmp_path_factory.mktemp("made")
    B.write(d / "a.wcb", _entries(), extra={"device_id": B.DEVICE[1], "bundle_seq": 3})
    B.write(d / "r.wcr", _entries(), kind="receipt", extra={"through_seq": 9})
    return {"ops": (d / "a.wcb").read_bytes(), "receipt": (d / "r.wcr").read_bytes()}


def refused(tmp_path, data: bytes, codes, **kw) -> C.BundleError:
    """Opening ``data`` is refused with one of ``codes``; nothing stays staged."""
    src, staging = tmp_path / "in.wcb", tmp_path / "staging"
    src.write_bytes(data)
    with pytest.raises(C.BundleError) as e:
        B.open_(src, staging, **kw)
    assert e.value.code in ({codes} if isinstance(codes, str) else set(codes)), (e.value.code, str(e.value))
    assert re.search(r"[\u4e00-\u9fff]", str(e.value)) and "Traceback" not in str(e.value)
    assert not staging.exists() or list(staging.iterdir()) == []
    return e.value


def test_round_trip_encrypted(tmp_path, made):
    src = tmp_path / "a.wcb"
    src.write_bytes(made["ops"])
    assert E1 not in made["ops"] and b"case.create" not in made["ops"]  # encrypted
    with B.open_(src, tmp_path / "st", recipient=B.SERVER) as got:
        assert got.header.kind == "ops" and got.header.sender == B.DEVICE and got.header.encryption
        assert got.manifest["bundle_seq"] == 3 and got.manifest["bundle_id"] == got.header.bundle_id
        assert [e["path"] for e in got.manifest["entries"]] == [p for p, _ in ENTRIES]
        for p, b in ENTRIES:
            assert got.entry_path(p).read_bytes() == b
        with pytest.raises(KeyError):
            got.entry_path("../x")
        staged = got.directory
    assert not staged.exists()  # the with block cleaned up


def test_round_trip_signed_only(tmp_path, made):
    src = tmp_path / "r.wcr"
    src.write_bytes(made["receipt"])
    assert b"second entry" in made["receipt"]  # plain, signed
    with B.open_(src, tmp_path / "st", decrypt_with=None) as got:
        assert got.header.encryption is None and got.manifest["through_seq"] == 9
        assert got.entry_path("bundle.json").read_bytes() == E2
    assert C.verify_container(src, sender_key=B.sender_keys).bundle_id == got.header.bundle_id


def test_write_progress_cancel_and_nothing_left(tmp_path):
    seen = []
    B.write(tmp_path / "p.wcb", _entries(), progress=lambda d, t: seen.append((d, t)))
    assert seen and seen == sorted(seen) and seen[-1][0] == seen[-1][1]
    with pytest.raises(C.BundleError) as e:
        B.write(tmp_path / "c.wcb", _entries(), cancel=lambda: len(seen) > 3,
                progress=lambda d, t: seen.append((d, t)))
    assert e.value.code == "cancelled" and os.listdir(tmp_path) == ["p.wcb"]


@pytest.mark.parametrize("bad,code", [((5, 1), "size_mismatch"), ((3, 1), "size_mismatch"),
                                      ((4, 0), "hash_mismatch")])
def test_write_refuses_entry_unlike_declared(tmp_path, bad, code):
    size, _ = bad
    good = C.Entry.of_bytes("x", b"abcd")
    entry = C.Entry("x", size, good.sha256 if bad[1] else "0" * 64, good.open)
    with pytest.raises(C.BundleError) as e:
        B.write(tmp_path / "x.wcb", [entry])
    assert e.value.code == code and os.listdir(tmp_path) == []


@pytest.mark.parametrize("path", ["/etc/passwd", "../up", "a/../b", "a\\b", "C:x", "a//b", "./a", "", "a/"])
def test_write_refuses_bad_paths(tmp_path, path):
    with pytest.raises(C.BundleError) as e:
        B.write(tmp_path / "x.wcb", [C.Entry.of_bytes(path, b"1")])
    assert e.value.code == "bad_path"


def test_truncated_at_many_offsets(tmp_path, made):
    data = made["ops"]
    lay = B.layout(data)
    cuts = {0, 1, 4, 5, 8, 9, lay.header[1] - 1, lay.header[1], lay.trailer, lay.trailer + 3,
            lay.trailer + 4, len(data) - 1}
    cuts |= {s + d for s, e in lay.frames for d in (0, 2, 4, 5, e - s - 1)}
    cuts |= set(range(0, len(data), 97))
    for n in sorted(cuts):
        refused(tmp_path, data[:n], {"truncated", "bad_magic"} if n < 5 else "truncated")


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def test_single_flipped_byte_in_every_region(tmp_path, made):
    for kind in ("ops", "receipt"):
        data = made[kind]
        lay = B.layout(data)
        h0, h1 = lay.header
        regions = {"magic": ([0, 2, 4], "bad_magic"),
                   "header length": ([5, 8], {"bad_header", "truncated"}),
                   "header": ([h0, (h0 + h1) // 2, h1 - 1], {"bad_header", "bad_signature", "unknown_sender"}),
                   "trailer tag": ([lay.trailer, lay.trailer + 3], {"frame_order", "truncated"}),
                   "signature": ([lay.trailer + 4, len(data) - 1], "bad_signature")}
        for i, (s, e) in enumerate(lay.frames):
            regions[f"frame {i} length"] = ([s, s + 3], {"frame_order", "truncated", "trailing_bytes"})
            regions[f"frame {i} bytes"] = ([s + 4, (s + e) // 2, e - 1], "bad_signature")
        # the plain receipt: the manifest and each entry at their own offsets
        if kind == "receipt":
            for p, b in ENTRIES:
                if b:
                    regions[f"entry {p}"] = ([data.index(b[:16]), data.rindex(b[-16:]) + 15], "bad_signature")
            at = data.index(b'"entries"')
            regions["manifest"] = ([at], "bad_signature")
        for name, (offsets, codes) in regions.items():
            for at in offsets:
                refused(tmp_path, _flip(data, at), codes, decrypt_with=B.keys().server_enc)


def test_trailing_bytes(tmp_path, made):
    assert "多余" in str(refused(tmp_path, made["ops"] + b"\x00", "trailing_bytes"))
    refused(tmp_path, made["ops"] + made["ops"], "trailing_bytes")


def test_wrong_key_recipient_and_sender(tmp_path, made):
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    refused(tmp_path, made["ops"], "decrypt_failed", decrypt_with=X25519PrivateKey.generate())
    refused(tmp_path, made["ops"], "decrypt_failed", decrypt_with=None)
    refused(tmp_path, made["ops"], "wrong_recipient", recipient=("server", "another"))
    refused(tmp_path, made["receipt"], "wrong_recipient", recipient=("device", "dev-9"))
    refused(tmp_path, made["ops"], "unknown_sender", sender_key=lambda h: None)

    def revoked(h):
        raise C.BundleError("unknown_sender", "设备已停用")
    assert str(refused(tmp_path, made["ops"], "unknown_sender", sender_key=revoked)) == "设备已停用"
    other = B.keys().server_sign.public_key()  # a key, but not the sender's
    refused(tmp_path, made["ops"], "bad_signature", sender_key=lambda h: other)


@pytest.mark.parametrize("order,why", [([1, 0, 2, 3, 4, 5, 6], "移动"), ([0, 2, 3, 4, 5, 6], "移动"),
                                       ([0, 1, 1, 2, 3, 4, 5, 6], "移动"), ([0, 1, 2, 3, 4, 5], "结束标记"),
                                       ([0, 1, 2, 3, 4, 5, 6, 6], "拼接"), ([0, 1, 2, 6], "调换")])
def test_frames_moved_dropped_duplicated_or_final_missing(tmp_path, made, order, why):
    assert len(B.layout(made["ops"]).frames) == 7
    assert why in str(refused(tmp_path, B.reframe(made["ops"], order), "frame_order"))


def test_frames_reordered_in_a_signed_only_bundle_are_caught_by_the_hashes(tmp_path, made):
    refused(tmp_path, B.reframe(made["receipt"], [0, 1, 2, 3, 5, 4, 6], B.keys().server_sign), "hash_mismatch")
    refused(tmp_path, B.reframe(made["receipt"], [0, 1, 2, 3, 4, 5], B.keys().server_sign), "size_mismatch")


def _header(made) -> bytes:
    lay = B.layout(made["receipt"])
    return made["receipt"][lay.header[0]:lay.header[1]]


def _plain(made, manifest, *contents, chunk=256) -> bytes:
    return B.plain_bundle(_header(made), B.stream(manifest, *contents), chunk, B.keys().server_sign)


def test_manifest_and_payload_disagree(tmp_path, made):
    bid = json.loads(_header(made))["bundle_id"]
    good = B.entry_list(("a", b"12345"), ("b", b"xyz"))
    assert B.open_(_write(tmp_path, _plain(made, {"bundle_id": bid, "entries": good}, b"12345xyz")),
                   tmp_path / "ok").entry_path("b").read_bytes() == b"xyz"  # the crafted form is right
    cases = [({"bundle_id": "other", "entries": good}, b"12345xyz", "manifest_mismatch"),
             ({"bundle_id": bid}, b"", "manifest_mismatch"),
             ({"bundle_id": bid, "entries": [{"path": "a", "size": "5", "sha256": "0" * 64}]}, b"", "manifest_mismatch"),
             ({"bundle_id": bid, "entries": good, "created_at": "2020-01-01T00:00:00+00:00"}, b"12345xyz",
              "manifest_mismatch"),
             ({"bundle_id": bid, "entries": good}, b"12345xyz!", "size_mismatch"),  # larger than declared
             ({"bundle_id": bid, "entries": good}, b"12345xy", "size_mismatch"),  # smaller
             ({"bundle_id": bid, "entries": good}, b"12345xyZ", "hash_mismatch"),
             ({"bundle_id": bid, "entries": B.entry_list(("a", b"123456"), ("b", b"xy"))}, b"12345xyz",
              "hash_mismatch")]
    for manifest, payload, code in cases:
        refused(tmp_path, _plain(made, manifest, payload), code)
    refused(tmp_path, B.plain_bundle(_header(made), b"\x00\x00\x00\x09{not json", 256, B.keys().server_sign),
            "manifest_mismatch")
    refused(tmp_path, B.plain_bundle(_header(made), b"\x00\x00", 256, B.keys().server_sign), "manifest_mismatch")


def _write(tmp_path, data: bytes):
    p = tmp_path / "ok.wcr"
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("paths", [["/abs"], ["../up"], ["a/../../b"], ["a\\b"], ["a", "a"], ["A", "a"],
                                   ["a", "a/b"], ["a/./b"]])
def test_bad_paths_in_a_signed_manifest(tmp_path, made, paths):
    bid = json.loads(_header(made))["bundle_id"]
    entries = B.entry_list(*[(p, b"1") for p in paths])
    refused(tmp_path, _plain(made, {"bundle_id": bid, "entries": entries}, b"1" * len(paths)), "bad_path")
    assert not (tmp_path / "abs").exists() and not (tmp_path.parent / "up").exists()


def test_non_final_frame_short(tmp_path, made):
    bid = json.loads(_header(made))["bundle_id"]
    manifest = {"bundle_id": bid, "entries": B.entry_list(("a", b"x" * 300))}
    data = _plain(made, manifest, b"x" * 300, chunk=200)  # frames of 200 under a header saying 256
    refused(tmp_path, data, "frame_order")


def test_expired(tmp_path):
    B.write(tmp_path / "x.wcb", _entries(), expires_at=datetime(2026, 11, 28, tzinfo=timezone.utc))
    refused(tmp_path, (tmp_path / "x.wcb").read_bytes(), "expired",
            clock=fixed_clock(datetime(2026, 11, 29, tzinfo=timezone.utc)))
    with B.open_(tmp_path / "x.wcb", tmp_path / "st") as got:  # before it expires
        assert got.header.expires_at == "2026-11-28T00:00:00+00:00"


def test_newer_format_and_not_a_bundle(tmp_path, made):
    h = json.loads(_header(made))
    h["format_version"] = C.FORMAT_VERSION + 1
    data = B.plain_bundle(C.canonical(h), B.stream({"bundle_id": h["bundle_id"], "entries": []}), 256,
                          B.keys().server_sign)
    assert "升级" in str(refused(tmp_path, data, "bad_header"))
    h["format_version"] = 1  # the ChaCha20-Poly1305 test format: never shipped, not read
    data = B.plain_bundle(C.canonical(h), B.stream({"bundle_id": h["bundle_id"], "entries": []}), 256,
                          B.keys().server_sign)
    assert "旧的格式" in str(refused(tmp_path, data, "bad_header"))
    refused(tmp_path, b"PK\x03\x04" + b"\x00" * 100, "bad_magic")
    refused(tmp_path, b"", "bad_magic")
    h["format_version"] = C.FORMAT_VERSION
    spaced = json.dumps(h).encode()  # not canonical: two readings of one header are refused
    refused(tmp_path, B.plain_bundle(spaced, B.stream({"bundle_id": h["bundle_id"], "entries": []}), 256,
                                     B.keys().server_sign), "bad_header")


def test_fingerprint_is_grouped_hex():
    fp = C.fingerprint(B.keys().device.public_key())
    assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", fp)
    from weicha_server.keys import fingerprint as servers, raw_public
    assert fp == servers(raw_public(B.keys().device.public_key()))  # what the admin reads out
    assert fp == C.fingerprint(B.keys().device.public_key())


def test_entry_of_file(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"hello")
    e = C.Entry.of_file("f", f)
    assert (e.size, e.sha256) == (5, hashlib.sha256(b"hello").hexdigest())


def test_peek_manifest_of_a_signed_only_bundle(tmp_path, made):
    src = _write(tmp_path, made["receipt"])
    header, manifest = C.peek_manifest(src)
    assert header.kind == "receipt" and manifest["through_seq"] == 9 and len(manifest["entries"]) == 4
    with pytest.raises(C.BundleError) as e:
        C.peek_manifest(_write(tmp_path, made["ops"]))
    assert e.value.code == "bad_header"
    with pytest.raises(C.BundleError) as e:
        C.peek_manifest(_write(tmp_path, made["receipt"][:200]))
    assert e.value.code == "truncated"


def test_unwritable_target_is_a_bundle_error(tmp_path):
    with pytest.raises(C.BundleError) as e:
        B.write(tmp_path / "no-such-folder" / "x.wcb", _entries())
    assert e.value.code == "io_error" and "无法写出" in str(e.value)
    with pytest.raises(C.BundleError) as e:
        B.open_(tmp_path / "missing.wcb", tmp_path / "st")
    assert e.value.code == "io_error"


def test_hostile_json_nesting_and_entry_counts(tmp_path, made, monkeypatch):
    deep = b"[" * 60000 + b"]" * 60000
    refused(tmp_path, C.MAGIC + B.U32.pack(len(deep)) + deep, "bad_header")  # past MAX_HEADER
    deep = b"[" * 30000 + b"]" * 30000
    refused(tmp_path, C.MAGIC + B.U32.pack(len(deep)) + deep, "bad_header")  # RecursionError, not a traceback
    m = b"[" * 100000 + b"]" * 100000
    refused(tmp_path, B.plain_bundle(_header(made), B.U32.pack(len(m)) + m, 256, B.keys().server_sign),
            "manifest_mismatch")
    from weicha_desktop.core.bundle import unpack

    monkeypatch.setattr(unpack, "MAX_ENTRIES", 10)  # 100,000 in use: the same check, cheaper
    bid = json.loads(_header(made))["bundle_id"]
    many = B.entry_list(*[(f"f{i}", b"") for i in range(11)])
    refused(tmp_path, _plain(made, {"bundle_id": bid, "entries": many}), "manifest_mismatch")  # no 11 files staged
    with B.open_(_write(tmp_path, _plain(made, {"bundle_id": bid, "entries": many[:10]})), tmp_path / "ok") as got:
        assert len(list(got.directory.iterdir())) == 10
