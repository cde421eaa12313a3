"""validate(): the real scene form against good and bad records."""
import copy
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weicha_desktop.core.forms import check_rules, load_form, validate
from support import examples, values_as
from weicha_desktop.core.forms.validators import id_check_char

FORMS = Path(__file__).parents[1] / "forms"


def make_id(region: str, born: str, seq: str) -> str:
    first17 = region + born.replace("-", "") + seq
    return first17 + id_check_char(first17)


def good_record() -> dict:
    """A complete, valid 入室盗窃 scene record (also used by test_forms_rules.py)."""
    return {
        "case_number": "K450702000000" + "202611" + "0001",
        "investigating_unit": "钦州市公安局钦南分局刑事侦查大队",
        "assigning_unit": "钦南分局指挥中心",
        "received_at": "2026-11-27T09:12:00+08:00",
        "reported_at": "2026-11-27T09:05:00+08:00",
        "reporter": {"name": "李秀英", "phone": "13877712345"},
        "incident_address": "钦州市钦南区永福西大街18号3单元502室",
        "case_type": "burglary",
        "occurred_from": "2026-11-26T22:00:00+08:00",
        "occurred_to": "2026-11-27T07:30:00+08:00",
        "started_at": "2026-11-27T09:40:00+08:00",
        "ended_at": "2026-11-27T11:15:00+08:00",
        "scene_address": "钦州市钦南区永福西大街18号3单元502室",
        "scene_location": {"lat": 21.9817, "lon": 108.6544},
        "protector": {"name": "黄建国", "unit": "钦南派出所", "title": "民警"},
        "protection_measures": ["cordon", "guarded"],
        "scene_state": "original",
        "weather": "sunny",
        "temperature": 18.5,
        "humidity": 65,
        "wind_direction": "northeast",
        "lighting": "daylight",
        "commander": {"name": "韦志强", "unit": "钦南分局刑侦大队", "title": "副大队长"},
        "narrative_location": "现场位于永福西大街18号小区3单元五楼东户。",
        "narrative_overview": "两室一厅住宅，入户门完好，阳台窗户防盗网被剪断。",
        "narrative_center": "主卧衣柜门打开，抽屉被翻动。",
        "narrative_process": "按先外后内、先静后动顺序勘验。",
        "narrative_extraction": "在衣柜门把手提取指纹一枚。",
        "sketch_count": 1,
        "photo_total": 24,
        "video_minutes": 0,
        "recorder": "覃海燕",
        "photographer": "覃海燕",
        "investigators": [{"name": "覃海燕", "unit": "钦南分局刑侦大队", "title": "技术员"}],
        "witnesses": [{
            "name": "陈国平", "gender": "male", "birth_date": "1975-04-12",
            "address": "钦州市钦南区永福西大街18号", "phone": "13907771234",
            "id_number": make_id("450702", "1975-04-12", "153"),
        }],
        "evidence": [{
            "number": "H450702000000202611000101", "name": "指纹", "category": "fingerprint",
            "features": "右手拇指，纹线清晰", "quantity": 1, "location": "主卧衣柜门把手",
            "method": "powder", "collector": "覃海燕",
            "collected_at": "2026-11-27T10:20:00+08:00", "comparison_status": "submitted",
        }],
    }


@pytest.fixture(scope="module")
def spec():
    return load_form(FORMS / "scene_investigation.yaml")


def problems(spec, record, complete=True):
    return {p.path: p.message for p in validate(spec, record, complete=complete)}


def test_good_record_has_no_problems(spec):
    assert validate(spec, good_record(), complete=True) == []


def test_draft_does_not_need_required_fields_but_finalize_does(spec):
    assert validate(spec, {}) == []
    found = validate(spec, {}, complete=True)
    assert {p.rule for p in found} == {"required"}
    assert {p.path for p in found} >= {"case_number", "started_at", "reporter", "commander"}
    assert "勘验开始时间：必填" in [p.message for p in found]


def test_wrong_id_check_char_names_the_expected_char(spec):
    record = good_record()
    right = record["witnesses"][0]["id_number"]
    wrong = right[:-1] + ("0" if right[-1] != "0" else "1")
    record["witnesses"][0]["id_number"] = wrong
    assert problems(spec, record) == {
        "witnesses[0].id_number": f"见证人 第1行 身份证号：校验位不符（应为 {right[-1]}）"}


