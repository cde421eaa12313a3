"""报告: the report dialog of a case — parts, photos per page, 预览 / 打印 / 导出 PDF on a worker
with progress and 取消, the work log, the printing backend, the header's 报告… button (case
tab and review page), a GUI thread that keeps breathing while 12 photos are laid out."""
from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFileDialog, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QTableWidget)

from gui_support import (Heartbeat, admin, app, cases, child, complete_values, forms, invisible_chars,  # noqa: F401
                         store, type_into, visible_texts)
from pdf_support import page_count, text
from photo_gui_support import card, logged, open_pages
from support import PASSWORD
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.reports import photosheets
from weicha_desktop.core.reports.service import PARTS, ReportService
from weicha_desktop.core.users import UserService
from weicha_desktop.gui.common.settings import Settings
from weicha_desktop.gui.reports import printing as report_print
from weicha_desktop.gui.reports.dialog import ReportDialog
from weicha_desktop.gui.reports.printing import PrintChoice, PrintFailed, sweep_cache, system_print
from weicha_desktop.gui.shell.main_window import MainWindow

PRINTER = "刑侦大队-HP4250"


class Fakes:
    """The injected opener and printing backend: they record, they launch nothing."""

    def __init__(self):
        self.opened: list[tuple[Path, bool]] = []
        self.printed: list[tuple[Path, str, int, bool]] = []
        self.opens = True

    def opener(self, path: Path) -> bool:
        self.opened.append((path, path.is_file()))
        return self.opens

    def printer(self, path: Path, name: str, copies: int) -> None:
        self.printed.append((path, name, copies, path.is_file() and path.read_bytes()[:5] == b"%PDF-"))


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


def with_photos(cases, tmp_path: Path, n: int, size=(800, 600), one_picture: bool = False, **values):
    case = cases.new_case({**complete_values(), **values})
    files = card(tmp_path / "card", n, size=size, one_picture=one_picture)
    PhotoService(cases.store, cases.actor, cases.forms).import_files(case.id, files, workers=1 if n < 4 else None)
    return cases.get(case.id)


def open_dialog(qtbot, cases, case, fakes: Fakes, settings: Settings | None = None) -> ReportDialog:
    reports = ReportService(cases, PhotoService(cases.store, cases.actor, cases.forms))
    dialog = ReportDialog(reports, case, settings=settings, opener=fakes.opener, printer=fakes.printer)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def click(qtbot, dialog, name: str) -> None:
    button = child(dialog, QPushButton, name)
    assert button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def tick(dialog, **parts: bool) -> None:
    for key, on in parts.items():
        child(dialog, QCheckBox, f"part_{key}").setChecked(on)


def wait_done(qtbot, dialog, timeout: int = 20000) -> str:
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=timeout)
    return child(dialog, QLabel, "reportMessage").text()


def export_to(monkeypatch, path: Path) -> list:
    asked = []

    def save(parent, caption, start, filters):
        asked.append(Path(start).name)
        return str(path), filters
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    return asked


def part_of_page(page: str) -> str:
    """The part named in a page's running header/footer (its last lines)."""
    tail = page[-160:]
    return next(key for key, name in PARTS.items() if name in tail)


