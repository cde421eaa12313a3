"""Hostile tester (issue 13): a scanned or pasted text's line breaks and tabs are separators (a
QR code's 姓名:张三\\n身份证:…\\n is read), any other control character is still refused."""
from datetime import date

import pytest

from weicha_desktop.core.checks.keys import PERSON, VEHICLE, BadKey, person_key, read_key

TODAY = date(2026, 11, 27)
ID = "11010519491231002X"


@pytest.mark.parametrize("text, expected", [
    (f"姓名:张三\n身份证:{ID}\n", (PERSON, ID)),
    (f"姓名:张三\r\n身份证:{ID}\r\n", (PERSON, ID)),
    (f"姓名\t张三\t{ID}", (PERSON, ID)),
    (f"{ID}\u2028", (PERSON, ID)),
    ("车辆\n号牌:桂A12345\n", (VEHICLE, "桂A12345")),
])
def test_line_breaks_and_tabs_separate(text, expected):
    assert read_key(text, TODAY) == expected


def test_a_number_ending_in_a_newline_is_the_number():
    assert person_key(ID + "\n", TODAY) == ID


@pytest.mark.parametrize("text", [f"姓名:张三\x00{ID}", f"{ID}\x1b[31m", f"\x07{ID}"])
def test_other_control_characters_are_refused(text):
    with pytest.raises(BadKey, match="控制字符"):
        read_key(text, TODAY)
