"""The desktop's side of a photo in one request (core/sync/push.py, client.py), against a real
server process on SQLite and PostgreSQL: an original that fits one chunk is ONE PATCH (no
start request); a server older than ``Upload-Length`` (404 ``no_upload``) gets the two-request
upload, asked once per sync; the ops progress of a sync ends at its total (a one-batch sync
ended at 50 %: its batch counted as sent and as outstanding); and a revoked laptop is told
what is true — it cannot be enrolled again, the administrator decides."""
from __future__ import annotations

import threading

import httpx
import pytest

from weicha_desktop.core.sync.client import SOCKET_OPTIONS, DeviceRevoked, ServerUnreachable, _answer
from weicha_desktop.core.sync import push
from weicha_desktop.core.sync.push import sync_once

from tests.server_support import BACKENDS, import_photos
from tests.shared_server_support import shared_server  # noqa: F401
from tests.sync_support import CHUNK, client, enrolled, noisy_photo


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, shared_server):  # noqa: F811 — one per backend for the test process
    return shared_server(request.param)  # each test: a laptop and random photos of its own


class Seen(httpx.HTTPTransport):
    """The real transport, noting each request (method, path, status); ``older``: the
    ``Upload-Length`` header dropped, as a server that does not know it would ignore it."""

    def __init__(self, older: bool = False):
        super().__init__(verify=False, socket_options=SOCKET_OPTIONS)  # as the client's own (http)
        self.older, self.requests = older, []

    def handle_request(self, request):
        if self.older and "Upload-Length" in request.headers:
            del request.headers["Upload-Length"]
        response = super().handle_request(request)
        self.requests.append((request.method, request.url.path, response.status_code))
        return response

    def uploads(self) -> list[tuple[str, int]]:
        return [(m, s) for m, p, s in self.requests
                if m in ("POST", "PATCH") and p.startswith("/v1/blobs/") and p != "/v1/blobs/missing"]


def photo_laptop(server, tmp_path, n: int):
    lt, config = enrolled(server, tmp_path / "lt")
    case = lt.new_case(1)
    files = [noisy_photo(tmp_path / f"p{i}.png", size=(60, 40)) for i in range(n)]
    shas = import_photos(lt, case, files)
    assert all((lt.store.blobs_dir / s[:2] / s).stat().st_size < CHUNK for s in shas)
    return lt, config, shas


def test_an_original_that_fits_one_chunk_is_one_request_and_progress_ends_at_its_total(server, tmp_path):
    lt, config, shas = photo_laptop(server, tmp_path, 3)
    seen, progress = Seen(), []
    with client(config, transport=seen) as c:
        r = sync_once(lt.store, c, config=config, chunk_size=CHUNK,
                      progress=lambda stage, done, total: progress.append((stage, done, total)))
        assert all(c.blob(s) == lt.blob(s) for s in shas)  # stored, as they are here
    assert r.ok and r.photos_uploaded == 3 and r.resumed == [] and r.batches == 1
    assert seen.uploads() == [("PATCH", 200)] * 3  # no POST …/upload
    photos = [p for p in progress if p[0] == "photos"]
    assert photos[-1][1] == photos[-1][2] == r.photo_bytes
    ops = [p for p in progress if p[0] == "ops"]
    assert ops == [("ops", r.ops_sent, r.ops_sent)]  # one batch: 100 %, not 50 %
    lt.store.close()


def test_a_server_without_upload_length_gets_the_upload_started_first(server, tmp_path):
    lt, config, shas = photo_laptop(server, tmp_path, 3)
    seen = Seen(older=True)
    with client(config, transport=seen) as c:
        r = sync_once(lt.store, c, config=config, chunk_size=CHUNK)
    assert r.ok and r.photos_uploaded == 3 and r.photo_bytes == sum(len(lt.blob(s)) for s in shas)
    # a 404 teaches the sync (one per upload in flight then); then start + bytes, as before
    done = seen.uploads()
    assert 1 <= done.count(("PATCH", 404)) <= push.UPLOADS
    assert sorted(set(done)) == [("PATCH", 200), ("PATCH", 404), ("POST", 200)]
    assert done.count(("POST", 200)) == done.count(("PATCH", 200)) == 3
    lt.store.close()


class CutSecond(Seen):
    """The connection of the second upload PATCH breaks before the server answers."""

    def __init__(self):
        super().__init__()
        self.patches, self.lock = 0, threading.Lock()

    def handle_request(self, request):
        if request.method == "PATCH":
            with self.lock:
                self.patches += 1
                cut = self.patches == 2
            if cut:
                raise httpx.WriteError("cut")
        return super().handle_request(request)


def test_a_cut_among_uploads_at_once_stops_the_sync_and_the_next_sends_only_what_is_missing(server, tmp_path):
    lt, config, shas = photo_laptop(server, tmp_path, 4)
    with client(config, transport=CutSecond()) as c:
        cut = sync_once(lt.store, c, config=config, chunk_size=CHUNK)
    assert isinstance(cut.error, ServerUnreachable) and "中断" in str(cut.error)
    assert cut.batches == 0 and 1 <= cut.photos_uploaded <= 3  # the one beside it may finish
    seen = Seen()
    with client(config, transport=seen) as c:
        done = sync_once(lt.store, c, config=config, chunk_size=CHUNK)
        assert all(c.blob(s) == lt.blob(s) for s in shas)
    assert done.ok and done.photos_uploaded == 4 - cut.photos_uploaded
    assert seen.uploads() == [("PATCH", 200)] * done.photos_uploaded
    lt.store.close()


def test_a_revoked_laptop_is_not_told_to_enroll_again():
    answer = httpx.Response(401, json={"error": "device_revoked", "message": "本机已被管理员吊销"})
    with pytest.raises(DeviceRevoked) as revoked:
        _answer(answer)
    said = str(revoked.value)
    assert "停用" in said and "联系管理员" in said and "保留" in said
    assert "不能重新登记" in said and "weicha enroll" not in said and "可用新的登记码" not in said
