"""Named validators for text fields (``constraint: {validator: id_card}``).

Each takes the text and today's date (from the caller's clock: ``validate(…, clock=…)``; a
birth date after it is refused) and returns ``None`` when it is valid, else a short Chinese
message.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

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


def id_card(value: str, today: date) -> str | None:
    if len(value) != 18:
        return f"应为18位（现为{len(value)}位）"
    if not value[:17].isascii() or not value[:17].isdigit():
        return "前17位须为数字"
    last = value[17]
    if last == "x":
        return "末位校验码须为大写 X"
    if last not in "0123456789X":
        return "末位须为数字或 X"
    born = id_birth_date(value)
    if born is None or born.year < 1800:
        return f"出生日期（第7–14位）无效：{value[6:14]}"
    if born > today:
        return f"出生日期（第7–14位）在未来：{value[6:14]}"
    expected = id_check_char(value[:17])
    if last != expected:
        return f"校验位不符（应为 {expected}）"
    return None


# --- 机动车号牌 -----------------------------------------------------------------------------

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_SUFFIXES = "挂学警港澳"
_LETTER = "A-HJ-NP-Z"  # no I, no O
_ORDINARY = re.compile(rf"[{_LETTER}0-9]{{5}}|[{_LETTER}0-9]{{4}}[{PLATE_SUFFIXES}]")
_NEW_ENERGY = re.compile(rf"[DF][{_LETTER}0-9]\d{{4}}|\d{{5}}[DF]")


def plate(value: str, _today: date | None = None) -> str | None:
    if re.search(r"[\s·・.\-]", value):
        return "号牌中不要加空格、“·”或横线"
    if re.search(r"[a-z]", value):
        return "字母须为大写"
    if len(value) not in (7, 8):
        return f"普通号牌7位、新能源号牌8位（现为{len(value)}位）"
    if value[0] not in PROVINCES:
        return "第1位须为省份简称（如 京、粤、桂）"
    if not re.fullmatch(f"[{_LETTER}]", value[1]):
        return "第2位须为发牌机关代号字母（A–Z，不含 I、O）"
    serial = value[2:]
    if "I" in serial or "O" in serial:
        return "号牌中不使用字母 I、O"
    if len(value) == 7 and not _ORDINARY.fullmatch(serial):
        return f"号码须为5位字母或数字（“{PLATE_SUFFIXES}”字只能在末位）"
    if len(value) == 8 and not _NEW_ENERGY.fullmatch(serial):
        return "新能源号牌第3位或末位须为 D 或 F，其余为数字"
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


def vin(value: str, _today: date | None = None) -> str | None:
    if len(value) != 17:
        return f"应为17位（现为{len(value)}位）"
    if re.search(r"[a-z]", value):
        return "字母须为大写"
    if re.search(r"[IOQ]", value):
        return "不能含字母 I、O、Q"
    if any(c not in VIN_CHARS for c in value):
        return "只能含数字和大写字母"
    expected = vin_check_digit(value)
    if value[8] != expected:
        return f"第9位校验位不符（应为 {expected}）"
    return None


# --- 手机号 --------------------------------------------------------------------------------

def phone(value: str, _today: date | None = None) -> str | None:
    if not (value.isascii() and value.isdigit()):
        return "只能含数字（11位手机号）"
    if len(value) != 11:
        return f"手机号应为11位（现为{len(value)}位）"
    if not re.fullmatch(r"1[3-9]\d{9}", value):
        return "手机号须以 13–19 开头"
    return None


VALIDATORS: dict[str, Callable[[str, date], str | None]] = {
    "id_card": id_card,
    "plate": plate,
    "vin": vin,
    "phone": phone,
}
