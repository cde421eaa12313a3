"""Issue 12 audit, "Bad input … imports nothing", at the server's level on SQLite and
PostgreSQL (the container's own tests prove the codes; these prove the server's tables stay as
they were and the refusal is logged with the bundle id): a chunk moved or dropped in a bundle
re-signed by the device's own key, an entry larger than declared, entries with an absolute
path or ``..`` — each crafted with the container's writer, its own checks bypassed."""
from __future__ import annotations

import pytest

from weicha_desktop.core.bundle import container as C
from tests import bundle_support as B
from tests.server_bundle_support import ops_bundle, srv  # noqa: F401
from tests.test_server_bundle_refusals import lt, refused, small_frames  # noqa: F401 — one enrolled laptop, its bundle, the checks


ORDERS = {"moved": lambda n: [1, 0, *range(2, n)], "dropped": lambda n: [0, *range(2, n)],
          "last dropped": lambda n: list(range(n - 1)), "duplicated": lambda n: [0, 1, *range(1, n)]}


@pytest.mark.parametrize("how", ORDERS)
def test_a_chunk_moved_or_dropped_imports_nothing(srv, lt, small_frames, tmp_path, how):
    path = tmp_path / "f.wcb"
    data = small_frames  # frames of 512 bytes
    frames = len(B.layout(data).frames)
    assert frames >= 4
    path.write_bytes(B.reframe(data, ORDERS[how](frames), lt.key))  # signed again by the device: the frames speak
    assert refused(srv, path, "frame_order")["bundle_id"]


def _lying_sizes(monkeypatch, path: str, declared: int) -> None:
    """The writer declares ``declared`` bytes for ``path`` (the bytes written stay as they are)."""
    real = C._chunks

    def chunks(manifest, entries, meter, size, *rest):
        size_of = {e.path: e.size for e in entries}
        before, after = f'"path":"{path}","sha256"', f'"size":{size_of[path]}'
        assert len(str(declared)) == len(str(size_of[path])) and size_of[path] > declared and before in manifest.decode()
        lied = manifest.decode()
        at = lied.index(before)
        end = lied.index(after, at)
        lied = lied[:end] + f'"size":{declared}' + lied[end + len(after):]
        return real(lied.encode(), entries, meter, size, *rest)

    monkeypatch.setattr(C, "_chunks", chunks)


def test_an_entry_larger_than_declared_imports_nothing(srv, lt, tmp_path, monkeypatch):
    path = tmp_path / "big.wcb"
    with monkeypatch.context() as m:
        _lying_sizes(m, "bundle.json", 100)  # its bytes are more than 100 (three digits either way)
        m.setattr(C, "_read_back", lambda *a, **k: None, raising=False)  # a read-back that decrypts would catch it
        ops_bundle(lt, lt.key, srv, path)
    refused(srv, path, "hash_mismatch")


@pytest.mark.parametrize("bad", ["/etc/weicha-owned", "../weicha-owned", "blobs/../../weicha-owned"])
def test_entries_with_absolute_paths_or_dotdot_import_nothing(srv, lt, tmp_path, monkeypatch, bad):
    path = tmp_path / "p.wcb"
    with monkeypatch.context() as m:
        m.setattr(C, "check_entry_paths", lambda paths: None)
        ops_bundle(lt, lt.key, srv, path, extra_entries=[C.Entry.of_bytes(bad, b"owned")])
    refused(srv, path, "bad_path")
    staging = srv.data_dir / "bundles" / "staging"
    assert not (staging.parent / "weicha-owned").exists() and not (srv.data_dir / "weicha-owned").exists()
