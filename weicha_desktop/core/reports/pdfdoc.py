"""The report document: A4 pages with a header (unit, 勘验号, the part being printed), a
footer "第 X 页 共 Y 页" with the true total, and a diagonal 草稿 watermark on drafts."""
from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from weicha_desktop.core.reports.fonts import cjk_font, printable
from weicha_desktop.core.reports.styles import MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, RED


class NumberedCanvas(Canvas):
    """Holds every page until the end so each footer can say how many pages there are."""

    def __init__(self, *args, **kwargs):
        kwargs["initialFontName"] = kwargs.get("initialFontName") or cjk_font()
        kwargs["initialFontSize"] = kwargs.get("initialFontSize") or 10
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, 1):
            self.__dict__.update(state)
            self.setFont(cjk_font(), 9)
            self.setFillGray(0.2)
            self.drawCentredString(A4[0] / 2, 10 * mm, f"第 {number} 页 共 {total} 页")
            super().showPage()
        super().save()


class Part(Flowable):
    """A zero-size marker: from here on the header names this part (and says whether it is
    internal, 不随案移交)."""

    def __init__(self, title: str, internal: bool = False):
        super().__init__()
        self.title, self.internal = title, internal

    def wrap(self, *_):
        return 0, 0

    def draw(self) -> None:
        doc = self.canv._doctemplate
        doc.part_title, doc.part_internal = self.title, self.internal


class ReportDoc(BaseDocTemplate):
    def __init__(self, path: Path, *, unit_name: str, case_number: str, draft: bool, title: str,
                 number_label: str = "勘验号"):
        super().__init__(str(path), pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                         topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, title=title,
                         author="微察桌面版", subject=case_number, creator="微察桌面版",
                         initialFontName=cjk_font(), initialFontSize=10, initialLeading=14)
        self.unit_name, self.case_number, self.draft = unit_name, case_number, draft
        self.number_label = number_label  # what the header calls the number (巡逻记录: its label)
        self.part_title, self.part_internal = "", False
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, A4[0] - 2 * MARGIN_X,
                      A4[1] - MARGIN_TOP - MARGIN_BOTTOM, id="body", leftPadding=0,
                      rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._under,
                                            onPageEnd=self._over)])

    def build_story(self, story: list) -> None:
        self.build(story, canvasmaker=NumberedCanvas)

    def _under(self, c: Canvas, _doc) -> None:
        if not self.draft:
            return
        c.saveState()
        c.setFont(cjk_font(), 110)
        c.setFillColorRGB(0.55, 0.55, 0.55, alpha=0.16)
        c.translate(A4[0] / 2, A4[1] / 2)
        c.rotate(45)
        c.drawCentredString(0, -40, "草稿")
        c.restoreState()

    def _over(self, c: Canvas, _doc) -> None:
        c.saveState()
        font = cjk_font()
        top = A4[1] - 13 * mm
        c.setFont(font, 8.5)
        c.setFillGray(0.25)
        c.drawString(MARGIN_X, top, printable(self.unit_name))
        c.drawRightString(A4[0] - MARGIN_X, top, printable(f"{self.number_label} {self.case_number}"))
        if self.part_title:
            c.drawCentredString(A4[0] / 2, top, self.part_title)
            if self.part_internal:
                c.setFillColor(RED)
                c.drawCentredString(A4[0] / 2, top - 4 * mm, "内部资料　不随案移交")
        if self.draft:
            c.setFillColor(RED)
            c.drawRightString(A4[0] - MARGIN_X, top - 4 * mm, "草稿 · 未定稿")
        c.setStrokeGray(0.5)
        c.setLineWidth(0.5)
        c.line(MARGIN_X, top - 2 * mm, A4[0] - MARGIN_X, top - 2 * mm)
        c.restoreState()
