import shutil
import json
import sqlite3

import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.demo import scene_values
from weicha_desktop.core.errors import (FinalizeBlocked, InvalidState, PermissionDenied,
                                        ValidationFailed, WeichaError)
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import verify
from weicha_desktop.resources import forms_dir

from tests.support import PASSWORD, UNIT, new_store, raw_writes, values_as
from tests.support import forms as shipped_forms


@pytest.fixture
def env(tmp_path):
    store = new_store(tmp_path)
    users = UserService(store)
    admin = users.authenticate("admin", PASSWORD)
    tech = users.add(admin, "李明", "technician", "tech-pass", badge_no="200020")
    boss = users.add(admin, "周建国", "supervisor", "boss-pass", badge_no="200021")
    forms = shipped_forms()
    yield store, CaseService(store, forms, tech), CaseService(store, forms, boss)
    store.close()


def _counts(store):
    return {t: store.db[t].count for t in ("audit_log", "outbox", "record_versions")}


def test_new_case_gets_a_number_and_writes_record_audit_and_outbox_together(env):
    store, cases, _ = env
    before = _counts(store)
    case = cases.new_case()
    assert case.number == f"K{UNIT}2026110001" and case.data["case_number"] == case.number
    assert case.status == "draft" and case.version == 1
    after = _counts(store)
    assert {k: after[k] - before[k] for k in after} == {"audit_log": 1, "outbox": 1, "record_versions": 1}
    entry = store.audit_entries()[-1]
    assert entry.action == "case.create" and entry.user_name == "李明" and case.number in entry.summary
    assert store.pending_outbox()[-1]["payload"]["number"] == case.number
    assert cases.new_case().number == f"K{UNIT}2026110002"


def test_draft_update_refuses_wrong_formats_but_not_missing_fields(env):
    store, cases, _ = env
    case = cases.new_case()
    witness = dict(scene_values(1)["witnesses"][0])
    witness["id_number"] = witness["id_number"][:-1] + ("1" if witness["id_number"][-1] != "1" else "2")
    before = _counts(store)
    with pytest.raises(ValidationFailed) as err:
        cases.update(case.id, {"witnesses": [witness], "humidity": 140})
    paths = {p.path for p in err.value.problems}
    assert paths == {"witnesses[0].id_number", "humidity"}
    assert any("校验" in p.message for p in err.value.problems)
    assert _counts(store) == before  # nothing half-saved
    updated = cases.update(case.id, {"scene_address": "钦州市钦南区文峰路1号"})
    assert updated.data["scene_address"] == "钦州市钦南区文峰路1号"
    assert cases.list(text="文峰路")[0]["address"] == "钦州市钦南区文峰路1号"
    with pytest.raises(ValidationFailed, match="由系统填写"):
        cases.update(case.id, {"case_number": "K0"})


def test_finalize_is_blocked_with_the_list_then_locks_and_hashes(env):
    store, cases, _ = env
    case = cases.new_case()
    with pytest.raises(FinalizeBlocked) as err:
        cases.finalize(case.id)
    rules = {p.rule for p in err.value.problems}
    assert {"bicai", "witness"} <= rules  # 勘验人员: the user who made it (prefill.py)
    assert any(p.path == "scene_address" for p in err.value.problems)
    values = scene_values(5)
    values["evidence"][0]["comparison_status"] = "not_sent"
    cases.update(case.id, values)
    with pytest.raises(FinalizeBlocked) as err:
        cases.finalize(case.id)
    assert [p.rule for p in err.value.problems] == ["bibi"]
    assert err.value.problems[0].path == "evidence[0].comparison_status"
    cases.update(case.id, {"evidence": [dict(values["evidence"][0], comparison_status="submitted")]
                           + values["evidence"][1:]})
    done = cases.finalize(case.id)
    assert done.status == "finalized" and done.locked and len(done.content_hash) == 64
    assert store.audit_entries()[-1].details["content_hash"] == done.content_hash
    with pytest.raises(InvalidState, match="补正"):
        cases.update(case.id, {"remarks": "改一下"})
    with pytest.raises(sqlite3.IntegrityError, match="已定稿"), raw_writes(store):
        store.conn.execute("UPDATE record_versions SET data = '{}' WHERE id = ?", (done.version_id,))
    with pytest.raises(sqlite3.IntegrityError, match="不能删除"), raw_writes(store):
        store.conn.execute("DELETE FROM cases WHERE id = ?", (done.id,))
    assert verify(store).ok


def test_evidence_rows_get_h_numbers_and_forged_numbers_are_refused(env):
    _, cases, _ = env
    values = scene_values(2)
    case = cases.new_case({"evidence": values["evidence"]})
    numbers = [row["number"] for row in case.data["evidence"]]
    assert all(n.startswith(f"H{UNIT}202611") and len(n) == 23 for n in numbers)
    assert len(set(numbers)) == len(numbers)
    more = case.data["evidence"] + [dict(values["evidence"][0], number=None)]
    again = cases.update(case.id, {"evidence": more})
    assert [r["number"] for r in again.data["evidence"]][:-1] == numbers
    assert again.data["evidence"][-1]["number"] not in numbers
    with pytest.raises(ValidationFailed, match="编号由系统生成"):
        cases.update(case.id, {"evidence": [dict(values["evidence"][0], number=f"H{UNIT}2026119999")]})


