"""The photo grid and the progress bars do the work a user sees, not more: a cell's words are
worked out once per photo (not on every paint), a thumbnail is an opaque picture drawn by a
plain copy, and a progress bar shows ten values a second however fast its work ticks."""
from __future__ import annotations

from PySide6.QtGui import QPixmap

from gui_support import admin, app, cases, store  # noqa: F401  (fixtures)
from photo_gui_support import card, open_pages
from weicha_desktop.core.photos import ImportResult, PhotoService
from weicha_desktop.gui.common.op_dialog import ProgressRow
from weicha_desktop.gui.common.throttle import SHOWN_EVERY_MS, Throttle
from weicha_desktop.gui.photos import model as grid_model
from weicha_desktop.gui.photos.importing import ImportBar, ImportOutcome


def test_the_first_call_goes_at_once_the_rest_the_latest_at_most_ten_a_second(app, qtbot):
    seen: list[int] = []
    throttle = Throttle(seen.append, interval=SHOWN_EVERY_MS)
    assert SHOWN_EVERY_MS == 100
    for n in range(1, 51):
        throttle(n)
    assert seen == [1]  # at once; the 49 after it within the interval are held, the latest kept
    qtbot.waitUntil(lambda: seen == [1, 50], timeout=2000)
    throttle(51)  # the timer runs again after a call it handed on: this one waits its turn
    throttle(52)
    assert seen == [1, 50]
    throttle.flush()
    assert seen == [1, 50, 52]
    throttle(53)
    throttle.drop()  # forgotten; the next call goes at once
    throttle(54)
    assert seen == [1, 50, 52, 54]
    throttle(55)
    throttle.flush()
    throttle.flush()  # nothing held: nothing again
    assert seen == [1, 50, 52, 54, 55]


def test_a_fast_import_moves_the_bar_ten_times_a_second_and_the_grid_every_photo(app, qtbot, store, admin):
    bar = ImportBar(store, admin)
    qtbot.addWidget(bar)
    bar.show()
    values, imported = [], []
    bar.progress.valueChanged.connect(values.append)
    bar.photoImported.connect(imported.append)
    results = [ImportResult(f"/card/IMG_{n:04d}.JPG", "imported", photo_id=f"p{n}") for n in range(1, 41)]
    for n, result in enumerate(results, 1):
        bar._progress(n, 40, result)
    assert imported == [f"p{n}" for n in range(1, 41)]  # every photo reaches the grid at once
    assert values == [1] and bar.label.text() == "正在导入 1 / 40：IMG_0001.JPG"  # one repaint, not 40
    bar._done(ImportOutcome(results, 40, cancelled=False))
    assert values == [1, 40] and bar.label.text() == "正在导入 40 / 40：IMG_0040.JPG"  # ends on the last
    assert not bar.isVisible()


def test_a_dialogs_progress_row_shows_the_latest_and_ends_on_the_last(app, qtbot):
    row = ProgressRow("speed")
    qtbot.addWidget(row)
    row.start("准备中", busy=True)
    values = []
    row.bar.valueChanged.connect(values.append)
    for n in range(1, 21):
        row.advance(n / 20, f"第 {n} 页")
    assert values == [50] and row.status.text() == "第 1 页"
    qtbot.waitUntil(lambda: row.status.text() == "第 20 页", timeout=2000)
    assert values == [50, 1000]
    row.advance(0.5, "又一次")
    row.cancelling()  # 取消 says so; what arrives later moves the bar but keeps the words
    row.advance(0.6, "不显示")
    row.finish()
    assert row.bar.value() == 600 and row.status.text() == "正在取消…" and not row.isVisible()


def test_a_cell_says_what_its_photo_says_and_is_worked_out_once_per_photo(app, qtbot, cases, tmp_path,
                                                                           monkeypatch):
    case = cases.new_case()
    photos = PhotoService(cases.store, cases.actor, cases.forms)
    photos.import_files(case.id, card(tmp_path / "DCIM", 2, size=(480, 640)), workers=1)
    _view, pages = open_pages(qtbot, cases, case.id)
    log = pages.show_photos()
    model, grid = log.model, log.grid
    qtbot.waitUntil(lambda: all(model.thumbnail(p) is not None for p in model.photos), timeout=5000)
    thumb = model.thumbnail(model.photos[0])
    assert isinstance(thumb, QPixmap) and not thumb.hasAlphaChannel()  # copied, not blended
    assert (thumb.width(), thumb.height()) == (grid_model.ICON * 3 // 4, grid_model.ICON)  # upright, fitted
    square = grid_model.load_thumbnail(photos, model.photos[0])  # the sheet's and the register's
    assert (square.width(), square.height()) == (grid_model.ICON, grid_model.ICON) and square.hasAlphaChannel()
    delegate = grid.itemDelegate()
    assert delegate.face(model.index(0))[0] == "1 号 · 未分类"
    words = []
    named = grid_model.code_label

    def naming(*args):
        words.append(args[1])
        return named(*args)
    monkeypatch.setattr(grid_model, "code_label", naming)
    photos.update(model.photos[0].id, photo_class="方位", caption="门锁锁芯被撬，锁舌外露" * 3)
    model.replace(photos.get(model.photos[0].id))
    for _ in range(3):
        grid.viewport().repaint()
    assert words == ["方位"]  # the changed photo's words worked out once, not on every paint
    title, color, lines = delegate.face(model.index(0))
    assert title == "1 号 · 方位" and color is None and len(lines) > 1
    assert "".join(lines).startswith("门锁锁芯被撬") and grid.caption_lines == len(lines)
    font = grid.font()
    font.setPointSize(font.pointSize() + 6)
    grid.setFont(font)  # another font: the lines are measured again
    caption = model.photos[0].caption
    assert delegate.face(model.index(0))[2] == grid_model.wrap_lines(caption, font, grid_model.CELL - 2 * grid_model.PAD)[0]
    assert delegate.face(model.index(0))[2] != lines
    measured = []
    measure = grid_model.PhotoDelegate.caption_lines
    monkeypatch.setattr(grid_model.PhotoDelegate, "caption_lines",
                        lambda self, index: measured.append(index.row()) or measure(self, index))
    [extra] = photos.import_files(case.id, card(tmp_path / "MORE", 3, size=(480, 640))[2:], workers=1)
    photos.update(extra.photo_id, caption="现场东侧围墙外的泥地上有一行朝北的运动鞋足迹" * 4)
    model.append(photos.get(extra.photo_id))  # what the log does as an import commits a photo
    assert measured == [2]  # the new photo's caption measured, not every photo's again
    assert grid.caption_lines == len(delegate.face(model.index(2))[2]) == grid_model.CAPTION_LINES  # grown
