"""Type and layout for printed reports: A4, the shipped CJK font, CJK line breaking."""
from __future__ import annotations

from functools import lru_cache

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from xml.sax.saxutils import escape

from weicha_desktop.core.reports.fonts import cjk_font, printable

MARGIN_X = 20 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 20 * mm
GRID = Color(0.35, 0.35, 0.35)
SHADE = Color(0.93, 0.93, 0.93)
RED = Color(0.72, 0.05, 0.08)


@lru_cache(maxsize=1)
def styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK",
                          alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=19, leading=26, alignment=TA_CENTER,
                                spaceAfter=2 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=9.5, leading=13,
                                   alignment=TA_CENTER, textColor=Color(0.3, 0.3, 0.3),
                                   spaceAfter=4 * mm),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=17, spaceBefore=4 * mm, keepWithNext=1,
                             spaceAfter=1.5 * mm),
        "body": base,
        "label": ParagraphStyle("label", parent=base, fontSize=9.5, leading=13),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13),
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10),
        "number": ParagraphStyle("number", parent=base, fontSize=6.6, leading=9),  # 23 chars in one line
        "narrative": ParagraphStyle("narrative", parent=base, firstLineIndent=21, spaceAfter=1 * mm),
        "date": ParagraphStyle("date", parent=base, alignment=TA_RIGHT, rightIndent=6 * mm),
        "internal": ParagraphStyle("internal", parent=base, fontSize=12, leading=16,
                                   alignment=TA_CENTER, textColor=RED, spaceAfter=4 * mm),
    }


def text(value: str) -> str:
    """Plain text made safe for a Paragraph: printable glyphs, XML escaped, line breaks kept."""
    return escape(printable(value)).replace("\n", "<br/>")
