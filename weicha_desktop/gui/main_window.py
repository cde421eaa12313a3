"""The main window: navigation on the left, the case list and open cases in tabs."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (QLabel, QListWidget, QMainWindow, QMessageBox, QSplitter,
                               QStackedWidget, QTabBar, QTabWidget, QWidget)

from weicha_desktop.core.cases import CaseRecord, CaseService
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.core.users import ROLES
from weicha_desktop.gui.case_list import CaseListView
from weicha_desktop.gui.form_view import FormView

SYNC_OFFLINE = "同步：未配置（离线）"
NAV_ITEMS = ("现场勘验",)


class MainWindow(QMainWindow):
    def __init__(self, store: Store, forms, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.actor = actor
        self.cases = CaseService(store, forms, actor)
        self.unit_name = store.meta("unit_name") or ""
        self.setWindowTitle(f"微察桌面版 — {self.unit_name}" if self.unit_name else "微察桌面版")
        self.resize(1280, 800)

        self.nav = QListWidget()
        self.nav.setObjectName("navList")
        self.nav.addItems(list(NAV_ITEMS))
        self.nav.setMinimumWidth(120)
        self.nav.setMaximumWidth(200)
        self.nav.setStyleSheet("QListWidget#navList::item { padding: 8px 12px; }")

        self.case_list = CaseListView(self.cases)
        self.case_list.setObjectName("caseListView")
        self.case_list.openCase.connect(self.open_case)
        self.case_list.newCaseRequested.connect(self.new_case)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.addTab(self.case_list, "勘验列表")
        for side in (QTabBar.ButtonPosition.LeftSide, QTabBar.ButtonPosition.RightSide):
            self.tabs.tabBar().setTabButton(0, side, None)  # the list itself stays open
        self.tabs.tabCloseRequested.connect(self.close_tab)

        self.stack = QStackedWidget()
        self.stack.setObjectName("mainStack")
        self.stack.addWidget(self.tabs)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([150, 1130])
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)

        role = ROLES.get(actor.role, actor.role)
        self.user_label = QLabel(f"用户：{actor.display_name or actor.name}（{role}）")
        self.user_label.setObjectName("userLabel")
        self.unit_label = QLabel(f"单位：{self.unit_name}")
        self.unit_label.setObjectName("unitLabel")
        self.sync_label = QLabel(SYNC_OFFLINE)
        self.sync_label.setObjectName("syncLabel")
        bar = self.statusBar()
        bar.addWidget(self.user_label)
        bar.addWidget(self.unit_label)
        bar.addPermanentWidget(self.sync_label)
        self.case_list.search.setFocus()

    # ---- cases -----------------------------------------------------------------------------
    def form_views(self) -> list[FormView]:
        return [w for i in range(self.tabs.count())
                if isinstance(w := self.tabs.widget(i), FormView)]

    def open_case(self, case_id: str) -> FormView | None:
        for view in self.form_views():
            if view.case.id == case_id:
                self.tabs.setCurrentWidget(view)
                return view
        try:
            case = self.cases.get(case_id)
            view = FormView(self.cases, case)
        except WeichaError as e:
            QMessageBox.warning(self, "打开勘验", str(e))
            return None
        return self._add_view(view, case)

    def new_case(self) -> FormView | None:
        try:
            case = self.cases.new_case()
        except WeichaError as e:
            QMessageBox.warning(self, "新建勘验", str(e))
            return None
        self.case_list.refresh()
        self.statusBar().showMessage(f"已新建勘验 {case.number}", 5000)
        return self._add_view(FormView(self.cases, case), case)

    def _add_view(self, view: FormView, case: CaseRecord) -> FormView:
        view.saved.connect(lambda _case: self.case_list.refresh())
        index = self.tabs.addTab(view, case.number)
        self.tabs.setTabToolTip(index, f"{case.number}（{case.status_label}）")
        self.tabs.setCurrentIndex(index)
        return view

    def close_tab(self, index: int) -> None:
        view = self.tabs.widget(index)
        if not isinstance(view, FormView) or not self._may_close(view):
            return
        self.tabs.removeTab(index)
        view.deleteLater()

    def _may_close(self, view: FormView) -> bool:
        """Unsaved changes: ask 保存 / 不保存 / 取消."""
        if not view.is_dirty():
            return True
        self.tabs.setCurrentWidget(view)
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self, "未保存的修改", f"勘验 {view.case.number} 有未保存的修改，要保存吗？",
            buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save)
        if answer == buttons.Save:
            return view.save()
        return answer == buttons.Discard

    def closeEvent(self, event: QCloseEvent) -> None:
        if all(self._may_close(view) for view in self.form_views()):
            event.accept()
        else:
            event.ignore()
