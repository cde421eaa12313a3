"""``weicha screenshot``: render the main window offscreen to a PNG, for docs and checks.

The data folder is opened read-only (no lock, so it works while the program has it open,
and nothing is written: no login, no work-log entry, no settings). The window is shown as
the first administrator, or as ``user``; no password is asked, since nothing can change.
The caller sets QT_QPA_PLATFORM before Qt starts (the command uses ``offscreen``)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication

from weicha_desktop.core.errors import NotFound, WeichaError
from weicha_desktop.core.safe_output import OutputError, atomic_output, check_output
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.core.labels import role_label
from weicha_desktop.core.users import UserService

# Qt's PNG "quality" 80 is zlib level 1: for screens (flat areas, text) the files come out
# smaller than at the default level 6 and are written ~30 % faster (the 31 shots of
# docs/screenshots: 4,445 -> 4,148 KB, 814 -> 568 ms CPU to encode).
PNG_QUALITY = 80
PAGES = ("cases", "review", "checks", "collect", "patrol", "requests")  # pages of the navigation (MODULES) shown
VIEWS = ("form", "photos", "evidence")  # the views of an open case (cases/pages.py)


def screen_user(store: Store, name: str | None) -> Actor:
    users = UserService(store)
    if name:
        actor = users.get(name)
        if actor is None:
            raise NotFound(f"找不到用户“{name}”。")
        return actor
    admins = [u for u in users.list() if u.role == "admin"]
    if not admins:
        raise WeichaError("数据文件夹中没有管理员账号。")
    return admins[0]


def take_screenshot(data_dir: Path, out: Path, *, size: tuple[int, int] = (1280, 800),
                    case: str | None = None, user: str | None = None, page: str = "cases",
                    language: str = "zh", view: str = "form", photo: int | None = None,
                    at: str | None = None) -> tuple[int, int]:
    """Write the PNG; return its size in pixels. WeichaError (Chinese) when refused.
    ``view``: which view of the open case (form, photos, evidence); ``photo``: the number of
    the photo selected in the photo log (its preview and EXIF shown); ``at``: on the review
    page, the section of the record scrolled to (a section id, or ``photos``)."""
    from weicha_desktop.core.forms import FormRegistry
    from weicha_desktop.gui.common.i18n import install_language
    from weicha_desktop.gui.shell.app import make_app
    from weicha_desktop.gui.shell.main_window import MainWindow
    from weicha_desktop.resources import forms_dir

    check_output(out, data_dir=data_dir)  # before any rendering: a bad -o fails at once
    if page not in PAGES:
        raise WeichaError(f"未知页面“{page}”，可选：{'、'.join(PAGES)}。")
    if view not in VIEWS or (view != "form" and not case):
        raise WeichaError(f"视图须为 {'、'.join(VIEWS)} 之一；照片、物证登记须同时给出 --case。")
    if case and page not in ("cases", "review"):
        raise WeichaError("--case 只用于现场勘验页和审核页（--page cases / review）。")
    if at and page != "review":
        raise WeichaError("--at 只用于审核页（--page review）：把整件勘验滚动到某一栏目。")
    app = make_app()
    try:
        install_language(app, language)
    except FileNotFoundError as e:
        raise WeichaError(str(e)) from None
    with Store.open(data_dir, readonly=True) as store:
        store.require_initialized()
        actor = screen_user(store, user)
        window = MainWindow(store, FormRegistry(forms_dir()), actor)
        try:
            if page not in window.page_keys():
                raise WeichaError(f"用户 {actor.name}（{role_label(actor.role)}）"
                                  f"没有“{page}”页面。")
            shown = window.show_page(page)
            window.resize(*size)
            window.show()
            _settle(app)
            if case and not _open(shown, window.cases.resolve(case)):
                raise WeichaError(f"无法打开勘验“{case}”。")
            _settle(app)
            if page == "review":
                if view != "form":
                    raise WeichaError("审核页在一页中显示整件勘验（含照片），没有单独的照片、物证登记视图。")
                _wait(app, lambda: shown.view is not None and bool(shown.view.waiting))
                if at and shown.view is not None:
                    shown.view.scroll_to(at)
                    _settle(app)
            elif view != "form":
                _show_view(app, shown, view, photo)
            image = window.grab().toImage()
        finally:
            window.close()
            # Gone before the store closes, whatever called us: a program taking several
            # screenshots (the tests, `make screenshots`) keeps no window of each behind.
            window.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    with atomic_output(out, data_dir=data_dir) as tmp:  # whole or not at all
        if not image.save(str(tmp), "PNG", PNG_QUALITY):
            raise OutputError(f"无法写入 {out}（图片未能保存：磁盘已满或没有写入权限？），没有生成文件。")
    return image.width(), image.height()


def _open(page, case_id: str) -> bool:
    """Open the case on the page: in its own tab, or in the review queue (selected there,
    as a click would, when it is waiting for review)."""
    from weicha_desktop.gui.review.queue import ReviewQueue

    if isinstance(page, ReviewQueue):
        for row in range(page.model.rowCount()):
            if page.model.case_id(row) == case_id:
                page.table.selectRow(row)
                return page.view is not None and page.view.case.id == case_id
    return page.open_case(case_id) is not None


def _show_view(app: QApplication, page, view: str, photo: int | None) -> None:
    """Switch the open case to its photo log or register; wait for the pictures to decode."""
    pages = page.case_pages[page.currentWidget()]
    if view == "evidence":
        pages.show_register()
        waiting = lambda: False  # noqa: E731 - thumbnails of linked photos come when they come
    else:
        log = pages.show_photos()
        chosen = next((p for p in log.model.photos if p.position == photo), None)
        if photo is not None and chosen is None:
            raise WeichaError(f"这件勘验没有第 {photo} 号照片。")
        log.select(chosen.id if chosen else None)
        waiting = lambda: (log.preview.photo is not None and log.preview.image.isNull()) or any(  # noqa: E731
            log.model.thumbnail(p) is None for p in log.model.photos)
        for row in range(log.model.rowCount()):  # ask for every thumbnail, painted or not
            log.model.data(log.model.index(row), Qt.ItemDataRole.DecorationRole)
    _wait(app, lambda: waiting() or pages.decoding())


def _wait(app: QApplication, waiting, seconds: float = 20) -> None:
    """Let the pictures decode (``waiting()`` true while some are not drawn yet)."""
    import time

    deadline = time.monotonic() + seconds
    _settle(app)
    while waiting() and time.monotonic() < deadline:
        time.sleep(0.02)
        _settle(app)
    _settle(app)


def _settle(app: QApplication) -> None:
    """Let layouts, polishing and deferred updates run before grabbing."""
    for _ in range(5):
        app.processEvents()
        QCoreApplication.sendPostedEvents()
