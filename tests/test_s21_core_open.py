"""Opening and closing a folder, made cheaper (issue 9, stop 21) without losing what they do:
close() asks the checkpoint again only when it may have something to do, and the scan for a
crash's leftovers removes what the glob it replaced removed, nothing more."""
import os

from weicha_desktop.core.checkpoint_head import device_and_head
from weicha_desktop.core.lineage import folder_of
from weicha_desktop.core.store import Store

from tests.support import new_store, raw_writes


def _traced(store):
    seen = []
    store.conn.set_trace_callback(seen.append)
    return seen


def test_close_asks_the_checkpoint_again_only_after_a_write_or_a_problem(tmp_path, monkeypatch):
    store = new_store(tmp_path / "d")
    seen = _traced(store)
    store.close()  # the checkpoint followed the last commit: nothing to ask
    assert seen == []

    store = Store.open(tmp_path / "d")
    with raw_writes(store):  # a write on this connection outside a change (a test's, a tool's)
        store.conn.execute("INSERT INTO meta (key, value) VALUES ('s21_probe', 'x')")
    seen = _traced(store)
    store.close()
    assert any("audit_log" in sql for sql in seen)  # it asked where the chain's head is

    # a commit whose checkpoint could not be written: close writes it
    store = Store.open(tmp_path / "d")
    anchor, real_write = store.anchor, store.anchor._write
    monkeypatch.setattr(anchor, "_write", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "disk full")))
    store.log_read(store_actor(store), "data.backup", "backup", None, "备份")
    assert anchor.problem and "检查点未能写入" in anchor.problem
    device_id, head = device_and_head(store.conn)
    folder_id = folder_of(store.conn)
    assert anchor.read(device_id, folder_id).seq < head[0]
    monkeypatch.setattr(anchor, "_write", real_write)
    store.close()
    assert anchor.read(device_id, folder_id).seq == head[0]
    assert anchor.problem is None


def store_actor(store):
    from weicha_desktop.core.users import UserService

    from tests.support import PASSWORD

    return UserService(store).authenticate("admin", PASSWORD)


def test_the_leftover_scan_removes_only_plain_files_glob_named(tmp_path):
    store = new_store(tmp_path / "d")
    store.close()
    blobs, thumbs = tmp_path / "d" / "blobs", tmp_path / "d" / "cache" / "thumbs" / ".tmp"
    thumbs.mkdir(parents=True)
    outside = tmp_path / "keep.bin"
    outside.write_bytes(b"keep")
    gone = [blobs / "tmpa.part", thumbs / f"{'ab' * 32}-320.jpg.42.tmp", blobs / ".hidden.part",
            thumbs / ".hidden.tmp"]  # (Path.glob's "*" matches hidden names too)
    kept = [blobs / "x.partial", thumbs / "x.tmp.jpg"]
    for path in gone + kept:
        path.write_bytes(b"half")
    (blobs / "dir.part").mkdir()
    os.symlink(outside, blobs / "link.part")
    Store.open(tmp_path / "d").close()
    assert [p for p in gone if p.exists()] == []
    assert all(p.exists() for p in kept)
    assert (blobs / "dir.part").is_dir() and os.path.islink(blobs / "link.part")
    assert outside.read_bytes() == b"keep"


def test_verify_holds_the_folder_while_it_checks_and_leaves_it_to_a_holder(tmp_path):
    """open_for_verify takes the folder lock (the store's flock now, filelock before) when it
    is free, so no program starts writing mid-check, and lets go of it when closed; while a
    program holds the folder it checks without it (and without writing a byte)."""
    import filelock
    import pytest

    from weicha_desktop.core.errors import StoreLocked
    from weicha_desktop.core.verify import open_for_verify, verify

    new_store(tmp_path / "d").close()
    with open_for_verify(tmp_path / "d") as ro:
        with pytest.raises(StoreLocked):
            Store.open(tmp_path / "d")
        with pytest.raises(filelock.Timeout):  # an older program's (or tool's) filelock too
            filelock.FileLock(str(tmp_path / "d" / "weicha.lock"), timeout=0).acquire()
        assert verify(ro).ok
    Store.open(tmp_path / "d").close()  # released
    with Store.open(tmp_path / "d") as holder:
        with open_for_verify(tmp_path / "d") as ro:
            assert verify(ro).ok and ro._lock is None
        assert holder.meta("unit_code")


def test_a_work_folder_is_held_until_its_batch_ends_and_a_sweep_passes_it_by(tmp_path):
    from weicha_desktop.core.media.staging import sweep, work_folder

    base = tmp_path / "work"
    with work_folder(base) as one, work_folder(base) as two:
        assert one != two and one.is_dir() and two.is_dir()
        assert sweep(base) == 0 and one.is_dir() and two.is_dir()
    assert list(base.iterdir()) == []
