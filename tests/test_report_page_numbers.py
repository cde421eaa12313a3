"""The footer "第 N 页 共 M 页" on a report of two-digit page numbers.

test_reports.py proves the true totals on a whole report of 8 pages; here the same document
(pdfdoc.ReportDoc with its NumberedCanvas, which draws every footer once the last page is laid
out) runs to 12 pages of text only — the cheapest way past page 9 — and is read back as a
reader would (pypdf, tests/pdf_support.py)."""
import re

from reportlab.platypus import PageBreak, Paragraph

from weicha_desktop.core.reports.pdfdoc import Part, ReportDoc
from weicha_desktop.core.reports.styles import styles

from tests.pdf_support import text

PAGES = 12


def test_footers_number_two_digit_pages_and_their_total(tmp_path):
    out = tmp_path / "r.pdf"
    doc = ReportDoc(out, unit_name="钦州市公安局钦南分局刑侦大队", case_number="K4507020000002026120001",
                    draft=False, title="现场勘验笔录")
    story = [Part("现场勘验笔录")]
    for n in range(1, PAGES + 1):
        story += [Paragraph(f"第{n}张纸的内容", styles()["body"]), PageBreak()]
    doc.build_story(story[:-1])  # no blank page after the last
    pages = text(out)
    assert len(pages) == PAGES
    for n, page in enumerate(pages, 1):
        assert f"第{n}张纸的内容" in page, n  # the pages in their order
        footers = re.findall(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页", page)
        assert footers == [(str(n), str(PAGES))], (n, page[-80:])
    assert re.search(r"第\s*10\s*页\s*共\s*12\s*页", pages[9])
