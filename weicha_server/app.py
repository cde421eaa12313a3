"""The HTTP API, version 1 (docs/sync-protocol.md, "HTTP API"; OpenAPI at /openapi.json).

Stateless: every request opens its own transaction and keeps nothing in this process that
another worker or host would need, so ``serve --workers N`` and N servers on one PostgreSQL
are safe. Every ``/v1/`` request names the protocol (426 otherwise, weicha_server/gate.py);
every endpoint but ``/v1/health`` and ``/v1/enroll`` needs a device's bearer token;
every error is JSON ``{"error", "message"}`` (weicha_server/errors.py)."""
from __future__ import annotations

import functools
import hashlib
import os
from typing import Annotated, Any, Iterator

import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, Header, Path, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy.engine import Engine

from weicha_server import auth, fastjson, pull, thumbnails, uploads
from weicha_server.blobstore import READ_CHUNK, BlobStore, FolderBlobStore, valid_sha
from weicha_server.config import PROTOCOL, ServerConfig
from weicha_server.db import devices, make_engine, meta, read, require_current
from weicha_server.errors import ApiError, error_body, install
from weicha_server.gate import Gate, log, log_exception
from weicha_server.keys import ServerKeys
from weicha_server.push import push

def _printable(text: str) -> str:
    if not text.isprintable():  # control characters, NUL, lone surrogates: nothing to store
        raise ValueError("含有控制字符或无效字符")
    return text


Count = Annotated[int, Field(strict=True, ge=0, le=2 ** 62)]
Text = Annotated[str, AfterValidator(_printable)]
Sha = Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
bearer = HTTPBearer(auto_error=False, description="登记时得到的设备令牌")
Token = Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]
Protocol = Annotated[str | None, Header(alias="Weicha-Protocol", description="同步协议版本：1（gate.py 检查）")]


class EnrollBody(BaseModel):
    code: Annotated[Text, Field(min_length=1, max_length=64)]
    device_id: Annotated[str, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z._:-]{0,63}$")]
    device_name: Annotated[Text, Field(max_length=200)] = ""
    public_key: Annotated[Text, Field(min_length=1, max_length=100)]
    unit_code: Annotated[Text | None, Field(max_length=32)] = None
    issued: Annotated[list[Annotated[list[Annotated[str, Field(max_length=32)]], Field(min_length=2, max_length=2)]]
                      | None, Field(max_length=20_000)] = None  # numbers issued before: [first, last] runs
    bundle_public: Annotated[Text | None, Field(max_length=100)] = None  # the laptop's X25519 bundle key


class PushBody(BaseModel):
    device_id: Annotated[str, Field(min_length=1, max_length=64)]
    ops: list[dict[str, Any]] = []
    from_seq: Count
    through_seq: Count
    audit: list[dict[str, Any]] = []


class MissingBody(BaseModel):
    sha256: Annotated[list[Sha], Field(max_length=5000)]


class UploadBody(BaseModel):
    size: Count


class Api:
    """What the handlers share: the settings, the engine, the blob store (no request state)."""

    def __init__(self, config: ServerConfig, engine: Engine | None = None, blob_store: BlobStore | None = None):
        self.config = config
        self.engine = engine or make_engine(config.db_url)
        require_current(self.engine)
        self.blobs = blob_store if blob_store is not None else FolderBlobStore(config.blob_dir)  # or an object store
        self.bundle_keys = ServerKeys.load(config.data_dir).public()  # USB bundles (keys.py)
        with read(self.engine) as conn:
            self.server_id = meta(conn, "server_id")

    def device(self, conn, request: Request, cred: HTTPAuthorizationCredentials | None, *,
               lock: bool = False) -> auth.Device:
        header = f"Bearer {cred.credentials}" if cred else None
        found = auth.authenticate(conn, header, lock=lock)
        request.scope.setdefault("state", {})["device_id"] = found.id
        return found


# statements built once (SQLAlchemy's compiled cache serves each request: no statement and
# cache key built again, ~75 µs a query)
_ONE = sa.select(sa.literal(1))
_DEVICE = sa.select(devices).where(devices.c.id == sa.bindparam("id"))


def answer(body: dict[str, Any]) -> Response:
    """A sync endpoint's JSON answer, encoded here, once (fastjson.answer). Returned as a dict,
    FastAPI would validate it against the endpoint's ``dict[str, Any]`` in a second trip through
    the thread pool (a hand-off to a worker thread and back, per request), then encode it; the
    annotation still documents the answer in the OpenAPI."""
    return Response(fastjson.answer(body), media_type="application/json")


