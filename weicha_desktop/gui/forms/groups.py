"""Editors for compound fields (geopoint, person, photos, repeat) and ``make_editor``, which
picks the editor for a field's type. Person sub-fields use the same editors, recursively."""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, SignalInstance
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from weicha_desktop.core.forms import compile_expr
from weicha_desktop.core.forms.identity import BIRTH_DATE, GENDER, follows_id
from weicha_desktop.core.forms.spec import Field
from weicha_desktop.gui.forms.fields import (BooleanEditor, ChoiceEditor, DateEditor,
                                             DateTimeEditor, DecimalEditor, Editor, IntegerEditor,
                                             MultiChoiceEditor, TextAreaEditor, TextEditor,
                                             is_empty, label_html)
from weicha_desktop.gui.forms.table import OTHER_SEPARATOR, CellDelegate, FormTable, split_other
from weicha_desktop.gui.forms.widgets import OptionalDoubleSpinBox, cell_text, parse_cell

READONLY_CELL = QColor("#f2f2f2")
INVALID_CELL = QColor("#fde7e9")
NOT_APPLICABLE = QBrush(QColor("#9e9e9e"))  # text of a cell whose sub-field does not apply


class GeoPointEditor(Editor):
    """纬度 over 经度, each as wide as its number (no fixed width), the note on WGS-84 under
    them, wrapped to the form's width: the field fits a form beside a list at 1024×768 (side
    by side with the note it asked ~570 px; without the note, in English, still 317)."""

    def build(self) -> QWidget:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        self.lat = OptionalDoubleSpinBox(-90.0, 90.0, 6)
        self.lon = OptionalDoubleSpinBox(-180.0, 180.0, 6)
        self._loaded: dict[str, Any] = {}
        for line, (label, spin, key) in enumerate(
                ((QCoreApplication.translate("FormEditors", "纬度"), self.lat, "lat"),
                 (QCoreApplication.translate("FormEditors", "经度"), self.lon, "lon"))):
            spin.setObjectName(f"{self.name}.{key}")
            grid.addWidget(QLabel(label), line, 0)
            grid.addWidget(spin, line, 1)
        grid.setColumnStretch(2, 1)  # the inputs keep their width, the room is left to the right
        note = QLabel(QCoreApplication.translate("FormEditors", "（WGS-84，度；南纬、西经为负）"))
        note.setWordWrap(True)
        grid.addWidget(note, 2, 0, 1, 3)
        return box

    def value(self) -> Any:
        out = {}
        for key, spin in (("lat", self.lat), ("lon", self.lon)):
            holding, held = spin.held()
            if holding:  # (NaN, text: kept as stored)
                out[key] = held
                continue
            if spin.is_empty():
                continue
            shown, loaded = round(spin.value(), 6), self._loaded.get(key)
            same = isinstance(loaded, (int, float)) and round(loaded, 6) == shown
            out[key] = loaded if same else shown  # unchanged keeps its full precision
        if out and self._loaded.get("alt") is not None:
            out["alt"] = self._loaded["alt"]  # not edited here, kept
        return out or None

    def set_value(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        self._loaded = value
        for key, spin in (("lat", self.lat), ("lon", self.lon)):
            number = value.get(key)
            if isinstance(number, (int, float)) and not isinstance(number, bool) and math.isfinite(number):
                spin.set_number(float(number))
            elif is_empty(number):
                spin.clear_value()
            else:  # (NaN, “22”: shown and kept as stored, as the number fields)
                spin.hold(number)

    def set_readonly(self, readonly: bool) -> None:
        self.lat.setReadOnly(readonly)
        self.lon.setReadOnly(readonly)

    def focus(self, rest: str = "") -> None:
        (self.lon if rest.endswith("lon") else self.lat).setFocus()

    def signals(self) -> list[SignalInstance]:
        return [self.lat.valueChanged, self.lon.valueChanged]

    def focus_widgets(self) -> list[QWidget]:
        return [self.lat, self.lon]


class PersonEditor(Editor):
    """A group box with one editor per sub-field (named ``field_<id>.<sub id>``)."""

    wide = True

    def build(self) -> QWidget:
        box = QGroupBox()  # untitled: the form shows the label (with its red *) above
        form = QFormLayout(box)
        self.subs: dict[str, Editor] = {}
        for sub in self.field.fields:
            editor = make_editor(sub, f"{self.name}.{sub.id}", self.lang)
            self.subs[sub.id] = editor
            label = QLabel(label_html(sub, self.lang))
            label.setBuddy(editor.widget)
            form.addRow(label, editor.row_widget)
        return box

    def value(self) -> Any:
        out: dict[str, Any] = {}
        for editor in self.subs.values():
            out.update(editor.values())
        return out or None

    def set_value(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        for editor in self.subs.values():
            editor.load(value)

    def set_readonly(self, readonly: bool) -> None:
        for editor in self.subs.values():
            editor.set_readonly(readonly)

    def focus(self, rest: str = "") -> None:
        rest = rest.lstrip(".")
        key = rest.split(".")[0].split("[")[0]
        editor = self.subs.get(key)
        if editor is None:
            next(iter(self.subs.values())).focus()
        else:
            editor.focus(rest[len(key):])

    def signals(self) -> list[SignalInstance]:
        return [sig for editor in self.subs.values() for sig in editor.signals()]

    def focus_widgets(self) -> list[QWidget]:
        return [w for editor in self.subs.values() for w in editor.focus_widgets()]


class PhotosEditor(Editor):
    """Photos arrive with the photos issue: the value is kept as it is, never edited here."""

    def build(self) -> QLabel:
        label = QLabel(self._placeholder())
        label.setStyleSheet("color: #666;")
        label.setWordWrap(True)  # the English placeholder is wider than a form beside a list
        self._kept: Any = None
        return label

    @staticmethod
    def _placeholder() -> str:
        return QCoreApplication.translate("FormEditors", "照片在“照片”页管理（后续版本）")

    def value(self) -> Any:
        return self._kept

    def set_value(self, value: Any) -> None:
        self._kept = value
        if isinstance(value, list) and value:
            linked = QCoreApplication.translate("FormEditors", "已关联 {n} 张").format(n=len(value))
            self.widget.setText(f"{self._placeholder()}　{linked}")

    def set_readonly(self, readonly: bool) -> None:
        pass

    def signals(self) -> list[SignalInstance]:
        return []

    def focus_widgets(self) -> list[QWidget]:
        return []


def two_lines(title: str) -> str:
    """``title`` broken onto two lines where a narrow column needs it: at the space nearest
    its middle (English), else between its middle characters (Chinese of 4 or more)."""
    words = title.removeprefix("* ")  # a required column's mark stays before its words
    mark = title[:len(title) - len(words)]
    if " " in words:
        spaces = [i for i, c in enumerate(words) if c == " "]
        cut = min(spaces, key=lambda i: abs(i - len(words) / 2))
        return f"{mark}{words[:cut]}\n{words[cut + 1:]}"
    if len(words) >= 4:
        cut = len(words) // 2
        return f"{mark}{words[:cut]}\n{words[cut:]}"
    return title


RowDefaults = Callable[[Mapping[str, Any]], Mapping[str, Any]]


class RepeatEditor(Editor):
    """A table, one row per entry, one text cell per sub-field, with 添加一行 / 复制当前行 /
    删除所选行 (Ctrl+Enter and Ctrl+D while the focus is in the table or its buttons).
    A sub-field whose ``relevant`` is false for a row (比对日期 before 比中) is greyed out in
    that row; cells named by problems are tinted and carry the message as their tooltip.
    A choice column's cells take an option from its list, typing filters it (table.py).

    A new row starts from the form's defaults, then takes from the row above what says who
    and when (``participant`` and ``datetime`` sub-fields: 提取人, 提取时间), then what the
    prefill layer gives for what is still empty (``set_row_defaults``: the first row's 提取人
    is the logged-in user). A copied row keeps what describes the item, not what the system
    gives (编号: the next number at the save) nor the state other cells depend on (必比状态 back
    to its default, 比对日期/结果 empty). Keys of a row no column shows (``method_other`` is
    shown as “其他：…” in the 提取方法 cell) are kept as loaded.
    The loaded values stay on the Python side (``_loaded``) and cells are repainted only when
    their state changes: Qt calls that return None are not free here (docs/autosave.md)."""

    wide = True

    def build(self) -> QWidget:
        subs = self.field.fields
        table = FormTable(0, len(subs))
        table.setHorizontalHeaderLabels([("* " if s.required else "") + s.label.text(self.lang)
                                         for s in subs])
        for col, sub in enumerate(subs):
            tip = "、".join(c.label.text(self.lang) for c in sub.choices)
            if tip:
                table.horizontalHeaderItem(col).setToolTip(
                    QCoreApplication.translate("FormEditors", "可选：{choices}（输入几个字即可筛选）").format(
                        choices=tip))
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(48)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        table.setMinimumHeight(150)
        if follows_id(subs):  # 性别, 出生日期: filled from the 身份证号, so Tab passes them
            table.filled_columns = frozenset(i for i, s in enumerate(subs) if s.id in (GENDER, BIRTH_DATE))
        self._delegate = CellDelegate(table, subs, self.lang)
        table.setItemDelegate(self._delegate)
        self._loaded: list[dict[str, Any]] = []  # each row as loaded: unchanged text keeps it
        self._painted: dict[str, Any] = {}       # what the cells show now ("marks", "relevance")
        self._row_defaults: RowDefaults | None = None
        self._readonly = False
        # the keys the columns show (a choice's “其他” text in its cell); the rest are kept
        self._shown = {k for s in subs for k in (s.id, s.other_key) if k}
        # what a new row takes from the row above: who and when
        self._carried = [s.id for s in subs if (s.participant or s.type == "datetime") and not s.readonly]
        # what a copy starts afresh: system fields, state other cells depend on, and those cells
        gates = {name.split(".")[0] for s in subs if s.relevant for name in compile_expr(s.relevant).names}
        self._fresh = {k for s in subs if s.readonly or s.relevant or s.id in gates
                       for k in (s.id, s.other_key) if k}
        return table

    def fit_columns(self) -> None:
        """Wide enough for the header and the cells (an 18-digit 身份证号 is not cut), and no
        wider where the values are short (性别, a date), so the witnesses' six columns fit the
        form at 1024×768 (电话 was cut off) with room for a 住址."""
        table: QTableWidget = self.widget
        header = table.horizontalHeader()
        text = table.fontMetrics().horizontalAdvance
        wanted: list[int] = []
        least: list[int] = []
        titles: list[tuple[str, str]] = []
        table.set_widths([], [], [])
        for col, sub in enumerate(self.field.fields):
            base = 100
            if sub.constraint.validator == "id_card":
                base = text("0" * 18) + 24
            elif sub.type in ("datetime", "textarea"):
                base = 150
            elif sub.type == "date":
                base = text("2026-11-27") + 24
            elif sub.id == "address":  # a 住址 is the longest of a person's values
                base = 180
            elif sub.type == "choice" and sub.choices:
                base = max(text(c.label.text(self.lang)) for c in sub.choices) + 32
            title = ("* " if sub.required else "") + sub.label.text(self.lang)
            table.horizontalHeaderItem(col).setText(title)  # one line while measured
            cells = table.sizeHintForColumn(col) + 16  # the rows' text (an empty table: none)
            wanted.append(min(max(base, header.sectionSizeHint(col), cells), 320))
            two = two_lines(title)
            titles.append((title, two))
            low = max(text(line) for line in two.split("\n")) + 20  # the header, on two lines
            if sub.constraint.validator == "id_card" or sub.type in ("date", "datetime"):
                low = max(low, base)  # an 18-digit 身份证号, a date, a time: never cut
            low = max(low, cells if table.rowCount() else 0)  # nor what the rows hold
            least.append(min(low, wanted[-1]))
        table.set_widths(wanted, least, titles)

    def __init__(self, field: Field, name: str, lang: str = "zh"):
        super().__init__(field, name, lang)
        self.add_button = QPushButton(QCoreApplication.translate("FormEditors", "添加一行"))
        self.add_button.setObjectName(f"{name}_add")
        self.add_button.clicked.connect(self._add_clicked)
        self.copy_button = QPushButton(QCoreApplication.translate("FormEditors", "复制当前行"))
        self.copy_button.setObjectName(f"{name}_copy")
        self.copy_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a click leaves the focus in the table
        self.copy_button.clicked.connect(self.copy_current)
        self.remove_button = QPushButton(QCoreApplication.translate("FormEditors", "删除所选行"))
        self.remove_button.setObjectName(f"{name}_remove")
        self.remove_button.clicked.connect(self.remove_selected)
        box = QWidget()
        self.shortcuts = [self._shortcut(box, ("Ctrl+Return", "Ctrl+Enter"), self.add_button),
                          self._shortcut(box, ("Ctrl+D",), self.copy_button)]
        carried = "、".join(s.label.text(self.lang) for s in field.fields if s.id in self._carried)
        add_tip = QCoreApplication.translate("FormEditors", "添加一行（{keys}）").format(keys="Ctrl+Enter")
        if carried:
            add_tip += QCoreApplication.translate("FormEditors", "；{fields}沿用上一行").format(
                fields=carried)
        self.add_button.setToolTip(add_tip)
        self.copy_button.setToolTip(QCoreApplication.translate(
            "FormEditors", "把当前行复制为新的一行（{keys}）；编号在保存时另给").format(keys="Ctrl+D"))
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.widget)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.copy_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.row_widget = box
        # the columns are fitted as the editor is loaded (set_value: the form loads every
        # editor as it makes it), not here as well: twice per table per open before
        self.widget.fit_columns = self.fit_columns

    @staticmethod
    def _shortcut(box: QWidget, keys: tuple[str, ...], button: QPushButton) -> QShortcut:
        """Keys that click ``button`` while the focus is in the table, a cell or the buttons
        (the click is what the form view hears of as an edit)."""
        shortcut = QShortcut(box)
        shortcut.setKeys([QKeySequence(k) for k in keys])
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(button.click)
        return shortcut

    def set_row_defaults(self, defaults: RowDefaults | None) -> None:
        """The prefill layer's values for a new row: ``defaults(row)`` is asked when a row is
        added, with the row as built so far (form defaults, what the row above carries), and
        gives values for sub-fields (by id) that row leaves empty; the others are ignored.
        E.g. ``lambda row: prefill.row_values(group, prefill.context(store, actor), row)``."""
        self._row_defaults = defaults

    # ---- rows --------------------------------------------------------------------------
    def _cell(self, sub: Field, row: Mapping[str, Any]) -> str:
        text = cell_text(sub, row.get(sub.id), self.lang)
        other = row.get(sub.other_key) if sub.other_key and sub.chose_other(row.get(sub.id)) else None
        return f"{text}{OTHER_SEPARATOR}{other}" if other else text

    def _parse(self, sub: Field, text: str) -> dict[str, Any]:
        head, other = split_other(sub, text.strip(), self.lang)
        if other is not None:
            return {sub.id: parse_cell(sub, head), sub.other_key: other or None}
        return {sub.id: parse_cell(sub, text)}

    def add_row(self, row: dict[str, Any] | None = None) -> int:
        """Append a row; quietly (the 添加一行 click is the edit the form view hears of)."""
        table: QTableWidget = self.widget
        row = row if row is not None else self.field.row_defaults()
        index = table.rowCount()
        self._loaded.append(row)
        self._painted.clear()
        blocked = table.blockSignals(True)
        try:
            table.insertRow(index)
            for col, sub in enumerate(self.field.fields):
                item = QTableWidgetItem(self._cell(sub, row))
                if sub.readonly:  # filled by the system (物证编号 H…): shown, never typed
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    item.setBackground(READONLY_CELL)
                    item.setToolTip(sub.help.text(self.lang) if sub.help
                                    else QCoreApplication.translate("FormEditors", "由系统填写"))
                table.setItem(index, col, item)
        finally:
            table.blockSignals(blocked)
        return index

    def new_row(self) -> dict[str, Any]:
        """What a row added now starts with (see the class)."""
        row = self.field.row_defaults()
        if self.widget.rowCount():
            above = self._row_value(self.widget.rowCount() - 1)
            row.update({k: above[k] for k in self._carried if not is_empty(above.get(k))})
        if self._row_defaults is not None:
            ids = {s.id for s in self.field.fields if not s.readonly}
            given = self._row_defaults(dict(row)) or {}
            row.update({k: v for k, v in given.items() if k in ids and is_empty(row.get(k))
                        and not is_empty(v)})
        return row

    def _append_and_focus(self, row: dict[str, Any]) -> int:
        """Add ``row`` and make it current, on its first cell a person fills (keyboard use)."""
        table: QTableWidget = self.widget
        self.commit_open_edit()  # what is typed in an open cell stays in its row
        index = self.add_row(row)
        table.setCurrentCell(index, next(
            (c for c, s in enumerate(self.field.fields) if not s.readonly), 0))
        table.setFocus(Qt.FocusReason.OtherFocusReason)
        return index

    def _add_clicked(self) -> None:
        if not self._readonly:
            self._append_and_focus(self.new_row())

    def copy_current(self) -> int | None:
        """复制当前行 (Ctrl+D): the current row again, as a new row at the end (see the class);
        its index, None when there is no current row."""
        table: QTableWidget = self.widget
        current = table.currentRow()
        if self._readonly or not 0 <= current < table.rowCount():
            return None
        self.commit_open_edit()
        source = self._row_value(current)
        fresh = {k: v for k, v in self.field.row_defaults().items() if k in self._fresh}
        return self._append_and_focus({**{k: v for k, v in source.items() if k not in self._fresh}, **fresh})

    def remove_selected(self) -> None:
        table: QTableWidget = self.widget
        for index in sorted({i.row() for i in table.selectedIndexes()}, reverse=True):
            del self._loaded[index]
            self._painted.clear()
            table.removeRow(index)

    def _row_value(self, r: int) -> dict[str, Any]:
        table: QTableWidget = self.widget
        loaded = self._loaded[r]
        row: dict[str, Any] = {k: v for k, v in loaded.items() if k not in self._shown}
        for col, sub in enumerate(self.field.fields):
            item = table.item(r, col)
            if item is None:
                continue
            if item.text() == self._cell(sub, loaded):  # unchanged: the values as loaded
                values = {k: loaded.get(k) for k in (sub.id, sub.other_key) if k}
            else:
                values = self._parse(sub, item.text())
            row.update({k: v for k, v in values.items() if not is_empty(v)})
        return row

    def commit_open_edit(self) -> None:
        self._delegate.commit_open()

    def value(self) -> Any:
        rows = [row for r in range(self.widget.rowCount()) if (row := self._row_value(r))]
        return rows or None

    def set_value(self, value: Any) -> None:
        self.widget.setRowCount(0)
        self._loaded.clear()
        for row in value if isinstance(value, list) else []:
            self.add_row(row if isinstance(row, dict) else {})
        self.fit_columns()

    def set_readonly(self, readonly: bool) -> None:
        table: QTableWidget = self.widget
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers if readonly
                              else QAbstractItemView.EditTrigger.AllEditTriggers)
        self._readonly = readonly
        for button in (self.add_button, self.copy_button, self.remove_button):
            button.setVisible(not readonly)
        for shortcut in self.shortcuts:
            shortcut.setEnabled(not readonly)

    def signals(self) -> list[SignalInstance]:
        # after _add_clicked / copy_current (connected first) have added the row
        return [self.widget.itemChanged, self.add_button.clicked, self.copy_button.clicked,
                self.widget.model().rowsRemoved]

    def focus_widgets(self) -> list[QWidget]:
        return [self.widget, self.add_button, self.remove_button]

    def focus(self, rest: str = "") -> None:
        table: QTableWidget = self.widget
        table.setFocus(Qt.FocusReason.OtherFocusReason)
        if rest.startswith("["):
            index, _, sub = rest[1:].partition("]")
            sub_id = sub.lstrip(".").split(".")[0]
            col = next((i for i, s in enumerate(self.field.fields) if s.id == sub_id), 0)
            if index.isdigit() and int(index) < table.rowCount():
                table.setCurrentCell(int(index), col)
                table.scrollToItem(table.item(int(index), col))

    def _each_cell(self, kind: str, state: Any, paint) -> None:
        """Call ``paint(item, row, sub)`` on every cell when the ``kind`` of state the cells
        show changes, with the table's signals blocked (marking a cell is not an edit)."""
        if self._painted.get(kind) == state:
            return
        self._painted[kind] = state
        table: QTableWidget = self.widget
        blocked = table.blockSignals(True)
        try:
            for r in range(table.rowCount()):
                for col, sub in enumerate(self.field.fields):
                    item = table.item(r, col)
                    if item is not None and not sub.readonly:
                        paint(item, r, sub)
        finally:
            table.blockSignals(blocked)

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        marks: dict[tuple[int, str], str] = {}
        for rest, message in problems:
            index, _, sub = rest.lstrip("[").partition("]")
            if index.isdigit():
                marks[(int(index), sub.lstrip(".").split(".")[0])] = message

        def paint(item: QTableWidgetItem, r: int, sub: Field) -> None:
            message = marks.get((r, sub.id))
            item.setBackground(QBrush(INVALID_CELL) if message else QBrush())  # none: as usual
            item.setToolTip(message or "")
        self._each_cell("marks", marks, paint)

    def update_relevance(self, env: dict[str, Any]) -> None:
        conditional = [s for s in self.field.fields if s.relevant]
        if not conditional:
            return
        applies = {(r, sub.id): compile_expr(sub.relevant).holds({**env, **self._row_value(r)})
                   for r in range(self.widget.rowCount()) for sub in conditional}
        editable = Qt.ItemFlag.ItemIsEditable
        normal = self.widget.palette().text()

        def paint(item: QTableWidgetItem, r: int, sub: Field) -> None:
            if sub.relevant:
                on = applies[(r, sub.id)]
                item.setFlags(item.flags() | editable if on else item.flags() & ~editable)
                item.setForeground(normal if on else NOT_APPLICABLE)
        self._each_cell("relevance", applies, paint)


EDITORS: dict[str, type[Editor]] = {
    "text": TextEditor, "textarea": TextAreaEditor, "integer": IntegerEditor,
    "decimal": DecimalEditor, "date": DateEditor, "datetime": DateTimeEditor,
    "choice": ChoiceEditor, "multichoice": MultiChoiceEditor, "boolean": BooleanEditor,
    "geopoint": GeoPointEditor, "person": PersonEditor, "photos": PhotosEditor,
    "repeat": RepeatEditor,
}


def make_editor(field: Field, name: str | None = None, lang: str = "zh") -> Editor:
    editor = EDITORS[field.type](field, name or f"field_{field.id}", lang)
    if field.type == "textarea":
        editor.wide = True
    editor.set_readonly(field.readonly)
    return editor
