"""导入名单… in the English window says the core's refusals, bad rows and progress in English
(core/checks/lists.py raises and reports Msg ids of core/messages.py), while the CLI keeps its
Chinese words: a file with bad and repeated rows, a UTF-16 file, a list name of the server's."""
import re

import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QPushButton

from weicha_desktop.core.checks import ImportRefused, import_list
from weicha_desktop.core.checks.lists import problems_text
from weicha_desktop.core.messages import render
from weicha_desktop.gui.checks.import_dialog import WatchlistImportDialog

from tests.gui_support import app, child  # noqa: F401 (fixtures)
from tests.support import admin, store  # noqa: F401 (fixtures)
from tests.test_i18n import english, qm_dir  # noqa: F401 (fixtures)

CHINESE = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")
ROWS = "身份证号,姓名\n11010519491231002X,A\n12345,B\n11010519491231002x,C\n"


def run(qtbot, dialog, path, name="在逃人员") -> tuple[str, str]:
    child(dialog, QLineEdit, "watchImportPath").setText(str(path))
    child(dialog, QComboBox, "watchImportName").setCurrentText(name)
    child(dialog, QPushButton, "watchImportButton").click()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=5000)
    return (child(dialog, QLabel, "watchImportMessage").text(),
            child(dialog, QPlainTextEdit, "watchImportProblems").toPlainText())


def test_the_import_dialog_speaks_english(app, english, qtbot, store, admin, tmp_path):  # noqa: F811
    dialog = WatchlistImportDialog(store, admin)
    qtbot.addWidget(dialog)
    seen = []
    dialog.progress_row.advance = lambda fraction, text: seen.append(text)  # what the worker says
    (tmp_path / "rows.csv").write_text(ROWS, encoding="utf-8")
    message, problems = run(qtbot, dialog, tmp_path / "rows.csv")
    assert "2 lines of the file rows.csv are wrong and nothing was imported" in message
    assert problems.splitlines()[0].startswith("Line 3: ") and "repeats line 2" in problems.splitlines()[1]
    assert not CHINESE.search(message + problems), message + problems
    (tmp_path / "utf16.csv").write_bytes(ROWS.encode("utf-16"))
    message, _ = run(qtbot, dialog, tmp_path / "utf16.csv")
    assert message.startswith("The file utf16.csv is UTF-16") and not CHINESE.search(message)
    message, _ = run(qtbot, dialog, tmp_path / "rows.csv", name="上级下发名单（人员）")
    assert "is the name of the lists from headquarters" in message

    dialog.skip_bad.setChecked(True)
    message, problems = run(qtbot, dialog, tmp_path / "rows.csv")
    assert store.conn.execute("SELECT count(*) FROM watch_entries").fetchone() == (1,)
    assert problems.splitlines()[0].startswith("Line 3: ") and not CHINESE.search(problems)
    assert "Writing 1 entries…" in seen and not any(CHINESE.search(t) for t in seen)


def test_the_cli_keeps_its_chinese_words(store, admin, tmp_path):  # noqa: F811
    (tmp_path / "rows.csv").write_text(ROWS, encoding="utf-8")
    with pytest.raises(ImportRefused) as caught:
        import_list(store, admin, tmp_path / "rows.csv", "在逃人员")
    refused = caught.value
    assert str(refused).startswith("文件 rows.csv 有 2 行有误，未导入任何条目（改正后重新导入，或加 --skip-bad")
    assert "第 4 行：身份证号 11010519491231002X 与第 2 行重复。" in str(refused)
    assert problems_text(refused.problems, "en").splitlines()[1] == \
        "Line 4: The ID number 11010519491231002X repeats line 2."
    assert render(refused, "en").startswith("2 lines of the file rows.csv are wrong")
