"""Evidence labels: an A4 sheet of self-adhesive labels, each with the item's H number as a
QR code and its number, name, category, case number and collection time in text.

Label sheet layouts follow common A4 stock (label size and pitch in mm)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from weicha_desktop.core.forms.spec import FormSpec
from weicha_desktop.core.reports.fonts import cjk_font
from weicha_desktop.core.reports.qr import draw_qr
from weicha_desktop.core.safe_output import atomic_output


@dataclass(frozen=True)
class Layout:
    name: str
    cols: int
    rows: int
    width: float    # mm
    height: float   # mm
    left: float     # mm, page edge to first label
    top: float      # mm
    hpitch: float   # mm, left edge to next left edge
    vpitch: float   # mm


LAYOUTS = {
    "3x8": Layout("A4 3×8（70×37 mm，24 张/页）", 3, 8, 70, 37, 0, 0.5, 70, 37),
    "2x7": Layout("A4 2×7（99.1×38.1 mm，14 张/页）", 2, 7, 99.1, 38.1, 4.65, 15.15, 101.6, 38.1),
    "3x7": Layout("A4 3×7（63.5×38.1 mm，21 张/页）", 3, 7, 63.5, 38.1, 7.25, 15.15, 66, 38.1),
}


@dataclass(frozen=True)
class LabelItem:
    number: str          # H…
    name: str
    category: str = ""
    case_number: str = ""
    collected_at: str = ""


def items_from_case(case_number: str, evidence: Iterable[dict],
                    spec: FormSpec | None = None) -> list[LabelItem]:
    """Labels of the numbered rows; with ``spec`` (the case's form version) the category in
    its Chinese words (a v3 record stores its code)."""
    out = []
    categories = spec.field("evidence.category") if spec is not None else None
    for row in evidence:
        if row.get("number"):
            category = row.get("category") or ""
            if categories is not None and category:
                category = categories.choice_label(category)
            out.append(LabelItem(row["number"], row.get("name", ""), category,
                                 case_number, (row.get("collected_at") or "")[:16].replace("T", " ")))
    return out


def write_labels(items: list[LabelItem], path: Path, layout: str = "3x8", *,
                 skip: int = 0, outline: bool = False, data_dir: Path | None = None) -> int:
    """Write the label sheet PDF; ``skip`` leaves that many labels of the first sheet empty
    (a sheet already partly used). Returns the number of pages. Written whole or not at all,
    never into the data folder (core/safe_output.py; OutputError says why)."""
    with atomic_output(path, data_dir=data_dir) as tmp:
        return _write_labels(items, tmp, LAYOUTS[layout], skip, outline)


def _write_labels(items: list[LabelItem], path: Path, spec: Layout, skip: int, outline: bool) -> int:
    font = cjk_font()
    c = Canvas(str(path), pagesize=A4, initialFontName=font, initialFontSize=8)
    c.setTitle("痕迹物证标签")
    c.setAuthor("微察桌面版")
    per_page = spec.cols * spec.rows
    slots = [None] * skip + list(items)
    pages = max(1, -(-len(slots) // per_page))
    for page in range(pages):
        for i, item in enumerate(slots[page * per_page:(page + 1) * per_page]):
            if item is None:
                continue
            col, row = i % spec.cols, i // spec.cols
            x = (spec.left + col * spec.hpitch) * mm
            y = A4[1] - (spec.top + row * spec.vpitch + spec.height) * mm
            _label(c, item, x, y, spec.width * mm, spec.height * mm, font, outline)
        c.showPage()
    c.save()
    return pages


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _wrap(text: str, font: str, size: float, width: float, lines: int) -> list[str]:
    out = []
    while text and len(out) < lines:
        n = len(text)
        while n > 1 and stringWidth(text[:n], font, size) > width:
            n -= 1
        out.append(text[:n])
        text = text[n:]
    if text:
        out[-1] = _fit(out[-1] + text, font, size, width)
    return out


def _label(c: Canvas, item: LabelItem, x: float, y: float, w: float, h: float, font: str,
           outline: bool) -> None:
    """QR top left, name/category/time beside it; the full H number and the case number
    across the bottom, never shortened."""
    pad = 2.5 * mm
    strip = 8.5 * mm
    if outline:
        c.setLineWidth(0.3)
        c.setStrokeGray(0.7)
        c.rect(x, y, w, h, stroke=1, fill=0)
    qr = h - strip - pad
    draw_qr(c, item.number, x + pad - 1 * mm, y + strip, qr)
    tx = x + pad + qr
    tw = x + w - pad - tx
    cy = y + h - pad - 8
    c.setFont(font, 9.5)
    for line in _wrap(item.name, font, 9.5, tw, 2):
        c.drawString(tx, cy, line)
        cy -= 11.5
    for text, size in ((item.category, 7.5), (f"提取 {item.collected_at}" if item.collected_at else "", 6.5)):
        if text:
            c.setFont(font, size)
            c.drawString(tx, cy, _fit(text, font, size, tw))
            cy -= size + 3
    full = w - 2 * pad
    size = 9.0
    while size > 5 and stringWidth(item.number, font, size) > full:
        size -= 0.25
    c.setFont(font, size)
    c.drawString(x + pad, y + strip - 2.5 * mm - size * 0.2, item.number)
    if item.case_number:
        c.setFont(font, 6)
        c.drawString(x + pad, y + 1.6 * mm, _fit(f"勘验号 {item.case_number}", font, 6, full))
