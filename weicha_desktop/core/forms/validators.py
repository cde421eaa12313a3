"""Named validators for text fields (``constraint: {validator: id_card}``).

Each takes the text and today's date (from the caller's clock: ``validate(…, clock=…)``; a
birth date after it is refused) and returns ``None`` when it is valid, else a short message
(a ``core.messages.Msg``: its Chinese text, with its English for the window).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from weicha_desktop.core.messages import Msg

# 机动车号牌, VIN and telephone numbers have modules of their own, with their normalizers
# (the lookup keys of 核查): plates.py, vins.py, phones.py; re-exported here for the forms
from .phones import phone, tel
from .plates import PLATE_SUFFIXES, PROVINCES, plate  # noqa: F401
from .vins import VIN_CHARS, VIN_WEIGHTS, vin, vin_check_digit  # noqa: F401

# --- 居民身份证号 (GB 11643) ----------------------------------------------------------------

# the provinces (first two digits) of forms/choices/regions.tsv (GB/T 2260; unchanged since
# 1997, 50 重庆; 81 82 83 also head the 港澳台居民居住证 numbers, 83 the Taiwan residents'):
# a number of any other is no number, whatever its check character says. The
# lower levels are not checked: withdrawn county codes stay on the people born there.
ID_PROVINCES = frozenset("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
                         "50 51 52 53 54 61 62 63 64 65 71 81 82 83".split())
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
    if value[:2] not in ID_PROVINCES:
        return Msg("id.region", code=value[:6], province=value[:2])
    born = id_birth_date(value)
    if born is None:
        return Msg("id.bad_birth", digits=value[6:14])
    if born.year < 1900:
        return Msg("id.old_birth", digits=value[6:14])
    if born > today:
        return Msg("id.future_birth", digits=value[6:14])
    expected = id_check_char(value[:17])
    if last != expected:
        return Msg("id.check", expected=expected)
    return None


VALIDATORS: dict[str, Callable[[str, date], Msg | None]] = {
    "id_card": id_card,
    "plate": plate,
    "vin": vin,
    "phone": phone,
    "tel": tel,
}
