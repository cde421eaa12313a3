"""opcheck.finalize_hash: the desktop's finalized_hash (core/records.py) of a pushed finalize,
its canonical JSON by weicha_server/fastjson.py — the same hash for every payload."""
from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings, strategies as st

from weicha_desktop.core.records import finalized_hash
from weicha_server import opcheck

from tests.server_support import closes_laptops, laptop  # noqa: F401
from tests.test_server_fastjson import ODD_FLOATS, VALUES


@pytest.fixture(scope="module")
def finalize(tmp_path_factory):
    lt = laptop(tmp_path_factory.mktemp("fin") / "a")
    lt.new_case(1, finalize=True)
    env = next(e for e in lt.envelopes() if e["op"] == "case.finalize")
    lt.store.close()
    return env


def reference(env) -> str:
    p = env["payload"]
    return finalized_hash({
        "record_id": p["case_id"], "kind": p["kind"], "version": p["version"], "form_id": p["form"][0],
        "form_version": p["form"][1], "data": p["data"], "amends_id": p.get("amends_id"),
        "amend_reason": p.get("amend_reason"), "finalized_at": p["finalized_at"],
        "finalized_by": p["finalized_by"], "manifest": p["manifest"]})


def test_a_real_finalize_hashes_as_the_desktop_hashed_it(finalize):
    assert opcheck.finalize_hash(finalize) == reference(finalize) == finalize["payload"]["content_hash"]


@settings(max_examples=40)
@given(value=VALUES, odd=st.sampled_from(ODD_FLOATS), where=st.sampled_from(["data", "manifest", "amend_reason"]))
def test_any_data_and_manifest_hash_as_the_desktop_hashes_them(finalize, value, odd, where):
    env = copy.deepcopy(finalize)
    p = env["payload"]
    p[where] = {"x": value, "lat": odd} if where == "data" else [value, odd] if where == "manifest" else value
    try:
        want = reference(env)
    except Exception as e:  # noqa: BLE001 — the reference's error is the expected outcome
        with pytest.raises(type(e)):
            opcheck.finalize_hash(env)
        return
    assert opcheck.finalize_hash(env) == want


@pytest.mark.parametrize("where,text", [("data", '{"b": 1, "a": [1e16]}'), ("manifest", "[]"), ("manifest", None)])
def test_data_or_manifest_as_json_text_or_none_hash_as_the_desktop_hashes_them(finalize, where, text):
    env = copy.deepcopy(finalize)
    env["payload"][where] = text
    assert opcheck.finalize_hash(env) == reference(env)
