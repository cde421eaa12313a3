"""采集's identifiers: 号牌 (kinds and normalizing), VIN, telephone numbers, 身份证号 normalizing
and the region its first 6 digits name — real-world valid and invalid cases. Pure functions."""
import pytest

from weicha_desktop.core.collect.regions import RegionTable
from weicha_desktop.core.forms.identity import normalize_id_number
from weicha_desktop.core.forms.phones import check_tel, normalize_phone
from weicha_desktop.core.forms.plates import PLATE_KINDS, check_plate, normalize_plate, plate_kind
from weicha_desktop.core.forms.validators import VALIDATORS
from weicha_desktop.core.forms.vins import check_vin, normalize_vin
from weicha_desktop.core.messages import render
from weicha_desktop.resources import forms_dir


@pytest.mark.parametrize("value, kind", [
    ("京A12345", "ordinary"), ("桂N8A8B8", "ordinary"), ("粤BD12345", "new_energy_small"),
    ("京AFA1234", "new_energy_small"), ("粤BA12345", "new_energy_small"),  # A–K since 2022
    ("沪AK12345", "new_energy_small"), ("粤B12345D", "new_energy_large"),
    ("京A12345F", "new_energy_large"), ("粤A1234挂", "trailer"), ("桂N1234学", "learner"),
    ("京A0001警", "police"), ("粤Z1234港", "hk_macau"), ("粤Z1234澳", "hk_macau"),
    ("沪A1234领", "consulate"), ("使014578", "embassy"),
])
def test_plates_of_every_covered_kind(value, kind):
    assert plate_kind(value) == kind and check_plate(value) is None
    assert VALIDATORS["plate"](value, None) is None
    assert set(PLATE_KINDS) >= {kind}


@pytest.mark.parametrize("value, fragment", [
    ("京A1234", "7位"), ("京AZ12345", "新能源"), ("京AD1234A", "新能源"),  # Z is no NE letter
    ("京A1234D5", "新能源"), ("粤B12345A", "新能源"), ("京A12345挂", "新能源"),
    ("使01457", "使馆号牌"), ("使A14578", "使馆号牌"), ("港A12345", "省份"), ("京AI2345", "I、O"),
    ("京O12345", "第2位"), ("京A·12345", "“·”"), ("京a12345", "大写"), ("WJ京12345", "省份"),
])
def test_plates_refused_say_why(value, fragment):
    message = check_plate(value)
    assert message is not None and fragment in message, message
    assert render(message, "en") and not any("\u4e00" <= c <= "\u9fff" for c in render(message, "en"))


@pytest.mark.parametrize("typed, stored", [
    (" 京a·12345 ", "京A12345"), ("京Ａ１２３４５", "京A12345"), ("粤B-D1234５", "粤BD12345"),
    ("桂N 1234 挂", "桂N1234挂"), ("京A.12345", "京A12345"), ("使 014・578", "使014578"),
])
def test_plates_are_normalized_to_the_lookup_key(typed, stored):
    assert normalize_plate(typed) == stored and check_plate(stored) is None


def test_vins_chinese_foreign_and_typed():
    for good in ("LVSHCAMB1CE054249", "LSGPC52U6AF102554", "1HGCM82633A004352"):
        assert check_vin(good) is None
    # a European VIN without a check digit (ISO 3779 leaves it optional there): refused, since
    # GB 16735 makes it compulsory for vehicles registered in China
    assert check_vin("WVWZZZ1JZ3W386752").id == "vin.check"
    assert check_vin("LSGPC52U6AF10255Q") == "不能含字母 I、O、Q"
    assert normalize_vin(" lsgpc52u6af-102554 ") == "LSGPC52U6AF102554"


@pytest.mark.parametrize("typed, key, ok", [
    ("13877712345", "13877712345", True), ("+86 138 7771 2345", "13877712345", True),
    ("0086-13877712345", "13877712345", True), ("0777-2821234", "07772821234", True),
    ("010-88888888", "01088888888", True), ("（0771）5888888", "07715888888", True),
    ("0777-282123", "0777282123", False), ("0777-1821234", "07771821234", False),
    ("12345678901", "12345678901", False), ("138777123456", "138777123456", False),
    ("110", "110", False),
])
def test_telephone_numbers_mobile_or_landline(typed, key, ok):
    assert normalize_phone(typed) == key
    assert (check_tel(key) is None) is ok
    assert VALIDATORS["tel"]("0777-2821234", None) is None and VALIDATORS["tel"]("0777-28", None)


def test_id_numbers_normalized_and_their_region_named():
    assert normalize_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert normalize_id_number("４５０７０２-19900307-1230") == "450702199003071230"
    table = RegionTable(forms_dir())
    # GB 11643's own examples: 北京市朝阳区; 440524 (潮阳县, withdrawn before 2002): its prefecture
    assert table.region("11010519491231002X") == "北京市朝阳区"
    assert table.region("440524188001010014") == "广东省汕头市"
    assert table.level("440524188001010014") == "prefecture"
    assert table.region("450702199003071230") == "广西壮族自治区钦州市钦南区"
    assert table.region("429004199001011234") == "湖北省仙桃市"  # 省直辖县级市: no prefecture
    assert table.region("450104199001011234") == "广西壮族自治区南宁市城北区"  # 旧: withdrawn 2004
    assert table.region("422100199001011234") == "湖北省"  # 黄冈地区 of before 2002: the province
    assert table.region("990101199001011234") is None and table.region("") is None
    assert table.level("990101199001011234") == "none"
