"""车辆识别代号 VIN (ISO 3779; GB 16735 in China): normalize, check. Pure functions.

17 characters, digits and capital letters without I, O and Q. Position 9 is the check digit
(weights 8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2 over the characters' values, sum mod 11, 10 → X).
Outside North America ISO 3779 leaves the check digit optional, but GB 16735 makes it
compulsory for vehicles made or sold in China, so a Chinese VIN (L…) without a right check
digit is wrong, not foreign: it is refused, whatever the maker. Not checked: the model-year
character (position 10) and the maker code (WMI, positions 1–3) against a list of makers."""
from __future__ import annotations

import re
import unicodedata

from weicha_desktop.core.messages import Msg

VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
_VIN_LETTER_VALUES = (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9)
_VIN_VALUES = {**{str(d): d for d in range(10)},
               **dict(zip("ABCDEFGHJKLMNPRSTUVWXYZ", _VIN_LETTER_VALUES, strict=True))}
_REMOVED = re.compile(r"[\s\-·.]+")


def normalize_vin(text: str) -> str:
    """The lookup key of a VIN as typed or scanned: NFKC, no spaces or hyphens, upper-case."""
    if not isinstance(text, str):
        return ""
    return _REMOVED.sub("", unicodedata.normalize("NFKC", text)).upper()


def vin_check_digit(vin17: str) -> str:
    """The check digit (position 9) of a 17-character VIN; remainder 10 is ``X``."""
    remainder = sum(_VIN_VALUES[c] * w for c, w in zip(vin17, VIN_WEIGHTS)) % 11
    return "X" if remainder == 10 else str(remainder)


def check_vin(value: str) -> Msg | None:
    """None for a valid VIN as stored (normalized), else what is wrong."""
    if len(value) != 17:
        return Msg("vin.length", n=len(value))
    if re.search(r"[a-z]", value):
        return Msg("text.capitals")
    if re.search(r"[IOQ]", value):
        return Msg("vin.iqo")
    if any(c not in VIN_CHARS for c in value):
        return Msg("vin.chars")
    expected = vin_check_digit(value)
    if value[8] != expected:
        return Msg("vin.check", expected=expected)
    return None


def vin(value: str, _today=None) -> Msg | None:
    """The form validator ``vin`` (core/forms/validators.py)."""
    return check_vin(value)
