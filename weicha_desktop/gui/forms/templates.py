"""插入模板: above the 现场勘验情况 fields, a choice of narrative templates (those for the
case type first, then the generic one, then the rest) and a button that fills the empty
narrative fields from the chosen one. Text already written is replaced only when the user
agrees.

The offer (``TemplateOffer``, under the form's header): once a case type is chosen while the
narrative is still empty, one key (Alt+T) writes the case type's template into the required
narrative fields, filled from the record (core/forms/templates.py ``offer``, ``offered_texts``);
the focus stays where the user is typing."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton,
                               QWidget)

from weicha_desktop.core.forms import FormError
from weicha_desktop.core.forms.spec import FormSpec
from weicha_desktop.core.forms.registry import FormRegistry
from weicha_desktop.core.forms.templates import (NARRATIVE_SECTION, NarrativeTemplate, case_type_code,
                                                 fill, offer, offered_texts, templates_for)
from weicha_desktop.gui.forms.fields import Editor


class TemplateBar(QWidget):
    def __init__(self, templates: list[NarrativeTemplate], spec: FormSpec,
                 editors: dict[str, Editor], data: Callable[[], dict[str, Any]],
                 lang: str = "zh", error: str = "", parent: QWidget | None = None,
                 offer_parent: QWidget | None = None):
        """``parent``/``offer_parent``: where the bar and the offer go (made there, not moved
        there: a styled widget moved is styled again). The templates are offered as the form
        loads a case (``refresh``)."""
        super().__init__(parent)
        self.setObjectName("templateBar")
        self.templates, self.spec, self.editors, self.data = templates, spec, editors, data
        self.lang = lang
        self.choice = QComboBox()
        self.choice.setObjectName("templateChoice")
        self.choice.setMinimumWidth(180)
        self.button = QPushButton(self.tr("插入模板"))
        self.button.setObjectName("insertTemplateButton")
        self.button.setToolTip(self.tr("按所选模板填写空白的现场勘验情况栏目；"
                                       "已写的内容须确认后才会替换"))
        self.button.clicked.connect(self.insert)
        if error:  # the template files could not be read: say so where the button is
            self.button.setToolTip(self.tr("模板文件有误，请运行 weicha forms check：\n") + error)
        label = QLabel(self.tr("现场勘验情况模板："))
        label.setBuddy(self.choice)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 4)
        row.addWidget(label)
        row.addWidget(self.choice)
        row.addWidget(self.button)
        row.addStretch(1)
        self.offer = TemplateOffer(self.accept_offer, offer_parent)

    @classmethod
    def for_form(cls, forms: FormRegistry, spec: FormSpec, editors: dict[str, Editor],
                 data: Callable[[], dict[str, Any]], lang: str = "zh", parent: QWidget | None = None,
                 offer_parent: QWidget | None = None) -> "TemplateBar | None":
        """The bar for ``spec``'s narrative section (None if the form has none), with the
        registry's templates (``forms/templates``, read once per registry while the files
        stay the same); a broken file disables it and says why."""
        if not any(s.id == NARRATIVE_SECTION for s in spec.sections):
            return None
        try:
            return cls(forms.narrative_templates(spec), spec, editors, data, lang, parent=parent,
                       offer_parent=offer_parent)
        except FormError as e:
            return cls([], spec, editors, data, lang, error=str(e), parent=parent, offer_parent=offer_parent)

    def focus_widgets(self) -> list[QWidget]:
        return [self.choice, self.button]

    def refresh(self) -> None:
        """Offer the templates in the order that fits the case type as now entered."""
        offered = templates_for(self.templates, case_type_code(self.spec, self.data()))
        if [self.choice.itemData(i) for i in range(self.choice.count())] == [t.id for t in offered]:
            return
        self.choice.clear()
        for template in offered:
            self.choice.addItem(template.title.text(self.lang), template.id)
        self.choice.setCurrentIndex(0)
        self.button.setEnabled(bool(offered))

    def refresh_offer(self, editable: bool = True) -> None:
        """Offer the case type's template while the narrative is empty (hidden otherwise)."""
        self.offer.show_for(offer(self.templates, self.spec, self.data()) if editable else None,
                            case_type_code(self.spec, self.data()), self.lang)

    def accept_offer(self) -> list[str]:
        """The offered template into the empty narrative fields (required ones; optional ones
        with nothing left blank); the ids written. The focus stays where it is."""
        template = self.offer.template
        data = self.data()
        texts = offered_texts(template, self.spec, data) if template is not None \
            and offer(self.templates, self.spec, data) is template else {}
        for fid, text in texts.items():
            if fid in self.editors and not self.editors[fid].field.readonly:
                self.editors[fid].set_value(text)
        self.offer.show_for(None, None, self.lang)
        return list(texts)

    def chosen(self) -> NarrativeTemplate | None:
        return next((t for t in self.templates if t.id == self.choice.currentData()), None)

    def insert(self) -> list[str]:
        """Fill from the chosen template; returns the ids of the fields it wrote."""
        template = self.chosen()
        if template is None:
            return []
        data = self.data()
        texts = {fid: fill(text, self.spec, data, template.rows) for fid, text in template.texts.items()
                 if fid in self.editors and not self.editors[fid].field.readonly}
        current = {fid: self.editors[fid].value() for fid in texts}
        written = [fid for fid in texts if current[fid] not in (None, texts[fid])]
        targets = [fid for fid in texts if current[fid] is None]
        if written and self._confirm_replace(written):
            targets += written
        for fid in targets:
            self.editors[fid].set_value(texts[fid])
        if targets:
            self.editors[targets[0]].focus()
        return targets

    def _confirm_replace(self, field_ids: list[str]) -> bool:
        names = "、".join(self.editors[f].field.label.text(self.lang) for f in field_ids)
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self, self.tr("插入模板"),
            self.tr("以下栏目已有内容：{fields}。\n要用模板替换这些内容吗？"
                    "（选“否”只填写空白栏目）").format(fields=names),
            buttons.Yes | buttons.No, buttons.No)
        return answer == buttons.Yes


