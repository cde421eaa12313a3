"""What the start leaves until after the main window's first paint still happens, by itself and
soon (issue 10 §6, benchmarks/bench_startup.py): the status bar's count of operations waiting
and its backup reminder appear, the older form versions (forms/archive/) are read — or sooner,
when a record of one opens; a broken one stops the program as a broken form at the start does;
the sync worker starts a few seconds after the window opens. The data folder's lock, taken without importing
filelock on POSIX, is the lock filelock takes (verify and older versions of the program)."""
from __future__ import annotations

import errno
import re
import shutil
import threading
import time
from types import SimpleNamespace

import filelock
import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QPushButton

from gui_support import app, child, complete_values, dialogs  # noqa: F401  (fixtures)
from support import admin, forms, store  # noqa: F401  (fixtures)
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.errors import StoreLocked
from weicha_desktop.core.forms import FormError, FormRegistry, check_forms
from weicha_desktop.core.forms.check import FormReading
from weicha_desktop.core.store import Store
from weicha_desktop.core.store import folder_lock
from weicha_desktop.core.store.folder_lock import FolderLock
from weicha_desktop.gui.shell.app import build_main_window
from weicha_desktop.gui.shell.main_window import MainWindow
from weicha_desktop.resources import forms_dir

SCENE = "scene_investigation"


def at_start() -> FormRegistry:
    """The shipped forms as the window's start reads them (app.load_forms)."""
    return FormRegistry(forms_dir(), older_later=True)


def forms_copy(tmp_path):
    return shutil.copytree(forms_dir(), tmp_path / "forms")


@pytest.fixture
def old_case(store, admin, tmp_path):
    """A case recorded with version 3 of the scene form, archived since."""
    folder = forms_copy(tmp_path)
    shutil.move(folder / "archive" / f"{SCENE}.v3.yaml", folder / f"{SCENE}.yaml")
    return CaseService(store, FormRegistry(folder), admin).new_case({"remarks": "按第3版记录"})


def test_the_current_versions_serve_the_start_without_the_older_ones():
    registry = at_start()
    latest = registry.latest(SCENE)
    assert latest == forms().latest(SCENE) and latest.version > 3
    assert registry.form_for("case") == SCENE and registry.kinds() == forms().kinds()
    assert registry.get(SCENE, latest.version) is latest
    assert registry.choices("case_types") == forms().choices("case_types")
    assert not registry.older_loaded  # nothing above needed forms/archive/
    assert registry.versions(SCENE) == forms().versions(SCENE) == [1, 2, 3, latest.version]
    assert registry.older_loaded and registry.load_older() is False  # read once


def test_an_older_version_or_a_number_letter_reads_them_when_asked():
    registry = at_start()
    assert registry.get(SCENE, 1) == forms().get(SCENE, 1) and registry.older_loaded
    other = at_start()
    assert other.number_prefixes() == forms().number_prefixes() and other.older_loaded


