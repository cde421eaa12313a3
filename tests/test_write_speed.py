"""One write made cheaper without changing what it accepts (docs/performance.md, "One write"):
the op payload check answered by a compiled validator, ``jsonschema`` judging the rest."""
from __future__ import annotations

import importlib
from pathlib import Path
from unittest import mock

import jsonschema_rs
from hypothesis import given, settings

from weicha_desktop.core import ops

from tests.forked_programs import start
from tests.test_server_opcheck import BASES, mutated


def verdict(check, payload) -> str | None:
    try:
        check(payload)
    except ops.PayloadError as e:
        return str(e)
    return None


@settings(max_examples=60, derandomize=True, deadline=None)
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


def test_a_valid_draft_is_validated_without_making_a_single_message():
    """A Msg renders its text when made: names are made only for a problem (forms/validate.py)."""
    from weicha_desktop.core.demo import scene_values
    from weicha_desktop.core.forms import validate

    validate_module = importlib.import_module("weicha_desktop.core.forms.validate")  # not the function

    from tests.support import fixed_clock, forms

    spec, data = forms().latest("scene_investigation"), scene_values(3)
    made = []
    real = validate_module.Msg

    def counted(*args, **kwargs):
        made.append(args[0])
        return real(*args, **kwargs)

    with mock.patch.object(validate_module, "Msg", side_effect=counted):
        assert validate(spec, data, clock=fixed_clock()) == []
        assert made == []
        data["evidence"] = [*data["evidence"], {**data["evidence"][0], "number": 5, "bogus": 1}]
        data["witnesses"][0]["id_number"] = "x"
        data["scene_location"] = {"lat": 91, "lon": 108}
        said = {p.path: str(p.message) for p in validate(spec, data, clock=fixed_clock())}
    n = len(data["evidence"])  # each problem names its row (the n-th, not the last made)
    assert said == {f"evidence[{n - 1}].number": f"痕迹物证 第{n}行 编号：应为文字",
                    f"evidence[{n - 1}].bogus": f"痕迹物证 第{n}行：未知字段“bogus”",
                    "witnesses[0].id_number": "见证人 第1行 身份证号：应为18位（现为1位）",
                    "scene_location.lat": "现场坐标 纬度：应在 -90 到 90 之间"}


def test_the_registry_and_a_valid_payload_need_no_jsonschema(monkeypatch):
    """jsonschema (~60 ms to import) only judges what the compiled validator refuses: a
    process's first change (a login, a CLI command) no longer waits for it. (In a program
    forked from tests/forked_programs.py's parent: what it pre-imported, weicha_desktop.core.ops
    and the CLI among them, is in its sys.modules too, so an import of jsonschema there fails
    this as well.)"""
    code = ("import sys; from weicha_desktop.core import ops; from tests.outbox_support import example; "
            "spec = ops.OP_BY_NAME['case.review']; spec.check(example(spec.schema, 'x')); "
            "print('jsonschema' in sys.modules)")
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    out = start(code)
    assert out.wait(60) == 0 and out.stdout().strip() == "False", out.output()
