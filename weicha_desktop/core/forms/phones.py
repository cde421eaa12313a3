"""Telephone numbers: mobile (11 digits, 13–19…) and landline (0 + area code + 7–8 digits).
Pure functions; ``normalize_phone`` is the lookup key (digits only, no +86 / 0086)."""
from __future__ import annotations

import re
import unicodedata

from weicha_desktop.core.messages import Msg

_MOBILE = re.compile(r"1[3-9]\d{9}")
# area codes: 010, 02X (3 digits) or 0XXX (4 digits); then 7 or 8 digits
_LANDLINE = re.compile(r"0(?:10|2\d|[3-9]\d{2})-?[2-9]\d{6,7}")


def normalize_phone(text: str) -> str:
    """``+86 138-7771-2345`` → ``13877712345``; ``0777-2821234`` → ``07772821234``."""
    if not isinstance(text, str):
        return ""
    digits = re.sub(r"[\s\-()（）]+", "", unicodedata.normalize("NFKC", text))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix) and len(digits) > len(prefix) + 9:
            digits = digits[len(prefix):]
    return digits


def check_mobile(value: str) -> Msg | None:
    if not (value.isascii() and value.isdigit()):
        return Msg("phone.digits")
    if len(value) != 11:
        return Msg("phone.length", n=len(value))
    if not _MOBILE.fullmatch(value):
        return Msg("phone.prefix")
    return None


def check_tel(value: str) -> Msg | None:
    """A mobile number, or a landline with its area code (``0777-2821234`` or ``07772821234``)."""
    if not value.startswith("0"):
        return check_mobile(value)
    if not (value.isascii() and value.replace("-", "").isdigit()):
        return Msg("tel.digits")
    return None if _LANDLINE.fullmatch(value) else Msg("tel.landline")


def phone(value: str, _today=None) -> Msg | None:
    """The form validator ``phone``: a mobile number."""
    return check_mobile(value)


def tel(value: str, _today=None) -> Msg | None:
    """The form validator ``tel``: a mobile number or a landline."""
    return check_tel(value)
