"""采集 in the real window (gui/collect): a person captured through the navigation's 采集 page —
新建 with an ID number, the name typed, 保存 — fills gender, birth date and region from the
number; an ID number another person has offers that record; the record is linked to a case
from its 关联 view; the list follows."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import (QComboBox, QLineEdit, QListWidget, QMessageBox, QPushButton,
                               QTableView)

from gui_support import admin, app, child, dialogs, forms, store, type_into  # noqa: F401
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.collect import PersonService, VehicleService
from weicha_desktop.core.demo import scene_values
from weicha_desktop.gui.collect.page import CollectPage
from weicha_desktop.gui.shell.main_window import MainWindow

LI = "11010519491231002X"


@pytest.fixture
def window(app, qtbot, store, admin, dialogs):
    win = MainWindow(store, forms(), admin)
    qtbot.addWidget(win)
    win.show()
    return win


def test_a_person_captured_through_the_window(window, qtbot, store, admin, dialogs):
    page = window.show_page("collect")
    assert isinstance(page, CollectPage) and page.tabText(0) == "人员"
    assert list(page.kinds) == ["person"]  # 车辆 and 场所: made when their tab is first chosen
    page.tabBar().setCurrentIndex(2)  # a click on 场所
    assert list(page.kinds) == ["person", "place"] and page.kinds["place"].isVisible()
    people = page.show_kind("person")
    type_into(qtbot, child(people, QLineEdit, "collectKey_person"), LI.lower())
    child(people, QPushButton, "collectNew_person").click()
    form = people.form
    assert form is not None and form.objectName() == "collectForm_person"
    type_into(qtbot, child(form, QLineEdit, "field_name"), "黄丽")
    type_into(qtbot, child(form, QLineEdit, "field_phone"), "0777-2821234")
    assert form.save()
    [row] = PersonService(store, forms(), admin).list()
    assert (row["name"], row["id_number"], row["gender"], row["birth_date"]) == ("黄丽", LI, "female", "1949-12-31")
    record = PersonService(store, forms(), admin).get(LI)
    assert record.data["id_region"] == "北京市朝阳区" and record.data["phone"] == "07772821234"
    assert child(form, QLineEdit, "field_id_region").text() == "北京市朝阳区"  # shown, read-only
    assert "黄丽 " + LI in form.header.title.text()
    table = child(people, QTableView, "collectList_person")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1 and table.model().index(0, 0).data() == "黄丽")  # the commit's event
    assert table.model().index(0, 1).data() == "女" and table.model().index(0, 4).data() == "草稿"

    # the same number again: the existing record is offered (打开) instead of a second one
    dialogs.answers.append(QMessageBox.StandardButton.Open)
    type_into(qtbot, child(people, QLineEdit, "collectKey_person"), LI)
    child(people, QPushButton, "collectNew_person").click()
    assert "已有身份证号为" in dialogs.texts() and people.form.case.id == record.id
    assert len(PersonService(store, forms(), admin).list()) == 1

    # linked to a case as a witness from the form's 关联 view; a case naming the number is listed
    named = scene_values(2)
    named["witnesses"][0]["id_number"] = LI
    named_case = CaseService(store, forms(), admin).new_case(named)
    case = CaseService(store, forms(), admin).new_case()
    links = people.form.links
    type_into(qtbot, child(links, QLineEdit, "linkTarget"), case.number)
    roles = child(links, QComboBox, "linkRole")
    roles.setCurrentIndex(roles.findData("witness"))
    child(links, QPushButton, "linkAdd").click()
    texts = [child(links, QListWidget, "linkList").item(i).text() for i in range(links.list.count())]
    assert texts == [f"→ 证人  {case.number}（勘验）",
                     f"＝ 出现在 {named_case.number} {named['incident_address']}（勘验，见证人）"]  # where, in words: not the path
    assert [e.action for e in store.audit_entries() if e.object_kind == "link"] == ["link.add"]

    # a vehicle's page names its owner's person record
    car = VehicleService(store, forms(), admin).create({"plate": "桂N12345", "vehicle_type": "small_car",
                                                       "owner": {"name": "黄丽", "id_number": LI}})
    owned = page.show_kind("vehicle").open(car.id).links.list
    assert owned.item(0).text() == f"＝ 本记录的 owner.id_number：黄丽 {LI}（人员）"

    # the search filters the list once typing pauses
    PersonService(store, forms(), admin).create({"name": "王芳"})
    qtbot.waitUntil(lambda: table.model().rowCount() == 2)
    type_into(qtbot, child(people, QLineEdit, "collectSearch_person"), "王")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1)
    assert table.model().index(0, 0).data() == "王芳"


def test_closing_the_window_saves_the_open_form(window, qtbot, store, admin):
    people = window.show_page("collect").show_kind("person")
    child(people, QPushButton, "collectNew_person").click()
    type_into(qtbot, child(people.form, QLineEdit, "field_name"), "韦海燕")
    window.close()
    [row] = PersonService(store, forms(), admin).list()
    assert row["name"] == "韦海燕"
