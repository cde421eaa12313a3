"""采集's vehicle and place captured through the real window (the person: test_collect_gui.py;
a check: test_check_gui.py): 新建 with the plate, the form's choices and text typed, 保存 — the
plate's kind and the VIN's check are the core's, the list follows; a place with its type and
coordinates."""
import pytest
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLineEdit, QPushButton, QTableView

from weicha_desktop.core.collect import PlaceService, VehicleService
from weicha_desktop.gui.shell.main_window import MainWindow

from tests.gui_support import app, child, dialogs, type_into  # noqa: F401 (fixtures)
from tests.support import admin, forms, store  # noqa: F401 (fixtures)

VIN = "LSVAU218XN2183294"


@pytest.fixture
def page(app, qtbot, store, admin, dialogs):
    window = MainWindow(store, forms(), admin)
    qtbot.addWidget(window)
    window.show()
    return window.show_page("collect")


def choose(form, field: str, words: str) -> None:
    combo = child(form, QComboBox, f"field_{field}")
    combo.setCurrentIndex(combo.findText(words))  # as a user picks it: by its words


def test_a_vehicle_and_a_place_captured_through_the_window(page, qtbot, store, admin):
    cars = page.show_kind("vehicle")
    type_into(qtbot, child(cars, QLineEdit, "collectKey_vehicle"), "桂n·df1234")
    child(cars, QPushButton, "collectNew_vehicle").click()
    form = cars.form
    assert form is not None and form.objectName() == "collectForm_vehicle"
    choose(form, "vehicle_type", "小型汽车")
    type_into(qtbot, child(form, QLineEdit, "field_brand"), "比亚迪秦")
    type_into(qtbot, child(form, QLineEdit, "field_vin"), VIN.lower())
    assert form.save()
    [row] = VehicleService(store, forms(), admin).list()
    car = VehicleService(store, forms(), admin).get(row["id"])
    assert (car.data["plate"], car.data["plate_kind"], car.data["vin"], car.data["brand"],
            car.data["vehicle_type"]) == ("桂NDF1234", "new_energy_small", VIN, "比亚迪秦", "small_car")
    table = child(cars, QTableView, "collectList_vehicle")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1 and table.model().index(0, 0).data() == "桂NDF1234")

    places = page.show_kind("place")
    child(places, QPushButton, "collectNew_place").click()
    form = places.form
    type_into(qtbot, child(form, QLineEdit, "field_name"), "钦州港加油站")
    choose(form, "place_type", "商铺")
    type_into(qtbot, child(form, QLineEdit, "field_address"), "钦州市钦南区港口大道 8 号")
    child(form, QDoubleSpinBox, "field_location.lat").setValue(21.7)
    child(form, QDoubleSpinBox, "field_location.lon").setValue(108.6)
    assert form.save()
    [row] = PlaceService(store, forms(), admin).list()
    place = PlaceService(store, forms(), admin).get(row["id"])
    assert place.data["name"] == "钦州港加油站" and place.data["place_type"] == "shop"
    assert place.data["location"]["lat"] == pytest.approx(21.7) and place.data["location"]["lon"] == pytest.approx(108.6)
    assert [e.action for e in store.audit_entries() if e.object_kind in ("vehicle", "place")][:1] == ["vehicle.create"]


def test_a_person_page_names_the_patrols_it_is_linked_to(page, store, admin):
    from weicha_desktop.core.collect import LinkService, PersonService
    from weicha_desktop.core.patrol import PatrolService

    person = PersonService(store, forms(), admin).create({"name": "黄丽"})
    patrol = PatrolService(store, forms(), admin).create({})
    LinkService(store, forms(), admin).link(person.id, patrol.id, "witness")
    links = page.show_kind("person").open(person.id).links.list
    assert [links.item(i).text() for i in range(links.count())] == ["→ 证人  2026-11-27 09:00（巡逻）"]


def test_the_collect_lists_filter_by_status_returned_first(page, qtbot, store, admin):
    from weicha_desktop.core.collect import PersonService
    from weicha_desktop.core.users import UserService

    from tests.support import PASSWORD

    boss = UserService(store).add(admin, "周建国", "supervisor", PASSWORD, badge_no="200051")
    people = PersonService(store, forms(), admin)
    for name in ("甲", "乙", "丙"):
        people.finalize(people.create({"name": name, "gender": "male"}).id)
    PersonService(store, forms(), boss).review(people.list(text="乙")[0]["id"], approve=False, comment="补充住址")
    PersonService(store, forms(), boss).review(people.list(text="丙")[0]["id"], approve=True)
    kind = page.show_kind("person")
    table, status = child(kind, QTableView, "collectList_person"), child(kind, QComboBox, "collectStatus_person")
    qtbot.waitUntil(lambda: table.model().rowCount() == 3)
    assert table.model().index(0, 0).data() == "乙"  # the returned draft first
    shown = {}
    for i in range(status.count()):
        status.setCurrentIndex(i)
        shown[status.currentText()] = [table.model().index(r, 0).data() for r in range(table.model().rowCount())]
    assert shown == {"全部状态": ["乙", "丙", "甲"], "退回补正": ["乙"], "草稿": ["乙"],
                     "已定稿（待审核）": ["甲"], "已审核": ["丙"]}, shown


def test_the_information_sheet_is_exported_from_the_window(page, qtbot, store, admin, tmp_path):
    from weicha_desktop.core.collect import PersonService

    person = PersonService(store, forms(), admin).create({"name": "黄丽"})
    kind = page.show_kind("person")
    assert kind.export_sheet(str(tmp_path / "x.pdf")) is None and "请先" in kind.message.text()
    kind.open(person.id)
    kind.export_sheet(str(store.data_dir / "x.pdf"))  # the data folder: refused, said
    qtbot.waitUntil(lambda: kind.sheet_button.isEnabled(), timeout=5000)
    assert "数据文件夹" in kind.message.text() and not (store.data_dir / "x.pdf").exists()
    kind.export_sheet(str(tmp_path / "li.pdf"))
    qtbot.waitUntil(lambda: kind.sheet_button.isEnabled(), timeout=5000)
    assert "已导出信息表" in kind.message.text() and (tmp_path / "li.pdf").stat().st_size > 1000
    assert [e.action for e in store.audit_entries()][-1] == "collect.report"
