"""核查 page: an ID number or plate typed, pasted or scanned (a keyboard-wedge scanner types
the code and Enter) — or read from a QR code or barcode image — checked against the watch
lists held here (core/checks), with a hit shown as an alert that says so in words (a red
band AND the text 命中), the lists' ages, and the checks made here.

    ┌ 核查 ───────────────────────────────────────────────────────────┐
    │ [自动识别 ▾] [ 输入或扫描身份证号、号牌，按回车 ]  核查  从图片识别… │ ← checkInput
    │ ┌─────────────────────────────────────────────────────────────┐ │
    │ │ ！命中核查名单：在逃人员 — 身份证号 4507…                    │ │ ← checkAlert
    │ └─────────────────────────────────────────────────────────────┘ │
    │ 名单 在逃人员 第 3 版（2026-11-25）姓名 李四 原因 …  处置：…     │ ← checkDetails
    │ 本机名单：在逃人员 第 3 版 2026-11-25（2 天前）…                  │ ← listAges
    │ 核查记录   时间 | 核查人 | 号码 | 结果                            │ ← checkHistory
    └─────────────────────────────────────────────────────────────────┘

The check and its log are one change on the GUI thread (a few ms: no worker); the page has
no SQL. After a check the field is emptied and keeps the focus, ready for the next scan."""
from __future__ import annotations

import html
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from weicha_desktop.core.checks import BadKey, CheckResult, CheckService, lists, read_key
from weicha_desktop.core.store.events import ChangeSummary
from weicha_desktop.gui.common.i18n import message_text
from weicha_desktop.gui.common.labels import holder_name
from weicha_desktop.gui.common.op_dialog import button
from weicha_desktop.gui.common.store_events import StoreEvents

HISTORY_ROWS = 100
SCANNER_SECONDS = 0.3  # a keyboard-wedge scanner types an 18-character number faster than this
STYLE = """
QLabel#checkAlert { padding: 12px; font-size: 16pt; font-weight: bold; border-radius: 4px; }
QLabel#checkAlert[state="hit"] { background: #b00020; color: white; }
QLabel#checkAlert[state="miss"] { background: #e8f5e9; color: #1b5e20; border: 1px solid #1b5e20; }
QLabel#checkAlert[state="refused"] { background: #fff8e1; color: #7a4f00; border: 1px solid #7a4f00; }
QLabel#listAges[stale="true"] { color: #7a4f00; }
"""


