"""Input widgets that can be empty, and text ⇄ value conversion for table cells.

Qt's spin boxes and date edits always hold a value; a form field may be unfilled. These
subclasses use their minimum as "empty" (shown as blank via specialValueText): the first
arrow step or click from empty jumps to a sensible start, Delete on a fully selected
input empties it again."""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QEvent, Qt, QTime, QTimeZone
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPalette
from PySide6.QtWidgets import (QAbstractSpinBox, QDateEdit, QDateTimeEdit, QDoubleSpinBox, QLineEdit,
                               QPlainTextEdit, QSpinBox, QWidget)

from weicha_desktop.core.forms.spec import Field

EMPTY_TEXT = " "  # specialValueText must be non-empty to take effect; a space shows blank
EMPTY_DATE = QDate(1900, 1, 1)


READONLY_LOOK = ((QPalette.ColorRole.Base, QColor("#f2f2f2")), (QPalette.ColorRole.Text, QColor("#333333")))


def grey_readonly(root: QWidget) -> None:
    """The read-only inputs under ``root`` (and ``root``, an input) on grey (#f2f2f2, text #333), the others as the
    style draws them. A palette: a style sheet ``[readOnly="true"]`` over the form made Qt
    restyle every widget of the form as its tabs were put in (a quarter of opening a case),
    and did not follow an input made read-only once shown (a finalized case stayed white)."""
    for cls in (QLineEdit, QPlainTextEdit, QAbstractSpinBox):
        for widget in [root, *root.findChildren(cls)] if isinstance(root, cls) else root.findChildren(cls):
            readonly = widget.isReadOnly()
            if readonly == widget.testAttribute(Qt.WidgetAttribute.WA_SetPalette):
                continue
            if readonly:
                palette = QPalette()  # only these roles: the rest still follows the parent
                for role, color in READONLY_LOOK:
                    palette.setColor(role, color)
                widget.setPalette(palette)
            else:
                widget.setPalette(QPalette())  # nothing set: back to the parent's


def clear_tip() -> str:
    """How to empty an input, in the window's language (``translate`` spelled out: lupdate)."""
    return QCoreApplication.translate("FieldWidgets", "全选后按 Delete 键清空")


def _wants_clear(widget, event: QKeyEvent) -> bool:
    edit = widget.lineEdit()
    return (event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            and edit.hasSelectedText() and edit.selectedText() == edit.text())


class _HoldMixin:
    """A stored value the input cannot hold (10**12 in an integer box, NaN, a date that is no
    date, text written by an older version): shown as it is, in place of the empty text, and
    given back unchanged (``held``) until the user changes the input or empties it (validation
    names it). Used by the spin boxes and the date edits, whose “empty” is their minimum."""

    _holding, _held = False, None
    SHOWN = 40  # characters of a held value shown (the input is as wide as its text)

    def hold(self, value: Any) -> None:
        self.clear_value()
        self._holding, self._held = True, value
        text = " ".join(str(value).split()) or str(value)  # (one line)
        self.setSpecialValueText(text if len(text) <= self.SHOWN else text[:self.SHOWN - 1] + "…")

    def held(self) -> tuple[bool, Any]:
        """Whether the input holds a value it cannot show, and that value."""
        return self._holding, self._held

    def _release(self) -> None:
        if self._holding:
            self._holding, self._held = False, None
            self.setSpecialValueText(EMPTY_TEXT)

    def _released_on_change(self, signal) -> None:
        signal.connect(lambda *_: None if self.is_empty() else self._release())

    def _cleared_by_user(self, changed) -> None:
        """Delete on the whole text: emptied; a held value emptied changes no value, so the
        form is told (``changed``: the input's change signal)."""
        holding = self._holding
        self.clear_value()
        if holding:
            changed()


