"""The main window says so, in red, when the store refused to move the signed checkpoint
because the data does not continue it (an older copy put in place: core/checkpoint.py)."""
from __future__ import annotations

import shutil

import pytest
from PySide6.QtWidgets import QLabel

from gui_support import admin, app, child, dialogs, forms, store  # noqa: F401
from support import PASSWORD, new_store
from weicha_desktop.core.store import SYSTEM, Store
from weicha_desktop.core.users import UserService
from weicha_desktop.gui.shell.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("dialogs")


def shown(qtbot, store, actor) -> MainWindow:
    win = MainWindow(store, forms(), actor)
    qtbot.addWidget(win)
    win.show()
    return win


def older_copy_in_place(tmp_path) -> tuple[Store, int]:
    """A folder whose checkpoint went past an older copy, then that copy put in its place and
    opened as the program opens it: (the store, the seq the checkpoint had reached)."""
    data = tmp_path / "data"
    new_store(data).close()
    older = shutil.copytree(data, tmp_path / "older")
    with Store.open(data) as store:  # the checkpoint goes past the copy
        for i in range(3):
            store.log_read(SYSTEM, "case.export", "case", None, f"核查 {i}")
        seq = store.conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    shutil.rmtree(data)
    shutil.copytree(older, data)  # an older copy put in place of the folder
    return Store.open(data), seq


def test_a_suspected_rollback_is_a_red_notice_from_start_up(app, qtbot, tmp_path):
    store, seq = older_copy_in_place(tmp_path)
    try:
        win = shown(qtbot, store, UserService(store).authenticate("admin", PASSWORD))
        label = child(win, QLabel, "anchorWarning")
        assert label.isVisibleTo(win)
        text = label.text()
        assert text.startswith("数据可能被回滚或替换：") and text.endswith("请用“文件 → 校验数据…”核对，并联系管理员。")
        assert f"第 {seq} 条" in text, text  # the reason: how far this computer's checkpoint reached
        assert "#842029" in label.styleSheet() and "weicha verify" in label.toolTip()
        user = child(win, QLabel, "userLabel")
        qtbot.waitUntil(lambda: label.width() > 0 and user.width() > 0)
        assert label.x() < user.x()  # first in the bar
    finally:
        store.close()


def test_no_notice_while_the_checkpoint_holds(app, qtbot, store, admin):
    win = shown(qtbot, store, admin)
    assert store.anchor.suspected is None
    assert not child(win, QLabel, "anchorWarning").isVisibleTo(win)
