"""Issue 12, "every export, import, receipt and refusal is in the audit log, with the bundle id",
for the laptop's export (core/bundle/export.py, which the CLI and the window both call): an
export refused before any file exists — the target in the data folder, not enrolled, no
server keys, enrolled as another device — is a ``bundle.refused`` entry with its reason code
and no bundle id (none was made); one whose write failed after its number was reserved (a full
stick) names the reserved bundle id. Each entry is committed on its own (another connection
reads it). Not refusals, not logged: nothing to export, and a cancel (the user's choice)."""
from __future__ import annotations

import errno
import json
import os
import sqlite3

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit

from gui_bundle_support import admin, app, dialogs, enrolled, store, window  # noqa: F401
from weicha_desktop.core.bundle import container as C
from weicha_desktop.core.bundle.export import export_ops
from weicha_desktop.core.bundle.receipt import apply_receipt
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.sync.enrollment import SyncConfig
from tests import bundle_support as B
from tests.support import run_cli
from tests.test_bundle_laptop import config, lt  # noqa: F401 — a laptop with drafts, enrolled with B's server
from tests.test_gui_bundle_export import child, click, message, open_from_menu


def refused(data_dir) -> list[tuple[str | None, dict]]:
    """The bundle.refused entries (object id, details) as ANOTHER connection reads them: committed."""
    with sqlite3.connect(data_dir / "weicha.db") as conn:
        rows = conn.execute("SELECT object_id, details FROM audit_log WHERE action = 'bundle.refused' ORDER BY seq")
        return [(oid, json.loads(details)) for oid, details in rows]


def test_cli_refusals_before_any_file_are_logged_with_their_reason(lt, config, tmp_path):
    data = lt.store.data_dir
    lt.store.close()
    out = run_cli(data, "bundle", "export", "-o", str(data / "x.wcb"))
    assert out.returncode == 1 and "数据文件夹" in out.stderr
    config.path.unlink()  # not enrolled
    out = run_cli(data, "bundle", "export", "-o", str(tmp_path / "y.wcb"))
    assert out.returncode == 1 and "登记" in out.stderr and not (tmp_path / "y.wcb").exists()
    got = refused(data)
    assert [(oid, d["code"], d["file"], d["kind"]) for oid, d in got] == [
        (None, "target_refused", "x.wcb", "ops"), (None, "not_enrolled", "y.wcb", "ops")]
    assert "数据文件夹" in got[0][1]["message"] and got[0][1]["bundle_id"] is None


def test_core_refusals_name_the_reserved_bundle_when_there_is_one(lt, config, tmp_path, monkeypatch):
    store = lt.store
    B.enroll_offline_config(store, bundle_keys=False)
    with pytest.raises(WeichaError):
        export_ops(store, lt.actor, tmp_path / "k.wcb", config=config)
    B.enroll_offline_config(store)
    with pytest.raises(C.BundleError) as cancelled:  # the user's choice: not a refusal
        export_ops(store, lt.actor, tmp_path / "c.wcb", config=config, cancel=lambda: True)
    assert cancelled.value.code == "cancelled"
    with monkeypatch.context() as m:  # the stick full
        m.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device")))
        with pytest.raises(C.BundleError) as full:
            export_ops(store, lt.actor, tmp_path / "f.wcb", config=config)
    reserved = [e.object_id for e in store.audit_entries() if e.action == "bundle.reserve"]
    assert len(reserved) == 2 and not list(tmp_path.glob("*.wcb"))
    got = refused(store.data_dir)
    assert [(oid, d["code"], d["file"]) for oid, d in got] == [(None, "no_keys", "k.wcb"),
                                                                (reserved[-1], full.value.code, "f.wcb")]
    assert full.value.code == "io_error" and got[-1][1]["bundle_id"] == reserved[-1]
    # everything acknowledged: nothing to export is no refusal either
    done = export_ops(store, lt.actor, tmp_path / "a.wcb", config=config)
    head = store.audit_entries()[-1]
    apply_receipt(store, lt.actor, B.receipt(tmp_path / "a.wcr", lt.device_id, done.bundle_id, done.through_seq,
                                             anchored={"seq": head.seq, "hash": head.hash}), config=config)
    assert export_ops(store, lt.actor, tmp_path / "n.wcb", config=config) is None
    assert len(refused(store.data_dir)) == 2


@pytest.mark.usefixtures("dialogs")
def test_the_window_logs_its_refusals_through_the_core(qtbot, window, store, enrolled, tmp_path):
    dialog = open_from_menu(qtbot, window)
    child(dialog, QLineEdit, "bundleFolderEdit").setText(str(store.data_dir))  # into the data folder
    click(qtbot, dialog, "startBundleExportButton")
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=5000)
    assert message(dialog).property("kind") == "error" and "数据文件夹" in message(dialog).text()
    enrolled.path.unlink()
    assert not dialog.start() and "尚未登记" in child(dialog, QLabel, "bundleExportMessage").text()
    got = refused(store.data_dir)
    assert [(oid, d["code"]) for oid, d in got] == [(None, "target_refused"), (None, "not_enrolled")]
    assert SyncConfig.of(store).load() is None
