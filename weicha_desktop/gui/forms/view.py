"""A case's form: one tab per section of its FormSpec; 保存 / 检查 / 定稿, 补正 when locked.

Rendering is driven entirely by the FormSpec (a field added to the YAML appears here with no
Python change). Editing is a *session* (docs/autosave.md): every edit restarts a short timer
after which the unsaved edits go to the recovery journal (``CaseService.autosave``: no work
log, no sync); the session is committed to the record once, on 保存 (Ctrl+S), 定稿, or when
the main window closes the tab or the program (``commit_session``). A case reopened with
journalled edits (after a crash) shows them with a notice. ``relevant`` conditions show and
hide fields as values change; validation messages appear under the fields."""
from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QMessageBox, QStackedWidget, QTabWidget,
                               QVBoxLayout, QWidget)
from shiboken6 import isValid

from weicha_desktop.core import drafts
from weicha_desktop.core.cases import CaseRecord, CaseService
from weicha_desktop.core.errors import FinalizeBlocked, Problem, ValidationFailed, WeichaError
from weicha_desktop.core.forms import compile_expr
from weicha_desktop.core.forms.spec import FormSpec
from weicha_desktop.core.forms.expr_eval import is_empty
from weicha_desktop.core.forms.templates import (CASE_TYPE_FIELD, NARRATIVE_SECTION, blank_source,
                                                 fill_known_blanks)
from weicha_desktop.core.store.events import ChangeSummary
from weicha_desktop.gui.common.i18n import message_detail, message_text
from weicha_desktop.gui.common.store_events import StoreEvents
from weicha_desktop.gui.forms import autofill
from weicha_desktop.gui.forms.amend_dialog import AmendDialog
from weicha_desktop.gui.forms.fields import Editor
from weicha_desktop.gui.forms.header import FormHeader
from weicha_desktop.gui.forms.lazy import LazyInputs
from weicha_desktop.gui.forms.problems import ProblemPanel, problem_line
from weicha_desktop.gui.forms.section_list import SectionList
from weicha_desktop.gui.forms.sections import SectionPage
from weicha_desktop.gui.forms.templates import TemplateBar
from weicha_desktop.gui.forms.widgets import grey_readonly

AUTOSAVE_MS = 1000  # pause in typing after which the edits are journalled
# Only for the views of add_view (照片, 物证登记, 关联 …: their messages, read-only inputs).
# The record itself has no style sheet: one on the form made Qt restyle every widget of every
# tab as they were put in (a quarter of opening a case). Its looks are set where they are
# needed: read-only inputs (widgets.grey_readonly), field errors (sections.py), the header's
# notes (header.py) and the message line (problems.py) — the same colours as here.
STYLE = """
QLineEdit[readOnly="true"], QPlainTextEdit[readOnly="true"],
QAbstractSpinBox[readOnly="true"] { background: #f2f2f2; color: #333; }
QLabel#formMessage[kind="error"] { color: #b00020; }
QLabel#formMessage[kind="ok"] { color: #1b5e20; }
"""

