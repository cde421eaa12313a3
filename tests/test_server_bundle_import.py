"""`weicha-server bundle import` (weicha_server/bundles.py, issue 12) on SQLite and PostgreSQL:
a laptop's outbox export as an ops bundle (the container's own write_container) goes through
the same apply path as a push, with its originals and audit anchoring, in one transaction; a
signed receipt comes back naming the mark, the anchor and the originals held; the same or an
older bundle is a no-op that says so; the same ops over the network afterwards add nothing."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from weicha_desktop.core.sync.queue import OutboxQueue
from weicha_server import db
from weicha_server.auth import Device
from weicha_server.push import push

from tests.media_support import make_photo
from tests.server_bundle_support import enrolled_laptop, ops_bundle, read_receipt, srv  # noqa: F401
from tests.server_support import closes_laptops, import_photos, server_cli  # noqa: F401


def cli(srv, *args):
    return server_cli(srv.data_dir, *args, db=srv.db_url)


def device_row(srv, device_id):
    with db.read(srv.engine) as conn:
        return conn.execute(sa.select(db.devices).where(db.devices.c.id == device_id)).one()


def test_round_trip_ops_photos_audit_receipt_and_the_network_adds_nothing_twice(srv, tmp_path):
    lt, key = enrolled_laptop(srv, tmp_path / "a")
    case = lt.new_case(1, drafts=2)
    [sha] = import_photos(lt, case, [make_photo(tmp_path / "p.jpg", (64, 48))])
    path = tmp_path / "usb" / "a.wcb"
    path.parent.mkdir()
    exported = ops_bundle(lt, key, srv, path, blobs=[sha])
    run = cli(srv, "bundle", "import", str(path))
    assert run.code == 0, run.err
    assert "已导入数据包" in run.out and str(path.with_suffix(".wcr")) in run.out
    receipt = read_receipt(srv, path.with_suffix(".wcr"), lt.device_id, tmp_path / "stage")
    last = exported["through_seq"]
    assert receipt["bundle_id"] and receipt["device_id"] == lt.device_id and receipt["through_seq"] == last
    assert receipt["rejected"] == [] and receipt["waiting"] == [] and receipt["blobs_held"] == [sha]
    assert receipt["anchored"]["seq"] == exported["audit_seq"] > 0
    row = device_row(srv, lt.device_id)
    assert row.through_seq == last and row.anchored_seq == receipt["anchored"]["seq"]
    with db.read(srv.engine) as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(db.ops)
                            .where(db.ops.c.device_id == lt.device_id, db.ops.c.status == "applied")).scalar() \
            == len(exported["ops"])
        assert conn.execute(sa.select(db.blobs.c.size).where(db.blobs.c.sha256 == sha)).scalar() == len(lt.blob(sha))
    assert (srv.data_dir / "blobs" / sha[:2] / sha).read_bytes() == lt.blob(sha)
    imports = [e["details"] for e in srv.audit("bundle.import") if e["details"]["device_id"] == lt.device_id]
    receipts = [e["details"] for e in srv.audit("bundle.receipt") if e["details"]["device_id"] == lt.device_id]
    assert imports[0]["bundle_id"] == receipt["bundle_id"] and imports[0]["applied"] == len(exported["ops"])
    assert receipts[0]["receipt_for"] == receipt["bundle_id"]
    # the laptop acknowledges as a push answer would: its queue empties
    OutboxQueue(lt.store, lt.actor).acknowledge_through(receipt["through_seq"])
    assert OutboxQueue(lt.store, lt.actor).export_bundle() is None
    # the same ops over the network afterwards: every one skipped, nothing twice
    with srv.engine.begin() as conn:
        dev = Device.of(conn.execute(sa.select(db.devices).where(db.devices.c.id == lt.device_id)).one())
        answer = push(conn, dev, lt.body(exported["ops"], exported["from_seq"], last), max_batch=500)
    assert answer.applied == [] and len(answer.skipped) == len(exported["ops"]) and answer.through_seq == last


def test_the_same_bundle_again_or_an_older_one_changes_nothing_and_says_so(srv, tmp_path, monkeypatch):
    from weicha_server import bundles

    lt, key = enrolled_laptop(srv, tmp_path / "a")
    lt.new_case(2)
    older = tmp_path / "older.wcb"
    ops_bundle(lt, key, srv, older, bundle_seq=1)  # left on the stick, never imported
    lt.new_case(3)
    first = tmp_path / "one.wcb"
    ops_bundle(lt, key, srv, first, bundle_seq=2)  # all of the older one's ops and more
    assert cli(srv, "bundle", "import", str(first)).code == 0
    before, receipt = srv.snapshot(), first.with_suffix(".wcr")
    receipt.unlink()
    data = bytearray(first.read_bytes())
    data[-100] ^= 1
    forged = tmp_path / "forged.wcb"
    forged.write_bytes(bytes(data))  # the same id, another body: its signature decides, not its id
    assert cli(srv, "bundle", "import", str(forged)).code == 1 and srv.snapshot() == before
    with monkeypatch.context() as m:  # a replay is judged on its signature alone: nothing decrypted
        m.setattr(bundles, "open_container", lambda *a, **k: pytest.fail("decrypted a bundle imported before"))
        again = cli(srv, "bundle", "import", str(first))
    assert again.code == 0 and "导入过" in again.out and "没有改动" in again.out
    assert srv.snapshot() == before and receipt.is_file()  # the receipt written again, nothing else
    run = cli(srv, "bundle", "import", str(older), "--json")
    assert run.code == 0 and '"status": "older"' in run.out and "没有改动" in run.out
    assert srv.snapshot() == before and not older.with_suffix(".wcr").exists()
    skipped = [e["details"] for e in srv.audit("bundle.skipped") if e["details"]["device_id"] == lt.device_id]
    assert [s["why"] for s in skipped] == ["same", "older"]
    # numbered as an older one but carrying ops the server lacks (the laptop put back from a
    # backup counts its bundles again): imported, not lost
    lt.new_case(4)
    restored = tmp_path / "restored.wcb"
    exported = ops_bundle(lt, key, srv, restored, bundle_seq=1)
    run = cli(srv, "bundle", "import", str(restored))
    assert run.code == 0 and "已导入数据包" in run.out
    assert device_row(srv, lt.device_id).through_seq == exported["through_seq"]


def test_a_bundle_stopped_half_way_through_push_keeps_nothing(srv, tmp_path):
    """Batches of 2 through push: the third batch refused whole (an op of another device) —
    the two before it are rolled back with it."""
    from weicha_server.bundles import BundleRefused, Importer

    lt, key = enrolled_laptop(srv, tmp_path / "a")
    for seed in range(3):
        lt.new_case(seed + 1, finalize=True)
    envs = OutboxQueue(lt.store, lt.actor).export_bundle()["ops"]
    assert len(envs) >= 5
    envs[4] = dict(envs[4], device_id="another-device")
    path = tmp_path / "bad.wcb"
    ops_bundle(lt, key, srv, path, ops=envs)
    before = srv.snapshot()
    importer = Importer(srv.config(max_batch=2), srv.engine)
    with pytest.raises(BundleRefused) as e:
        importer.import_file(path)
    assert e.value.code == "wrong_device" and "未导入" in str(e.value)
    assert srv.snapshot() == before
    assert srv.audit("bundle.refused")[-1]["details"]["bundle_id"] == e.value.bundle_id is not None


def test_the_drop_folder_imports_each_bundle_once_and_sorts_them(srv, tmp_path):
    lt, key = enrolled_laptop(srv, tmp_path / "a")
    lt.new_case(5)
    drop = tmp_path / "drop"
    drop.mkdir()
    ops_bundle(lt, key, srv, drop / "good.wcb", bundle_seq=1)
    (drop / "broken.wcb").write_bytes(b"WCB\x00\x01garbage")
    (drop / "notes.txt").write_text("不是数据包", encoding="utf-8")
    run = cli(srv, "bundle", "watch", str(drop), "--once")
    assert run.code == 1 and "broken.wcb：已拒收" in run.err and "good.wcb：已导入数据包" in run.out
    assert sorted(p.name for p in drop.iterdir()) == ["done", "good.wcr", "notes.txt", "refused"]
    assert [p.name for p in (drop / "done").iterdir()] == ["good.wcb"]
    assert sorted(p.name for p in (drop / "refused").iterdir()) == ["broken.wcb", "broken.wcb.原因.txt"]
    assert "未导入任何内容" in (drop / "refused" / "broken.wcb.原因.txt").read_text(encoding="utf-8")
    receipt = read_receipt(srv, drop / "good.wcr", lt.device_id, tmp_path / "stage")
    assert receipt["through_seq"] == device_row(srv, lt.device_id).through_seq > 0
    # the same file dropped again: imported before, said so, the receipt written again, filed under done/
    (drop / "done" / "good.wcb").rename(drop / "good.wcb")
    (drop / "good.wcr").unlink()
    before = srv.snapshot()
    again = cli(srv, "bundle", "watch", str(drop), "--once")
    assert again.code == 0 and "导入过" in again.out and (drop / "good.wcr").is_file()
    assert [p.name for p in (drop / "done").iterdir()] == ["good.wcb"]
    assert srv.snapshot() == before


def test_watching_waits_until_a_file_stands_still(srv, tmp_path):
    """Without --once a file is taken on the look after the one that first saw it unchanged."""
    from weicha_server.bundles import Importer, watch_folder

    lt, key = enrolled_laptop(srv, tmp_path / "a")
    lt.new_case(6)
    drop = tmp_path / "drop"
    drop.mkdir()
    ops_bundle(lt, key, srv, drop / "a.wcb")
    looks, said = [], []

    def sleep(_s):
        looks.append(sorted(p.name for p in drop.iterdir()))
        if len(looks) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        watch_folder(Importer(srv.config(), srv.engine), drop, once=False, interval=0.01,
                     say=lambda text, bad: said.append(text), sleep=sleep)
    assert looks == [["a.wcb"], ["a.wcr", "done"]] and len(said) == 1


def test_photos_not_in_the_bundle_wait_and_the_next_bundle_brings_them(srv, tmp_path):
    lt, key = enrolled_laptop(srv, tmp_path / "a")
    case = lt.new_case(7)
    [sha] = import_photos(lt, case, [make_photo(tmp_path / "p.jpg", (64, 48), seed=7)])  # not the other test's
    first = tmp_path / "1.wcb"
    exported = ops_bundle(lt, key, srv, first, bundle_seq=1)  # the original left out
    assert cli(srv, "bundle", "import", str(first)).code == 0
    receipt = read_receipt(srv, first.with_suffix(".wcr"), lt.device_id, tmp_path / "stage")
    [waiting] = receipt["waiting"]
    assert waiting["missing_blobs"] == [sha] and receipt["through_seq"] < exported["through_seq"]
    assert sha not in receipt["blobs_held"]
    second = tmp_path / "2.wcb"
    ops_bundle(lt, key, srv, second, bundle_seq=2, blobs=[sha])
    assert cli(srv, "bundle", "import", str(second)).code == 0
    receipt = read_receipt(srv, second.with_suffix(".wcr"), lt.device_id, tmp_path / "stage")
    assert receipt["waiting"] == [] and receipt["through_seq"] == exported["through_seq"]
    assert receipt["blobs_held"] == [sha]


def test_a_receipt_that_cannot_be_written_imports_nothing_and_stale_staging_is_swept(srv, tmp_path):
    import os
    import time

    from weicha_server.bundles import sweep_staging

    lt, key = enrolled_laptop(srv, tmp_path / "a")
    lt.new_case(8)
    path = tmp_path / "r.wcb"
    ops_bundle(lt, key, srv, path)
    before = srv.snapshot()
    staging = srv.data_dir / "bundles" / "staging"
    staged = set(staging.iterdir()) if staging.exists() else set()  # the session's server: others' imports
    for target, words in ((tmp_path / "no" / "such" / "r.wcr", "不存在"), (srv.data_dir / "server.db", "数据文件夹")):
        run = cli(srv, "bundle", "import", str(path), "-o", str(target))  # refused before any work
        assert run.code == 1 and words in run.err and srv.snapshot() == before
    from weicha_desktop.core.bundle.container import BundleError
    from weicha_server import bundles

    def full(*_a, **_k):
        raise BundleError("io_error", "无法写出数据包：磁盘空间不足。")

    with pytest.MonkeyPatch.context() as m:
        m.setattr(bundles, "write_container", full)
        run = cli(srv, "bundle", "import", str(path))
    assert run.code == 1 and "回执写不出" in run.err and "磁盘空间不足" in run.err and srv.snapshot() == before
    assert srv.audit()[-1]["details"]["code"] == "receipt_unwritable"
    assert set(staging.iterdir()) == staged  # nothing left by the refusals
    old, new = staging / ".bundle-old", staging / ".bundle-new"
    old.mkdir()
    new.mkdir()
    os.utime(old, (time.time() - 7 * 3600,) * 2)
    assert sweep_staging(staging) == 1 and not old.exists() and new.exists()
    new.rmdir()


def test_two_imports_of_one_bundle_at_once_apply_it_once(srv, tmp_path):
    """A watcher and an administrator on the same file: the device's row serializes them; the
    second finds the first's import and writes the receipt again."""
    from concurrent.futures import ThreadPoolExecutor

    from weicha_server.bundles import Importer

    lt, key = enrolled_laptop(srv, tmp_path / "a")
    lt.new_case(9, finalize=True)
    path = tmp_path / "twice.wcb"
    exported = ops_bundle(lt, key, srv, path)
    importers = [Importer(srv.config(), srv.engine) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(lambda imp: imp.import_file(path), importers))
    assert sorted(o.status for o in outcomes) == ["imported", "same"]
    with db.read(srv.engine) as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(db.bundle_imports)
                            .where(db.bundle_imports.c.device_id == lt.device_id)).scalar() == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(db.ops)
                            .where(db.ops.c.device_id == lt.device_id)).scalar() == len(exported["ops"])
    receipt = read_receipt(srv, path.with_suffix(".wcr"), lt.device_id, tmp_path / "stage")
    assert receipt["through_seq"] == exported["through_seq"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".pending")]
    refused = cli(srv, "bundle", "import", str(path), "-o", str(path))
    assert refused.code == 1 and "数据包本身" in refused.err


