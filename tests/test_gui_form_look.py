"""What a technician sees in the form's new states (recovered draft, blocked finalize, returned,
amend dialog): rendered at 1280x800, every text drawn by the shipped font."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from form_support import open_view
from gui_support import (admin, app, cases, complete_values, dialogs, forms,  # noqa: F401
                         invisible_chars, store, visible_texts)
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.users import UserService
from weicha_desktop.gui.forms.amend_dialog import AmendDialog

pytestmark = pytest.mark.usefixtures("dialogs")


def drawn(widget, app, path) -> set[str]:
    QApplication.processEvents()
    QApplication.processEvents()  # the layout after banners appear or go
    image = widget.grab()
    assert image.save(str(path)) and (image.width(), image.height()) == (widget.width(), widget.height())
    family = app.font().family()
    texts = visible_texts(widget)
    bad = {t: invisible_chars(t, family) for t in texts if invisible_chars(t, family)}
    assert not bad, f"characters drawn as nothing or boxes: {bad}"
    return texts


def test_recovered_and_blocked_forms_draw_every_character(app, qtbot, cases, tmp_path):
    case = cases.new_case({"case_type": "burglary",
                           "evidence": [{"name": "灰尘减层手印", "category": "fingerprint", "quantity": 1}]})
    cases.autosave(case.id, {"scene_state": "altered", "recorder": "张伟"})
    view = open_view(qtbot, cases, case.id)
    view.tabs.setCurrentIndex(3)
    texts = drawn(view, app, tmp_path / "form_recovered.png")
    assert any(t.startswith("已恢复上次未保存的草稿") for t in texts) and "放弃恢复(X)" in texts

    assert not view.finalize()
    view.focus_path("evidence[0].comparison_status")
    texts = drawn(view, app, tmp_path / "form_blocked.png")
    assert any(t.startswith("不能定稿：尚缺") for t in texts)
    assert any("第1件物证尚未送检比对（必比）" in t for t in texts)


def test_returned_form_and_amend_dialog_draw_every_character(app, qtbot, cases, store, admin,
                                                             tmp_path):
    boss = UserService(store).add(admin, "周建国", "supervisor", "boss-pass-1", badge_no="200012")
    case = cases.finalize(cases.new_case(complete_values()).id)
    dialog = AmendDialog(case)
    qtbot.addWidget(dialog)
    dialog.show()
    drawn(dialog, app, tmp_path / "amend_dialog.png")
    CaseService(store, forms(), boss).review(case.id, approve=False, comment="请补充现场访问情况")
    view = open_view(qtbot, cases, case.id, lang="en")
    texts = drawn(view, app, tmp_path / "form_returned_en.png")
    assert "Scene findings" in texts
