"""Editors for compound fields (geopoint, person, photos, repeat) and ``make_editor``, which
picks the editor for a field's type. Person sub-fields use the same editors, recursively."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from weicha_desktop.core.forms.spec import Field
from weicha_desktop.gui.form_fields import (BooleanEditor, ChoiceEditor, DateEditor,
                                            DateTimeEditor, DecimalEditor, Editor, IntegerEditor,
                                            MultiChoiceEditor, TextAreaEditor, TextEditor,
                                            is_empty, label_html)
from weicha_desktop.gui.form_widgets import OptionalDoubleSpinBox, cell_text, parse_cell

PHOTOS_PLACEHOLDER = "照片在“照片”页管理（后续版本）"


class GeoPointEditor(Editor):
    def build(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.lat = OptionalDoubleSpinBox(-90.0, 90.0, 6)
        self.lon = OptionalDoubleSpinBox(-180.0, 180.0, 6)
        self._loaded: dict[str, Any] = {}
        for label, spin, key in (("纬度", self.lat, "lat"), ("经度", self.lon, "lon")):
            spin.setObjectName(f"{self.name}.{key}")
            spin.setMinimumWidth(130)
            row.addWidget(QLabel(label))
            row.addWidget(spin)
        row.addWidget(QLabel("（WGS-84，度；南纬、西经为负）"))
        row.addStretch(1)
        return box

    def value(self) -> Any:
        out = {}
        for key, spin in (("lat", self.lat), ("lon", self.lon)):
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
            if isinstance(number, (int, float)) and not isinstance(number, bool):
                spin.set_number(float(number))
            else:
                spin.clear_value()

    def set_readonly(self, readonly: bool) -> None:
        self.lat.setReadOnly(readonly)
        self.lon.setReadOnly(readonly)

    def focus(self, rest: str = "") -> None:
        (self.lon if rest.endswith("lon") else self.lat).setFocus()


class PersonEditor(Editor):
    """A group box with one editor per sub-field (named ``field_<id>.<sub id>``)."""

    wide = True

    def build(self) -> QWidget:
        box = QGroupBox()  # untitled: the form shows the label (with its red *) above
        form = QFormLayout(box)
        self.subs: dict[str, Editor] = {}
        for sub in self.field.fields:
            editor = make_editor(sub, f"{self.name}.{sub.id}")
            self.subs[sub.id] = editor
            label = QLabel(label_html(sub))
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
            self.widget.setFocus()
        else:
            editor.focus(rest[len(key):])


class PhotosEditor(Editor):
    """Photos arrive with the photos issue: the value is kept as it is, never edited here."""

    def build(self) -> QLabel:
        label = QLabel(PHOTOS_PLACEHOLDER)
        label.setStyleSheet("color: #666;")
        self._kept: Any = None
        return label

    def value(self) -> Any:
        return self._kept

    def set_value(self, value: Any) -> None:
        self._kept = value
        if isinstance(value, list) and value:
            self.widget.setText(f"{PHOTOS_PLACEHOLDER}　已关联 {len(value)} 张")

    def set_readonly(self, readonly: bool) -> None:
        pass


class RepeatEditor(Editor):
    """A table, one row per entry, one text cell per sub-field, with 添加/删除 row buttons."""

    wide = True

    def build(self) -> QWidget:
        subs = self.field.fields
        table = QTableWidget(0, len(subs))
        table.setHorizontalHeaderLabels([("* " if s.required else "") + s.label.zh for s in subs])
        for col, sub in enumerate(subs):
            tip = "、".join(c.label.zh for c in sub.choices)
            if tip:
                table.horizontalHeaderItem(col).setToolTip(f"可选：{tip}")
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(80)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setMinimumHeight(150)
        return table

    def fit_columns(self) -> None:
        """Wide enough for the header and the cells (an 18-digit 身份证号 is not cut)."""
        table: QTableWidget = self.widget
        header = table.horizontalHeader()
        for col, sub in enumerate(self.field.fields):
            base = 100
            if sub.constraint.validator == "id_card":
                base = 180
            elif sub.type in ("datetime", "textarea"):
                base = 150
            width = max(base, header.sectionSizeHint(col), table.sizeHintForColumn(col) + 16)
            table.setColumnWidth(col, min(width, 320))

    def __init__(self, field: Field, name: str):
        super().__init__(field, name)
        self.add_button = QPushButton("添加一行")
        self.add_button.setObjectName(f"{name}_add")
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button = QPushButton("删除所选行")
        self.remove_button.setObjectName(f"{name}_remove")
        self.remove_button.clicked.connect(self.remove_selected)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.widget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.row_widget = box
        self.fit_columns()

    def add_row(self, row: dict[str, Any] | None = None) -> int:
        table: QTableWidget = self.widget
        row = row if row is not None else self.field.row_defaults()
        index = table.rowCount()
        table.insertRow(index)
        for col, sub in enumerate(self.field.fields):
            value = row.get(sub.id)
            item = QTableWidgetItem(cell_text(sub, value))
            item.setData(Qt.ItemDataRole.UserRole, value)  # unchanged text keeps this value
            if sub.readonly:  # filled by the system (物证编号 H…): shown, never typed
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                item.setBackground(QColor("#f2f2f2"))
                item.setToolTip(sub.help.zh if sub.help else "由系统填写")
            table.setItem(index, col, item)
        return index

    def remove_selected(self) -> None:
        table: QTableWidget = self.widget
        for index in sorted({i.row() for i in table.selectedIndexes()}, reverse=True):
            table.removeRow(index)

    def value(self) -> Any:
        table: QTableWidget = self.widget
        rows = []
        for r in range(table.rowCount()):
            row: dict[str, Any] = {}
            for col, sub in enumerate(self.field.fields):
                item = table.item(r, col)
                if item is None:
                    continue
                original = item.data(Qt.ItemDataRole.UserRole)
                value = original if item.text() == cell_text(sub, original) else parse_cell(sub, item.text())
                if not is_empty(value):
                    row[sub.id] = value
            if row:
                rows.append(row)
        return rows or None

    def set_value(self, value: Any) -> None:
        self.widget.setRowCount(0)
        for row in value if isinstance(value, list) else []:
            self.add_row(row if isinstance(row, dict) else {})
        self.fit_columns()

    def set_readonly(self, readonly: bool) -> None:
        table: QTableWidget = self.widget
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers if readonly
                              else QAbstractItemView.EditTrigger.AllEditTriggers)
        self.add_button.setVisible(not readonly)
        self.remove_button.setVisible(not readonly)

    def focus(self, rest: str = "") -> None:
        table: QTableWidget = self.widget
        table.setFocus()
        if rest.startswith("["):
            index, _, sub = rest[1:].partition("]")
            col = next((i for i, s in enumerate(self.field.fields) if s.id == sub.lstrip(".").split(".")[0]), 0)
            if index.isdigit() and int(index) < table.rowCount():
                table.setCurrentCell(int(index), col)


EDITORS: dict[str, type[Editor]] = {
    "text": TextEditor, "textarea": TextAreaEditor, "integer": IntegerEditor,
    "decimal": DecimalEditor, "date": DateEditor, "datetime": DateTimeEditor,
    "choice": ChoiceEditor, "multichoice": MultiChoiceEditor, "boolean": BooleanEditor,
    "geopoint": GeoPointEditor, "person": PersonEditor, "photos": PhotosEditor,
    "repeat": RepeatEditor,
}


def make_editor(field: Field, name: str | None = None) -> Editor:
    editor = EDITORS[field.type](field, name or f"field_{field.id}")
    if field.type == "textarea":
        editor.wide = True
    editor.set_readonly(field.readonly)
    return editor
