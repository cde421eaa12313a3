"""The key a check looks up: an ID number or a plate as typed, pasted, scanned or decoded,
made into the one spelling the watch lists are stored under (docs/checks.md).

- ID number (居民身份证号): full-width digits made ASCII, spaces and hyphens dropped, a
  lower-case x made X; a first-generation 15-digit number becomes its 18-digit form (``19``
  inserted, check character computed). Then the GB 11643 check (core/forms/validators.py).
- Plate (号牌): full-width letters and digits made ASCII, spaces, ``·``, ``.`` and hyphens
  dropped, upper-case. Then the plate check of the forms.

``person_key`` / ``vehicle_key`` return the key or raise ``BadKey`` (its message in Chinese,
what is wrong and what to do). ``read_key(text)`` guesses which of the two a scanned or
pasted text is (a QR code's text may hold more than the number: the first number or plate
in it is taken). The spelling is that of the 采集 records (core/forms/identity.normalize_id_number,
core/forms/plates.normalize_plate), so a key found in a list is the key a record stores."""
from __future__ import annotations

import re
from datetime import date

from weicha_desktop.core.errors import WeichaError, shorten
from weicha_desktop.core.forms.identity import normalize_id_number
from weicha_desktop.core.forms.plates import PROVINCES, normalize_plate, plate
from weicha_desktop.core.forms.validators import id_card, id_check_char
from weicha_desktop.core.messages import Msg

PERSON, VEHICLE = "person", "vehicle"
KINDS = (PERSON, VEHICLE)
KIND_WORDS = {PERSON: "身份证号", VEHICLE: "号牌"}
MAX_INPUT = 200  # characters: a scanner or a paste gives more only by mistake

_ID_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
_SEPARATORS = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]+")
_PLATE_IN_TEXT = re.compile(rf"[{PROVINCES}][A-Z][·.\s-]?[A-Z0-9]{{4,6}}[挂学警港澳]?")


class BadKey(WeichaError):
    """Input that is not an ID number or plate (nothing is looked up or logged); raised with a
    ``Msg`` (core/messages.py: its Chinese text, the window shows it in its language) or, for
    the image a code is read from, a plain Chinese text."""


def _clean(text: object) -> str:
    if not isinstance(text, str):
        raise BadKey(Msg("check.empty"))
    if len(text) > MAX_INPUT:
        raise BadKey(Msg("check.too_long", n=len(text)))
    # a scanned or pasted text's line breaks and tabs separate its parts (姓名:张三\n身份证:…):
    # spaces here; any other control character is refused below
    text = _SEPARATORS.sub(" ", text).strip()  # the normalizers make full-width ASCII (NFKC)
    if not text:
        raise BadKey(Msg("check.empty"))
    if not text.isprintable():
        raise BadKey(Msg("check.control"))
    return text


def person_key(text: object, today: date) -> str:
    """The ID number ``text`` stands for (18 characters), or BadKey."""
    value = normalize_id_number(_clean(text))
    if len(value) == 15 and value.isascii() and value.isdigit():
        value = id_18(value)
    problem = id_card(value, today)
    if problem:
        raise BadKey(Msg("check.bad_id", value=value[:24], problem=problem))
    return value


def id_18(old: str) -> str:
    """A first-generation 15-digit ID number in its 18-digit form (born 19xx)."""
    first17 = old[:6] + "19" + old[6:]
    return first17 + id_check_char(first17)


def vehicle_key(text: object) -> str:
    """The plate ``text`` stands for, or BadKey."""
    value = normalize_plate(_clean(text))
    problem = plate(value)
    if problem:
        raise BadKey(Msg("check.bad_plate", value=value[:24], problem=problem))
    return value


def key_for(kind: str, text: object, today: date) -> str:
    if kind == PERSON:
        return person_key(text, today)
    if kind == VEHICLE:
        return vehicle_key(text)
    raise BadKey(Msg("check.bad_kind", kind=shorten(repr(kind), 24)))


def read_key(text: object, today: date) -> tuple[str, str]:
    """``(kind, key)`` for a text of unknown kind (a scanner, a paste, a decoded code): the
    whole text as an ID number, else as a plate, else the first ID number or plate in it."""
    cleaned = _clean(text)
    for kind in KINDS:
        try:
            return kind, key_for(kind, cleaned, today)
        except BadKey:
            pass
    upper = cleaned.upper()
    found = [(m.start(), PERSON, m.group(1)) for m in _ID_IN_TEXT.finditer(upper)]
    found += [(m.start(), VEHICLE, m.group(0)) for m in _PLATE_IN_TEXT.finditer(upper)]
    for _, kind, candidate in sorted(found):
        try:
            return kind, key_for(kind, candidate, today)
        except BadKey:
            continue
    raise BadKey(Msg("check.unreadable", text=cleaned[:40]))
