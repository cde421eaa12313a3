"""Thumbnails are made once per original, size and orientation and kept content-addressed on
disk (weicha_server/thumbnails.py): the second request reads the file, a torn file is made
again, another orientation is another file, and a cache that cannot be written costs a
render, not an error."""
from __future__ import annotations

import hashlib

import pytest

from weicha_desktop.core.media import analyse
from weicha_server import thumbnails
from weicha_server.blobstore import FolderBlobStore
from weicha_server.errors import ApiError
from tests.media_support import make_photo


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A folder blob store holding one small JPEG original; (store, its sha)."""
    tmp = tmp_path_factory.mktemp("thumbs")
    data = make_photo(tmp / "p.jpg", size=(400, 300)).read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    store = FolderBlobStore(tmp / "blobs")
    store.open_upload(sha)
    assert store.finish_whole(sha, data)
    return store, sha


@pytest.fixture
def renders(monkeypatch):
    """Counts the thumbnails actually made (calls of the desktop's renderer)."""
    made = []
    real = analyse.render_upright

    def counting(*args, **kw):
        made.append(args[1:])
        return real(*args, **kw)

    monkeypatch.setattr(analyse, "render_upright", counting)
    return made


def test_a_thumbnail_is_made_once_and_read_back_from_its_content_address(stored, renders, tmp_path):
    store, sha = stored
    cache = tmp_path / "c"
    first = thumbnails.render(store, sha, None, cache=cache)
    assert first[:2] == b"\xff\xd8" and renders == [(None, analyse.THUMB_SIZE)]
    path = thumbnails.cache_path(cache, sha, analyse.THUMB_SIZE, None)
    assert path == cache / sha[:2] / f"{sha}-{analyse.THUMB_SIZE}-o0-q85.jpg" and path.read_bytes() == first
    assert thumbnails.render(store, sha, None, cache=cache) == first and len(renders) == 1
    turned = thumbnails.render(store, sha, 6, cache=cache)  # another orientation: its own file
    assert turned != first and len(renders) == 2
    assert thumbnails.cache_path(cache, sha, analyse.THUMB_SIZE, 6).read_bytes() == turned
    path.write_bytes(first[: len(first) // 2])  # torn (a crash while it was written)
    assert thumbnails.render(store, sha, None, cache=cache) == first and len(renders) == 3
    assert path.read_bytes() == first
    assert not [p for p in cache.rglob("*") if p.name.endswith(".part")]


def test_the_default_cache_sits_in_the_blob_folder_and_an_unwritable_one_still_answers(stored, renders, tmp_path):
    store, sha = stored
    data = thumbnails.render(store, sha, 3)
    assert (store.root / ".thumbs" / sha[:2] / f"{sha}-{analyse.THUMB_SIZE}-o3-q85.jpg").read_bytes() == data
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert thumbnails.render(store, sha, 3, cache=blocked) == data and len(renders) == 2
    with pytest.raises(ApiError) as e:
        thumbnails.render(store, "0" * 64, None, cache=tmp_path / "c")
    assert e.value.status == 404 and not (tmp_path / "c" / "00").exists()
