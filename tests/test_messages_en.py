"""The core's messages in English (issue 10 §5): every message id has its Chinese and its
English (core/messages.py), the checker's problems and every form's rules read in English
without a Chinese character, and the English window — the case list, the problem list, the
messages under the fields — shows none either, with no word of the list cut off."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from form_support import open_view, problems
from gui_support import app, child, complete_values, store, admin, type_into  # noqa: F401
from support import PASSWORD, forms, new_store
from test_i18n import english, qm_dir  # noqa: F401  (the English build, made from the .ts)
from weicha_desktop.core import labels, messages
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.forms import check_rules, validate
from weicha_desktop.core.messages import CATALOG, Msg, render
from weicha_desktop.core.users import UserService
from weicha_desktop.gui.cases.list import CaseListView
from weicha_desktop.gui.common import i18n

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CORE = Path(__file__).resolve().parents[1] / "weicha_desktop" / "core"


def han(texts) -> list[str]:
    return sorted({t for t in texts if HAN.search(t or "")})


# ---- the catalog -------------------------------------------------------------------------------
def test_every_message_id_has_chinese_and_english_with_its_placeholders():
    for msg_id, texts in CATALOG.items():
        assert texts.zh.strip() and texts.en.strip(), msg_id
        assert HAN.search(texts.zh) or not HAN.search(texts.en), msg_id
        assert not HAN.search(texts.en), (msg_id, texts.en)
        # English may leave out a parameter it cannot say (a plate's Chinese suffix characters)
        assert messages.placeholders(texts.en) <= messages.placeholders(texts.zh), msg_id


def test_every_message_the_core_makes_is_in_the_catalog():
    used = set()
    for path in CORE.rglob("*.py"):
        used |= set(re.findall(r'Msg\(\s*"([a-z_.]+)"', path.read_text(encoding="utf-8")))
    used |= {f"name.{key}" for key in ("lat", "lon", "alt")}  # Msg(f"name.{key}")
    assert len(used) > 40 and used <= set(CATALOG), sorted(used - set(CATALOG))


def test_a_message_is_its_chinese_text_and_renders_in_english():
    m = Msg("field.problem", name=Msg("name.row", group=forms().latest("scene_investigation")
                                      .field("witnesses").label, n=2), what=Msg("id.check", expected="X"))
    assert m == "见证人 第2行：校验位不符（应为 X）" and isinstance(m, str)
    assert render(m, "en") == "Witnesses row 2: wrong check character (should be X)"
    assert render(messages.detail(m), "en") == "row 2: wrong check character (should be X)"
    assert render("plain words", "en") == "plain words"
    spec = forms().latest("scene_investigation")
    found = validate(spec, {"witnesses": [{"name": "A", "id_number": "110105194912310021"}]})
    assert [(p.message, render(p.message, "en"), render(messages.detail(p.message), "en"))
            for p in found] == [("见证人 第1行 身份证号：校验位不符（应为 X）",
                                 "Witnesses row 1, ID number: wrong check character (should be X)",
                                 "row 1, ID number: wrong check character (should be X)")]
    with pytest.raises(KeyError):
        Msg("no.such.message")


def test_every_rule_of_every_form_version_has_its_english():
    registry = forms()
    for form_id in registry.ids():
        for version in registry.versions(form_id):
            for rule in registry.get(form_id, version).rules:
                assert rule.message_en and not HAN.search(rule.message_en), (version, rule.id)


def test_the_checkers_problems_read_in_english_without_chinese():
    """A record wrong in every way the checker knows (ASCII values: the quoted data is the
    user's own), every version of the form: each problem has words in both languages."""
    bad = {
        "reporter": {"phone": "12345", "nick": "x"}, "received_at": "2026-13-01T08:00:00+08:00",
        "reported_at": "2026-11-01T08:00", "occurred_from": "yesterday", "case_type": "nope",
        "temperature": "hot", "humidity": 500, "sketch_count": 1.5, "scene_state": 3,
        "protection_measures": ["cordon", "cordon"], "protection_measures_other": 5,
        "scene_location": {"lat": 100, "zzz": 1}, "weather": "other",
        "witnesses": [{"name": "A", "id_number": "11010519491231002x"}, 7,
                      {"name": "B", "id_number": "110105194912310021", "gender": "female",
                       "birth_date": "1950-01-01"}],
        "evidence": [{"name": "x", "comparison_status": "match"}], "investigators": "me",
        "remarks": "x" * 6000, "bogus": 1, "commander": "boss", "analysis_offenders": 99,
    }
    registry = forms()
    seen = 0
    for version in registry.versions("scene_investigation"):
        spec = registry.get("scene_investigation", version)
        found = validate(spec, bad, complete=True) + validate(spec, {}, complete=True) + \
            check_rules(spec, {"evidence": [{"comparison_status": "match"}]},
                        {"photo_count": 1, "photo_classes": []})
        assert len(found) > 20
        english_ = [render(p.message, "en") for p in found]
        assert han(english_) == [], version
        assert all(HAN.search(p.message) for p in found)  # the CLI's Chinese is unchanged
        seen += len(found)
    assert seen > 100


# ---- the English window ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def listed(tmp_path_factory):
    """Cases in every state of the list and of every case type (a supervisor returns one),
    made once for the list's tests."""
    folder = new_store(tmp_path_factory.mktemp("listed") / "data")
    users = UserService(folder)
    admin_ = users.authenticate("admin", PASSWORD)
    users.add(admin_, "zhou", "supervisor", PASSWORD, display_name="周建国", badge_no="200017")
    supervisor = CaseService(folder, forms(), users.authenticate("zhou", PASSWORD))
    cases = CaseService(folder, forms(), admin_)
    done = [cases.finalize(cases.new_case(complete_values()).id) for _ in range(3)]
    supervisor.review(done[0].id, approve=True)
    supervisor.review(done[1].id, approve=False, comment="补充见证人身份证号码")
    for choice in cases.case_types():
        cases.new_case({"case_type": choice.code})
    yield cases
    folder.close()


def _list_texts(view: CaseListView) -> list[str]:
    """What the list itself says (not the data it lists: addresses, names, numbers)."""
    model = view.model
    texts = [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]
    texts += [model.index(r, c).data() for r in range(model.rowCount()) for c in (1, 4)]
    texts += [view.status_filter.itemText(i) for i in range(view.status_filter.count())]
    texts += [view.search.placeholderText(), view.new_button.text(), view.date_filter.text(),
              view.count_label.text()]
    return texts


def test_the_english_case_list_has_no_chinese(app, english, qtbot, listed):
    view = CaseListView(listed)
    qtbot.addWidget(view)
    view.resize(1024 - 150, 700)  # the list's share of a 1024×768 window
    view.show()
    texts = _list_texts(view)
    assert {"Returned", "Reviewed", "Finalized", "Draft", "Burglary", "Motor vehicle theft"} <= set(texts)
    assert han(texts) == []


@pytest.mark.parametrize("language", ["zh", "en"])
def test_no_word_of_the_list_is_cut_off(app, qm_dir, qtbot, listed, language):
    i18n.install_language(app, language, qm_dir)
    try:
        view = CaseListView(listed)
        qtbot.addWidget(view)
        view.resize(1024 - 150, 700)
        view.show()
        header, cells = view.table.horizontalHeader(), view.table.fontMetrics()
        for column in (0, 1, 4):  # number, case type, status: words that must show whole
            width = header.sectionSize(column)
            title = str(view.model.headerData(column, Qt.Orientation.Horizontal))
            assert header.fontMetrics().horizontalAdvance(title) + 20 <= width, title
            for row in range(view.model.rowCount()):
                text = view.model.index(row, column).data() or ""
                assert cells.horizontalAdvance(text) + 8 <= width, (language, text, width)
        assert header.sectionSize(2) >= 150  # the address keeps a useful width at 1024
    finally:
        i18n.install_language(app, "zh")


def test_the_english_form_lists_its_problems_without_chinese(app, english, qtbot, store, admin):
    cases = CaseService(store, forms(), admin)
    view = open_view(qtbot, cases, cases.new_case({"witnesses": [{"name": "Li"}]}).id, lang="en")
    type_into(qtbot, child(view, QLineEdit, "field_reporter.phone"), "12345")
    assert not view.save()  # a wrong phone number: listed, under the field too
    assert problems(view) == ["[Reason for investigation] Reporting person, Phone: a mobile number has "
                              "11 digits (now 5)"]
    child(view, QLineEdit, "field_reporter.phone").clear()
    view.check()  # what blocks finalizing: required fields, rules
    listed_ = problems(view)
    assert len(listed_) > 10 and han(listed_) == []
    assert "[Traces and evidence collected (annex 1)] No traces or evidence collected: register " \
           "the items or give the reason none were collected" in listed_  # a rule, the form's English
    assert "[Reason for investigation] Time reported: required" in listed_
    under = [label.text() for page in view.pages for label in page.errors.values() if label.text()]
    assert under and han(under) == []
    assert "required" in under


def test_the_list_status_words_are_the_cores(app, english):
    assert labels.RETURNED_LABEL.en == "Returned"  # short: a list column, not a sentence
    assert i18n.message_text(Msg("value.required")) == "required"
    i18n.install_language(app, "zh")
    assert i18n.message_text(Msg("value.required")) == "必填"


def test_the_english_form_says_in_english_why_it_is_read_only(app, english, qtbot, store, admin):
    from PySide6.QtWidgets import QLabel

    UserService(store).add(admin, "wang", "technician", PASSWORD, display_name="王强", badge_no="200018")
    case = CaseService(store, forms(), admin).new_case({"remarks": "x"})
    other = CaseService(store, forms(), UserService(store).authenticate("wang", PASSWORD))
    view = open_view(qtbot, other, case.id, lang="en")
    shown = child(view, QLabel, "formMessage").text()
    assert shown.startswith("Read-only: wang is not an investigator of case ") and han([shown]) == []
    assert other.edit_refusal(other.get(case.id)).startswith("wang 不是勘验 ")  # the CLI's words


def test_forms_check_names_a_wrong_placeholder_in_a_rules_english(tmp_path):
    import shutil

    from weicha_desktop.core.forms import check_forms
    from weicha_desktop.resources import forms_dir

    shutil.copytree(forms_dir(), tmp_path / "forms")
    scene = tmp_path / "forms" / "scene_investigation.yaml"
    text = scene.read_text(encoding="utf-8")
    assert "Evidence item {n} has not" in text
    scene.write_text(text.replace("Evidence item {n} has not", "Evidence item {nr} has not"),
                     encoding="utf-8")
    assert any("rule bibi: 占位符“{nr}”不是字段名" in p for p in check_forms(tmp_path / "forms"))
