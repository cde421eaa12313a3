"""The bundle container's passes over the bytes (docs/performance.md, "USB bundles"): opening
reads the file once — the signature hashed, the frames decrypted and unpacked from the same
read, the signature still judged before anything else — and writing hashes the ciphertext
once, its read-back authenticating the frames by the AEAD; the read-back still catches a
file that differs from what was written."""
from __future__ import annotations

import hashlib
import os
import threading

import pytest

from weicha_desktop.core.bundle import container as C
from weicha_desktop.core.bundle import unpack as U
from tests import bundle_support as B
from tests.bundle_support import any_entry_names  # noqa: F401 — the fixture

pytestmark = pytest.mark.usefixtures("any_entry_names")

CHUNK = 16 * 1024
BIG = [("ops.jsonl", b'{"op":"case.create"}\n'), ("blobs/" + "b" * 64, os.urandom(100_000)),
       ("bundle.json", os.urandom(60_000))]
CONTENTS = {"ops": BIG, "receipt": [("receipt.json", os.urandom(160_000))]}  # what each kind may hold


class CountingHashlib:
    """``hashlib`` as a module sees it, counting the bytes it hashes (from any thread)."""

    def __init__(self):
        self.sizes: list[int] = []

    def sha256(self, data=b""):
        h, sizes = hashlib.sha256(data), self.sizes
        sizes.append(len(data))

        class Counted:
            def update(self, d):
                sizes.append(memoryview(d).nbytes)
                h.update(d)

            def digest(self):
                return h.digest()

            def hexdigest(self):
                return h.hexdigest()
        return Counted()

    @property
    def total(self) -> int:
        return sum(self.sizes)


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """An encrypted and a signed-only bundle of ~160 KB in 16 KiB frames, as bytes."""
    d = tmp_path_factory.mktemp("big")
    B.write(d / "a.wcb", [C.Entry.of_bytes(p, b) for p, b in CONTENTS["ops"]], chunk_size=CHUNK)
    B.write(d / "r.wcr", [C.Entry.of_bytes(p, b) for p, b in CONTENTS["receipt"]], kind="receipt", chunk_size=CHUNK)
    return {"ops": (d / "a.wcb").read_bytes(), "receipt": (d / "r.wcr").read_bytes()}


def test_writing_hashes_the_ciphertext_once(tmp_path, monkeypatch):
    counted = CountingHashlib()
    monkeypatch.setattr(C, "hashlib", counted)
    B.write(tmp_path / "a.wcb", [C.Entry.of_bytes(p, b) for p, b in BIG], chunk_size=CHUNK)
    size, plain = (tmp_path / "a.wcb").stat().st_size, sum(len(b) for _, b in BIG)
    # the entries (checked as read) and the file once (the signature): not the file again on reading it back
    assert plain + size * 0.9 < counted.total < plain + size * 1.1, (counted.total, plain, size)


@pytest.mark.parametrize("kind", ["ops", "receipt"])
def test_opening_reads_the_file_once(tmp_path, monkeypatch, big, kind):
    src = tmp_path / "in.wcb"
    src.write_bytes(big[kind])
    opened, real = [], open

    def counting(path, *a, **kw):
        if str(path) == str(src):
            opened.append(path)
        return real(path, *a, **kw)
    monkeypatch.setattr(C, "open", counting, raising=False)
    counted = CountingHashlib()
    monkeypatch.setattr(C, "hashlib", counted)
    monkeypatch.setattr(U, "hashlib", counted)
    with B.open_(src, tmp_path / "st") as got:
        for p, b in CONTENTS[kind]:
            assert got.entry_path(p).read_bytes() == b
    assert len(opened) == 1
    plain = sum(len(b) for _, b in CONTENTS[kind])
    assert counted.total < len(big[kind]) * 1.05 + plain, (counted.total, len(big[kind]), plain)


