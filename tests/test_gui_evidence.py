"""物证登记: the 痕迹物证 register of an open case — 必比 status through CaseService.update with
the H numbers kept, 比中 only with a result, labels PDF, read-only once finalized."""
from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialogButtonBox, QFileDialog, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QSpinBox, QTableWidget)
from pypdf import PdfReader

from gui_support import admin, app, cases, child, complete_values, dialogs, store, type_into  # noqa: F401
from photo_gui_support import evidence, logged, on_next_dialog, open_pages


DAY = QDate.currentDate().addDays(-3)  # a comparison is dated today or earlier
ON = DAY.toString("yyyy-MM-dd")


def click(qtbot, widget, name: str) -> None:
    qtbot.mouseClick(child(widget, QPushButton, name), Qt.MouseButton.LeftButton)


def status_cells(register) -> list[str]:
    table = child(register, QTableWidget, "evidenceTable")
    return [table.item(r, 9).text() for r in range(table.rowCount())]


def answer_comparison(qtbot, result: str, *, first_empty: bool = False, errors: list | None = None):
    """Fill the comparison dialog when it opens (optionally try OK with no result first)."""
    def fill(dialog) -> None:
        ok = child(dialog, QDialogButtonBox, "comparisonButtons").button(QDialogButtonBox.StandardButton.Ok)
        if first_empty:
            qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
            error = child(dialog, QLabel, "comparisonError")
            errors.append((dialog.isVisible(), error.isVisible(), error.text()))
        child(dialog, QDateEdit, "comparedOn").setDate(DAY)
        type_into(qtbot, child(dialog, QLineEdit, "comparisonResult"), result)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    on_next_dialog(fill)


def test_status_moves_sent_then_match_or_no_match_and_keeps_the_numbers(app, qtbot, cases):
    case = cases.new_case({"evidence": evidence(), "recorder": None})  # typed below
    numbers = [r["number"] for r in case.data["evidence"]]
    view, pages = open_pages(qtbot, cases, case.id)
    register = pages.show_register()
    table = child(register, QTableWidget, "evidenceTable")
    assert [table.item(r, 1).text() for r in range(2)] == numbers
    assert status_cells(register) == ["未送检", "未送检"]
    assert not child(register, QPushButton, "matchButton").isEnabled()
    # an unsaved edit in the form is saved first, not lost or overwritten
    type_into(qtbot, child(view, QLineEdit, "field_recorder"), "张伟")
    click(qtbot, register, "sendButton")
    saved = cases.get(case.id)
    assert saved.data["recorder"] == "张伟"
    assert [r["comparison_status"] for r in saved.data["evidence"]] == ["submitted", "not_sent"]
    assert status_cells(register) == ["已送检", "未送检"]
    assert not child(register, QPushButton, "sendButton").isEnabled()

    errors: list = []
    answer_comparison(qtbot, "比中前科人员张某右手拇指", first_empty=True, errors=errors)
    click(qtbot, register, "matchButton")
    assert errors == [(True, True, "比中须写明比对结果（比中对象），否则不能保存。")]
    row = cases.get(case.id).data["evidence"][0]
    assert (row["comparison_status"], row["compared_on"], row["comparison_result"]) == \
        ("match", ON, "比中前科人员张某右手拇指")
    assert table.item(0, 10).text() == f"{ON} 比中前科人员张某右手拇指"

    register.select_number(numbers[1])
    click(qtbot, register, "sendButton")
    answer_comparison(qtbot, "")
    click(qtbot, register, "noMatchButton")
    rows = cases.get(case.id).data["evidence"]
    assert [r["number"] for r in rows] == numbers  # never renumbered
    assert [r["comparison_status"] for r in rows] == ["match", "no_match"]
    assert "comparison_result" not in rows[1] and rows[1]["compared_on"] == ON
    assert view.case.data["evidence"] == rows  # the form shows what was saved
    assert len(logged(cases.store, "case.update")) == 5  # the form's edit + four changes
    # and the same rule holds without the dialog
    assert register.set_status(numbers[1], "match", "2026-12-04", "") is None
    assert "比中须写明" in child(register, QLabel, "evidenceMessage").text()
    assert cases.get(case.id).data["evidence"][1]["comparison_status"] == "no_match"