@pytest.mark.parametrize("moment", ["receipt written, not committed", "committed, receipt not in place"])
def test_killed_mid_import_leaves_all_or_nothing_and_the_next_import_finishes(srv, tmp_path, moment):
    """The import SIGKILLed (a forked copy of this process) at its two delicate moments."""
    import os
    import signal

    from weicha_server import bundles

    lt, key = enrolled_laptop(srv, tmp_path / "a")
    lt.new_case(10)
    path = tmp_path / "k.wcb"
    exported = ops_bundle(lt, key, srv, path)
    before = srv.snapshot()
    pid = os.fork()
    if pid == 0:  # the child: import, and die at the moment
        import gc

        gc.disable()  # no finalizer of the parent's garbage runs in the copy (see test_sync_faults)
        try:
            def die(*_a, **_k):
                os.kill(os.getpid(), signal.SIGKILL)

            if moment.startswith("receipt"):
                real = bundles.Importer._write_receipt
                bundles.Importer._write_receipt = lambda *a, **k: (real(*a, **k), die())[0]
            else:
                bundles._place = die
            cli(srv, "bundle", "import", str(path))
        finally:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert not path.with_suffix(".wcr").exists()
    after = srv.snapshot()
    if moment.startswith("receipt"):
        assert after == before  # nothing of it committed
    else:
        assert after["bundle_imports"] != before["bundle_imports"]  # all of it committed
    run = cli(srv, "bundle", "import", str(path))
    assert run.code == 0 and ("导入过" in run.out) == moment.startswith("committed")
    receipt = read_receipt(srv, path.with_suffix(".wcr"), lt.device_id, tmp_path / "stage")
    assert receipt["through_seq"] == exported["through_seq"] == device_row(srv, lt.device_id).through_seq


def test_the_import_shows_its_progress_on_a_terminal(capsys):
    from weicha_server.bundle_cli import _progress

    report = _progress()
    for done in range(0, 1001):
        report(done, 1000)
    err = capsys.readouterr().err
    assert err.count("%") == 21 and err.endswith("100%\n") and "正在核对并解密数据包" in err


def test_a_file_gone_between_looking_and_taking_is_passed_over(srv, tmp_path, monkeypatch):
    from pathlib import Path

    from weicha_server.bundles import Importer, watch_folder

    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "gone.wcb").write_bytes(b"x")
    real = Path.stat
    monkeypatch.setattr(Path, "stat", lambda self, **kw: (_ for _ in ()).throw(FileNotFoundError(2, "gone"))
                        if self.name == "gone.wcb" else real(self, **kw))
    said = []
    assert watch_folder(Importer(srv.config(), srv.engine), drop, once=True, interval=1,
                        say=lambda text, bad: said.append(text)) == 0
    assert said == [] and "gone.wcb" in {p.name for p in drop.iterdir()}
