"""Helpers and fixtures for the GUI tests (import the fixtures into a test module to use them).

``dialogs`` replaces QMessageBox's static functions so no test can hang on a modal box: it
records every box and answers from ``dialogs.answers`` (default: Discard / Ok)."""
from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QEvent, Qt
from PySide6.QtGui import QFont, QRawFont
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QApplication, QComboBox, QGroupBox,
                               QLabel, QLineEdit, QMessageBox, QTabWidget, QWidget)

from support import PASSWORD, admin, forms, new_store, store  # noqa: F401  (fixtures, forms: used by importers)
from weicha_desktop.core.cases import CaseService
from weicha_desktop.gui.shell.app import make_app

UNIT_NAME = "钦州市公安局钦南分局刑侦大队"
ENGLISH_TS = Path(__file__).resolve().parent.parent / "resources" / "translations" / "weicha_en.ts"


@lru_cache(maxsize=1)
def english_qm_dir() -> Path:
    """A folder holding weicha_en.qm built from resources/translations/weicha_en.ts with
    pyside6-lrelease: made once per test process (the tests that speak English share it: ~0.1
    CPU-s a build), so no test depends on `make translations` having run."""
    folder = Path(tempfile.mkdtemp(prefix="weicha-qm-"))
    atexit.register(shutil.rmtree, folder, True)
    subprocess.run([str(Path(sys.executable).parent / "pyside6-lrelease"), str(ENGLISH_TS), "-qm",
                    str(folder / "weicha_en.qm")], check=True, capture_output=True)
    return folder


@dataclass
class Dialogs:
    shown: list[tuple[str, str, str]] = field(default_factory=list)
    answers: list[QMessageBox.StandardButton] = field(default_factory=list)

    def texts(self) -> str:
        return "\n".join(f"{title}\n{text}" for _, title, text in self.shown)


@pytest.fixture
def dialogs(monkeypatch) -> Dialogs:
    record = Dialogs()

    def box(kind: str, default: QMessageBox.StandardButton):
        def show(parent, title, text, *args, **kwargs):
            record.shown.append((kind, title, text))
            return record.answers.pop(0) if record.answers else default
        return show

    buttons = QMessageBox.StandardButton
    monkeypatch.setattr(QMessageBox, "question", box("question", buttons.Discard))
    for kind in ("critical", "warning", "information"):
        monkeypatch.setattr(QMessageBox, kind, box(kind, buttons.Ok))
    return record


@pytest.fixture
def app(qapp):
    """The QApplication as the program sets it up (name, Chinese font). After the test the
    windows pytest-qt closed (``deleteLater``) are deleted: its ``processEvents`` outside an
    event loop leaves them alive until some later test runs one (``qtbot.wait``), and up to
    ~7,000 widgets of earlier tests' windows were kept so — walked on every window
    activation (QApplication::topLevelWidgets) and by the garbage collector."""
    yield make_app()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def cases(store, admin) -> CaseService:
    return CaseService(store, forms(), admin)


def activate(qtbot, window: QWidget) -> None:
    """``window`` made the active window (shortcuts and the focus need one), waited for. The
    offscreen platform activates it as the events next run: one pass of them first, so
    waitUntil finds it active at once instead of looking again after its first 10 ms wait."""
    window.activateWindow()
    QApplication.processEvents()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)


def child(parent: QWidget, cls: type, name: str):
    found = parent.findChild(cls, name)
    assert found is not None, f"no {cls.__name__} named {name!r}"
    return found


def type_into(qtbot, edit: QLineEdit, text: str) -> None:
    """Type like a user. QTest can only send Latin-1 keys (it aborts on 汉字), so Chinese
    goes in the way an input method commits it: inserted at the cursor."""
    edit.setFocus()
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)


