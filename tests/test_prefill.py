"""Prefills (issue 10 §3): a new scene record starts with what is known — the unit, the user
(by display name, never the login name), the clock's "now", the photo count — declared in
the form (``prefill:``), computed by core/prefill.py with the clock and the user passed in;
the form keeps 照片 (张数) in step with the photo log and prefills new evidence rows."""
from __future__ import annotations

import json
import shutil
from datetime import datetime

import pytest
from PySide6.QtWidgets import QApplication, QDateTimeEdit, QLineEdit, QSpinBox, QTableWidget

from form_support import click, open_view
from gui_support import app, child, dialogs  # noqa: F401  (fixtures)
from photo_gui_support import card
from support import CST, PASSWORD, fixed_clock, forms, new_store, run_cli
from weicha_desktop.core import prefill
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.forms import check_forms
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.core.users import UserService
from weicha_desktop.resources import forms_dir

UNIT_NAME = "钦州市公安局钦南分局刑侦大队"
START = datetime(2026, 11, 27, 9, 41, 37, tzinfo=CST)  # the store's clock when the case is made


@pytest.fixture
def store(tmp_path):
    s = new_store(tmp_path / "data", clock=fixed_clock(START))
    yield s
    s.close()


@pytest.fixture
def tech(store):
    """A technician whose display name (张伟) is not his login name (zhangwei)."""
    admin = UserService(store).authenticate("admin", PASSWORD)
    UserService(store).add(admin, "zhangwei", "technician", PASSWORD, "张伟", badge_no="100123")
    return UserService(store).authenticate("zhangwei", PASSWORD)


@pytest.fixture
def cases(store, tech) -> CaseService:
    return CaseService(store, forms(), tech)


def test_a_new_case_starts_with_the_unit_the_user_now_and_the_photo_count(cases):
    data = cases.new_case().data
    assert data["investigating_unit"] == UNIT_NAME
    assert data["recorder"] == data["photographer"] == "张伟"  # display name, not "zhangwei"
    assert data["investigators"] == [{"name": "张伟", "unit": UNIT_NAME}]
    assert data["started_at"] == "2026-11-27T09:41:00+08:00"  # the store's clock, to the minute
    assert data["photo_total"] == 0
    assert "zhangwei" not in str(data)
    assert "evidence" not in data  # rows get theirs when they are added
    # the user named as a participant is the user (record_people matches display names)
    named = cases.store.conn.execute(
        "SELECT role, user_id FROM record_people WHERE record_id = ?", (cases.get(data["case_number"]).id,))
    assert {role: uid for role, uid in named} == {
        "recorder": cases.actor.id, "photographer": cases.actor.id, "investigators": cases.actor.id}


def test_given_values_win_and_none_leaves_a_field_empty(cases):
    data = cases.new_case({"recorder": "李明", "started_at": "2026-11-27T08:00:00+08:00",
                           "investigating_unit": None}).data
    assert (data["recorder"], data["started_at"]) == ("李明", "2026-11-27T08:00:00+08:00")
    assert "investigating_unit" not in data
    assert data["photographer"] == "张伟"


def test_the_clock_and_the_user_are_passed_in():
    spec = forms().latest("scene_investigation")
    ctx = prefill.Context(user="王芳", unit="某大队", now=datetime(2031, 2, 3, 4, 5, 59, tzinfo=CST),
                          photo_count=12)
    values = prefill.record_values(spec, ctx)
    assert values["started_at"] == "2031-02-03T04:05:00+08:00"
    assert values["photo_total"] == 12
    assert values["investigators"] == [{"name": "王芳", "unit": "某大队"}]
    # a user without a display name: no name is made up (never the login name)
    bare = prefill.record_values(spec, prefill.Context(user="", unit="", now=ctx.now))
    assert set(bare) == {"started_at", "photo_total"}
    # an evidence row: 提取人 and 提取时间, only where the row leaves them empty
    group = spec.field("evidence")
    assert prefill.row_values(group, ctx) == {"collector": "王芳",
                                              "collected_at": "2031-02-03T04:05:00+08:00"}
    assert prefill.row_values(group, ctx, {"collector": "李明"}) == {
        "collected_at": "2031-02-03T04:05:00+08:00"}
    assert prefill.prefilled_fields(spec) == [
        "investigating_unit", "started_at", "ended_at", "photo_total", "recorder", "photographer",
        "investigators", "evidence.collector", "evidence.collected_at"]


def test_prefill_context_takes_the_display_name_from_the_actor(store):
    ctx = prefill.context(store, Actor("x", "login_name", "technician", "显示名"))
    assert (ctx.user, ctx.unit, ctx.now.tzinfo is not None) == ("显示名", UNIT_NAME, True)


