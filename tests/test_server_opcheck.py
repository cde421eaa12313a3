"""The server's payload check (weicha_server/opcheck.py, issue 11 S5): a compiled validator
(jsonschema_rs) answers first, ``jsonschema`` (``OpSpec.judge``, the desktop's reference
verdict) judges whatever it does not accept. The server must accept exactly what ``jsonschema``
accepts: compared on every registered op's payload, mutated at random."""
from __future__ import annotations

import copy
import functools
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weicha_desktop.core import ops
from weicha_server import opcheck

from tests.outbox_support import example

SHA = "0" * 64
# values that sit on the edges of the schemas' keywords: types, integer-valued floats,
# huge integers, empty and near-miss strings (a hash with a newline: Python's ``$`` matches
# before it), containers of the wrong kind
TRICKY = [None, True, False, 0, 1, -1, 1.0, 1.5, 2 ** 70, -(2 ** 70), 1e300, "", "x", SHA,
          SHA + "\n", SHA.upper(), "\x00", "2026-11-27T09:00:00+08:00", [], [SHA], ["x", 1],
          [{"id": "x", "position": 1}], {}, {"id": "x"}, "approved", "draft"]


def full(schema: dict[str, Any], value: str) -> Any:
    """Like outbox_support.example, with every optional key too (nested objects likewise)."""
    if schema.get("type") == "object" or "properties" in schema:
        return {k: full(s, value) for k, s in schema.get("properties", {}).items()}
    if "anyOf" in schema:
        return full(schema["anyOf"][-1], value)
    if schema.get("type") == "array" and "items" in schema and not schema.get("prefixItems"):
        return [full(schema["items"], value)]
    return example(schema, value)


def reference(spec: ops.OpSpec, payload: Any) -> str | None:
    try:
        spec.judge(payload)  # jsonschema alone: ``check`` has a compiled validator in front of it too
    except ops.PayloadError as e:
        return str(e)
    return None


def server(spec: ops.OpSpec, payload: Any) -> str | None:
    try:
        opcheck.check_payload(spec, payload)
    except ops.PayloadError as e:
        return str(e)
    return None


def paths(value: Any, at: tuple = ()) -> list[tuple]:
    """Every place in ``value`` a mutation can touch (the root included)."""
    out = [at]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, at + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, at + (i,))
    return out


def mutate(value: Any, at: tuple, how: str, new: Any) -> Any:
    if not at:
        return new if how == "set" else value
    out = copy.deepcopy(value)
    parent = out
    for key in at[:-1]:
        parent = parent[key]
    if how == "delete":
        del parent[at[-1]]
    elif how == "extra" and isinstance(parent, dict):
        parent[f"{at[-1]}_extra"] = new
    else:
        parent[at[-1]] = new
    return out


BASES = [(spec, base) for spec in ops.OPS for base in (example(spec.schema, "x"), full(spec.schema, "x"))]


# built once (a strategy made inside the draw is built and labelled again every example)
BASE, HOW, NEW = st.sampled_from(BASES), st.sampled_from(["set", "delete", "extra"]), st.sampled_from(TRICKY)


@st.composite
def mutated(draw):
    spec, payload = draw(BASE)
    for _ in range(draw(st.integers(1, 3))):
        places = paths(payload)
        at = places[draw(st.integers(0, len(places) - 1))]  # as sampled_from(places) draws
        payload = mutate(payload, at, draw(HOW), draw(NEW))
    return spec, payload


def test_the_examples_are_valid_so_the_mutations_start_from_accepted_payloads():
    for spec, payload in BASES:
        assert reference(spec, payload) is None and server(spec, payload) is None, spec.name


@functools.cache
def compiled(name: str):
    """The op's schema compiled by jsonschema_rs alone, once an op (not once an example)."""
    return jsonschema_rs.Draft202012Validator(dict(ops.OP_BY_NAME[name].schema))


@settings(max_examples=400, derandomize=True, deadline=None)
@given(mutated())
def test_the_server_accepts_exactly_what_jsonschema_accepts_and_says_why_the_same(case):
    spec, payload = case
    fast = compiled(spec.name)
    said = reference(spec, payload)
    try:
        fast_ok = fast.is_valid(payload)
    except Exception:  # noqa: BLE001 — a value it cannot take: jsonschema decides
        fast_ok = False
    assert not (fast_ok and said is not None), (spec.name, payload, said)  # never more lenient
    assert server(spec, payload) == said  # the same verdict, the same message


@pytest.mark.parametrize("value, accepted", [
    (1, True), (1.0, True), (2 ** 70, True),  # JSON Schema's integers: whole numbers, any size
    (True, False), (0, False), (1.5, False), ("1", False)])
def test_edge_values_of_a_count_are_judged_as_jsonschema_judges_them(value, accepted):
    spec = ops.OP_BY_NAME["case.review"]
    payload = dict(example(spec.schema, "x"), version=value)
    assert (server(spec, payload) is None) is accepted is (reference(spec, payload) is None)
    if not accepted:
        assert "version" in server(spec, payload)  # named where, as the desktop names it


def test_a_photo_hash_with_a_trailing_newline_is_refused_not_left_waiting():
    """jsonschema's pattern ``^…$`` lets "<hash>\\n" through (Python's ``$``); the server
    refuses it (a photo.add naming an original no upload can ever deliver would wait forever)."""
    spec = ops.OP_BY_NAME["photo.add"]
    payload = dict(example(spec.schema, "p1"), sha256=SHA + "\n")
    assert reference(spec, payload) is None  # the schema alone lets it through
    env = {"op": "photo.add", "entity_kind": "photo", "entity_id": "p1",
           "payload_version": spec.payload_version, "payload": payload}
    assert opcheck.problem(env)[0] == "bad_payload"
    assert opcheck.problem(dict(env, payload=dict(payload, sha256=SHA))) is None
