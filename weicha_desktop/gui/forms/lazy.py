"""The inputs of a case form's tab are made when the tab is first needed (shown, asked for
focus or an error line, written to, found by name), not all when the form opens: most tabs
of an opened case are never looked at, and their inputs were half of opening it.

Until then a field is read from the record's values as loaded (``settle``: exactly what its
editor would give back once loaded with them). A value the editor would give back otherwise
(a date it cannot show, a number out of its range, text a Qt input changes) is not guessed:
its tab's inputs are made at the load, and the editor says, as before. Anything written to a
field (a template, a follower, a blank filled) makes its tab's inputs first (``Editors``), so
it goes through the editor and its signals as ever."""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any

from weicha_desktop.core.forms.spec import Field
from weicha_desktop.gui.forms import autofill
from weicha_desktop.gui.forms.fields import NUMBER_LIMIT, Editor, is_empty
from weicha_desktop.gui.forms.groups import make_editor
from weicha_desktop.gui.forms.widgets import grey_readonly, wall_time

UNSURE = None  # settle(): the editor must say
# characters a Qt input does not give back as it was given them (QPlainTextEdit turns
# U+00A0 into a space and separators into newlines; QLineEdit keeps one line; both drop a
# leading U+FEFF, the byte-order mark a pasted or imported text may begin with, and U+FFFE;
# a text document takes U+FDD0/U+FDD1 for its frames. Every BMP character checked so)
_CHANGED_BY_QT = frozenset("\r\x00\xa0\u2028\u2029\ufeff\ufffe\ufdd0\ufdd1")
_MAX_LINE = 32767  # QLineEdit's maxLength: longer text is cut


def _text(field: Field, value: Any) -> bool:
    if not isinstance(value, str) or not value.strip() or len(value) >= _MAX_LINE \
            or any(c in _CHANGED_BY_QT for c in value):
        return False
    return _encodable(value) and (field.type == "textarea" or not any(c < " " for c in value))


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: Qt replaces it
        return False
    return True


def _number(field: Field, value: Any, decimals: int | None) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if decimals is None:
        if not isinstance(value, int):
            return False
    elif not math.isfinite(value) or round(value, decimals) != value:
        return False
    c = field.constraint
    lo = c.min if c.min is not None else -NUMBER_LIMIT
    hi = c.max if c.max is not None else NUMBER_LIMIT
    if decimals is None:
        lo, hi = int(lo), int(hi)
    return lo <= value <= hi


def _in_range(day: date) -> bool:
    return 1900 < day.year < 9999  # (1900-01-01 is the inputs' “empty”)


def _date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return False
    return day.isoformat() == value and _in_range(day)


def _datetime(value: Any) -> bool:
    wall = wall_time(value) if isinstance(value, str) else None
    return wall is not None and _in_range(wall.date())


def _choice(field: Field, value: Any) -> bool:
    return any(type(c.value) is type(value) and c.value == value for c in field.choices)


def _scalar(field: Field, value: Any) -> bool:
    """Whether ``value`` (not empty) comes back from the editor of ``field`` as it went in."""
    kind = field.type
    if kind in ("text", "textarea"):
        return _text(field, value)
    if kind == "integer":
        return _number(field, value, None)
    if kind == "decimal":
        return _number(field, value, 2)
    if kind == "date":
        return _date(value)
    if kind == "datetime":
        return _datetime(value)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "choice":
        return _choice(field, value)
    if kind == "multichoice":
        return isinstance(value, list) and value == [c.value for c in field.choices if c.value in value] \
            and all(_choice(field, v) for v in value)
    if kind == "geopoint":
        return _geopoint(value)
    return False


def _geopoint(value: Any) -> bool:
    if not isinstance(value, dict) or not set(value) <= {"lat", "lon", "alt"} \
            or not ({"lat", "lon"} & set(value)) or ("alt" in value and value["alt"] is None):
        return False
    for key, limit in (("lat", 90.0), ("lon", 180.0)):
        number = value.get(key, 0.0)
        if isinstance(number, bool) or not isinstance(number, (int, float)) \
                or not math.isfinite(number) or round(number, 6) != number or abs(number) > limit:
            return False
    return True


