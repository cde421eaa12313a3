"""The CJK font for PDFs. reportlab embeds TrueType-outline fonts (subset per document);
WenQuanYi Micro Hei (shipped in resources/fonts) is one. Registration is process-wide in
reportlab; ``cjk_font()`` does it once and returns the name to draw with.

A character the font lacks is silently dropped by reportlab, and a few the font "has" draw
nothing (℃ maps to an empty glyph): ``missing_glyphs`` finds both, ``printable`` swaps the
known ones for what the paper form would print."""
from __future__ import annotations

from functools import lru_cache

from PIL import ImageFont
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from weicha_desktop.resources import CJK_FONT_SUBFONT_INDEX, cjk_font_path

FONT_NAME = "WenQuanYiMicroHei"

# Every PDF of ours (pdfdoc.py, label_sheet.py) is drawn with this module's font, so it is
# imported before any is made: streams are written binary, not ASCII85-encoded. reportlab
# encodes ASCII85 in pure Python (its C accelerator is a separate package): for a report of
# 12 camera photos that was ~1.2 s of ~1.8 s CPU, and made each embedded JPEG 25 % larger.
rl_config.useA85 = 0
SUBSTITUTES = {"℃": "°C", "☐": "□", "☑": "√"}


@lru_cache(maxsize=1)
def cjk_font() -> str:
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(cjk_font_path()),
                                   subfontIndex=CJK_FONT_SUBFONT_INDEX))
    return FONT_NAME


@lru_cache(maxsize=1)
def _cmap() -> frozenset[int]:
    font = pdfmetrics.getFont(cjk_font())
    return frozenset(font.face.charToGlyph)


@lru_cache(maxsize=1)
def _raster() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(cjk_font_path()), 40, index=CJK_FONT_SUBFONT_INDEX)


@lru_cache(maxsize=8192)
def _draws(ch: str) -> bool:
    if ord(ch) not in _cmap():
        return False
    x0, y0, x1, y1 = _raster().getbbox(ch)
    return x1 > x0 and y1 > y0


def missing_glyphs(text: str) -> set[str]:
    """Characters of ``text`` the font cannot draw (absent, or present but empty)."""
    return {ch for ch in set(text) if not ch.isspace() and not _draws(ch)}


def printable(text: str) -> str:
    for bad, good in SUBSTITUTES.items():
        text = text.replace(bad, good)
    return text
