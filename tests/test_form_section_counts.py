"""The section list beside the case form (gui/forms/section_list.py): problem counts per
section, shown again after every pause in typing. A row is touched only when what it shows
changes — every item setter is a dataChanged the word-wrapped list lays out and repaints
for — and what it shows is the same as when every row was set each time."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTabWidget, QWidget

from weicha_desktop.gui.forms.section_list import RETURNED_BACKGROUND, SectionList

TITLES = ["基本情况", "现场勘验人员", "现场勘验情况", "提取痕迹物证"]


def section_list(qtbot) -> SectionList:
    tabs = QTabWidget()
    for title in TITLES:
        tabs.addTab(QWidget(), title)
    sections = SectionList(tabs)
    qtbot.addWidget(tabs)
    qtbot.addWidget(sections)
    return sections


def changes(sections: SectionList) -> list[int]:
    seen: list[int] = []
    sections.model().dataChanged.connect(lambda top, bottom, roles=(): seen.append(top.row()))
    return seen


def shown(sections: SectionList) -> list[tuple[str, bool, str]]:
    return [(sections.item(r).text(), sections.item(r).font().bold(), sections.item(r).toolTip())
            for r in range(sections.count())]


def test_the_same_counts_again_touch_no_row(qtbot):
    sections = section_list(qtbot)
    seen = changes(sections)
    sections.show_counts({})
    assert seen == []  # plain titles: as made
    sections.show_counts({2: 3})
    assert set(seen) == {2} and sections.item(2).text() == "现场勘验情况（3）"
    assert sections.item(2).foreground().color() == QColor(Qt.GlobalColor.darkRed)
    seen.clear()
    sections.show_counts({2: 3})
    assert seen == []
    sections.show_counts({2: 1, 0: 1})
    assert set(seen) == {0, 2}
    assert [sections.item(r).text() for r in range(4)] == [
        "基本情况（1）", "现场勘验人员", "现场勘验情况（1）", "提取痕迹物证"]
    seen.clear()
    sections.show_counts({})  # all fixed: the titles plain again, in the text colour
    assert set(seen) == {0, 2} and [sections.item(r).text() for r in range(4)] == TITLES
    assert sections.item(0).foreground().color() == sections.palette().text().color()


def test_a_return_mark_follows_with_the_counts(qtbot):
    sections = section_list(qtbot)
    sections.show_counts({1: 2})
    sections.show_return(1, "请补充见证人")
    item = sections.item(1)
    assert item.font().bold() and "请补充见证人" in item.toolTip() and item.text() == "现场勘验人员（2）"
    assert item.background().color() == QColor(RETURNED_BACKGROUND)
    seen = changes(sections)
    sections.show_counts({1: 2})
    assert seen == []
    sections.show_return(1, "另一条意见")  # the same row, another comment: its tooltip follows
    assert "另一条意见" in sections.item(1).toolTip()
    sections.show_return(None)
    assert shown(sections)[1] == ("现场勘验人员（2）", False, "现场勘验人员")
    assert sections.item(1).background().color().alpha() == 0
