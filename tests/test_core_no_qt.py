"""weicha_desktop.core never imports Qt: the CLI, the server and the tests run without it."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tokenize
import warnings
from pathlib import Path

import pytest

import weicha_desktop.core
from support import PASSWORD, new_store

CORE_DIR = Path(weicha_desktop.core.__file__).resolve().parent
REPO = CORE_DIR.parent.parent
QT_PREFIXES = ("PySide", "shiboken", "PyQt")

# A fresh interpreter first logs in, as the program's first step does ("login": what a login
# imports: no sqlite-utils, no Qt; tests/test_startup_imports.py has the rest of the start).
# It then imports every module under weicha_desktop.core and reports, per module, the Qt
# modules that arrived with it (Qt already there, by the login, is blamed on the package).
# A module that fails to import is listed in "errors" (its own tests own that failure; the
# static scan below still reads its source). The same interpreter then imports Qt and runs
# the probe once more ("after_qt"): the probe itself must be able to fail (one interpreter
# for all three: ~0.5 s of imports, not three times).
PROBE = r"""
import importlib, json, pkgutil, sys, traceback

def qt_loaded():
    return {{m for m in sys.modules if m.startswith({prefixes!r})}}

def log_in():
    from pathlib import Path
    from weicha_desktop.core.store import Store
    from weicha_desktop.core.users import UserService

    with Store.open(Path({data!r})) as store:
        user = UserService(store).authenticate("admin", {password!r})
    return {{"user": user.name, "modules": sorted(sys.modules)}}

def probe():
    import weicha_desktop.core as core

    imported, errors, culprits = [core.__name__], {{}}, {{}}
    seen = qt_loaded()
    if seen:
        culprits[core.__name__] = sorted(seen)

    def onerror(name):
        errors[name] = traceback.format_exc(limit=-1)

    for info in pkgutil.walk_packages(core.__path__, core.__name__ + ".", onerror=onerror):
        try:
            importlib.import_module(info.name)
            imported.append(info.name)
        except Exception:
            errors[info.name] = traceback.format_exc(limit=-1)
        now = qt_loaded()
        if now - seen:
            culprits[info.name] = sorted(now - seen)
        seen = now
    return {{"imported": imported, "errors": errors, "culprits": culprits, "qt": sorted(seen)}}

login = log_in()
clean = probe()
import PySide6.QtCore
print(json.dumps({{"login": login, "clean": clean, "after_qt": probe()}}))
"""


@pytest.fixture(scope="module")
def probed(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("login") / "data"
    new_store(folder).close()
    code = PROBE.format(prefixes=QT_PREFIXES, data=str(folder), password=PASSWORD)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"the import probe itself failed:\n{proc.stderr}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_importing_all_of_core_loads_no_qt(probed) -> None:
    result = probed["clean"]
    if result["errors"]:
        warnings.warn(
            "core modules that failed to import, checked only statically: "
            + "; ".join(f"{m}: {e.strip().splitlines()[-1]}" for m, e in result["errors"].items())
        )
    assert "weicha_desktop.core" in result["imported"]
    assert not any(m == "weicha_desktop.cli" for m in result["imported"])
    assert result["qt"] == [], (
        "Qt loaded by importing weicha_desktop.core: "
        + "; ".join(f"{mod} -> {qt[:3]}" for mod, qt in result["culprits"].items())
    )


def test_a_login_needs_no_sqlite_utils(probed) -> None:
    """A login (which logs a change: the registry, the device key) imports neither
    sqlite-utils (~40 ms, at the first insert) nor Qt."""
    result = probed["login"]
    assert result["user"] == "admin"
    assert "weicha_desktop.core.users" in result["modules"]
    assert not any(m.split(".")[0] == "sqlite_utils" for m in result["modules"])
    assert not any(m.startswith(QT_PREFIXES) for m in result["modules"])


def test_probe_detects_qt(probed) -> None:
    # The probe itself must be able to fail.
    result = probed["after_qt"]
    assert "PySide6.QtCore" in result["qt"]
    assert "weicha_desktop.core" in result["culprits"]


_QT_NAME = re.compile(r"^(PySide\d*|shiboken\d*|PyQt\d*)$")
_QT_STRING = re.compile(r"""^[rRbBuU]{0,2}(['"]{1,3})(PySide|shiboken|PyQt)""")
_QT_IMPORT_LINE = re.compile(r"^\s*(import|from)\s+(PySide|shiboken|PyQt)", re.MULTILINE)


def qt_references(source: str) -> list[int]:
    """Line numbers that import Qt: `import PySide6…`, `from PySide6…`, shiboken6, PyQt*,
    or a string naming one (importlib.import_module("PySide6.QtCore")). Comments and
    prose in docstrings are not counted."""
    try:
        lines = []
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if (tok.type == tokenize.NAME and _QT_NAME.match(tok.string)) or (
                tok.type == tokenize.STRING and _QT_STRING.match(tok.string)
            ):
                lines.append(tok.start[0])
        return sorted(set(lines))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return [source.count("\n", 0, m.start()) + 1 for m in _QT_IMPORT_LINE.finditer(source)]


def test_core_sources_do_not_mention_qt_imports() -> None:
    offenders = []
    for path in sorted(CORE_DIR.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if not any(prefix in source for prefix in QT_PREFIXES):
            continue  # no Qt name or string can be in it: not worth tokenizing
        for line in qt_references(source):
            offenders.append(f"{path.relative_to(REPO)}:{line}")
    assert offenders == [], "Qt in weicha_desktop/core (core must stay Qt-free): " + ", ".join(offenders)


def test_static_scan_catches_qt_imports() -> None:
    assert qt_references("import PySide6\n") == [1]
    assert qt_references("x = 1\nfrom PySide6.QtCore import QObject\n") == [2]
    assert qt_references("import shiboken6\n") == [1]
    assert qt_references("from PyQt6 import QtCore\n") == [1]
    assert qt_references("import importlib\nm = importlib.import_module('PySide6.QtGui')\n") == [2]
    assert qt_references("# no PySide6 here\n'''Not PyQt either.'''\nimport json\n") == []
