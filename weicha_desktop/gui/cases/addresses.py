"""Addresses in a narrow list column: a unit's cases are mostly in one district, so cutting
each address at the column's right edge showed the same "广西壮族自治区梧州市…" on every row.
The list drops the administrative divisions (province, city, county, town) that every address
it holds shares and shows the rest — the street and number that tell cases apart — after a
"…" — where the column is too narrow for the whole address (a wide column shows it whole);
the whole address is the cell's tooltip, the dropped part the column header's. An address
still too long loses its end (the street comes first); one whose start was kept (nothing
shared) loses its middle, so its number still shows.

    广西壮族自治区梧州市万秀区新兴街28号   ┐ shared: 广西壮族自治区 梧州市 万秀区
    广西壮族自治区梧州市万秀区西江路3号    ┘ shown:  …新兴街28号 / …西江路3号

Only whole divisions are dropped (never a cut inside a street name), and only when at least
two addresses share them; a list of one address, or of addresses in different provinces,
shows them whole."""
from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QTableView

# a division: a few characters ending in the word for its level, at the start of what is left
_LEVELS = (r"[^省市县区]{2,8}?(?:省|自治区|特别行政区)",
           r"[^省市县区]{1,9}?(?:市|自治州|地区|盟)",
           r"[^省市县区]{1,9}?(?:(?<!小)区|县|自治县|旗|市)",  # not 小区 (a housing estate)
           r"[^省市县区镇乡]{1,9}?(?:镇|乡|街道)")
_DIVISION = [re.compile(level) for level in _LEVELS]
ELLIPSIS = "…"
CELL_MARGIN = 4  # pixels a table cell keeps free on each side of its text


def divisions(address: str) -> list[str]:
    """The administrative divisions ``address`` starts with, in order (each level at most once,
    in the order province → city → county → town; a level may be missing)."""
    out, rest = [], address
    for level in _DIVISION:
        match = level.match(rest)
        if match:
            out.append(match.group())
            rest = rest[match.end():]
    return out


def shared(current: list[str] | None, addresses: Iterable[str | None]) -> list[str] | None:
    """The divisions ``current`` (None: none seen yet) has in common with each of
    ``addresses`` (empty ones are skipped): what every address seen so far starts with."""
    for address in addresses:
        if not address:
            continue
        parts = divisions(address)
        if current is None:
            current = parts
            continue
        n = 0
        while n < min(len(current), len(parts)) and current[n] == parts[n]:
            n += 1
        current = current[:n]
    return current


def short_address(address: str | None, prefix: str) -> str:
    """``address`` without the shared ``prefix`` (a "…" says something was dropped)."""
    if not address:
        return ""
    if prefix and address.startswith(prefix) and len(address) > len(prefix):
        return ELLIPSIS + address[len(prefix):]
    return address


class SharedPrefix:
    """The prefix dropped from a list's addresses, kept as rows arrive page by page (each
    address is looked at once); ``seen`` counts the non-empty addresses."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._parts: list[str] | None = None
        self.seen = 0

    def add(self, addresses: Iterable[str | None]) -> bool:
        """Take more rows; True when the prefix changed (the cells shown must be redrawn)."""
        before = self.prefix
        addresses = [a for a in addresses if a]
        self.seen += len(addresses)
        self._parts = shared(self._parts, addresses)
        return self.prefix != before

    @property
    def prefix(self) -> str:
        """What to drop: the shared divisions, once two or more addresses share them."""
        return "".join(self._parts or ()) if self.seen >= 2 else ""


class AddressDelegate(QStyledItemDelegate):
    """Shows the whole address (the cell's tooltip) where the column is wide enough for it;
    else the model's short form, cut at its end if still too long (its start, the street, is
    what tells rows apart), or in its middle when nothing was dropped (the start names the
    place, the end the house)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        full = str(index.data(Qt.ItemDataRole.ToolTipRole) or "")
        room = option.rect.width() - 2 * CELL_MARGIN
        if full and option.fontMetrics.horizontalAdvance(full) <= room:
            option.text = full
        shortened = option.text.startswith(ELLIPSIS)
        option.textElideMode = Qt.TextElideMode.ElideRight if shortened else Qt.TextElideMode.ElideMiddle


def show_addresses(table: QTableView, column: int) -> None:
    """The address column of a case table (the list, the review queue) elides as above."""
    table.setItemDelegateForColumn(column, AddressDelegate(table))