class TemplateOffer(QFrame):
    """插入“入室盗窃”模板？ under the form's header: Alt+T writes it (the button takes no focus,
    so typing goes on where it was), 不用 hides it until another case type is chosen."""

    def __init__(self, accept, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("templateOffer")
        self.setStyleSheet("QFrame#templateOffer { background: #e8f1fb; border: 1px solid #9cc2e8; "
                           "border-radius: 3px; }")
        self.template: NarrativeTemplate | None = None
        self._declined: str | None = None  # the case type whose offer was declined
        self._case_type: str | None = None
        self.label = QLabel()
        self.label.setObjectName("templateOfferText")
        self.label.setWordWrap(True)
        self.accept_button = QPushButton(self.tr("插入模板(&T)"))
        self.accept_button.setObjectName("acceptTemplateButton")
        self.decline_button = QPushButton(self.tr("不用"))
        self.decline_button.setObjectName("declineTemplateButton")
        for button in (self.accept_button, self.decline_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard stays in the form
        self.accept_button.clicked.connect(accept)
        self.decline_button.clicked.connect(self.decline)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.accept_button)
        row.addWidget(self.decline_button)
        self.hide()

    def show_for(self, template: NarrativeTemplate | None, case_type: str | None, lang: str) -> None:
        self._case_type = case_type
        if case_type != self._declined:
            self._declined = None
        self.template = template if case_type is not None and case_type != self._declined else None
        if self.template is not None:
            self.label.setText(self.tr(
                "现场勘验情况尚空：插入“{title}”模板？地址、天气、时间、人员、提取的痕迹物证由记录写入，"
                "其余留“____”待填（F8 逐个定位）。").format(title=self.template.title.text(lang)))
        self.setVisible(self.template is not None)

    def decline(self) -> None:
        self._declined = self._case_type
        self.template = None
        self.hide()
