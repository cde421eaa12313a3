"""Where the shipped data files are: fonts, form definitions. No Qt here.

From a source checkout (or an editable install) they sit next to the package:
``<repo>/resources`` and ``<repo>/forms``. A PyInstaller bundle is expected to
carry them at the top of the bundle (``sys._MEIPASS``) under the same names.
"""
from __future__ import annotations

import sys
from pathlib import Path

CJK_FONT_FILE = "wqy-microhei.ttc"
#: The TrueType collection holds "WenQuanYi Micro Hei" (0) and "... Mono" (1).
CJK_FONT_SUBFONT_INDEX = 0


def _root() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return _root() / "resources"


def cjk_font_path() -> Path:
    """The Chinese font for the GUI and for PDFs (reportlab: ``subfontIndex=0``)."""
    return resources_dir() / "fonts" / CJK_FONT_FILE


def forms_dir() -> Path:
    return _root() / "forms"
