"""One write made cheaper without changing what it accepts (docs/performance.md, "One write"):
the op payload check answered by a compiled validator, ``jsonschema`` judging the rest."""
from __future__ import annotations

from unittest import mock

import jsonschema_rs
from hypothesis import given, settings

from weicha_desktop.core import ops

from tests.test_server_opcheck import BASES, mutated


def verdict(check, payload) -> str | None:
    try:
        check(payload)
    except ops.PayloadError as e:
        return str(e)
    return None


@settings(max_examples=100, derandomize=True, deadline=None)
@given(mutated())
def test_check_says_what_jsonschema_alone_says_and_the_compiled_one_is_never_more_lenient(case):
    spec, payload = case
    judged = verdict(spec.judge, payload)
    try:
        fast_ok = jsonschema_rs.Draft202012Validator(dict(spec.schema)).is_valid(payload)
    except Exception:  # noqa: BLE001 — a value it cannot take: the judge decides
        fast_ok = False
    assert not (fast_ok and judged is not None), (spec.name, payload, judged)
    assert verdict(spec.check, payload) == judged


def test_a_payload_the_compiled_validator_accepts_never_reaches_jsonschema():
    with mock.patch.object(ops.OpSpec, "judge", side_effect=AssertionError("judged")):
        for spec, payload in BASES:
            spec.check(payload)


def test_a_refused_payload_is_judged_and_named_as_before():
    spec = ops.OP_BY_NAME["case.review"]
    payload = next(p for s, p in BASES if s is spec)
    with mock.patch.object(ops.OpSpec, "judge", wraps=spec.judge) as judge:
        assert "version" in verdict(spec.check, dict(payload, version=True))
    judge.assert_called_once()
    # what only Python's ``$`` lets through (a trailing newline) is still accepted, as before
    photo = ops.OP_BY_NAME["photo.add"]
    base = next(p for s, p in BASES if s is photo)
    assert verdict(photo.check, dict(base, sha256="0" * 64 + "\n")) is None