def test_labels_pdf_has_every_h_number_and_the_print_is_logged(app, qtbot, cases, tmp_path, monkeypatch):
    """First refused inside the data folder (nothing written, nothing logged), then printed
    where chosen (one form for both)."""
    from weicha_desktop.core import safe_output

    case = cases.new_case({"evidence": evidence()})
    numbers = [r["number"] for r in case.data["evidence"]]
    _view, pages = open_pages(qtbot, cases, case.id)
    register = pages.show_register()

    # the register passes the store's data folder to the output checks (not only the
    # fallback that finds a data folder by its database file)
    inside = cases.store.data_dir / "blobs" / "labels.pdf"
    with monkeypatch.context() as mp:
        mp.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(inside), a[-1]))
        mp.setattr(safe_output, "_is_data_folder", lambda folder: False)
        on_next_dialog(lambda dialog: dialog.accept())
        click(qtbot, register, "labelsButton")
    assert not inside.exists()
    assert "数据文件夹" in child(register, QLabel, "evidenceMessage").text()
    assert logged(cases.store, "evidence.labels") == []

    asked, opened = [], []

    def save_as(parent, title, default, filters):
        asked.append(default)
        return str(tmp_path / "labels"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))

    def choose(dialog) -> None:
        combo = child(dialog, QComboBox, "labelLayout")
        combo.setCurrentIndex(dialog.keys.index("2x7"))
        skip = child(dialog, QSpinBox, "labelSkip")
        assert skip.maximum() == 13
        skip.setValue(3)
        dialog.accept()

    on_next_dialog(choose)
    click(qtbot, register, "labelsButton")
    out = tmp_path / "labels.pdf"
    assert asked[0].endswith(f"物证标签-{case.number}.pdf")
    assert opened == [str(out)]
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert all(n in text for n in numbers)
    entry = logged(cases.store, "evidence.labels")[-1]
    assert entry.object_id == case.id and entry.details["layout"] == "2x7" and entry.details["skip"] == 3
    assert "2 张标签" in child(register, QLabel, "evidenceMessage").text()


def test_a_finalized_case_has_a_read_only_register_that_still_prints(app, qtbot, cases, dialogs):
    values = complete_values()
    values.pop("no_evidence_reason")
    values["evidence"] = [{**row, "comparison_status": "submitted"} for row in evidence()]
    case = cases.new_case(values)
    view, pages = open_pages(qtbot, cases, case.id)
    register = pages.show_register()
    assert child(register, QPushButton, "matchButton").isEnabled()
    dialogs.answers = [QMessageBox.StandardButton.Yes]
    assert view.finalize()
    assert child(register, QLabel, "evidenceReadonlyNote").isVisible()
    for name in ("sendButton", "matchButton", "noMatchButton"):
        assert not child(register, QPushButton, name).isEnabled()
    assert child(register, QPushButton, "labelsButton").isEnabled()
    assert register.set_status(case.data["evidence"][0]["number"], "no_match", "2026-12-03") is None
    assert cases.get(case.id).data["evidence"][0]["comparison_status"] == "submitted"


def test_linked_photos_are_shown_for_the_selected_item(app, qtbot, cases, tmp_path):
    from photo_gui_support import card
    from weicha_desktop.core.photos import PhotoService

    case = cases.new_case({"evidence": evidence()})
    number = case.data["evidence"][1]["number"]
    photos = PhotoService(cases.store, cases.actor, cases.forms)
    photos.import_files(case.id, card(tmp_path / "DCIM", 3), workers=1)
    for photo in photos.list(case.id)[1:]:
        photos.update(photo.id, evidence_number=number)
    _view, pages = open_pages(qtbot, cases, case.id)
    register = pages.show_register()
    table = child(register, QTableWidget, "evidenceTable")
    assert [table.item(r, 11).text() for r in range(2)] == ["0", "2"]
    register.select_number(number)
    linked = register.linked_list
    assert [linked.item(i).text() for i in range(linked.count())] == ["2 号", "3 号"]
    assert child(register, QLabel, "linkedPhotosLabel").text() == f"{number} 的关联照片：2 张"
    qtbot.waitUntil(lambda: not linked.item(1).icon().isNull(), timeout=5000)
