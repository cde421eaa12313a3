"""The main window is painted before the heavy libraries are imported: PDF (reportlab, segno),
images (Pillow, pillow-heif, exifread), keys (cryptography), worker processes
(multiprocessing), the op registry and its schemas (core/ops.py, jsonschema), package
metadata, sqlite-utils, filelock, PyYAML (the forms were read as they parsed before: their
``__parsed__/`` files, written by the module fixture's reading), and the pages no window shows
at its start; and before the older form versions (forms/archive/) are read, which happens
right after it. Each is imported where it is first used (benchmarks/bench_startup.py measures
what that buys: issue 10 §6). That a login needs no sqlite-utils either is checked in the
interpreter tests/test_core_no_qt.py starts (it logs in before it imports all of core).

Checked in a fresh interpreter, as the program starts: gui/shell/app.py's steps on a folder
with one case, the window shown, ``sys.modules`` read when the case list has been painted
with its first page (the window is usable then)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import forms, new_store
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.users import UserService

REPO = Path(__file__).resolve().parents[1]
# what the first paint must not wait for: top-level package or module name -> why it is heavy
HEAVY = {
    "reportlab": "PDF layout, ~60 ms",
    "segno": "QR codes of reports and labels (urllib, ssl, http)",
    "PIL": "Pillow: photos, ~10 ms",
    "pillow_heif": "HEIC/HEIF opener, ~10 ms",
    "exifread": "EXIF of imported photos, ~8 ms",
    "cryptography": "the device key, ~8 ms",
    "multiprocessing": "photo and report worker processes, ~10 ms",
    "weicha_desktop.core.ops": "the registry of actions and ops: at the first change",
    "jsonschema": "the ops' payload schemas, ~35 ms",
    "importlib.metadata": "package metadata (sqlite-utils plugins)",
    "sqlite_utils": "sqlite-utils with click, dateutil and pluggy, ~40 ms: at the first insert",
    "filelock": "~10 ms: the folder lock is an flock of its own (core/store/folder_lock.py)",
    "logging.handlers": "~4 ms (pickle, queue): the log rotates by itself (core/applog.py)",
    "yaml": "PyYAML ~8 ms: unchanged forms are read from what they parsed to (forms/__parsed__/)",
    "uuid": "with platform ~1.5 ms: at the first id or user id (core/ids.py)",
    "weicha_desktop.core.backup": "the backup reminder's state: right after the paint",
    "weicha_desktop.gui.forms.view": "a case's form: when a case opens",
    "weicha_desktop.gui.cases.pages": "a case's photos, evidence and report pages",
    "weicha_desktop.gui.review.queue": "the review page: when it is shown",
    "PySide6.QtPrintSupport": "printing: when a report is printed",
}

PROBE = r"""
import json, sys
from pathlib import Path
from weicha_desktop.gui.shell import app as shell
from weicha_desktop.core import applog
from weicha_desktop.core.users import UserService
from PySide6.QtCore import QEvent, QObject, QTimer

applog.setup()  # WEICHA_LOG_DIR: the test's (conftest.py); Qt's warnings go there as in run_gui
shell.log_qt_messages()
application = shell.make_app(["weicha"])
shell.apply_language(application, "zh")
store = shell.open_store(Path({data!r}))
forms = shell.load_forms(store=store)
window = shell.build_main_window(store, forms, UserService(store).get("admin"))
table = window.workspace.case_list.table
paints = [{{}}]  # what each watched paint saw: the first paint, then the probe's self-check

class Watch(QObject):
    def eventFilter(self, obj, event):
        seen = paints[-1]
        if event.type() == QEvent.Type.Paint and "rows" not in seen and table.model().rowCount():
            seen["modules"] = sorted(sys.modules)
            seen["rows"] = table.model().rowCount()
            seen["older_forms_at_paint"] = forms.older_loaded
        return False

def step():
    if len(paints) == 1 and paints[0] and window.start_finished:
        paints[0]["older_forms_after"] = forms.older_loaded
        # the probe itself can fail: heavy modules imported now are named at the next paint
        absent = [name for name in ("segno", "exifread") if name not in sys.modules]
        {self_check}
        paints.append({{"absent_before": absent}})
        table.viewport().update()
    elif len(paints) == 2 and "rows" in paints[1]:
        application.quit()

watch = Watch()
table.viewport().installEventFilter(watch)
done = QTimer()
done.timeout.connect(step)
done.start(5)
window.show()
QTimer.singleShot(20000, application.quit)
application.exec()
window.close()
store.close()
print(json.dumps(paints))
"""
SELF_CHECK = "import segno, exifread"  # two of HEAVY, the cheapest to import (~45 ms, reportlab's ~90)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A data folder with one case (the list's first page is not empty)."""
    data = tmp_path_factory.mktemp("startup") / "data"
    store = new_store(data)
    try:
        CaseService(store, forms(), UserService(store).get("admin")).new_case()
    finally:
        store.close()
    return data


@pytest.fixture(scope="module")
def painted(folder) -> list[dict]:
    """One start of the program (a fresh interpreter): what its first paint saw, then what a
    paint saw after SELF_CHECK imported heavy modules."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", PROBE.format(self_check=SELF_CHECK, data=str(folder))],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"the start-up probe failed:\n{proc.stderr}"
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result[0], f"the case list was never painted with its case:\n{proc.stderr}"
    assert len(result) == 2 and "rows" in result[1], f"the self-check's paint never came:\n{proc.stderr}"
    return result


def heavy(modules: list[str]) -> dict[str, str]:
    return {name: why for name, why in HEAVY.items()
            if any(m == name or m.startswith(name + ".") for m in modules)}


def test_the_first_paint_imports_nothing_heavy(painted):
    result = painted[0]
    assert result["rows"] == 1, "the window is usable when painted: the case is listed"
    assert "weicha_desktop.gui.cases.list" in result["modules"]
    assert heavy(result["modules"]) == {}, (
        "imported before the main window was painted (import them where they are used): "
        + "; ".join(f"{name} ({why})" for name, why in heavy(result["modules"]).items()))
    assert result["older_forms_at_paint"] is False and result["older_forms_after"] is True


def test_the_probe_sees_a_heavy_import(painted):
    """The probe itself can fail: a module imported before the paint is named."""
    result = painted[1]
    assert result["absent_before"] == ["segno", "exifread"]  # not there before the self-check
    assert {"segno", "exifread"} <= set(heavy(result["modules"]))
