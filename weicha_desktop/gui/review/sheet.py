"""The whole record on one scrolling page, for the reviewer: no tabs to switch.

    现场勘验检查笔录　K…　第 1 版　已定稿                                   报告(R)…
    ┌ reviewSheet (a read-only QTextBrowser) ─────────────────────────────────────────┐
    │ 栏目: 笔录头 · 勘验事由 · … · 照片        (links: Tab to one, Enter jumps there)    │
    │ 检查结果（第 1 版）: 通过 / the problems that block finalizing, by section         │
    │ 1 笔录头            label  value …                                             │
    │ …                   people and witnesses as tables, evidence items one by one  │
    │ 照片（8 张）         thumbnails with their number, class, caption, photographer   │
    └────────────────────────────────────────────────────────────────────────────────┘

The checker's result is ``check_data(complete=True)`` of the version shown: what 检查 in the
form lists (required fields, the 一长四必 rules, the photo classes), then its notices (提示,
never blocking: ``RecordService.notices``). Thumbnails are decoded on
a pool thread (``ImageLoader``) and drawn as they arrive; until then a grey square holds their
place. The text is built once per case; a case is never edited here."""
from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QColor, QImage, QResizeEvent, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStyle, QTextBrowser, QVBoxLayout, QWidget

from weicha_desktop.core.cases import CaseRecord, CaseService
from weicha_desktop.core.errors import Problem
from weicha_desktop.core.forms import compile_expr
from weicha_desktop.core.forms.spec import Field, Section
from weicha_desktop.core.photos import Photo, PhotoService
from weicha_desktop.core.record_service import RETURN_REASON
from weicha_desktop.core.messages import render
from weicha_desktop.gui.common.images import ImageLoader
from weicha_desktop.gui.common.labels import status_name
from weicha_desktop.gui.photos.model import class_name, load_thumbnail
from weicha_desktop.gui.review.values import EMPTY, is_empty, text_html, value_html

THUMB = 120          # thumbnail side on the sheet
PHOTO_CELL = THUMB + 30  # the room a thumbnail and its caption take across
TABLE_COLUMNS = 4    # a repeat group with more sub-fields shows each row as a paragraph (an
                     # 18-digit ID number does not wrap: a wide table would scroll sideways)
PHOTO_SCHEME = "photo"
STYLE = """
h3 { color: #1a5fb4; margin-top: 14px; margin-bottom: 4px; }
td.label { color: #555; }
th { background: #eef1f4; font-weight: normal; color: #333; }
p.ok { color: #1b5e20; }
p.bad { color: #b00020; }
p.note { color: #1a5fb4; }
"""


def anchor(section_id: str) -> str:
    return f"section-{section_id}"


class SheetBrowser(QTextBrowser):
    """A QTextBrowser whose ``photo:`` images are the thumbnails decoded so far (a grey
    square until then); ``resized`` when its width changes (the photo grid follows it)."""

    resized = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.images: dict[str, QImage] = {}
        self.placeholder = QImage(THUMB, THUMB, QImage.Format.Format_RGB32)
        self.placeholder.fill(QColor("#e4e7eb"))

    def loadResource(self, kind: int, name: QUrl) -> Any:
        if name.scheme() == PHOTO_SCHEME:
            return self.images.get(name.path(), self.placeholder)
        return super().loadResource(kind, name)

    def set_image(self, key: str, image: QImage) -> None:
        self.images[key] = image
        self.document().addResource(QTextDocument.ResourceType.ImageResource.value,
                                    QUrl(f"{PHOTO_SCHEME}:{key}"), image)  # over the grey one
        self.viewport().update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.resized.emit()

    def set_html_keeping_place(self, html: str) -> None:
        bar = self.verticalScrollBar()
        where = bar.value() / bar.maximum() if bar.maximum() else 0.0
        self.setHtml(html)
        bar.setValue(round(where * bar.maximum()))