@pytest.mark.parametrize("kind", ["ops", "receipt"])
def test_a_file_changed_while_it_is_read_is_refused_on_its_signature(tmp_path, monkeypatch, big, kind):
    """What is decrypted is what was hashed: a frame changed on disk after the pass began
    (well past what the reader buffered) fails the signature, and nothing stays staged."""
    src, staging = tmp_path / "in.wcb", tmp_path / "staging"
    src.write_bytes(big[kind])
    s, e = B.layout(big[kind]).frames[-2]
    real, once = U._Unpacker.feed, threading.Event()

    def feed(self, data):
        if not once.is_set():
            once.set()
            with open(src, "r+b") as f:
                f.seek(s + 100)
                f.write(bytes([big[kind][s + 100] ^ 1]))
        return real(self, data)
    monkeypatch.setattr(U._Unpacker, "feed", feed)
    with pytest.raises(C.BundleError) as got:
        B.open_(src, staging)
    assert got.value.code == "bad_signature" and list(staging.iterdir()) == []


@pytest.mark.parametrize("kind,where", [("ops", "frame"), ("ops", "signature"), ("receipt", "frame")])
def test_the_read_back_catches_a_file_that_differs_from_what_was_written(tmp_path, monkeypatch, kind, where):
    real = C._read_back

    def damaged(tmp, *a):
        data = bytearray(tmp.read_bytes())
        lay = B.layout(bytes(data))
        at = lay.frames[2][0] + 40 if where == "frame" else len(data) - 5
        data[at] ^= 1
        tmp.write_bytes(bytes(data))
        return real(tmp, *a)
    monkeypatch.setattr(C, "_read_back", damaged)
    with pytest.raises(C.BundleError) as got:
        B.write(tmp_path / "x.wcb", [C.Entry.of_bytes(p, b) for p, b in CONTENTS[kind]], kind=kind,
                chunk_size=CHUNK)
    assert got.value.code == "bad_signature" and "读回" in str(got.value)
    assert list(tmp_path.iterdir()) == []  # no bundle, no part file


def test_the_format_names_aes_gcm(tmp_path, big):
    src = tmp_path / "a.wcb"
    src.write_bytes(big["ops"])
    header = C.verify_container(src, sender_key=B.sender_keys)
    assert header.data["format_version"] == C.FORMAT_VERSION == 2
    assert header.encryption["alg"] == "X25519-HKDF-SHA256-AES256GCM"


@pytest.mark.parametrize("later", ["good", "short"])
def test_an_entrys_wrong_hash_checked_on_the_worker_is_not_lost(tmp_path, later):
    """An entry's wrong SHA-256 followed by more entries in the same frame, or by an entry of
    the wrong size, is the refusal: its verdict is neither lost nor overtaken (a guard for
    moving the hashing onto a worker, as the reading side does)."""
    import io
    bad = C.Entry("first", 4, "0" * 64, lambda: io.BytesIO(b"abcd"))
    more = [C.Entry.of_bytes(f"f{i}", b"x" * 100) for i in range(5)]
    if later == "short":
        more.append(C.Entry("short", 10, more[0].sha256, lambda: io.BytesIO(b"x" * 5)))
    with pytest.raises(C.BundleError) as got:
        B.write(tmp_path / "x.wcb", [bad, *more], chunk_size=CHUNK)
    assert got.value.code == "hash_mismatch" and "first" in str(got.value)
    assert list(tmp_path.iterdir()) == []


def test_a_disk_full_on_the_writer_thread_stops_the_writes_and_is_an_io_error(tmp_path, monkeypatch):
    import errno
    real, calls = open, []

    class Full:
        def __init__(self, f):
            self.f = f

        def write(self, data):
            calls.append(len(data))
            if sum(calls) > 50_000:
                raise OSError(errno.ENOSPC, "No space left on device")
            return self.f.write(data)

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    def opening(path, mode="r", *a, **kw):
        f = real(path, mode, *a, **kw)
        return Full(f) if "w" in mode else f
    monkeypatch.setattr(C, "open", opening, raising=False)
    with pytest.raises(C.BundleError) as got:
        B.write(tmp_path / "x.wcb", [C.Entry.of_bytes(p, b) for p, b in BIG], chunk_size=CHUNK)
    assert got.value.code == "io_error" and "无法写出" in str(got.value)
    assert list(tmp_path.iterdir()) == []
    assert len(calls) <= 6  # no frame written after the failed one (the next may be under way)
