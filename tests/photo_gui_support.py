"""Helpers for the photo log and evidence register tests (test_gui_photo*.py, test_gui_evidence.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from media_support import make_photo, with_comment
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.gui.cases.pages import CasePages
from weicha_desktop.gui.forms.view import FormView

_EVIDENCE = [
    {"name": "右手拇指指纹", "category": "fingerprint", "quantity": 1, "location": "主卧床头柜抽屉面板",
     "method": "powder", "collector": "张伟", "collected_at": "2026-11-27T09:40:00+08:00",
     "comparison_status": "not_sent"},
    {"name": "运动鞋足迹", "category": "footprint", "quantity": 2, "location": "客厅地面",
     "method": "electrostatic", "collector": "张伟", "collected_at": "2026-11-27T09:50:00+08:00",
     "comparison_status": "not_sent"},
]


def evidence() -> list[dict]:
    """Two evidence rows, fresh each time (the core writes their H numbers into the list)."""
    return [dict(row) for row in _EVIDENCE]


def open_pages(qtbot, cases: CaseService, case_id: str) -> tuple[FormView, CasePages]:
    """A case's form with its 照片 and 物证登记 views (built when first shown or asked for),
    shown at 1280x800."""
    view = FormView(cases, cases.get(case_id))
    pages = CasePages(view, PhotoService(cases.store, cases.actor, cases.forms))
    pages.import_workers = 1  # one worker process: quicker to start in tests
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    return view, pages


_MADE: dict[str, bytes] = {}  # a camera photo's bytes by what made it (make_photo is deterministic)


def card(folder: Path, n: int, *, size=(640, 480), one_picture: bool = False, **exif) -> list[Path]:
    """``n`` camera photos IMG_0000.JPG … in ``folder``. Each is encoded once per test process
    and written again from its bytes after that (JPEG encoding was most of what this cost).
    ``one_picture``: one photo encoded, the others its bytes with a comment each (distinct
    files, the same pixels: media_support.with_comment) — for many big photos whose looks
    the test does not check (20 of 2400×1800: ~0.3 s of encoding saved)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        path = folder / f"IMG_{i:04d}.JPG"
        key = repr((0 if one_picture else i, tuple(size), sorted(exif.items())))
        if key not in _MADE:
            _MADE[key] = make_photo(path, size=size, seed=(0 if one_picture else i) * 37, **exif).read_bytes()
        path.write_bytes(with_comment(_MADE[key], b"IMG_%04d" % i) if one_picture and i else _MADE[key])
        files.append(path)
    return files


def wait_import(qtbot, pages: CasePages, timeout: int = 30000) -> None:
    log = pages.photo_log
    qtbot.waitUntil(lambda: not log.import_bar.is_running(), timeout=timeout)


def on_next_dialog(fn: Callable[[QWidget], None]) -> None:
    """Run ``fn(dialog)`` on the next modal dialog once it is open (an exec() is waiting)."""
    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, poll)
        else:
            fn(dialog)
    QTimer.singleShot(0, poll)


def logged(store, action: str) -> list:
    """The work-log entries of one action."""
    return [e for e in store.audit_entries() if e.action == action]
