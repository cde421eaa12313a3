"""The views of an open case beside its form: 照片 (photos/log.py) and 物证登记
(evidence/register.py), switched in the form's header, kept in step with the form.

    form loaded / saved / finalized / amended ──► both views take the new record
    register changed a 必比 status ──► the form shows the saved record (and the list hears it)
    photos added, described, reordered ──► the register's linked-photo counts, the titles
    a click on 缺少概貌照片 (the 一长四必 list under the form) ──► the photo log
    报告… in the header ──► the form's edits committed, then ReportDialog (reports/dialog.py)
    a returned draft whose comment is about a section ──► that section chosen (once per
        version), marked in the section list, the comment above its fields"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QListWidgetItem

from weicha_desktop.core.cases import CaseRecord
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.reports.service import ReportService
from weicha_desktop.gui.common.settings import Settings
from weicha_desktop.gui.common.lazy_view import LazyPage
from weicha_desktop.gui.evidence.register import EvidenceRegister, evidence_rows
from weicha_desktop.gui.forms.problems import PATH_ROLE
from weicha_desktop.gui.forms.view import FormView
from weicha_desktop.gui.photos.log import PhotoLog
from weicha_desktop.gui.reports.dialog import ReportDialog

RETURN_NOTE_STYLE = ("QLabel#sectionReturnNote { background: #fdecea; color: #8e0000; "
                     "border-left: 5px solid #c62828; padding: 6px 10px; }")


class CasePages(QObject):
    photosChanged = Signal()  # photos added, described or reordered (the status bar's count)

    def __init__(self, view: FormView, photos: PhotoService, lang: str = "zh", *,
                 settings: Settings | None = None):
        """``settings``: where the report dialog keeps its last choices (None: nowhere)."""
        super().__init__(view)
        self.view = view
        self.settings = settings
        self.reports = ReportService(view.cases, photos)
        self.report_dialog: ReportDialog | None = None
        self._finalize_tip = ""
        self.return_row: int | None = None  # the section the return comment is about
        self._return_notes: dict[int, QLabel] = {}  # section index → the comment above its fields
        self._return_shown: tuple[str, int] | None = None  # (case, version) opened at its section
        self.photos, self.lang = photos, lang
        self.import_workers: int | None = None  # an import's worker processes (None: one per core)
        self._photo_log = LazyPage(self._build_photo_log)  # built when first needed (shown, asked for)
        self._register = LazyPage(self._build_register)
        view.add_view(self._photo_log.stand_in, self.tr("照片"), "view_photos")
        view.add_view(self._register.stand_in, self.tr("物证登记"), "view_evidence")
        view.header.view_group.idPressed.connect(self._view_wanted)  # before clicked switches
        view.loaded.connect(self._loaded)
        view.panel.list.itemClicked.connect(self._problem_chosen)
        view.panel.list.itemActivated.connect(self._problem_chosen)
        view.header.report_button.clicked.connect(self.open_report)
        view.header.report_button.show()
        self._update_titles()
        self._show_return(view.case)  # the form loaded it before this was listening

    @property
    def photo_log(self) -> PhotoLog:
        """照片 (built now if it was not yet)."""
        return self._photo_log.widget()

    @property
    def register(self) -> EvidenceRegister:
        """物证登记 (built now if it was not yet)."""
        return self._register.widget()

    def _view_wanted(self, index: int) -> None:
        if index == 1:
            self._photo_log.widget()
        elif index == 2:
            self._register.widget()

    def _build_photo_log(self) -> PhotoLog:
        # the photo classes (方位, 概貌, 重点部位, 细目 …) as the forms' registry read them
        log = PhotoLog(self.photos, self.view.case, list(self.photos.class_choices()), self.lang)
        log.import_bar.workers = self.import_workers
        log.changed.connect(self._photos_changed)
        log.importing.connect(self._importing)
        return log

    def _build_register(self) -> EvidenceRegister:
        register = EvidenceRegister(self.view.cases, self.photos, self.view.case, self.lang,
                                    commit_pending=self._commit_form)
        register.changed.connect(self._register_changed)
        return register

    def decoding(self) -> bool:
        """Thumbnails of the register still being decoded (a view never built decodes none)."""
        return self._register.is_built() and bool(self.register.loader.pool.activeThreadCount())

    def show_photos(self) -> PhotoLog:
        self.view.header.view_group.button(1).click()
        return self.photo_log

    def show_register(self) -> EvidenceRegister:
        self.view.header.view_group.button(2).click()
        return self.register

    def open_report(self) -> ReportDialog | None:
        """报告…: the report dialog of this case (window-modal; one at a time). A draft's
        unsaved edits are saved first, so the paper shows what the form shows."""
        if self.report_dialog is not None:
            return self.report_dialog.bring_to_front()
        if not self._commit_form():  # the problem list says what is wrong
            return None
        self.report_dialog = ReportDialog(self.reports, self.view.case, self.view,
                                          settings=self.settings)
        return self.report_dialog.open_window_modal(self._report_closed)

    def _report_closed(self) -> None:
        self.report_dialog = None

    def _problem_chosen(self, item: QListWidgetItem) -> None:
        """A 一长四必 photo problem (缺少方位照片 …) names no field of the form: show the photos."""
        if not item.data(PATH_ROLE) and "照片" in item.text():
            self.show_photos()

    def _commit_form(self) -> bool:
        """The form's own edits go into the record first (only if there are any)."""
        return self.view.commit_session() if self.view.is_dirty() else True

    def _loaded(self, case: CaseRecord) -> None:
        if self._photo_log.is_built():  # else it is built with the case the form holds then
            self.photo_log.set_case(case)
        if self._register.is_built():
            self.register.set_case(case)
        self._update_titles()
        self._show_return(case)

    def _show_return(self, case: CaseRecord) -> None:
        """A returned draft whose comment the reviewer tied to a section: the section list
        marks it, the comment stands above its fields, and the form shows that section the
        first time this version is shown here (after that the technician moves freely)."""
        section = self.view.cases.returned_section(case) if case.returned_comment else None
        ids = [s.id for s in self.view.spec.sections]
        row = self.return_row = ids.index(section) if section in ids else None
        self.view.section_list.show_return(row, case.returned_comment or "")
        for index, note in self._return_notes.items():
            note.setVisible(index == row)
        if row is None:
            return
        note = self._return_notes.get(row)
        if note is None:
            note = self._return_notes[row] = QLabel()
            note.setObjectName("sectionReturnNote")
            note.setWordWrap(True)
            note.setStyleSheet(RETURN_NOTE_STYLE)
            self.view.pages[row].add_above(note, [])
        note.setText(self.tr("审核退回意见（针对本栏目）：{comment}").format(comment=case.returned_comment))
        note.show()
        if self._return_shown != (case.id, case.version):
            self._return_shown = (case.id, case.version)
            self.view.tabs.setCurrentIndex(row)

    def _register_changed(self, case: CaseRecord) -> None:
        self.view.load(case)
        self.view.saved.emit(case)  # the case list and the status bar follow

    def _photos_changed(self) -> None:
        if self._register.is_built():  # else it reads the photos when it is built
            self.register.refresh_photos()
        self._update_titles()
        self.photosChanged.emit()

    def _importing(self, running: bool) -> None:
        """No 定稿 while photos are still being added (the manifest would miss them)."""
        button = self.view.header.finalize_button
        if running:
            self._finalize_tip = button.toolTip()
        button.setEnabled(not running and self.view.is_editable())
        button.setToolTip(self.tr("正在导入照片，导入完成后才能定稿") if running else self._finalize_tip)
        self.view.header.report_button.setEnabled(not running)  # the report would miss photos

    def _update_titles(self) -> None:
        group = self.view.header.view_group
        photos = self.photo_log.model.rowCount() if self._photo_log.is_built() else \
            len(self.photos.list(self.view.case.id))
        group.button(1).setText(self.tr("照片（{n}）").format(n=photos))
        group.button(2).setText(self.tr("物证登记（{n}）").format(n=len(evidence_rows(self.view.case))))

    def shutdown(self) -> None:
        """Before the case's tab goes: stop an import, the decoders, a report being rendered."""
        if self.report_dialog is not None:
            self.report_dialog.shutdown()
        for page in (self._photo_log, self._register):
            if page.is_built():
                page.widget().shutdown()
