"""审核 → 采集 in the real window: a supervisor sees the finalized persons, vehicles and places
beside the cases' queue, returns one with a comment (a draft again, first in its 采集 list) and
approves another; nobody reviews what they collected themselves."""
from PySide6.QtWidgets import QMessageBox, QPlainTextEdit, QPushButton, QTableWidget

from weicha_desktop.core.collect import PersonService, PlaceService, VehicleService
from weicha_desktop.core.users import UserService
from weicha_desktop.gui.review.collect import CollectReviewQueue
from weicha_desktop.gui.shell.main_window import MainWindow

from tests.gui_support import app, child, dialogs  # noqa: F401 (fixtures)
from tests.support import PASSWORD, admin, forms, store  # noqa: F401 (fixtures)


def test_a_supervisor_reviews_collect_records_beside_cases(app, qtbot, store, admin, dialogs):
    users = UserService(store)
    tech = users.add(admin, "李明", "technician", PASSWORD, badge_no="200014")
    boss = users.add(admin, "周建国", "supervisor", PASSWORD, badge_no="200051")
    person = PersonService(store, forms(), tech).create({"name": "黄丽", "id_number": "11010519491231002X"})
    PersonService(store, forms(), tech).finalize(person.id)
    car = VehicleService(store, forms(), tech).create({"plate": "桂N12345", "vehicle_type": "small_car"})
    VehicleService(store, forms(), tech).finalize(car.id)
    PlaceService(store, forms(), tech).create({"name": "钦州港加油站"})  # a draft: not waiting

    window = MainWindow(store, forms(), boss)
    qtbot.addWidget(window)
    window.show()
    review = window.show_page("review")
    child(review, QPushButton, "reviewKindCollect").click()
    queue = child(review, CollectReviewQueue, "collectReviewPage")
    table = child(queue, QTableWidget, "collectReviewQueue")
    qtbot.waitUntil(lambda: table.rowCount() == 2)
    assert {table.item(i, 1).text() for i in range(2)} == {"黄丽 11010519491231002X", "桂N12345"}

    table.selectRow([table.item(i, 1).text() for i in range(2)].index("桂N12345"))
    assert queue.form is not None and queue.form.case.id == car.id
    child(queue, QPushButton, "collectReturnButton").click()  # no comment: refused, said
    assert "请写明需要补正的内容" in queue.message.text()
    child(queue, QPlainTextEdit, "collectReviewComment").setPlainText("车辆识别代号未填")
    child(queue, QPushButton, "collectReturnButton").click()
    returned = VehicleService(store, forms(), boss).get(car.id)
    assert returned.status == "draft" and returned.returned_comment == "车辆识别代号未填"
    assert table.rowCount() == 1 and queue.form.case.id == person.id  # the next one opens

    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    child(queue, QPushButton, "collectApproveButton").click()
    assert PersonService(store, forms(), boss).get(person.id).status == "reviewed"
    assert table.rowCount() == 0 and queue.form is None
    actions = [e.action for e in store.audit_entries() if e.object_kind in ("person", "vehicle")]
    assert actions[-2:] == ["vehicle.return", "person.approve"]

    # the technician's own record: the buttons are off and the reason is said before a try
    VehicleService(store, forms(), tech).finalize(car.id)
    own = CollectReviewQueue(store, forms(), tech)
    qtbot.addWidget(own)
    own.show()
    assert own.form is not None and not child(own, QPushButton, "collectApproveButton").isEnabled()
    assert own.message.text()

