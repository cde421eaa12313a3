"""The table of a repeat group (groups.py's ``RepeatEditor`` shows one): ``FormTable`` (Tab
walks the cells a person types into, then leaves), ``CellDelegate`` (knows its open cell
editors, so every save path can take what is typed in one; gives a choice column a line edit
whose typing filters the form's choice list) and the words ⇄ value rules of a choice cell.

A choice cell holds the option's words in the interface language; the record gets the value
the form stores (the code, form v3 on) through ``parse_cell``. Typing filters the list
(“手” → 手印, “胶带” → 硅胶/胶带提取, codes and the other language's words too); Tab or Enter
takes the highlighted option, else the first that matches, so a few letters are enough. The
“其他” option of a field with ``other_text`` is written “其他：说明” in the cell (the data keeps
``<id>`` = other and ``<id>_other`` = 说明)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemDelegate, QAbstractItemView, QApplication, QCompleter,
                               QLineEdit, QStyledItemDelegate, QTableWidget, QWidget)

from weicha_desktop.core.forms.spec import Field

OTHER_SEPARATORS = ("：", ":")
OTHER_SEPARATOR = "："
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1  # an option's words in both languages and its code
_PICK_KEYS = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Return, Qt.Key.Key_Enter)


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


class ChoiceCompleter(QCompleter):
    """The popup list of a choice cell's line edit: typing filters it (any part of an option's
    words in either language or of its code) and highlights the option Tab / Enter will take
    (what ``resolve_choice`` gives; ↑ ↓ choose another); the key then does what it does in the
    table (commit, next cell). Picking “其他” of a field with other text leaves the editor open
    at “其他：” for the explanation."""

    def __init__(self, field: Field, lang: str, edit: QLineEdit):
        super().__init__(edit)
        self.field, self.lang, self.edit = field, lang, edit
        model = QStandardItemModel(self)
        for choice in field.choices:
            item = QStandardItem(choice.label.text(lang))
            item.setData(" ".join(filter(None, (choice.label.text(lang), choice.label.zh, choice.label.en,
                                                choice.code, str(choice.value)))), SEARCH_ROLE)
            model.appendRow(item)
        self.setModel(model)
        self.setCompletionRole(SEARCH_ROLE)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setMaxVisibleItems(12)
        self.setWidget(edit)
        self.popup().setObjectName("choiceCellPopup")
        metrics = self.popup().fontMetrics()  # the longest option whole, in a narrow column too
        self.popup().setMinimumWidth(max((metrics.horizontalAdvance(c.label.text(lang)) for c in field.choices),
                                         default=0) + 40)
        self._typed = False
        edit.textEdited.connect(self.filter)  # also an input method's commit (汉字)
        self.activated[QModelIndex].connect(self._clicked)

    def _highlight(self, words: str) -> None:
        shown = self.completionModel()
        row = next((r for r in range(shown.rowCount()) if shown.index(r, 0).data() == words), -1)
        if row >= 0:
            self.popup().setCurrentIndex(shown.index(row, 0))

    def filter(self, text: str) -> None:
        self._typed = True
        head, other = split_other(self.field, text, self.lang)
        self.setCompletionPrefix(head.strip())
        if other is None and self.completionCount():
            self.complete()  # all of them again when the text was deleted
            self._highlight(resolve_choice(self.field, text, self.lang))
        else:
            self.popup().hide()

    def show_all(self) -> None:
        """Every option (the current one highlighted) when the editor opened without typing:
        F2, a double click, Tab onto the cell."""
        if not self._typed and self.edit.isVisible() and self.edit.hasFocus():
            self.setCompletionPrefix("")
            self.complete()
            self._highlight(self.edit.text())

    def pick(self) -> bool:
        """The highlighted option into the line edit, else what the text resolves to. True: stay
        in the editor (“其他：” waits for its explanation)."""
        index = self.popup().currentIndex()
        self.popup().hide()
        words = index.data() if index.isValid() else resolve_choice(self.field, self.edit.text(), self.lang)
        if not words:
            return False
        if self.field.other_key and words == self.field.choice_label(self.field.other_value, self.lang):
            self.edit.setText(words + OTHER_SEPARATOR)
            return True
        self.edit.setText(words)
        return False

    def _clicked(self, index: QModelIndex) -> None:
        words = index.data()
        other = self.field.other_key and words == self.field.choice_label(self.field.other_value, self.lang)
        self.edit.setText(words + OTHER_SEPARATOR if other else words)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.popup() and event.type() == QEvent.Type.KeyPress and self.popup().isVisible():
            key_event: QKeyEvent = event  # type: ignore[assignment]
            if key_event.key() in _PICK_KEYS:
                stay = self.pick()
                if not stay:  # then the key does what it does in the table
                    QApplication.sendEvent(self.edit, QKeyEvent(
                        key_event.type(), key_event.key(), key_event.modifiers(), key_event.text()))
                return True
        return super().eventFilter(watched, event)


# ---- the delegate ----------------------------------------------------------------------------
class CellDelegate(QStyledItemDelegate):
    """The cell delegate, which knows its open cell editors, so that every way out of the form
    (保存, 定稿, autosave, closing) can take what is typed in one that is still open; a choice
    column's editor gets a ``ChoiceCompleter`` and its text is taken as an option's words."""

    def __init__(self, parent: QWidget, fields: tuple[Field, ...] = (), lang: str = "zh"):
        super().__init__(parent)
        self.fields, self.lang = fields, lang
        self.open_editors: list[QWidget] = []

    def _choice_field(self, column: int) -> Field | None:
        field = self.fields[column] if 0 <= column < len(self.fields) else None
        return field if field is not None and field.type == "choice" and field.choices else None

    def createEditor(self, parent, option, index):  # noqa: N802 (Qt's name)
        editor = super().createEditor(parent, option, index)
        self.open_editors.append(editor)
        field = self._choice_field(index.column())
        if field is not None and isinstance(editor, QLineEdit):
            editor.setObjectName("choiceCellEditor")
            completer = ChoiceCompleter(field, self.lang, editor)  # a child: goes with the editor
            QTimer.singleShot(0, completer, completer.show_all)
        return editor

    def destroyEditor(self, editor, index) -> None:  # noqa: N802
        if editor in self.open_editors:
            self.open_editors.remove(editor)
        super().destroyEditor(editor, index)

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
    applicable), then leaves the table (to 添加一行); Shift+Tab leaves it from the first such
    cell. Qt's table would visit every cell and wrap around, keeping the focus for ever."""

    def _typable(self) -> list[tuple[int, int]]:
        return [(r, c) for r in range(self.rowCount()) for c in range(self.columnCount())
                if (item := self.item(r, c)) is not None
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

    def closeEditor(self, editor, hint) -> None:  # noqa: N802
        """Tab / Shift+Tab out of an open cell editor: committed, then the same rule."""
        hints = QAbstractItemDelegate.EndEditHint
        forward = hint == hints.EditNextItem
        if hint in (hints.EditNextItem, hints.EditPreviousItem) and self._step(forward) is None:
            super().closeEditor(editor, hints.NoHint)
            QWidget.focusNextPrevChild(self, forward)
            return
        super().closeEditor(editor, hint)