# ---- the choices ---------------------------------------------------------------------------------
def test_photos_per_page_follows_the_photo_part_and_one_part_is_required(app, qtbot, cases, tmp_path,
                                                                        fakes):
    case = with_photos(cases, tmp_path, 2)
    dialog = open_dialog(qtbot, cases, case, fakes)
    per_page = child(dialog, QComboBox, "photosPerPage")
    assert [per_page.itemData(i) for i in range(per_page.count())] == [1, 2, 4]
    assert dialog.chosen_parts() == ("note", "register", "photos")  # 附件4 only when asked for
    assert per_page.isEnabled() and per_page.currentData() == 2
    assert child(dialog, QLabel, "photoCount").text() == "共 2 张"
    assert child(dialog, QLabel, "internalNote").text() == "内部资料　不随案移交"
    tick(dialog, photos=False)
    assert not per_page.isEnabled()
    tick(dialog, photos=True)
    assert per_page.isEnabled()
    tick(dialog, note=False, register=False, photos=False)
    assert child(dialog, QLabel, "partsNote").isVisible()
    assert not any(child(dialog, QPushButton, n).isEnabled()
                   for n in ("previewButton", "printButton", "exportButton"))
    tick(dialog, analysis=True)
    assert child(dialog, QPushButton, "exportButton").isEnabled()
    assert not child(dialog, QLabel, "partsNote").isVisible()
    assert child(dialog, QLabel, "draftNote").isVisible()
    assert child(dialog, QLabel, "draftNote").text() == "草稿：打印件带“草稿”水印"


def test_every_text_of_the_dialog_is_drawn_by_the_shipped_font(app, qtbot, cases, fakes):
    case = cases.new_case()
    dialog = open_dialog(qtbot, cases, case, fakes)
    dialog.progress_row.advance(0.5, "准备照片 6/12")
    dialog._show("已送往打印机 （默认打印机）：3 页，1 份。", "ok")
    texts = visible_texts(dialog) | {w.toolTip() for w in dialog.findChildren(QPushButton)}
    assert "草稿：打印件带“草稿”水印" in texts and f"报告 — {case.number}" in texts
    family = app.font().family()
    assert {t: c for t in texts if (c := invisible_chars(t, family))} == {}


def test_a_finalized_case_has_no_draft_note(app, qtbot, cases, fakes):
    case = cases.finalize(cases.new_case(complete_values()).id)
    dialog = open_dialog(qtbot, cases, case, fakes)
    assert not child(dialog, QLabel, "draftNote").isVisible()
    assert child(dialog, QLabel, "photoCount").text() == "本案没有照片"


# ---- 导出 PDF / 预览 / 打印 ---------------------------------------------------------------------------
def test_export_writes_the_chosen_parts_only_in_order_and_logs_it(app, qtbot, cases, tmp_path, fakes,
                                                                monkeypatch):
    case = with_photos(cases, tmp_path, 3)
    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    dialog = open_dialog(qtbot, cases, case, fakes, settings)
    tick(dialog, register=False, analysis=True)
    child(dialog, QComboBox, "photosPerPage").setCurrentIndex(2)  # 4 per page
    out = tmp_path / "out" / "r.pdf"
    out.parent.mkdir()
    asked = export_to(monkeypatch, out)
    progress = []
    child(dialog, QProgressBar, "reportProgress").valueChanged.connect(progress.append)
    click(qtbot, dialog, "exportButton")
    assert dialog.is_running() and child(dialog, QPushButton, "cancelReportButton").isVisible()
    assert not child(dialog, QCheckBox, "part_note").isEnabled()  # no changes while it renders
    message = wait_done(qtbot, dialog)
    assert asked == [f"现场勘验检查笔录-{case.number}.pdf"]
    pages = text(out)
    assert message == f"已导出 {len(pages)} 页：{out}"
    order = [part_of_page(p) for p in pages]
    assert order == sorted(order, key=list(PARTS).index)  # the official order
    assert set(order) == {"note", "photos", "analysis"}
    assert order.count("photos") == 1  # 3 photos, 4 on a page
    assert PARTS["register"] not in "".join(pages)
    assert progress[-1] == 1000 and not child(dialog, QProgressBar, "reportProgress").isVisible()
    [entry] = logged(cases.store, "report.export")
    assert entry.details["parts"] == ["note", "photos", "analysis"]
    assert entry.details["pages"] == len(pages)
    assert fakes.opened == [] and fakes.printed == []
    # the choices are remembered for the next dialog
    again = open_dialog(qtbot, cases, case, fakes, settings)
    assert again.chosen_parts() == ("note", "photos", "analysis")
    assert again.photos_per_page() == 4 and settings.report_dir == str(out.parent)