def complete_values() -> dict[str, Any]:
    """A scene record that satisfies every required field and rule (no photos yet)."""
    return {
        "investigating_unit": "钦州市公安局刑事科学技术室", "assigning_unit": "钦南派出所",
        "received_at": "2026-11-27T08:10:00+08:00", "reported_at": "2026-11-27T08:02:00+08:00",
        "reporter": {"name": "李娜", "phone": "13807770001"},
        "incident_address": "钦州市钦南区南珠街道永福路 12 号 3 单元 501 室",
        "case_type": "burglary", "occurred_from": "2026-11-26T22:00:00+08:00",
        "occurred_to": "2026-11-27T07:30:00+08:00",
        "started_at": "2026-11-27T09:00:00+08:00", "ended_at": "2026-11-27T11:20:00+08:00",
        "scene_address": "钦州市钦南区南珠街道永福路 12 号 3 单元 501 室",
        "scene_state": "original", "weather": "sunny", "lighting": "daylight",
        "commander": {"name": "黄志强", "unit": "刑侦大队", "title": "副大队长"},
        "narrative_location": "现场位于永福路 12 号小区 3 单元五楼。",
        "narrative_overview": "室内两室一厅，客厅抽屉被翻动。",
        "narrative_center": "主卧床头柜抽屉被撬开。",
        "narrative_process": "按先静后动、先下后上的顺序勘验。",
        "narrative_extraction": "未发现可提取的痕迹物证。",
        "sketch_count": 1, "photo_total": 0, "recorder": "张伟",
        "investigators": [{"name": "张伟", "unit": "刑侦大队"}],
        "no_witness_reason": "事主家中无其他人员，邻居外出。",
        "no_evidence_reason": "现场被清扫，未发现可提取的痕迹。",
    }


# ---- what a person sees -----------------------------------------------------------------------
_TAG = re.compile(r"<[^>]+>")


def visible_texts(root: QWidget) -> set[str]:
    """Every text the widgets under ``root`` put on screen (labels, buttons, tabs, combo
    items, table headers and cells, placeholders, window title)."""
    texts = {root.windowTitle()}
    for w in [root, *root.findChildren(QWidget)]:
        if isinstance(w, QLabel):
            texts.add(_TAG.sub("", w.text()).replace("&lt;", "<"))
        elif isinstance(w, QAbstractButton):  # "保存(&S)" is drawn "保存(S)", S underlined
            texts.add(w.text().replace("&&", "\0").replace("&", "").replace("\0", "&"))
        elif isinstance(w, QLineEdit):
            texts.update((w.text(), w.placeholderText()))
        elif isinstance(w, QGroupBox):
            texts.add(w.title())
        if isinstance(w, QTabWidget):
            texts.update(w.tabText(i) for i in range(w.count()))
        if isinstance(w, QComboBox):
            texts.update(w.itemText(i) for i in range(w.count()))
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            texts.update(_model_texts(w.model()))
        if hasattr(w, "suffix"):
            texts.add(w.suffix())
    return {t for t in texts if t and t.strip()}


def _model_texts(model: QAbstractItemModel) -> set[str]:
    out = set()
    try:
        columns = model.columnCount()
    except TypeError:  # a list model: one column, columnCount not public
        columns = 1
    for c in range(columns):
        out.add(str(model.headerData(c, Qt.Orientation.Horizontal) or ""))
        for r in range(min(model.rowCount(), 50)):
            out.add(str(model.data(model.index(r, c)) or ""))
    return out


def invisible_chars(text: str, family: str) -> set[str]:
    """Characters the font has no glyph for, or whose glyph is empty (draws nothing)."""
    return {ch for ch in set(text) if not ch.isspace() and _invisible(ch, family)}


@lru_cache(maxsize=None)
def _invisible(ch: str, family: str) -> bool:
    """(each character looked up once per test process: the walks check thousands of texts
    made of a few hundred characters)"""
    raw = _raw_font(family)
    glyphs = raw.glyphIndexesForString(ch)
    return not raw.supportsCharacter(ord(ch)) or not glyphs or glyphs[0] == 0 \
        or raw.pathForGlyph(glyphs[0]).elementCount() == 0


@lru_cache(maxsize=None)
def _raw_font(family: str) -> QRawFont:
    font = QFont(family)
    font.setPixelSize(32)
    font.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)
    return QRawFont.fromFont(font)


def _cpu_waits() -> dict[str, int]:
    """Nanoseconds each thread of this process and of its child processes (the worker processes
    the work starts) has spent ready to run but waiting for a CPU, by "pid/tid" (Linux:
    /proc/PID/task/TID/schedstat, its 2nd field); {} where the OS has no such files."""
    waits: dict[str, int] = {}
    pids, seen = [str(os.getpid())], set()
    while pids:
        pid = pids.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:  # not Linux, or the process ended meanwhile
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat", "rb") as f:
                    waits[f"{pid}/{tid}"] = int(f.read().split()[1])
                with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                    pids.extend(f.read().decode().split())
            except (OSError, IndexError, ValueError):  # the thread ended meanwhile
                pass
    return waits