def test_the_command_line_new_case_is_prefilled_too(tmp_path):
    with new_store(tmp_path / "data") as store:
        admin = UserService(store).authenticate("admin", PASSWORD)
        UserService(store).add(admin, "zhangwei", "technician", PASSWORD, "张伟", badge_no="100123")
    result = run_cli(tmp_path / "data", "case", "new", "--json", user="zhangwei")
    assert result.returncode == 0, result.stderr
    with Store.open(tmp_path / "data") as store:
        tech = UserService(store).authenticate("zhangwei", PASSWORD)
        data = CaseService(store, forms(), tech).get(json.loads(result.stdout)["id"]).data
    assert (data["recorder"], data["investigating_unit"]) == ("张伟", UNIT_NAME)


@pytest.mark.parametrize("field, prefill_line, message", [
    ("sketch_count", "prefill: user", "prefill: user 不能用于 integer 字段"),
    ("sketcher", "prefill: today", "prefill 应为 user、unit、now、photo_count、photo_end 之一或同一层另一字段的 id（现为“today”）"),
    ("case_number", "prefill: unit", "只读（readonly）字段由系统填写，不用 prefill"),
    ("witnesses", "prefill: now", "prefill: now 不能用于 repeat 字段"),
])
def test_forms_check_names_a_wrong_prefill(tmp_path, field, prefill_line, message):
    target = tmp_path / "forms"
    shutil.copytree(forms_dir(), target)
    path = target / "scene_investigation.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = f"      - id: {field}\n"
    assert text.count(anchor) == 1
    text = text.replace(anchor, f"{anchor}        {prefill_line}\n")
    path.write_text(text, encoding="utf-8")
    line = text[:text.index(anchor)].count("\n") + 2
    assert check_forms(target) == [f"{path}:{line}: {field}: {message}"]


# ---- the form ------------------------------------------------------------------------------------
def test_the_form_of_a_new_case_shows_the_prefills_and_focuses_the_first_empty_field(app, qtbot, cases):
    view = open_view(qtbot, cases, cases.new_case().id)
    assert child(view, QLineEdit, "field_investigating_unit").text() == UNIT_NAME
    assert child(view, QLineEdit, "field_recorder").text() == "张伟"
    assert child(view, QLineEdit, "field_photographer").text() == "张伟"
    table = child(view, QTableWidget, "field_investigators")
    assert (table.rowCount(), table.item(0, 0).text(), table.item(0, 1).text()) == (1, "张伟", UNIT_NAME)
    started = child(view, QDateTimeEdit, "field_started_at")
    assert started.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-11-27 09:41"
    assert child(view, QSpinBox, "field_photo_total").value() == 0
    assert not view.is_dirty()  # shown as stored: nothing to save
    view.focus_first_empty()  # 现场勘验单位 is known: the first empty one is 指派/报告单位
    assert QApplication.focusWidget() is child(view, QLineEdit, "field_assigning_unit")


def test_a_new_evidence_row_starts_with_the_user_and_now(app, qtbot, cases):
    view = open_view(qtbot, cases, cases.new_case().id)
    view.tabs.setCurrentIndex([s.id for s in view.spec.sections].index("evidence_list"))
    click(qtbot, view, "field_evidence_add")
    table = child(view, QTableWidget, "field_evidence")
    cols = {f.id: i for i, f in enumerate(view.spec.field("evidence").fields)}
    assert table.item(0, cols["collector"]).text() == "张伟"
    assert table.item(0, cols["collected_at"]).text().startswith("2026-11-27 ")  # the clock's day
    table.item(0, cols["name"]).setText("撬压痕迹")
    row = view.values()["evidence"][0]
    assert row["collector"] == "张伟" and row["collected_at"].endswith("+08:00")


def test_the_photo_count_follows_the_photo_log_but_not_over_a_typed_number(app, qtbot, cases, tmp_path):
    view = open_view(qtbot, cases, cases.new_case().id)
    spin = child(view, QSpinBox, "field_photo_total")
    photos = PhotoService(cases.store, cases.actor, cases.forms)
    photos.import_files(view.case.id, card(tmp_path / "a", 2), workers=1)
    qtbot.waitUntil(lambda: spin.value() == 2, timeout=3000)  # the commits, heard by the form
    assert view.values()["photo_total"] == 2 and view.is_dirty()  # an edit like any other
    assert view.save() and cases.get(view.case.id).data["photo_total"] == 2

    spin.setValue(7)  # typed: 5 more on another camera
    photos.import_files(view.case.id, card(tmp_path / "b", 1), workers=1)
    QApplication.processEvents()  # the commits' signal (queued) is delivered
    assert spin.value() == 7


def test_a_user_without_a_display_name_gets_no_name_prefilled(store):
    nameless = Actor(UserService(store).authenticate("admin", PASSWORD).id, "admin", "admin", "")
    data = CaseService(store, forms(), nameless).new_case().data
    assert "recorder" not in data and "investigators" not in data and "admin" not in str(data)
    assert data["investigating_unit"] == UNIT_NAME