def test_preview_opens_the_pdf_from_the_cache(app, qtbot, cases, tmp_path, fakes):
    case = with_photos(cases, tmp_path, 1)
    dialog = open_dialog(qtbot, cases, case, fakes)
    click(qtbot, dialog, "previewButton")
    message = wait_done(qtbot, dialog)
    [(path, existed)] = fakes.opened
    assert existed and path.parent == cases.store.data_dir / "cache" / "reports"
    assert path.name.startswith(f"现场勘验检查笔录-{case.number}-") and path.suffix == ".pdf"
    assert message.startswith("已在 PDF 阅读器中打开预览")
    assert len(logged(cases.store, "report.preview")) == 1
    fakes.opens = False  # no viewer: say where the file is
    click(qtbot, dialog, "previewButton")
    assert wait_done(qtbot, dialog).startswith("无法打开 PDF 阅读器。预览文件在：")
    assert len(logged(cases.store, "report.preview")) == 2


def test_print_asks_printer_and_copies_then_hands_the_pdf_to_the_backend(app, qtbot, cases, tmp_path,
                                                                         fakes, monkeypatch):
    case = cases.finalize(cases.new_case(complete_values()).id)
    monkeypatch.setattr(QPrinterInfo, "availablePrinterNames", staticmethod(lambda: [PRINTER]))
    monkeypatch.setattr(QPrinter, "printerName", lambda self: PRINTER)  # no CUPS in the test box
    shown = []

    def accept(self):
        shown.append(self.objectName())
        self.printer().setCopyCount(3)
        return QDialog.DialogCode.Accepted
    monkeypatch.setattr(QPrintDialog, "exec", accept)
    dialog = open_dialog(qtbot, cases, case, fakes)
    tick(dialog, register=False, photos=False)
    click(qtbot, dialog, "printButton")
    message = wait_done(qtbot, dialog)
    assert shown == ["reportPrintDialog"]
    [(path, name, copies, was_pdf)] = fakes.printed
    assert (name, copies, was_pdf) == (PRINTER, 3, True)
    assert message == f"已送往打印机 {PRINTER}：{page_count(path)} 页，3 份。"
    [entry] = logged(cases.store, "report.print")
    assert entry.details["parts"] == ["note"] and entry.details["draft"] is False
    # the user closes the print dialog: nothing printed, nothing logged
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    click(qtbot, dialog, "printButton")
    assert not dialog.is_running() and len(fakes.printed) == 1


def test_printing_failures_are_explained_and_not_logged(app, qtbot, cases, fakes, monkeypatch):
    case = cases.new_case(complete_values())
    dialog = open_dialog(qtbot, cases, case, fakes)
    monkeypatch.setattr(QPrinterInfo, "availablePrinterNames", staticmethod(lambda: []))
    click(qtbot, dialog, "printButton")
    message = child(dialog, QLabel, "reportMessage").text()
    assert "没有安装打印机" in message and "导出 PDF" in message and not dialog.is_running()

    def broken(path, name, copies):
        raise PrintFailed("打印系统拒绝了打印任务：lp: Error - no default destination available.。")
    dialog.choose = lambda parent: PrintChoice("", 1)
    dialog.printer = broken
    click(qtbot, dialog, "printButton")
    assert wait_done(qtbot, dialog).startswith("打印系统拒绝了打印任务")
    assert logged(cases.store, "report.print") == []
    assert list((cases.store.data_dir / "cache" / "reports").glob("*.pdf")) == []