class Heartbeat:
    """A 10 ms timer on the GUI thread. Over the ``with`` block, per gap between two ticks:

    - ``busiest``: the most CPU the GUI thread itself spent (``time.thread_time``): our code
      keeping the GUI thread busy.
    - ``stalled``: the longest gap less the time the OS gave the CPU to other programs: the GUI
      thread's own waits for a CPU, and the longest such wait of one other thread or worker
      process (the GUI thread may have waited for it: the GIL, the work it asked for).
      What is left is the GUI thread running or blocked (waiting for the work, say): on Linux;
      None where the OS does not tell (then ``busiest`` alone speaks).
    - ``worst``: the longest wall-clock gap, load and all (printed, not asserted: on a loaded
      machine it measures the machine).

    The block's start and end are samples too (taken on the GUI thread), so work done
    synchronously in the block, with no tick during it, shows as one long gap."""

    def __init__(self, qtbot, interval_ms: int = 10):
        from PySide6.QtCore import QTimer

        self.qtbot, self.beats = qtbot, []
        self.worst = self.busiest = 0.0
        self.stalled: float | None = None
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(lambda: self.beats.append(self._sample()))

    @staticmethod
    def _sample() -> tuple[float, float, dict[str, int]]:
        return time.monotonic(), time.thread_time(), _cpu_waits()

    def __enter__(self) -> "Heartbeat":
        self.timer.start()
        self.qtbot.waitUntil(lambda: len(self.beats) > 0)  # ticking
        self.beats.clear()
        self._first = self._sample()
        self._gui = f"{os.getpid()}/{threading.get_native_id()}"  # __enter__ runs on the GUI thread
        self.start = self._first[0]
        return self

    def __exit__(self, *exc) -> None:
        last = self._sample()
        self.end = last[0]
        self.timer.stop()
        gaps = list(zip([self._first, *self.beats], [*self.beats, last]))
        self.ticks = len(self.beats)
        self.worst = max(b[0] - a[0] for a, b in gaps)
        self.busiest = max(b[1] - a[1] for a, b in gaps)
        if last[2]:  # a thread born in the gap waited within it; one gone since is not counted
            self.stalled = max(b[0] - a[0] - self._machine(a[2], b[2]) for a, b in gaps)

    def _machine(self, before: dict[str, int], after: dict[str, int]) -> float:
        """Seconds of a gap the machine, not our code, took from the GUI thread: its own wait for a
        CPU, plus the longest wait of ONE other thread or worker (the one it may have waited for:
        the GIL's holder, the worker it asked). Not the sum of all their waits: waits of threads
        that run side by side overlap in time, and their sum can exceed the gap itself, which
        would excuse any block."""
        waited = {t: (w - before.get(t, 0)) / 1e9 for t, w in after.items()}
        own = waited.pop(self._gui, 0.0)
        return own + max(waited.values(), default=0.0)

    def assert_responsive(self, busy: float = 0.150, blocked: float = 0.300) -> None:
        """Between two beats the GUI thread was never ``busy`` s on the CPU (our code on it), nor
        (where the OS tells) ``blocked`` s running or waiting for something (the work, say) other
        than a CPU. The second bound is looser: a loaded VM pauses now and then in a way no
        process sees (gaps of ~100 ms with no thread running nor waiting, seen at load 8-10),
        while work run on the GUI thread, or that it waits for, stalls it the whole operation
        (these tests' import and report moved onto it: 0.45-0.85 s and 0.8-5 s blocked,
        0.17-0.2 s and 0.32-0.39 s busy)."""
        assert self.busiest < busy, f"the GUI thread was busy {self.busiest * 1000:.0f} ms between two beats"
        assert self.stalled is None or self.stalled < blocked, \
            f"the GUI thread stalled {self.stalled * 1000:.0f} ms (less the waits for a CPU) between two beats"

    def summary(self) -> str:
        stalled = "?" if self.stalled is None else f"{self.stalled * 1000:.0f}"
        return (f"{self.end - self.start:.2f} s, {self.ticks} beats, longest gap {self.worst * 1000:.0f} ms "
                f"(less CPU waits {stalled} ms), most GUI-thread CPU in a gap {self.busiest * 1000:.0f} ms")