class CheckPage(QWidget):
    def __init__(self, service: CheckService, events: StoreEvents | None = None,
                 parent: QWidget | None = None, *, forms=None):
        """``forms``: the form registry, to name where a record holds the number (见证人)."""
        super().__init__(parent)
        self.setObjectName("checkPage")
        self.setStyleSheet(STYLE)
        self.service = service
        self.forms = forms
        self.last: CheckResult | None = None
        self.kind = QComboBox()
        self.kind.setObjectName("checkKind")
        for text, kind in ((self.tr("自动识别"), None), (self.tr("身份证号"), "person"), (self.tr("号牌"), "vehicle")):
            self.kind.addItem(text, kind)
        self.input = QLineEdit()
        self.input.setObjectName("checkInput")
        self.input.setPlaceholderText(self.tr("输入、粘贴或扫描身份证号或号牌，按回车核查"))
        self.input.setMaxLength(200)
        self.input.returnPressed.connect(self.run_check)
        self.input.textEdited.connect(self._edited)
        self._edits: list[tuple[float, int]] = []  # (when, length) of each edit since the last check
        self.clock = time.monotonic  # when an edit came (a test sets its own)
        self.check_button = button(self.tr("核查"), "checkButton", self.run_check)
        self.image_button = button(self.tr("从图片识别…"), "checkImageButton", self.choose_image)
        row = QHBoxLayout()
        row.addWidget(self.kind)
        row.addWidget(self.input, 1)
        row.addWidget(self.check_button)
        row.addWidget(self.image_button)
        self.import_dialog = None  # 导入名单… (administrators: gui/checks/import_dialog.py)
        if service.actor.role == "admin":
            row.addWidget(button(self.tr("导入名单…"), "watchImportOpen", self.open_import))

        self.alert = self._label("checkAlert")
        self.alert.setVisible(False)
        self.details = self._label("checkDetails")
        self.ages = self._label("listAges")
        self.history = QTableWidget(0, 4)
        self.history.setObjectName("checkHistory")
        self.history.setHorizontalHeaderLabels([self.tr("时间"), self.tr("核查人"), self.tr("号码"), self.tr("结果")])
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.history.verticalHeader().setVisible(False)
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.horizontalHeader().setStretchLastSection(True)

        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.alert)
        layout.addWidget(self.details)
        layout.addWidget(self.ages)
        history_title = self._label("checkHistoryTitle")
        history_title.setText(self.tr("本机的核查记录（最近的在前）："))
        layout.addWidget(history_title)
        layout.addWidget(self.history, 1)
        if events is not None:
            events.changed.connect(self._changed)
        self.refresh()
        self.input.setFocus()

    def open_import(self):
        """导入名单…: one dialog at a time; the lists' ages follow its commit (StoreEvents)."""
        from weicha_desktop.gui.checks.import_dialog import open_import

        if self.import_dialog is None or not self.import_dialog.isVisible():
            self.import_dialog = open_import(self, self.service.store, self.service.actor)
        return self.import_dialog

    def shutdown(self) -> None:
        """The program closes: an import being read is cancelled and its worker awaited."""
        if self.import_dialog is not None:
            self.import_dialog.shutdown()

    def _label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # ---- checking ---------------------------------------------------------------------------
    def run_check(self) -> CheckResult | None:
        text = self.input.text()
        if not text.strip():
            self.input.setFocus()
            return None
        return self._check(text, self.kind.currentData(), self.source())

    def _edited(self, text: str) -> None:
        if not text:
            self._edits.clear()
        self._edits.append((self.clock(), len(text)))

    def source(self) -> str:
        """How the field's text came, for the log: ``pasted`` (one edit brought most of it),
        ``scanner`` (a keyboard-wedge scanner: many keys within SCANNER_SECONDS), else ``typed``."""
        edits, length = self._edits, len(self.input.text())
        if length >= 7 and edits and max(n - (edits[i - 1][1] if i else 0) for i, (_, n) in enumerate(edits)) \
                >= length - 1:
            return "pasted"
        if length >= 7 and len(edits) >= length // 2 and edits[-1][0] - edits[0][0] <= SCANNER_SECONDS:
            return "scanner"
        return "typed"

    def choose_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择含二维码或条码的图片"), "",
                                              self.tr("图片 (*.jpg *.jpeg *.png *.bmp *.heic *.tif *.tiff)"))
        if path:
            self.check_image(Path(path))

    def check_image(self, path: Path) -> CheckResult | None:
        from weicha_desktop.core.checks.scan import decode_image

        try:
            texts = decode_image(path)
        except BadKey as e:
            self._refused(message_text(e))
            return None
        for text in texts:
            try:
                kind, key = read_key(text, self.service.today())
            except BadKey:
                continue
            return self._check(key, kind, "image")
        self._refused(self.tr("图片中的条码不含有效的身份证号或号牌：请手工输入号码。"))
        return None

    def _check(self, text: str, kind: str | None, source: str) -> CheckResult | None:
        try:
            result = self.service.check(text, kind, source, answered=self._answered)
        except BadKey as e:
            self._refused(message_text(e))
            self.input.selectAll()
            self.input.setFocus()
            return None
        if self.last is not result:
            self._answered(result)
        self.input.clear()
        self._edits.clear()
        self.input.setFocus()
        return result

    # ---- showing ----------------------------------------------------------------------------
    def _answered(self, result: CheckResult) -> None:
        """The check is logged (committed, durable): shown now, painted at once, while the
        signed checkpoint is written (docs/checks.md, Speed)."""
        self.last = result
        self._show(result)
        self.alert.repaint()
        self.details.repaint()

    def _set_state(self, state: str, text: str) -> None:
        self.alert.setProperty("state", state)
        self.alert.style().unpolish(self.alert)
        self.alert.style().polish(self.alert)
        self.alert.setText(text)
        self.alert.setVisible(True)

    def _refused(self, message: str) -> None:
        self._set_state("refused", self.tr("未核查：{message}").format(message=message))
        self.details.setText("")

    def _show(self, r: CheckResult) -> None:
        word = self.tr("身份证号") if r.kind == "person" else self.tr("号牌")
        comma = self.tr("、")
        if r.hit:
            names = comma.join(message_text(h.list) for h in r.hits)
            self._set_state("hit", self.tr("！命中核查名单：{lists} — {word} {key}").format(
                lists=names, word=word, key=r.key))
            parts = []
            for h in r.hits:
                facts = [html.escape(self.tr("{name}：{value}").format(name=k, value=v)) for k, v in
                         ((self.tr("姓名"), h.name), (self.tr("原因"), h.reason), *h.extra.items()) if v]
                parts.append(self.tr("<b>{list}</b> 第 {version} 版（{date}）<br>{facts}<br><b>处置：</b>{what}").format(
                    list=html.escape(message_text(h.list)), version=html.escape(h.list_version),
                    date=html.escape(h.list_date or self.tr("日期不详")), facts=self.tr("　").join(facts),
                    what=html.escape(message_text(h.instruction))))
            self.details.setText("<br><br>".join(parts))
        else:
            self._set_state("miss", self.tr("未命中：{word} {key} 不在本机的 {n} 份名单中").format(
                word=word, key=r.key, n=len(r.lists)))
            self.details.setText("")
        extra = [self.tr("本机记录：{number}（{field} {name}）").format(
            number=html.escape(m.number or m.record_id[:8]), field=html.escape(self._where(m)),
            name=html.escape(m.name)) for m in r.records]
        note = html.escape(self.tr("注意："))
        extra += [f"<b>{note}</b>{html.escape(message_text(w))}" for w in r.warnings]
        if extra:
            text = self.details.text()
            self.details.setText((text + "<br><br>" if text else "") + "<br>".join(extra))
        self.refresh()

    def _where(self, match) -> str:
        """Who in the record holds the number, in words: the table a person is in (见证人),
        else the kind of record (人员信息) — never the field's path (witnesses[0].id_number)."""
        nested = "." in match.field or "[" in match.field
        words = holder_name(self.forms, match.kind, match.field) if self.forms is not None and nested else None
        return words or {"person": self.tr("人员信息"), "vehicle": self.tr("车辆信息"),
                "place": self.tr("场所信息"), "case": self.tr("勘验")}.get(match.kind, self.tr("记录"))

    def refresh(self) -> None:
        """The lists' ages and the history, as the store has them now."""
        held = lists(self.service.store, self.service.today())
        if held:
            self.ages.setText(self.tr("本机名单：") + self.tr("；").join(
                self.tr("{name} 第 {version} 版 {date}（{age}）").format(
                    name=message_text(i.name), version=i.version, date=i.date or "—",
                    age=self.tr("{n} 天前").format(n=i.age_days) if i.age_days is not None else self.tr("日期不详"))
                + (self.tr("，已过期") if i.stale else "") for i in held))
        else:
            self.ages.setText(self.tr("本机还没有核查名单：未命中不代表对象无问题。请同步，或由管理员导入名单。"))
        self.ages.setProperty("stale", "true" if not held or any(i.stale for i in held) else "false")
        self.ages.style().unpolish(self.ages)
        self.ages.style().polish(self.ages)
        rows = self.service.history(limit=HISTORY_ROWS)
        self.history.setRowCount(len(rows))
        for i, row in enumerate(rows):
            result = self.tr("命中：{lists}").format(lists=self.tr("、").join(row["lists"])) if row["result"] == "hit" \
                else self.tr("未命中")
            for j, value in enumerate((row["at"][:19].replace("T", " "), row["user"], row["key"], result)):
                item = QTableWidgetItem(value)
                if row["result"] == "hit":
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.history.setItem(i, j, item)

    def _changed(self, summary: ChangeSummary) -> None:
        if "check" in summary.kinds or "watchlist" in summary.kinds or "device" in summary.kinds:
            self.refresh()
