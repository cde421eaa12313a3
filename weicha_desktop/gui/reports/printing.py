"""Where a rendered report goes: the system's PDF viewer (预览), a printer (打印), the cache.

QtPdf is not part of PySide6-Essentials, so there is no embedded preview and Qt does not
rasterize the PDF for a QPrinter. Instead:

- 预览 writes the PDF to ``<data>/cache/reports/`` and opens it with the system viewer
  (``open_in_viewer``: ``QDesktopServices.openUrl``).
- 打印 asks for printer and copies with a ``QPrintDialog`` (``choose_printer``) and hands the
  PDF to the system (``system_print``): on Windows ``os.startfile(path, "printto", printer)``
  (the PDF reader's own print verb, once per copy), elsewhere CUPS ``lp -d PRINTER -n COPIES``
  (CUPS takes PDF as it is).

Both are plain functions the dialog takes as arguments, so tests hand in their own and
nothing is launched. ``system_print`` raises ``PrintFailed`` with a Chinese explanation (it
runs on the worker thread: ``QCoreApplication.translate`` is thread-safe, ``tr`` of a widget
is not used there). Files in the cache are kept a day (a viewer or a Windows print verb may
still be reading them after the dialog closed), then swept when a report dialog opens."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices, QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QDialog, QWidget

from weicha_desktop.core.errors import WeichaError

CACHE_AGE_S = 24 * 3600
LP_TIMEOUT_S = 60
Opener = Callable[[Path], bool]                 # path → the viewer was started
PrintBackend = Callable[[Path, str, int], None]  # path, printer name ("" = default), copies


class PrintFailed(WeichaError):
    """The system would not print the PDF; the message says why and what to do instead."""


@dataclass(frozen=True)
class PrintChoice:
    printer: str  # "" = the system's default printer
    copies: int


def open_in_viewer(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def choose_printer(parent: QWidget | None) -> PrintChoice | None:
    """QPrintDialog: the printer and the number of copies (None when cancelled). Without any
    printer Qt's dialog would offer only "print to a PDF file": say so and point to 导出 PDF."""
    if not QPrinterInfo.availablePrinterNames():
        raise PrintFailed(QCoreApplication.translate(
            "SystemPrint", "本机没有安装打印机。请用“导出 PDF…”保存后，在连接打印机的电脑上打印。"))
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))  # as the PDF; only printer and copies count
    dialog = QPrintDialog(printer, parent)
    dialog.setObjectName("reportPrintDialog")
    for option in (QPrintDialog.PrintDialogOption.PrintToFile,
                   QPrintDialog.PrintDialogOption.PrintSelection,
                   QPrintDialog.PrintDialogOption.PrintPageRange):
        dialog.setOption(option, False)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    chosen = dialog.printer()
    return PrintChoice(chosen.printerName(), max(1, chosen.copyCount()))


def system_print(path: Path, printer: str, copies: int) -> None:
    if sys.platform == "win32":
        _print_windows(path, printer, copies)
    else:
        _print_lp(path, printer, copies)


def _print_windows(path: Path, printer: str, copies: int) -> None:
    for _ in range(max(1, copies)):  # the shell's print verbs know no copies
        try:
            if printer:
                os.startfile(str(path), "printto", f'"{printer}"')  # type: ignore[attr-defined]
            else:
                os.startfile(str(path), "print")  # type: ignore[attr-defined]
        except OSError as e:
            raise PrintFailed(QCoreApplication.translate(
                "SystemPrint", "Windows 无法打印这个 PDF（{error}）：本机可能没有能打印 PDF 的阅读器。"
                "请用“导出 PDF…”保存后，在 PDF 阅读器中打印。").format(error=e.strerror or e)) from None


def _print_lp(path: Path, printer: str, copies: int) -> None:
    lp = shutil.which("lp")
    if lp is None:
        raise PrintFailed(QCoreApplication.translate(
            "SystemPrint", "本机没有 lp 打印命令（CUPS 打印系统），无法直接打印。"
            "请用“导出 PDF…”保存后，在 PDF 阅读器中打印。"))
    command = [lp, *(["-d", printer] if printer else []), "-n", str(max(1, copies)), "--", str(path)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=LP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise PrintFailed(QCoreApplication.translate(
            "SystemPrint", "打印系统 {n} 秒内没有响应。请检查打印机，或用“导出 PDF…”保存后打印。").format(
                n=LP_TIMEOUT_S)) from None
    except OSError as e:
        raise PrintFailed(QCoreApplication.translate(
            "SystemPrint", "无法运行打印命令 lp（{error}）。请用“导出 PDF…”保存后，在 PDF 阅读器中打印。").format(
                error=e.strerror or e)) from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().rstrip("。.") or f"lp exit {done.returncode}"
        raise PrintFailed(QCoreApplication.translate(
            "SystemPrint", "打印系统拒绝了打印任务：{error}。请检查打印机，或用“导出 PDF…”保存后打印。").format(
                error=said))


# ---- the cache of previews and print files --------------------------------------------------------
def cache_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "cache" / "reports"


def sweep_cache(folder: Path, max_age_s: float = CACHE_AGE_S, now: float | None = None) -> int:
    """Remove the PDFs of earlier previews and prints (older than a day); returns how many."""
    now = time.time() if now is None else now
    removed = 0
    for pdf in folder.glob("*.pdf") if folder.is_dir() else ():
        try:
            if now - pdf.stat().st_mtime > max_age_s:
                pdf.unlink()
                removed += 1
        except OSError:  # open in a viewer on Windows: next time
            continue
    return removed
