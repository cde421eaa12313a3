"""Looking at PDFs as a reader would: fonts (pdffonts), text (pypdf; pdftotext where only
which page a word is on matters), pixels (pdftoppm)."""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Sequence

from PIL import Image
from pypdf import PdfReader


def fonts(pdf: Path) -> list[dict[str, str]]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name type encoding emb sub uni object ID — the type may be two words ("Type 1")
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def text(pdf: Path, pages: Sequence[int] | None = None) -> list[str]:
    """The text of every page, or of the pages at the indexes ``pages`` (-1: the last), in
    that order: pypdf reads ~10 ms a report page, a test that looks at two need not read all."""
    every = PdfReader(str(pdf)).pages
    return [page.extract_text() or "" for page in (every if pages is None else [every[i] for i in pages])]


def words_on_pages(pdf: Path) -> list[str]:
    """The text of every page as poppler's pdftotext reads it: ~1 ms a report page instead of
    pypdf's ~10. Its reading order (lines of a table, a cell's lines) differs from pypdf's,
    so it is for asserting that a word is on a page, not where on it or after what; a word
    drawn in one piece is found whole by both."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         check=True).stdout.decode("utf-8")
    return out.split("\f")[:-1]  # a form feed ends every page


def page_count(pdf: Path) -> int:
    return len(PdfReader(str(pdf)).pages)


def page_images(pdf: Path, dpi: int = 150, first: int = 1, last: int | None = None) -> list[Image.Image]:
    """The pages as pdftoppm renders them. As PPM, the same pixels as its PNG without the
    compression (~0.25 s of pdftoppm's CPU an A4 page at 200 dpi)."""
    prefix = Path(pdf).with_suffix("")
    cmd = ["pdftoppm", "-r", str(dpi), "-f", str(first)]
    if last:
        cmd += ["-l", str(last)]
    subprocess.run(cmd + [str(pdf), str(prefix)], check=True)
    pages = sorted(prefix.parent.glob(prefix.name + "-*.ppm"))
    return [Image.open(p) for p in pages]