def settle(field: Field, data: Mapping[str, Any]) -> dict[str, Any] | None:
    """What the editor of ``field`` gives back (``Editor.values``) once loaded with ``data``;
    None (``UNSURE``) where that is not certain without the editor."""
    value = data.get(field.id)
    if field.type == "photos":  # kept as it is
        return {} if is_empty(value) else {field.id: value}
    if field.type == "person":
        out = _person(field, value)
    elif field.type == "repeat":
        out = _rows(field, value)
    elif value is None or value == "" or (is_empty(value) and field.type not in ("text", "textarea")):
        out = {}  # (a text input shows ``[]`` as “[]”)
    else:
        out = {field.id: value} if _scalar(field, value) else UNSURE
    if out is UNSURE or not field.other_key or field.type not in ("choice", "multichoice"):
        return out
    other = data.get(field.other_key)
    if other is None or other == "":
        return out
    if not _text(field, other):  # (a line of text: the “其他” input)
        return UNSURE
    return out | ({field.other_key: other} if field.chose_other(value) else {})


def _person(field: Field, value: Any) -> dict[str, Any] | None:
    if value is None:
        return {}
    if not isinstance(value, dict):
        return UNSURE
    merged: dict[str, Any] = {}
    for sub in field.fields:
        got = settle(sub, value)
        if got is UNSURE:
            return UNSURE
        merged.update(got)
    return {field.id: merged} if merged else {}


def _rows(field: Field, value: Any) -> dict[str, Any] | None:
    """A table keeps what its columns do not show as loaded, and the shown values that are
    not empty (the cells are given back as loaded while their text is unchanged)."""
    if value is None:
        return {}
    if not isinstance(value, list):
        return UNSURE
    shown = {k for s in field.fields for k in (s.id, s.other_key) if k}
    rows = []
    for row in value:
        if not isinstance(row, dict):
            return UNSURE
        kept = {k: v for k, v in row.items() if k not in shown or not is_empty(v)}
        if any(isinstance(v, str) and ("\x00" in v or not _encodable(v)) for v in kept.values()):
            return UNSURE
        if kept:
            rows.append(kept)
    return {field.id: rows} if rows else {}


class Editors(Mapping):
    """The form's editors by field id, in form order; asking for one whose tab has not made
    its inputs yet makes them (``make(field_id)``). ``in`` asks the form, not the inputs."""

    def __init__(self, fields: list[Field], made: dict[str, Editor], make: Callable[[str], None]):
        self._ids = [f.id for f in fields]
        self._known = set(self._ids)
        self._made, self._make = made, make

    def __getitem__(self, field_id: str) -> Editor:
        editor = self._made.get(field_id)
        if editor is None and field_id in self._known:
            self._make(field_id)
            editor = self._made.get(field_id)
        if editor is None:
            raise KeyError(field_id)
        return editor

    def __contains__(self, field_id: object) -> bool:
        return field_id in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def field_of_name(name: str, field_ids: list[str]) -> str | None:
    """The top-level field an input's or error line's object name belongs to (``field_reporter.phone``,
    ``field_protection_measures_2``, ``error_recorder``), the longest id that fits."""
    for prefix in ("field_", "error_"):
        if name.startswith(prefix):
            rest = name[len(prefix):]
            fits = [f for f in field_ids if rest == f or rest.startswith((f + ".", f + "_"))]
            return max(fits, key=len) if fits else None
    return None