def test_an_unwritable_place_is_explained_in_chinese(app, qtbot, cases, tmp_path, fakes, monkeypatch):
    dialog = open_dialog(qtbot, cases, cases.new_case(), fakes)
    export_to(monkeypatch, tmp_path / "no-such-folder" / "r.pdf")
    click(qtbot, dialog, "exportButton")
    message = wait_done(qtbot, dialog)
    assert message == (f"无法写入 {tmp_path / 'no-such-folder' / 'r.pdf'}：文件夹 "  # core/safe_output.py
                       f"{tmp_path / 'no-such-folder'} 不存在。请先创建该文件夹，或换一个位置。")
    assert "Traceback" not in message and logged(cases.store, "report.export") == []


# ---- 取消 --------------------------------------------------------------------------------------------
def test_cancel_stops_the_worker_and_leaves_no_file(app, qtbot, cases, tmp_path, fakes, monkeypatch):
    case = with_photos(cases, tmp_path, 3)
    prepare = photosheets.prepare_task
    gate, started = threading.Event(), []

    def held(*args):  # three photos are prepared in the rendering thread itself: the second
        started.append(args)  # waits for the test (pressing 取消 or closing meanwhile)
        if len(started) > 1:
            gate.wait(10)
        return prepare(*args)
    monkeypatch.setattr(photosheets, "prepare_task", held)
    dialog = open_dialog(qtbot, cases, case, fakes)
    out = tmp_path / "cancelled.pdf"
    export_to(monkeypatch, out)
    click(qtbot, dialog, "exportButton")
    status = child(dialog, QLabel, "reportStatus")
    # held at the second photo (the progress may pass 1/3 between two looks: wait for the hold)
    qtbot.waitUntil(lambda: len(started) == 2 and status.text().startswith("准备照片"), timeout=10000)
    click(qtbot, dialog, "cancelReportButton")
    assert status.text() == "正在取消…"
    gate.set()
    assert wait_done(qtbot, dialog) == "已取消，没有生成文件。"
    assert len(started) == 2  # the third photo was never started
    assert not out.exists() and list(tmp_path.glob(".*.part")) == []
    assert logged(cases.store, "report.export") == []
    # closing while it renders cancels too, and the dialog goes when the worker has stopped
    gate.clear()
    started.clear()
    click(qtbot, dialog, "previewButton")
    qtbot.waitUntil(lambda: status.text().startswith("准备照片"), timeout=10000)
    dialog.close()
    assert dialog.isVisible() and dialog.is_running()
    gate.set()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert fakes.opened == [] and list((cases.store.data_dir / "cache" / "reports").glob("*.pdf")) == []


def test_the_cache_keeps_a_day(tmp_path):
    folder = tmp_path / "cache" / "reports"
    folder.mkdir(parents=True)
    old, new = folder / "old.pdf", folder / "new.pdf"
    for f in (old, new):
        f.write_bytes(b"%PDF-")
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    assert sweep_cache(folder) == 1 and not old.exists() and new.exists()


# ---- the system's printing (lp) ------------------------------------------------------------------
def fake_lp(folder: Path, code: int = 0, said: str = "") -> Path:
    folder.mkdir(exist_ok=True)
    lp = folder / "lp"
    lp.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{folder}/args"\necho "{said}" >&2\nexit {code}\n')
    lp.chmod(lp.stat().st_mode | stat.S_IEXEC)
    return folder / "args"


