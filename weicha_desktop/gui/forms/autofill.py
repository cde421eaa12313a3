"""What the case form fills by itself while a person works (the values come from the core;
this only puts them into the editors, as edits like any other: journalled, saved, undoable
by typing over them). docs/gui.md, "Filled for you".

- 见证人 (any person or row of people with a 身份证号): as soon as a valid 18-digit number is
  in, 性别 and 出生日期 show what it says (core/forms/identity.py).
- A new row of a repeat group: its prefilled cells (提取人: the user, 提取时间: now;
  core/prefill.py) where the row above and the defaults leave them empty (groups.py asks).
- 照片 (张数) follows the photo log while it holds the count the form last knew (or nothing):
  a number the user typed is left alone. 勘验结束时间 (``prefill: photo_end``) likewise takes
  the camera time of the last photo (the scene's last shot), shown and editable as any value.
- Narrative blanks of a template whose value is now known (勘验人员____在…) are filled from the
  record (core/forms/templates.py ``fill_known_blanks``): never text the user typed.
- A field that follows another (``prefill: <field id>``, core/forms/derive.py): 现场地点 as
  发案地点 is typed (``Followers``); in a table row 类别 from the 名称 and 提取方法 from the
  类别 (``follow_in_rows``) — while empty or still what the program put there.

Table cells are reached through the table widget (one column per sub-field, in form order),
so the table editor needs no hook of its own."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from PySide6.QtCore import Qt

from weicha_desktop.core import prefill
from weicha_desktop.core.forms.derive import follow, pairs
from weicha_desktop.core.forms.identity import follows_id, id_values
from weicha_desktop.core.forms.spec import Field
from weicha_desktop.gui.forms.fields import Editor, is_empty
from weicha_desktop.gui.forms.widgets import cell_text, parse_cell


def _table(editor: Editor) -> QTableWidget | None:
    return editor.widget if editor.field.type == "repeat" and isinstance(editor.widget, QTableWidget) \
        else None


def _item(editor: Editor, row: int, sub_id: str) -> QTableWidgetItem | None:
    col = next((i for i, f in enumerate(editor.field.fields) if f.id == sub_id), None)
    return None if col is None else _table(editor).item(row, col)


def cell_value(editor: Editor, row: int, sub_id: str) -> Any:
    """What a cell of a repeat table holds now, as the record would (None: empty)."""
    item = _item(editor, row, sub_id)
    return None if item is None else parse_cell(editor.field.sub(sub_id), item.text())


def set_cells(editor: Editor, row: int, values: dict[str, Any], *, only_empty: bool = False) -> bool:
    """Put ``values`` into the cells of ``row``; True if a cell changed. A cell that already
    holds the value is not touched (no itemChanged), nor — ``only_empty`` — one that holds
    anything."""
    changed = False
    for sub_id, value in values.items():
        item = _item(editor, row, sub_id)
        current = None if item is None else parse_cell(editor.field.sub(sub_id), item.text())
        if item is None or current == value or (only_empty and not is_empty(current)):
            continue
        item.setText(cell_text(editor.field.sub(sub_id), value, editor.lang))
        changed = True
    return changed


def follow_ids(editor: Editor, today: date) -> bool:
    """性别 and 出生日期 from a valid 身份证号, in a person or in every row of a table of people;
    True if something was filled."""
    fields = editor.field.fields
    if not follows_id(fields):
        return False
    table = _table(editor)
    if table is not None:
        changed = False
        for row in range(table.rowCount()):
            wanted = id_values(fields, cell_value(editor, row, "id_number"), today)
            changed = set_cells(editor, row, wanted) or changed
        return changed
    subs: dict[str, Editor] = getattr(editor, "subs", {})
    if "id_number" not in subs:
        return False
    wanted = id_values(fields, subs["id_number"].value(), today)
    stale = {k: v for k, v in wanted.items() if k in subs and subs[k].value() != v}
    for key, value in stale.items():
        subs[key].set_value(value)
    return bool(stale)


def prefill_new_rows(editor: Editor, store: Any, actor: Any) -> bool:
    """Give a repeat table the prefill of its new rows (提取人: the user, 提取时间: now), for
    what the row above and the form's defaults leave empty (the table asks when a row is
    added: ``RepeatEditor.set_row_defaults``). False if the group prefills nothing."""
    group = editor.field
    if not hasattr(editor, "set_row_defaults") or not any(f.prefill for f in group.fields):
        return False
    editor.set_row_defaults(lambda row: prefill.row_values(group, prefill.context(store, actor), row))
    return True


def follow_photo_count(field: Field, value: Any, editor: Callable[[], Editor], known: Any,
                       count: Any) -> bool:
    """照片张数 to ``count`` (勘验结束时间 to the last photo's time) if it is empty (``value``:
    what it holds) or still what the form knew (``known``). ``editor()`` gives the field's
    editor, asked for only to write (it may make the input: forms/lazy.py)."""
    if field.readonly or count is None:
        return False
    if value == count or not (value is None or value == known):
        return False
    editor().set_value(count)
    return True


class PhotoFields:
    """The fields that follow the photo log (``prefill: photo_count`` / ``photo_end``): what
    the log gave when the case was loaded or last followed, so a value typed over is kept."""

    SOURCES = {"photo_count": prefill.photo_count, "photo_end": prefill.photo_end}

    def __init__(self, fields: list[Field], editors: Mapping[str, Editor],
                 value: Callable[[str], Any], store):
        """``editors`` may make an input as it is asked for: the values are read through
        ``value(field id)`` (forms/lazy.py), the editor is asked for only to write."""
        self.fields = {f.id: f.prefill for f in fields if f.prefill in self.SOURCES and f.id in editors}
        self.by_id = {f.id: f for f in fields if f.id in self.fields}
        self.editors, self.value, self.store = editors, value, store
        self.known: dict[str, Any] = {}

    def load(self, case_id: str) -> None:
        self.known = {fid: self.SOURCES[source](self.store, case_id) for fid, source in self.fields.items()}

    def follow(self, case_id: str) -> None:
        for field_id, source in self.fields.items():
            now = self.SOURCES[source](self.store, case_id)
            follow_photo_count(self.by_id[field_id], self.value(field_id),
                               lambda f=field_id: self.editors[f], self.known.get(field_id), now)
            self.known[field_id] = now


class Followers:
    """Top-level fields that follow another (现场地点 ← 发案地点): when a source is edited,
    a follower that is empty or still holds what the old value gave takes the new one."""

    def __init__(self, fields: list[Field], editors: Mapping[str, Editor], value: Callable[[str], Any]):
        """As ``PhotoFields``: read through ``value``, ``editors`` asked for only to write."""
        self.fields = [f for f in fields if f.id in editors]
        self.editors, self.value = editors, value
        self.pairs = pairs(self.fields)
        self.sources = {source.id for _, source in self.pairs}
        self.seen: dict[str, Any] = {}

    def remember(self) -> None:
        """The sources' values as loaded (what a follower holding the same was given)."""
        self.seen = {s: self.value(s) for s in self.sources}

    def edited(self, editor: Editor) -> list[str]:
        """After an edit of ``editor``: the followers it changed."""
        if editor.field.id not in self.sources:
            return []
        now = {f.id: self.value(f.id) for pair in self.pairs for f in pair}
        changed = follow(self.fields, self.seen, now)
        self.seen = {s: now[s] if s not in changed else changed[s] for s in self.sources}
        for field_id, value in changed.items():
            self.editors[field_id].set_value(value)
        return list(changed)