class LazyInputs:
    """FormView's inputs, made a tab at a time when first needed (the module's docstring).
    Its state is set up by ``_init_inputs``; it uses the form's ``spec``, ``pages``, ``cases``,
    ``lang``, ``_loading``, ``_edited`` and ``current_data``."""

    def _init_inputs(self) -> None:
        self._fields = self.spec.all_fields()
        self._made: dict[str, Editor] = {}  # the editors made so far
        self.editors = Editors(self._fields, self._made, self._make_field)
        self._keys = {k for f in self._fields if not f.readonly for k in (f.id, f.other_key) if k}
        self._readonly = False
        self._photos = {f.id for f in self._fields if f.type == "photos"}
        self._section_of: dict[str, int] = {}  # data key (field id, “其他” text) → tab
        self._top: dict[str, str] = {}          # data key → the field (its editor) that shows it
        for index, section in enumerate(self.spec.sections):
            for field in section.fields:
                for key in (field.id, field.other_key):
                    if key:
                        self._section_of[key], self._top[key] = index, field.id
        self._data: dict[str, Any] = {}  # the values loaded: what an unmade input holds
        self._unmade: dict[str, dict[str, Any]] = {f.id: {} for f in self._fields}  # id → its values
        self._marks: dict[str, list[tuple[str, str]]] = {}  # field id → its problems' marks

    def _make_field(self, field_id: str) -> None:
        self.pages[self._section_of[field_id]].make_inputs()

    def _make_section(self, index: int) -> list[Editor]:
        """Tab ``index``'s editors (its page asks), as the others are: loaded with the values
        loaded (nothing was written to them: a write makes them first), read-only or not,
        marked with their problems, following the relevance of table cells, listened to."""
        fields = self.spec.sections[index].fields
        env = self.current_data() if any(s.relevant for f in fields if f.type == "repeat"
                                         for s in f.fields) else None  # (rows' relevance)
        editors = []
        loading, self._loading = self._loading, True
        try:
            for field in fields:
                editor = make_editor(field, lang=self.lang)
                autofill.prefill_new_rows(editor, self.cases.store, self.cases.actor)  # 提取人, 提取时间
                autofill.follow_in_rows(editor)  # 类别 ← 名称, 提取方法 ← 类别
                for signal in editor.signals():
                    signal.connect(lambda *_, e=editor: self._edited(e))
                editor.load(self._data)
                editors.append(editor)
        finally:
            self._loading = loading
        for editor in editors:
            autofill.remember_rows(editor)
            editor.set_readonly(self._readonly or editor.field.readonly)  # (after the load)
            if self._readonly or any(f.readonly for f in (editor.field, *editor.field.fields)):
                grey_readonly(editor.row_widget)  # (an input never read-only is as made)
            if env is not None:
                editor.update_relevance(env)
            if self._marks.get(editor.field.id):
                editor.show_problems(self._marks[editor.field.id])
            self._made[editor.field.id] = editor
            self._unmade.pop(editor.field.id, None)
        return editors

    def _settle(self, data: dict[str, Any]) -> None:
        """What each unmade input would give back; the tabs of those not certain made now."""
        self._unmade, unsure = {}, set()
        for field in self._fields:
            if field.id not in self._made:
                settled = settle(field, data)
                if settled is None:
                    unsure.add(self._section_of[field.id])
                    # as loaded until its tab is made below (a table's cells that follow
                    # relevance read the whole form as their tab is made: KeyError before)
                    self._unmade[field.id] = {k: data[k] for k in (field.id, field.other_key)
                                              if k and not is_empty(data.get(k))}
                else:
                    self._unmade[field.id] = settled
        for index in sorted(unsure):
            self.pages[index].make_inputs()

    def field_value(self, field_id: str) -> Any:
        """``Editor.value()`` of a field, its input made or not."""
        editor = self._made.get(field_id)
        if editor is not None:
            return editor.value()
        if field_id in self._photos:
            return self._data.get(field_id)  # (kept as it is)
        return self._unmade[field_id].get(field_id)

    def findChild(self, *args, **kwargs):  # noqa: N802 (Qt's name)
        """Found by name as if every input were made: the tab of a field named (``field_…``,
        ``error_…``) makes its inputs, any other name not found yet all tabs'."""
        found = super().findChild(*args, **kwargs)
        if found is None and not all(page.made for page in self.pages):
            name = args[1] if len(args) > 1 else kwargs.get("name", "")
            field_id = field_of_name(name, list(self.editors)) if isinstance(name, str) else None
            if field_id is not None and field_id in self.editors:
                self._make_field(field_id)
                found = super().findChild(*args, **kwargs)
            if found is None:
                self.make_all()
                found = super().findChild(*args, **kwargs)
        return found

    def findChildren(self, *args, **kwargs):  # noqa: N802 (Qt's name)
        self.make_all()
        return super().findChildren(*args, **kwargs)

    def make_all(self) -> None:
        """Every tab's inputs made (their rows still when shown)."""
        for page in self.pages:
            page.make_inputs()

