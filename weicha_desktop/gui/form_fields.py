"""One editor per form field type: plain Python objects that own Qt widgets (the scalar
types here; geopoint, person, photos, repeat and ``make_editor`` in form_groups.py).

An editor shows a value (``set_value``), reads it back (``value``: None when empty), and
turns read-only. ``widget`` is the input named ``field_<path>``; ``row_widget`` is what the
form layout holds (the input plus companions such as the “其他” text)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QGridLayout, QHBoxLayout, QLineEdit,
                               QPlainTextEdit, QWidget)

from weicha_desktop.core.forms.spec import OTHER, Field
from weicha_desktop.gui.form_widgets import (OptionalDateEdit, OptionalDateTimeEdit,
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


def label_html(field: Field) -> str:
    numeric = field.type in ("integer", "decimal")  # those show the unit as a suffix
    unit = display_unit(field.unit)
    text = field.label.zh + (f"（{unit}）" if unit and not numeric else "")
    return (REQUIRED_MARK if field.required else "") + text.replace("<", "&lt;")


class Editor:
    wide = False  # placed across the whole form width, label above

    def __init__(self, field: Field, name: str):
        self.field = field
        self.name = name  # "field_<path>"
        self.widget: QWidget = self.build()
        self.widget.setObjectName(name)
        if field.help:
            self.widget.setToolTip(field.help.zh)
        self.row_widget: QWidget = self.widget

    def build(self) -> QWidget:
        raise NotImplementedError

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def set_readonly(self, readonly: bool) -> None:
        self.widget.setEnabled(not readonly)

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


class TextEditor(Editor):
    def build(self) -> QWidget:
        return QLineEdit()

    def value(self) -> Any:
        text = self.widget.text()
        return text if text.strip() else None

    def set_value(self, value: Any) -> None:
        self.widget.setText("" if value is None else str(value))

    def set_readonly(self, readonly: bool) -> None:
        self.widget.setReadOnly(readonly or self.field.readonly)


class TextAreaEditor(TextEditor):
    def build(self) -> QWidget:
        edit = QPlainTextEdit()
        edit.setMinimumHeight(84)
        edit.setMaximumHeight(160)
        edit.setTabChangesFocus(True)
        return edit

    def value(self) -> Any:
        text = self.widget.toPlainText()
        return text if text.strip() else None

    def set_value(self, value: Any) -> None:
        self.widget.setPlainText("" if value is None else str(value))


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
        return None if self.widget.is_empty() else self.widget.value()

    def set_value(self, value: Any) -> None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.widget.set_number(int(value))
        else:
            self.widget.clear_value()

    def set_readonly(self, readonly: bool) -> None:
        self.widget.setReadOnly(readonly)


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
        if self.widget.is_empty():
            return None
        shown = round(self.widget.value(), self.DECIMALS)
        loaded = self._loaded
        if isinstance(loaded, (int, float)) and round(loaded, self.DECIMALS) == shown:
            return loaded  # unchanged: keep the stored value exactly (int stays int)
        return shown

    def set_value(self, value: Any) -> None:
        self._loaded = value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.widget.set_number(float(value))
        else:
            self.widget.clear_value()


class DateEditor(Editor):
    def build(self) -> QWidget:
        edit = OptionalDateEdit()
        edit.setMinimumWidth(140)
        return edit

    def value(self) -> Any:
        return None if self.widget.is_empty() else self.widget.date().toString(Qt.DateFormat.ISODate)

    def set_value(self, value: Any) -> None:
        date = QDate.fromString(value, Qt.DateFormat.ISODate) if isinstance(value, str) else QDate()
        if date.isValid():
            self.widget.setDate(date)
        else:
            self.widget.clear_value()

    def set_readonly(self, readonly: bool) -> None:
        self.widget.setReadOnly(readonly)


class DateTimeEditor(DateEditor):
    """Shows the time as recorded; saves ISO-8601 with the recorded (or local) offset."""

    def build(self) -> QWidget:
        self._loaded: str | None = None
        edit = OptionalDateTimeEdit()
        edit.setMinimumWidth(170)
        return edit

    def value(self) -> Any:
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
        if wall is None:
            self.widget.clear_value()
        else:
            self.widget.setDateTime(wall)


class _OtherMixin:
    """The free text that goes with a “其他” choice (data key ``<id>_other``)."""

    def _make_other(self) -> QLineEdit:
        self.other = QLineEdit()
        self.other.setObjectName(f"{self.name}_other")
        self.other.setPlaceholderText("选“其他”时请注明")
        self.other.setEnabled(False)
        return self.other

    def _other_values(self, chose_other: bool) -> dict[str, Any]:
        text = self.other.text() if self.field.other_key else ""
        return {self.field.other_key: text} if chose_other and text.strip() else {}


class ChoiceEditor(_OtherMixin, Editor):
    def build(self) -> QWidget:
        combo = QComboBox()
        combo.addItem("", None)
        for choice in self.field.choices:
            combo.addItem(choice.label.zh, choice.value)
        combo.setMinimumWidth(160)
        return combo

    def __init__(self, field: Field, name: str):
        super().__init__(field, name)
        if field.other_key:
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(self.widget)
            row.addWidget(self._make_other(), 1)
            self.widget.currentIndexChanged.connect(
                lambda: self.other.setEnabled(self.value() == OTHER and self.widget.isEnabled()))
            self.row_widget = box

    def value(self) -> Any:
        return self.widget.currentData()

    def set_value(self, value: Any) -> None:
        index = self.widget.findData(value) if value is not None else 0
        if index < 0:  # a value the form does not offer: show it, let validation say so
            self.widget.addItem(str(value), value)
            index = self.widget.count() - 1
        self.widget.setCurrentIndex(index)

    def values(self) -> dict[str, Any]:
        value = self.value()
        out = {} if is_empty(value) else {self.field.id: value}
        chose_other = value == OTHER or (isinstance(value, list) and OTHER in value)
        return out | (self._other_values(chose_other) if self.field.other_key else {})

    def load(self, data: dict[str, Any]) -> None:
        self.set_value(data.get(self.field.id))
        if self.field.other_key:
            self.other.setText(data.get(self.field.other_key) or "")

    def set_readonly(self, readonly: bool) -> None:
        self.widget.setEnabled(not readonly)
        if self.field.other_key:
            self.other.setEnabled(not readonly and self.value() == OTHER)


class MultiChoiceEditor(_OtherMixin, Editor):
    COLUMNS = 4

    def build(self) -> QWidget:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.boxes: list[QCheckBox] = []
        for i, choice in enumerate(self.field.choices):
            check = QCheckBox(choice.label.zh)
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
        self.other.setEnabled(OTHER in (self.value() or []) and self.boxes[0].isEnabled())

    def value(self) -> Any:
        chosen = [c.property("choiceValue") for c in self.boxes if c.isChecked()]
        return chosen or None

    def set_value(self, value: Any) -> None:
        chosen = value if isinstance(value, list) else []
        for check in self.boxes:
            check.setChecked(check.property("choiceValue") in chosen)

    values = ChoiceEditor.values
    load = ChoiceEditor.load

    def set_readonly(self, readonly: bool) -> None:
        for check in self.boxes:
            check.setEnabled(not readonly)
        if self.field.other_key:
            self.other.setEnabled(not readonly and OTHER in (self.value() or []))


class BooleanEditor(Editor):
    """Unset until loaded with a value or clicked: an untouched box is not a “否”."""

    def build(self) -> QWidget:
        check = QCheckBox("是")
        self._set = False
        check.clicked.connect(self._touch)
        return check

    def _touch(self) -> None:
        self._set = True

    def value(self) -> Any:
        return self.widget.isChecked() if self._set else None

    def set_value(self, value: Any) -> None:
        self._set = isinstance(value, bool)
        self.widget.setChecked(value is True)