class RecordSheet(QWidget):
    """One version of a case, read-only and whole. ``case``: the CaseRecord shown."""

    def __init__(self, cases: CaseService, photos: PhotoService, case: CaseRecord, lang: str = "zh",
                 parent: QWidget | None = None, *, width: int | None = None):
        """``width``: the width the sheet will be shown at, when known (the sheet it replaces):
        its photo columns are counted for it, so the text is laid out once, not again at the
        first resize."""
        super().__init__(parent)
        self.setObjectName("reviewSheetView")
        self._width = width
        self.cases, self.photos, self.case, self.lang = cases, photos, case, lang
        self.spec = cases.spec_for(case)
        self.problems: list[Problem] = cases.check_data(case, case.data, complete=True)
        self.notices: list[Problem] = cases.notices(case)
        self.photo_list: list[Photo] = photos.list(case.id)
        self.waiting: set[str] = {p.id for p in self.photo_list}  # thumbnails not yet drawn
        self.loader = ImageLoader(threads=2, parent=self)
        self.loader.ready.connect(self._thumb_ready)
        self.loader.failed.connect(lambda key, _message: self.waiting.discard(key))

        version = self.tr("第 {n} 版").format(n=case.version)  # (tr() outside f-strings: lupdate)
        self.title = QLabel(f"{self.spec.title.text(lang)}　{case.number}　{version}　{status_name(case)}")
        self.title.setObjectName("reviewSheetTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.report_button = QPushButton(self.tr("报告(&R)…"))
        self.report_button.setObjectName("reportButton")
        self.report_button.setToolTip(self.tr("预览、打印或导出 PDF：笔录、登记表、现场照片、分析报告"))
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.report_button)

        self.browser = SheetBrowser()
        self.browser.setObjectName("reviewSheet")
        self.browser.document().setDefaultStyleSheet(STYLE)
        self.columns = self._photo_columns()
        self.browser.setHtml(self.html())
        self.browser.resized.connect(self._resized)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.browser, 1)
        for photo in self.photo_list:
            self.loader.load(photo.id, lambda s=photos, p=photo: load_thumbnail(s, p, THUMB))

    # ---- the text ----------------------------------------------------------------------------
    def html(self) -> str:
        env = self.case.data
        shown = self.spec.sections
        links = [f'<a href="#{anchor(s.id)}">{escape(s.title.text(self.lang))}</a>' for s in shown]
        photos, sections = escape(self.tr("照片")), escape(self.tr("栏目："))
        links.append(f'<a href="#{anchor("photos")}">{photos}</a>')
        parts = [f"<p>{sections}{' · '.join(links)}</p>", self._checker_html()]
        if self.case.amend_reason:
            why, reason = escape(self.tr("本版由来：")), self.case.amend_reason
            if reason.startswith(RETURN_REASON):  # the words the core put before the comment
                reason = self.tr("审核退回：") + reason[len(RETURN_REASON):]
            parts.append(f"<p>{why}{text_html(reason)}</p>")
        for number, section in enumerate(shown, 1):
            parts.append(f'<a name="{anchor(section.id)}"></a>'
                         f"<h3>{number}　{escape(section.title.text(self.lang))}</h3>")
            parts.append(self._section_html(section, env))
        heading = escape(self.tr("照片（{n} 张）").format(n=len(self.photo_list)))
        parts.append(f'<a name="{anchor("photos")}"></a><h3>{heading}</h3>')
        parts.append(self._photos_html())
        return "\n".join(parts)

    def _checker_html(self) -> str:
        version = self.tr("检查结果（第 {n} 版）：").format(n=self.case.version)
        notes = ""
        if self.notices:  # after the problems, said to be 提示 in words (and in italics)
            head = escape(self.tr("%n 条提示，请核对（不阻止定稿）：", "", len(self.notices)))
            items = self._items_html(self.notices, self.tr("提示："))  # (tr() outside f-strings)
            notes = f'<p class="note"><b>{head}</b></p>{items}'
        if not self.problems:
            passed = escape(self.tr("通过，没有阻止定稿的问题。"))
            return f'<p class="ok"><b>{escape(version)}</b>{passed}</p>{notes}'
        head = self.tr("{n} 个问题阻止定稿：").format(n=len(self.problems))
        return (f'<p class="bad"><b>{escape(version)}</b>{escape(head)}</p>'
                f"{self._items_html(self.problems)}{notes}")

    def _items_html(self, problems: list[Problem], mark: str = "") -> str:
        """As the form's problem list says them: 【栏目】字段：问题, [Section] Field: …; a
        notice after its ``mark`` (提示：), in italics."""
        items = []
        for problem in problems:
            section, text = self._section_title(problem.path), render(problem.message, self.lang)
            where = (f"[{section}] " if self.lang == "en" else f"【{section}】") if section else ""
            line = text_html(mark + where + text)
            items.append(f"<li><i>{line}</i></li>" if mark else f"<li>{line}</li>")
        return f'<ul>{"".join(items)}</ul>'

    def _section_title(self, path: str) -> str:
        top = path.split(".")[0].split("[")[0]
        for section in self.spec.sections:
            if any(f.id == top for f in section.fields):
                return section.title.text(self.lang)
        return ""

    def _section_html(self, section: Section, env: dict[str, Any]) -> str:
        rows, groups = [], []
        for field in section.fields:
            if field.relevant and not compile_expr(field.relevant).holds(env):
                continue  # hidden in the form: not asked
            label = escape(field.label.text(self.lang))
            if field.type == "repeat":
                groups.append(f"<p><b>{label}</b></p>" + self._repeat_html(field, env.get(field.id)))
                continue
            value = value_html(field, env.get(field.id), self.lang, env.get(f"{field.id}_other"))
            rows.append(f'<tr><td class="label" width="30%" align="right">{label}</td>'
                        f"<td>{value}</td></tr>")
        table = (f'<table width="100%" cellspacing="0" cellpadding="3">{"".join(rows)}</table>'
                 if rows else "")
        return table + "".join(groups)

    def _repeat_html(self, field: Field, rows: Any) -> str:
        rows = [r for r in rows or [] if isinstance(r, dict)]
        if not rows:
            return f"<p>{EMPTY}</p>"
        subs = list(field.fields)
        if len(subs) <= TABLE_COLUMNS:  # people: one line each
            head = "".join(f"<th>{escape(s.label.text(self.lang))}</th>" for s in subs)
            body = "".join("<tr>" + "".join(
                f"<td>{value_html(s, r.get(s.id), self.lang, r.get(f'{s.id}_other'))}</td>" for s in subs)
                + "</tr>" for r in rows)
            return (f'<table width="100%" border="1" cellspacing="0" cellpadding="3" '
                    f'style="border-color:#ccc; border-style:solid">'
                    f"<tr>{head}</tr>{body}</table>")
        out = []  # many items (痕迹物证): a heading line, then the items that are filled
        for n, row in enumerate(rows, 1):
            title = "　".join(value_html(s, row[s.id], self.lang) for s in subs[:2]
                             if not is_empty(row.get(s.id)))
            items = [f'<span style="color:#555">{escape(s.label.text(self.lang))}</span> '
                     f"{value_html(s, row.get(s.id), self.lang, row.get(f'{s.id}_other'))}"
                     for s in subs[2:] if not is_empty(row.get(s.id))]
            out.append(f"<p><b>{n}.　{title}</b><br>{'；'.join(items) or EMPTY}</p>")
        return "".join(out)

    def _photos_html(self) -> str:
        if not self.photo_list:
            none = escape(self.tr("没有照片。"))
            return f"<p>{none}</p>"
        cells = []
        for photo in self.photo_list:
            kind = class_name(self.photos, photo.photo_class, self.lang) or self.tr("未分类")
            caption = escape(self.tr("第 {n} 号〔{kind}〕").format(n=photo.position, kind=kind))
            caption += text_html(photo.caption or "")
            if photo.photographer:
                caption += "<br>" + escape(self.tr("拍照：{name}").format(name=photo.photographer))
            cells.append(f'<td width="{100 // self.columns}%" valign="top" align="center">'
                         f'<img src="{PHOTO_SCHEME}:{photo.id}" width="{THUMB}" height="{THUMB}"><br>'
                         f"{caption}</td>")
        n = self.columns
        rows = ["".join(cells[i:i + n]) for i in range(0, len(cells), n)]
        return (f'<table width="100%" cellspacing="4" cellpadding="2">'
                + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>")

    def _photo_columns(self) -> int:
        """As many thumbnails across as the sheet's width takes (never a sideways scroll).
        Before the sheet is shown: as many as the width it will be shown at takes, its
        scroll bar standing (a whole case is longer than the window)."""
        viewport = self.browser.viewport().width()
        if self._width is not None and not self.browser.isVisible():
            bar = self.browser.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self.browser)
            viewport = self._width - 2 * self.browser.frameWidth() - bar
        return max(1, (viewport - 24) // PHOTO_CELL)

    def _resized(self) -> None:
        columns = self._photo_columns()
        if columns != self.columns and self.photo_list:
            self.columns = columns
            self.browser.set_html_keeping_place(self.html())

    # ---- moving about ------------------------------------------------------------------------
    def scroll_to(self, section_id: str | None) -> None:
        """Show a section (None: the top, with the checker's result)."""
        if section_id:
            self.browser.scrollToAnchor(anchor(section_id))
        else:
            self.browser.verticalScrollBar().setValue(0)

    def _thumb_ready(self, key: str, image: QImage) -> None:
        self.waiting.discard(key)
        self.browser.set_image(key, image)

    def shutdown(self) -> None:
        """Before the sheet goes: drop the thumbnails not decoded yet, wait for the rest."""
        self.loader.shutdown()


def section_choices(sheet: RecordSheet) -> list[tuple[str, str]]:
    """(id, title) of the sections a return comment can be about, in form order."""
    return [(s.id, s.title.text(sheet.lang)) for s in sheet.spec.sections]

