"""The CJK font for PDFs. reportlab embeds TrueType-outline fonts (subset per document);
WenQuanYi Micro Hei (shipped in resources/fonts) is one. Registration is process-wide in
reportlab; ``cjk_font()`` does it once and returns the name to draw with."""
from __future__ import annotations

from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from weicha_desktop.resources import CJK_FONT_SUBFONT_INDEX, cjk_font_path

FONT_NAME = "WenQuanYiMicroHei"


@lru_cache(maxsize=1)
def cjk_font() -> str:
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(cjk_font_path()),
                                   subfontIndex=CJK_FONT_SUBFONT_INDEX))
    return FONT_NAME


@lru_cache(maxsize=1)
def _cmap() -> frozenset[int]:
    font = pdfmetrics.getFont(cjk_font())
    return frozenset(font.face.charToGlyph)


def missing_glyphs(text: str) -> set[str]:
    """Characters of ``text`` the font cannot draw (reportlab would silently drop them)."""
    cmap = _cmap()
    return {ch for ch in text if not ch.isspace() and ord(ch) not in cmap}