class _OptionalNumberMixin(_HoldMixin):
    """Shared by the two spin boxes: empty = one below the allowed minimum."""

    def _setup(self, lo, hi) -> None:
        self._start = 0 if lo <= 0 <= hi else lo
        self.setRange(lo - 1, hi)
        self.setSpecialValueText(EMPTY_TEXT)
        self.setToolTip(clear_tip())
        self.clear_value()
        self._released_on_change(self.valueChanged)

    def is_empty(self) -> bool:
        return self.value() == self.minimum()

    def clear_value(self) -> None:
        self._release()
        self.setValue(self.minimum())

    def set_number(self, value) -> None:
        self._release()
        if value <= self.minimum() or value > self.maximum():  # keep wrong data visible
            self.setRange(min(self.minimum(), value - 1), max(self.maximum(), value))
        self.setValue(value)

    def stepBy(self, steps: int) -> None:
        if self.is_empty():
            self.setValue(self._start)
        else:
            super().stepBy(steps)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if _wants_clear(self, event):
            self._cleared_by_user(lambda: self.valueChanged.emit(self.value()))
        else:
            super().keyPressEvent(event)


class OptionalSpinBox(_OptionalNumberMixin, QSpinBox):
    def __init__(self, lo: int, hi: int, parent=None):
        super().__init__(parent)
        self._setup(lo, hi)


class OptionalDoubleSpinBox(_OptionalNumberMixin, QDoubleSpinBox):
    def __init__(self, lo: float, hi: float, decimals: int = 2, parent=None):
        super().__init__(parent)
        self.setDecimals(decimals)
        self._setup(float(lo), float(hi))


