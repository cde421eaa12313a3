"""Errors a client sees: always JSON ``{"error": "<code>", "message": "<Chinese>"}`` (plus
fields some errors carry: ``supported`` for 426, ``offset`` for an upload's 409), never a
stack trace. Handlers (installed by app.py) turn every exception into one of these; an
unexpected one is a 500 ``internal`` whose details go to the server's log only.

A request to an endpoint that needs a device token, without a valid one, is answered 401
before anything is said about what it sent (a body, path or header refused: 422, 400):
a client without a token learns nothing else. The OpenAPI (/openapi.json) documents these
errors: every operation's 422 and ``default`` answer is the ``Error`` object."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from weicha_server.config import PROTOCOL

if TYPE_CHECKING:  # FastAPI is imported by ``install`` (the app): ApiError is all the command
    # line needs of this module, and importing FastAPI is ~0.23 s of a command's CPU
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media",
                422: "invalid", 426: "upgrade_required", 500: "internal", 503: "unavailable"}
STATUS_MESSAGES = {
    400: "请求内容无法解析（不是有效的 JSON，或嵌套过深）：请升级桌面程序；如仍出现，请联系管理员。",
    404: "没有这个地址：请检查服务器地址，或升级桌面程序。",
    405: "这个地址不支持该请求方法。",
    413: "请求内容过大，服务器未接收：请分批发送。",
    500: "服务器内部错误，本次请求未完成：请稍后重试；如一再出现，请联系管理员查看服务器日志。",
    503: "服务器的数据库暂时无法使用：请稍后重试。",
}


class ApiError(Exception):
    def __init__(self, status: int, error: str, message: str, **extra: Any):
        super().__init__(message)
        self.status, self.error, self.message, self.extra = status, error, message, extra

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "message": self.message, **self.extra}


def error_body(status: int, message: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": STATUS_CODES.get(status, "error"),
            "message": message or STATUS_MESSAGES.get(status, "请求未能完成。"), **extra}


def upgrade_required(got: str | None) -> dict[str, Any]:
    said = f"（本机发送的是第 {got} 版）" if got else "（请求没有注明协议版本）"
    return error_body(426, f"服务器使用同步协议第 {PROTOCOL} 版{said}：请升级桌面程序。未同步的内容会继续保留在本机。",
                      supported=[PROTOCOL])


OPEN_PATHS = ("/v1/health", "/v1/enroll")  # the endpoints that need no device token
ERROR_SCHEMA = {"title": "Error", "type": "object", "required": ["error", "message"],
                "properties": {"error": {"type": "string", "description": "错误代码"},
                               "message": {"type": "string", "description": "给用户看的中文说明"}},
                "additionalProperties": True,
                "description": "每个错误的答复：代码与中文说明（426 另有 supported，上传的 409 另有 offset）"}


def install(app: FastAPI, log_exception) -> None:
    """JSON for every error (``log_exception(request, exc)`` records an unexpected one), and
    those errors in the OpenAPI."""
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException as StarletteHTTPException

    _document(app)

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError):
        if exc.status in (400, 422) and (refused := await _token_refusal(request)):  # judged before the token
            return refused
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400 and (refused := await _token_refusal(request)):  # a body it cannot parse
            return refused
        detail = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else None
        return JSONResponse(error_body(exc.status_code, detail), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        if refused := await _token_refusal(request):
            return refused
        first = next(iter(exc.errors()), {})
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "请求"
        return JSONResponse(error_body(422, f"请求内容不符合要求（{where}：{first.get('msg', '格式不对')}）。"
                                            "请升级桌面程序；如仍出现，请联系管理员。"), status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log_exception(request, exc)
        return JSONResponse(error_body(500), status_code=500)


async def _token_refusal(request: Request) -> JSONResponse | None:
    """The 401 of a request to an endpoint that needs a device token and has no valid one
    (None: it has one, or needs none). The handlers check the token themselves; this is for
    a request the API refuses before a handler runs."""
    from fastapi.concurrency import run_in_threadpool
    from fastapi.responses import JSONResponse

    path = request.url.path
    api = getattr(request.app.state, "api", None)
    if api is None or not path.startswith("/v1/") or path in OPEN_PATHS:
        return None
    from weicha_server import auth  # auth needs this module's ApiError
    from weicha_server.db import read

    def check() -> ApiError | None:
        with read(api.engine) as conn:
            try:
                auth.authenticate(conn, request.headers.get("authorization"))
            except ApiError as e:
                return e
        return None

    try:
        refused = await run_in_threadpool(check)
    except Exception:  # noqa: BLE001 — the database: the request's own answer stands
        return None
    return None if refused is None else JSONResponse(refused.body(), status_code=refused.status)


def _document(app: FastAPI) -> None:
    """Every operation's 422 and ``default`` answers in the OpenAPI are ``Error`` (what the
    handlers above send), not FastAPI's HTTPValidationError."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = build()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas["Error"] = ERROR_SCHEMA
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for item in spec.get("paths", {}).values():
            for op in item.values():
                answers = op.setdefault("responses", {})
                answers["422"] = {"description": "请求内容不符合要求", **error}
                answers["default"] = {"description": "错误（401 令牌无效、426 协议版本、413 过大、409 冲突等）",
                                      **error}
        app.openapi_schema = spec
        return spec

    app.openapi = openapi
