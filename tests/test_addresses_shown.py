"""Addresses in the case list and the review queue show what tells them apart (issue 10 §4):
at 1024×768 a list of addresses in one district showed only "广西壮族自治区梧州市…" on every
row. The divisions every address shares are dropped where the column is too narrow; the whole
address is the tooltip; a wide column shows it whole."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QStyleOptionViewItem, QTableView

from gui_support import admin, app, cases, child, complete_values, forms, store  # noqa: F401
from support import PASSWORD
from weicha_desktop.core.users import UserService
from weicha_desktop.gui.cases.addresses import SharedPrefix, divisions, shared, short_address
from weicha_desktop.gui.cases.list import CaseTableModel
from weicha_desktop.gui.shell.main_window import MainWindow

DISTRICT = "广西壮族自治区梧州市万秀区"
STREETS = ["新兴街28号综合市场东侧商铺", "西江路3号江景花园7栋1单元", "大学路120号学生宿舍6栋502室",
           "民主路7号金穗大厦12楼"]
ADDRESS = 2  # the 发案地点 column


# ---- the rule ----------------------------------------------------------------------------------
@pytest.mark.parametrize("address, parts", [
    ("广西壮族自治区梧州市万秀区新兴街28号", ["广西壮族自治区", "梧州市", "万秀区"]),
    ("北京市朝阳区建国路1号", ["北京市", "朝阳区"]),
    ("内蒙古自治区呼和浩特市赛罕区大学西街", ["内蒙古自治区", "呼和浩特市", "赛罕区"]),
    ("钦州市钦南区长安镇中心街", ["钦州市", "钦南区", "长安镇"]),
    ("钦州市钦南区市场路5号", ["钦州市", "钦南区"]),       # 市场路 is a street, not a city
    ("阳光小区3栋502", []),                            # a housing estate is no district
    ("", []),
])
def test_divisions_are_whole_administrative_levels(address, parts):
    assert divisions(address) == parts


def test_only_divisions_every_address_shares_are_dropped():
    prefix = SharedPrefix()
    assert not prefix.add([DISTRICT + STREETS[0]]) and prefix.prefix == ""  # one address: whole
    assert prefix.add([None, "", DISTRICT + STREETS[1]]) and prefix.prefix == DISTRICT
    assert not prefix.add([DISTRICT + STREETS[2]])
    assert prefix.add(["广西壮族自治区梧州市长洲区兴龙路1号"]) and prefix.prefix == "广西壮族自治区梧州市"
    assert prefix.add(["湖南省长沙市岳麓区麓山南路2号"]) and prefix.prefix == ""
    assert short_address(DISTRICT + STREETS[0], DISTRICT) == "…" + STREETS[0]
    assert short_address(DISTRICT, DISTRICT) == DISTRICT  # never nothing at all
    assert short_address("阳光小区3栋", DISTRICT) == "阳光小区3栋"
    assert short_address(None, DISTRICT) == ""


@given(st.lists(st.text(alphabet="省市区县镇乡街道路号广西梧州万秀小0123", max_size=14), max_size=6))
def test_the_shared_prefix_is_a_prefix_of_every_address_and_never_cuts_a_division(addresses):
    prefix = SharedPrefix()
    prefix.add(addresses)
    kept = [a for a in addresses if a]
    if len(kept) < 2:
        assert prefix.prefix == ""
    for address in kept:
        assert address.startswith(prefix.prefix)
        assert "".join(divisions(address)).startswith(prefix.prefix)
        assert prefix.prefix + short_address(address, prefix.prefix).lstrip("…") == address \
            or short_address(address, prefix.prefix) == address
    assert shared(None, kept) == shared(shared(None, kept[:1]), kept[1:])  # page by page = all at once


# ---- what the lists show -----------------------------------------------------------------------
@pytest.fixture
def district_cases(cases):
    """Finalized cases in one district of a long-named region (the review queue's too)."""
    return [cases.finalize(cases.new_case({**complete_values(), "scene_address": DISTRICT + street}).id)
            for street in STREETS]


def window_as(qtbot, store, actor, size) -> MainWindow:
    win = MainWindow(store, forms(), actor)
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    return win


def painted(table: QTableView, row: int) -> str:
    """The text a cell of the address column is painted with: its delegate's choice, elided to
    the cell as the style does."""
    index = table.model().index(row, ADDRESS)
    option = QStyleOptionViewItem()
    option.initFrom(table.viewport())
    option.rect = table.visualRect(index)
    delegate = table.itemDelegateForIndex(index)
    delegate.initStyleOption(option, index)
    room = option.rect.width() - 8
    return option.fontMetrics.elidedText(option.text, option.textElideMode, room)


def street_of(text: str) -> str | None:
    return next((s for s in STREETS if text.lstrip("…").startswith(s[:5])), None)


@pytest.mark.parametrize("page, table_name", [("cases", "caseTable"), ("review", "reviewQueue")])
def test_a_narrow_list_shows_the_street_not_the_shared_region(app, qtbot, store, admin, district_cases,
                                                              page, table_name):
    UserService(store).add(admin, "zhou", "supervisor", PASSWORD, display_name="周建国", badge_no="200051")
    win = window_as(qtbot, store, UserService(store).authenticate("zhou", PASSWORD), (1024, 768))
    table = child(win.show_page(page), QTableView, table_name)
    model = table.model()
    assert model.rowCount() == len(STREETS)
    shown = set()
    for row in range(model.rowCount()):
        full = model.index(row, ADDRESS).data(Qt.ItemDataRole.ToolTipRole)
        assert full.startswith(DISTRICT)                       # the tooltip: the whole address
        assert model.index(row, ADDRESS).data() == "…" + full[len(DISTRICT):]
        text = painted(table, row)
        assert text.startswith("…") and street_of(text) == street_of(full[len(DISTRICT):]), text
        shown.add(street_of(text))  # its street, not the region all rows share
    assert shown == set(STREETS)
    tip = model.headerData(ADDRESS, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert DISTRICT in tip


def test_a_wide_column_shows_the_whole_address(app, qtbot, store, admin, district_cases):
    win = window_as(qtbot, store, admin, (1900, 900))
    table = child(win, QTableView, "caseTable")
    for row in range(table.model().rowCount()):
        full = table.model().index(row, ADDRESS).data(Qt.ItemDataRole.ToolTipRole)
        assert painted(table, row) == full


def test_the_prefix_follows_the_rows_as_pages_arrive(app, qtbot, cases):
    cases.new_case({"scene_address": "广西壮族自治区梧州市长洲区兴龙路1号"})  # the oldest: last page
    # (the list shows the latest change first)
    for street in STREETS[:3]:
        cases.new_case({"scene_address": DISTRICT + street})
    model = CaseTableModel(cases, page_size=2, budget=None)
    changed = []
    model.dataChanged.connect(lambda first, last, *_: changed.append((first.column(), last.row())))
    assert model.rowCount() == 2 and model.index(0, ADDRESS).data().startswith("…")
    assert model.addresses.prefix == DISTRICT
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 4 and model.addresses.prefix == "广西壮族自治区梧州市"
    assert (ADDRESS, 3) in changed  # every loaded row's cell redrawn with the shorter prefix
    assert model.index(0, ADDRESS).data().startswith("…万秀区")
    model.set_filter(text="兴龙路")  # one row left: shown whole
    assert model.rowCount() == 1 and model.index(0, ADDRESS).data() == "广西壮族自治区梧州市长洲区兴龙路1号"