class _OptionalDateMixin(_HoldMixin):
    """Shared by the date and date-time edits: empty = the minimum, a click fills "now"."""

    def _setup(self) -> None:
        self.setCalendarPopup(True)
        self.setMinimumDate(EMPTY_DATE)
        self.setSpecialValueText(EMPTY_TEXT)
        self.setToolTip(QCoreApplication.translate("FieldWidgets", "点击填入当前日期；{clear}").format(
            clear=clear_tip()))
        self.clear_value()
        self._released_on_change(self.dateTimeChanged)
        # a click on the text lands on the inner line edit, not on this widget
        self.lineEdit().installEventFilter(self)

    def _may_fill(self) -> bool:
        return self.is_empty() and self.isEnabled() and not self.isReadOnly()

    def eventFilter(self, watched, event) -> bool:
        if (watched is self.lineEdit() and event.type() == QEvent.Type.MouseButtonPress
                and self._may_fill()):
            self.fill_now()
        return super().eventFilter(watched, event)

    def is_empty(self) -> bool:
        return self.dateTime() == self.minimumDateTime()

    def clear_value(self) -> None:
        self._release()
        self.setDateTime(self.minimumDateTime())

    def fill_now(self) -> None:
        now = QDateTime.currentDateTime()
        self.setDateTime(QDateTime(now.date(), QTime(now.time().hour(), now.time().minute())))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # the calendar arrow
        if self._may_fill():
            self.fill_now()
        super().mousePressEvent(event)

    def stepBy(self, steps: int) -> None:
        if self.is_empty():
            self.fill_now()
        else:
            super().stepBy(steps)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if _wants_clear(self, event):
            self._cleared_by_user(lambda: self.dateTimeChanged.emit(self.dateTime()))
            return
        if event.text().isdigit() and self._may_fill():
            self.fill_now()  # typing into an empty date starts from today, section by section
            self.setSelectedSection(self.sectionAt(0))
        super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002,N802 (Qt's names)
        """Tab and Shift+Tab go to the next / previous input, as in every other field. Qt's own
        walk the sections (年 → 月 → 日 → 时 → 分: five Tabs to leave a filled date-time, and on
        an empty one Tab stayed on its year for ever); typed digits move on from a full
        section by themselves and ← → move between sections."""
        return QWidget.focusNextPrevChild(self, next)


class OptionalDateEdit(_OptionalDateMixin, QDateEdit):
    def __init__(self, parent=None):
        QDateEdit.__init__(self, parent)
        self.setDisplayFormat("yyyy-MM-dd")
        self._setup()


class OptionalDateTimeEdit(_OptionalDateMixin, QDateTimeEdit):
    def __init__(self, parent=None):
        QDateTimeEdit.__init__(self, parent)
        # a wall-clock time as recorded, on no zone of this computer's: a time in its
        # daylight-saving gap (02:30 on a spring-forward night) was moved an hour on
        self.setTimeZone(QTimeZone.utc())
        self.setDisplayFormat("yyyy-MM-dd HH:mm")
        self._setup()

    def setDateTime(self, value: QDateTime | datetime) -> None:  # noqa: N802 (Qt's name)
        """Shows the wall-clock time of ``value`` as it is, whatever zone it comes in (a naive
        ``datetime``, a QDateTime of this computer's clock)."""
        if isinstance(value, datetime):
            value = QDateTime(QDate(value.year, value.month, value.day),
                              QTime(value.hour, value.minute, value.second), QTimeZone.utc())
        super().setDateTime(QDateTime(value.date(), value.time(), QTimeZone.utc()))


# ---- time values ------------------------------------------------------------------------------
def iso_with_offset(wall: datetime, like: str | None = None) -> str:
    """A wall-clock time as ISO-8601 with an offset: the offset of ``like`` (the value it
    replaces) if that had one, else this computer's local offset at that time."""
    wall = wall.replace(second=0, microsecond=0, tzinfo=None)
    if like:
        try:
            tz = datetime.fromisoformat(like).tzinfo
        except ValueError:
            tz = None
        if tz is not None:
            return wall.replace(tzinfo=tz).isoformat()
    return wall.astimezone().isoformat()


def wall_time(value: str) -> datetime | None:
    """The wall-clock time of an ISO string, as recorded (its offset is not converted)."""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except (TypeError, ValueError):
        return None


# ---- table cells (repeat groups) --------------------------------------------------------------
_LIST_SPLIT = re.compile(r"[、,，;；]\s*|\s+")


def cell_text(field: Field, value: Any, lang: str = "zh") -> str:
    """How a sub-field's value is shown in a repeat table cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"  # the form's own words, as parse_cell reads them
    if field.type == "choice":
        return _choice_label(field, value, lang)
    if isinstance(value, list):
        return "、".join(_choice_label(field, v, lang) if field.choices else str(v) for v in value)
    if field.type == "datetime" and isinstance(value, str):
        wall = wall_time(value)
        return wall.strftime("%Y-%m-%d %H:%M") if wall else value
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if field.type == "integer" else str(value)
    return str(value)


def parse_cell(field: Field, text: str) -> Any:
    """A cell's text as the sub-field's value (None if blank). Text that does not parse is
    returned as is, so the core's validation names the problem in Chinese."""
    text = text.strip()
    if not text:
        return None
    kind = field.type
    if kind == "integer":
        return _number(text, int)
    if kind == "decimal":
        return _number(text, float)
    if kind == "boolean":
        return {"是": True, "否": False, "有": True, "无": False}.get(text, text)
    if kind == "choice":
        return _choice_value(field, text)
    if kind == "multichoice":
        return [_choice_value(field, part) for part in _LIST_SPLIT.split(text) if part]
    if kind == "datetime":
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return text
        return parsed.isoformat() if parsed.tzinfo else iso_with_offset(parsed)
    return text


def _number(text: str, kind: type) -> Any:
    try:
        return kind(text)
    except ValueError:
        return text


def _choice_label(field: Field, value: Any, lang: str) -> str:
    return next((c.label.text(lang) for c in field.choices if c.value == value), str(value))


def _choice_value(field: Field, text: str) -> str:
    """A choice typed as its value or its label in either language."""
    return next((c.value for c in field.choices
                 if text in (c.value, c.label.zh, c.label.en)), text)
