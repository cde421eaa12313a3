"""Named validators: 身份证号 (GB 11643), 号牌, VIN (ISO 3779), 手机号."""
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weicha_desktop.core.clock import FixedClock
from weicha_desktop.core.forms import validate
from weicha_desktop.core.forms.validators import (
    VALIDATORS,
    id_card,
    id_check_char,
    phone,
    plate,
    vin,
    vin_check_digit,
)

from support import CST, forms

CHECK_CHARS = "0123456789X"
TODAY = date(2026, 11, 27)  # what the caller's clock says (validate(…, clock=…))
# Written out again from the standards, independently of the module under test.
GB11643_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
GB11643_CHARS = "10X98765432"
ISO3779_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
ISO3779_VALUES = dict(zip("0123456789ABCDEFGHJKLMNPRSTUVWXYZ",
                          list(range(10)) + [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9,
                                             2, 3, 4, 5, 6, 7, 8, 9], strict=True))


def make_id(region: str, born: date, seq: str) -> str:
    first17 = f"{region}{born:%Y%m%d}{seq}"
    total = sum(int(d) * w for d, w in zip(first17, GB11643_WEIGHTS, strict=True))
    return first17 + GB11643_CHARS[total % 11]


def with_vin_check(body16: str) -> str:
    number = body16[:8] + "0" + body16[8:]
    total = sum(ISO3779_VALUES[c] * w for c, w in zip(number, ISO3779_WEIGHTS, strict=True))
    return number[:8] + ("X" if total % 11 == 10 else str(total % 11)) + number[9:]


# --- 身份证号 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("number", ["11010519491231002X"])
def test_id_card_accepts_the_examples_of_the_standard(number):
    assert id_card(number, TODAY) is None


def test_the_standards_1880_example_is_refused_as_born_before_1900():
    # GB 11643's second example (born 1880) is well built, but no one born before 1900 holds a
    # number (issue 13: birth dates before 1900 are refused)
    assert id_card("440524188001010014", TODAY) == "出生日期（第7–14位）早于1900年：18800101，请核对号码"


@pytest.mark.parametrize("number, message", [
    ("110105194912310021", "校验位不符（应为 X）"),
    ("11010519491231002x", "末位校验码须为大写 X"),
    ("11010519491231002", "应为18位（现为17位）"),
    ("1101051949123100A2", "前17位须为数字"),
    ("11010519491231002Y", "末位须为数字或 X"),
    ("110105194902300021", "出生日期（第7–14位）无效：19490230"),
])
def test_id_card_messages(number, message):
    assert id_card(number, TODAY) == message


def test_id_card_rejects_a_birth_date_after_the_day_it_is_given():
    tomorrow = make_id("450702", TODAY + timedelta(days=1), "123")
    assert "在未来" in id_card(tomorrow, TODAY)
    assert id_card(tomorrow, TODAY + timedelta(days=1)) is None  # the clock's day, not the machine's
    assert id_card(make_id("450702", TODAY, "123"), TODAY) is None


def test_validate_asks_the_clock_it_is_given_not_the_machine():
    spec = forms().latest("scene_investigation")
    born = make_id("450702", date(2030, 6, 1), "123")  # after the machine's date, too
    record = {"witnesses": [{"name": "李四", "id_number": born}]}

    def future(on: date) -> list[str]:
        clock = FixedClock(datetime(on.year, on.month, on.day, 9, 0, tzinfo=CST))
        return [p.message for p in validate(spec, record, clock=clock) if "在未来" in p.message]

    assert future(date(2030, 5, 31)) and not future(date(2030, 6, 1))


PROVINCES = "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82"
regions = st.builds(str.__add__, st.sampled_from(PROVINCES.split()), st.integers(0, 9999).map("{:04d}".format))
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(0, 999).map("{:03d}".format)


@given(regions, births, sequences)
def test_id_card_accepts_every_correctly_built_number(region, born, seq):
    number = make_id(region, born, seq)
    assert id_check_char(number[:17]) == number[17]
    assert id_card(number, TODAY) is None


def test_every_check_char_occurs():
    """Each of the 11 remainders is reached, so no entry of the table goes untested."""
    numbers = [make_id("450702", date(1990, 1, 1), f"{seq:03d}") for seq in range(40)]
    assert {n[-1] for n in numbers} == set(CHECK_CHARS)
    assert all(id_card(n, TODAY) is None for n in numbers)


@given(regions, births, sequences)
def test_id_card_rejects_every_other_check_char(region, born, seq):
    number = make_id(region, born, seq)
    for wrong in CHECK_CHARS.replace(number[-1], ""):
        assert id_card(number[:-1] + wrong, TODAY) == f"校验位不符（应为 {number[-1]}）"


# --- 号牌 -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "京A12345", "桂N8A8B8", "粤B1234学", "京A1234警", "沪C1234挂", "粤Z1234港",
    "桂KD12345", "京ADA1234", "苏E12345D",
])
def test_plate_accepts(value):
    assert plate(value) is None


@pytest.mark.parametrize("value, fragment", [
    ("京A1234", "7位"),
    ("京A123456", "新能源号牌第3位或末位须为 D 或 F"),
    ("无A12345", "省份简称"),
    ("京I12345", "第2位"),
    ("京A12O45", "I、O"),
    ("京a12345", "大写"),
    ("京A·12345", "“·”"),
    ("京A 12345", "空格"),
    ("京A12345挂", "新能源"),
    ("京A12挂45", "末位"),
])
def test_plate_rejects(value, fragment):
    message = plate(value)
    assert message is not None and fragment in message


# --- VIN -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "1M8GDM9AXKP042788", "11111111111111111", "5GZCZ43D13S812715", "1HGCM82633A004352",
    "JHMCM56557C404453", "LVSHCAMB1CE054249", "LSGPC52U6AF102554",
])
def test_vin_accepts_published_numbers(value):
    assert vin(value) is None


@pytest.mark.parametrize("value, message", [
    ("1M8GDM9A1KP042788", "第9位校验位不符（应为 X）"),
    ("1M8GDM9AXKP04278", "应为17位（现为16位）"),
    ("1M8GDM9AXKP0427O8", "不能含字母 I、O、Q"),
    ("1m8GDM9AXKP042788", "字母须为大写"),
    ("1M8GDM9AXKP0427-8", "只能含数字和大写字母"),
])
def test_vin_messages(value, message):
    assert vin(value) == message


vin_bodies = st.text(alphabet="0123456789ABCDEFGHJKLMNPRSTUVWXYZ", min_size=16, max_size=16)


@given(vin_bodies)
def test_vin_accepts_every_number_with_its_check_digit(body):
    number = with_vin_check(body)
    assert vin_check_digit(number) == number[8]
    assert vin(number) is None


@given(vin_bodies)
def test_vin_rejects_every_other_check_digit(body):
    number = with_vin_check(body)
    right = number[8]
    for wrong in CHECK_CHARS.replace(right, ""):
        assert vin(number[:8] + wrong + number[9:]) == f"第9位校验位不符（应为 {right}）"


# --- 手机号 ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value, ok", [
    ("13877712345", True), ("19912345678", True), ("12345678901", False),
    ("1387771234", False), ("138777123456", False), ("138-7771-2345", False),
    ("２3877712345", False),
])
def test_phone(value, ok):
    assert (phone(value) is None) is ok


def test_registry_of_validators():
    assert set(VALIDATORS) == {"id_card", "plate", "vin", "phone", "tel"}
