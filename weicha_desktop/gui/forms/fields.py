"""One editor per form field type: plain Python objects that own Qt widgets (the scalar
types here; geopoint, person, photos, repeat and ``make_editor`` in groups.py).

An editor shows a value (``set_value``), reads it back (``value``: None when empty), and
turns read-only. ``widget`` is the input named ``field_<path>``; ``row_widget`` is what the
form layout holds (the input plus companions such as the “其他” text). ``signals()`` are the
Qt signals that fire when the user edits it (the form view listens to them for autosave and
live ``relevant``); ``focus_widgets()`` are its inputs in tab order. Labels follow ``lang``
("zh" / "en", from the form's YAML); fixed texts go through Qt's translation."""
from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt, SignalInstance
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (QCheckBox, QComboBox, QGridLayout, QHBoxLayout, QLineEdit,
                               QPlainTextEdit, QWidget)

from weicha_desktop.core.forms.spec import Field
from weicha_desktop.core.forms.templates import BLANK_RUN
from weicha_desktop.gui.forms.widgets import (OptionalDateEdit, OptionalDateTimeEdit,
                                              OptionalDoubleSpinBox, OptionalSpinBox,
                                              iso_with_offset, wall_time)

REQUIRED_MARK = '<span style="color:#d32f2f;">*</span> '
NUMBER_LIMIT = 10**9


# WenQuanYi Micro Hei maps these to an EMPTY glyph: no box, just nothing on screen (and in
# a PDF). Show a look-alike the font draws; the data keeps the form's own unit.
DISPLAY_SUBSTITUTES = {"℃": "°C"}


def display_unit(unit: str | None) -> str:
    text = unit or ""
    for char, shown in DISPLAY_SUBSTITUTES.items():
        text = text.replace(char, shown)
    return text


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _units(text: str, index: int) -> int:
    """A position in ``text`` as Qt counts it (UTF-16: a character beyond the BMP is two)."""
    return len(text[:index].encode("utf-16-le")) // 2


def label_html(field: Field, lang: str = "zh") -> str:
    numeric = field.type in ("integer", "decimal")  # those show the unit as a suffix
    unit = display_unit(field.unit)
    text = field.label.text(lang) + (f"（{unit}）" if unit and not numeric else "")
    return (REQUIRED_MARK if field.required else "") + text.replace("<", "&lt;")


class Editor:
    wide = False  # placed across the whole form width, label above

    def __init__(self, field: Field, name: str, lang: str = "zh"):
        self.field = field
        self.name = name  # "field_<path>"
        self.lang = lang
        self.widget: QWidget = self.build()
        self.widget.setObjectName(name)
        if field.help:
            self.widget.setToolTip(field.help.text(lang))
        self.row_widget: QWidget = self.widget

    def build(self) -> QWidget:
        raise NotImplementedError

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def set_readonly(self, readonly: bool) -> None:
        self.widget.setEnabled(not readonly)

    def commit_open_edit(self) -> None:
        """Take in what is typed but not yet committed (a table's open cell editor)."""

    def values(self) -> dict[str, Any]:
        """The data keys this editor fills, empty ones left out."""
        value = self.value()
        return {} if is_empty(value) else {self.field.id: value}

    def load(self, data: dict[str, Any]) -> None:
        self.set_value(data.get(self.field.id))

    def keys(self) -> tuple[str, ...]:
        return tuple(k for k in (self.field.id, self.field.other_key) if k)

    def focus(self, rest: str = "") -> None:
        self.widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def signals(self) -> list[SignalInstance]:
        raise NotImplementedError

    def focus_widgets(self) -> list[QWidget]:
        return [self.widget]

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        """Mark the parts named by ``(rest of path, message)`` pairs (``[0].id_number``);
        the form view shows the messages under the field. Tables mark their cells."""

    def update_relevance(self, env: dict[str, Any]) -> None:
        """Sub-fields whose ``relevant`` reads row values (repeat tables) follow ``env``."""


