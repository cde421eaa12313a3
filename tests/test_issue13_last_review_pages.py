"""The review queue of 采集 (and 巡逻, 互动) is paged as the kinds' lists are: ~600 finalized
persons (built in one write) and a place show a page first, newest first across the kinds,
and the rest arrive as the table is scrolled to its end — none left out (it stopped at 500
of a kind before), none twice, in order."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTableWidget

from weicha_desktop.core.collect import PlaceService
from weicha_desktop.gui.cases.list import PAGE_SIZE
from weicha_desktop.gui.review.collect import ID_ROLE, CollectReviewQueue

from tests.gui_support import app, child, dialogs  # noqa: F401 (fixtures)
from tests.support import admin, forms, store  # noqa: F401 (fixtures)
from tests.test_issue13_lazy_lists import fill


def test_the_review_queue_fetches_every_finalized_record_as_it_scrolls(app, qtbot, store, admin, dialogs):
    fill(store, 1800)  # a third finalized: ~600 persons waiting
    place = PlaceService(store, forms(), admin).create({"name": "钦州港加油站", "place_type": "shop", "address": "钦州港区"})
    PlaceService(store, forms(), admin).finalize(place.id)  # the newest: first, from another kind
    persons = [r[0] for r in store.conn.execute(
        "SELECT id FROM records WHERE kind = 'person' AND status = 'finalized' ORDER BY updated_at DESC, id DESC")]
    assert len(persons) > 500
    queue = CollectReviewQueue(store, forms(), admin)
    qtbot.addWidget(queue)
    queue.resize(900, 700)
    queue.show()
    table = child(queue, QTableWidget, "collectReviewQueue")
    count = child(queue, QLabel, "collectReviewCount")
    assert table.rowCount() == PAGE_SIZE
    assert count.text() == f"已显示 {PAGE_SIZE} / 共 {len(persons) + 1} 条待审核"
    for _ in range(5):  # scrolled to the end: the next page comes
        table.scrollToBottom()
        app.processEvents()
    shown = [table.item(i, 0).data(ID_ROLE)[1] for i in range(table.rowCount())]
    assert shown == [place.id, *persons]
    assert count.text() == f"共 {len(persons) + 1} 条待审核"
    queue.refresh()  # a change re-reads the queue: the rows shown stay shown
    assert table.rowCount() == len(persons) + 1
