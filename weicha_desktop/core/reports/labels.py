"""Evidence labels: an A4 sheet of self-adhesive labels, each with the item's H number as a
QR code and its number, name, category, case number and collection time in text.

Label sheet layouts follow common A4 stock (label size and pitch in mm). The drawing is in
label_sheet.py (reportlab), imported when a sheet is written: the evidence register imports
this module and the program need not load reportlab to start (tests/test_startup_imports.py)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from weicha_desktop.core.forms.spec import FormSpec
from weicha_desktop.core.safe_output import atomic_output


@dataclass(frozen=True)
class Layout:
    name: str
    cols: int
    rows: int
    width: float    # mm
    height: float   # mm
    left: float     # mm, page edge to first label
    top: float      # mm
    hpitch: float   # mm, left edge to next left edge
    vpitch: float   # mm


LAYOUTS = {
    "3x8": Layout("A4 3×8（70×37 mm，24 张/页）", 3, 8, 70, 37, 0, 0.5, 70, 37),
    "2x7": Layout("A4 2×7（99.1×38.1 mm，14 张/页）", 2, 7, 99.1, 38.1, 4.65, 15.15, 101.6, 38.1),
    "3x7": Layout("A4 3×7（63.5×38.1 mm，21 张/页）", 3, 7, 63.5, 38.1, 7.25, 15.15, 66, 38.1),
}


@dataclass(frozen=True)
class LabelItem:
    number: str          # H…
    name: str
    category: str = ""
    case_number: str = ""
    collected_at: str = ""


def items_from_case(case_number: str, evidence: Iterable[dict],
                    spec: FormSpec | None = None) -> list[LabelItem]:
    """Labels of the numbered rows; with ``spec`` (the case's form version) the category in
    its Chinese words (a v3 record stores its code)."""
    out = []
    categories = spec.field("evidence.category") if spec is not None else None
    for row in evidence:
        if row.get("number"):
            category = row.get("category") or ""
            if categories is not None and category:
                category = categories.choice_label(category)
            out.append(LabelItem(row["number"], row.get("name", ""), category,
                                 case_number, (row.get("collected_at") or "")[:16].replace("T", " ")))
    return out


def write_labels(items: list[LabelItem], path: Path, layout: str = "3x8", *,
                 skip: int = 0, outline: bool = False, data_dir: Path | None = None) -> int:
    """Write the label sheet PDF; ``skip`` leaves that many labels of the first sheet empty
    (a sheet already partly used). Returns the number of pages. Written whole or not at all,
    never into the data folder (core/safe_output.py; OutputError says why)."""
    from weicha_desktop.core.reports.label_sheet import draw_sheet

    with atomic_output(path, data_dir=data_dir) as tmp:
        return draw_sheet(items, tmp, LAYOUTS[layout], skip, outline)
