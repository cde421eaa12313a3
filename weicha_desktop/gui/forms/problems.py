"""The message line and the problem list under the case form. A click (or Enter) on a
problem asks the form to show its field: ``pathChosen(path)``. The problems are the core's
messages (core/messages.py), shown in the window's language.

After the problems come the form's notices (提示: rules of ``level: notice``, e.g. 照片张数
against the photo log): worth a look, never blocking 定稿. Each is marked in its words
("提示：…"), by an information icon and in italics — not by colour alone; F8 reaches them
after the problems (the list's order)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QStyle, QVBoxLayout, QWidget

from weicha_desktop.core.errors import Problem
from weicha_desktop.gui.common.i18n import current_language, message_text

PATH_ROLE = Qt.ItemDataRole.UserRole
NOTICE_ROLE = Qt.ItemDataRole.UserRole + 1  # True on a notice's item (提示)


def problem_line(section: str, message: object) -> str:
    """A problem in the list, after the section it is in: 【勘验事由】报警时间：必填,
    [Cause] Reported at: required."""
    if current_language() == "en":
        return f"[{section}] {message_text(message)}"
    return f"【{section}】{message_text(message)}"


class ProblemPanel(QWidget):
    pathChosen = Signal(str)

    def __init__(self, describe: Callable[[Problem], str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet('QLabel#formMessage[kind="error"] { color: #b00020; } '
                           'QLabel#formMessage[kind="ok"] { color: #1b5e20; }')
        self.describe = describe
        self._gap: int | None = None  # where a fixed problem stood (F8 goes on from there)
        self._next: tuple[str, str] | None = None  # the problem F8 goes to then
        self._entries: list[tuple[str, str, bool]] = []  # (path, text, notice) of the list's items
        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("problemList")
        self.list.setMaximumHeight(160)
        self.list.setAlternatingRowColors(True)
        self.list.itemClicked.connect(self._chosen)
        self.list.itemActivated.connect(self._chosen)  # Enter on the keyboard
        self.list.currentRowChanged.connect(self._moved)
        self.list.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addWidget(self.list)

    def _chosen(self, item: QListWidgetItem) -> None:
        if item.data(PATH_ROLE):
            self.pathChosen.emit(item.data(PATH_ROLE))

    def step(self, delta: int) -> bool:
        """F8 / Shift+F8: the next / previous problem of the list (wrapping), shown at its
        field. False when there is no list to step through."""
        count = self.list.count()
        if not self.list.isVisible() or count == 0:
            return False
        row, gap, self._gap, self._next = self.list.currentRow(), self._gap, None, None
        if gap is not None:  # the problem shown last was fixed: go on from where it stood
            row = (gap if delta > 0 else gap - 1) % count
        else:
            row = (0 if delta > 0 else count - 1) if row < 0 else (row + delta) % count
        self.list.setCurrentRow(row)
        self._chosen(self.list.item(row))
        return True

    def _moved(self, row: int) -> None:
        """A problem chosen (a click, F8, the arrows): F8 goes on from it, not from a gap."""
        if row >= 0:
            self._gap = self._next = None

    @staticmethod
    def _key(item: QListWidgetItem) -> tuple[str, str]:
        return item.data(PATH_ROLE) or "", item.text()

    def _follow(self, old: list[tuple[str, str]], row: int) -> None:
        """The list was made again: the problem shown stays current; once it is fixed, F8 goes
        on with the one that came after it (``_gap``: where that one now stands), not with the
        one after that — nor, when edits add problems above it, with one already passed."""
        new = [self._key(self.list.item(r)) for r in range(self.list.count())]
        self._gap = None
        if 0 <= row < len(old) and old[row] in new:
            self.list.setCurrentRow(new.index(old[row]))
            return
        if 0 <= row < len(old):
            after = old[row + 1:]
        elif self._next in old:
            after = old[old.index(self._next):]
        else:
            self._next = None
            return
        self._next = next((key for key in after if key in new), None)
        self._gap = new.index(self._next) if self._next is not None else len(new)

    def show_message(self, text: str, kind: str = "error") -> None:
        self.message.setText(text)
        self.message.setProperty("kind", kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def show_problems(self, problems: list[Problem], message: str, kind: str = "error",
                      notices: Sequence[Problem] = ()) -> None:
        """The message, then the problems and after them the ``notices`` (提示), which the
        message counts apart: they never block 定稿."""
        if notices:
            message += self.tr("另有 %n 条提示，请核对（不影响定稿）。", "", len(notices))
        self.show_message(message, kind)
        old = [self._key(self.list.item(r)) for r in range(self.list.count())]
        row = self.list.currentRow()
        entries = [(p.path or "", self.describe(p), False) for p in problems] + \
                  [(n.path or "", self._notice_text(n), True) for n in notices]
        if entries == self._entries:  # the same list (the live check after every pause in
            self._follow(old, row)    # typing): kept, not made again (a relayout and repaint)
            if 0 <= row < len(old):
                self._next = None  # (as the current row set again on a list made again did)
        else:
            self._entries = entries
            self.list.clear()
            for problem, (_path, text, _notice) in zip(problems, entries):
                item = QListWidgetItem(text)  # described once, above
                item.setData(PATH_ROLE, problem.path)
                if problem.path:
                    item.setToolTip(self.tr("单击或按回车定位到该栏目"))
                self.list.addItem(item)
            for notice in notices:
                self.list.addItem(self._notice_item(notice))
            self._follow(old, row)
        self.list.setVisible(bool(problems) or bool(notices))

    def _notice_text(self, notice: Problem) -> str:
        return self.tr("提示：{text}").format(text=self.describe(notice))

    def _notice_item(self, notice: Problem) -> QListWidgetItem:
        item = QListWidgetItem(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation),
                               self._notice_text(notice))
        item.setData(PATH_ROLE, notice.path)
        item.setData(NOTICE_ROLE, True)
        font = item.font()
        font.setItalic(True)
        item.setFont(font)
        item.setToolTip(self.tr("提示：请核对，不阻止定稿（单击或按回车定位到该栏目）"))
        return item