class FormView(LazyInputs, QWidget):
    saved = Signal(object)    # the CaseRecord after a commit, finalize or 补正
    autosaved = Signal(str)   # when the unsaved edits were journalled (ISO time)
    loaded = Signal(object)   # the CaseRecord now shown (views added with add_view follow it)

    def __init__(self, cases: CaseService, case: CaseRecord, parent: QWidget | None = None, *,
                 lang: str = "zh", amendable: bool = True, autosave_ms: int = AUTOSAVE_MS):
        """``lang``: labels from the form ("zh" / "en"); ``amendable``: a locked case offers
        补正 (not where it is only looked at, e.g. in the review queue)."""
        super().__init__(parent)
        self.cases, self.case, self.lang, self.amendable = cases, case, lang, amendable
        self.spec: FormSpec = cases.spec_for(case)
        self._init_inputs()  # self.editors …: forms/lazy.py
        self.pages: list[SectionPage] = []
        self._relevant = {f.id: compile_expr(f.relevant) for f in self.spec.all_fields() if f.relevant}
        self._loading = False
        self._pending = False    # edits since the last autosave
        self._last_edit = 0.0    # time.monotonic() of the last edit
        self._buffered = False   # the journal holds edits of this case
        self._listing: str | None = None  # what the problem list follows: "draft" / "complete"
        self._refusal: str | None = None  # why this user may not edit the draft (read-only)
        self._record_focus: QWidget | None = None  # where the focus was when 照片 … was shown
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._autosave_ms = autosave_ms
        self._timer.timeout.connect(self._timeout)

        # From the top down: moving a filled widget makes Qt redo all under it (sections.py)
        layout = QVBoxLayout(self)
        self.header = FormHeader(self)  # (made in the form: moving it in re-resolved its style, ~1.3 ms)
        for button, slot in ((self.header.save_button, self.save),
                             (self.header.check_button, self.check),
                             (self.header.finalize_button, self.finalize),
                             (self.header.amend_button, self.amend),
                             (self.header.discard_button, self.discard_recovery)):
            button.clicked.connect(slot)
        layout.addWidget(self.header)
        self.views = QStackedWidget(self)  # the record's sections, then the views of add_view
        self.views.setObjectName("caseViews")
        layout.addWidget(self.views, 1)
        record = QWidget(self.views)  # the section list beside the pages of the record
        self.views.addWidget(record)
        row = QHBoxLayout(record)
        row.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget()  # (empty until the list is in: the list first on Tab, as before)
        self.tabs.setObjectName("formTabs")
        self.tabs.setDocumentMode(True)
        titles = [section.title.text(lang) for section in self.spec.sections]
        self.section_list = SectionList(self.tabs, titles, record)
        row.addWidget(self.section_list)
        row.addWidget(self.tabs, 1)
        for index, section in enumerate(self.spec.sections):
            page = SectionPage(section, lang)
            self.pages.append(page)
            self.tabs.addTab(page, titles[index])
            page.make_later(lambda index=index: self._make_section(index))
        ids = [s.id for s in self.spec.sections]
        self._narrative = ids.index(NARRATIVE_SECTION) if NARRATIVE_SECTION in ids else -1
        self.template_bar = TemplateBar.for_form(  # (None without a narrative section)
            cases.forms, self.spec, self.editors, self.current_data, lang,
            parent=self.pages[self._narrative]._page if self._narrative >= 0 else None, offer_parent=self)
        if self.template_bar is not None:
            self.pages[self._narrative].add_above(self.template_bar, self.template_bar.focus_widgets())
            layout.insertWidget(1, self.template_bar.offer)  # 插入“入室盗窃”模板？ once a case type is chosen
        self.followers = autofill.Followers(self.spec.all_fields(), self.editors, self.field_value)  # 现场地点 ← 发案地点
        self._filled_from: dict[str, Any] = {}  # the record when the narrative was last filled
        self.tabs.currentChanged.connect(lambda i: (self.pages[i].build(), self.pages[i].reveal()) if i >= 0 else None)
        self.tabs.currentChanged.connect(self.flush)
        self.tabs.currentChanged.connect(self._section_shown)
        # 照片 (张数) and 勘验结束时间 follow the photo log (autofill.py)
        self.photo_fields = autofill.PhotoFields(self.spec.all_fields(), self.editors, self.field_value,
                                                 cases.store)
        if self.photo_fields.fields:
            StoreEvents(cases.store, self).changed.connect(self._store_changed)
        self.panel = ProblemPanel(self._problem_text, self)
        self.panel.pathChosen.connect(self.focus_path)
        self.header.view_group.idClicked.connect(self.views.setCurrentIndex)
        layout.addWidget(self.panel)
        self._shortcuts()
        self.load(case)
        self.pages[self.tabs.currentIndex()].build()  # the others when first needed

    # ---- building --------------------------------------------------------------------------
    def _shortcuts(self) -> None:
        """The form's keys (docs/gui.md lists them; so does 帮助 → 快捷键)."""
        save = self._shortcut(QKeySequence(QKeySequence.StandardKey.Save), self.save)
        check = self._shortcut(QKeySequence("F7"), self._check_key)
        final = self._shortcut(QKeySequence("Ctrl+Shift+F"), self.finalize)
        nxt = self._shortcut(QKeySequence("Ctrl+PgDown"), lambda: self.next_section(1))
        prev = self._shortcut(QKeySequence("Ctrl+PgUp"), lambda: self.next_section(-1))
        problem = self._shortcut(QKeySequence("F8"), lambda: self.next_problem(1))
        back = self._shortcut(QKeySequence("Shift+F8"), lambda: self.next_problem(-1))
        report = self._shortcut(QKeySequence("Ctrl+P"), self._report_key)
        for n in range(1, 4):  # 笔录 / 照片 / 物证登记
            self._shortcut(QKeySequence(f"Ctrl+{n}"), lambda n=n: self.show_view(n - 1))
        self.header.save_button.setToolTip(self.tr("保存到记录（{keys}）").format(keys=save))
        self.header.check_button.setToolTip(self.tr(
            "列出阻止定稿的问题：必填项与一长四必（{keys}；下一个 / 上一个问题：{next} / {prev}）").format(
            keys=check, next=problem, prev=back))
        self.header.finalize_button.setToolTip(self.tr(
            "定稿后记录锁定并计算哈希，不能再直接修改（{keys}）").format(keys=final))
        self.header.report_button.setToolTip(self.tr(
            "预览、打印或导出 PDF：笔录、登记表、现场照片、分析报告（{keys}）").format(keys=report))
        self.tabs.tabBar().setToolTip(self.tr("下一个 / 上一个标签页：{next} / {prev}").format(next=nxt, prev=prev))

    def next_problem(self, step: int) -> None:
        """F8 / Shift+F8: the next / previous problem; with no list yet, 检查 makes it first.
        A cell still being typed in counts first (its problem is gone, not the next one)."""
        for editor in list(self._made.values()):
            editor.commit_open_edit()
        self.flush()
        if not self.panel.step(step) and self.header.check_button.isVisible() \
                and self.header.check_button.isEnabled():
            self.check()
            self.panel.step(step)

    def _check_key(self) -> None:
        if self.header.check_button.isVisible() and self.header.check_button.isEnabled():
            self.check()

    def _report_key(self) -> None:
        if self.header.report_button.isVisible() and self.header.report_button.isEnabled():
            self.header.report_button.click()

    def show_view(self, index: int) -> bool:
        """Ctrl+1 / 2 / 3: 笔录 / 照片 / 物证登记 (when the case has those views); back to the
        record, the focus is where it was (else the tab's first input)."""
        button = self.header.view_group.button(index)
        if button is None:
            return False
        focus, page = QApplication.focusWidget(), self.pages[self.tabs.currentIndex()]
        if self.views.currentIndex() == 0 and focus is not None and self.views.widget(0).isAncestorOf(focus):
            self._record_focus = focus
        button.click()
        if index == 0:
            kept = self._record_focus  # (a table cell's editor is gone once closed)
            if kept is not None and isValid(kept) and page.isAncestorOf(kept) and kept.isVisible():
                kept.setFocus(Qt.FocusReason.OtherFocusReason)
            else:
                page.focus_first()
        return True

    def _shortcut(self, keys: QKeySequence, slot) -> str:
        """A shortcut active while the focus is in this form; returns its text for tooltips."""
        shortcut = QShortcut(keys, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        return keys.toString(QKeySequence.SequenceFormat.NativeText)

    # ---- data ------------------------------------------------------------------------------
    def load(self, case: CaseRecord) -> None:
        """Show ``case``; a draft with journalled edits shows them, with the notice."""
        self._timer.stop()
        self.case = case
        # only the case's investigators or a supervisor edit a draft (core/duties.py)
        self._refusal = None if case.locked or case.status != "draft" \
            else self.cases.edit_refusal(case)
        recovery = self.cases.recovered(case.id) if self.is_editable() else None
        data = drafts.apply(case.data, recovery.values) if recovery else case.data
        self._data = data
        self._loading = True
        try:
            for editor in list(self._made.values()):
                editor.load(data)
        finally:
            self._loading = False
        self._settle(data)
        self._pending, self._buffered = False, recovery is not None
        self._filled_from = data
        self.followers.remember()
        for editor in list(self._made.values()):
            autofill.remember_rows(editor)
        self.photo_fields.load(case.id)
        self.set_readonly(not self.is_editable())
        self.header.show_recovery(recovery, self.cases.actor.id)
        self.header.show_case(case, self.spec.title.text(self.lang), self.is_editable(),
                              self.amendable)
        self._refresh_relevance()
        self._show_inline([])
        if self._refusal:
            self.panel.show_message(self.tr("只读：{reason}").format(reason=message_text(self._refusal)))
        if self.template_bar is not None:
            self.template_bar.refresh()
            self.template_bar.refresh_offer(self.is_editable())
        self.loaded.emit(case)

    def add_view(self, widget: QWidget, title: str, name: str) -> None:
        """Another view of the case beside the form (照片, 物证登记), switched in the header."""
        self.views.addWidget(widget)  # first: a widget without a sheet of its own is styled once
        widget.setStyleSheet(STYLE + widget.styleSheet())  # (its own rules after: they win)
        self.header.add_view(title, name)

    def values(self) -> dict[str, Any]:
        """The form's data as the record holds it; empty inputs and system fields left out.
        Text typed into a table cell whose editor is still open counts: every save path,
        autosave and the close prompt read the form through here."""
        out: dict[str, Any] = {}
        for editor in list(self._made.values()):
            editor.commit_open_edit()
        for field in self._fields:
            if not field.readonly:
                editor = self._made.get(field.id)
                out.update(self._unmade[field.id] if editor is None else editor.values())
        return out

    def changes(self) -> dict[str, Any]:
        """What ``CaseService.update`` needs: changed keys, and None for keys emptied here."""
        new = self.values()
        old = self.case.data
        # (``is``: a value kept as loaded is unchanged even where it is not equal to itself, NaN)
        out = {k: v for k, v in new.items() if old.get(k) is not v and old.get(k) != v}
        out.update({k: None for k in self._keys if k not in new and k in self.case.data})
        return out

    def current_data(self) -> dict[str, Any]:
        """The record as it would be with the form's edits."""
        return drafts.apply(self.case.data, self.changes())

    def is_dirty(self) -> bool:
        """Edits not yet committed to the record (they may be in the recovery journal)."""
        return self.is_editable() and bool(self.changes())

    def is_editable(self) -> bool:
        return not self.case.locked and self.case.status == "draft" and self._refusal is None

    def set_readonly(self, readonly: bool) -> None:
        self._readonly = readonly  # (inputs made later: as they are made)
        for editor in list(self._made.values()):
            editor.set_readonly(readonly or editor.field.readonly)
        grey_readonly(self.views.widget(0))
        if self.template_bar is not None:
            self.template_bar.setVisible(not readonly)

    # ---- live: relevance, autosave, validation ---------------------------------------------
    def _edited(self, editor: Editor) -> None:
        if self._loading or not self.is_editable():
            return
        autofill.follow_ids(editor, self.cases.store.clock.now().date())  # 见证人: 性别, 出生日期
        self.followers.edited(editor)  # 现场地点 as 发案地点 is typed
        self._pending = True
        self._last_edit = time.monotonic()
        if not self._timer.isActive():  # not restarted per keystroke: see _timeout
            self._timer.start(self._autosave_ms)
        self._refresh_relevance()
        if self.template_bar is not None and (editor.field.id == CASE_TYPE_FIELD
                                              or self._section_of[editor.field.id] == self._narrative):
            self.template_bar.refresh()
            self.template_bar.refresh_offer()

    def _refresh_relevance(self) -> None:
        env = self.current_data()
        for field_id, expr in self._relevant.items():
            self.pages[self._section_of[field_id]].set_field_visible(field_id, expr.holds(env))
        for editor in list(self._made.values()):
            editor.update_relevance(env)

    def _timeout(self) -> None:
        """The pause after the last edit is over, or more edits came: wait for the rest."""
        rest = self._autosave_ms - int((time.monotonic() - self._last_edit) * 1000)
        if rest > 0:
            self._timer.start(rest)
        else:
            self._tick()

    def _tick(self) -> None:
        if self.autosave_now():
            self._validate_live()

    def flush(self) -> None:
        """Journal pending edits now (tab change, hidden, before a commit)."""
        if self._pending:
            self._tick()

    def autosave_now(self) -> bool:
        """Write the unsaved edits to the recovery journal (no work log, no sync)."""
        self._timer.stop()
        if not self.is_editable():
            return False
        self._pending = False
        changes = self.changes()
        try:
            if changes:
                saved_at = self.cases.autosave(self.case.id, changes)
                self._buffered = True
                self.header.show_autosaved(saved_at)
                self.autosaved.emit(saved_at)
            elif self._buffered:  # every edit undone: nothing left to recover
                self.cases.discard_recovery(self.case.id)
                self._buffered = False
        except WeichaError as e:
            self.panel.show_message(self.tr("自动保存失败：{error}").format(error=e))
            return False
        return True

    def _validate_live(self) -> list[Problem]:
        """Problems of what the form shows now: under the fields, and in the list if it is
        open (blockers too after 检查 / 定稿, so fixed items disappear as they are fixed; then
        the notices after them, 提示: never blocking)."""
        complete, data = self._listing == "complete", self.current_data()
        problems = self.cases.check_data(self.case, data, complete=complete)
        self._show_inline(problems)
        if self._listing is None:
            return problems
        if complete:
            message = self.tr("尚不能定稿：{n} 项待补充（单击定位）。") if problems \
                else self.tr("检查通过：可以定稿。")
        else:
            message = self.tr("{n} 处数据有误，请更正后保存（修改已自动保存，不会丢失）。") if problems \
                else self.tr("数据已更正，可以保存（Ctrl+S）。")
        self.panel.show_problems(problems, message.format(n=len(problems)), "error" if problems else "ok",
                                 self.cases.notices(self.case, data) if complete else ())
        return problems

    def _show_inline(self, problems: list[Problem]) -> None:
        """Messages under their fields (without the field's own name), cells marked."""
        by_field: dict[str, list[Problem]] = {}
        for problem in problems:
            top = problem.path.split(".")[0].split("[")[0]
            if top in self._top:
                by_field.setdefault(self._top[top], []).append(problem)
        for field in self._fields:
            field_id = field.id
            found = by_field.get(field_id, [])
            marks = [(p.path[len(field_id):], message_text(p.message)) for p in found]
            self._marks[field_id] = marks  # (an input made later is marked as it is made)
            texts = [message_detail(p.message) for p in found if p.rule != "blank"]  # name beside it
            blanks = sum(p.rule == "blank" for p in found)  # one line, however many (F8: each)
            if blanks:
                texts.append(self.tr("有 %n 处空白“____”未填写（F8 逐个定位）", "", blanks))
            self.pages[self._section_of[field_id]].show_errors(field_id, texts)
            editor = self._made.get(field_id)
            if editor is not None:
                editor.show_problems(marks)
        counts: dict[int, int] = {}
        for field_id, found in by_field.items():
            counts[self._section_of[field_id]] = counts.get(self._section_of[field_id], 0) + len(found)
        self.section_list.show_counts(counts)

    # ---- filled for you (autofill.py) ------------------------------------------------------
    def fill_known_blanks(self) -> list[str]:
        """Template blanks whose value is now known (勘验人员____在…: the people tab) filled in;
        when the 现场勘验情况 tab is shown and before every commit. The ids it changed."""
        if not self.is_editable() or self.template_bar is None:
            return []
        data = self.current_data()  # a value filled then and changed since: followed
        changed = fill_known_blanks(self.spec, self.template_bar.templates, data, self._filled_from)
        for field_id, text in changed.items():
            self.editors[field_id].replace_text(text)  # the cursor stays, Ctrl+Z undoes it
        self._filled_from = {**data, **changed}
        return list(changed)

    def _section_shown(self, index: int) -> None:
        if 0 <= index < len(self.spec.sections) and self.spec.sections[index].id == NARRATIVE_SECTION:
            self.fill_known_blanks()

    def _store_changed(self, summary: ChangeSummary) -> None:
        """Photos added or removed (here, a worker's import, anywhere in the program): 照片
        (张数) and 勘验结束时间 follow while they hold what the form knew."""
        if "photo" in summary.kinds and self.is_editable():
            self.photo_fields.follow(self.case.id)

    # ---- actions ---------------------------------------------------------------------------
    def commit_session(self) -> bool:
        """Commit the editing session to the record: ONE work-log entry and ONE sync operation
        for everything edited since the last commit. True when the record now holds every
        edit; False when some values are invalid: they stay in the recovery journal (nothing
        is lost, they come back when the case is opened again) and the problems are shown."""
        if not self.is_editable():
            return True
        self.fill_known_blanks()
        self.autosave_now()
        changed = bool(self.changes())
        try:
            case = self.cases.commit_session(self.case.id)
        except ValidationFailed as e:
            self._listing = self._listing or "draft"
            self._show_inline(e.problems)
            self.panel.show_problems(e.problems, self.tr(
                "未保存到记录：{n} 处数据有误，请更正（修改已自动保存，不会丢失）。").format(n=len(e.problems)))
            return False
        except WeichaError as e:
            self.panel.show_problems([], self.tr("未保存：{error}").format(error=e))
            return False
        self.load(case)  # what the system added (物证编号 H…) shows, and is sent back next time
        if changed:
            self.panel.show_problems([], self.tr("已保存（{time}）。").format(
                time=case.updated_at[:16].replace("T", " ")), "ok")
            self.saved.emit(case)
        else:
            self.panel.show_problems([], self.tr("没有需要保存的修改。"), "ok")
        self._listing = None
        return True

    def save(self) -> bool:
        """保存 (Ctrl+S): the same as ``commit_session``."""
        return self.commit_session()

    def discard_recovery(self) -> None:
        """放弃恢复: forget the journalled edits and show the record as last saved."""
        self.cases.discard_recovery(self.case.id)
        self.load(self.case)
        self.panel.show_problems([], self.tr("已放弃恢复，显示上次保存的记录。"), "ok")

    def check(self) -> list[Problem]:
        """Save, then list what still blocks finalizing (the list then follows the edits)."""
        if not self.commit_session():
            return []
        self._listing = "complete"
        return self._validate_live()

    def finalize(self) -> bool:
        # the shortcut obeys the button: it is disabled while photos are being imported
        if not self.is_editable() or not self.header.finalize_button.isEnabled() \
                or not self.commit_session():
            return False
        blockers = self.cases.blockers(self.case.id)
        if blockers:
            self._listing = "complete"
            self._show_inline(blockers)
            self.panel.show_problems(blockers, self.tr("不能定稿：尚缺 {n} 项（单击定位）。").format(
                n=len(blockers)))
            return False
        answer = QMessageBox.question(self, self.tr("定稿"), self.tr(
            "定稿后勘验 {number} 第 {version} 版将被锁定，不能再直接修改（如需更正须“补正”）。\n"
            "确定定稿吗？").format(number=self.case.number, version=self.case.version))
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            case = self.cases.finalize(self.case.id)
        except FinalizeBlocked as e:
            self.panel.show_problems(e.problems, self.tr("不能定稿：尚缺 {n} 项（单击定位）。").format(
                n=len(e.problems)))
            return False
        except WeichaError as e:
            self.panel.show_problems([], self.tr("不能定稿：{error}").format(error=e))
            return False
        self.load(case)
        self.panel.show_problems([], self.tr("已定稿，内容哈希 {hash}…").format(
            hash=case.content_hash[:16]), "ok")
        self.saved.emit(case)
        return True

    def amend(self) -> bool:
        """补正: ask for the reason, then open the new draft version here."""
        if not self.case.locked:
            return False
        reason = AmendDialog.ask(self.case, self)
        if reason is None:
            return False
        try:
            case = self.cases.amend(self.case.id, reason)
        except WeichaError as e:
            self.panel.show_problems([], self.tr("不能补正：{error}").format(error=e))
            return False
        self.load(case)
        self.panel.show_problems([], self.tr("已生成第 {n} 版草稿，可以修改。").format(n=case.version), "ok")
        self.saved.emit(case)
        self.pages[self.tabs.currentIndex()].focus_first()
        return True

    # ---- navigation ------------------------------------------------------------------------
    def next_section(self, step: int) -> None:
        """Ctrl+PgDown / Ctrl+PgUp: the next / previous tab, focus on its first empty input
        (else its first: 勘验开始时间, prefilled, is passed)."""
        index = (self.tabs.currentIndex() + step) % self.tabs.count()
        self.tabs.setCurrentIndex(index)
        self.pages[index].focus_first(empty=True)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002,N802 (Qt's names)
        """Tab on a section's last input goes on to the next section (its first empty input),
        Shift+Tab on its first back to the previous one (its last input), as on the paper:
        before, Tab left the record for the header's buttons. From the first and the last
        section Tab leaves as Qt has it (the header, the section list, the problems), and so
        does Qt's own move when the record is hidden (照片 shown: the tab stays as it was)."""
        index, before = self.tabs.currentIndex(), QApplication.focusWidget()
        page = self.pages[index] if self.views.currentIndex() == 0 and 0 <= index < len(self.pages) \
            and self.is_editable() and self.tabs.isVisible() else None  # (read-only: as Qt has it)
        moved = super().focusNextPrevChild(next)
        after = QApplication.focusWidget()
        if page is None or before is None or not page.isAncestorOf(before) \
                or (after is not None and after is not page and page.isAncestorOf(after)):
            return moved  # (the page itself, a scroll area, is a stop of Qt's before its inputs)
        target = index + (1 if next else -1)
        if not 0 <= target < len(self.pages):
            return moved
        self.tabs.setCurrentIndex(target)
        if next:
            self.pages[target].focus_first(empty=True)
        else:
            self.pages[target].focus_last()
        return True

    def focus_first_empty(self) -> None:
        """After 新建勘验: the first required field a person still has to fill, in form order
        (not the 保存 button, which would otherwise take the focus first)."""
        data = self.values()
        for index, section in enumerate(self.spec.sections):
            page = self.pages[index]
            for field in section.fields:
                if field.required and not field.readonly and field.id not in data \
                        and not page.is_hidden(field.id) and field.id in self.editors:
                    self.focus_path(field.id)
                    return
        self.pages[self.tabs.currentIndex()].focus_first()

    def _problem_text(self, problem: Problem) -> str:
        """The message in the window's language, prefixed with its tab when it names a field."""
        top = problem.path.split(".")[0].split("[")[0]
        if top in self._section_of:
            return problem_line(self.tabs.tabText(self._section_of[top]), problem.message)
        return message_text(problem.message)

    def focus_path(self, path: str | None) -> None:
        """Show the tab and input of a problem's field path (``evidence[1].comparison_status``).
        A template's blank that a field of the record fills (提取情况's ____: the register;
        勘验人员____: the people) shows that field while it is empty: typed there, it fills the
        blank (at the tab, the save), where typing into the text would only copy it."""
        top = (path or "").split(".")[0].split("[")[0]
        source = self._blank_source(top)
        if source is not None:
            path = top = source
        if top not in self._top:
            return
        editor = self.editors[self._top[top]]
        page = self.pages[self._section_of[top]]
        if self.header.view_group.buttons():
            self.header.view_group.button(0).click()
        self.tabs.setCurrentWidget(page)
        page.ensureWidgetVisible(editor.row_widget)
        editor.focus(path[len(top):])

    def _blank_source(self, field_id: str) -> str | None:
        """The empty field the first blank of narrative ``field_id`` waits for (None: none)."""
        if self.template_bar is None or not self.is_editable() \
                or self._section_of.get(field_id) != self._narrative:
            return None
        data = self.current_data()
        source = blank_source(self.template_bar.templates, field_id, data.get(field_id) or "")
        if source is None or source not in self._top or not is_empty(data.get(source)):
            return None
        return source

    def hideEvent(self, event: QHideEvent) -> None:  # another tab of the main window, closing
        self.flush()
        super().hideEvent(event)
