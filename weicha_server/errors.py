"""Errors a client sees: always JSON ``{"error": "<code>", "message": "<Chinese>"}`` (plus
fields some errors carry: ``supported`` for 426, ``offset`` for an upload's 409), never a
stack trace. Handlers (installed by app.py) turn every exception into one of these; an
unexpected one is a 500 ``internal`` whose details go to the server's log only."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from weicha_server.config import PROTOCOL

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


def install(app: FastAPI, log_exception) -> None:
    """JSON for every error (``log_exception(request, exc)`` records an unexpected one)."""

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError):
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else None
        return JSONResponse(error_body(exc.status_code, detail), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        first = next(iter(exc.errors()), {})
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "请求"
        return JSONResponse(error_body(422, f"请求内容不符合要求（{where}：{first.get('msg', '格式不对')}）。"
                                            "请升级桌面程序；如仍出现，请联系管理员。"), status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log_exception(request, exc)
        return JSONResponse(error_body(500), status_code=500)
