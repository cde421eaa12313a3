"""Workers that die mid-batch — killed between tasks, killed or crashing (SIGSEGV) during one —
are replaced and the batch goes on; a file whose worker dies twice is reported, never lost.

The workers are real processes, forked from the tests' forkserver (tests/conftest.py) rather
than spawned: what is tested is the pool's replacing and retrying, the same whichever way a
worker starts (~0.1 s CPU less per worker; these tests start ~20). That dying workers are
replaced when spawned as in the program stays proven by test_media_pool.py (a crashing file,
spawned) and by the program's own runs in test_worker_failures.py (kill -9, `| head`). A
report's dying worker is chosen by its target's name (pool_targets.prepare_dying_*), not an
environment variable: a forked worker has the forkserver's."""
from weicha_desktop.core.media.pool import WorkerPool
from weicha_desktop.core.photos import PhotoService

from tests.pool_targets import kill_workers
from tests.support import run_cli
from tests.test_worker_failures import (case_with_photos, data, json_lines, photos_in,  # noqa: F401 — fixtures
                                        report_of, within)


def run_pool(names, on_result=None, target="tests.pool_targets:behave", extra=()):
    got = {}

    def record(i, r):
        got[i] = r
        if on_result:
            on_result(i, r)

    pool = WorkerPool(target, workers=2, timeout=lambda args: 20.0)
    assert within(lambda: pool.run([(n, *extra) for n in names], record))
    return [got[i] for i in range(len(names))]


def test_workers_killed_between_tasks_are_replaced_and_every_task_runs():
    import multiprocessing

    killed, after = [], []

    def on_result(i, r):
        if killed:
            after.append(r["pid"])
            return
        # The first result: one worker between tasks, the other busy or idle, and at most 2 of
        # the 8 instant tasks sent (a worker gets its next only after its result): at least 6
        # are left for the replacements, whatever the machine's load. kill -9 them all, as a
        # user with `kill` might.
        killed.append({p.pid for p in multiprocessing.active_children()})
        killed.append(kill_workers())

    results = run_pool([f"quick-{i}" for i in range(8)], on_result)
    old, count = killed
    assert count >= 1 and len(old) == count
    assert [r["status"] for r in results] == ["ok"] * 8
    new = [pid for pid in after if pid not in old]
    assert len(new) >= 6, (old, after)  # the tasks after the kill ran in new workers


def test_a_worker_dying_mid_task_gets_the_task_again_a_decoder_crash_twice_is_reported(tmp_path):
    names = ["a", "killed-once-1", "segv-1", "b", "killed-once-2", "c"]
    results = run_pool(names, target="tests.pool_targets:behave_or_die", extra=(str(tmp_path),))
    assert [r["status"] for r in results] == ["ok", "ok", "rejected", "ok", "ok", "ok"]
    assert results[2]["failure"] == "crash" and "意外终止" in results[2]["reason"]
    assert "-11" in results[2]["reason"]  # SIGSEGV, said as the exit code
    assert all("failure" not in r for i, r in enumerate(results) if i != 2)



def test_import_goes_on_when_its_workers_are_killed_mid_batch(data, tmp_path, monkeypatch):
    """Before: the next task was sent to a dead worker, the BrokenPipeError ended the command
    and cli.main took it for `| head`: exit 0 after 3 of the files."""
    folder, number = data
    files = photos_in(tmp_path / "card", [f"IMG_{i:02d}.JPG" for i in range(12)])
    store_one, stored = PhotoService._store_one, []

    def killing(self, *a):
        stored.append(kill_workers() if len(stored) == 2 else 0)
        return store_one(self, *a)

    monkeypatch.setattr(PhotoService, "_store_one", killing)
    r = run_cli(folder, "photos", "import", number, str(tmp_path / "card"), "--json", user="admin")
    lines = json_lines(r.stdout)
    assert stored[2] >= 1  # workers were killed while files were left to do
    assert [x["file"] for x in lines] == [str(f) for f in files], r.stderr
    assert [x["status"] for x in lines] == ["imported"] * 12 and r.returncode == 0


def test_import_with_a_file_that_crashes_its_worker_is_an_error_naming_it(data, tmp_path, monkeypatch):
    from weicha_desktop.core import photos

    folder, number = data
    names = ["IMG_01.JPG", "segv-IMG_02.JPG", "killed-once-IMG_03.JPG", "IMG_04.JPG"]
    files = photos_in(tmp_path / "card", names)
    monkeypatch.setattr(photos, "ANALYSE", "tests.pool_targets:analyse_or_die")
    r = run_cli(folder, "photos", "import", number, *map(str, files), "--json", user="admin")
    lines = json_lines(r.stdout)
    assert r.returncode == 1
    assert [x["file"] for x in lines] == [str(f) for f in files]
    assert [x["status"] for x in lines] == ["imported", "rejected", "imported", "imported"]
    assert "意外终止" in lines[1]["reason"]
    assert "segv-IMG_02.JPG" in r.stderr and "未导入" in r.stderr


# ---- reports -------------------------------------------------------------------------------------
def test_a_report_worker_killed_once_is_replaced_and_the_pdf_is_complete(case_with_photos, tmp_path,
                                                                        monkeypatch):
    from pypdf import PdfReader

    r, out = report_of(case_with_photos, tmp_path, monkeypatch, "tests.pool_targets:prepare_dying_once")
    assert r.returncode == 0, r.stderr
    pages = PdfReader(str(out)).pages
    assert sum(len(p.images) for p in pages) == 5
    assert not any("无法读取" in (p.extract_text() or "") for p in pages)
    # the prepared photos were kept in the data folder (not the shared temp folder), and went
    assert not any((case_with_photos[0] / "cache" / "tmp").iterdir())


def test_a_report_whose_worker_dies_on_a_photo_every_time_fails_naming_it(case_with_photos, tmp_path,
                                                                         monkeypatch):
    r, out = report_of(case_with_photos, tmp_path, monkeypatch, "tests.pool_targets:prepare_dying_always")
    assert r.returncode == 1 and "第 3 号照片" in r.stderr and "未生成报告" in r.stderr
    assert list(out.parent.iterdir()) == []