class TextEditor(Editor):
    def build(self) -> QWidget:
        return QLineEdit()

    def signals(self) -> list[SignalInstance]:
        return [self.widget.textChanged]

    _raw: Any = None  # a value stored as something else than text (a number): kept

    def value(self) -> Any:
        return self._given_back(self.widget.text())

    def set_value(self, value: Any) -> None:
        self._raw = None if value is None or isinstance(value, str) or is_empty(value) else value
        self.widget.setText("" if value is None else str(value))

    def _given_back(self, text: str) -> Any:
        """The text typed, or what was stored (not text: 5, True) while it is shown unchanged."""
        if self._raw is not None and text == str(self._raw):
            return self._raw
        return text if text.strip() else None

    def set_readonly(self, readonly: bool) -> None:
        self.widget.setReadOnly(readonly or self.field.readonly)

    def focus(self, rest: str = "") -> None:
        """Focused (a problem chosen, F8): the first blank ``____`` still in the text is
        selected, so what is typed replaces it."""
        super().focus(rest)
        text = self.text()
        blank = BLANK_RUN.search(text)
        if blank:  # Qt counts UTF-16 units (a rare character beyond the BMP is two)
            self.select(*(_units(text, i) for i in blank.span()))

    def text(self) -> str:
        return self.widget.text()

    def select(self, start: int, end: int) -> None:
        self.widget.setSelection(start, end - start)

    def replace_text(self, new: str) -> None:
        """``new`` in place of the text (the form filling a blank): set as a whole here; the
        text area changes only the part that differs."""
        self.set_value(new)


