"""Failures never look like success: worker processes that die or cannot start, a broken pipe
that is not stdout, leftovers of a crash (issue 8). Every test is bounded in time: pool runs
in a thread joined with a limit, commands as processes with a timeout.

The workers are always real processes; the command runs in this process (run_cli, the
failure set up with monkeypatch) unless the test is about the program's own process: its
stdout closed by `| head`, kill -9 of it (then a process of its own, forked from a
pre-imported parent: tests/forked_programs.py, its stdout and stderr pipes). Workers dying mid-batch (forked, not spawned):
test_worker_deaths.py."""
import json
import multiprocessing.spawn
import os
import threading
from pathlib import Path

import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.media.pool import WorkerPool, WorkerStartError
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.users import UserService

from tests.media_support import make_photo
from tests.forked_programs import WEICHA, start
from tests.support import PASSWORD, forms, new_store, run_cli

pytestmark = pytest.mark.spawned_workers  # workers that die or cannot start: spawned as in the program
LIMIT = 60  # seconds any one pool run or command may take before the test fails


def within(fn, seconds=LIMIT):
    """Run ``fn`` in a thread; fail (instead of hanging the suite) if it takes too long."""
    box = {}

    def go():
        try:
            box["value"] = fn()
        except BaseException as e:  # handed to the test thread
            box["error"] = e

    t = threading.Thread(target=go, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"still running after {seconds} s"
    if "error" in box:
        raise box["error"]
    return box["value"]


def broken_executable(monkeypatch, exe):
    """Workers that cannot start: the interpreter the pool spawns is missing or exits at once.
    (multiprocessing's resource tracker, started with the same interpreter, is started first
    with the real one, as when a batch ran before: else it warns it "died unexpectedly".)"""
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    monkeypatch.setattr(multiprocessing.spawn, "_python_exe", os.fsencode(exe))


@pytest.fixture
def data(tmp_path):
    """An initialised data folder (closed again) with one draft case: (folder, case number)."""
    store = new_store(tmp_path / "data")
    actor = UserService(store).authenticate("admin", PASSWORD)
    number = CaseService(store, forms(), actor).new_case().number
    store.close()
    return tmp_path / "data", number


def weicha_with(prelude, pipes, data_dir, *args):
    """`weicha --data-dir D --user admin ARGS` as a process of its own, after running ``prelude``
    in it (the way a test sets up a failure inside the real program): (the program, its stdout,
    its stderr), both pipes (FIFOs made in the new folder ``pipes``) this test reads, binary."""
    pipes.mkdir()
    fifos = (pipes / "stdout", pipes / "stderr")
    for fifo in fifos:
        os.mkfifo(fifo)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("WEICHA_PASSWORD", PASSWORD)
        program = start(f"{prelude}\n{WEICHA}", "--data-dir", str(data_dir), "--user", "admin", *args,
                        stdout=fifos[0], stderr=fifos[1])
    return (program, *(within(lambda fifo=fifo: open(fifo, "rb")) for fifo in fifos))  # as it opens them


def photos_in(folder, names):
    folder.mkdir(exist_ok=True)
    return [make_photo(folder / name, size=(320 + i, 240), seed=i) for i, name in enumerate(names)]


def json_lines(stdout):
    return [json.loads(line) for line in stdout.splitlines()]


# ---- the pool ------------------------------------------------------------------------------------
@pytest.mark.parametrize("exe", ["/bin/false", "/nonexistent/python3"])
def test_workers_that_cannot_start_raise_a_clear_error(monkeypatch, exe):
    broken_executable(monkeypatch, exe)
    pool = WorkerPool("tests.pool_targets:behave", workers=2)
    got = []
    with pytest.raises(WorkerStartError, match="无法启动后台工作进程"):
        within(lambda: pool.run([("a",), ("b",)], lambda i, r: got.append(r)))
    assert got == []


def test_a_system_error_starting_workers_is_said_in_chinese(monkeypatch):
    """No memory for a process, say: the reason in Chinese, not "OSError: [Errno 12] …"."""
    import errno

    monkeypatch.setattr(WorkerPool, "_start", lambda self: (_ for _ in ()).throw(
        OSError(errno.ENOMEM, "Cannot allocate memory")))
    pool = WorkerPool("tests.pool_targets:behave", workers=2)
    with pytest.raises(WorkerStartError, match="无法启动后台工作进程") as e:
        within(lambda: pool.run([("a",)], lambda i, r: None))
    assert "内存不足" in str(e.value) and "Errno" not in str(e.value) and "OSError" not in str(e.value)


# ---- photo import --------------------------------------------------------------------------------
def test_import_reports_every_file_as_not_done_when_workers_cannot_start(tmp_path, monkeypatch):
    store = new_store(tmp_path / "d")
    actor = UserService(store).authenticate("admin", PASSWORD)
    case = CaseService(store, forms(), actor).new_case()
    files = photos_in(tmp_path / "card", [f"IMG_{i}.JPG" for i in range(3)])
    broken_executable(monkeypatch, "/bin/false")
    seen = []
    photos = PhotoService(store, actor, forms())
    results = within(lambda: photos.import_files(case.id, files, progress=lambda d, t, r: seen.append(d)))
    assert [r.file for r in results] == [str(f) for f in files] and seen == [1, 2, 3]
    assert all(r.status == "rejected" and "未处理" in r.reason and "无法启动" in r.reason for r in results)
    assert photos.list(case.id) == [] and not any((store.blobs_dir / ".staging").iterdir())
    store.close()


def test_import_with_workers_that_cannot_start_fails_and_lists_every_file(data, tmp_path, monkeypatch):
    folder, number = data
    photos_in(tmp_path / "card", ["a.jpg", "b.jpg"])
    broken_executable(monkeypatch, "/bin/false")
    r = run_cli(folder, "photos", "import", number, str(tmp_path / "card"), user="admin")
    assert r.returncode == 1
    assert "无法启动后台工作进程" in r.stderr and "a.jpg" in r.stderr and "b.jpg" in r.stderr
    assert "共 2 个文件：导入 0，重复 0，未导入 2" in r.stdout


# ---- reports -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def case_with_photos(tmp_path_factory):
    """A data folder with one case of 5 photos, made once: the report tests only read it."""
    tmp = tmp_path_factory.mktemp("photos")
    files = photos_in(tmp / "card", [f"IMG_{i}.JPG" for i in range(5)])
    with new_store(tmp / "data") as store:
        actor = UserService(store).authenticate("admin", PASSWORD)
        case = CaseService(store, forms(), actor).new_case()
        # one spawned worker is enough to set it up (the module's workers start as in the program)
        imported = within(lambda: PhotoService(store, actor, forms()).import_files(case.id, files, workers=1))
    assert [r.status for r in imported] == ["imported"] * 5, imported
    return tmp / "data", case.number


def report_of(case, tmp_path, monkeypatch, prepare="tests.pool_targets:prepare_dying_once"):
    """`weicha report NUMBER --parts photos` of ``case``, its workers running ``prepare``."""
    from weicha_desktop.core.reports import photosheets

    monkeypatch.setattr(photosheets, "PREPARE", prepare)
    folder, number = case
    out = tmp_path / "out" / "r.pdf"
    out.parent.mkdir(exist_ok=True)
    r = run_cli(folder, "report", number, "-o", str(out), "--parts", "photos", user="admin")
    return r, out


def test_a_report_whose_workers_cannot_start_fails_and_leaves_no_pdf(case_with_photos, tmp_path, monkeypatch):
    broken_executable(monkeypatch, "/bin/false")
    r, out = report_of(case_with_photos, tmp_path, monkeypatch)
    assert r.returncode == 1 and "无法启动后台工作进程" in r.stderr and "未生成报告" in r.stderr
    assert list(out.parent.iterdir()) == []


# ---- a broken pipe that is not stdout ------------------------------------------------------------
def test_a_broken_pipe_that_is_not_stdout_is_an_error(monkeypatch, capsys):
    from weicha_desktop import cli
    from weicha_desktop.cli import forms as forms_command

    def worker_pipe_broke(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(forms_command, "cmd_forms_check", worker_pipe_broke)
    assert cli.main(["forms", "check"]) == 1
    err = capsys.readouterr().err
    assert "错误" in err and "未完成" in err


def test_a_closed_stdout_still_ends_quietly(tmp_path):
    prelude = ("from weicha_desktop.cli import forms as forms_command\n"
               "def _chatty(args):\n"
               "    for i in range(200_000):\n"
               "        print('第', i, '行')\n"
               "    return 0\n"
               "forms_command.cmd_forms_check = _chatty\n")
    p, stdout, stderr = weicha_with(prelude, tmp_path / "pipes", tmp_path, "forms", "check")
    stdout.readline()
    stdout.close()  # `| head -1`
    assert p.wait(LIMIT) == 0
    assert stderr.read() == b""
    stderr.close()



def held_after_the_first(gate):
    """A prelude for the program: every photo after the first is stored only once ``gate``
    (a file) exists — the test opens it when its reader has gone, or never (kill -9): the
    import is certainly under way, with files left, at that moment. (At most 10 s.)"""
    return f"""
import os, time
from weicha_desktop.core import photos
_store_one = photos.PhotoService._store_one
def _held(self, *a):
    if _held.stored:
        for _ in range(2000):
            if os.path.exists({str(gate)!r}):
                break
            time.sleep(0.005)
    _held.stored += 1
    return _store_one(self, *a)
_held.stored = 0
photos.PhotoService._store_one = _held
"""


def test_an_import_piped_into_head_still_imports_the_whole_card(data, tmp_path):
    """`weicha photos import … --json | head -1`: the reader leaving is no reason to stop
    half way through a camera card (before: 2 of 8 imported, exit 0)."""
    folder, number = data
    photos_in(tmp_path / "card", [f"IMG_{i}.JPG" for i in range(8)])
    gate = tmp_path / "gate"
    p, stdout, stderr = weicha_with(held_after_the_first(gate), tmp_path / "pipes", folder, "photos", "import",
                                    number, str(tmp_path / "card"), "--json")
    assert json.loads(stdout.readline())["status"] == "imported"
    stdout.close()
    gate.touch()  # the reader has gone with 7 files left
    assert p.wait(LIMIT) == 0 and stderr.read() == b""
    stderr.close()
    listed = run_cli(folder, "photos", "list", number, "--json", user="admin")
    assert len(json.loads(listed.stdout)) == 8


def test_kill_9_of_the_program_mid_import_leaves_no_worker_and_nothing_for_long(data, tmp_path):
    """The workers of a killed import end quietly (no traceback on the terminal), and what
    the import had staged is gone when the next command opens the folder."""
    folder, number = data
    photos_in(tmp_path / "card", [f"IMG_{i}.JPG" for i in range(8)])
    p, stdout, stderr = weicha_with(held_after_the_first(tmp_path / "never"), tmp_path / "pipes", folder,
                                    "photos", "import", number, str(tmp_path / "card"), "--json")
    stdout.readline()
    assert p.kill() == -9  # SIGKILL, while the second photo waits to be stored
    with stdout, stderr:  # both end once every worker has let go of the pipes
        err = within(lambda: (stdout.read(), stderr.read())[1])
    assert b"Traceback" not in err
    assert any((folder / "blobs" / ".staging").iterdir())  # the crash left its copies
    assert run_cli(folder, "photos", "list", number, user="admin").returncode == 0  # the next command
    assert not any((folder / "blobs" / ".staging").iterdir())
