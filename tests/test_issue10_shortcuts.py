"""Issue 10: Help → 快捷键 says what the photo keys now do (a digit classifies one photo and
selects the next; Alt+I offers the card in the reader and starts the photos as 细目, Enter
imports), and docs/gui.md says the same."""
from __future__ import annotations

from pathlib import Path

from weicha_desktop.gui.shell.shortcuts import key_list

DOCS = Path(__file__).parent.parent / "docs" / "gui.md"


def docs_row(keys: str) -> str:
    """The row of docs/gui.md's key table that starts with ``keys``."""
    rows = [line for line in DOCS.read_text(encoding="utf-8").splitlines()
            if line.startswith(f"| {keys} |")]
    assert len(rows) == 1, keys
    return rows[0]


def test_the_photo_keys_are_said_as_they_now_work():
    listed = dict(key_list())
    alt_i = listed["Alt+I"]
    assert "输入文件夹后选分类" not in alt_i  # the old order of the dialog
    assert "存储卡" in alt_i and "细目" in alt_i and "Enter" in alt_i
    digits = listed["1–6"]
    assert "下一张" in digits and "方位" in digits
    assert "细目" in docs_row("Alt+I") and "Enter imports" in docs_row("Alt+I")
    assert "the next one is selected" in docs_row("1–6")
