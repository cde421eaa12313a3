"""附件3 as printed (issue 10 §5): the photographer by display name, never a login name; the
capture time's source in plain words (相机时间 / 文件时间), never EXIF tag names; a photo
without a class blocks finalizing, so a finalized report never prints 〔未分类〕."""
import pytest

from weicha_desktop.core import labels
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.demo import scene_values
from weicha_desktop.core.errors import FinalizeBlocked
from weicha_desktop.core.messages import render
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.reports.service import ReportService
from weicha_desktop.core.users import UserService

from tests.media_support import make_photo
from tests.pdf_support import text
from tests.support import PASSWORD, new_store
from tests.support import forms as shipped_forms

CLASSES = ["方位", "概貌", "重点部位", "细目"]


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """A case of 张伟 (login zhangwei) with five photos, the fifth left without a class;
    what blocked it, then the case finalized once classified and printed (photos only)."""
    tmp = tmp_path_factory.mktemp("photo_pages")
    store = new_store(tmp / "data")
    admin = UserService(store).authenticate("admin", PASSWORD)
    UserService(store).add(admin, "zhangwei", "technician", PASSWORD, display_name="张伟",
                           badge_no="450099")
    user = UserService(store).authenticate("zhangwei", PASSWORD)
    cases, photos = CaseService(store, shipped_forms(), user), PhotoService(store, user, shipped_forms())
    case = cases.new_case(scene_values(5))
    files = [make_photo(tmp / f"p{i}.jpg", size=(320, 240), seed=i) for i in range(4)]
    files.append(make_photo(tmp / "no_exif.jpg", size=(320, 240), taken=None, offset=None))
    photos.import_files(case.id, files, workers=1)
    listed = photos.list(case.id)
    for p, cls in zip(listed, CLASSES):
        # as an older import left it: the login name (the print shows the display name)
        photos.update(p.id, photo_class=cls, caption=f"{cls}照片", photographer="zhangwei")
    photos.update(listed[4].id, photo_class=None, caption="门锁细部", photographer="zhangwei")
    blockers = cases.blockers(case.id)
    try:
        cases.finalize(case.id)
        blocked = None  # (what the program did before the check: a finalized 〔未分类〕)
    except FinalizeBlocked as e:
        blocked = e
        photos.update(listed[4].id, photo_class="细目")
        cases.finalize(case.id)
    out = tmp / "photos.pdf"
    ReportService(cases, photos).render(case.id, out, parts=["photos"], photos_per_page=4)
    yield {"blockers": blockers, "blocked": blocked, "pages": text(out), "store": store}
    store.close()


def test_an_unclassified_photo_blocks_finalizing_and_says_which(printed):
    found = [p for p in printed["blockers"] if p.rule == "photo_class"]
    assert len(found) == 1 and found[0].path == ""
    assert found[0].message.startswith("第 5 号照片尚未分类")
    assert "照片" in found[0].message and "分类" in found[0].message
    assert render(found[0].message, "en").startswith("Photos without a class (no. 5)")
    assert printed["blocked"] is not None
    assert any(p.rule == "photo_class" for p in printed["blocked"].problems)


def test_the_finalized_pages_print_every_class_and_never_unclassified(printed):
    whole = "\n".join(printed["pages"])
    assert "未分类" not in whole
    for cls in CLASSES:
        assert f"〔{cls}〕" in whole


def test_the_photographer_prints_by_display_name_not_login(printed):
    whole = "\n".join(printed["pages"])
    assert whole.count("照相人：张伟") == 5 and "zhangwei" not in whole


def test_the_time_source_is_plain_words_not_exif_tags(printed):
    whole = "\n".join(printed["pages"])
    assert whole.count("（相机时间）") == 4
    assert "EXIF" not in whole and "DateTime" not in whole and "Offset" not in whole
    assert "拍摄时间不详" in whole  # the photo without EXIF: no source invented


@pytest.mark.parametrize("source, zh, en", [
    ("EXIF DateTimeOriginal + OffsetTimeOriginal", "相机时间", "Camera time"),
    ("EXIF DateTime（相机未记录时区）", "相机时间", "Camera time"),
    ("file mtime", "文件时间", "File time"),
    ("文件修改时间", "文件时间", "File time"),
    (None, "", ""),
])
def test_time_source_words(source, zh, en):
    assert labels.time_source_label(source) == zh and labels.time_source_label(source, "en") == en
