from pathlib import Path

import pytest

from weicha_desktop.core.media.analyse import analyse, thumbnail_path

from tests.media_support import bomb_png, garbage_exif_jpeg, make_photo, random_bytes, truncated


def run(tmp_path, path):
    return analyse(str(path), str(tmp_path / "blobs"), str(tmp_path / "thumbs"))


@pytest.mark.parametrize("fmt,suffix", [("JPEG", "jpg"), ("PNG", "png"), ("TIFF", "tif"), ("HEIF", "heic")])
def test_each_supported_format_is_staged_hashed_and_thumbnailed(tmp_path, fmt, suffix):
    import hashlib

    src = make_photo(tmp_path / f"p.{suffix}", size=(800, 600), fmt=fmt)
    r = run(tmp_path, src)
    assert r["status"] == "ok", r
    assert r["format"] == fmt
    assert r["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert Path(r["temp_path"]).read_bytes() == src.read_bytes()  # byte for byte
    thumb = thumbnail_path(tmp_path / "thumbs", r["sha256"])
    from PIL import Image

    with Image.open(thumb) as t:
        assert max(t.size) == 320
    assert (r["width"], r["height"]) == (800, 600)


def test_heic_exif_is_read(tmp_path):
    # the HEIF photo of the test above, camera and all (make_photo's EXIF): encoded once per
    # process — x265 took ~0.08 s CPU for each HEIF photo made
    r = run(tmp_path, make_photo(tmp_path / "p.heic", size=(800, 600), fmt="HEIF"))
    assert (r["make"], r["model"]) == ("Canon", "EOS 90D")


@pytest.mark.parametrize("maker,reason", [
    (lambda d: _write(d / "z.jpg", b""), "文件为空"),
    (lambda d: random_bytes(d / "r.jpg"), "不是可识别的图像文件"),
    (lambda d: _write(d / "n.txt", "现场勘验笔录".encode()), "不是可识别的图像文件"),
    (lambda d: truncated(d / "t.jpg", make_photo(d / "full.jpg", size=(1600, 1200)), 0.4), "不完整或已损坏"),
    (lambda d: bomb_png(d / "bomb.png"), "解压炸弹"),
    (lambda d: (Image_gif(d / "a.gif")), "不支持的图像格式：GIF"),
])
def test_bad_files_get_a_chinese_reason_and_leave_nothing_behind(tmp_path, maker, reason):
    path = maker(tmp_path)
    r = run(tmp_path, path)
    assert r["status"] == "rejected" and reason in r["reason"], r
    assert list((tmp_path / "blobs").glob("*.part")) == []


def _write(path, data):
    path.write_bytes(data)
    return path


def Image_gif(path):
    from PIL import Image

    Image.new("RGB", (10, 10)).save(path, "GIF")
    return path


def test_broken_exif_still_imports_with_missing_metadata(tmp_path):
    r = run(tmp_path, garbage_exif_jpeg(tmp_path / "g.jpg"))
    assert r["status"] == "ok" and r["taken_at"] is None and r["gps"] is None


def test_unreadable_source_is_a_reason_not_a_crash(tmp_path):
    r = run(tmp_path, tmp_path / "missing.jpg")
    assert r["status"] == "rejected" and "无法读取" in r["reason"]


def test_disk_errors_are_said_in_chinese_not_as_os_error_text(tmp_path, monkeypatch):
    """A full disk while the thumbnail is written, a source the user may not read: the
    reason says so in Chinese (no "OSError: [Errno 28] …"), and nothing is left behind."""
    import errno
    import os

    from weicha_desktop.core.media import analyse as module
    from weicha_desktop.core.media.blobs import BlobStore

    src = make_photo(tmp_path / "p.jpg")
    with monkeypatch.context() as m:
        m.setattr(module.os, "replace", lambda a, b: (_ for _ in ()).throw(
            OSError(errno.ENOSPC, "No space left on device")))
        full = run(tmp_path, src)
    denied_error = PermissionError(errno.EACCES, "Permission denied")
    monkeypatch.setattr(BlobStore, "stage", lambda *a, **k: (_ for _ in ()).throw(denied_error))
    denied = run(tmp_path, src)
    assert full["status"] == "rejected" and "磁盘空间不足" in full["reason"], full
    assert denied["status"] == "rejected" and "没有读取权限" in denied["reason"], denied
    for r in (full, denied):
        assert "Errno" not in r["reason"] and "OSError" not in r["reason"] and "Permission" not in r["reason"]
    assert not any(p.is_file() for p in (tmp_path / "blobs").rglob("*")), "a staged copy was left"
    assert os.path.exists(src)
