import zxingcpp

from weicha_desktop.core.demo import scene_values
from weicha_desktop.core.reports.fonts import missing_glyphs
from weicha_desktop.core.reports.labels import LAYOUTS, LabelItem, items_from_case, write_labels

from tests.pdf_support import fonts, page_images, words_on_pages


def _items(n):
    rows = []
    for seed in range(n):
        for j, row in enumerate(scene_values(seed)["evidence"]):
            rows.append(dict(row, number=f"H4507020000002026110{len(rows) + 1:03d}"))
    return items_from_case("K4507020000002026110007", rows)[:n]


def test_label_sheet_carries_each_number_as_text_and_readable_qr(tmp_path):
    items = _items(26)
    pdf = tmp_path / "labels.pdf"
    assert write_labels(items, pdf, "3x8") == 2  # 24 per page
    listed = fonts(pdf)
    assert all(f["emb"] == "yes" for f in listed) and listed
    pages = words_on_pages(pdf)
    for item in items:
        assert any(item.number in p for p in pages)
    decoded = set()
    for img in page_images(pdf, dpi=200):
        # QR codes only (the labels print no other kind): a search for every format took 13x as long
        decoded |= {r.text for r in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)}
    assert decoded == {i.number for i in items}


def test_skip_leaves_used_labels_empty(tmp_path):
    items = _items(3)
    pdf = tmp_path / "skip.pdf"
    write_labels(items, pdf, "2x7", skip=12)
    assert write_labels(items, tmp_path / "again.pdf", "2x7", skip=12) == 2
    first, second = words_on_pages(pdf)
    assert items[0].number in first and items[1].number in first
    assert items[2].number in second


def test_every_character_drawn_exists_in_the_font():
    for item in _items(30):
        drawn = item.number + item.name + item.category + "勘验号提取" + item.collected_at
        assert missing_glyphs(drawn) == set(), item
    assert missing_glyphs("☑") == {"☑"}  # the check can fail


def test_layouts_fit_on_a4():
    for spec in LAYOUTS.values():
        assert spec.left + (spec.cols - 1) * spec.hpitch + spec.width <= 210.01
        assert spec.top + (spec.rows - 1) * spec.vpitch + spec.height <= 297.01
