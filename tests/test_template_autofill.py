"""Issue 10, slice H: the narrative template is offered when the case type is chosen and
writes all five required paragraphs from what the record holds — the register's traces
among them (``rows``), followed when they change — leaving ``____`` only for what the program
cannot know."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPushButton, QTableWidget

from form_support import open_view
from gui_support import admin, app, cases, child, dialogs, store, type_into  # noqa: F401  (fixtures)
from support import forms
from weicha_desktop.core.forms import check_forms
from weicha_desktop.core.forms.templates import (BLANK, TEMPLATES_DIR, NarrativeTemplate, fill,
                                                 fill_known_blanks, load_templates, narrative_fields,
                                                 offer, offered_texts)

pytestmark = pytest.mark.usefixtures("dialogs")
SPEC = forms().latest("scene_investigation")
TEMPLATES = load_templates(forms().forms_dir / TEMPLATES_DIR, SPEC)
BURGLARY = next(t for t in TEMPLATES if t.id == "burglary")
EXTRACTION = BURGLARY.texts["narrative_extraction"]
THUMB = {"name": "右手拇指指纹", "category": "fingerprint", "location": "入户门把手", "method": "powder"}
SHOE = {"name": "运动鞋足迹", "category": "footprint", "location": "客厅地面", "method": "other",
        "method_other": "拍照后静电吸附"}
KNOWN = {"case_type": "burglary", "scene_address": "永福路 12 号", "weather": "sunny", "lighting": "daylight",
         "scene_state": "original", "investigating_unit": "钦南分局刑侦大队",
         "investigators": [{"name": "张伟"}], "commander": {"name": "黄志强"},
         "started_at": "2026-11-27T09:05:00+08:00", "ended_at": "2026-11-27T11:20:00+08:00"}


# ---- the core: rows, following, what the offer writes ------------------------------------
def test_the_register_is_written_a_sentence_a_trace():
    assert fill(EXTRACTION, SPEC, {"evidence": [THUMB, {}, SHOE]}, BURGLARY.rows) == (
        "在入户门把手提取右手拇指指纹（粉末显现）；在客厅地面提取运动鞋足迹（拍照后静电吸附）。"
        "所提取痕迹物证均已登记于《提取痕迹物证登记表》。")  # an empty row says nothing
    assert fill(EXTRACTION, SPEC, {"evidence": [{"name": "烟头"}]}, BURGLARY.rows).startswith(
        f"在{BLANK}提取烟头（{BLANK}）")  # what the row lacks: a blank, which blocks finalizing
    assert fill(EXTRACTION, SPEC, {}, BURGLARY.rows).startswith(f"{BLANK}。所提取")  # none yet


def test_a_filled_value_follows_its_field_only_where_the_template_put_it():
    before = {**KNOWN, "evidence": [THUMB]}
    texts = offered_texts(BURGLARY, SPEC, before)
    assert BLANK not in texts["narrative_process"] + texts["narrative_extraction"]
    after = {**before, **texts, "weather": "overcast", "evidence": [THUMB, SHOE]}
    changed = fill_known_blanks(SPEC, TEMPLATES, after, before)
    assert "勘验时天气阴，" in changed["narrative_overview"]
    assert changed["narrative_extraction"] == fill(EXTRACTION, SPEC, after, BURGLARY.rows)
    # the words typed over: the user's; without what the record was, nothing is followed
    typed = {**after, "narrative_overview": texts["narrative_overview"].replace("天气晴", "天气晴转多云")}
    assert "narrative_overview" not in fill_known_blanks(SPEC, TEMPLATES, typed, before)
    assert fill_known_blanks(SPEC, TEMPLATES, {**after, **texts}) == {}


def test_the_offer_is_the_case_types_template_while_the_narrative_is_empty():
    assert offer(TEMPLATES, SPEC, {"case_type": "burglary"}) is BURGLARY
    assert offer(TEMPLATES, SPEC, {"case_type": "arson"}).id == "generic"  # no template of its own
    assert offer(TEMPLATES, SPEC, {}) is None  # no case type yet
    assert offer(TEMPLATES, SPEC, {"case_type": "burglary", "narrative_visit": "访问了事主。"}) is None
    texts = offered_texts(BURGLARY, SPEC, {**KNOWN, "narrative_center": "已写的。"})
    required = {f.id for f in narrative_fields(SPEC) if f.required}
    assert set(texts) == required - {"narrative_center"}  # written text is kept
    # an optional paragraph goes in only when nothing in it is left blank
    visit = NarrativeTemplate("t", BURGLARY.title, SPEC.id, ("burglary",),
                              {"narrative_visit": "访问报警人{reporter}。", "narrative_search": "搜索了____。"})
    assert offered_texts(visit, SPEC, {"reporter": {"name": "李娜"}}) == {"narrative_visit": "访问报警人李娜。"}


def test_forms_check_names_a_broken_rows_entry(tmp_path):
    target = tmp_path / "forms"
    shutil.copytree(forms().forms_dir, target)
    path = Path(target / TEMPLATES_DIR / "burglary.yaml")
    text = path.read_text(encoding="utf-8").replace(
        "  evidence: 在{location}提取{name}（{method}）", "  evidence: 在{place}提取{name}\n  commander: 指挥{name}")
    path.write_text(text, encoding="utf-8")
    found = check_forms(target)
    assert len(found) == 2, found
    assert "evidence：占位符“{place}”不是该组每行的字段" in found[0]
    assert "“commander”不是表单“scene_investigation”的重复组" in found[1]


# ---- the form: offered, one key, the focus stays ------------------------------------------
@pytest.fixture
def view(app, qtbot, cases):
    view = open_view(qtbot, cases, cases.new_case({"weather": "sunny"}).id, autosave_ms=0)
    type_into(qtbot, child(view, QLineEdit, "field_incident_address"), "钦州市钦南区永福路 12 号")
    view.focus_path("case_type")
    return view


def choose_burglary(qtbot, view) -> QComboBox:
    combo = child(view, QComboBox, "field_case_type")
    assert QApplication.focusWidget() is combo
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # 入室盗窃, the first
    return combo


def test_choosing_the_case_type_offers_its_template_and_alt_t_writes_the_five(view, qtbot):
    offer_bar = view.template_bar.offer
    assert not offer_bar.isVisible()  # no case type yet
    combo = choose_burglary(qtbot, view)
    assert offer_bar.isVisible() and "入室盗窃" in offer_bar.label.text()
    qtbot.keyClick(combo, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: view.editors["narrative_location"].value() is not None, timeout=2000)
    written = {fid: view.editors[fid].value() for fid in BURGLARY.texts}
    assert written["narrative_location"] == "现场位于钦州市钦南区永福路 12 号，____。"  # 现场地点 followed
    assert "勘验时天气晴，" in written["narrative_overview"]
    assert "勘验人员admin在____的指挥下" in written["narrative_process"]  # 指挥人: not yet known
    assert written["narrative_search"] is None and written["narrative_visit"] is None  # blanks: left out
    assert QApplication.focusWidget() is combo and not offer_bar.isVisible()  # typing goes on
    assert view.is_dirty()


def test_declined_the_offer_stays_away_until_another_case_type(view, qtbot):
    combo = choose_burglary(qtbot, view)
    qtbot.mouseClick(child(view, QPushButton, "declineTemplateButton"), Qt.MouseButton.LeftButton)
    assert not view.template_bar.offer.isVisible()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # another case type
    assert view.template_bar.offer.isVisible()
    assert view.template_bar.offer.template.id != "burglary"


def test_the_register_goes_into_the_extraction_at_the_save_and_follows_it(view, qtbot):
    choose_burglary(qtbot, view)
    assert view.template_bar.accept_offer()
    table = child(view, QTableWidget, "field_evidence")
    view.editors["evidence"].set_value([THUMB])
    view.save()
    extraction = view.cases.get(view.case.id).data["narrative_extraction"]
    assert extraction.startswith("在入户门把手提取右手拇指指纹（粉末显现）。所提取")
    view.editors["evidence"].set_value([THUMB, SHOE])  # another trace registered
    assert table.rowCount() == 2
    view.save()
    assert view.cases.get(view.case.id).data["narrative_extraction"].startswith(
        "在入户门把手提取右手拇指指纹（粉末显现）；在客厅地面提取运动鞋足迹（拍照后静电吸附）。")