def test_id_number_must_agree_with_birth_date_and_gender(spec):
    record = good_record()
    record["witnesses"][0].update(birth_date="1975-04-13", gender="female")
    assert problems(spec, record) == {
        "witnesses[0].birth_date": "见证人 第1行 出生日期：与身份证号不符（应为 1975-04-12）",
        "witnesses[0].gender": "见证人 第1行 性别：与身份证号不符（应为 男）",
    }


def test_bad_phone_in_a_person(spec):
    record = good_record()
    record["reporter"]["phone"] = "0777-2812345"
    assert problems(spec, record) == {"reporter.phone": "报警人 电话：只能含数字（11位手机号）"}


def test_datetime_needs_an_offset_and_dates_must_exist(spec):
    record = good_record()
    record["received_at"] = "2026-11-27T09:12:00"
    record["evidence"][0].update(comparison_status="match", compared_on="2026-02-30",
                                 comparison_result="比中前科人员指纹")
    assert problems(spec, record) == {
        "received_at": "接警时间：须带时区偏移，如 2026-11-27T14:05:00+08:00",
        "evidence[0].compared_on": "痕迹物证 第1行 比对日期：日期不存在：2026-02-30",
    }


def test_choices_must_be_in_the_list(spec):
    record = good_record()
    record.update(weather="大风", protection_measures=["cordon", "拉网"], lighting=["artificial"])
    assert problems(spec, record) == {
        "weather": "天气：“大风”不在可选项中",
        "protection_measures": "保护措施：“拉网”不在可选项中",
        "lighting": "光线：应为一个选项",
    }


def test_min_max_and_integer_types(spec):
    record = good_record()
    record.update(temperature=61, humidity=-1, sketch_count=1.5, video_minutes=True)
    assert problems(spec, record) == {
        "temperature": "温度：不能大于 60℃",
        "humidity": "湿度：不能小于 0%",
        "sketch_count": "现场图：应为整数",
        "video_minutes": "录像：应为整数",
    }


def test_relevant_hides_a_required_field_and_ignores_its_value(spec):
    record = good_record()
    record["change_reason"] = 123           # wrong type, but irrelevant for 原始现场
    assert problems(spec, record) == {}
    record["scene_state"] = "altered"
    assert problems(spec, record) == {"change_reason": "变动原因：应为文字"}
    del record["change_reason"]
    assert problems(spec, record) == {"change_reason": "变动原因：必填"}
    assert problems(spec, record, complete=False) == {}


def test_repeat_rows_have_indexed_paths(spec):
    record = good_record()
    second = dict(record["evidence"][0], name="撬痕", category="tool_mark", quantity=0, foo=1)
    del second["collector"]
    record["evidence"].append(second)
    record["investigators"].append("覃海燕")
    assert problems(spec, record) == {
        "evidence[1].quantity": "痕迹物证 第2行 数量：不能小于 1",
        "evidence[1].collector": "痕迹物证 第2行 提取人：必填",
        "evidence[1].foo": "痕迹物证 第2行：未知字段“foo”",
        "investigators[1]": "勘验人员 第2行：应为对象",
    }


def test_fields_inside_rows_see_their_own_row(spec):
    record = good_record()
    record["evidence"][0]["comparison_status"] = "no_match"
    assert problems(spec, record) == {"evidence[0].compared_on": "痕迹物证 第1行 比对日期：必填"}
    record["evidence"][0]["compared_on"] = date(2026, 12, 1).isoformat()
    assert problems(spec, record) == {}


def test_other_text_companion(spec):
    record = good_record()
    record["case_type"] = "other"
    assert problems(spec, record) == {"case_type_other": "案件性质/类别：选择“其他”时须注明"}
    record["case_type_other"] = "盗窃井盖"
    assert problems(spec, record) == {}
    record["case_type"] = "burglary"
    assert problems(spec, record) == {
        "case_type_other": "案件性质/类别：未选“其他”，不应填写其他说明"}
    record = good_record()
    record["evidence"][0].update(method="other", method_other="真空吸附")
    record["protection_measures"] = ["other"]
    record["protection_measures_other"] = "临时围挡"
    assert problems(spec, record) == {}