def create_app(config: ServerConfig, engine: Engine | None = None, blob_store: BlobStore | None = None) -> FastAPI:
    app = FastAPI(title="微察中心服务器 / WeiCha server", version=f"{PROTOCOL}",
                  description="同步协议第 1 版：每个请求须带请求头 Weicha-Protocol: 1。",
                  docs_url=None, redoc_url=None)
    app.state.api = Api(config, engine, blob_store)
    install(app, log_exception)
    app.add_exception_handler(sa.exc.OperationalError, _db_down)
    app.add_exception_handler(sa.exc.DataError, _unstorable)
    app.router.routes.extend(_routes())
    app.add_middleware(Gate, max_body=config.max_body)
    return app


async def _db_down(request: Request, exc: sa.exc.OperationalError):
    log_exception(request, exc)
    return JSONResponse(error_body(503), status_code=503)


async def _unstorable(request: Request, exc: sa.exc.DataError):
    log_exception(request, exc)  # the checks before should have refused it: worth a look
    return JSONResponse(error_body(422, "请求中有服务器无法保存的值（过长、过大或含无效字符），未接收："
                                        "请升级桌面程序；如仍出现，请联系管理员。"), status_code=422)


def _api(request: Request) -> Api:
    """The app's Api (its settings, engine, blob store): a route serves every app of the process."""
    return request.app.state.api


