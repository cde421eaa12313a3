"""审核 → 巡逻 and 审核 → 互动 in the real window, beside 勘验 and 采集: a supervisor returns a
finalized patrol with a comment (a draft again, first in the 巡逻 list) and approves a
finalized request; the queues hold only finalized records of their kind; nobody reviews a
record of their own (the buttons off, the reason said before a try)."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPlainTextEdit, QPushButton, QTableView, QTableWidget

from weicha_desktop.core.patrol import PatrolService
from weicha_desktop.core.requests import RequestService
from weicha_desktop.core.users import UserService
from weicha_desktop.gui.review.collect import CollectReviewQueue
from weicha_desktop.gui.shell.main_window import MainWindow

from tests.gui_support import app, child, dialogs  # noqa: F401 (fixtures)
from tests.support import PASSWORD, admin, forms, store  # noqa: F401 (fixtures)


def test_a_supervisor_returns_a_patrol_and_approves_a_request(app, qtbot, store, admin, dialogs):
    users = UserService(store)
    tech = users.add(admin, "李明", "technician", PASSWORD, badge_no="200014")
    boss = users.add(admin, "周建国", "supervisor", PASSWORD, badge_no="200051")
    patrols, requests = PatrolService(store, forms(), tech), RequestService(store, forms(), tech)
    patrol = patrols.create({"area": "文峰路一带", "mode": "car"})
    patrols.end(patrol.id)
    patrols.finalize(patrol.id)
    patrols.create({"area": "港口一带"})  # a draft: not waiting
    request = requests.create({"request_type": "alarm", "source": "phone", "content": "有人呼救"})
    requests.step(request.id, "in_progress", "已派员")
    requests.step(request.id, "done", "已送医")
    requests.finalize(request.id)

    window = MainWindow(store, forms(), boss)
    qtbot.addWidget(window)
    window.show()
    review = window.show_page("review")
    assert review.findChildren(CollectReviewQueue) == []  # the other kinds' queues: made when first chosen
    child(review, QPushButton, "reviewKindPatrol").click()
    queue = child(review, CollectReviewQueue, "patrolReviewPage")
    assert queue.isVisible() and len(review.findChildren(CollectReviewQueue)) == 1
    table = child(queue, QTableWidget, "collectReviewQueue")
    qtbot.waitUntil(lambda: table.rowCount() == 1)
    assert table.item(0, 0).text() == "巡逻" and "文峰路一带" in table.item(0, 1).text()
    assert queue.form is not None and queue.form.case.id == patrol.id
    assert type(queue.form).__name__ == "PatrolForm"  # the patrol's own form, with its 小结
    child(queue, QPlainTextEdit, "collectReviewComment").setPlainText("补记发现情况")
    child(queue, QPushButton, "collectReturnButton").click()
    back = PatrolService(store, forms(), boss).get(patrol.id)
    assert back.status == "draft" and back.returned_comment == "补记发现情况"
    assert table.rowCount() == 0 and queue.form is None
    patrol_list = child(window.show_page("patrol"), QTableView, "collectList_patrol").model()
    assert patrol_list.index(0, 3).data() == "退回补正"  # first in its list
    assert patrol_list.index(0, 0).data(256) == patrol.id

    review = window.show_page("review")
    request_choice = child(review, QPushButton, "reviewKindRequest")
    request_choice.setFocus()
    qtbot.keyClick(request_choice, Qt.Key.Key_Space)  # chosen by the keyboard: made and shown too
    queue = child(review, CollectReviewQueue, "requestReviewPage")
    assert queue.isVisible()
    table = child(queue, QTableWidget, "collectReviewQueue")
    qtbot.waitUntil(lambda: table.rowCount() == 1)
    assert table.item(0, 0).text() == "群众诉求" and queue.form.case.id == request.id
    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    child(queue, QPushButton, "collectApproveButton").click()
    assert RequestService(store, forms(), boss).get(request.id).status == "reviewed"
    actions = [e.action for e in store.audit_entries() if e.object_kind in ("patrol", "request")]
    assert actions[-1] == "request.approve" and "patrol.return" in actions

    # the technician's own patrol, finalized again: not theirs to review
    patrols.finalize(patrol.id)
    own = CollectReviewQueue(store, forms(), tech, scope="patrol")
    qtbot.addWidget(own)
    own.show()
    assert own.form is not None and own.form.case.id == patrol.id
    assert not child(own, QPushButton, "collectApproveButton").isEnabled()
    assert not child(own, QPushButton, "collectReturnButton").isEnabled()
    assert own.message.text()
