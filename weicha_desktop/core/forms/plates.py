"""机动车号牌 (GA 36-2018 and its later amendments): normalize, classify, check. Pure functions.

``normalize_plate(text)`` is the key every lookup uses (a record's 号牌, a watch-list entry,
what an officer types or a scanner sends): full-width letters and digits made half-width,
spaces, middle dots (``·`` ``・`` ``•``), full stops and hyphens removed, letters upper-case.
It never refuses: ``check_plate`` says what is wrong with what it gives.

Covered (``plate_kind``):

- ``ordinary`` 普通号牌 (blue/yellow, 7 characters): province + issuing letter + 5 letters or
  digits (no I, no O), e.g. 京A12345, 桂N8A8B8;
- ``new_energy_small`` 小型新能源 (green, 8): province + letter + D/A/B/C/E (pure electric) or
  F/G/H/J/K (other new energy; the A–K letters besides D and F since 2022) + a letter or digit
  + 4 digits, e.g. 京AD12345, 粤BF1A234;
- ``new_energy_large`` 大型新能源 (8): province + letter + 5 digits + D or F, e.g. 京A12345D;
- ``trailer`` 挂车 (…挂), ``learner`` 教练 (…学), ``police`` 警用 (…警), ``hk_macau`` 粤港澳
  入出境 (粤Z…港 / 粤Z…澳), ``consulate`` 领馆 (…领): province + letter + 4 letters or
  digits + that character, 7 characters, e.g. 沪C1234挂, 京A0001警, 粤Z1234港, 沪A1234领;
- ``embassy`` 使馆 (black): 使 + 6 digits (3-digit mission code + serial), e.g. 使014578.

Not covered (refused as not a plate): military and armed-police plates (VA12345, WJ…),
应急 plates, temporary plates (临时号牌, paper), and the province-less plates of some
special zones. The serial's letter count (at most 2 in a self-chosen number) is not checked:
older plates have more."""
from __future__ import annotations

import re
import unicodedata

from weicha_desktop.core.messages import Msg

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
SUFFIX_KINDS = {"挂": "trailer", "学": "learner", "警": "police", "港": "hk_macau",
                "澳": "hk_macau", "领": "consulate"}
PLATE_SUFFIXES = "".join(SUFFIX_KINDS)
NEW_ENERGY_PURE, NEW_ENERGY_OTHER = "DABCE", "FGHJK"  # small cars' 3rd character
PLATE_KINDS = {  # kind → its words (zh, en)
    "ordinary": ("普通号牌", "ordinary plate"),
    "new_energy_small": ("小型新能源号牌", "new-energy plate (small vehicle)"),
    "new_energy_large": ("大型新能源号牌", "new-energy plate (large vehicle)"),
    "trailer": ("挂车号牌", "trailer plate"),
    "learner": ("教练汽车号牌", "learner-driver plate"),
    "police": ("警用汽车号牌", "police plate"),
    "hk_macau": ("粤港澳入出境号牌", "Hong Kong / Macau cross-border plate"),
    "consulate": ("领馆汽车号牌", "consulate plate"),
    "embassy": ("使馆汽车号牌", "embassy plate"),
}

_LETTER = "A-HJ-NP-Z"  # no I, no O
_REMOVED = re.compile(r"[\s·・•‧.。\-－_]+")
_EMBASSY = re.compile(r"使\d{6}")
_ORDINARY = re.compile(rf"[{_LETTER}0-9]{{5}}")
_SUFFIXED = re.compile(rf"[{_LETTER}0-9]{{4}}[{PLATE_SUFFIXES}]")
_NE_SMALL = re.compile(rf"[{NEW_ENERGY_PURE}{NEW_ENERGY_OTHER}][{_LETTER}0-9]\d{{4}}")
_NE_LARGE = re.compile(r"\d{5}[DF]")


def normalize_plate(text: str) -> str:
    """The lookup key of a plate as typed, printed or scanned: NFKC (full-width → half-width),
    no spaces, dots or hyphens, upper-case. ``" 京a·12345 "`` → ``"京A12345"``."""
    if not isinstance(text, str):
        return ""
    return _REMOVED.sub("", unicodedata.normalize("NFKC", text)).upper()


def plate_kind(value: str) -> str | None:
    """Which kind of plate a normalized ``value`` is (a key of PLATE_KINDS), or None."""
    if not isinstance(value, str):
        return None
    if _EMBASSY.fullmatch(value):
        return "embassy"
    if len(value) not in (7, 8) or value[0] not in PROVINCES or not re.fullmatch(f"[{_LETTER}]", value[1]):
        return None
    serial = value[2:]
    if len(value) == 7:
        if _ORDINARY.fullmatch(serial):
            return "ordinary"
        return SUFFIX_KINDS[serial[-1]] if _SUFFIXED.fullmatch(serial) else None
    if _NE_SMALL.fullmatch(serial):
        return "new_energy_small"
    return "new_energy_large" if _NE_LARGE.fullmatch(serial) else None


def check_plate(value: str) -> Msg | None:
    """None for a plate of a covered kind as stored (normalized), else what is wrong."""
    if re.search(r"[\s·・•.\-]", value):
        return Msg("plate.separators")
    if re.search(r"[a-z]", value):
        return Msg("text.capitals")
    if value.startswith("使"):
        return None if _EMBASSY.fullmatch(value) else Msg("plate.embassy")
    if len(value) not in (7, 8):
        return Msg("plate.length", n=len(value))
    if value[0] not in PROVINCES:
        return Msg("plate.province")
    if not re.fullmatch(f"[{_LETTER}]", value[1]):
        return Msg("plate.letter")
    serial = value[2:]
    if "I" in serial or "O" in serial:
        return Msg("plate.io")
    if len(value) == 7 and plate_kind(value) is None:
        return Msg("plate.serial", suffixes=PLATE_SUFFIXES)
    if len(value) == 8 and plate_kind(value) is None:
        return Msg("plate.new_energy")
    return None


def plate(value: str, _today=None) -> Msg | None:
    """The form validator ``plate`` (core/forms/validators.py)."""
    return check_plate(value)
