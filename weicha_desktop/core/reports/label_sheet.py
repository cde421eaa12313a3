"""Drawing the evidence label sheet (labels.py's ``write_labels``) with reportlab."""
from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from weicha_desktop.core.reports.fonts import cjk_font
from weicha_desktop.core.reports.labels import LabelItem, Layout
from weicha_desktop.core.reports.qr import draw_qr


def draw_sheet(items: list[LabelItem], path: Path, spec: Layout, skip: int, outline: bool) -> int:
    """The sheets of ``items`` (``skip`` empty slots first) drawn into ``path``; the pages."""
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
