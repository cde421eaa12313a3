"""Named validators for text fields (``constraint: {validator: id_card}``).

Each takes the text and today's date (from the caller's clock: ``validate(…, clock=…)``; a
birth date after it is refused) and returns ``None`` when it is valid, else a short message
(a ``core.messages.Msg``: its Chinese text, with its English for the window).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from weicha_desktop.core.messages import Msg

# --- 居民身份证号 (GB 11643) ----------------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of an ID number."""
    return ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def id_birth_date(value: str) -> date | None:
    """The birth date in digits 7–14, or None if it is not a real date."""
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def id_gender(value: str) -> str:
    """男 for an odd 17th digit, 女 for an even one."""
    return "男" if int(value[16]) % 2 else "女"


def id_card(value: str, today: date) -> Msg | None:
    if len(value) != 18:
        return Msg("id.length", n=len(value))
    if not value[:17].isascii() or not value[:17].isdigit():
        return Msg("id.digits")
    last = value[17]
    if last == "x":
        return Msg("id.lower_x")
    if last not in "0123456789X":
        return Msg("id.last")
    born = id_birth_date(value)
    if born is None or born.year < 1800:
        return Msg("id.bad_birth", digits=value[6:14])
    if born > today:
        return Msg("id.future_birth", digits=value[6:14])
    expected = id_check_char(value[:17])
    if last != expected:
        return Msg("id.check", expected=expected)
    return None


# --- 机动车号牌 -----------------------------------------------------------------------------

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_SUFFIXES = "挂学警港澳"
_LETTER = "A-HJ-NP-Z"  # no I, no O
_ORDINARY = re.compile(rf"[{_LETTER}0-9]{{5}}|[{_LETTER}0-9]{{4}}[{PLATE_SUFFIXES}]")
_NEW_ENERGY = re.compile(rf"[DF][{_LETTER}0-9]\d{{4}}|\d{{5}}[DF]")


def plate(value: str, _today: date | None = None) -> Msg | None:
    if re.search(r"[\s·・.\-]", value):
        return Msg("plate.separators")
    if re.search(r"[a-z]", value):
        return Msg("text.capitals")
    if len(value) not in (7, 8):
        return Msg("plate.length", n=len(value))
    if value[0] not in PROVINCES:
        return Msg("plate.province")
    if not re.fullmatch(f"[{_LETTER}]", value[1]):
        return Msg("plate.letter")
    serial = value[2:]
    if "I" in serial or "O" in serial:
        return Msg("plate.io")
    if len(value) == 7 and not _ORDINARY.fullmatch(serial):
        return Msg("plate.serial", suffixes=PLATE_SUFFIXES)
    if len(value) == 8 and not _NEW_ENERGY.fullmatch(serial):
        return Msg("plate.new_energy")
    return None


# --- 车辆识别代号 VIN (ISO 3779, GB 16735) -----------------------------------------------------

VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
_VIN_LETTER_VALUES = (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9)
_VIN_VALUES = {**{str(d): d for d in range(10)},
               **dict(zip("ABCDEFGHJKLMNPRSTUVWXYZ", _VIN_LETTER_VALUES, strict=True))}


def vin_check_digit(vin17: str) -> str:
    """The check digit (position 9) of a 17-character VIN; remainder 10 is ``X``."""
    remainder = sum(_VIN_VALUES[c] * w for c, w in zip(vin17, VIN_WEIGHTS)) % 11
    return "X" if remainder == 10 else str(remainder)


def vin(value: str, _today: date | None = None) -> Msg | None:
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


# --- 手机号 --------------------------------------------------------------------------------

def phone(value: str, _today: date | None = None) -> Msg | None:
    if not (value.isascii() and value.isdigit()):
        return Msg("phone.digits")
    if len(value) != 11:
        return Msg("phone.length", n=len(value))
    if not re.fullmatch(r"1[3-9]\d{9}", value):
        return Msg("phone.prefix")
    return None


VALIDATORS: dict[str, Callable[[str, date], Msg | None]] = {
    "id_card": id_card,
    "plate": plate,
    "vin": vin,
    "phone": phone,
}
