"""Hostile tester (issue 13): an ID number whose province (first two digits) is in no edition of
forms/choices/regions.tsv, or born before 1900, is refused however well its check character is
built; a withdrawn county code (the person keeps it) is accepted."""
from datetime import date

import pytest

from weicha_desktop.core.collect.regions import RegionTable
from weicha_desktop.core.forms.validators import ID_PROVINCES, id_card, id_check_char

from tests.support import forms

TODAY = date(2026, 11, 27)


def built(first17: str) -> str:
    return first17 + id_check_char(first17)


@pytest.mark.parametrize("first17, fragment", [
    ("00000019900101001", "前6位 000000 不是有效的地区代码"),
    ("99999919900101001", "没有代码为 99 的省级地区"),
    ("19010119900101001", "前6位 190101"),
    ("11010518000101001", "早于1900年：18000101"),
    ("11010518991231001", "早于1900年"),
])
def test_an_unknown_region_or_a_birth_before_1900_is_refused(first17, fragment):
    assert fragment in str(id_card(built(first17), TODAY))


@pytest.mark.parametrize("first17", [
    "45070219000101001",   # 1900: accepted
    "11010319800101001",   # 110103 北京市崇文区, withdrawn in 2010
    "45279819800101001",   # a county code the table never held: its province counts
    "81000019900101001",   # 港澳台居民居住证: a Hong Kong resident's
    "82000019900101001",   # a Macao resident's
    "83000019900101001",   # a Taiwan resident's (830000, not the 71 of 台湾省)
])
def test_real_and_withdrawn_codes_are_accepted(first17):
    assert id_card(built(first17), TODAY) is None


def test_the_provinces_are_those_of_the_region_table():
    names = RegionTable(forms().forms_dir).names
    assert ID_PROVINCES == {code[:2] for code in names if code.endswith("0000")}
