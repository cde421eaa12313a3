"""`weicha screenshot`: the real command, on a data folder it must not change. One run in a
process of its own that has not started Qt (the command choosing the offscreen platform itself
before Qt starts: QT_QPA_PLATFORM is taken out of its environment); the other screens and the
refusals through cli.main in this process (support.run_cli), where a process proves nothing
more. The entry point itself: tests/test_cli.py."""
from __future__ import annotations

import gc
import hashlib
from pathlib import Path

import pytest
from PIL import Image

from gui_support import app, complete_values, forms  # noqa: F401  (app: a fixture)
from support import PASSWORD, CliResult, new_store, run_cli
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.users import UserService

from tests.forked_programs import weicha as forked_weicha

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> tuple[Path, str]:
    """A data folder with a few cases; returns it and a finalized case's number."""
    folder = tmp_path_factory.mktemp("shots") / "data"
    store = new_store(folder)
    admin = UserService(store).authenticate("admin", PASSWORD)
    UserService(store).add(admin, "zhou", "supervisor", PASSWORD, badge_no="200015")
    UserService(store).add(admin, "liming", "technician", PASSWORD, badge_no="200016")
    cases = CaseService(store, forms(), admin)
    for address in ("钦南区永福路 12 号", "钦北区大垌镇 3 号"):
        cases.new_case({"incident_address": address, "case_type": "burglary"})
    number = cases.finalize(cases.new_case(complete_values()).id).number
    store.close()
    return folder, number


def weicha(*args: str) -> CliResult:
    """The command in a process of its own that has not started Qt (forked from the tests'
    pre-imported parent, tests/forked_programs.py), without QT_QPA_PLATFORM: the command sets it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("QT_QPA_PLATFORM", raising=False)
        program = forked_weicha(*args)
    code = program.wait(60)
    return CliResult(code, program.stdout(), program.stderr())


def snapshot(folder: Path) -> str:
    """The database itself (a read-only SQLite reader may leave its -shm/-wal side files)."""
    return hashlib.sha256((folder / "weicha.db").read_bytes()).hexdigest()


def assert_drawn(png: Path, size: tuple[int, int]) -> Image.Image:
    image = Image.open(png).convert("RGB")
    assert image.size == size
    colours = image.getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 50, "a blank or nearly blank picture"
    dark = sum(n for n, (r, g, b) in colours or [] if r + g + b < 200)
    assert colours is None or dark > 2000, "no text drawn"
    return image


def zlib_level(png: Path) -> str:
    """The compression level the PNG's first IDAT chunk says (its zlib header's FLEVEL)."""
    data = png.read_bytes()
    flags = data[data.index(b"IDAT") + 5]
    return ("fastest", "fast", "default", "maximum")[flags >> 6]


def test_screenshots_of_the_main_window_a_case_form_and_the_review_queue(app, data, tmp_path):
    """Also: the window each screenshot builds is deleted, not only closed, before the command
    returns: a process taking many (make screenshots, the tests) does not keep them all."""
    from PySide6.QtCore import QCoreApplication, QEvent

    folder, number = data
    before = snapshot(folder)
    (tmp_path / "deep").mkdir()  # a missing folder is refused, not made (tests/test_safe_output.py)
    main, form, review = (tmp_path / "deep" / f"{n}.png" for n in ("main", "form", "review"))
    gc.collect()  # widgets earlier tests left in garbage cycles go now, not while the screenshots run
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    widgets = len(app.allWidgets())
    for out, extra in ((main, []), (form, ["--case", number]),
                       (review, ["--page", "review", "--case", number, "--user", "zhou"])):
        args = ("screenshot", "-o", str(out), "--size", "1024x700", *extra)
        # the main window in a process of its own, the two others in this process
        done = weicha("--data-dir", str(folder), *args) if out is main else run_cli(folder, *args)
        assert done.returncode == 0, done.stderr
        assert f"已写入 {out}（1024×700）" in done.stdout
        assert len(app.allWidgets()) == widgets  # no window of it left in this process
    pictures = [assert_drawn(p, (1024, 700)).tobytes() for p in (main, form, review)]
    # zlib's fastest level (PNG_QUALITY): for screens smaller than its default, and faster
    assert [zlib_level(p) for p in (main, form, review)] == ["fastest"] * 3
    assert len(set(pictures)) == 3  # three different screens
    assert snapshot(folder) == before  # read-only: the data folder is untouched


def test_screenshot_refuses_clearly(app, data, tmp_path):
    folder, _ = data
    out = str(tmp_path / "x.png")
    done = run_cli(folder, "screenshot", "-o", out, "--case", "K000")
    assert done.returncode == 1 and "找不到勘验“K000”" in done.stderr
    done = run_cli(folder, "--user", "liming", "screenshot", "-o", out, "--page", "review")
    assert done.returncode == 1 and "没有“review”页面" in done.stderr
    done = run_cli(folder, "screenshot", "-o", out, "--size", "big")  # argparse: no Qt
    assert done.returncode == 2 and "宽x高" in done.stderr
    assert not Path(out).exists()
