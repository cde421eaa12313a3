"""forms check (file:line: field: message), load_form errors, and the versioned registry."""
import shutil
from pathlib import Path

import pytest

from weicha_desktop.core.errors import NotFound, WeichaError
from weicha_desktop.core.forms import FormError, FormRegistry, check_forms, load_form

FORMS = Path(__file__).parents[1] / "forms"
SCENE = "scene_investigation.yaml"


@pytest.fixture
def forms(tmp_path):
    target = tmp_path / "forms"
    shutil.copytree(FORMS, target)
    return target


def line_of(text: str, needle: str) -> int:
    assert text.count(needle) == 1, needle
    return text[:text.index(needle)].count("\n") + 1


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_the_shipped_forms_are_clean():
    assert check_forms(FORMS) == []


def test_a_broken_copy_reports_file_line_and_field(forms):
    path = forms / SCENE
    text = path.read_text(encoding="utf-8")
    text = replace_once(text, "      - id: narrative_visit\n        type: textarea",
                        "      - id: narrative_visit\n        type: essay")
    text = replace_once(text, "relevant: \"scene_state == 'altered'\"",
                        "relevant: \"scene_state === 'altered'\"")
    text = replace_once(text, "      - id: no_witness_reason\n", "      - id: no_witnes_reason\n")
    text = replace_once(text, "      - id: sketcher\n", "      - id: recorder\n")
    text = replace_once(text, "choices: weather\n", "choices: climate\n")
    path.write_text(text, encoding="utf-8")
    found = check_forms(forms)
    witness_rule = "  - id: witness  "
    expected = {
        (line_of(text, "type: essay"), "narrative_visit", "未知的字段类型“essay”"),
        (line_of(text, "- id: change_reason"), "change_reason", "relevant 表达式有误"),
        (line_of(text, "      - id: recorder\n        type: text\n        label: {zh: 制图人"),
         "recorder", "字段 id 重复：recorder"),
        (line_of(text, "choices: climate"), "weather", "找不到选项表“climate”"),
        (line_of(text, witness_rule), "rule witness", "引用了不存在的字段“no_witness_reason”"),
    }
    for line, field_id, fragment in expected:
        prefix = f"{path}:{line}: {field_id}: "
        assert any(p.startswith(prefix) and fragment in p for p in found), (prefix, found)
    assert len(found) == len(expected), found
    with pytest.raises(FormError) as err:
        load_form(path)
    assert err.value.problems == found and isinstance(err.value, WeichaError)


def test_more_mistakes_are_caught(forms):
    path = forms / SCENE
    text = path.read_text(encoding="utf-8")
    text = replace_once(text, "        unit: ℃\n", "        unit: ℃\n        colour: red\n")
    text = replace_once(text, "constraint: {min: -50, max: 60}", "constraint: {min: 60, max: -50}")
    text = replace_once(text, "            default: 1\n", "            default: 0\n")
    text = replace_once(text, "        person_fields: [name, phone]",
                        "        person_fields: [phone, email]")
    text = replace_once(text, "    require: \"count(investigators) > 0\"",
                        "    require: \"count(investigator) > 0\"")
    text = replace_once(text, "    field: \"evidence[{index}].comparison_result\"",
                        "    field: \"evidence[{index}].result\"")
    path.write_text(text, encoding="utf-8")
    found = "\n".join(check_forms(forms))
    for fragment in (f"{line_of(text, 'colour: red')}: temperature: 未知的键“colour”",
                     "temperature: 下限大于上限",
                     "evidence.quantity: 默认值不符：数量：不能小于 1",
                     "reporter: person_fields 应为不重复的列表",
                     "rule investigators: require 引用了不存在的字段“investigator”",
                     "rule bizhong_result: field 路径无效"):
        assert fragment in found, fragment


def test_yaml_syntax_error_has_its_line(forms):
    path = forms / SCENE
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[40] = "      - id: [broken"
    path.write_text("\n".join(lines), encoding="utf-8")
    found = check_forms(forms)
    assert len(found) == 1 and found[0].startswith(f"{path}:") and ": yaml: " in found[0]
    assert int(found[0].split(":")[1]) in (41, 42)


