"""PDF scene reports, read back as a reader would: text, fonts, glyphs, pages, images, QR."""
import json
import re

import pytest
import zxingcpp
from pypdf import PdfReader
from reportlab.pdfbase.ttfonts import TTFont

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.demo import scene_values
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.reports.fonts import missing_glyphs
from weicha_desktop.core.reports.service import ReportService
from weicha_desktop.core.users import UserService

from tests.media_support import make_photo
from tests.pdf_support import fonts, page_images, text, words_on_pages
from tests.support import PASSWORD, new_store
from tests.support import forms as shipped_forms

CLASSES = ["方位", "概貌", "重点部位", "细目"]


TINY = (64, 48)  # a photo whose pixels the test does not look at


def _services(path):
    store = new_store(path)
    actor = UserService(store).authenticate("admin", PASSWORD)
    cases = CaseService(store, shipped_forms(), actor)
    photos = PhotoService(store, actor, shipped_forms())
    return store, cases, photos, ReportService(cases, photos)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """One data folder for the module: each test makes the cases it prints in it."""
    services = _services(tmp_path_factory.mktemp("reports") / "data")
    yield services
    services[0].close()


def _case(cases, photos, tmp_path, n_photos=6, size=TINY, **extra):
    values = scene_values(11)
    values.update(protection_measures=["cordon", "other"], protection_measures_other="拉设隔离网",
                  temperature=21.5, analysis_target="室内现金及首饰", analyst="黄志强", **extra)
    case = cases.new_case(values)
    files = [make_photo(tmp_path / f"p{i}.jpg", size=size, seed=i * 31,
                        orientation=6 if i == 1 else 1) for i in range(n_photos)]
    photos.import_files(case.id, files)
    for i, p in enumerate(photos.list(case.id)):
        photos.update(p.id, photo_class=CLASSES[i % 4], caption=f"现场照片说明{i + 1}")
    return cases.get(case.id)


@pytest.fixture(scope="module")
def full_report(env, tmp_path_factory):
    """The whole report of a case of 9 tiny photos (their count and text matter here, not
    their pixels), 4 photos a page, rendered once: every string reportlab encoded with a
    TrueType font as drawn, and the last work-log entry right after it."""
    store, cases, photos, reports = env
    tmp = tmp_path_factory.mktemp("full")
    case = _case(cases, photos, tmp, n_photos=9)
    seen = []
    original = TTFont.splitString

    def spy(self, text_, doc, encoding="utf-8"):
        seen.append(text_)
        return original(self, text_, doc, encoding)

    out = tmp / "r.pdf"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(TTFont, "splitString", spy)
        result = reports.render(case.id, out, photos_per_page=4)
    return dict(case=case, out=out, result=result, pages=text(out), drawn=seen,
                logged=store.audit_entries()[-1].action)


def test_the_record_prints_every_section_in_order_with_its_values(env, full_report):
    _, cases, photos, _ = env
    case, out, result, pages = (full_report[k] for k in ("case", "out", "result", "pages"))
    drawn = full_report["drawn"]
    whole = "\n".join(pages)
    heads = ["一、笔录头", "二、勘验事由", "三、勘验时间与地点", "四、现场保护", "五、勘验条件",
             "六、现场勘验情况", "七、图像资料", "八、参加人员", "九、提取痕迹物证登记表", "十、备注"]
    positions = [whole.find(h) for h in heads]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions
    d = case.data
    cause = whole[positions[1]:positions[2]]
    assert d["incident_address"] in cause and d["reporter"]["name"] in cause
    assert "21.5 °C" in whole and "℃" not in whole
    people = whole[positions[7]:positions[8]]
    assert d["witnesses"][0]["id_number"] in people and "签名" in people
    assert "√\n警戒带\n专人看守" in whole and "√\n其他：拉设隔离网" in whole  # ticked, not ticked
    register = next(p for p in pages if "提取痕迹、物证登记表" in p and "编号" in p)
    for row in d["evidence"]:
        assert row["number"] in register.replace("\n", "")
    # the record holds codes (form v3); the paper has the Chinese words
    spec = cases.spec_for(case)
    methods = {spec.field("evidence.method").choice_label(r["method"]) for r in d["evidence"]}
    assert all(m in register.replace("\n", "") for m in methods), methods
    assert not any(r["method"] in whole for r in d["evidence"])
    assert spec.field("case_type").choice_label(d["case_type"]) in cause
    for p in photos.list(case.id):
        assert f"SHA-256：{p.sha256[:16]}" in whole
    assert "不随案移交" in pages[-1] and "室内现金及首饰" in pages[-1]
    # fonts: all embedded, no base-14 font sneaked in; every drawn character has a glyph
    listed = fonts(out)
    assert listed and all(f["emb"] == "yes" for f in listed)
    assert missing_glyphs("".join(drawn)) == set()
    assert result.pages == len(pages)
    assert full_report["logged"] == "report.print"


