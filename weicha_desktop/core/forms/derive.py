"""Fields that follow another (``prefill: <field id>`` in a form): what the program can tell
from a value already entered, so nobody types it again.

    - id: scene_address              # 现场地点 follows 发案地点 (the same words)
      prefill: incident_address
    - id: category                   # 类别 from the name: 右手拇指指纹 → 手印
      prefill: name                  #   (the options' ``words``, forms/choices/trace_categories)
    - id: method                     # 提取方法 from the category: 手印 → 粉末显现
      prefill: category              #   (the category option's ``suggests``)

The source is beside the field: at the top level, or in the same row of a repeat group.
``derive`` says what a source value gives: the value itself (same type; a choice of the same
list), the option whose ``words`` the text holds (text → choice; the word ending last wins, as
a Chinese name ends with what it names: 手机上的指纹 is a 手印), the option the chosen one
``suggests`` in the field's list (choice → choice). ``follow`` applies it the way every
filled value here behaves: the field follows while it is empty or still holds what the
source's previous value gave; once typed over it is the user's."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .expr_eval import is_empty
from .spec import PREFILL_SOURCES, Choice, Field

_TEXT = ("text", "textarea")


def source_of(field: Field) -> str | None:
    """The id of the field ``field`` follows (None: it follows none)."""
    return field.prefill if field.prefill and field.prefill not in PREFILL_SOURCES else None


def pairs(fields: Iterable[Field]) -> list[tuple[Field, Field]]:
    """(follower, source) among ``fields`` (one level: the top level, or one row's)."""
    fields = list(fields)
    by_id = {f.id: f for f in fields}
    return [(f, by_id[s]) for f in fields if (s := source_of(f)) in by_id]


def can_derive(target: Field, source: Field) -> bool:
    """Whether ``source`` can ever give ``target`` a value (what ``forms check`` asks)."""
    if target.type == "choice" and source.type in _TEXT:
        return any(c.words for c in target.choices)
    if target.type == "choice" and source.type == "choice":
        return target.choice_list is not None and (
            source.choice_list == target.choice_list
            or any(name == target.choice_list for c in source.choices for name, _ in c.suggests))
    return target.type == source.type and target.type not in ("repeat", "multichoice")


def derive(target: Field, source: Field, value: Any) -> Any:
    """What ``target`` takes from ``source`` holding ``value`` (None: nothing)."""
    if is_empty(value):
        return None
    if target.type == "choice" and source.type in _TEXT:
        return _named(target.choices, str(value))
    if target.type == "choice" and source.type == "choice":
        if source.choice_list == target.choice_list:
            return value
        chosen = next((c for c in source.choices if value in (c.value, c.code)), None)
        code = dict(chosen.suggests).get(target.choice_list or "") if chosen else None
        return target.value_of(code) if code else None
    return value if target.type == source.type else None


def _named(choices: tuple[Choice, ...], text: str) -> str | None:
    """The option one of whose words ends last in ``text`` (the longer word of two ending
    together)."""
    best: tuple[int, int, str] | None = None
    for choice in choices:
        for word in choice.words:
            at = text.rfind(word)
            if at >= 0 and (best is None or (at + len(word), len(word)) > best[:2]):
                best = (at + len(word), len(word), choice.value)
    return best[2] if best else None


def follow(fields: Iterable[Field], before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """What the followers among ``fields`` change to now that the values went from ``before``
    to ``after`` (one level, as ``pairs``): {id: new value, None: emptied}. A follower changes
    when its source changed and it is empty or holds what the old source value gave; followers
    of followers in the form's order."""
    now, out = dict(after), {}
    for target, source in pairs(fields):
        old, new = before.get(source.id), now.get(source.id)
        if old == new:
            continue
        current = now.get(target.id)
        if not (is_empty(current) or current == derive(target, source, old)):
            continue  # typed over: the user's
        wanted = derive(target, source, new)
        if wanted != current and not (wanted is None and is_empty(current)):
            out[target.id] = now[target.id] = wanted
    return out