def _finalized(cases, seed=9):
    case = cases.new_case(scene_values(seed))
    return cases.finalize(case.id)


def test_amend_makes_a_new_linked_version_with_a_reason(env):
    store, cases, _ = env
    v1 = _finalized(cases)
    with pytest.raises(WeichaError, match="原因"):
        cases.amend(v1.id, "  ")
    v2 = cases.amend(v1.id, "发案地点门牌号有误")
    assert (v2.version, v2.status, v2.amends_id, v2.amend_reason) == (2, "draft", v1.version_id, "发案地点门牌号有误")
    assert v2.data == v1.data and not v2.locked
    cases.update(v2.id, {"scene_address": "钦州市钦南区人民路2号"})
    assert cases.get(v1.id, version=1).data["scene_address"] == v1.data["scene_address"]
    assert cases.get(v1.id, version=1).content_hash == v1.content_hash
    assert [h["version"] for h in cases.history(v1.number)] == [1, 2]
    assert store.audit_entries()[-2].action == "case.amend"
    with pytest.raises(InvalidState, match="无需补正"):
        cases.amend(v1.id, "再补")


def test_review_approve_and_return(env):
    store, cases, review = env
    a = _finalized(cases, 1)
    b = _finalized(cases, 2)
    with pytest.raises(PermissionDenied):
        cases.review(a.id, approve=True)
    with pytest.raises(WeichaError, match="写明"):
        review.review(b.id, approve=False, comment="")
    assert review.review(a.id, approve=True, comment="符合要求").status == "reviewed"
    returned = review.review(b.id, approve=False, comment="请补充现场访问情况")
    assert (returned.status, returned.version, returned.status_label) == ("draft", 2, "退回补正")
    assert returned.returned_comment == "请补充现场访问情况"
    assert returned.amend_reason.startswith("审核退回")
    listed = cases.list()
    assert listed[0]["id"] == b.id  # returned cases come first for the technician
    assert [r["id"] for r in cases.list(status="returned")] == [b.id]
    with pytest.raises(InvalidState):
        review.review(b.id, approve=True)  # a draft cannot be reviewed
    again = cases.finalize(b.id)
    assert again.status == "finalized" and again.returned_comment is None
    ops = [r["op"] for r in store.pending_outbox()]
    assert ops.count("case.review") == 2 and "case.amend" in ops
    assert verify(store).ok


def test_a_newer_form_version_still_opens_older_records(env, tmp_path):
    import re

    store, cases, _ = env
    old = cases.new_case({"remarks": "旧版表单"})
    current = cases.forms.latest("scene_investigation").version
    newer = tmp_path / "forms"
    shutil.copytree(forms_dir(), newer)
    shutil.copy(newer / "scene_investigation.yaml",
                newer / "archive" / f"scene_investigation.v{current}.yaml")
    text = (newer / "scene_investigation.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^version: \d+", f"version: {current + 1}", text, count=1).replace(
        "      - id: remarks\n        type: textarea",
        "      - id: weather_source\n        type: text\n        label: {zh: 气象来源, en: Weather source}\n"
        "      - id: remarks\n        type: textarea", 1)
    (newer / "scene_investigation.yaml").write_text(text, encoding="utf-8")
    svc = CaseService(store, FormRegistry(newer), cases.actor)
    assert svc.forms.latest("scene_investigation").version == current + 1
    reopened = svc.get(old.id)
    assert svc.spec_for(reopened).version == current and reopened.data["remarks"] == "旧版表单"
    svc.update(old.id, {"remarks": "仍按原版表单校验"})
    with pytest.raises(ValidationFailed, match="未知字段"):
        svc.update(old.id, {"weather_source": "气象台"})
    fresh = svc.new_case({"weather_source": "气象台"})
    assert fresh.form_version == current + 1


def test_records_of_form_version_1_still_open_check_and_finalize(env):
    """Cases captured before 附件4 was added (form v1) keep their version and its rules."""
    store, cases, _ = env
    v1 = cases.forms.get("scene_investigation", 1)
    case = cases.new_case(scene_values(8))
    with raw_writes(store):  # as captured then: v1 stored the Chinese words (values_as)
        store.conn.execute("UPDATE record_versions SET form_version = 1, data = ? WHERE record_id = ?",
                           (json.dumps(values_as(v1, case.data), ensure_ascii=False), case.id))
    reopened = cases.get(case.id)
    assert cases.spec_for(reopened) == v1
    with pytest.raises(ValidationFailed, match="未知字段"):
        cases.update(case.id, {"analyst": "李明"})  # a v2 field
    assert cases.finalize(case.id).form_version == 1