class TextAreaEditor(TextEditor):
    def build(self) -> QWidget:
        edit = QPlainTextEdit()
        edit.setMinimumHeight(84)
        edit.setMaximumHeight(160)
        edit.setTabChangesFocus(True)
        return edit

    def value(self) -> Any:
        return self._given_back(self.widget.toPlainText())

    def set_value(self, value: Any) -> None:
        self._raw = None if value is None or isinstance(value, str) or is_empty(value) else value
        self.widget.setPlainText("" if value is None else str(value))

    def text(self) -> str:
        return self.widget.toPlainText()

    def select(self, start: int, end: int) -> None:
        cursor = self.widget.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.widget.setTextCursor(cursor)

    def replace_text(self, new: str) -> None:
        """Only the part of the text that differs is replaced, through a cursor of its own:
        the user's cursor stays where it is and Ctrl+Z takes the change back."""
        old = self.text()
        head = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
        tail = 0
        while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
            tail += 1
        cursor = QTextCursor(self.widget.document())
        cursor.setPosition(_units(old, head))
        cursor.setPosition(_units(old, len(old) - tail), QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(new[head:len(new) - tail])

    def signals(self) -> list[SignalInstance]:
        return [self.widget.textChanged]


_SPIN_LIMIT = 2**31 - 2  # a QSpinBox holds a C int (and one below its minimum: empty)


def _shown_as_integer(value: Any) -> bool:
    """Whether an integer spin box shows ``value`` exactly (10**12, NaN, 2.5 it cannot)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return (isinstance(value, int) or (math.isfinite(value) and value.is_integer())) \
        and abs(value) <= _SPIN_LIMIT


class IntegerEditor(Editor):
    def build(self) -> QWidget:
        c = self.field.constraint
        lo = int(c.min) if c.min is not None else -NUMBER_LIMIT
        hi = int(c.max) if c.max is not None else NUMBER_LIMIT
        spin = OptionalSpinBox(lo, hi)
        if self.field.unit:
            spin.setSuffix(f" {display_unit(self.field.unit)}")
        spin.setMinimumWidth(120)
        return spin

    def value(self) -> Any:
        holding, held = self.widget.held()
        if holding:
            return held
        return None if self.widget.is_empty() else self.widget.value()

    def set_value(self, value: Any) -> None:
        if is_empty(value):
            self.widget.clear_value()
        elif _shown_as_integer(value):
            self.widget.set_number(int(value))
        else:  # (10**12, NaN, 2.5, text: shown and kept as stored, validation says why)
            self.widget.hold(value)

    def set_readonly(self, readonly: bool) -> None:
        self.widget.setReadOnly(readonly)

    def signals(self) -> list[SignalInstance]:
        return [self.widget.valueChanged]


class DecimalEditor(IntegerEditor):
    DECIMALS = 2

    def build(self) -> QWidget:
        c = self.field.constraint
        lo = float(c.min) if c.min is not None else -NUMBER_LIMIT
        hi = float(c.max) if c.max is not None else NUMBER_LIMIT
        spin = OptionalDoubleSpinBox(lo, hi, self.DECIMALS)
        if self.field.unit:
            spin.setSuffix(f" {display_unit(self.field.unit)}")
        spin.setMinimumWidth(120)
        self._loaded: Any = None
        return spin

    def value(self) -> Any:
        holding, held = self.widget.held()
        if holding:
            return held
        if self.widget.is_empty():
            return None
        shown = round(self.widget.value(), self.DECIMALS)
        loaded = self._loaded
        if isinstance(loaded, (int, float)) and round(loaded, self.DECIMALS) == shown:
            return loaded  # unchanged: keep the stored value exactly (int stays int)
        return shown

    def set_value(self, value: Any) -> None:
        self._loaded = value
        if is_empty(value):
            self.widget.clear_value()
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            self.widget.set_number(float(value))
        else:  # (NaN, text: shown and kept as stored, as IntegerEditor)
            self.widget.hold(value)


class DateEditor(Editor):
    def build(self) -> QWidget:
        edit = OptionalDateEdit()
        edit.setMinimumWidth(140)
        return edit

    def value(self) -> Any:
        holding, held = self.widget.held()
        if holding:
            return held
        return None if self.widget.is_empty() else self.widget.date().toString(Qt.DateFormat.ISODate)

    def set_value(self, value: Any) -> None:
        date = QDate.fromString(value, Qt.DateFormat.ISODate) if isinstance(value, str) else QDate()
        if date.isValid():
            self.widget.setDate(date)
        elif is_empty(value):
            self.widget.clear_value()
        else:  # (2024-02-30, a number: shown and kept as stored, as IntegerEditor)
            self.widget.hold(value)

    def set_readonly(self, readonly: bool) -> None:
        self.widget.setReadOnly(readonly)

    def signals(self) -> list[SignalInstance]:
        return [self.widget.dateTimeChanged]


class DateTimeEditor(DateEditor):
    """Shows the time as recorded; saves ISO-8601 with the recorded (or local) offset."""

    def build(self) -> QWidget:
        self._loaded: str | None = None
        edit = OptionalDateTimeEdit()
        edit.setMinimumWidth(170)
        return edit

    def value(self) -> Any:
        holding, held = self.widget.held()
        if holding:
            return held
        if self.widget.is_empty():
            return None
        wall: datetime = self.widget.dateTime().toPython().replace(second=0, microsecond=0)
        loaded = wall_time(self._loaded) if self._loaded else None
        if loaded is not None and loaded.replace(second=0, microsecond=0) == wall:
            return self._loaded  # unchanged: the stored string, offset and seconds included
        return iso_with_offset(wall, self._loaded)

    def set_value(self, value: Any) -> None:
        self._loaded = value if isinstance(value, str) else None
        wall = wall_time(value) if isinstance(value, str) else None
        if wall is not None:
            self.widget.setDateTime(wall)
        elif is_empty(value):
            self.widget.clear_value()
        else:  # (下午三点, a number: shown and kept as stored)
            self.widget.hold(value)


class _OtherMixin:
    """The free text that goes with a “其他” choice (data key ``<id>_other``)."""

    def _make_other(self) -> QLineEdit:
        self.other = QLineEdit()
        self.other.setObjectName(f"{self.name}_other")
        self.other.setPlaceholderText(QCoreApplication.translate("FormEditors", "选“其他”时请注明"))
        self.other.setEnabled(False)
        self._other_raw: Any = None  # a “其他” text stored as something else (a number): kept
        return self.other

    def _load_other(self, other: Any) -> None:
        self._other_raw = None if other is None or isinstance(other, str) or is_empty(other) else other
        self.other.setText("" if is_empty(other) else str(other))

    def _other_signals(self) -> list[SignalInstance]:
        return [self.other.textChanged] if self.field.other_key else []

    def _other_focus(self) -> list[QWidget]:
        return [self.other] if self.field.other_key else []

    def _other_values(self, chose_other: bool) -> dict[str, Any]:
        text = self.other.text() if self.field.other_key else ""
        if self._other_raw is not None and text == str(self._other_raw):  # (as stored: unchanged)
            return {self.field.other_key: self._other_raw} if chose_other else {}
        return {self.field.other_key: text} if chose_other and text.strip() else {}


class ChoiceEditor(_OtherMixin, Editor):
    """The values live in a Python list, not in Qt item data: see “None and PySide6” in
    docs/autosave.md (each Qt call that hands back None costs a reference to None)."""

    def build(self) -> QWidget:
        combo = QComboBox()
        self._values: list[Any] = [None] + [c.value for c in self.field.choices]
        combo.addItems([""] + [c.label.text(self.lang) for c in self.field.choices])
        combo.setMinimumWidth(160)
        return combo

    def __init__(self, field: Field, name: str, lang: str = "zh"):
        super().__init__(field, name, lang)
        if field.other_key:
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(self.widget)
            row.addWidget(self._make_other(), 1)
            self.widget.currentIndexChanged.connect(
                lambda: self.other.setEnabled(self.field.chose_other(self.value()) and self.widget.isEnabled()))
            self.row_widget = box

    def value(self) -> Any:
        index = self.widget.currentIndex()
        return self._values[index] if index >= 0 else None

    def signals(self) -> list[SignalInstance]:
        return [self.widget.currentIndexChanged, *self._other_signals()]

    def focus_widgets(self) -> list[QWidget]:
        return [self.widget, *self._other_focus()]

    def set_value(self, value: Any) -> None:
        if value not in self._values:  # a value the form does not offer: show it, let
            self._values.append(value)  # validation say so
            self.widget.addItem(str(value))
        self.widget.setCurrentIndex(self._values.index(value))

    def values(self) -> dict[str, Any]:
        value = self.value()
        out = {} if is_empty(value) else {self.field.id: value}
        chose_other = self.field.chose_other(value)
        return out | (self._other_values(chose_other) if self.field.other_key else {})

    def load(self, data: dict[str, Any]) -> None:
        self.set_value(data.get(self.field.id))
        if self.field.other_key:
            self._load_other(data.get(self.field.other_key))

    def set_readonly(self, readonly: bool) -> None:
        self.widget.setEnabled(not readonly)
        if self.field.other_key:
            self.other.setEnabled(not readonly and self.field.chose_other(self.value()))


class MultiChoiceEditor(_OtherMixin, Editor):
    COLUMNS = 4

    def build(self) -> QWidget:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.boxes: list[QCheckBox] = []
        for i, choice in enumerate(self.field.choices):
            check = QCheckBox(choice.label.text(self.lang))
            check.setObjectName(f"{self.name}_{i}")
            check.setProperty("choiceValue", choice.value)
            grid.addWidget(check, i // self.COLUMNS, i % self.COLUMNS)
            self.boxes.append(check)
        if self.field.other_key:
            grid.addWidget(self._make_other(), grid.rowCount(), 0, 1, self.COLUMNS)
            for check in self.boxes:
                check.toggled.connect(self._update_other)
        return box

    def _update_other(self) -> None:
        self.other.setEnabled(self.field.chose_other(self.value() or []) and self.boxes[0].isEnabled())

    def value(self) -> Any:
        chosen = [c.property("choiceValue") for c in self.boxes if c.isChecked()]
        as_loaded, loaded = self._as_loaded
        if chosen == as_loaded and not is_empty(loaded):
            return loaded  # the boxes as loaded: codes it has no box for, the order, kept
        return chosen or None

    def signals(self) -> list[SignalInstance]:
        return [c.toggled for c in self.boxes] + self._other_signals()

    def focus_widgets(self) -> list[QWidget]:
        return [*self.boxes, *self._other_focus()]

    def focus(self, rest: str = "") -> None:
        self.boxes[0].setFocus(Qt.FocusReason.OtherFocusReason)

    _as_loaded: tuple[list[Any], Any] = ([], None)  # the boxes checked by the load, the value

    def set_value(self, value: Any) -> None:
        chosen = value if isinstance(value, list) else []
        for check in self.boxes:
            check.setChecked(check.property("choiceValue") in chosen)
        self._as_loaded = ([c.property("choiceValue") for c in self.boxes if c.isChecked()], value)

    values = ChoiceEditor.values
    load = ChoiceEditor.load

    def set_readonly(self, readonly: bool) -> None:
        for check in self.boxes:
            check.setEnabled(not readonly)
        if self.field.other_key:
            self.other.setEnabled(not readonly and self.field.chose_other(self.value() or []))


class BooleanEditor(Editor):
    """Unset until loaded with a value or clicked: an untouched box is not a “否”."""

    def build(self) -> QWidget:
        check = QCheckBox(QCoreApplication.translate("FormEditors", "是"))
        self._set = False
        check.clicked.connect(self._touch)
        return check

    def _touch(self) -> None:
        self._set = True

    def signals(self) -> list[SignalInstance]:
        return [self.widget.clicked]

    def value(self) -> Any:
        return self.widget.isChecked() if self._set else None

    def set_value(self, value: Any) -> None:
        self._set = isinstance(value, bool)
        self.widget.setChecked(value is True)
