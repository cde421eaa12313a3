"""Photo originals up: "which of these do you lack?", then a resumable upload per original.

    missing(conn, shas)                  the hashes the server does not hold
    start(conn, store, sha, size, ...)   the offset to resume at (0 new; size: stored already)
    patch(conn, store, sha, offset, data) -> Patched   bytes at the offset the server holds

The ``uploads`` row (size, acknowledged offset) is locked while its bytes are written (FOR
UPDATE; SQLite serializes writers), so two PATCHes of one original — a retry racing its
first try, two workers — never interleave. When the offset reaches the size the server
hashes what it holds: equal to the address → the original is stored (``blobs`` row) and
the upload ends; not equal → the partial upload is discarded (422 ``sha_mismatch``, the
client starts again). The ``blobs`` table says what is stored; the folder holds the bytes."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from weicha_server.blobstore import BlobStore
from weicha_server.db import blobs, insert_ignore, lock_row, now_iso, uploads
from weicha_server.errors import ApiError


@dataclass(frozen=True)
class Patched:
    offset: int
    error: ApiError | None = None  # raised after the transaction commits (the discard stays)


def missing(conn: Connection, shas: list[str]) -> list[str]:
    have = {r.sha256 for r in conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256.in_(shas)))}
    return [s for s in dict.fromkeys(shas) if s not in have]


def _stored_size(conn: Connection, sha: str) -> int | None:
    return conn.execute(sa.select(blobs.c.size).where(blobs.c.sha256 == sha)).scalar()


def start(conn: Connection, store: BlobStore, sha: str, size: int, max_blob: int) -> int:
    stored = _stored_size(conn, sha)
    if stored is not None:
        return stored
    if size > max_blob:
        raise ApiError(413, "too_large", f"照片原图过大（{size} 字节，上限 {max_blob} 字节），服务器不接收。")
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
        stored = _stored_size(conn, sha)
        if stored is not None:
            return Patched(stored)
        raise ApiError(404, "no_upload", "服务器上没有这张照片的上传：请先开始上传（POST …/upload）。")
    if offset != row.offset:
        return Patched(row.offset, ApiError(409, "offset_mismatch",
                                            f"上传位置不符：服务器已收到 {row.offset} 字节，请从那里继续。",
                                            offset=row.offset))
    if offset + len(data) > row.size:
        raise ApiError(422, "too_long", f"上传的内容超过这张照片的大小（{row.size} 字节）：请重新开始上传。")
    if offset == 0 and len(data) == row.size:  # the whole original in one request
        conn.execute(uploads.delete().where(uploads.c.sha256 == sha))
        return _stored(conn, sha, row.size, store.finish_whole(sha, data))
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
        return Patched(0, ApiError(422, "sha_mismatch", "上传完成的照片原图与其 SHA-256 不符，服务器已丢弃：请重新上传。"))
    insert_ignore(conn, blobs, {"sha256": sha, "size": size, "stored_at": now_iso()})
    return Patched(size)
