"""Resumable uploads when the server dies at the worst moments (issue 11, slice S1), in this
process: the upload's offset is in the database, its bytes in the folder, and a crash leaves
the two out of step in one of three ways — bytes past the offset (written, not committed),
bytes short of it (lost before they reached the disk), an original renamed into place whose
database row never committed. Each resumes without losing or trusting a byte. And a missing
WEICHA_TEST_PG_URL fails a PostgreSQL test, never skips it."""
from __future__ import annotations

import hashlib
import os

import pytest
import sqlalchemy as sa

from weicha_server import uploads
from weicha_server.blobstore import FolderBlobStore
from weicha_server.db import blobs, make_engine, migrate
from weicha_server.errors import ApiError

from tests import server_support


class Crash(Exception):
    """The process died here: the transaction never commits."""


@pytest.fixture
def env(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    migrate(engine)
    yield engine, FolderBlobStore(tmp_path / "blobs")
    engine.dispose()


def start(engine, store, sha, size):
    with engine.begin() as conn:
        return uploads.start(conn, store, sha, size, max_blob=10 ** 9)


def patch(engine, store, sha, offset, data, *, crash: bool = False):
    try:
        with engine.begin() as conn:
            done = uploads.patch(conn, store, sha, offset, data)
            if crash:
                raise Crash
    except Crash:
        return None
    if done.error is not None:
        raise done.error
    return done.offset


def stored(engine, sha) -> bool:
    with engine.connect() as conn:
        return conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256 == sha)).first() is not None


def test_an_upload_resumes_after_every_kind_of_crash(env):
    engine, store = env
    data = os.urandom(30_000)
    sha = hashlib.sha256(data).hexdigest()
    assert start(engine, store, sha, len(data)) == 0
    assert patch(engine, store, sha, 0, data[:10_000]) == 10_000
    # written, not committed: the bytes past the offset are overwritten by the resend
    assert patch(engine, store, sha, 10_000, b"\0" * 10_000, crash=True) is None
    assert store.part_size(sha) == 20_000 and start(engine, store, sha, len(data)) == 10_000
    assert patch(engine, store, sha, 10_000, data[10_000:20_000]) == 20_000
    # committed, but the bytes never reached the disk: resume at what the folder holds
    with open(store.uploads / f"{sha}.part", "r+b") as f:
        f.truncate(15_000)
    with pytest.raises(ApiError) as short:
        patch(engine, store, sha, 20_000, data[20_000:])
    assert short.value.status == 409 and short.value.extra == {"offset": 15_000}
    assert start(engine, store, sha, len(data)) == 15_000
    # the original renamed into place, its row never committed: sent again, then stored
    assert patch(engine, store, sha, 15_000, data[15_000:], crash=True) is None
    assert store.has(sha) and not stored(engine, sha)
    assert start(engine, store, sha, len(data)) == 0  # the partial file went with the rename
    assert patch(engine, store, sha, 0, data) == len(data)
    assert stored(engine, sha) and store.open(sha).read() == data
    assert start(engine, store, sha, len(data)) == len(data)


def test_a_wrong_hash_is_discarded_and_a_wrong_size_starts_over(env):
    engine, store = env
    data = os.urandom(5_000)
    sha = hashlib.sha256(b"something else").hexdigest()
    assert start(engine, store, sha, 9_000) == 0
    assert patch(engine, store, sha, 0, data) == 5_000
    assert start(engine, store, sha, len(data)) == 0  # another size: the upload starts over
    with pytest.raises(ApiError) as bad:
        patch(engine, store, sha, 0, data)
    assert bad.value.error == "sha_mismatch" and store.part_size(sha) is None
    assert not store.has(sha) and not stored(engine, sha)
    with pytest.raises(ApiError) as gone:
        patch(engine, store, sha, 0, data)
    assert gone.value.error == "no_upload"


def test_without_the_postgresql_url_the_postgresql_tests_fail(monkeypatch):
    monkeypatch.delenv(server_support.PG_ENV, raising=False)
    with pytest.raises(pytest.fail.Exception, match="never skip"):
        server_support.pg_admin_url()
