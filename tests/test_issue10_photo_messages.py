"""Issue 10 (house rules): the photo module's own refusals are plain Chinese for a technician —
no English, no exception text, and they say what to do. A program fault is said plainly and
its type and place go to the application log for support."""
from __future__ import annotations

import logging
import re
import sqlite3

import pytest

from gui_support import admin, cases, store  # noqa: F401
from photo_gui_support import card
from tests.media_support import make_photo, truncated
from weicha_desktop.core.errors import NotFound, WeichaError
from weicha_desktop.core.media import analyse as analyse_module
from weicha_desktop.core.media.analyse import analyse
from weicha_desktop.core.photos import PhotoService

FORMATS = {"JPEG", "PNG", "TIFF", "HEIC", "HEIF", "MB"}


def english(text: str) -> list[str]:
    """Latin words in a message, format names and units aside."""
    return [w for w in re.findall(r"[A-Za-z_]{2,}", text) if w not in FORMATS]


def plain(text: str) -> None:
    assert english(text) == [], text
    assert "：" in text or "，" in text, text


def run(tmp_path, path):
    return analyse(str(path), str(tmp_path / "blobs"), str(tmp_path / "thumbs"))


def test_a_broken_file_is_said_without_pillows_words(tmp_path, monkeypatch):
    whole = make_photo(tmp_path / "a.jpg", size=(800, 600))
    cut = run(tmp_path, truncated(tmp_path / "cut.jpg", whole, keep=0.3))
    from PIL import Image

    def broken(*_a, **_k):  # what Pillow raises for a header it cannot read (a SyntaxError)
        raise SyntaxError("broken PNG file")

    with monkeypatch.context() as patched:
        patched.setattr(Image, "open", broken)
        bad_header = run(tmp_path, whole)
    for r in (cut, bad_header):
        assert r["status"] == "rejected"
        plain(r["reason"])
        assert "重新复制" in r["reason"]  # what to do

    def fault(*_a, **_k):
        raise RuntimeError("tile cannot extend outside image (secret detail)")

    monkeypatch.setattr(analyse_module, "render_upright", fault)
    r = run(tmp_path, whole)
    plain(r["reason"])
    assert "技术支持" in r["reason"] and "secret" not in r["reason"]
    assert r["detail"].startswith("RuntimeError (message withheld) at test_issue10_photo_messages.py:")


@pytest.fixture
def photos(cases):  # noqa: F811
    return PhotoService(cases.store, cases.actor, cases.forms)


def test_the_photo_services_refusals_are_plain_chinese(cases, photos, tmp_path, caplog, monkeypatch):  # noqa: F811
    case = cases.new_case({})
    photos.import_files(case.id, card(tmp_path / "DCIM", 2), workers=1)
    first, second = photos.list(case.id)
    refusals = []
    for attempt in (lambda: photos.update(first.id, flash=True),
                    lambda: photos.describe_many([first.id], flash=True),
                    lambda: photos.update(first.id, photo_class="航拍"),
                    lambda: photos.update(first.id, evidence_number="H9"),
                    lambda: photos.reorder(case.id, [first.id]),
                    lambda: photos.get("0192-no-such-photo"),
                    lambda: photos.import_files("0192-no-such-case", [])):
        with pytest.raises(WeichaError) as refused:
            attempt()
        refusals.append(str(refused.value))
        plain(refusals[-1])
    assert "可改的只有分类、说明、照相人、关联物证" in refusals[0]
    assert "请从这些分类中选一个：方位、概貌" in refusals[2]
    assert "请填本案物证登记中已有的编号" in refusals[3]
    assert "请重新打开照片记录" in refusals[4]
    assert isinstance(NotFound(refusals[5]), NotFound) and "重新打开" in refusals[5]

    def locked(*_a, **_k):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(photos, "_insert", locked)
    make_photo(tmp_path / "new.jpg", seed=9)
    with caplog.at_level(logging.WARNING, logger="weicha"):
        result, = photos.import_files(case.id, [tmp_path / "new.jpg"], workers=1)
    assert result.status == "rejected"
    plain(result.reason)
    assert "database" not in result.reason and "重新导入" in result.reason
    assert "OperationalError" in caplog.text and "database is locked" not in caplog.text
