"""A photo original in ONE request (issue 11, photo throughput): ``PATCH /v1/blobs/{sha}`` at
``Upload-Offset: 0`` with ``Upload-Length`` starts the upload itself, and an original that
came whole costs one file fsync (+ its folder's) and one commit — against the start request's
commit, the file's, the folder's and the PATCH's commit before. On SQLite and PostgreSQL, the
server's app in this process (its commits and fsyncs counted), every guarantee kept: SHA-256
checked before anything is stored, nothing half-stored visible (a crash before the commit
leaves an original the server does not claim), idempotent, the older two-request flow
answering as it did, a first chunk with ``Upload-Length`` resumable at its offset."""
from __future__ import annotations

import base64
import hashlib
import os
import time

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import event

from weicha_server import auth, uploads
from weicha_server import config as settings
from weicha_server.app import create_app
from weicha_server.blobstore import FolderBlobStore
from weicha_server.db import blobs
from weicha_server.db import uploads as upload_rows

from tests.server_support import BACKENDS, HEADERS, LIMITS, backend_db, init_server

CHUNK = LIMITS["max_chunk"]


class Counted:
    """The app's database commits and the process's fsyncs (os.fsync: files and folders)."""

    def __init__(self, engine, monkeypatch):
        self.commits = self.fsyncs = 0
        event.listen(engine, "commit", self._commit)
        real = os.fsync

        def fsync(fd):
            self.fsyncs += 1
            return real(fd)

        monkeypatch.setattr(os, "fsync", fsync)

    def _commit(self, conn):
        self.commits += 1

    def reset(self) -> "Counted":
        self.commits = self.fsyncs = 0
        return self


@pytest.fixture(scope="module", params=BACKENDS)
def app(request, tmp_path_factory):
    data = tmp_path_factory.mktemp("srv")
    with backend_db(request.param, migrated=True) as db:  # (PostgreSQL: a copy of the migrated template)
        init_server(data, db, LIMITS)
        application = create_app(settings.load(data, db))
        engine = application.state.api.engine
        with engine.begin() as conn:
            code, _ = auth.make_code(conn, "笔记本", None, 1.0)
            token, _ = auth.enroll(conn, code=code, device_id="dev-up", device_name="x",
                                   public_key=base64.b64encode(b"k" * 32).decode(), unit_code=None)
        with TestClient(application, raise_server_exceptions=False,
                        headers={**HEADERS, "Authorization": f"Bearer {token}"}) as client:
            yield client, engine, data / "blobs"
        engine.dispose()


@pytest.fixture
def counted(app, monkeypatch):
    return Counted(app[1], monkeypatch)


def put(c, sha, data, offset=0, length=None):
    headers = {"Upload-Offset": str(offset)}
    if length is not None:
        headers["Upload-Length"] = str(length)
    return c.patch(f"/v1/blobs/{sha}", content=data, headers=headers)


def rows(engine, table, sha):
    with engine.connect() as conn:
        return conn.execute(sa.select(table).where(table.c.sha256 == sha)).all()


def original(n: int) -> tuple[bytes, str]:
    data = os.urandom(n)
    return data, hashlib.sha256(data).hexdigest()


def test_a_whole_original_is_one_request_one_file_fsync_and_one_commit(app, counted):
    c, engine, folder = app
    data, sha = original(CHUNK - 100)
    r = put(c, sha, data, length=len(data))
    assert r.status_code == 200 and r.json() == {"offset": len(data)}
    assert (counted.commits, counted.fsyncs) == (1, 2)  # the file and its folder; one commit
    assert (folder / sha[:2] / sha).read_bytes() == data and rows(engine, upload_rows, sha) == []
    assert not list((folder / ".uploads").iterdir())  # nothing left of it
    assert c.post("/v1/blobs/missing", json={"sha256": [sha]}).json() == {"missing": []}
    assert c.get(f"/v1/blobs/{sha}").content == data
    # the same again (an answer lost): stored already, nothing written
    counted.reset()
    assert put(c, sha, data, length=len(data)).json() == {"offset": len(data)}
    assert (counted.commits, counted.fsyncs) == (0, 0)
    assert c.post(f"/v1/blobs/{sha}/upload", json={"size": len(data)}).json() == {"offset": len(data)}