@functools.cache
def _routes() -> list:
    """The API's routes, made once per process and shared by its apps (each handler takes its
    app's ``Api`` from the request): FastAPI works out a route's parameters and their pydantic
    validators as it is made (~13 ms CPU for these, of an app's ~16 ms), which every server
    start, every ``serve --workers`` worker forked and every app a test builds did again."""
    router = APIRouter()

    @router.get("/v1/health", tags=["server"])
    def health(request: Request, weicha_protocol: Protocol = None) -> dict[str, Any]:
        """服务器是否可用（无需令牌）。"""
        api = _api(request)
        with read(api.engine) as conn:
            conn.execute(_ONE)
        return answer({"status": "ok", "protocol": PROTOCOL, "server_id": api.server_id})

    @router.post("/v1/enroll", tags=["devices"])
    def enroll(body: EnrollBody, request: Request, weicha_protocol: Protocol = None) -> dict[str, Any]:
        """用一次性登记码登记本机：得到设备令牌。"""
        api = _api(request)
        with api.engine.begin() as conn:
            done = auth.enroll_device(conn, code=body.code, device_id=body.device_id,
                                      device_name=body.device_name, public_key=body.public_key,
                                      unit_code=body.unit_code, issued=body.issued,
                                      slots=api.config.number_slots, bundle_public=body.bundle_public)
            token, unit = done.token, done.unit
        log.info("enrolled", extra={"fields": {"event": "enroll", "device": body.device_id}})
        return answer({"device_id": body.device_id, "token": token, "server_id": api.server_id, "unit_code": unit,
                       "bundle_keys": api.bundle_keys, **done.answer})

    @router.get("/v1/keys", tags=["devices"])
    def bundle_keys(request: Request, cred: Token, weicha_protocol: Protocol = None) -> dict[str, Any]:
        """服务器的数据包公钥（签名 Ed25519、加密 X25519，原始字节的 base64）：供登记较早的笔记本固定。"""
        api = _api(request)
        with read(api.engine) as conn:
            api.device(conn, request, cred)
        return answer({"server_id": api.server_id, "bundle_keys": api.bundle_keys})

    @router.get("/v1/devices/me", tags=["devices"])
    def me(request: Request, cred: Token, weicha_protocol: Protocol = None) -> dict[str, Any]:
        """服务器所见的本机：已连续收到的序号、已锚定的工作日志头。"""
        api = _api(request)
        with read(api.engine) as conn:
            device = api.device(conn, request, cred)
            row = conn.execute(_DEVICE, {"id": device.id}).one()
        return answer({"device_id": row.id, "name": row.name, "unit_code": row.unit_code,
                       "enrolled_at": row.enrolled_at, "through_seq": row.through_seq,
                       "last_push_at": row.last_push_at,
                       "anchored": None if row.anchored_seq is None else {"seq": row.anchored_seq,
                                                                          "hash": row.anchored_hash}})

    @router.post("/v1/push", tags=["sync"])
    def push_ops(body: PushBody, request: Request, cred: Token,
                 weicha_protocol: Protocol = None) -> dict[str, Any]:
        """一批同步操作（按设备序号）与其后的工作日志条目：一个事务。"""
        api = _api(request)
        with api.engine.begin() as conn:
            device = api.device(conn, request, cred, lock=True)
            done = push(conn, device, dict(body), max_batch=api.config.max_batch)  # not model_dump: no deep copy
        log.info("push", extra={"fields": {
            "event": "push", "device": device.id, "ops": len(body.ops), "applied": len(done.applied),
            "skipped": len(done.skipped), "rejected": len(done.rejected),
            "waiting": len(done.waiting), "through_seq": done.through_seq,
            "audit_error": (done.audit_error or {}).get("error")}})
        return answer(done.body())

    @router.get("/v1/pull/{table}", tags=["sync"])
    def pull_table(table: Annotated[str, Path(max_length=40)], request: Request, cred: Token,
                   cursor: Annotated[str | None, Query(max_length=pull.MAX_CURSOR)] = None,
                   limit: Annotated[int | None, Query(ge=1, le=5000)] = None,
                   weicha_protocol: Protocol = None) -> dict[str, Any]:
        """一张表的下一页（users、forms、code_tables、watch_lists、unit_records、decisions）：
        rows、cursor、complete；到 complete 为止再一并应用。"""
        api = _api(request)
        with read(api.engine) as conn:
            device = api.device(conn, request, cred)
            page = pull.pull(conn, device, table, cursor, limit)
        return answer(page)

    @router.get("/v1/blobs/{sha}/thumbnail", tags=["blobs"], response_class=Response,
                responses={200: {"content": {"image/jpeg": {}}}})
    def blob_thumbnail(sha: Sha, request: Request, cred: Token,
                       orientation: Annotated[int | None, Query(ge=1, le=8)] = None,
                       weicha_protocol: Protocol = None):
        """照片原图的缩略图（JPEG，桌面程序的缩略图尺寸）：审核人的笔记本先取缩略图，原图按需再取。"""
        api = _api(request)
        with read(api.engine) as conn:
            api.device(conn, request, cred)
            size = uploads.stored_size(conn, sha)
        if size is None or not valid_sha(sha):
            raise ApiError(404, "no_blob", "服务器上没有这张照片原图。")
        return Response(thumbnails.render(api.blobs, sha, orientation), media_type="image/jpeg")

    @router.post("/v1/blobs/missing", tags=["blobs"])
    def blobs_missing(body: MissingBody, request: Request, cred: Token,
                      weicha_protocol: Protocol = None) -> dict[str, Any]:
        """这些照片原图中服务器还没有的。"""
        api = _api(request)
        with read(api.engine) as conn:
            api.device(conn, request, cred)
            missing = uploads.missing(conn, body.sha256)
        return answer({"missing": missing})

    @router.post("/v1/blobs/{sha}/upload", tags=["blobs"])
    def blob_upload(sha: Sha, body: UploadBody, request: Request, cred: Token,
                    weicha_protocol: Protocol = None) -> dict[str, Any]:
        """开始或继续上传一张照片原图：答复从哪个字节继续。"""
        api = _api(request)
        with api.engine.begin() as conn:
            api.device(conn, request, cred)
            offset = uploads.start(conn, api.blobs, sha, body.size, api.config.max_blob)
        return answer({"offset": offset})

    @router.patch("/v1/blobs/{sha}", tags=["blobs"], openapi_extra={"requestBody": {
        "required": True, "content": {"application/offset+octet-stream": {
            "schema": {"type": "string", "format": "binary"}}}}})
    async def blob_patch(sha: Sha, request: Request, cred: Token,
                         upload_offset: Annotated[str, Header(alias="Upload-Offset")],
                         upload_length: Annotated[str | None, Header(
                             alias="Upload-Length", description="照片原图的总字节数：在 Upload-Offset 0 时"
                             "带上即可不先 POST …/upload（整张原图一次发完时只需这一个请求）")] = None,
                         weicha_protocol: Protocol = None) -> dict[str, Any]:
        """上传的一段（从 Upload-Offset 起）；到齐时服务器核对 SHA-256。带 Upload-Length 时无需先开始上传。"""
        api = _api(request)
        offset, length = _count_header(upload_offset, "Upload-Offset"), None
        if upload_length is not None:
            length = _count_header(upload_length, "Upload-Length")
        incoming = getattr(api.blobs, "incoming", None)  # a folder: a whole original streamed to disk
        sent = request.headers.get("content-length", "")
        if incoming is not None and offset == 0 and sent.isascii() and sent.isdigit() and len(sent) < 19:
            def plan():  # the token and a whole original's plan before its bytes are read
                with read(api.engine) as conn:
                    api.device(conn, request, cred)
                    if uploads.stored_size(conn, sha) is not None:
                        return None
                    return uploads.whole_size(conn, sha, 0, int(sent), length, api.config.max_blob)

            size = await run_in_threadpool(plan) if int(sent) <= api.config.max_chunk else None
            if size is not None:
                done = await _stream_whole(api, request, sha, incoming(sha), size, length)
                if done.error is not None:
                    raise done.error
                return {"offset": done.offset}
        data = await _read_limited(request, api.config.max_chunk)

        def work():
            with read(api.engine) as conn:  # the token, and a whole original's plan: no write lock
                api.device(conn, request, cred)
                stored = uploads.stored_size(conn, sha)
                whole = None if stored is not None else uploads.whole_size(
                    conn, sha, offset, len(data), length, api.config.max_blob)
            if stored is not None:
                return uploads.Patched(stored)
            if whole is not None:  # one file fsync and one commit (uploads.put_whole)
                return uploads.put_whole(api.engine, api.blobs, sha, data)
            with api.engine.begin() as conn:
                if length is not None and offset == 0:  # creates (or resumes) the upload
                    uploads.start(conn, api.blobs, sha, length, api.config.max_blob)
                return uploads.patch(conn, api.blobs, sha, offset, data)

        done = await run_in_threadpool(work)
        if done.error is not None:
            raise done.error
        return {"offset": done.offset}

    @router.get("/v1/blobs/{sha}", tags=["blobs"], response_class=StreamingResponse,
                responses={200: {"content": {"application/octet-stream": {}}}})
    def blob_get(sha: Sha, request: Request, cred: Token, weicha_protocol: Protocol = None):
        """照片原图（按需取原图）。"""
        api = _api(request)
        with read(api.engine) as conn:
            api.device(conn, request, cred)
            size = uploads.stored_size(conn, sha)
        if size is None or not valid_sha(sha):
            raise ApiError(404, "no_blob", "服务器上没有这张照片原图。")
        return StreamingResponse(_chunks(api.blobs.open(sha)), media_type="application/octet-stream",
                                 headers={"Content-Length": str(size)})

    return router.routes