def test_system_print_uses_lp_with_printer_and_copies(tmp_path, monkeypatch):
    monkeypatch.setattr(report_print.sys, "platform", "linux")
    args = fake_lp(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    pdf = tmp_path / "r.pdf"
    system_print(pdf, PRINTER, 2)
    assert args.read_text().splitlines() == ["-d", PRINTER, "-n", "2", "--", str(pdf)]
    system_print(pdf, "", 1)  # the default printer
    assert args.read_text().splitlines() == ["-n", "1", "--", str(pdf)]
    fake_lp(tmp_path / "bin", 1, "lp: Error - The printer or class does not exist.")
    with pytest.raises(PrintFailed, match="打印系统拒绝了打印任务：lp: Error - The printer"):
        system_print(pdf, "nowhere", 1)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(PrintFailed, match="没有 lp 打印命令.*导出 PDF"):
        system_print(pdf, PRINTER, 1)


# ---- where it is opened: the case tab's header, the review page -----------------------------------
def test_the_case_header_opens_the_report_after_saving_the_form(app, qtbot, cases, tmp_path, fakes,
                                                              monkeypatch):
    case = cases.new_case({"recorder": None})  # not prefilled: typed here
    view, pages = open_pages(qtbot, cases, case.id)
    type_into(qtbot, child(view, QLineEdit, "field_recorder"), "张伟")
    assert view.is_dirty()
    button = child(view, QPushButton, "reportButton")
    assert button.isVisible() and button.text() == "报告(&R)…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = pages.report_dialog
    assert dialog is not None and dialog.isVisible() and dialog.isModal()
    assert not view.is_dirty() and cases.get(case.id).data["recorder"] == "张伟"  # saved first
    assert pages.open_report() is dialog  # one at a time
    dialog.opener = fakes.opener
    click(qtbot, dialog, "previewButton")
    wait_done(qtbot, dialog)
    assert len(fakes.opened) == 1 and len(logged(cases.store, "report.preview")) == 1
    click(qtbot, dialog, "closeReportButton")
    qtbot.waitUntil(lambda: pages.report_dialog is None)


def test_no_report_while_the_form_holds_wrong_values(app, qtbot, cases):
    view, pages = open_pages(qtbot, cases, cases.new_case().id)
    qtbot.mouseClick(child(view, QPushButton, "field_witnesses_add"), Qt.MouseButton.LeftButton)
    table = child(view, QTableWidget, "field_witnesses")
    columns = [f.id for f in view.spec.field("witnesses").fields]
    table.item(0, columns.index("id_number")).setText("110105194912310021")  # wrong check digit
    qtbot.mouseClick(child(view, QPushButton, "reportButton"), Qt.MouseButton.LeftButton)
    assert pages.report_dialog is None
    assert child(view, QLabel, "formMessage").text().startswith("未保存")


def test_a_reviewer_prints_a_finalized_case_from_the_review_page(app, qtbot, store, admin, cases,
                                                                tmp_path, fakes, monkeypatch):
    case = cases.finalize(cases.new_case(complete_values()).id)
    UserService(store).add(admin, "zhou", "supervisor", PASSWORD, display_name="周建国", badge_no="200013")
    window = MainWindow(store, forms(), UserService(store).authenticate("zhou", PASSWORD))
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("review")
    assert page.view is not None and page.view.case.id == case.id
    button = child(page.view, QPushButton, "reportButton")
    assert button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = page.report_dialog
    out = tmp_path / "review.pdf"
    export_to(monkeypatch, out)
    click(qtbot, dialog, "exportButton")
    wait_done(qtbot, dialog)
    assert "草稿" not in text(out, pages=[0])[0]
    [entry] = logged(store, "report.export")
    assert entry.user_name == "zhou" and entry.details["draft"] is False


# ---- the GUI thread -------------------------------------------------------------------------------
def test_the_gui_keeps_breathing_while_a_12_photo_report_renders(app, qtbot, cases, tmp_path, fakes):
    """A 10 ms heartbeat on the GUI thread: between two beats while rendering, the GUI thread is
    never busy (its own CPU time) nor blocked for long; the waits for a CPU on a loaded machine are
    not ours and do not count (gui_support.Heartbeat)."""
    case = with_photos(cases, tmp_path, 12, size=(2400, 1800), one_picture=True)
    dialog = open_dialog(qtbot, cases, case, fakes)
    with Heartbeat(qtbot) as beat:
        click(qtbot, dialog, "previewButton")
        wait_done(qtbot, dialog, timeout=60000)
    print(f"report of 12 photos: {beat.summary()}")
    assert len(fakes.opened) == 1 and fakes.opened[0][1]
    beat.assert_responsive(busy=0.150, blocked=0.300)
