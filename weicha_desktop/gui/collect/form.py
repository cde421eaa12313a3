"""A collect record's form (the scene form's FormView on the kind's service) and its 关联 view:
what the record is linked to, and a row to link it to a case or another record.

A collect record has no issued number: the form's header names it as the service does
(张三 1101…, 桂N12345)."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QVBoxLayout, QWidget)

from weicha_desktop.core.collect import CollectService, LinkService
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.records import Record
from weicha_desktop.gui.common.i18n import current_language, message_text
from weicha_desktop.gui.common.labels import holder_name
from weicha_desktop.gui.common.op_dialog import button, show_message
from weicha_desktop.gui.forms.view import FormView

KIND_NAMES = {"case": QT_TRANSLATE_NOOP("LinksView", "勘验"), "person": QT_TRANSLATE_NOOP("LinksView", "人员"),
              "vehicle": QT_TRANSLATE_NOOP("LinksView", "车辆"), "place": QT_TRANSLATE_NOOP("LinksView", "场所"),
              "patrol": QT_TRANSLATE_NOOP("LinksView", "巡逻"), "request": QT_TRANSLATE_NOOP("LinksView", "群众诉求")}


class CollectForm(FormView):
    """FormView for a person, vehicle or place, with the 关联 view beside the form."""

    def __init__(self, service: CollectService, record: Record, parent: QWidget | None = None, *,
                 lang: str = "zh"):
        super().__init__(service, record, parent, lang=lang)
        self.links = LinksView(LinkService(service.store, service.forms, service.actor), record.id,
                               lambda: service.related(self.case))
        self.add_view(self.links, self.tr("关联"), "linksView")

    def load(self, case: Record) -> None:
        super().load(replace(case, number=self.cases.label(case)))


class LinksView(QWidget):
    """Everything the record is linked to (either end), and 关联到 a record named by its
    number (勘验号), 身份证号, 号牌 or id, with a role."""

    def __init__(self, links: LinkService, record_id: str,
                 mentions: Callable[[], list[dict[str, Any]]] = list, parent: QWidget | None = None):
        super().__init__(parent)
        self.service, self.record_id, self.mentions = links, record_id, mentions
        self.list = QListWidget()
        self.list.setObjectName("linkList")
        self.target = QLineEdit()
        self.target.setObjectName("linkTarget")
        self.target.setPlaceholderText(self.tr("勘验号、身份证号、号牌或记录 id"))
        self.role = QComboBox()
        self.role.setObjectName("linkRole")
        # the roles in the window's language (LinkService.roles: the Chinese the CLI shows);
        # offered only those this record's kind may be linked as (the list's ``joins``)
        self.role_words = {c.code: c.label.text(current_language())
                           for c in links.forms.choices("link_roles")} or links.roles()
        kind = links.find(record_id)["kind"]
        for code in links.roles_for(kind):
            self.role.addItem(self.role_words.get(code, code), code)
        self.note = QLineEdit()
        self.note.setObjectName("linkNote")
        self.note.setPlaceholderText(self.tr("说明（可空）"))
        self.add_button = button(self.tr("关联"), "linkAdd", self.add)
        self.target.returnPressed.connect(self.add)
        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.hide()
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("关联到")))
        row.addWidget(self.target, 2)
        row.addWidget(self.role)
        row.addWidget(self.note, 1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        rows = self.service.links_of(self.record_id)
        for link in rows:
            other = link["other"]
            if other:
                kind = QCoreApplication.translate("LinksView", KIND_NAMES.get(other["kind"], other["kind"]))
                what = self.tr("{label}（{kind}）").format(label=other["label"], kind=kind)
            else:
                what = self.tr("{id}（本机没有该记录）").format(id=link["other_id"])
            arrow = "→" if link["side"] == "record" else "←"
            note = f"  {link['note']}" if link["note"] else ""
            role = self.role_words.get(link["role"], link["role_label"])
            item = QListWidgetItem(f"{arrow} {role}  {what}{note}")
            item.setData(Qt.ItemDataRole.UserRole, link["id"])
            self.list.addItem(item)
        for m in self.mentions():  # records naming this one's 身份证号 or 号牌, or named by it
            kind = QCoreApplication.translate("LinksView", KIND_NAMES.get(m["kind"], m["kind"]))
            text = self.tr("＝ 本记录的 {field}：{label}（{kind}）") if m["names"] \
                else self.tr("＝ 出现在 {label}（{kind}，{field}）")
            named = None if m["names"] else holder_name(self.service.forms, m["kind"], m["field"])
            field = named or m["field"]  # the words of where the other record holds it, not a path
            self.list.addItem(text.format(label=m["label"], kind=kind, field=field))
        if not rows:
            self.list.addItem(self.tr("尚无关联：在下面输入勘验号等，选择身份后点“关联”。"))

    def add(self) -> None:
        try:
            self.service.link(self.record_id, self.target.text(), self.role.currentData(), self.note.text())
        except WeichaError as e:
            show_message(self.message, message_text(e), "error")
            return
        show_message(self.message, self.tr("已关联。"), "ok")
        self.target.clear()
        self.note.clear()
        self.refresh()