async def _stream_whole(api: Api, request: Request, sha: str, path, size: int,
                        length: int | None) -> uploads.Patched:
    """A whole original (``size`` bytes, its Content-Length) written to ``path`` and hashed
    chunk by chunk as it arrives — as a bare upload writes it: no copy of the body in memory,
    no second pass to hash it —, then fsynced, stored and recorded by ``uploads.put_file``
    (one commit). A body that is not ``size`` bytes after all: 413 past the limit, else the
    bytes go the way of any PATCH (``uploads.patch``)."""
    digest, got = hashlib.sha256(), 0
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            async for chunk in request.stream():
                got += len(chunk)
                if got > api.config.max_chunk:
                    raise ApiError(413, "chunk_too_large",
                                   f"一次上传的一段最多 {api.config.max_chunk} 字节：请分段上传。")
                digest.update(chunk)
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        if got == size:
            return await run_in_threadpool(uploads.put_file, api.engine, api.blobs, sha, path,
                                           digest.hexdigest(), size)
        with open(path, "rb") as f:  # not the length announced (h11 lets none by): as any PATCH
            data = f.read()

        def work():
            with api.engine.begin() as conn:
                if length is not None:
                    uploads.start(conn, api.blobs, sha, length, api.config.max_blob)
                return uploads.patch(conn, api.blobs, sha, 0, data)
        return await run_in_threadpool(work)
    finally:
        if os.path.exists(path):  # adopt moved it (or dropped it) already
            os.unlink(path)


async def _read_limited(request: Request, limit: int) -> bytes:
    parts, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise ApiError(413, "chunk_too_large", f"一次上传的一段最多 {limit} 字节：请分段上传。")
        parts.append(chunk)
    return b"".join(parts)


def _count_header(text: str, name: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        raise ApiError(422, "bad_offset" if name == "Upload-Offset" else "bad_length",
                       f"请求头 {name} 须为非负整数。")
    return int(text)


def _chunks(f) -> Iterator[bytes]:
    with f:
        while chunk := f.read(READ_CHUNK):
            yield chunk


def app_from_env() -> FastAPI:
    """The app of a worker process (``serve --workers N``: uvicorn imports it by name)."""
    from weicha_server import config as settings
    from weicha_server.gate import setup_logging

    setup_logging()
    return create_app(settings.from_env())