def test_bytes_that_are_not_their_address_leave_nothing_and_commit_nothing(app, counted):
    c, engine, folder = app
    data, _ = original(5_000)
    sha = hashlib.sha256(b"another original").hexdigest()
    r = put(c, sha, data, length=len(data))
    assert r.status_code == 422 and r.json()["error"] == "sha_mismatch"
    assert counted.commits == 0 and not (folder / sha[:2] / sha).exists()
    assert not list((folder / ".uploads").iterdir())
    assert c.post("/v1/blobs/missing", json={"sha256": [sha]}).json() == {"missing": [sha]}
    # the older flow: the upload started first is discarded with it, as at the end of chunks
    assert c.post(f"/v1/blobs/{sha}/upload", json={"size": len(data)}).json() == {"offset": 0}
    assert put(c, sha, data).json()["error"] == "sha_mismatch"
    assert rows(engine, upload_rows, sha) == [] and put(c, sha, data).json()["error"] == "no_upload"


def test_the_older_two_requests_still_store_an_original_and_end_its_upload(app, counted):
    c, engine, folder = app
    data, sha = original(3_000)
    assert put(c, sha, data).json()["error"] == "no_upload"  # no start, no Upload-Length: as before
    assert c.post(f"/v1/blobs/{sha}/upload", json={"size": len(data)}).json() == {"offset": 0}
    counted.reset()
    assert put(c, sha, data).json() == {"offset": len(data)}
    assert counted.commits == 1 and rows(engine, upload_rows, sha) == []
    assert [r.size for r in rows(engine, blobs, sha)] == [len(data)]


def test_a_first_chunk_with_its_length_starts_an_upload_that_resumes_at_its_offset(app):
    c, engine, folder = app
    data, sha = original(2 * CHUNK + 10)
    assert put(c, sha, data[:CHUNK], length=len(data)).json() == {"offset": CHUNK}
    # cut here: asked again, the server resumes at what it holds, never from zero
    assert c.post(f"/v1/blobs/{sha}/upload", json={"size": len(data)}).json() == {"offset": CHUNK}
    again = put(c, sha, data[:CHUNK], length=len(data))
    assert again.status_code == 409 and again.json()["offset"] == CHUNK
    assert put(c, sha, data[CHUNK:2 * CHUNK], offset=CHUNK).json() == {"offset": 2 * CHUNK}
    assert put(c, sha, data[2 * CHUNK:], offset=2 * CHUNK).json() == {"offset": len(data)}
    assert (folder / sha[:2] / sha).read_bytes() == data and rows(engine, upload_rows, sha) == []


def test_a_crash_before_the_commit_leaves_nothing_claimed_and_the_next_upload_stores_it(app, monkeypatch):
    c, engine, folder = app
    data, sha = original(4_000)

    def killed(*a, **kw):
        raise RuntimeError("the process died before its commit")

    with monkeypatch.context() as m:
        m.setattr(uploads, "_stored", killed)
        assert put(c, sha, data, length=len(data)).status_code == 500
    assert rows(engine, blobs, sha) == []  # the bytes may sit at the address: not stored
    assert c.post("/v1/blobs/missing", json={"sha256": [sha]}).json() == {"missing": [sha]}
    assert c.get(f"/v1/blobs/{sha}").status_code == 404
    assert put(c, sha, data, length=len(data)).json() == {"offset": len(data)}
    assert c.get(f"/v1/blobs/{sha}").content == data


def test_a_bad_or_too_large_length_is_refused_plainly(app):
    c, engine, folder = app
    sha = "ab" * 32
    for bad in ("-1", "1e3", "9" * 20, "１２".encode()):
        r = c.patch(f"/v1/blobs/{sha}", content=b"x", headers={"Upload-Offset": "0", "Upload-Length": bad})
        assert r.status_code == 422 and r.json()["error"] == "bad_length", bad
    r = put(c, sha, b"x", length=10 ** 12)
    assert r.status_code == 413 and r.json()["error"] == "too_large" and "上限" in r.json()["message"]
    r = put(c, sha, b"xyz", length=2)  # more than its length
    assert r.status_code == 422 and r.json()["error"] == "too_long"


def test_a_whole_originals_file_left_by_a_crash_is_swept_when_old(tmp_path):
    store = FolderBlobStore(tmp_path / "blobs")
    old, young = (store.uploads / f"{'ab' * 32}.{n}.whole" for n in ("0001", "0002"))
    for f in (old, young):
        f.write_bytes(b"half an original")
    os.utime(old, (1, time.time() - FolderBlobStore.STALE_S - 60))
    FolderBlobStore(tmp_path / "blobs")  # the server starts (a worker)
    assert not old.exists() and young.exists()
