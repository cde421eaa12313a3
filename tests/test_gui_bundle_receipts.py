"""Receipts and reference bundles in the window (gui/bundles/actions.py): found on a drive
the watcher sees inserted (a fake volume), applied on a worker once, refusals shown; 文件 →
导入回执… and 导入基础数据… (with a confirmation naming the version)."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QPushButton

from gui_bundle_support import (FakeDrives, admin, app, child, dialogs, enrolled, notice_texts, store,  # noqa: F401
                                wait_idle, window)
from tests import bundle_support as B
from tests.test_sync_forms_window import Published
from weicha_desktop.core.bundle.export import export_ops
from weicha_desktop.core.bundle.refimport import held_version
from weicha_desktop.core.sync.queue import OutboxQueue
from weicha_desktop.gui.bundles.watch import POLL_MS


def entries(store, action):
    return [e for e in store.audit_entries() if e.action == action]


@pytest.fixture
def exported(window, store, enrolled, tmp_path):
    """The window's ops exported to a bundle (the server's side is the test key's)."""
    return export_ops(store, window.actor, tmp_path / "out.wcb", config=enrolled)


def receipt_on(folder, store, done, name="weicha-0001.wcr"):
    folder.mkdir(parents=True, exist_ok=True)
    head = [e for e in store.audit_entries() if e.action == "sync.export"][-1]
    return B.receipt(folder / name, store.meta("device_id"), done.bundle_id, done.through_seq,
                     anchored={"seq": head.seq, "hash": head.hash})


def test_a_receipt_on_an_inserted_drive_is_applied_once(qtbot, window, store, exported, tmp_path):
    assert window.bundles.watcher.timer.isActive() and window.bundles.watcher.timer.interval() == POLL_MS <= 5000
    stick = tmp_path / "media" / "u" / "KINGSTON"
    receipt_on(stick / "weicha", store, exported)  # one folder down, as it went next to the bundle
    queue = OutboxQueue(store, window.actor)
    assert queue.counts()["exported"] == exported.ops == 1
    drives = FakeDrives(window)
    drives.insert(stick)
    drives.remove()
    drives.insert(stick)  # in and out and in again before the first look ended: two looks, one apply
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: any("已导入回执" in t for t in notice_texts(window)), timeout=5000)
    notice = window.bundles.notice
    assert notice.isVisible() and not notice.isModal()
    assert notice.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)  # typing in a form goes on
    assert "本次确认 1 项" in notice_texts(window)[0]
    assert queue.counts()["exported"] == 0 and queue.sequence()[1] == exported.through_seq
    drives.watcher.poll()  # the same drive still there: not looked at again
    window.bundles.taken.clear()  # as after the program started again: the work log says it was taken
    drives.remove()
    drives.insert(stick)  # pulled and put back: never applied again
    wait_idle(qtbot, window)
    assert len(entries(store, "bundle.receipt")) == 1 and len(notice_texts(window)) == 1


def test_a_tampered_receipt_is_refused_with_its_message(qtbot, window, store, exported, tmp_path):
    stick = tmp_path / "media" / "u" / "SD"
    path = receipt_on(stick, store, exported)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0x01  # the signature
    path.write_bytes(bytes(data))
    other = B.server_file(stick / "z-other.wcr", "receipt", store.meta("device_id"), {"receipt.json": {}},
                          {"receipt_for": exported.bundle_id}, sender_id="srv-other",
                          signer=Ed25519PrivateKey.generate())  # another server's, to this device
    drives = FakeDrives(window)
    drives.insert(stick)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: len(notice_texts(window)) == 2, timeout=5000)
    text, text2 = notice_texts(window)
    assert text.startswith(f"回执 {path.name} 未导入：") and "签名不符" in text
    assert text2.startswith(f"回执 {other.name} 未导入：") and "srv-other" in text2 and "不是本机登记的服务器" in text2
    assert window.bundles.notice.lines.item(0).foreground().color().name() == "#b00020"
    assert OutboxQueue(store, window.actor).counts()["exported"] == 1  # nothing acknowledged
    assert not entries(store, "bundle.receipt")
    assert [e.details["code"] for e in entries(store, "bundle.refused")] == ["bad_signature", "unknown_sender"]
    drives.remove()
    drives.insert(stick)  # refused once: not offered again
    wait_idle(qtbot, window)
    assert len(notice_texts(window)) == 2
    # 文件 → 导入回执… of the same file says it again (the user asked)
    window.bundles.import_receipt(path)
    wait_idle(qtbot, window)
    assert len(notice_texts(window)) == 3 and "签名不符" in notice_texts(window)[2]
    assert child(window, QAction, "importReceiptAction").text() == "导入回执(&R)…"


@pytest.mark.parametrize("window", ["own_forms"], indirect=True)  # it adds a form version to the registry
def test_a_reference_bundle_found_is_offered_and_applied_after_confirming(qtbot, window, store, dialogs, tmp_path):
    stick = tmp_path / "media" / "u" / "REF"
    stick.mkdir(parents=True)
    published = Published()  # the shipped scene form one version up
    B.server_file(stick / "ref-9.wcref", "reference", "*", {"forms.json": [published.row]},
                  {"server_id": B.SERVER_ID, "unit_code": None, "version": 9}, recipient=("device", "*"),
                  laptop=store)
    FakeDrives(window).insert(stick)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: bool(notice_texts(window)), timeout=5000)
    assert "第 9 版基础数据" in notice_texts(window)[0] and held_version(store, B.SERVER_ID) == 0
    offer = child(window.bundles.notice, QPushButton, "bundleOfferButton")
    assert "第 9 版" in offer.text()
    offer.click()  # declined: nothing
    assert "导入第 9 版基础数据吗" in dialogs.shown[-1][2] and held_version(store, B.SERVER_ID) == 0
    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    window.bundles.import_reference(stick / "ref-9.wcref")
    wait_idle(qtbot, window)
    assert held_version(store, B.SERVER_ID) == 9 and "已导入第 9 版基础数据" in notice_texts(window)[-1]
    assert "表单版本 1 条" in notice_texts(window)[-1]
    assert window.forms.latest("scene_investigation").version == published.version  # new cases take it now
    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    B.server_file(stick / "ref-8.wcref", "reference", "*", {"code_tables.json": []},
                  {"server_id": B.SERVER_ID, "unit_code": None, "version": 8}, recipient=("device", "*"),
                  laptop=store)
    window.bundles.import_reference(stick / "ref-8.wcref")  # older: refused, said
    wait_idle(qtbot, window)
    assert "第 8 版" in notice_texts(window)[-1] and "旧" in notice_texts(window)[-1]
    assert held_version(store, B.SERVER_ID) == 9