def test_footers_count_true_totals_on_a_case_of_many_photo_pages(full_report):
    # The footers are drawn once every page is laid out (pdfdoc.NumberedCanvas), whatever the
    # photos: 9 photos at 4 a page cross two page breaks and end on a partial page, as 50 did
    # (13 pages) at a sixth of the import; the whole report, read once for both tests
    result, pages = full_report["result"], full_report["pages"]
    assert len(pages) == result.pages
    for n, page in enumerate(pages, 1):
        assert re.search(rf"第\s*{n}\s*页\s*共\s*{len(pages)}\s*页", page), (n, page[-80:])
    photo_pages = [p for p in pages if "附件3" in p]
    assert len(photo_pages) == 3  # 9 photos, 4 per page
    assert len(pages) > len(photo_pages) + 1  # the note and the register before them


def test_the_pdf_is_written_binary_with_each_photo_a_jpeg_as_prepared(full_report):
    # no ASCII85 over any stream (reportlab's pure-Python encoder was most of a photo report's
    # CPU and made every embedded JPEG a quarter larger); the photos are JPEGs (DCT) as is
    data = full_report["out"].read_bytes()
    assert b"ASCII85Decode" not in data
    reader = PdfReader(str(full_report["out"]))
    images = [x for page in reader.pages
              for x in (page["/Resources"].get("/XObject") or {}).values()
              if x.get_object()["/Subtype"] == "/Image"]
    assert len(images) == 9
    for x in images:
        obj = x.get_object()
        filters = obj["/Filter"] if isinstance(obj["/Filter"], list) else [obj["/Filter"]]
        assert filters == ["/DCTDecode"], filters
        jpeg = obj.get_data()
        assert jpeg[:3] == b"\xff\xd8\xff" and jpeg.rstrip(b"\r\n")[-2:] == b"\xff\xd9"
        assert jpeg in data  # the prepared file's bytes, byte for byte


@pytest.fixture(scope="module")
def two_big_photos(env, tmp_path_factory):
    """A case with two 1600×1200 photos (the second stored sideways), made once: the
    layouts below print it each their own way."""
    _, cases, photos, reports = env
    return photos, reports, _case(cases, photos, tmp_path_factory.mktemp("big"), n_photos=2,
                                  size=(1600, 1200))


@pytest.mark.parametrize("per_page,max_long", [(1, 2200), (2, 1550), (4, 1100)])
def test_photos_are_upright_and_downsampled_for_print(two_big_photos, tmp_path, per_page, max_long):
    photos, reports, case = two_big_photos
    out = tmp_path / f"p{per_page}.pdf"
    reports.render(case.id, out, parts=["photos"], photos_per_page=per_page)
    images = [img.image.size for page in PdfReader(str(out)).pages for img in page.images]
    assert len(images) == 2
    # photo 2 was stored sideways with orientation 6: one landscape, one portrait on paper
    assert sorted(w > h for w, h in images) == [False, True]
    assert max(max(size) for size in images) <= max_long
    raw = out.read_bytes()
    for p in photos.list(case.id):
        assert photos.original_path(p).read_bytes()[:4000] not in raw  # never the original


