"""A whole photo original is written to its file and hashed as its bytes arrive (issue 11,
server CPU per photo): the PATCH handler never gathers the body in memory first (no join of
its chunks, no second pass to hash it, no big write from another thread) — and answers as
before: stored under its address, the same offsets, sha_mismatch for bytes not their address,
nothing left behind."""
from __future__ import annotations

import hashlib

from weicha_server import app as app_module

from tests.test_sync_upload_whole import CHUNK, app, original, put  # noqa: F401  (its server)


def test_a_whole_original_is_streamed_to_its_file_not_gathered_in_memory(app, monkeypatch):  # noqa: F811
    c, _, folder = app

    async def gathered(*a, **k):
        raise AssertionError("the whole body was read into memory")

    monkeypatch.setattr(app_module, "_read_limited", gathered)
    data, sha = original(CHUNK - 10)
    assert put(c, sha, data, length=len(data)).json() == {"offset": len(data)}
    assert (folder / sha[:2] / sha).read_bytes() == data
    wrong = hashlib.sha256(b"not these bytes").hexdigest()
    r = put(c, wrong, data, length=len(data))
    assert r.status_code == 422 and r.json()["error"] == "sha_mismatch"
    assert not (folder / wrong[:2] / wrong).exists() and not list((folder / ".uploads").iterdir())