def test_broken_choice_list_and_duplicate_version(forms):
    (forms / "choices" / "lighting.yaml").write_text(
        "id: lights\nchoices:\n  - {code: day, zh: 自然光}\n  - {code: day, zh: 日光, legacy: 自然光}\n"
        "  - 灯光\n  - {code: Dim, zh: 昏暗}\n  - {code: lamp, en: Lamp}\n", encoding="utf-8")
    shutil.copy(forms / SCENE, forms / "archive" / "copy.yaml")
    found = "\n".join(check_forms(forms))
    assert "lighting.yaml:1: lighting: id 须与文件名一致（lighting）" in found
    assert "lighting.yaml:2: lighting: 选项重复：自然光" in found
    assert "lighting.yaml:2: lighting: 选项代码重复：day" in found
    # a plain string has no line of its own: the list's
    assert "lighting.yaml:2: lighting: 选项无效：'灯光'（应为 {code: 英文代码, zh: 中文, en: English}）" in found
    assert "lighting.yaml:6: lighting: code 须为小写英文标识（现为“Dim”）" in found
    assert "lighting.yaml:7: lighting: 选项无效" in found  # no zh
    assert "找不到选项表“lighting”" in found
    assert "表单 scene_investigation 第4版重复" in found
    with pytest.raises(FormError):
        FormRegistry(forms)


def test_registry_keeps_every_version(forms):
    v4 = (forms / SCENE).read_text(encoding="utf-8")
    (forms / "archive" / "scene_investigation.v4.yaml").write_text(v4, encoding="utf-8")
    v5 = replace_once(v4, "\nversion: 4", "\nversion: 5")
    v5 = replace_once(v5, "      - id: narrative_visit\n",
                      "      - id: narrative_video\n        type: textarea\n"
                      "        label: {zh: 视频监控, en: CCTV}\n      - id: narrative_visit\n")
    (forms / SCENE).write_text(v5, encoding="utf-8")
    registry = FormRegistry(forms)
    assert registry.ids() == ["collect_person", "collect_place", "collect_vehicle", "patrol", "request",
                              "scene_investigation"]
    assert registry.versions("scene_investigation") == [1, 2, 3, 4, 5]
    assert registry.latest("scene_investigation").version == 5
    assert registry.get("scene_investigation", 5).field("narrative_video").label.en == "CCTV"
    old = registry.get("scene_investigation", 4)
    with pytest.raises(KeyError):
        old.field("narrative_video")
    assert old.path.endswith("scene_investigation.v4.yaml")
    v3 = registry.get("scene_investigation", 3)
    assert v3.path.endswith("scene_investigation.v3.yaml")
    with pytest.raises(KeyError):
        v3.field("analysis_course")  # 附件4's every national item arrived with version 4
    assert registry.get("scene_investigation", 2).path.endswith("scene_investigation.v2.yaml")
    v1 = registry.get("scene_investigation", 1)
    assert v1.path.endswith("scene_investigation.v1.yaml")
    with pytest.raises(KeyError):
        v1.field("analyst")  # 附件4 arrived with version 2


def test_registry_missing_form_is_a_chinese_not_found():
    registry = FormRegistry(FORMS)
    with pytest.raises(NotFound, match="找不到表单“scene_investigation”第9版"):
        registry.get("scene_investigation", 9)
    with pytest.raises(NotFound, match="找不到表单“nope”"):
        registry.latest("nope")
    assert registry.versions("nope") == []


def test_load_form_finds_the_shared_choice_lists(forms):
    archived = forms / "archive" / "scene_investigation.v1.yaml"
    shutil.copy(forms / SCENE, archived)
    assert load_form(archived).field("weather").choice_values[0] == "sunny"


