"""A small bundle costs what it holds, not its chunk size (core/bundle/container.py): writing,
reading back, opening and peeking at a receipt of a few kilobytes made with the largest chunk
size allocate kilobytes — each buffer was a whole chunk (1 MiB by default, zeroed: most of
the CPU of a small bundle's export or import) — and a frame claiming more bytes than the file
holds is refused as cut before any buffer of its claimed size is made."""
from __future__ import annotations

import tracemalloc

import pytest

from weicha_desktop.core.bundle import container as C
from tests import bundle_support as B
from tests.bundle_support import any_entry_names  # noqa: F401 — the fixture

pytestmark = pytest.mark.usefixtures("any_entry_names")

OPS = b'{"op":"case.create"}\n' * 100
ENTRIES = [C.Entry.of_bytes("ops.jsonl", OPS), C.Entry.of_bytes("bundle.json", b"{}")]
LITTLE = C.MAX_CHUNK // 8  # 2 MiB: room for what a first call imports; one chunk's buffer is 16


def peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_small_bundle_in_the_largest_chunks_allocates_kilobytes(tmp_path):
    for kind in ("ops", "receipt"):  # encrypted, signed only
        dst = tmp_path / f"{kind}.wcb"
        assert peak(lambda: B.write(dst, ENTRIES, kind=kind, chunk_size=C.MAX_CHUNK)) < LITTLE

        def opened():
            with B.open_(dst, tmp_path / "st") as got:
                assert got.entry_path("ops.jsonl").read_bytes() == OPS
        assert peak(opened) < LITTLE
    header, manifest = C.peek_manifest(tmp_path / "receipt.wcb")
    assert header.chunk_size == C.MAX_CHUNK and [e["path"] for e in manifest["entries"]] == ["ops.jsonl", "bundle.json"]
    assert peak(lambda: C.peek_manifest(tmp_path / "receipt.wcb")) < LITTLE


def test_a_frame_longer_than_the_file_is_cut_before_a_buffer_of_its_length(tmp_path):
    src = tmp_path / "x.wcb"
    B.write(src, ENTRIES, kind="receipt", chunk_size=C.MAX_CHUNK)
    src.write_bytes(B.signed(_claiming(src.read_bytes(), C.MAX_CHUNK), B.keys().server_sign))

    def refused():
        try:
            B.open_(src, tmp_path / "st")
        except C.BundleError as e:
            return e
        raise AssertionError("opened")
    got = []
    assert peak(lambda: got.append(refused())) < LITTLE
    assert got[0].code == "truncated" and "第 1 块数据" in str(got[0])
    assert not list((tmp_path / "st").iterdir())


def _claiming(data: bytes, size: int) -> bytes:
    """Everything before the trailer, its one frame's length field set to ``size``."""
    lay = B.layout(data)
    [(start, _end)] = lay.frames
    return data[:start] + B.U32.pack(size) + data[start + 4:lay.trailer]


def test_a_bundle_of_one_frame_starts_no_thread_and_a_longer_one_its_worker(tmp_path, monkeypatch):
    started = []

    class Counted(C.ThreadPoolExecutor):
        def __init__(self, *a, **kw):
            started.append(1)
            super().__init__(*a, **kw)
    monkeypatch.setattr(C, "ThreadPoolExecutor", Counted)
    for kind in ("ops", "receipt"):
        B.write(tmp_path / f"{kind}.wcb", ENTRIES, kind=kind, chunk_size=C.CHUNK_SIZE)  # one frame
        with B.open_(tmp_path / f"{kind}.wcb", tmp_path / "st") as got:
            assert got.header.chunk_size > len(OPS) and got.entry_path("ops.jsonl").read_bytes() == OPS
    assert started == []
    B.write(tmp_path / "long.wcb", ENTRIES, chunk_size=256)  # ~9 frames: the worker hashes and writes behind
    with B.open_(tmp_path / "long.wcb", tmp_path / "st") as got:
        assert got.entry_path("ops.jsonl").read_bytes() == OPS
    assert len(started) == 3  # the write, its read-back, the open