def test_geopoint_ranges_and_shape(spec):
    record = good_record()
    record["scene_location"] = {"lat": 91, "lon": "108", "speed": 3}
    assert problems(spec, record) == {
        "scene_location.lat": "现场坐标 纬度：应在 -90 到 90 之间",
        "scene_location.lon": "现场坐标 经度：应为数值",
        "scene_location.speed": "现场坐标：未知字段“speed”",
    }
    record["scene_location"] = {"lat": 21.98}
    assert problems(spec, record) == {"scene_location.lon": "现场坐标 经度：缺少"}


def test_unknown_keys_and_wrong_shapes(spec):
    record = good_record()
    record.update(weather_note="多云转晴", reporter="李秀英", witnesses={"name": "陈国平"})
    record["protector"]["phone"] = "13877712345"   # not among this person's fields
    found = {p.path: p for p in validate(spec, record)}
    assert found["weather_note"].message == "未知字段“weather_note”"
    assert found["weather_note"].rule == "unknown"
    assert found["reporter"].message == "报警人：应为人员信息（对象）"
    assert found["witnesses"].message == "见证人：应为列表"
    assert found["protector.phone"].message == "现场保护人：未知字段“phone”"
    assert validate(spec, ["not", "a", "record"])[0].message == "记录须为 JSON 对象"


def test_case_number_format(spec):
    record = good_record()
    record["case_number"] = "K4507"
    assert problems(spec, record) == {"case_number": "勘验号：格式不符"}


def test_plate_and_vin_fields_in_a_form(tmp_path):
    (tmp_path / "vehicle.yaml").write_text(
        "id: vehicle\nversion: 1\ntitle: {zh: 车辆, en: Vehicle}\nsections:\n"
        "  - id: main\n    title: {zh: 车辆, en: Vehicle}\n    fields:\n"
        "      - {id: plate, type: text, label: {zh: 号牌, en: Plate},"
        " constraint: {validator: plate}}\n"
        "      - {id: vin, type: text, label: {zh: 车辆识别代号, en: VIN},"
        " constraint: {validator: vin}}\n", encoding="utf-8")
    vehicle = load_form(tmp_path / "vehicle.yaml")
    assert validate(vehicle, {"plate": "桂N12345", "vin": "1M8GDM9AXKP042788"}) == []
    assert problems(vehicle, {"plate": "桂N1234", "vin": "1M8GDM9A1KP042788"}) == {
        "plate": "号牌：普通号牌7位、新能源号牌8位（现为6位）",
        "vin": "车辆识别代号：第9位校验位不符（应为 X）",
    }


def test_validate_does_not_modify_the_record(spec):
    record = good_record()
    record["evidence"][0]["quantity"] = -3
    before = copy.deepcopy(record)
    validate(spec, record, complete=True)
    assert record == before


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
    | st.sampled_from(["other", "altered", "2026-11-27T09:12:00+08:00", "2026-02-30"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["name", "id_number", "lat", "lon", "x", "quantity",
                                       "comparison_status", "birth_date", "gender"]), inner,
                      max_size=4),
    max_leaves=8)


@settings(max_examples=examples(150, 50), suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["reporter", "witnesses", "evidence", "scene_location",
                                        "temperature", "case_type", "case_type_other",
                                        "protection_measures", "scene_state", "change_reason",
                                        "unknown"]), json_values))
def test_validate_and_rules_never_crash_on_arbitrary_json(spec, changes):
    record = {**good_record(), **changes}
    for found in (validate(spec, record, complete=True), check_rules(spec, record, {})):
        assert all(isinstance(p.message, str) and p.message for p in found)