SEEN_ROLE = Qt.ItemDataRole.UserRole + 7  # a source cell's value when its followers last followed


def follow_in_rows(editor: Editor) -> bool:
    """A table whose row fields follow one another (类别 ← 名称, 提取方法 ← 类别): when a source
    cell changes, each follower cell of that row that is empty or still holds what the old
    value gave takes what the new one gives (an edit like a typed one). False: no such pair."""
    table, group = _table(editor), editor.field
    pairs_ = pairs(group.fields)
    if table is None or not pairs_:
        return False
    columns = {f.id: i for i, f in enumerate(group.fields)}
    sources = {source.id for _, source in pairs_}

    def changed(item: QTableWidgetItem) -> None:
        sub = group.fields[item.column()] if 0 <= item.column() < len(group.fields) else None
        if sub is None or sub.id not in sources:
            return
        row = item.row()
        involved = [sub] + [target for target, source in pairs_ if source is sub]
        now = {f.id: cell_value(editor, row, f.id) for f in involved}
        before = {sub.id: item.data(SEEN_ROLE)}  # None: a new row's cell (or a copied one's)
        _remember(table, item, now[sub.id])
        # a follower that is a source in turn is followed by its own change (itemChanged)
        set_cells(editor, row, {k: v for k, v in follow(involved, before, now).items() if k in columns})
    table.itemChanged.connect(changed)
    return True


def remember_rows(editor: Editor) -> None:
    """After a load: each source cell's value, so a change to it later is followed."""
    table = _table(editor)
    if table is None:
        return
    for _, source in pairs(editor.field.fields):
        col = [f.id for f in editor.field.fields].index(source.id)
        for row in range(table.rowCount()):
            item = table.item(row, col)
            if item is not None:
                _remember(table, item, cell_value(editor, row, source.id))


def _remember(table: QTableWidget, item: QTableWidgetItem, value: Any) -> None:
    blocked = table.blockSignals(True)  # a note on the cell, not an edit
    try:
        item.setData(SEEN_ROLE, value)
    finally:
        table.blockSignals(blocked)