def test_a_form_says_whether_it_stores_codes(forms):
    """v3 stores codes (its inline options need a code and words); v1/v2 — no
    ``choice_values`` key — store the Chinese text, shared lists giving them the old value."""
    registry = FormRegistry(forms)
    v2, v3 = registry.get("scene_investigation", 2), registry.latest("scene_investigation")
    assert (v2.stores_codes, v3.stores_codes) == (False, True)
    assert v3.field("weather").choice_values[:2] == ("sunny", "overcast")
    assert v2.field("weather").choice_values[:2] == ("晴", "阴")
    biological = v2.field("evidence.category").choices[5]
    assert (biological.value, biological.code, biological.label.zh) == ("生物检材", "biological", "生物检材（DNA）")
    assert v3.field("evidence.category").value_of("biological") == "biological"
    assert v2.field("scene_state").value_of("altered") == "变动现场"  # the archived inline options have codes
    assert v3.field("witnesses.gender").choice_values == ("male", "female")
    assert v2.field("witnesses.gender").choice_values == ("男", "女")
    assert (v2.field("case_type").other_value, v3.field("case_type").other_value) == ("其他", "other")
    path = forms / SCENE
    text = path.read_text(encoding="utf-8")
    text = replace_once(text, "          - {code: original, zh: 原始现场, en: Original}",
                        "          - 原始现场")
    text = replace_once(text, "          - {code: covered, zh: 遮盖, en: Covered}\n          - {code: other, zh: 其他, en: Other}",
                        "          - {code: covered, zh: 遮盖, en: Covered}")
    text = replace_once(text, "choice_values: code ", "choice_values: codes ")
    path.write_text(text, encoding="utf-8")
    found = "\n".join(check_forms(forms))
    assert "scene_investigation: choice_values 应为 code（存代码）或 label（存文字，旧版表单）" in found
    text = replace_once(text, "choice_values: codes ", "choice_values: code ")
    path.write_text(text, encoding="utf-8")
    found = "\n".join(check_forms(forms))
    assert f"{line_of(text, '- 原始现场') - 1}: scene_state: 选项无效：'原始现场'" in found  # the list's line
    assert "protection_measures: other_text 需要选项中有“other”" in found


def test_maxlength_is_checked_as_a_text_length_limit(forms):
    """The shipped form declares ``maxlength`` (names: 50); forms check accepts it, refuses a
    limit past 100000 or under a minlength, and a default longer than the limit."""
    path = forms / SCENE
    text = path.read_text(encoding="utf-8")
    assert "constraint: {maxlength: 50}" in text and check_forms(forms) == []
    text = replace_once(text, "        label: {zh: 分析人, en: Analyst}\n        constraint: {maxlength: 50}",
                        "        label: {zh: 分析人, en: Analyst}\n        constraint: {maxlength: 200000}")
    text = replace_once(text, "        label: {zh: 录音人, en: Audio by}\n        constraint: {maxlength: 50}",
                        "        label: {zh: 录音人, en: Audio by}\n        constraint: {minlength: 300}")
    text = replace_once(text, "        label: {zh: 录像人, en: Video by}\n",
                        "        label: {zh: 录像人, en: Video by}\n        default: 一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
                        "一二三四五六七八九十一二三四五六七八九十一\n")
    path.write_text(text, encoding="utf-8")
    found = "\n".join(check_forms(forms))
    for fragment in ("analyst: maxlength 应为 0–100000 的整数", "audio_recorder: 下限大于上限",
                     "video_recorder: 默认值不符：录像人：不能超过 50 个字"):
        assert fragment in found, found


def test_participant_marks_only_names_and_is_checked(forms):
    """``participant: true`` (who took part: core/duties.py) is read from the form: on a
    text, a person or a repeat group of people; anywhere else ``forms check`` says why."""
    shipped = load_form(FORMS / SCENE)
    marked = {f.id for f in shipped.all_fields() if f.participant}
    assert marked == {"commander", "recorder", "sketcher", "photographer", "video_recorder",
                      "audio_recorder", "investigators"}
    assert shipped.field("evidence.collector").participant and not shipped.field("witnesses").participant
    path = forms / SCENE
    text = path.read_text(encoding="utf-8")
    text = replace_once(text, "        label: {zh: 现场概貌, en: Overview}\n",
                        "        label: {zh: 现场概貌, en: Overview}\n        participant: true\n")
    text = replace_once(text, "        label: {zh: 痕迹物证, en: Evidence}\n",
                        "        label: {zh: 痕迹物证, en: Evidence}\n        participant: true\n")
    text = replace_once(text, "        label: {zh: 见证人, en: Witnesses}\n",
                        "        label: {zh: 见证人, en: Witnesses}\n        participant: 是\n")
    path.write_text(text, encoding="utf-8")
    found = check_forms(forms)
    expected = [
        (line_of(text, "{zh: 现场概貌, en: Overview}") + 1, "narrative_overview", "participant 只用于人名"),
        (line_of(text, "{zh: 痕迹物证, en: Evidence}") + 1, "evidence", "participant 用于每行是一个人的重复组"),
        (line_of(text, "participant: 是"), "witnesses", "participant 应为 true 或 false")]
    for line, field_id, fragment in expected:
        prefix = f"{path}:{line}: {field_id}: "
        assert any(p.startswith(prefix) and fragment in p for p in found), (prefix, found)
    assert len(found) == len(expected), found
