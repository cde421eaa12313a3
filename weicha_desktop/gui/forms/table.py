"""The table of a repeat group (groups.py's ``RepeatEditor`` shows one): ``FormTable`` (Tab
walks the cells a person types into, then leaves), ``CellDelegate`` (knows its open cell
editors, so every save path can take what is typed in one; gives a choice column a line edit
whose typing filters the form's choice list, ``ChoiceList``) and the words ⇄ value rules of a
choice cell.

A choice cell holds the option's words in the interface language; the record gets the value
the form stores (the code, form v3 on) through ``parse_cell``. Typing filters the list
(“手” → 手印, “胶带” → 硅胶/胶带提取, codes and the other language's words too); Tab or Enter
takes the highlighted option, else the first that matches, so a few letters are enough. The
“其他” option of a field with ``other_text`` is written “其他：说明” in the cell (the data keeps
``<id>`` = other and ``<id>_other`` = 说明)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemDelegate, QAbstractItemView, QLineEdit, QListView,
                               QStyledItemDelegate, QTableWidget, QWidget)

from weicha_desktop.core.forms.spec import Field

OTHER_SEPARATORS = ("：", ":")
OTHER_SEPARATOR = "："
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1  # an option's words in both languages and its code
_PICK_KEYS = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Return, Qt.Key.Key_Enter)
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_STEP_KEYS = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 10, Qt.Key.Key_PageUp: -10}


# ---- the words of a choice cell -------------------------------------------------------------
def split_other(field: Field, text: str, lang: str) -> tuple[str, str | None]:
    """``其他：说明`` → (其他, 说明) for a field with other text; else (text, None)."""
    if field.other_key:
        other = field.choice_label(field.other_value, lang)
        for sep in OTHER_SEPARATORS:
            head, found, rest = text.partition(sep)
            if found and head.strip() in (other, field.choice_label(field.other_value, "zh"),
                                          field.choice_label(field.other_value, "en"), field.other_value):
                return other, rest.strip()
    return text, None


def resolve_choice(field: Field, text: str, lang: str) -> str:
    """The option's words for what was typed: an option's words (either language) or code as
    they are; else the first option whose words or code start with, then contain, the text
    (case-blind). Text that matches nothing is kept as typed (validation names it)."""
    text = text.strip()
    head, other = split_other(field, text, lang)
    if other is not None:
        return f"{head}{OTHER_SEPARATOR}{other}" if other else head
    if not text:
        return ""
    wanted = text.casefold()
    keys = [(c, [c.label.text(lang), c.label.zh, c.label.en, c.value, c.code or ""]) for c in field.choices]
    for test in (lambda k: k.casefold() == wanted, lambda k: k.casefold().startswith(wanted),
                 lambda k: wanted in k.casefold()):
        for choice, words in keys:
            if any(w and test(w) for w in words):
                return choice.label.text(lang)
    return text


class ChoiceList(QObject):
    """The options of a choice cell, listed under its line edit while it is open: a child
    widget of the window, not a popup window, so the focus stays in the cell (a popup window
    takes the keyboard, and gives the focus back where it pleases when it closes). Typing
    filters it (any part of an option's words in either language or of its code) and
    highlights the option Tab / Enter take (what ``resolve_choice`` gives); ↑ ↓ choose another,
    Esc closes the list. The keys reach it through ``CellDelegate.eventFilter``."""

    ROWS = 10  # at most, then it scrolls

    def __init__(self, field: Field, lang: str, edit: QLineEdit):
        super().__init__(edit)
        self.field, self.lang, self.edit = field, lang, edit
        self.other = field.choice_label(field.other_value, lang) if field.other_key else None
        model = QStandardItemModel(self)
        for choice in field.choices:
            item = QStandardItem(choice.label.text(lang))
            item.setData(" ".join(filter(None, (choice.label.text(lang), choice.label.zh, choice.label.en,
                                                choice.code, str(choice.value)))), SEARCH_ROLE)
            model.appendRow(item)
        self.shown = QSortFilterProxyModel(self)
        self.shown.setSourceModel(model)
        self.shown.setFilterRole(SEARCH_ROLE)
        self.shown.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.view = QListView(edit.window())
        self.view.setObjectName("choiceCellList")
        self.view.setModel(self.shown)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a click leaves the focus in the cell
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setUniformItemSizes(True)
        self.view.clicked.connect(self._clicked)
        self.view.hide()
        edit.textEdited.connect(self.filter)  # also an input method's commit (汉字)
        edit.destroyed.connect(self.view.deleteLater)  # the list is the window's child

    def close(self) -> None:
        self.view.hide()

    def is_open(self) -> bool:
        return self.view.isVisible()

    def filter(self, text: str) -> None:
        head, other = split_other(self.field, text, self.lang)
        if other is not None:  # “其他：…”: the explanation is being typed
            self.close()
            return
        self.shown.setFilterFixedString(head.strip())
        self._open(resolve_choice(self.field, text, self.lang) if text.strip() else "")

    def show_all(self) -> None:
        """Every option, the cell's own highlighted (↓ on a cell, F2, a double click)."""
        self.shown.setFilterFixedString("")
        self._open(self.edit.text())

    def _open(self, highlight: str) -> None:
        rows = self.shown.rowCount()
        if not rows or not self.edit.isVisible():
            self.close()
            return
        match = self.shown.match(self.shown.index(0, 0), Qt.ItemDataRole.DisplayRole, highlight, 1,
                                 Qt.MatchFlag.MatchExactly) if highlight else []
        self.view.setCurrentIndex(match[0] if match else QModelIndex())
        window = self.edit.window()
        metrics = self.view.fontMetrics()
        width = max(self.edit.width(), max(metrics.horizontalAdvance(self.shown.index(r, 0).data())
                                           for r in range(rows)) + 40)
        height = min(rows, self.ROWS) * max(self.view.sizeHintForRow(0), metrics.height() + 4) \
            + 2 * self.view.frameWidth()
        below = self.edit.mapTo(window, QPoint(0, self.edit.height()))
        top = below.y() if below.y() + height <= window.height() else \
            max(0, self.edit.mapTo(window, QPoint(0, 0)).y() - height)  # no room below: above
        self.view.setGeometry(min(below.x(), max(0, window.width() - width)), top, width, height)
        self.view.raise_()
        self.view.show()

    def step(self, rows: int) -> None:
        """↑ ↓ (PgUp / PgDn): another option highlighted; the list opens first if closed."""
        if not self.is_open():
            self.show_all()
            return
        count = self.shown.rowCount()
        current = self.view.currentIndex().row()
        row = (0 if rows > 0 else count - 1) if current < 0 else min(max(current + rows, 0), count - 1)
        self.view.setCurrentIndex(self.shown.index(row, 0))

    def pick(self) -> bool:
        """The highlighted option into the line edit (else what the text resolves to), the list
        closed. True: stay in the editor, “其他：” waits for its explanation."""
        index = self.view.currentIndex() if self.is_open() else QModelIndex()
        self.close()
        words = index.data() if index.isValid() else resolve_choice(self.field, self.edit.text(), self.lang)
        if not words:
            return False
        if words == self.other:
            self.edit.setText(words + OTHER_SEPARATOR)
            return True
        self.edit.setText(words)
        return False

    def _clicked(self, index: QModelIndex) -> None:
        self.view.setCurrentIndex(index)
        self.pick()
        self.edit.setFocus(Qt.FocusReason.MouseFocusReason)


# ---- the delegate ----------------------------------------------------------------------------
class CellDelegate(QStyledItemDelegate):
    """The cell delegate, which knows its open cell editors, so that every way out of the form
    (保存, 定稿, autosave, closing) can take what is typed in one that is still open; a choice
    column's editor gets a ``ChoiceList`` (its keys pass through ``eventFilter``, which Qt
    installs on every editor) and its text is taken as an option's words."""

    def __init__(self, parent: QWidget, fields: tuple[Field, ...] = (), lang: str = "zh"):
        super().__init__(parent)
        self.fields, self.lang = fields, lang
        self.open_editors: list[QWidget] = []
        self.lists: dict[QWidget, ChoiceList] = {}
        self.entered: QWidget | None = None  # the editor Enter was last pressed in (closing it)

    def _choice_field(self, column: int) -> Field | None:
        field = self.fields[column] if 0 <= column < len(self.fields) else None
        return field if field is not None and field.type == "choice" and field.choices else None

    def createEditor(self, parent, option, index):  # noqa: N802 (Qt's name)
        editor = super().createEditor(parent, option, index)
        self.open_editors.append(editor)
        field = self._choice_field(index.column())
        if field is not None and isinstance(editor, QLineEdit):
            editor.setObjectName("choiceCellEditor")
            self.lists[editor] = choices = ChoiceList(field, self.lang, editor)
            # opened without typing (Tab onto the cell, F2, a double click): every option
            QTimer.singleShot(0, choices, lambda: None if editor.isModified() else choices.show_all())
        return editor

    def destroyEditor(self, editor, index) -> None:  # noqa: N802
        if editor in self.open_editors:
            self.open_editors.remove(editor)
        choices = self.lists.pop(editor, None)
        if choices is not None:
            choices.close()
        super().destroyEditor(editor, index)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """A choice cell's keys: ↑ ↓ PgUp PgDn move in its list, Esc closes the list (a second
        Esc leaves the cell as it was), Tab / Enter take the highlighted option — and then do
        what they do in every cell (commit, next cell) unless “其他：” waits for its text."""
        choices = self.lists.get(obj)  # type: ignore[call-overload]
        if choices is not None and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in _STEP_KEYS:
                choices.step(_STEP_KEYS[key])
                return True
            if key == Qt.Key.Key_Escape and choices.is_open():
                choices.close()
                return True
            if key in _PICK_KEYS and choices.pick():
                return True
        elif choices is not None and event.type() == QEvent.Type.FocusOut:
            choices.close()
        if event.type() == QEvent.Type.KeyPress and event.key() in _ENTER_KEYS:  # type: ignore[attr-defined]
            self.entered = obj  # type: ignore[assignment]  (Qt closes it on the next turn)
        return super().eventFilter(obj, event)

    def setModelData(self, editor, model, index) -> None:  # noqa: N802
        """A choice cell gets the words of the option typed (the editor's text is left alone:
        it may stay open, ``commit_open``)."""
        field = self._choice_field(index.column())
        if field is not None and isinstance(editor, QLineEdit):
            words = resolve_choice(field, editor.text(), self.lang)
            if model.data(index, Qt.ItemDataRole.EditRole) != words:
                model.setData(index, words, Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)

    def commit_open(self) -> None:
        """Write the text of open editors into their cells; the editors stay open (typing
        goes on). A cell whose text is unchanged is not touched (no itemChanged)."""
        for editor in list(self.open_editors):
            self.commitData.emit(editor)


# ---- the table -------------------------------------------------------------------------------
class FormTable(QTableWidget):
    """Tab walks the cells a person types into (not 编号, not cells greyed out as not
    applicable, not the columns of ``filled_columns``: 性别 and 出生日期, which the ID number
    fills — arrows, F2 and F8 still reach them), then leaves the table (to 添加一行); Shift+Tab
    leaves it from the first such cell. Qt's table would visit every cell and wrap around,
    keeping the focus for ever.

    Enter in a cell being typed commits it and goes on to the next cell of the row that the
    row still needs — required and empty (提取部位 after 名称 when the name told the 类别; 数量,
    提取人, 提取时间 and a suggested 提取方法 hold values) — with its editor open; where none
    is left it stays, as before."""

    filled_columns: frozenset[int] = frozenset()
    # the widths the columns want and the least each may take (RepeatEditor.fit_columns):
    # a table narrower than what they want shrinks every column toward its least, in
    # proportion to what it can give, so the form's width holds the table without a scroll bar
    _wanted: list[int] = []
    _least: list[int] = []
    _titles: list[tuple[str, str]] = []  # each header's one-line and two-line text

    fit_columns = None  # the editor's (RepeatEditor.fit_columns): done at its first load, or here when shown

    def set_widths(self, wanted: list[int], least: list[int], titles: list[tuple[str, str]]) -> None:
        self._wanted, self._least, self._titles = wanted, least, titles
        self.fit_width()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt)
        if not self._wanted and self.fit_columns is not None:  # (never loaded: fitted empty)
            self.fit_columns()
        super().showEvent(event)

    def room(self) -> int:
        """The width the columns have: the table's less its frame, the row numbers and a
        vertical scroll bar."""
        bar, numbers = self.verticalScrollBar(), self.verticalHeader()
        shown = bar.isVisible() or self.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOn
        return (self.width() - 2 * self.frameWidth() - (bar.sizeHint().width() if shown else 0)
                - (numbers.sizeHint().width() if not numbers.isHidden() and self.rowCount() else 0))

    def fit_width(self) -> None:
        if not self._wanted:
            return
        wanted, least, room = self._wanted, self._least, self.room()
        excess, slack = sum(wanted) - room, sum(w - m for w, m in zip(wanted, least))
        # too many columns to fit even at their least (the scene's 13-column 痕迹物证 at
        # 1024): each at its least — its header on two lines, its text whole — and the table
        # scrolls within itself, as little as it can
        share = 0.0 if excess <= 0 else min(1.0, excess / slack) if slack > 0 else 1.0
        for col, (want, low) in enumerate(zip(wanted, least)):
            width = int(want - share * (want - low))
            one, two = self._titles[col]
            item = self.horizontalHeaderItem(col)
            text = one if width >= self._one_line(col) else two
            if item is not None and item.text() != text:
                item.setText(text)
            self.setColumnWidth(col, width)

    def _one_line(self, col: int) -> int:
        return self.fontMetrics().horizontalAdvance(self._titles[col][0]) + 20

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt)
        super().resizeEvent(event)
        self.fit_width()

    def _typable(self) -> list[tuple[int, int]]:
        return [(r, c) for r in range(self.rowCount()) for c in range(self.columnCount())
                if c not in self.filled_columns and (item := self.item(r, c)) is not None
                and item.flags() & Qt.ItemFlag.ItemIsEditable]

    def _step(self, forward: bool) -> tuple[int, int] | None:
        """The next (previous) typable cell after the current one; None past the last."""
        here = (self.currentRow(), self.currentColumn())
        cells = self._typable()
        if not self.currentIndex().isValid():
            return (cells[0] if forward else cells[-1]) if cells else None
        after = [c for c in cells if (c > here if forward else c < here)]
        return (after[0] if forward else after[-1]) if after else None

    def moveCursor(self, action, modifiers):  # noqa: N802 (Qt's name)
        actions = QAbstractItemView.CursorAction
        if action in (actions.MoveNext, actions.MovePrevious):
            target = self._step(action == actions.MoveNext)
            if target is None:
                return self.currentIndex()
            return self.model().index(*target)
        return super().moveCursor(action, modifiers)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002,N802
        if self._step(next) is None:
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)

    def needed_after(self, row: int, column: int) -> int | None:
        """The next column of ``row`` after ``column`` a person still has to fill (see the
        class); None if there is none."""
        fields = getattr(self.itemDelegate(), "fields", ())
        typable = {c for r, c in self._typable() if r == row}
        return next((c for c in range(column + 1, min(self.columnCount(), len(fields)))
                     if c in typable and fields[c].required and not self.item(row, c).text().strip()),
                    None)

    def closeEditor(self, editor, hint) -> None:  # noqa: N802
        """Tab / Shift+Tab out of an open cell editor: committed, then the same rule. Enter:
        committed, then the next cell the row still needs (see the class)."""
        hints = QAbstractItemDelegate.EndEditHint
        delegate = self.itemDelegate()
        entered = getattr(delegate, "entered", None) is editor
        if entered:
            delegate.entered = None
        if hint == hints.SubmitModelCache and entered:  # Enter (Qt commits the data first), not
            here = self.currentIndex()                 # the close of a move to another row
            target = self.needed_after(here.row(), here.column()) if here.isValid() else None
            super().closeEditor(editor, hint)
            if target is not None:
                self.setCurrentCell(here.row(), target)  # (its editor opens: AllEditTriggers)
                if self.state() != QAbstractItemView.State.EditingState:
                    self.edit(self.currentIndex())
            return
        forward = hint == hints.EditNextItem
        if hint in (hints.EditNextItem, hints.EditPreviousItem) and self._step(forward) is None:
            super().closeEditor(editor, hints.NoHint)
            QWidget.focusNextPrevChild(self, forward)
            return
        super().closeEditor(editor, hint)