def test_draft_has_the_watermark_and_finalized_has_not_but_the_hash(env, tmp_path):
    _, cases, photos, reports = env
    case = _case(cases, photos, tmp_path, n_photos=4)  # printed: the note only
    draft = tmp_path / "draft.pdf"
    reports.render(case.id, draft, parts=["note"])
    assert all("草稿" in p for p in words_on_pages(draft))  # on which pages, not where
    done = cases.finalize(case.id)
    final = tmp_path / "final.pdf"
    reports.render(case.id, final, parts=["note"])
    pages = words_on_pages(final)
    assert not any("草稿" in p for p in pages)
    assert done.content_hash in pages[-1].replace("\n", "")
    last = page_images(final, dpi=200, first=len(pages), last=len(pages))[0]
    codes = zxingcpp.read_barcodes(last, formats=zxingcpp.BarcodeFormat.QRCode)  # not every format: ~10x less CPU
    payload = json.loads(codes[0].text)
    assert payload == {"app": "weicha", "case": done.id, "number": done.number, "version": 1,
                       "sha256": done.content_hash, "final": True}


def test_parts_are_chosen_and_checked(env, full_report, tmp_path):
    reports, case = env[3], full_report["case"]  # its photos are not printed here
    out = tmp_path / "a.pdf"
    reports.render(case.id, out, parts="analysis,register")
    pages = words_on_pages(out)
    first, last = pages[0], pages[-1]
    assert "提取痕迹、物证登记表" in first and "不随案移交" in last
    with pytest.raises(WeichaError, match="报告部分"):
        reports.render(case.id, out, parts="note,cover")
    with pytest.raises(WeichaError, match="1、2 或 4"):
        reports.render(case.id, out, photos_per_page=3)


def test_a_record_of_form_v2_prints_the_same_chinese_words(env, tmp_path):
    """A record captured with form v2 keeps its Chinese values; a v3 one holds codes: both
    print the words, in the record, the register and the labels."""
    from weicha_desktop.core.reports.labels import items_from_case
    from tests.support import raw_writes, values_as

    store, cases, photos, reports = env
    values = scene_values(11)
    values.update(protection_measures=["cordon", "other"], protection_measures_other="拉设隔离网")
    new, old = cases.new_case(values), cases.new_case(values)
    v2 = cases.forms.get("scene_investigation", 2)
    with raw_writes(store):
        store.conn.execute("UPDATE record_versions SET form_version = 2, data = ? WHERE record_id = ?",
                           (json.dumps(values_as(v2, old.data), ensure_ascii=False), old.id))
    old = cases.get(old.id)
    assert old.data["evidence"][0]["method"] == v2.field("evidence.method").value_of(
        new.data["evidence"][0]["method"]) != new.data["evidence"][0]["method"]
    printed = {}
    for case in (new, old):
        out = tmp_path / f"{case.id}.pdf"
        reports.render(case.id, out, parts="note,register")
        printed[case.id] = "\n".join(text(out)).replace(case.number, "")
    words = ["√\n警戒带\n专人看守", "√\n其他：拉设隔离网",
             v2.field("evidence.method").choice_label(old.data["evidence"][0]["method"]),
             v2.field("case_type").choice_label(old.data["case_type"])]
    for word in words:
        assert word in printed[new.id] and word in printed[old.id], word
    assert new.data["case_type"] not in printed[new.id]  # no code on paper
    labels = [items_from_case(c.number, c.data["evidence"], cases.spec_for(c))[0].category
              for c in (new, old)]
    assert labels[0] == labels[1] == v2.field("evidence.category").choice_label(
        old.data["evidence"][0]["category"])
