"""Translations: Chinese is the source language; every string has its English in
resources/translations/weicha_en.ts, every tr() string of the GUI is in that file, and the
English build changes what the window shows.

The English .qm is built from the .ts (into a temporary folder, once per test process:
gui_support.english_qm_dir), so these tests do not depend on `make translations` having run."""
from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QLabel, QListWidget, QTabWidget

from gui_support import (ENGLISH_TS, UNIT_NAME, admin, app, child, dialogs, english_qm_dir, forms,  # noqa: F401
                         store)
from support import PASSWORD
from weicha_desktop.core import labels
from weicha_desktop.core.users import UserService
from weicha_desktop.gui.common import i18n
from weicha_desktop.gui.common.labels import list_status_name, role_name
from weicha_desktop.gui.shell import app as gui_app
from weicha_desktop.gui.shell.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent
TS = ENGLISH_TS
GUI = ROOT / "weicha_desktop" / "gui"
TOOLS = Path(sys.executable).parent
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%n")


def messages(ts: Path) -> list[tuple[str, ET.Element]]:
    return [(ctx.findtext("name"), m) for ctx in ET.parse(ts).getroot().iter("context")
            for m in ctx.findall("message")]


def translations(message: ET.Element) -> list[str]:
    node = message.find("translation")
    forms_ = node.findall("numerusform")
    return [f.text or "" for f in forms_] if message.get("numerus") == "yes" else [node.text or ""]


@pytest.fixture(scope="module")
def qm_dir() -> Path:
    """The English build of TS (made once per test process: gui_support.english_qm_dir)."""
    return english_qm_dir()


@pytest.fixture
def english(app, qm_dir):
    i18n.install_language(app, "en", qm_dir)
    yield
    i18n.install_language(app, "zh")


# ---- the .ts file ------------------------------------------------------------------------------
def test_every_string_has_a_finished_english_translation():
    bad = []
    for context, m in messages(TS):
        node = m.find("translation")
        texts = translations(m)
        if node.get("type") is not None or not all(t.strip() for t in texts) or \
                (m.get("numerus") == "yes" and len(texts) != 2):
            bad.append(f"{context}: {m.findtext('source')!r} → {texts} ({node.get('type')})")
    assert not bad, "unfinished or empty translations in weicha_en.ts (run `make ts`, " \
                    "then translate):\n" + "\n".join(bad)


def test_translations_keep_the_placeholders():
    bad = []
    for context, m in messages(TS):
        wanted = sorted(PLACEHOLDER.findall(m.findtext("source")))
        for text in translations(m):
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                bad.append(f"{context}: {m.findtext('source')!r} → {text!r}")
    assert not bad, "translations whose {placeholders} differ from the source:\n" + "\n".join(bad)


def test_every_tr_string_of_the_gui_is_in_the_ts(tmp_path):
    fresh = tmp_path / "fresh.ts"
    subprocess.run([str(TOOLS / "pyside6-lupdate"), *sorted(map(str, GUI.rglob("*.py"))),
                    "-source-language", "zh_CN", "-target-language", "en", "-locations", "none",
                    "-ts", str(fresh)], check=True, capture_output=True)
    have = {(c, m.findtext("source")) for c, m in messages(TS)}
    found = {(c, m.findtext("source")) for c, m in messages(fresh)}
    assert len(found) > 50  # lupdate did read the sources
    missing = sorted(found - have)
    assert not missing, "tr() strings missing from weicha_en.ts (run `make ts`, then " \
                        "translate):\n" + "\n".join(f"{c}: {s!r}" for c, s in missing)


def test_role_and_status_names_are_the_cores_in_the_windows_language(app, english):
    """Defined once (core/labels.py): the window shows the core's words in its language."""
    assert role_name("supervisor") == labels.ROLES["supervisor"].en == "Reviewer"
    assert list_status_name("returned") == labels.RETURNED_LABEL.en
    assert [list_status_name(s) for s in ("draft", "finalized", "reviewed")] == \
        [labels.STATUSES[s].en for s in ("draft", "finalized", "reviewed")]
    i18n.install_language(app, "zh")
    assert role_name("supervisor") == "审核人" and list_status_name("draft", returned=True) == "退回补正"


# ---- loading -----------------------------------------------------------------------------------
def test_english_changes_what_the_window_shows(app, english, qtbot, store, admin):
    UserService(store).add(admin, "zhou", "supervisor", PASSWORD, display_name="周建国", badge_no="200017")
    supervisor = UserService(store).authenticate("zhou", PASSWORD)
    window = MainWindow(store, forms(), supervisor)
    qtbot.addWidget(window)
    window.show()
    nav = child(window, QListWidget, "navList")
    assert [nav.item(i).text() for i in range(nav.count())] == ["Scene investigation", "Review", "Checks",
                                                                "Base information", "Patrols", "Public requests"]
    assert window.windowTitle() == f"WeiCha Desktop — {UNIT_NAME}"
    assert child(window, QLabel, "userLabel").text() == "User: 周建国 (Reviewer)"
    assert child(window, QLabel, "unitLabel").text() == f"Unit: {UNIT_NAME}"
    assert child(window, QLabel, "syncLabel").text() == "Sync: not set up (offline)"
    assert child(window, QLabel, "pendingLabel").text() == "Nothing to sync"
    assert child(window, QTabWidget, "mainTabs").tabText(0) == "Cases"
    assert window.menuBar().actions()[0].text() == "&File"
    review = window.show_page("review")
    assert child(review, QLabel, "reviewPlaceholder").text() == "No cases waiting for review"
    window.cases.new_case()
    window.status.refresh()
    assert child(window, QLabel, "pendingLabel").text() == "1 operation to sync"
    window.cases.new_case()
    window.status.refresh()
    assert child(window, QLabel, "pendingLabel").text() == "2 operations to sync"


def test_chinese_also_translates_qts_own_buttons(app):
    i18n.install_language(app, "zh")
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    assert QCoreApplication.translate("MainWindow", "审核") == "审核"


def test_switching_back_to_chinese_removes_english(app, qm_dir):
    i18n.install_language(app, "en", qm_dir)
    assert QCoreApplication.translate("MainWindow", "审核") == "Review"
    i18n.install_language(app, "zh")
    assert QCoreApplication.translate("MainWindow", "审核") == "审核"
    assert len(app.findChildren(QTranslator, "weichaTranslator")) == 1  # qtbase_zh_CN only


def test_a_missing_english_build_is_explained_and_the_ui_stays_chinese(app, dialogs, monkeypatch,
                                                                       tmp_path):
    monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path)
    with pytest.raises(FileNotFoundError, match="make translations"):
        i18n.install_language(app, "en")
    gui_app.apply_language(app, "en")
    kind, _title, text = dialogs.shown[-1]
    assert kind == "warning" and "make translations" in text
    assert QCoreApplication.translate("MainWindow", "审核") == "审核"
    assert app.applicationDisplayName() == "微察桌面版"
