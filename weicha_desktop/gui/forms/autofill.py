"""What the case form fills by itself while a person works (the values come from the core;
this only puts them into the editors, as edits like any other: journalled, saved, undoable
by typing over them). docs/gui.md, "Filled for you".

- 见证人 (any person or row of people with a 身份证号): as soon as a valid 18-digit number is
  in, 性别 and 出生日期 show what it says (core/forms/identity.py).
- A new row of a repeat group: its prefilled cells (提取人: the user, 提取时间: now;
  core/prefill.py) where the row above and the defaults leave them empty (groups.py asks).
- 照片 (张数) follows the photo log while it holds the count the form last knew (or nothing):
  a number the user typed is left alone.
- Narrative blanks of a template whose value is now known (勘验人员____在…) are filled from the
  record (core/forms/templates.py ``fill_known_blanks``): never text the user typed.

Table cells are reached through the table widget (one column per sub-field, in form order),
so the table editor needs no hook of its own."""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from weicha_desktop.core import prefill
from weicha_desktop.core.forms.identity import follows_id, id_values
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


def follow_photo_count(editor: Editor | None, known: int | None, count: int) -> bool:
    """照片张数 to ``count`` if it is empty or still the count the form knew (``known``)."""
    if editor is None or editor.field.readonly:
        return False
    value = editor.value()
    if value == count or not (value is None or value == known):
        return False
    editor.set_value(count)
    return True
