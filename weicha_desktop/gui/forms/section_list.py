"""The record's sections as a list beside the form instead of a row of tabs: eleven tabs do not
fit a 1024×768 laptop (the last ones hid behind scroll arrows). The QTabWidget stays (its bar
hidden) so the pages, their order and ``tabs.currentIndex()`` keep one meaning; the list only
chooses the page, and says how many problems each section has once the list of problems is up.
The section a reviewer's return comment is about (``show_return``) stands out, the comment as
its tooltip, until the draft is finalized again."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QTabWidget, QWidget


RETURNED_BACKGROUND = "#fdecea"  # as the form's return notice (forms/view.py)
SIDE_PADDING = 6  # pixels left and right of the titles
_TWO_LINE_WIDTHS: dict[tuple[str, int, str], int] = {}  # (font, dpi, title) → width: _two_line_width


class SectionList(QListWidget):
    def __init__(self, tabs: QTabWidget, titles: list[str] | None = None, parent: QWidget | None = None):
        """``titles``: the pages' titles, when the list is made before the pages are put in
        (default: the titles of ``tabs``); it follows ``tabs`` as they are added."""
        super().__init__(parent)
        self.setObjectName("sectionList")
        self.tabs = tabs
        self._titles = titles if titles is not None else [tabs.tabText(i) for i in range(tabs.count())]
        self._counts: dict[int, int] = {}
        # what each row shows: (count, returned, comment); a row not in it shows its plain title
        self._shown: dict[int, tuple[int, bool, str]] = {row: (0, False, "") for row in range(len(self._titles))}
        self.returned_row: int | None = None  # the section a return comment is about
        self._comment = ""
        for title in self._titles:
            item = QListWidgetItem(title)
            item.setToolTip(title)
            self.addItem(item)
        self.setWordWrap(True)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)  # wrap to the list's own width
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # room beside the text: the list's own padding (an item's horizontal padding would
        # make Qt lay wrapped items out wider than the list, cut at its right edge)
        self.setStyleSheet(f"QListWidget#sectionList {{ padding: 2px {SIDE_PADDING}px; }} "
                           "QListWidget#sectionList::item { padding: 5px 0px; }")
        # long titles wrap onto two lines: as narrow as that allows, plus padding and frame
        text = max((self._two_line_width(t) for t in self._titles), default=100)
        self.setFixedWidth(max(text + 2 * SIDE_PADDING + 2 * self.frameWidth() + 8, 120))
        tabs.tabBar().hide()
        self.setCurrentRow(tabs.currentIndex())
        self.currentRowChanged.connect(self._chosen)
        tabs.currentChanged.connect(self._follow)

    def _two_line_width(self, title: str) -> int:
        """The narrowest width at which ``title`` wraps onto at most two lines (measured once
        per font, screen resolution and title: a third of making the list, at every case opened)."""
        key = (self.font().key(), self.logicalDpiY(), title)
        width = _TWO_LINE_WIDTHS.get(key)
        if width is None:
            width = _TWO_LINE_WIDTHS[key] = self._measure_two_lines(title)
        return width

    def _measure_two_lines(self, title: str) -> int:
        metrics = self.fontMetrics()
        flags = Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere
        full = metrics.horizontalAdvance(title)
        # a line laid out is taller than lineSpacing() (15 px against 14 in the CJK font):
        # measured, or no width ever passed for two lines and the list took every full title
        line = metrics.boundingRect(0, 0, full + 10, 10000, int(flags), title).height()
        for width in range(max(full // 2, 1), full + 1, 2):
            rect = metrics.boundingRect(0, 0, width, 10000, int(flags), title)
            if rect.height() <= 2 * line and rect.width() <= width:
                return rect.width()
        return full

    def _chosen(self, row: int) -> None:
        if row >= 0 and row != self.tabs.currentIndex():
            self.tabs.setCurrentIndex(row)

    def _follow(self, index: int) -> None:
        if index != self.currentRow():
            self.setCurrentRow(index)

    def show_counts(self, counts: dict[int, int]) -> None:
        """Problems per section (index → count); sections without any show their plain title.
        Only a row whose count or mark changed is touched: each item setter is a dataChanged,
        and the word-wrapped list lays itself out and repaints again for each (the live check
        runs after every pause in typing)."""
        self._counts = dict(counts)
        for row, title in enumerate(self._titles):
            n = counts.get(row, 0)
            returned = row == self.returned_row
            state = (n, returned, self._comment if returned else "")
            if self._shown.get(row) == state:
                continue
            self._shown[row] = state
            item = self.item(row)
            item.setText(f"{title}（{n}）" if n else title)
            item.setForeground(Qt.GlobalColor.darkRed if n or returned else self.palette().text())
            item.setBackground(QColor(RETURNED_BACKGROUND) if returned else QColor(Qt.GlobalColor.transparent))
            font = item.font()
            font.setBold(returned)
            item.setFont(font)
            item.setToolTip(self.tr("审核退回意见：{comment}").format(comment=self._comment)
                            if returned else title)

    def show_return(self, row: int | None, comment: str = "") -> None:
        """Mark the section a return ``comment`` is about (None: no section marked)."""
        self.returned_row, self._comment = row, comment
        self.show_counts(self._counts)
