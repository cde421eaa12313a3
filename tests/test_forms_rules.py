"""一长四必 rules declared in the scene form: each one fires and clears."""
from pathlib import Path

import pytest
from test_forms_validate import good_record

from weicha_desktop.core.forms import check_rules, load_form

FORMS = Path(__file__).parents[1] / "forms"
ALL_CLASSES = {"photo_count": 24, "photo_classes": ["方位", "概貌", "重点部位", "细目"]}


@pytest.fixture(scope="module")
def spec():
    return load_form(FORMS / "scene_investigation.yaml")


def fired(spec, record, facts=ALL_CLASSES):
    return {(p.rule, p.path): p.message for p in check_rules(spec, record, facts)}


def test_good_record_passes_every_rule(spec):
    assert check_rules(spec, good_record(), ALL_CLASSES) == []


def test_bicai_evidence_or_reason(spec):
    record = good_record()
    record["evidence"] = []
    assert fired(spec, record) == {
        ("bicai", "evidence"): "未提取痕迹物证，须登记物证或填写未提取原因"}
    record["no_evidence_reason"] = "现场经雨水冲刷，未发现可提取痕迹"
    assert fired(spec, record) == {}


def test_witness_or_reason(spec):
    record = good_record()
    del record["witnesses"]
    assert fired(spec, record) == {
        ("witness", "witnesses"): "无见证人，须登记见证人或填写无见证人原因"}
    record["no_witness_reason"] = "  "
    assert ("witness", "witnesses") in fired(spec, record)
    record["no_witness_reason"] = "深夜勘验，邻居均外出"
    assert fired(spec, record) == {}


def test_bibi_points_at_each_row_not_yet_submitted(spec):
    record = good_record()
    first = record["evidence"][0]
    record["evidence"] = [dict(first), dict(first, comparison_status="not_sent"),
                          dict(first, comparison_status=None)]
    assert fired(spec, record) == {
        ("bibi", "evidence[1].comparison_status"): "第2件物证尚未送检比对（必比）",
        ("bibi", "evidence[2].comparison_status"): "第3件物证尚未送检比对（必比）",
    }
    for row in record["evidence"]:
        row["comparison_status"] = "no_match"
    assert fired(spec, record) == {}


def test_a_match_needs_its_result(spec):
    record = good_record()
    record["evidence"][0].update(comparison_status="match", compared_on="2026-12-01")
    assert fired(spec, record) == {("bizhong_result", "evidence[0].comparison_result"):
                                   "第1件物证已比中，须填写比对结果"}
    record["evidence"][0]["comparison_result"] = "比中前科人员覃某右手拇指"
    assert fired(spec, record) == {}


def test_investigation_must_end_after_it_starts(spec):
    record = good_record()
    record["ended_at"] = record["started_at"]
    assert fired(spec, record) == {("time_order", "ended_at"): "勘验结束时间须晚于开始时间"}
    record["ended_at"] = "2026-11-27T02:00:00Z"       # 10:00 Beijing time: after 09:40
    assert fired(spec, record) == {}
    record["ended_at"] = "2026-11-27T01:00:00Z"       # 09:00 Beijing time: before
    assert ("time_order", "ended_at") in fired(spec, record)
    del record["ended_at"]                            # missing: the required check reports it
    assert fired(spec, record) == {}


def test_incident_range_must_not_run_backwards(spec):
    record = good_record()
    record["occurred_to"] = "2026-11-26T21:59:00+08:00"
    assert fired(spec, record) == {
        ("occurred_order", "occurred_to"): "发案时间（止）不能早于发案时间（起）"}
    record["occurred_to"] = record["occurred_from"]
    assert fired(spec, record) == {}


@pytest.mark.parametrize("rule, photo_class", [
    ("photo_fangwei", "方位"), ("photo_gaimao", "概貌"),
    ("photo_zhongdian", "重点部位"), ("photo_ximu", "细目"),
])
def test_each_photo_class_is_needed_once_there_are_photos(spec, rule, photo_class):
    classes = [c for c in ALL_CLASSES["photo_classes"] if c != photo_class]
    facts = {"photo_count": 3, "photo_classes": classes}
    assert fired(spec, good_record(), facts) == {(rule, ""): f"缺少{photo_class}照片"}
    assert fired(spec, good_record(), {"photo_count": 0, "photo_classes": []}) == {}


def test_photo_rules_wait_for_photos(spec):
    assert fired(spec, good_record(), None) == {}
    assert len(fired(spec, good_record(), {"photo_count": 1, "photo_classes": []})) == 4


def test_at_least_one_investigator(spec):
    record = good_record()
    record["investigators"] = []
    assert fired(spec, record) == {("investigators", "investigators"): "至少登记一名勘验人员"}


def test_rules_ignore_rows_of_the_wrong_shape(spec):
    record = good_record()
    record["evidence"] = ["not a row"]
    assert ("bibi", "evidence[0].comparison_status") not in fired(spec, record)
