"""A photo's original on demand in the window (issue 11 leftovers): a supervisor's laptop holds
a copy of another laptop's finalized case with thumbnails only; opening a photo's preview
fetches the original from the server (GET /v1/blobs/{sha}) on the preview's loader thread, keeps
it in blobs/ (SHA-256 checked) and shows it. SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.sync.pull import pull_all
from weicha_desktop.core.sync.push import sync_once
from weicha_desktop.gui.photos.preview import PhotoPreview
from weicha_desktop.gui.sync.originals import original_fetcher

from tests.gui_support import app  # noqa: F401
from tests.server_support import BACKENDS, closes_laptops  # noqa: F401
from tests.shared_server_support import shared_server  # noqa: F401
from tests.support import forms
from tests.sync_support import client, enrolled, with_photos


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, shared_server):  # noqa: F811 — one per backend for the test process
    return shared_server(request.param)


def test_opening_a_copys_photo_fetches_its_original(qtbot, app, server, tmp_path):
    owner, owner_cfg = enrolled(server, tmp_path / "owner", "450702000031")
    case = owner.new_case(1)
    with_photos(owner, case, tmp_path)
    owner.cases().finalize(case)
    sup, sup_cfg = enrolled(server, tmp_path / "sup", "450702000031")
    with client(owner_cfg) as c:
        assert sync_once(owner.store, c, config=owner_cfg).error is None
    with client(sup_cfg) as c:
        assert pull_all(sup.store, c, server_id=sup_cfg.require().server_id, review=True).copies
    plain = PhotoService(sup.store, sup.actor, forms())
    photo = plain.list(case)[0]
    assert not plain.original_path(photo).exists()  # a copy: the thumbnail only

    without = PhotoPreview(plain)
    qtbot.addWidget(without)
    without.show_photo(photo)
    qtbot.waitUntil(lambda: "无法显示" in without.view.note, timeout=5000)  # before: all there was

    preview = PhotoPreview(PhotoService(sup.store, sup.actor, forms(), originals=original_fetcher(sup.store)))
    qtbot.addWidget(preview)
    preview.show_photo(photo)
    qtbot.waitUntil(lambda: not preview.image.isNull(), timeout=10000)
    assert plain.original_path(photo).read_bytes() == owner.blob(photo.sha256)
