"""The shipped CJK font: register it at start so Chinese renders on machines without one."""
from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QRawFont
from PySide6.QtWidgets import QApplication

from weicha_desktop.resources import cjk_font_path

# font file path -> QFontDatabase application-font id, so a second call does not register twice.
_registered: dict[str, int] = {}


def _register(path: str) -> list[str]:
    font_id = _registered.get(path)
    if font_id is not None:
        families = QFontDatabase.applicationFontFamilies(font_id)
        if families:
            return families
    font_id = QFontDatabase.addApplicationFont(path)
    if font_id < 0:
        return []
    _registered[path] = font_id
    return QFontDatabase.applicationFontFamilies(font_id)


def install_app_font(app: QApplication) -> str:
    """Register the shipped font, make it the application font, return its family name.

    The platform's point size is kept; only the family changes.
    """
    path = cjk_font_path()
    families = _register(str(path)) if path.is_file() else []
    if not families:
        raise RuntimeError(
            f"无法加载中文字体 {path}，界面中的汉字将无法显示。请重新安装本软件。\n"
            f"Cannot load the Chinese font {path}; Chinese text cannot be displayed. "
            f"Reinstall the application."
        )
    # A .ttc registers every face ("WenQuanYi Micro Hei", "WenQuanYi Micro Hei Mono").
    family = next((f for f in families if not f.endswith("Mono")), families[0])
    old = app.font()
    font = QFont(family)
    if old.pointSizeF() > 0:
        font.setPointSizeF(old.pointSizeF())
    elif old.pixelSize() > 0:
        font.setPixelSize(old.pixelSize())
    if font != old:  # setFont sends every live widget a font change, even for the same font
        app.setFont(font)
    return family


def missing_glyphs(text: str, family: str) -> set[str]:
    """Characters of ``text`` (whitespace aside) that ``family`` itself has no glyph for.

    Font fallback is ignored: a character another installed font could draw still counts
    as missing. Raises ValueError if ``family`` is not available at all.
    """
    font = QFont(family)
    font.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)
    raw = QRawFont.fromFont(font)
    if not raw.isValid() or raw.familyName() != family:
        raise ValueError(f"font family not available: {family!r} (got {raw.familyName()!r})")
    return {ch for ch in set(text) if not ch.isspace() and not raw.supportsCharacter(ord(ch))}
