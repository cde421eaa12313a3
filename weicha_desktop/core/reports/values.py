"""How captured values read on paper: dates in Chinese, coordinates with hemispheres, empty
optional items as "/", choices as the form's boxes with the chosen ones ticked."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from weicha_desktop.core.forms.spec import Field
from weicha_desktop.core.reports.fonts import cjk_font, printable

EMPTY = "/"


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def fmt_date(value: str) -> str:
    try:
        d = date.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{d.year}年{d.month}月{d.day}日"


def fmt_datetime(value: str) -> str:
    try:
        t = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{t.year}年{t.month}月{t.day}日 {t.hour:02d}时{t.minute:02d}分"


def fmt_geopoint(value: dict) -> str:
    try:
        lat, lon = float(value["lat"]), float(value["lon"])
    except (KeyError, TypeError, ValueError):
        return EMPTY
    ns = f"{'北纬' if lat >= 0 else '南纬'} {abs(lat):.6f}°"
    ew = f"{'东经' if lon >= 0 else '西经'} {abs(lon):.6f}°"
    alt = value.get("alt")
    return f"{ns}，{ew}" + (f"，海拔 {alt} 米" if alt is not None else "") + "（WGS-84）"


def fmt_person(field: Field, value: dict) -> str:
    parts = []
    for sub in field.fields:
        v = value.get(sub.id)
        if not is_empty(v):
            parts.append(f"{sub.label.zh} {fmt_scalar(sub, v)}")
    return "　".join(parts) or EMPTY


def fmt_scalar(field: Field, value: Any) -> str:
    """A single value as text (choices as their label; units appended)."""
    if is_empty(value):
        return EMPTY
    if field.type == "date":
        return fmt_date(value)
    if field.type == "datetime":
        return fmt_datetime(value)
    if field.type == "boolean":
        return "是" if value else "否"
    if field.type == "geopoint":
        return fmt_geopoint(value)
    if field.type == "person":
        return fmt_person(field, value)
    if field.type in ("choice", "multichoice"):
        labels = {c.value: c.label.zh for c in field.choices}
        values = value if isinstance(value, list) else [value]
        return "、".join(labels.get(v, str(v)) for v in values)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return printable(f"{value}{(' ' + field.unit) if field.unit else ''}")


class CheckList(Flowable):
    """The form's choices as boxes, ticked where chosen, wrapped to the width available:
    □ 警戒带  ☑ 专人看守  □ 其他：……  (the box is drawn; the tick is the font's √)."""

    def __init__(self, field: Field, value: Any, other: str | None = None, size: float = 9.5):
        super().__init__()
        chosen = set(value if isinstance(value, list) else ([value] if value else []))
        self.items = [(c.label.zh + (f"：{printable(other)}" if other and c.value == field.other_value else ""),
                       c.value in chosen) for c in field.choices]
        self.size = size
        self._lines: list[list[tuple[str, bool, float]]] = []

    def wrap(self, avail_width: float, _avail_height: float):
        font = cjk_font()
        box = self.size * 0.85
        lines, line, x = [], [], 0.0
        for label, on in self.items:
            w = box + 2 + stringWidth(label, font, self.size) + 3.5 * mm
            if line and x + w > avail_width:
                lines.append(line)
                line, x = [], 0.0
            line.append((label, on, x))
            x += w
        if line:
            lines.append(line)
        self._lines = lines
        self.width = avail_width
        self.height = len(lines) * self.size * 1.5
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        font = cjk_font()
        box = self.size * 0.85
        for row, line in enumerate(self._lines):
            y = self.height - (row + 1) * self.size * 1.5 + self.size * 0.35
            for label, on, x in line:
                c.setLineWidth(0.6)
                c.rect(x, y - 0.5, box, box, stroke=1, fill=0)
                if on:
                    c.setFont(font, self.size)
                    c.drawString(x + 0.6, y - 0.3, "√")
                c.setFont(font, self.size)
                c.drawString(x + box + 2, y, label)
