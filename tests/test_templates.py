"""Narrative templates (forms/templates/*.yaml): loading, filling, the order they are offered
in, and ``forms check`` naming what is wrong with a template (the registry skips them)."""
import shutil
from pathlib import Path

import pytest

from weicha_desktop.core.forms import FormError, FormRegistry, check_forms
from weicha_desktop.core.forms.templates import (BLANK, case_type_code, fill, load_templates,
                                                 narrative_fields, templates_for)

FORMS = Path(__file__).parents[1] / "forms"


@pytest.fixture(scope="module")
def spec():
    return FormRegistry(FORMS).latest("scene_investigation")


def test_shipped_templates_cover_the_common_case_types(spec):
    templates = load_templates(FORMS / "templates", spec)
    covered = {t for template in templates for t in template.case_types}
    assert {"burglary", "ebike_theft", "vehicle_theft", "pickpocketing", "robbery"} <= covered
    assert [t.id for t in templates if t.generic] == ["generic"]
    narrative = {f.id for f in narrative_fields(spec)}
    assert narrative == {"narrative_location", "narrative_overview", "narrative_center",
                         "narrative_process", "narrative_extraction", "narrative_search",
                         "narrative_visit"}
    for template in templates:
        assert set(template.texts) == narrative, template.id
        assert all(" " not in text for text in template.texts.values())  # lines joined, no gaps


def test_offered_in_the_order_of_the_case_type(spec):
    templates = load_templates(FORMS / "templates", spec)
    assert [t.id for t in templates_for(templates, "snatching")][:2] == ["robbery", "generic"]
    assert templates_for(templates, "arson")[0].id == "generic"
    assert templates_for(templates, None)[0].id == "generic"


def test_a_record_of_an_older_version_finds_its_templates_by_code():
    """A v2 record holds 抢夺, a v3 one snatching: both are offered 抢劫/抢夺 first."""
    registry = FormRegistry(FORMS)
    v2, v3 = registry.get("scene_investigation", 2), registry.latest("scene_investigation")
    assert case_type_code(v2, {"case_type": "抢夺"}) == case_type_code(v3, {"case_type": "snatching"}) \
        == "snatching"
    assert case_type_code(v2, {}) is None
    templates = load_templates(FORMS / "templates", v2)  # codes check against any version
    assert templates_for(templates, case_type_code(v2, {"case_type": "抢夺"}))[0].id == "robbery"


def test_fill_shows_values_as_on_paper_and_blanks_the_rest(spec):
    data = {"scene_address": "钦州市钦南区永福路 12 号", "started_at": "2026-11-27T09:05:00+08:00",
            "weather": "other", "weather_other": "薄雾", "case_type": "burglary",
            "reporter": {"name": "李娜"}, "temperature": 18.5,
            "investigators": [{"name": "张伟"}, {"name": "李明"}, {"unit": "无名"}]}
    text = ("{scene_address}|{started_at}|{weather}|{case_type}|{reporter}|{temperature}|"
            "{investigators}|{ended_at}|{lighting}")
    assert fill(text, spec, data).split("|") == [
        "钦州市钦南区永福路 12 号", "2026年11月27日09时05分", "薄雾", "入室盗窃", "李娜", "18.5℃",
        "张伟、李明", BLANK, BLANK]


def test_registry_skips_templates_and_check_names_their_faults(tmp_path):
    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    assert check_forms(forms) == []
    bad = forms / "templates" / "bad.yaml"
    bad.write_text(
        "id: bad\ntitle: {zh: 坏模板}\nform: scene_investigation\ncase_types: [盗窃飞机]\n"
        "texts:\n  narrative_location: 现场位于{scene_adress}\n  remarks: 备注\n", encoding="utf-8")
    (forms / "templates" / "other_form.yaml").write_text(
        "id: other\ntitle: {zh: 别的}\nform: no_such_form\ntexts: {narrative_location: x}\n",
        encoding="utf-8")
    FormRegistry(forms)  # the registry does not read templates as forms
    found = check_forms(forms)
    expected = [
        (bad, 4, "“盗窃飞机”不是案件类别的代码"),
        (bad, 6, "占位符“{scene_adress}”不是表单字段"),
        (bad, 7, "“remarks”不是表单“scene_investigation”的现场勘验情况字段"),
        (forms / "templates" / "other_form.yaml", 1, "缺少 case_types"),  # [] for a generic one
        (forms / "templates" / "other_form.yaml", 3, "找不到表单“no_such_form”"),
    ]
    for path, line, fragment in expected:
        assert any(p.startswith(f"{path}:{line}: ") and fragment in p for p in found), (fragment, found)
    assert len(found) == len(expected), found
    with pytest.raises(FormError, match="盗窃飞机"):
        load_templates(forms / "templates", FormRegistry(forms).latest("scene_investigation"))
