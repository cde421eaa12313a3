"""One tab of the case form: a section's fields in a form layout. Each field's row holds its
editor and, under it once the field has a message, a small red label (``error_<field id>``).
Rows of fields whose ``relevant`` is false are hidden; the tab order follows the fields.
Both are updated on every edit, so only what changes is handed to Qt (docs/autosave.md,
“None and PySide6”)."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QColor, QPalette, QShowEvent
from PySide6.QtWidgets import (QFormLayout, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget)

from weicha_desktop.core.forms.spec import Section
from weicha_desktop.gui.forms.fields import Editor, label_html


def _error_palette() -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#b00020"))
    return palette


class SectionPage(QScrollArea):
    def __init__(self, section: Section, lang: str = "zh", parent: QWidget | None = None):
        """An empty page: ``add_editors`` puts the fields in. Built from the top down (the page
        in its scroll area, then each row in the page) so that no widget is moved to another
        parent once it holds others: Qt re-resolves the font and palette of every widget under
        one it moves and lays out a filled page put in a scroll area (every tab of the form
        laid out, each row moved three times: a third of opening a case)."""
        super().__init__(parent)
        self.section = section
        self.lang = lang
        self.editors: dict[str, Editor] = {}
        self.errors: dict[str, QLabel] = {}
        self._rows: dict[str, list[int]] = {}  # field id → its form-layout rows
        self._hidden: set[str] = set()          # fields whose rows are hidden
        self._shown_errors: dict[str, str] = {}
        self._columns: dict[str, QVBoxLayout] = {}  # field id → its editor's column
        self._built = False
        self._veiled = False  # built as first shown, its rows not shown yet (setVisible)
        self._waiting: QWidget | None = None  # the inputs of a page not built yet (add_editors)
        self._maker: Callable[[], list[Editor]] | None = None  # its inputs, when first needed
        self._first: list[QWidget] = []       # inputs above the fields, first on Tab (add_above)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)

    def __getattr__(self, name: str):
        """The page in the scroll area (``_page``), its layouts (``top``, ``form``) and the
        error labels' palette (``_red``) are made when first asked for: most tabs of an opened
        case never are (half of making an empty tab)."""
        if name not in ("_page", "top", "form", "_red"):
            raise AttributeError(name)
        if name == "_red":
            self._red = _error_palette()  # (one for the page: setPalette copies it)
            return self._red
        self._page = QWidget()
        self._page.setObjectName(f"section_{self.section.id}")
        self.setWidget(self._page)  # (empty: the rows are made in it, top down)
        self.top = QVBoxLayout(self._page)  # room above the fields (the template bar)
        self.form = QFormLayout()
        self.top.addLayout(self.form)
        self.top.addStretch(1)  # rows keep their height; spare room goes below the last one
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form.setVerticalSpacing(10)
        return getattr(self, name)

    def add_editors(self, editors: list[Editor], build: bool = True) -> None:
        """The section's fields, in order (put the page where it goes first: see __init__).
        ``build=False``: their rows (label, input, error line) are made when the page is first
        shown or asked to focus or show an error (``build``); till then the inputs wait, hidden,
        in the page: found by name, holding their values, read and filled by the form as ever.
        Most tabs of an opened case are never looked at: not laying them out is a third of
        opening it."""
        self.editors.update((editor.field.id, editor) for editor in editors)
        if build:
            self.build()
            return
        self._waiting = QWidget(self._page)
        self._waiting.hide()
        for editor in editors:
            editor.row_widget.setParent(self._waiting)

    def make_later(self, maker: Callable[[], list[Editor]]) -> None:
        """The page's inputs are ``maker()``'s, made when first needed (``make_inputs``: the
        page built, or the form asking for one of them); see forms/lazy.py."""
        self._maker = maker

    @property
    def made(self) -> bool:
        """Whether the inputs are made (they may still wait for their rows: ``build``)."""
        return self._maker is None

    def make_inputs(self) -> None:
        maker, self._maker = self._maker, None
        if maker is not None:
            self.add_editors(maker(), build=False)

    def build(self) -> None:
        """The rows of the fields, once; what was asked of them meanwhile (hidden rows, error
        lines, the inputs above the fields first on Tab) is applied now."""
        if self._built:
            return
        maker, self._maker = self._maker, None
        if maker is not None:  # (made straight into their rows: no move)
            self.editors.update((editor.field.id, editor) for editor in maker())
        self._built = True
        made = [w for field_id, editor in self.editors.items() for w in self._add_row(field_id, editor, self.lang)]
        if self._page.isVisible():  # (built as its tab is shown: Qt would show the rows later)
            for widget in made:
                widget.show()
        if self._waiting is not None:
            self._waiting.deleteLater()  # (empty now)
            self._waiting = None
        for field_id in self._hidden:
            for row in self._rows[field_id]:
                self.form.setRowVisible(row, False)
        for field_id, text in self._shown_errors.items():
            if text:
                label = self._error_label(field_id)
                label.setText(text)
                label.setVisible(True)
        self._chain_tab_order(self._first)
        if self.isVisible():
            self._lay_out_now()

    def _lay_out_now(self) -> None:
        """Laid out now, not at Qt's next turn: a field focused on this tab at once (Ctrl+PgDown,
        a problem clicked, the first empty field) is scrolled to where it will be, not where the
        unbuilt page had nothing. (A page built unseen, for its error lines, is laid out by Qt
        as it is shown.)"""
        self.top.activate()
        for widget in (self._page, self.viewport(), self):
            QCoreApplication.sendPostedEvents(widget, QEvent.Type.LayoutRequest)

    def setVisible(self, visible: bool) -> None:  # noqa: N802 (Qt's name)
        """A page first shown (its tab chosen) is built just before, while still hidden: its
        rows are then shown with it, not one by one under a page on screen (Qt laid the page
        out again for each: a third of showing a tab). Its rows stay veiled until the tab
        switch is over (``reveal``): Qt hands the focus that was on the page left to the next
        input in the focus chain of the page shown, and the inputs just made would take it;
        it went to the page itself when the page was built in its show event, so the input
        focused next (Ctrl+PgDown, a problem clicked) is focused as Tab does (its text
        selected, a table's first cell open), and a click on a tab leaves it on the page."""
        parent = self.parentWidget()  # (a tab widget not on screen shows its first page too)
        first = visible and not self._built and parent is not None and parent.isVisible()
        if first:
            self._page.hide()
            self.build()
        super().setVisible(visible)
        if first:
            self._veiled = True
            QTimer.singleShot(0, self, self.reveal)  # (the form reveals it as the tab is chosen)

    def reveal(self) -> None:
        if self._veiled:
            self._veiled = False
            self._page.show()
            self._lay_out_now()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        self.build()  # (the form builds a page as its tab is chosen: this is the safety net)
        super().showEvent(event)

    def _add_row(self, field_id: str, editor: Editor, lang: str) -> list[QWidget]:
        label = QLabel(label_html(editor.field, lang), self._page)  # (made in the page: no move)
        box = QWidget(self._page)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(editor.row_widget)
        self._columns[field_id] = column  # its error label goes under it when first needed
        first = self.form.rowCount()
        if editor.wide:
            self.form.addRow(label)
            self.form.addRow(box)
        else:
            label.setBuddy(editor.widget)
            self.form.addRow(label, box)
        self._rows[field_id] = list(range(first, self.form.rowCount()))
        return [label, box]

    def _chain_tab_order(self, first: list[QWidget]) -> None:
        """Tab goes from input to input in the order of the fields (``first`` before them)."""
        chain = first + [w for editor in self.editors.values() for w in editor.focus_widgets()]
        for before, after in zip(chain, chain[1:]):
            QWidget.setTabOrder(before, after)

    def add_above(self, widget: QWidget, focus_widgets: list[QWidget]) -> None:
        """Put ``widget`` above the fields, its inputs first in the tab order of this page."""
        self.top.insertWidget(0, widget)
        self._first = list(focus_widgets) + self._first
        if self._built:
            self._chain_tab_order(self._first)

    def is_hidden(self, field_id: str) -> bool:
        return field_id in self._hidden

    def set_field_visible(self, field_id: str, visible: bool) -> None:
        if visible == (field_id not in self._hidden):
            return
        (self._hidden.discard if visible else self._hidden.add)(field_id)
        for row in self._rows.get(field_id, ()):  # (none yet: applied when built)
            self.form.setRowVisible(row, visible)

    def show_errors(self, field_id: str, messages: list[str]) -> None:
        text = "\n".join(messages)
        if self._shown_errors.get(field_id, "") == text:
            return
        self._shown_errors[field_id] = text
        if not self._built:
            if not text:
                return
            self.build()  # (a field with a message: its tab is built, the line made there)
        label = self.errors.get(field_id) or self._error_label(field_id)
        label.setText(text)
        label.setVisible(bool(text))

    def _error_label(self, field_id: str) -> QLabel:
        """The red label under a field, made the first time it has a message (most fields
        never have one: a label each was a tenth of opening a case)."""
        column = self._columns[field_id]
        error = QLabel(column.parentWidget())
        error.setObjectName(f"error_{field_id}")
        error.setProperty("role", "fieldError")
        error.setPalette(self._red)  # red (no style sheet over the form: view.py)
        error.setWordWrap(True)
        column.addWidget(error)
        self.errors[field_id] = error
        return error

    def focus_first(self, empty: bool = False) -> None:
        """Focus the first input of the page a person can type into; ``empty``: the first of
        a field still empty, if there is one (what a prefill or the system filled is passed)."""
        self.build()
        editors = [e for e in self.editors.values() if e.field.id not in self._hidden]
        if empty:
            editors = [e for e in editors if e.value() is None] + editors
        self._focus_one(w for e in editors for w in e.focus_widgets())

    def focus_last(self) -> None:
        """Focus the last input of the page a person can type into (Shift+Tab from below)."""
        self.build()
        editors = [e for e in self.editors.values() if e.field.id not in self._hidden]
        self._focus_one(w for e in reversed(editors) for w in reversed(e.focus_widgets()))

    def _focus_one(self, widgets) -> None:
        for widget in widgets:
            if widget.isEnabled() and widget.isVisibleTo(self) \
                    and widget.focusPolicy() != Qt.FocusPolicy.NoFocus \
                    and not getattr(widget, "isReadOnly", lambda: False)():
                widget.setFocus(Qt.FocusReason.TabFocusReason)
                self.ensureWidgetVisible(widget)
                return
