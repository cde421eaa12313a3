"""现场勘验: the case list and one tab per open case (``mainTabs``). A case's tab is its form,
with its photo log and evidence register as views beside it (pages.py).

Above the list a banner names the cases a reviewer returned for correction (the list itself
puts them first and marks their status in red), with a button that shows only those. List
and banner follow the store's commits (``StoreEvents``): a case created, saved, finalized,
reviewed or amended, here or anywhere else in the program.

A case's form and pages (forms/, photos/, evidence/, reports/) are imported when the first
case opens: the list is all the window shows at its start (benchmarks/bench_startup.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QTabBar, QTabWidget,
                               QVBoxLayout, QWidget)

from weicha_desktop.core.case_query import CaseFilters, CaseQuery
from weicha_desktop.core.cases import CaseRecord, CaseService
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.store.events import ChangeSummary
from weicha_desktop.gui.cases.list import CaseListView
from weicha_desktop.gui.common.i18n import current_language
from weicha_desktop.gui.common.labels import status_name
from weicha_desktop.gui.common.settings import Settings
from weicha_desktop.gui.common.store_events import StoreEvents

if TYPE_CHECKING:
    from weicha_desktop.gui.cases.pages import CasePages
    from weicha_desktop.gui.forms.view import FormView

BANNER_STYLE = ("QFrame#returnedBanner { background: #fdecea; border: 1px solid #f5c2c0; "
                "border-radius: 4px; } QLabel#returnedBannerText { color: #8a1c12; }")


class CaseWorkspace(QTabWidget):
    changed = Signal()  # a case was created, saved, finalized or amended here
    message = Signal(str)  # a passing note for the status bar

    def __init__(self, cases: CaseService, parent: QWidget | None = None, *,
                 photos: PhotoService | None = None, settings: Settings | None = None,
                 events: StoreEvents | None = None, list_pause_ms: int = 250):
        """``events``: the window's (None: one of its own on the cases' store).
        ``list_pause_ms``: the case list's typing pause (CaseListView's ``pause_ms``)."""
        super().__init__(parent)
        self.cases = cases
        self.photos = photos or PhotoService(cases.store, cases.actor, cases.forms)
        self.settings = settings  # handed to each case's pages (the report dialog's choices)
        self.case_pages: dict[FormView, CasePages] = {}  # every case tab (its form view)
        self.query = CaseQuery(cases.store)
        self.setObjectName("mainTabs")
        self.setTabsClosable(True)
        self.setMovable(True)

        self.case_list = CaseListView(cases, pause_ms=list_pause_ms)
        self.case_list.setObjectName("caseListView")
        self.case_list.openCase.connect(self.open_case)
        self.case_list.newCaseRequested.connect(self.new_case)
        new_keys = QKeySequence(QKeySequence.StandardKey.New)  # Ctrl+N, from anywhere in 现场勘验
        new_shortcut = QShortcut(new_keys, self)
        new_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        new_shortcut.activated.connect(self.new_case)
        self.case_list.new_button.setToolTip(self.tr("新建勘验（{keys}）").format(
            keys=new_keys.toString(QKeySequence.SequenceFormat.NativeText)))

        self.banner = QFrame()
        self.banner.setObjectName("returnedBanner")
        self.banner_text = QLabel()
        self.banner_text.setObjectName("returnedBannerText")
        self.banner_text.setWordWrap(True)
        show_returned = QPushButton(self.tr("只看退回补正的"))
        show_returned.setObjectName("showReturnedButton")
        show_returned.clicked.connect(self.show_returned)
        row = QHBoxLayout(self.banner)
        row.addWidget(self.banner_text, 1)
        row.addWidget(show_returned)
        self.banner.setStyleSheet(BANNER_STYLE)

        list_page = QWidget()
        layout = QVBoxLayout(list_page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.case_list, 1)
        self.addTab(list_page, self.tr("勘验列表"))
        for side in (QTabBar.ButtonPosition.LeftSide, QTabBar.ButtonPosition.RightSide):
            self.tabBar().setTabButton(0, side, None)  # the list itself stays open
        self.tabCloseRequested.connect(self.close_tab)
        self._update_banner()
        (events or StoreEvents(cases.store, self)).changed.connect(self._store_changed)

    # ---- the list --------------------------------------------------------------------------
    def refresh_list(self) -> None:
        self.case_list.refresh()
        self._update_banner()

    def _store_changed(self, summary: ChangeSummary) -> None:
        if summary.changed("case"):
            self.refresh_list()

    def _update_banner(self) -> None:
        n = self.query.count(CaseFilters(status="returned"))  # an index count
        self.banner_text.setText(
            self.tr("有 %n 件勘验被审核人退回补正，已排在列表最前（状态标红）。", "", n))
        self.banner.setVisible(n > 0)

    def show_returned(self) -> None:
        self.setCurrentIndex(0)
        combo = self.case_list.status_filter
        combo.setCurrentIndex(combo.findData("returned"))

    # ---- case tabs -------------------------------------------------------------------------
    def form_views(self) -> list[FormView]:
        return [w for i in range(self.count()) if self._is_case_tab(w := self.widget(i))]

    def _is_case_tab(self, widget: QWidget) -> bool:
        """A case's form (not the list): every one is in ``case_pages`` (``_add_view``)."""
        return widget in self.case_pages

    def open_case(self, case_id: str) -> FormView | None:
        for view in self.form_views():
            if view.case.id == case_id:
                self.setCurrentWidget(view)
                return view
        from weicha_desktop.gui.forms.view import FormView

        try:
            case = self.cases.get(case_id)
            view = FormView(self.cases, case, lang=current_language())
        except WeichaError as e:
            QMessageBox.warning(self, self.tr("打开勘验"), str(e))
            return None
        self._add_view(view, case)
        if self.case_pages[view].return_row is not None and view.is_editable():
            view.pages[view.tabs.currentIndex()].focus_first()  # returned: where the comment points
        return view

    def new_case(self) -> FormView | None:
        from weicha_desktop.gui.forms.view import FormView

        try:
            case = self.cases.new_case()
        except WeichaError as e:
            QMessageBox.warning(self, self.tr("新建勘验"), str(e))
            return None
        self.changed.emit()
        self.message.emit(self.tr("已新建勘验 {number}").format(number=case.number))
        view = self._add_view(FormView(self.cases, case, lang=current_language()), case)
        view.focus_first_empty()
        return view

    def _add_view(self, view: FormView, case: CaseRecord) -> FormView:
        from weicha_desktop.gui.cases.pages import CasePages

        view.saved.connect(self._saved)
        self.case_pages[view] = CasePages(view, self.photos, current_language(), settings=self.settings)
        self.case_pages[view].photosChanged.connect(self.changed)  # the status bar's count
        index = self.addTab(view, case.number)
        self.setTabToolTip(index, self._tab_tip(case))
        self.setCurrentIndex(index)
        return view

    def _saved(self, case: CaseRecord) -> None:
        for index in range(self.count()):
            widget = self.widget(index)
            if self._is_case_tab(widget) and widget.case.id == case.id:
                self.setTabToolTip(index, self._tab_tip(case))
        self.changed.emit()

    def _tab_tip(self, case: CaseRecord) -> str:
        return self.tr("{number}（{status}）").format(number=case.number, status=status_name(case))

    def reload_case(self, case: CaseRecord) -> None:
        """A case changed elsewhere (reviewed): show its new state where it is open."""
        for view in self.form_views():
            if view.case.id == case.id and not view.is_dirty():
                view.load(case)

    def close_tab(self, index: int) -> None:
        view = self.widget(index)
        if not self._is_case_tab(view) or not self._may_close(view):
            return
        self.removeTab(index)
        self.case_pages.pop(view).shutdown()
        view.deleteLater()

    def shutdown(self) -> None:
        """The program closes: stop imports and decoders of every open case."""
        for pages in self.case_pages.values():
            pages.shutdown()

    def may_close_all(self) -> bool:
        return all(self._may_close(view) for view in self.form_views())

    def _may_close(self, view: FormView) -> bool:
        """Closing commits the editing session to the record. If some values are wrong the
        edits stay in the recovery journal (they come back when the case is opened again):
        close anyway, or stay and correct them."""
        if view.commit_session():
            return True
        self.setCurrentWidget(view)
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self, self.tr("未能保存"),
            self.tr("勘验 {number} 有数据有误，修改未能保存到记录。\n"
                    "修改已自动保存，下次打开这件勘验时会恢复。仍要关闭吗？").format(
                number=view.case.number),
            buttons.Close | buttons.Cancel, buttons.Cancel)
        return answer == buttons.Close
