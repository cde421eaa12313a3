"""Hostile review of the lazy inputs (gui/forms/lazy.py): records the lazy reading is not sure
of, opened by a technician; what is saved must be what the form with every input made saves."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTableWidget

from form_support import open_view
from gui_support import app, child, dialogs  # noqa: F401  (fixtures)
from module_folder import admin, cases, store  # noqa: F401  (each test makes its own case)
from test_review_form_odd_values import stored_by_an_older_version

pytestmark = pytest.mark.usefixtures("dialogs")


@pytest.mark.parametrize("odd", [
    pytest.param({"evidence": [{"name": "撬棍"}, "不是一行"]}, id="a-row-not-a-row"),
    pytest.param({"evidence": "不是表"}, id="not-a-table"),
    pytest.param({"evidence": [{"name": "撬棍"}], "witnesses": "不是表", "remarks": "一\r\n二"}, id="and-other-tabs"),
])
def test_a_table_its_tab_makes_at_the_open_does_not_crash_the_form(app, qtbot, cases, odd):
    """The 物证 table's tab is made at the open when its rows are odd (written by an older
    version); its cells follow relevance, which read the whole form while the odd fields had
    no value yet: KeyError, the case could not be opened."""
    case_id = stored_by_an_older_version(cases, odd)
    view = open_view(qtbot, cases, case_id)
    lazy = (view.values(), view.changes())
    view.make_all()
    assert (view.values(), view.changes()) == lazy  # as the form with every input made
    view.tabs.setCurrentIndex([s.id for s in view.spec.sections].index("evidence_list"))
    table = child(view, QTableWidget, "field_evidence")
    names = [table.item(r, 1).text() if table.item(r, 1) else "" for r in range(table.rowCount())]
    assert ("撬棍" in names) == isinstance(odd["evidence"], list)
