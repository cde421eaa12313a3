"""The main window: navigation on the left, one page per module, the status bar.

Only modules that work are listed (later issues add 采集, 巡逻, 核查, 互动, 工作日志, 统计,
同步 to ``MODULES``). A page is built the first time it is shown. With ``settings`` the
window restores and keeps its geometry, navigation width and last page; without (tests,
``weicha screenshot``) it keeps nothing. One ``StoreEvents`` (common/store_events.py) tells
the status bar, the case list and the review queue of every commit: they refresh on change.

What the window does not show at its start (the review queue, the dialogs) is imported when
first wanted: the first paint waits for no more than it needs (benchmarks/bench_startup.py).
What the window needs soon but not for its first paint is done right after it, by itself
(``finish_start``): the older form versions are read (forms/archive/) and, with
``paint_first`` (the program: app.build_main_window), the status bar's count of operations
waiting and its backup state; without (tests, ``weicha screenshot``), these at once."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (QDialog, QListWidget, QListWidgetItem, QMainWindow, QSplitter,
                               QStackedWidget, QWidget)

from weicha_desktop.core.cases import CaseRecord, CaseService
from weicha_desktop.core.forms import FormError
from weicha_desktop.core.labels import REVIEWER_ROLES, ROLES
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.gui.bundles.actions import BundleActions
from weicha_desktop.gui.cases.workspace import CaseWorkspace
from weicha_desktop.gui.common.labels import status_name
from weicha_desktop.gui.common.settings import Settings
from weicha_desktop.gui.common.store_events import StoreEvents
from weicha_desktop.gui.shell.status_bar import StatusBar
from weicha_desktop.gui.sync.forms import follow_pulled_forms
from weicha_desktop.gui.sync.originals import original_fetcher
from weicha_desktop.gui.sync.worker import SyncWorker

if TYPE_CHECKING:
    from weicha_desktop.gui.shell.backup_dialog import BackupDialog
    from weicha_desktop.gui.shell.shortcuts import ShortcutsDialog
    from weicha_desktop.gui.shell.verify_dialog import VerifyDialog
    from weicha_desktop.gui.sync.page import SyncPage

PAGE_KEY = Qt.ItemDataRole.UserRole
STATUS_MESSAGE_MS = 6000


@dataclass(frozen=True)
class Module:
    key: str
    title: str  # source text, translated in the "MainWindow" context
    roles: frozenset[str]
    build: Callable[["MainWindow"], QWidget]


def _build_review(window: "MainWindow") -> QWidget:
    from weicha_desktop.gui.review.collect import CollectReviewQueue
    from weicha_desktop.gui.review.queue import ReviewQueue

    def queue(scope: str) -> Callable[[], QWidget]:  # made when its switch is first pressed
        return lambda: CollectReviewQueue(window.store, window.forms, window.actor, events=window.events,
                                          scope=scope)

    collect, patrols, requests = (queue(scope) for scope in ("collect", "patrol", "request"))
    page = ReviewQueue(window.cases, photos=window.photos, settings=window.settings,
                       events=window.events, collect=collect,
                       more=((QCoreApplication.translate("MainWindow", "巡逻"), "reviewKindPatrol", patrols),
                             (QCoreApplication.translate("MainWindow", "互动"), "reviewKindRequest", requests)))
    page.reviewed.connect(window.case_reviewed)
    return page


def _build_checks(window: "MainWindow") -> QWidget:
    from weicha_desktop.core.checks import CheckService
    from weicha_desktop.gui.checks.page import CheckPage

    return CheckPage(CheckService(window.store, window.actor), events=window.events, forms=window.forms)


def _build_collect(window: "MainWindow") -> QWidget:
    from weicha_desktop.gui.collect.page import CollectPage

    return CollectPage(window.store, window.forms, window.actor, events=window.events)


def _build_patrol(window: "MainWindow") -> QWidget:
    from weicha_desktop.gui.patrol.page import PatrolPage

    return PatrolPage(window.store, window.forms, window.actor, events=window.events)


def _build_requests(window: "MainWindow") -> QWidget:
    from weicha_desktop.gui.requests.page import RequestPage

    return RequestPage(window.store, window.forms, window.actor, events=window.events)


MODULES = (
    Module("cases", QT_TRANSLATE_NOOP("MainWindow", "现场勘验"),
           frozenset(ROLES), lambda w: w.workspace),
    Module("review", QT_TRANSLATE_NOOP("MainWindow", "审核"),
           REVIEWER_ROLES, _build_review),
    Module("checks", QT_TRANSLATE_NOOP("MainWindow", "核查"),
           frozenset(ROLES), _build_checks),
    Module("collect", QT_TRANSLATE_NOOP("MainWindow", "采集"),
           frozenset(ROLES), _build_collect),
    Module("patrol", QT_TRANSLATE_NOOP("MainWindow", "巡逻"),
           frozenset(ROLES), _build_patrol),
    Module("requests", QT_TRANSLATE_NOOP("MainWindow", "互动"),
           frozenset(ROLES), _build_requests),
)


class MainWindow(QMainWindow):
    def __init__(self, store: Store, forms, actor: Actor, settings: Settings | None = None,
                 parent: QWidget | None = None, *, paint_first: bool = False, list_pause_ms: int = 250):
        super().__init__(parent)
        self.store = store
        self.actor = actor
        self.settings = settings
        self.forms = forms
        self.forms_broken = False  # an older form version did not load (finish_start)
        self._painted = False
        self.start_finished = False  # finish_start has run
        self.cases = CaseService(store, forms, actor)
        self.photos = PhotoService(store, actor, forms, originals=original_fetcher(store))  # copies' originals
        self.events = StoreEvents(store, self)
        follow_pulled_forms(self.events, store, forms)  # new form versions from a sync, no restart
        unit_name = store.meta("unit_name") or ""
        title = self.tr("微察桌面版")
        self.setWindowTitle(f"{title} — {unit_name}" if unit_name else title)
        self.resize(1280, 800)

        self.modules = [m for m in MODULES if actor.role in m.roles]
        self._pages: dict[str, QWidget] = {}
        self.workspace = CaseWorkspace(self.cases, photos=self.photos, settings=settings,
                                       events=self.events, list_pause_ms=list_pause_ms)
        self.workspace.message.connect(self.show_message)

        self.nav = QListWidget()
        self.nav.setObjectName("navList")
        for module in self.modules:
            item = QListWidgetItem(QCoreApplication.translate("MainWindow", module.title))
            item.setData(PAGE_KEY, module.key)
            self.nav.addItem(item)
        self.nav.setMinimumWidth(120)
        self.nav.setMaximumWidth(220)
        self.nav.setStyleSheet("QListWidget#navList::item { padding: 8px 12px; }")
        self.stack = QStackedWidget()
        self.stack.setObjectName("mainStack")
        self.nav.currentRowChanged.connect(self._nav_changed)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([150, 1130])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.status = StatusBar(store, actor, unit_name, self.events, counts_later=paint_first)
        self._paint_first = paint_first
        self.status.backupRequested.connect(self.open_backup)
        self.setStatusBar(self.status)
        self.sync = SyncWorker(store, actor, self.events, self)  # idle unless enrolled
        self.sync.stateChanged.connect(self._sync_state)
        self.status.syncRequested.connect(self.open_sync)
        self.sync.start_later()
        self.sync_page: SyncPage | None = None
        self.backup_dialog: BackupDialog | None = None
        self.verify_dialog: VerifyDialog | None = None
        self._build_menu()
        self._restore()
        self.workspace.case_list.search.setFocus()

    # ---- after the first paint -------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self, self.finish_start)  # once this paint is on the screen

    def finish_start(self) -> None:
        """What the first paint did not wait for: the status bar's counts (``paint_first``) and
        the older form versions, read now (a record of one that opened sooner had them read
        then). One that does not load stops the program as a broken form at the start does
        (app.load_forms)."""
        try:
            if self._paint_first:
                self.status.refresh_counts()
            self.forms.load_older()
        except FormError as e:
            from weicha_desktop.gui.shell.app import forms_error

            self.forms_broken = True
            forms_error(self, e)
            self.close()
        finally:
            self.start_finished = True

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("文件(&F)"))
        backup = QAction(self.tr("备份(&B)…"), self)
        backup.setObjectName("backupAction")
        backup.setToolTip(self.tr("把全部勘验记录和原始照片备份到一个文件"))
        backup.triggered.connect(self.open_backup)
        menu.addAction(backup)
        check = QAction(self.tr("校验数据(&V)…"), self)
        check.setObjectName("verifyAction")
        check.setToolTip(self.tr("核对数据是否被改动、回滚或损坏（weicha verify）"))
        check.triggered.connect(self.open_verify)
        menu.addAction(check)
        self.bundles = BundleActions(self, menu)  # 导出数据包…, 导入回执…, 导入基础数据…; the drive watcher
        settings = QAction(self.tr("设置(&S)…"), self)
        settings.setObjectName("settingsAction")
        settings.setShortcut(QKeySequence.StandardKey.Preferences)
        settings.triggered.connect(self.open_settings)
        settings.setEnabled(self.settings is not None)
        quit_ = QAction(self.tr("退出(&X)"), self)
        quit_.setObjectName("quitAction")
        quit_.setShortcut(QKeySequence.StandardKey.Quit)
        quit_.triggered.connect(self.close)
        menu.addAction(settings)
        menu.addSeparator()
        menu.addAction(quit_)
        help_menu = self.menuBar().addMenu(self.tr("帮助(&H)"))
        keys = QAction(self.tr("快捷键(&K)…"), self)
        keys.setObjectName("shortcutsAction")
        keys.triggered.connect(self.show_shortcuts)
        help_menu.addAction(keys)

    def show_shortcuts(self) -> ShortcutsDialog:
        from weicha_desktop.gui.shell.shortcuts import ShortcutsDialog

        dialog = ShortcutsDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    # ---- navigation ------------------------------------------------------------------------
    def page_keys(self) -> list[str]:
        return [m.key for m in self.modules]

    def page(self, key: str) -> QWidget:
        """The page of module ``key``, built on first use (KeyError if not for this user)."""
        if key not in self._pages:
            module = next((m for m in self.modules if m.key == key), None)
            if module is None:
                raise KeyError(key)
            self._pages[key] = module.build(self)
            self.stack.addWidget(self._pages[key])
        return self._pages[key]

    def show_page(self, key: str) -> QWidget:
        self.nav.setCurrentRow(self.page_keys().index(key))
        return self.page(key)

    def current_page_key(self) -> str:
        item = self.nav.currentItem()
        return item.data(PAGE_KEY) if item is not None else self.page_keys()[0]

    def _nav_changed(self, row: int) -> None:
        if row >= 0:
            self.stack.setCurrentWidget(self.page(self.modules[row].key))

    # ---- keeping in step (the counts and lists follow the store's commits by themselves) ----
    def case_reviewed(self, case: CaseRecord) -> None:
        self.workspace.reload_case(case)
        self.show_message(self.tr("勘验 {number}：{status}").format(
            number=case.number, status=status_name(case)))

    def show_message(self, text: str) -> None:
        self.status.showMessage(text, STATUS_MESSAGE_MS)

    def open_settings(self) -> None:
        if self.settings is None:
            return
        from weicha_desktop.gui.shell.settings_dialog import SettingsDialog

        before = self.settings.language
        dialog = SettingsDialog(self.settings, self.store.data_dir, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and self.settings.language != before:
            self.show_message(self.tr("界面语言已更改，重新启动程序后生效。"))

    def open_backup(self) -> BackupDialog:
        """文件 → 备份… (or 立即备份 in the status bar): not modal, the work goes on beside it."""
        if self.backup_dialog is None:
            from weicha_desktop.gui.shell.backup_dialog import BackupDialog

            self.backup_dialog = BackupDialog(self.store, self.actor, self)
            self.backup_dialog.backedUp.connect(self._backed_up)
        elif not self.backup_dialog.isVisible():
            self.backup_dialog.reset()
        self.backup_dialog.show()
        self.backup_dialog.raise_()
        self.backup_dialog.activateWindow()
        return self.backup_dialog

    def open_verify(self) -> VerifyDialog:
        """文件 → 校验数据…: checks at once, on a worker (the status bar's red notice asks for it)."""
        if self.verify_dialog is None:
            from weicha_desktop.gui.shell.verify_dialog import VerifyDialog

            self.verify_dialog = VerifyDialog(self.store, self)
        self.verify_dialog.start()
        self.verify_dialog.show()
        self.verify_dialog.raise_()
        self.verify_dialog.activateWindow()
        return self.verify_dialog

    def open_sync(self) -> SyncPage:
        """The status bar's sync item: the sync page (not modal; the sync runs on the worker)."""
        if self.sync_page is None:
            from weicha_desktop.gui.sync.page import SyncPage

            self.sync_page = SyncPage(self.store, self.actor, self.sync, self.events, self)
        self.sync_page.refresh()
        self.sync_page.show()
        self.sync_page.raise_()
        self.sync_page.activateWindow()
        return self.sync_page

    def _sync_state(self) -> None:
        failed = self.sync.state == "failed"
        tip = self.sync.error if failed else (self.tr("点此打开同步页") if self.sync.state != "off" else None)
        self.status.show_sync(self.sync.message(), tip, failed)

    def _backed_up(self, result) -> None:
        self.show_message(self.tr("备份完成：{path}").format(path=result.path))

    # ---- settings --------------------------------------------------------------------------
    def _restore(self) -> None:
        key = self.settings.last_page if self.settings is not None else ""
        self.show_page(key if key in self.page_keys() else self.page_keys()[0])
        if self.settings is None:
            return
        if not self.settings.window_geometry.isEmpty():
            self.restoreGeometry(self.settings.window_geometry)
        if not self.settings.splitter_state.isEmpty():
            self.splitter.restoreState(self.settings.splitter_state)

    def _keep(self) -> None:
        if self.settings is None:
            return
        self.settings.window_geometry = self.saveGeometry()
        self.settings.splitter_state = self.splitter.saveState()
        self.settings.last_page = self.current_page_key()
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.workspace.may_close_all():
            event.ignore()
            return
        for key in ("collect", "patrol", "requests"):  # their forms' sessions (MODULES)
            if (page := self._pages.get(key)) is not None:
                page.commit_all()  # what cannot be saved stays in the journal, offered next time
        self._keep()
        self.sync.shutdown()  # no more tries; a sync under way is stopped and awaited
        self.bundles.shutdown()  # no more drive polls; an export is cancelled, imports awaited
        if self.backup_dialog is not None:
            self.backup_dialog.shutdown()  # a running backup is cancelled, its worker awaited
        if self.verify_dialog is not None:
            self.verify_dialog.shutdown()  # a check under way (it only reads) is awaited
        self.workspace.shutdown()
        if (review := self._pages.get("review")) is not None:  # a ReviewQueue (MODULES)
            review.shutdown()
        if (checks := self._pages.get("checks")) is not None:  # a watch-list import under way
            checks.shutdown()
        event.accept()