# ---- length limits and short quotes (issue 8) -------------------------------------------------
@pytest.mark.parametrize("complete", [False, True], ids=["draft", "finalize"])
def test_text_lengths_have_limits_from_the_form_or_the_type(spec, complete):
    record = good_record()
    record.update(scene_address="路" * 200, narrative_overview="字" * 5000, recorder="王" * 50)
    record["reporter"]["name"] = "李" * 50
    record["evidence"][0]["collector"] = "覃" * 50
    assert problems(spec, record, complete) == {}  # exactly at each limit: fine
    record.update(scene_address="路" * 201, narrative_overview="字" * 5001, recorder="王" * 51)
    record["reporter"]["name"] = "李" * 51
    record["evidence"][0]["collector"] = "覃" * 51
    found = problems(spec, record, complete)
    assert found["scene_address"] == f"现场地点：不能超过 200 个字（现为 201 个，开头是“{'路' * 20}…”）"
    assert found["narrative_overview"].startswith("现场概貌：不能超过 5000 个字（现为 5001 个")
    assert found["recorder"].startswith("笔录人：不能超过 50 个字")          # a name: the form's 50
    assert found["reporter.name"].startswith("报警人 姓名：不能超过 50 个字")  # a person's name
    assert found["evidence[0].collector"].startswith("痕迹物证 第1行 提取人：不能超过 50 个字")
    assert spec.field("scene_address").max_length == 200
    assert spec.field("narrative_overview").max_length == 5000
    assert spec.field("temperature").max_length is None


def test_a_megabyte_value_is_refused_and_quoted_by_twenty_characters(spec):
    huge = "窃" * 1_000_000
    record = good_record()
    record.update(scene_address=huge, weather=huge, protection_measures=[huge],
                  case_type="other", case_type_other=huge, **{huge: 1})
    record["protector"][huge] = "x"
    found = validate(spec, record)
    assert len(found) == 6
    assert all(len(p.message) < 120 and len(p.path) < 80 for p in found), [str(p)[:200] for p in found]
    assert {"“" + "窃" * 20 + "…”" in p.message for p in found} == {True}
    assert problems(spec, record)["case_type_other"].startswith("案件性质/类别（其他）：不能超过 200 个字")


def test_lone_surrogates_in_text_are_refused(spec):
    record = good_record()
    record.update(scene_address="永福路\ud800", weather="\udfff")
    found = problems(spec, record)
    assert found["scene_address"] == "现场地点：含无效字符（单独的代理码位），请重新输入"
    assert found["weather"] == "天气：“?”不在可选项中"
    assert all(p.message.encode("utf-8") for p in validate(spec, record))  # printable


def test_rule_messages_quote_values_shortly(tmp_path):
    from weicha_desktop.core.forms.rules import fill

    assert fill("第{n}件物证“{name}”未送检", {"n": 1, "name": "指" * 500}, quote=True) == \
        f"第1件物证“{'指' * 20}…”未送检"
    assert fill("evidence[{index}].name", {"index": 12345678901234567890123}) == \
        "evidence[12345678901234567890123].name"  # paths are never shortened


def test_each_form_version_accepts_its_own_kind_of_value():
    """v3 stores codes; a record of v1/v2 keeps its Chinese values and is checked against its
    own version, which refuses codes (and v3 refuses the Chinese words)."""
    from weicha_desktop.core.forms import FormRegistry

    registry = FormRegistry(FORMS)
    v2, v3 = registry.get("scene_investigation", 2), registry.latest("scene_investigation")
    record = good_record()
    old = values_as(v2, record)
    assert (old["case_type"], old["witnesses"][0]["gender"], old["evidence"][0]["category"],
            old["protection_measures"]) == ("入室盗窃", "男", "手印", ["警戒带", "专人看守"])
    assert problems(v3, record) == {} and problems(v2, old) == {}
    assert check_rules(v2, old, {"photo_count": 0, "photo_classes": []}) == []
    assert problems(v2, record)["case_type"] == "案件性质/类别：“burglary”不在可选项中"
    assert problems(v3, old)["case_type"] == "案件性质/类别：“入室盗窃”不在可选项中"
    assert problems(v3, old)["witnesses[0].gender"] == "见证人 第1行 性别：“男”不在可选项中"
    # the 其他 companion and the ID card's gender follow the version's kind of value
    old.update(case_type="其他", case_type_other="盗窃井盖")
    assert problems(v2, old) == {}
    old["witnesses"][0]["gender"] = "女"
    assert problems(v2, old) == {"witnesses[0].gender": "见证人 第1行 性别：与身份证号不符（应为 男）"}
    record["witnesses"][0]["gender"] = "female"
    assert problems(v3, record) == {"witnesses[0].gender": "见证人 第1行 性别：与身份证号不符（应为 男）"}