def test_threads_asking_at_once_read_the_older_versions_once(monkeypatch):
    registry = at_start()
    reads = []
    read_older = FormReading.read_older

    def slow(self) -> None:
        reads.append(threading.get_ident())
        time.sleep(0.05)  # the others ask meanwhile
        read_older(self)

    monkeypatch.setattr(FormReading, "read_older", slow)
    got = []
    threads = [threading.Thread(target=lambda: got.append(registry.get(SCENE, 2))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(reads) == 1 and len(got) == 4 and {s.version for s in got} == {2}


def test_a_record_of_an_older_version_opens_before_they_were_read(store, admin, old_case):
    registry = at_start()
    cases = CaseService(store, registry, admin)
    assert not registry.older_loaded
    case = cases.get(old_case.id)
    assert cases.spec_for(case).version == 3 and case.data["remarks"] == "按第3版记录"
    assert registry.older_loaded


def test_forms_check_keeps_the_current_version_the_newest(tmp_path):
    folder = forms_copy(tmp_path)
    current = forms().latest(SCENE).version
    text = (folder / f"{SCENE}.yaml").read_text(encoding="utf-8")
    newer = re.sub(r"(?m)^version: \d+", f"version: {current + 1}", text, count=1)
    (folder / "archive" / f"{SCENE}.v{current + 1}.yaml").write_text(newer, encoding="utf-8")
    problem = f"第{current + 1}版比当前版本（第{current}版）新"
    assert any(problem in p for p in check_forms(folder)), check_forms(folder)
    with pytest.raises(FormError, match=problem):
        FormRegistry(folder)
    registry = FormRegistry(folder, older_later=True)  # the start cannot know yet ...
    assert registry.latest(SCENE).version == current
    with pytest.raises(FormError, match=problem):  # ... the reading after the paint says so
        registry.load_older()
    with pytest.raises(FormError, match=problem):  # and so does every later ask
        registry.get(SCENE, 1)


def test_forms_check_wants_a_current_version_of_every_archived_form(tmp_path):
    folder = forms_copy(tmp_path)
    (folder / f"{SCENE}.yaml").unlink()
    found = check_forms(folder)
    assert found and all("缺少当前版本" in p for p in found), found


class FirstPaint(QObject):
    """What ``look()`` says at the window's first paint."""

    def __init__(self, window, look):
        super().__init__()
        self.look, self.seen = look, []
        window.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint and not self.seen:
            self.seen.append(self.look())
        return False


def shown_until_finished(qtbot, window, look) -> list:
    """Show the window and wait, without doing anything, until its start has finished; what
    ``look()`` said at its first paint."""
    qtbot.addWidget(window)
    paint = FirstPaint(window, look)
    window.show()
    qtbot.waitUntil(lambda: window.start_finished, timeout=3000)
    return paint.seen


def test_the_window_reads_the_older_versions_right_after_its_first_paint(app, qtbot, store, admin):
    registry = at_start()
    window = MainWindow(store, registry, admin)
    assert shown_until_finished(qtbot, window, lambda: registry.older_loaded) == [False]
    assert registry.older_loaded and not window.forms_broken and window.isVisible()


def test_the_programs_window_counts_what_waits_right_after_its_first_paint(app, qtbot, store, admin):
    cases = CaseService(store, forms(), admin)
    cases.finalize(cases.new_case(complete_values()).id)  # to sync, and never backed up
    window = build_main_window(store, at_start(), admin)
    pending = child(window, QLabel, "pendingLabel")
    reminder = child(window, QLabel, "backupReminder")
    at_paint = shown_until_finished(qtbot, window, lambda: (pending.text(), reminder.isVisible()))
    assert at_paint == [("", False)]  # not counted before the paint ...
    assert pending.text() == f"待同步 {store.pending_count()} 项" and store.pending_count() >= 2
    assert reminder.isVisible() and reminder.text() == "尚未备份"  # ... but right after it
    assert child(window, QPushButton, "backupNowButton").isVisible()


def test_an_old_case_opens_in_the_window_before_the_paint(app, qtbot, store, admin, old_case):
    registry = at_start()
    window = MainWindow(store, registry, admin)
    qtbot.addWidget(window)
    view = window.workspace.open_case(old_case.id)
    assert view is not None and view.spec.version == 3 and registry.older_loaded


def test_a_broken_older_version_stops_the_program_after_the_paint(app, qtbot, store, admin, dialogs,
                                                                  tmp_path):
    folder = forms_copy(tmp_path)
    (folder / "archive" / f"{SCENE}.v2.yaml").write_text("id: [broken\n", encoding="utf-8")
    registry = FormRegistry(folder, older_later=True)  # the current versions are sound
    window = MainWindow(store, registry, admin)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.start_finished, timeout=3000)
    assert window.forms_broken and not window.isVisible()  # run_gui then exits with 1
    assert "表单定义有误，程序无法继续" in dialogs.texts() and f"{SCENE}.v2.yaml" in dialogs.texts()
    with pytest.raises(FormError):
        registry.get(SCENE, 1)


# ---- the data folder's lock -----------------------------------------------------------------
def test_the_folder_lock_and_filelock_exclude_each_other(tmp_path):
    path = tmp_path / "weicha.lock"
    theirs = filelock.FileLock(str(path), timeout=0)
    theirs.acquire()
    ours = FolderLock(path)
    assert not ours.acquire()
    theirs.release()
    assert ours.acquire()
    with pytest.raises(filelock.Timeout):
        filelock.FileLock(str(path), timeout=0).acquire()
    assert not FolderLock(path).acquire()  # a second hold in this process is refused too
    ours.release()
    again = FolderLock(path)
    assert again.acquire()
    again.release()


def test_a_second_open_of_a_folder_is_refused_until_the_first_closes(store):
    with pytest.raises(StoreLocked, match="正被另一个微察程序使用（进程"):
        Store.open(store.data_dir)
    store.close()
    Store.open(store.data_dir).close()


def test_without_flock_the_folder_lock_is_filelocks(tmp_path, monkeypatch):
    def refused(fd, operation):
        raise OSError(errno.ENOSYS, "no flock on this file system")

    stub = SimpleNamespace(flock=refused, LOCK_EX=2, LOCK_NB=4, LOCK_UN=8)
    monkeypatch.setattr(folder_lock, "fcntl", stub)
    path = tmp_path / "weicha.lock"
    ours = FolderLock(path)
    assert ours.acquire() and isinstance(ours._other, filelock.BaseFileLock)
    assert not FolderLock(path).acquire()
    ours.release()
    assert FolderLock(path).acquire()


def test_the_sync_worker_starts_by_itself_after_the_window_opens(app, qtbot, store, admin, monkeypatch):
    """Its start waits a few seconds after the window (gui/sync/worker.py START_MS), then comes
    with no user action: not enrolled, it stays off."""
    from weicha_desktop.gui.sync import worker

    monkeypatch.setattr(worker.SyncWorker.__init__, "__kwdefaults__",
                        {**worker.SyncWorker.__init__.__kwdefaults__, "start_ms": 50})
    started = []
    start = worker.SyncWorker.start
    monkeypatch.setattr(worker.SyncWorker, "start", lambda self: started.append(start(self)) or started[-1])
    window = build_main_window(store, at_start(), admin)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: started == [False], timeout=3000)
    assert window.sync.state == worker.OFF
