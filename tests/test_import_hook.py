"""PySide6's import hook does not read the source of each module imported after Qt
(gui/common/import_hook.py), and a module imported after the patch uses Qt as before."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from weicha_desktop.gui.common import import_hook

ROOT = Path(__file__).resolve().parent.parent

PROGRAM = r"""
import inspect, json, sys
sys.path.insert(0, sys.argv[1])
import PySide6.QtCore
reads = []
real = inspect.getsource
inspect.getsource = lambda obj, *a, **k: (reads.append(getattr(obj, "__name__", "?")), real(obj, *a, **k))[1]
import before_patch
from weicha_desktop.gui.common import import_hook
patched = import_hook.skip_source_scan()
reads_before = list(reads); reads.clear()
import after_patch
feature = sys.modules[import_hook.FEATURE_MODULE]
print(json.dumps({"patched": patched, "before": reads_before, "after": reads,
                  "name": after_patch.name(), "selection": feature.pyside_feature_dict.get("after_patch")}))
"""


def test_modules_imported_after_qt_are_not_read_and_use_qt_as_before(tmp_path):
    (tmp_path / "before_patch.py").write_text("X = 1\n", encoding="utf-8")
    (tmp_path / "after_patch.py").write_text(
        "from PySide6.QtCore import QObject\n"
        "def name():\n"
        "    o = QObject()\n"
        "    o.setObjectName('probe')\n"
        "    return o.objectName()\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", PROGRAM, str(tmp_path)], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["patched"] is True
    assert "before_patch" in seen["before"]  # the hook reads sources: what the patch spares
    assert "after_patch" not in seen["after"] and seen["after"] == []
    assert seen["name"] == "probe"  # camelCase Qt, no feature switched on
    assert seen["selection"] == 0  # the default selection, as a module naming PySide6 gets


def test_no_module_switches_on_a_qt_feature():
    """The patch counts every module as one that may use __feature__ with nothing switched on:
    true only while nothing imports __feature__."""
    imports = re.compile(r"^\s*(from\s+__feature__\s+import|import\s+__feature__)", re.M)
    users = [p for p in (ROOT / "weicha_desktop").rglob("*.py") if imports.search(p.read_text(encoding="utf-8"))]
    assert users == []


def test_without_pyside6s_hook_nothing_is_patched(monkeypatch):
    monkeypatch.delitem(sys.modules, import_hook.FEATURE_MODULE, raising=False)
    assert import_hook.skip_source_scan() is False


def test_the_test_processes_and_the_program_skip_the_scan():
    feature = sys.modules[import_hook.FEATURE_MODULE]
    assert feature._mod_uses_pyside is import_hook._every_module_may  # tests/conftest.py
    source = (ROOT / "weicha_desktop/gui/shell/app.py").read_text(encoding="utf-8")
    assert "import_hook.skip_source_scan()" in source
