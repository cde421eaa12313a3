"""The real scene form loads and has the shape DOMAIN.md describes."""
from pathlib import Path

import pytest

from weicha_desktop.core.forms import Label, default_values, load_form

FORMS = Path(__file__).parents[1] / "forms"


@pytest.fixture(scope="module")
def spec():
    return load_form(FORMS / "scene_investigation.yaml")


def test_identity(spec):
    assert (spec.id, spec.version, spec.stores_codes) == ("scene_investigation", 4, True)
    assert spec.title == Label("现场勘验检查笔录", "Scene Investigation Record")
    assert spec.title["zh"] == spec.title.zh and spec.title.text("en").startswith("Scene")


def test_sections_in_print_order(spec):
    assert [s.title.zh for s in spec.sections] == [
        "笔录头", "勘验事由", "勘验时间与地点", "现场保护", "勘验条件", "现场勘验情况",
        "图像资料", "参加人员", "提取痕迹物证登记表（附件1）", "备注", "现场勘验情况分析（附件4）"]
    assert all(s.title.en for s in spec.sections)


def test_every_label_is_bilingual(spec):
    def walk(fields):
        for f in fields:
            yield f
            yield from walk(f.fields)
    for field in walk(spec.all_fields()):
        assert field.label.zh and field.label.en, field.id
        assert all(c.label.zh and c.label.en for c in field.choices), field.id


def test_header_and_narrative_fields(spec):
    case_number = spec.field("case_number")
    assert case_number.readonly and case_number.required and case_number.type == "text"
    assert [f.label.zh for f in spec.section_of("narrative_overview").fields] == [
        "现场方位", "现场概貌", "中心现场", "勘验过程", "提取情况", "周边搜索", "现场访问"]


def test_shared_and_inline_choice_lists(spec):
    assert spec.field("case_type").choice_values == (
        "burglary", "vehicle_theft", "ebike_theft", "bicycle_theft", "pickpocketing", "robbery",
        "snatching", "criminal_damage", "fraud", "assault", "arson", "other")
    assert [c.label.zh for c in spec.field("case_type").choices] == [
        "入室盗窃", "盗窃机动车", "盗窃电动车", "盗窃非机动车", "扒窃", "抢劫", "抢夺",
        "故意毁坏财物", "诈骗", "故意伤害", "放火", "其他"]
    assert len(spec.field("wind_direction").choices) == 9
    assert spec.field("weather").other_key == "weather_other"
    assert spec.field("protection_measures").type == "multichoice"
    category = spec.field("evidence[0].category")
    assert "biological" in category.choice_values
    assert category.choice_label("biological") == "生物检材（DNA）"
    assert category.code_of("生物检材（DNA）") == "biological"


def test_units_and_constraints(spec):
    temperature = spec.field("temperature")
    assert (temperature.unit, temperature.constraint.min, temperature.constraint.max) == \
        ("℃", -50, 60)
    assert spec.field("humidity").unit == "%"
    assert [spec.field(f).unit for f in ("sketch_count", "photo_total", "video_minutes",
                                          "audio_minutes")] == ["张", "张", "分钟", "分钟"]


def test_person_fields(spec):
    assert [f.id for f in spec.field("reporter").fields] == ["name", "phone"]
    assert [f.id for f in spec.field("protector").fields] == ["name", "unit", "title"]
    witness = spec.field("witnesses")
    assert witness.type == "repeat"
    assert [f.id for f in witness.fields] == [
        "name", "gender", "birth_date", "address", "id_number", "phone"]
    assert spec.field("witnesses[3].id_number").constraint.validator == "id_card"
    assert spec.field("witnesses.phone").constraint.validator == "phone"
    assert spec.field("witnesses.phone").required is False
    assert spec.field("protector.name").label.zh == "姓名"


def test_relevance_declared(spec):
    assert spec.field("change_reason").relevant == "scene_state == 'altered'"
    assert spec.field("change_reason").required
    assert spec.field("no_witness_reason").relevant == "count(witnesses) == 0"
    assert spec.field("no_evidence_reason").relevant == "count(evidence) == 0"


def test_evidence_row(spec):
    evidence = spec.field("evidence")
    assert [f.id for f in evidence.fields] == [
        "number", "name", "category", "features", "quantity", "location", "method",
        "collector", "collected_at", "comparison_status", "compared_on",
        "comparison_result", "remarks"]
    assert evidence.row_defaults() == {"quantity": 1, "comparison_status": "not_sent"}
    assert spec.field("evidence.comparison_status").choice_values == (
        "not_sent", "submitted", "match", "no_match")
    assert spec.section_of("evidence[2].name").id == "evidence_list"


def test_defaults_and_lookups(spec):
    assert default_values(spec) == {"sketch_count": 1}  # 现场图: one made at every scene
    assert len(spec.all_fields()) == len({f.id for f in spec.all_fields()})
    with pytest.raises(KeyError):
        spec.field("nope")
    with pytest.raises(KeyError):
        spec.field("witnesses.nope")


def test_rules_declared(spec):
    assert [r.id for r in spec.rules] == [
        "bicai", "witness", "bibi", "bizhong_result", "time_order", "occurred_order",
        "photo_fangwei",
        "photo_gaimao", "photo_zhongdian", "photo_ximu", "investigators", "photo_total"]
    assert spec.rules[2].each == "evidence"
    assert [r.id for r in spec.rules if r.level == "notice"] == ["photo_total"]  # 提示, not a blocker


def test_row_defaults_are_fresh_copies(spec):
    rows = spec.field("evidence").row_defaults(), spec.field("evidence").row_defaults()
    rows[0]["quantity"] = 5
    assert rows[1]["quantity"] == 1
