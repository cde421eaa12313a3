"""Photo originals up: "which of these do you lack?", then a resumable upload per original.

    missing(conn, shas)                  the hashes the server does not hold
    start(conn, store, sha, size, ...)   the offset to resume at (0 new; size: stored already)
    patch(conn, store, sha, offset, data) -> Patched   bytes at the offset the server holds
    whole_size(conn, sha, ...)           is this PATCH a whole original at offset 0? (its size)
    put_whole(engine, store, sha, data) -> Patched     such an original, in one request

**A whole original** (at offset 0, as many bytes as its size: ``Upload-Length`` or the upload
started for it) costs one request, one file fsync (+ its folder's) and one commit: checked in
a read-only transaction, written to a file of its own and fsynced while its SHA-256 is
computed, renamed under its address (folder fsynced), then ONE commit records it (``blobs``)
and ends any upload of it in progress. No database lock is held while the file is written.
A crash before that commit leaves at most a file at the address with no row — not stored:
``missing`` lists it and the next upload renames the same bytes over it.

**In chunks** (an original larger than one PATCH, or cut): the ``uploads`` row (size,
acknowledged offset) is locked while its bytes are written (FOR UPDATE; SQLite serializes
writers), so two PATCHes of one original — a retry racing its first try, two workers — never
interleave. When the offset reaches the size the server hashes what it holds: equal to the
address → the original is stored (``blobs`` row) and the upload ends; not equal → the
partial upload is discarded (422 ``sha_mismatch``, the client starts again). The ``blobs``
table says what is stored; the folder holds the bytes."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from weicha_server.blobstore import BlobStore
from weicha_server.db import blobs, insert_ignore, lock_row, now_iso, read, uploads
from weicha_server.errors import ApiError


def _sha_mismatch() -> ApiError:
    return ApiError(422, "sha_mismatch", "上传完成的照片原图与其 SHA-256 不符，服务器已丢弃：请重新上传。")


@dataclass(frozen=True)
class Patched:
    offset: int
    error: ApiError | None = None  # raised after the transaction commits (the discard stays)


# the statements of every upload, built once (SQLAlchemy's compiled cache serves the next)
_HELD = sa.select(blobs.c.sha256).where(blobs.c.sha256.in_(sa.bindparam("shas", expanding=True)))
_SIZE = sa.select(blobs.c.size).where(blobs.c.sha256 == sa.bindparam("sha"))
_STARTED = sa.select(uploads.c.size).where(uploads.c.sha256 == sa.bindparam("sha"))
_END = uploads.delete().where(uploads.c.sha256 == sa.bindparam("sha"))


def missing(conn: Connection, shas: list[str]) -> list[str]:
    have = set(conn.execute(_HELD, {"shas": shas}).scalars()) if shas else set()
    return [s for s in dict.fromkeys(shas) if s not in have]


def stored_size(conn: Connection, sha: str) -> int | None:
    """The size of the original when the server holds it (``blobs``), else None."""
    return conn.execute(_SIZE, {"sha": sha}).scalar()


def _check_size(size: int, max_blob: int) -> None:
    if size > max_blob:
        raise ApiError(413, "too_large", f"照片原图过大（{size} 字节，上限 {max_blob} 字节），服务器不接收。")


def start(conn: Connection, store: BlobStore, sha: str, size: int, max_blob: int) -> int:
    stored = stored_size(conn, sha)
    if stored is not None:
        return stored
    _check_size(size, max_blob)
    now = now_iso()
    if insert_ignore(conn, uploads, {"sha256": sha, "size": size, "offset": 0, "started_at": now,
                                     "updated_at": now}):
        store.open_upload(sha)  # a new upload: from 0 (a part left without a row is overwritten)
        return 0
    row = conn.execute(lock_row(sa.select(uploads).where(uploads.c.sha256 == sha))).one()
    offset = row.offset
    if row.size != size:  # another size for the same hash: one of them is wrong; start over
        offset = 0
    store.open_upload(sha)
    kept = store.part_size(sha) or 0
    if kept < offset:  # bytes lost (a crash before they reached the disk): resume at what is kept
        offset = kept
    conn.execute(uploads.update().where(uploads.c.sha256 == sha)
                 .values(size=size, offset=offset, updated_at=now))
    return offset


def patch(conn: Connection, store: BlobStore, sha: str, offset: int, data: bytes) -> Patched:
    row = conn.execute(lock_row(sa.select(uploads).where(uploads.c.sha256 == sha))).first()
    if row is None:
        stored = stored_size(conn, sha)
        if stored is not None:
            return Patched(stored)
        raise ApiError(404, "no_upload", "服务器上没有这张照片的上传：请先开始上传（POST …/upload）。")
    if offset != row.offset:
        return Patched(row.offset, ApiError(409, "offset_mismatch",
                                            f"上传位置不符：服务器已收到 {row.offset} 字节，请从那里继续。",
                                            offset=row.offset))
    if offset + len(data) > row.size:
        raise ApiError(422, "too_long", f"上传的内容超过这张照片的大小（{row.size} 字节）：请重新开始上传。")
    if offset == 0 and len(data) == row.size:  # the whole original in one request: the upload ends
        conn.execute(uploads.delete().where(uploads.c.sha256 == sha))
        kept = store.finish_whole(sha, data)
        store.discard(sha)  # what an earlier try left of it
        return _stored(conn, sha, row.size, kept)
    try:
        end = store.append(sha, offset, data)
    except ValueError:  # the partial file lost bytes the database counted: resume at what is kept
        kept = store.part_size(sha) or 0
        conn.execute(uploads.update().where(uploads.c.sha256 == sha).values(offset=kept, updated_at=now_iso()))
        return Patched(kept, ApiError(409, "offset_mismatch",
                                      f"上传位置不符：服务器已收到 {kept} 字节，请从那里继续。", offset=kept))
    if end < row.size:
        conn.execute(uploads.update().where(uploads.c.sha256 == sha).values(offset=end, updated_at=now_iso()))
        return Patched(end)
    conn.execute(uploads.delete().where(uploads.c.sha256 == sha))
    return _stored(conn, sha, row.size, store.finish(sha))


def _stored(conn: Connection, sha: str, size: int, kept: bool) -> Patched:
    """The end of an upload: the original kept (its row) or, not being its hash, discarded."""
    if not kept:
        return Patched(0, _sha_mismatch())
    insert_ignore(conn, blobs, {"sha256": sha, "size": size, "stored_at": now_iso()})
    return Patched(size)


def whole_size(conn: Connection, sha: str, offset: int, got: int, length: int | None,
               max_blob: int) -> int | None:
    """Read-only, before a PATCH's bytes are written: the original's size when the PATCH is
    ``put_whole``'s — at offset 0 with all of it (``got`` bytes: its ``Upload-Length``, or the
    size of the upload started for it) —, else None (``patch``; Patched for one stored already
    is the caller's ``stored_size``). ``length`` over the limit → 413 ``too_large``."""
    if length is not None:
        _check_size(length, max_blob)
    if offset != 0:
        return None
    size = length if length is not None else conn.execute(_STARTED, {"sha": sha}).scalar()
    return size if size == got else None


def put_whole(engine: Engine, store: BlobStore, sha: str, data: bytes) -> Patched:
    """A whole original in one request: written, fsynced and hashed with no transaction open,
    stored under its address when it is its SHA-256, then ONE commit records it and ends any
    upload of it in progress (its partial file dropped after). Not its SHA-256: 422
    ``sha_mismatch``, nothing kept — and an upload started for it (an older client's
    ``POST …/upload``) is discarded too, as at the end of one in chunks; with none, no commit."""
    return _ended_whole(engine, store, sha, len(data), store.finish_whole(sha, data))


def put_file(engine: Engine, store: BlobStore, sha: str, path, digest: str, size: int) -> Patched:
    """``put_whole`` for an original already written to ``path`` as it arrived (``size``
    bytes, ``digest`` their SHA-256 computed as they came): ``store.adopt`` fsyncs it and
    stores it under its address (folder fsynced) when ``digest`` is it, else drops it; then
    the same one commit, the same answers."""
    return _ended_whole(engine, store, sha, size, store.adopt(sha, path, digest))


def _ended_whole(engine: Engine, store: BlobStore, sha: str, size: int, kept: bool) -> Patched:
    if kept:
        with engine.begin() as conn:
            ended = conn.execute(_END, {"sha": sha}).rowcount
            done = _stored(conn, sha, size, True)
    else:
        done, ended = Patched(0, _sha_mismatch()), 0
        with read(engine) as conn:
            started = conn.execute(sa.select(uploads.c.sha256).where(uploads.c.sha256 == sha)).first()
        if started is not None:
            with engine.begin() as conn:
                ended = conn.execute(uploads.delete().where(uploads.c.sha256 == sha)).rowcount
    if ended:
        store.discard(sha)
    return done
