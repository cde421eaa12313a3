"""A record's values as the review page shows them: HTML text, in the window's language, from
the record's own form version (choices in words, times to the minute, a person's items in one
line). Paper has its own rules (core/reports/values.py: 年月日, "/" for empty); the screen shows
what the form shows, so a reviewer compares like with like."""
from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QCoreApplication

from weicha_desktop.core.forms.spec import Field
from weicha_desktop.gui.cases.list import short_time

EMPTY = '<span style="color:#999">—</span>'


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def text_html(text: str) -> str:
    """Plain text as HTML: escaped, its line breaks kept."""
    return escape(str(text)).replace("\n", "<br>")


def value_html(field: Field, value: Any, lang: str, other: Any = None) -> str:
    """One value of ``field`` (not a repeat group) as HTML; ``other``: the text of its 其他
    option (``<id>_other``), shown after the option."""
    if is_empty(value):
        return EMPTY
    return text_html(value_text(field, value, lang, other))


def value_text(field: Field, value: Any, lang: str, other: Any = None) -> str:
    sep = ", " if lang == "en" else "、"
    kind = field.type
    if kind == "datetime":
        return short_time(str(value))
    if kind == "boolean":
        return (QCoreApplication.translate("ReviewValues", "是") if value
                else QCoreApplication.translate("ReviewValues", "否"))
    if kind in ("choice", "multichoice"):
        chosen = value if isinstance(value, list) else [value]
        words = [field.choice_label(v, lang) for v in chosen]
        if other and field.chose_other(value):
            words[chosen.index(field.other_value)] += f"（{other}）"
        return sep.join(words)
    if kind == "geopoint" and isinstance(value, dict):
        alt = value.get("alt")
        where = f"{value.get('lat')}, {value.get('lon')}"
        return where + (QCoreApplication.translate("ReviewValues", "，海拔 {alt} 米").format(alt=alt)
                        if alt is not None else "")
    if kind == "person" and isinstance(value, dict):
        return person_text(field, value, lang)
    if kind == "photos" and isinstance(value, list):
        return QCoreApplication.translate("ReviewValues", "{n} 张照片").format(n=len(value))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value}{(' ' + field.unit) if field.unit else ''}"


def person_text(field: Field, value: dict[str, Any], lang: str) -> str:
    """A person's filled items in one line: the name, then the others named: 张三　单位 …"""
    parts = [value_text(sub, value[sub.id], lang) if sub.id == "name"
             else f"{sub.label.text(lang)} {value_text(sub, value[sub.id], lang)}"
             for sub in field.fields if not is_empty(value.get(sub.id))]
    return "　".join(parts)
