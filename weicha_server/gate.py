"""What every request passes before the API sees it, and the one log line it leaves.

- The protocol header: every ``/v1/`` request names ``Weicha-Protocol: 1``; without it, or
  with another version, the answer is 426 ``upgrade_required`` (the client keeps queuing).
- The body size: a Content-Length above the limit is refused at once (413); a body sent
  without one is counted as it is read and refused when it passes the limit.
- The log: one JSON line per request on stderr — time, request id, method, path, status,
  milliseconds, bytes received, the device (once its token is checked), the client address.
  Never a header, a token, a code or a body. An unexpected error adds a line with its type,
  message and traceback (``log_exception``); the client gets a 500 without them."""
from __future__ import annotations

import json
import logging
import secrets
import sys
import time
import traceback
from typing import Any

from fastapi import HTTPException

from weicha_server.config import PROTOCOL
from weicha_server.errors import error_body, upgrade_required

LOGGER = "weicha_server"
LINE_BREAKS = {c: f"\\u{c:04x}" for c in (0x85, 0x2028, 0x2029)}
log = logging.getLogger(LOGGER)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                               + f".{int(record.msecs):03d}Z", "level": record.levelname.lower()}
        fields = getattr(record, "fields", None)
        if fields:
            out.update(fields)
        else:
            out["event"] = record.name
            out["message"] = record.getMessage()
        if record.exc_info and "traceback" not in out:
            out["traceback"] = "".join(traceback.format_exception(*record.exc_info))
        # one line for every reader: JSON escapes the C0 controls, not what str.splitlines,
        # JavaScript or a log viewer also break lines at (a client's path may carry them)
        return json.dumps(out, ensure_ascii=False, default=str).translate(LINE_BREAKS)


def setup_logging(level: str = "INFO") -> None:
    """JSON lines on stderr for the server's log and uvicorn's own (its access log is off:
    the gate writes the one line per request)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in (LOGGER, "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False


def log_exception(request: Any, exc: BaseException) -> None:
    """One error line for an unexpected exception (``request``: a Request or an ASGI scope)."""
    scope = request if isinstance(request, dict) else request.scope
    state = scope.setdefault("state", {})
    log.error("unexpected", extra={"fields": {
        "event": "error", "rid": state.get("rid"), "path": scope.get("path"),
        "error": type(exc).__name__, "message": str(exc)[:500],
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))}})


class BodyTooLarge(HTTPException):
    """Raised while the body is read (an HTTPException: FastAPI passes those on as they are;
    errors.install renders it as JSON)."""

    def __init__(self, limit: int):
        super().__init__(413, too_large_message(limit))


def too_large_message(limit: int) -> str:
    return f"请求内容超过服务器的上限（{limit} 字节），未接收：请分批发送。"


class Gate:
    """ASGI middleware, outermost: protocol header, body limit, the request's log line."""

    def __init__(self, app, max_body: int):
        self.app, self.max_body = app, max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, seen = time.perf_counter(), {"status": 0, "bytes": 0}
        rid = secrets.token_hex(6)
        scope.setdefault("state", {})["rid"] = rid

        async def sending(message):
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", rid.encode()))
            await send(message)

        async def counting():
            message = await receive()
            if message["type"] == "http.request":
                seen["bytes"] += len(message.get("body", b""))
                if seen["bytes"] > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        try:
            refusal = self._refusal(scope)
            if refusal is not None:
                await _json(sending, *refusal)
            else:
                await self.app(scope, counting, sending)
        except Exception as exc:  # what no handler took: answered here, so the connection stays usable
            if seen["status"]:
                raise  # the answer had begun: nothing to mend
            log_exception(scope, exc)
            await _json(sending, 500, error_body(500))
        finally:
            state = scope.get("state", {})
            log.info("request", extra={"fields": {
                "event": "request", "rid": rid, "method": scope.get("method"), "path": scope.get("path"),
                "status": seen["status"], "ms": round((time.perf_counter() - started) * 1000, 1),
                "bytes_in": seen["bytes"], "device": state.get("device_id"),
                "client": (scope.get("client") or (None,))[0]}})

    def _refusal(self, scope) -> tuple[int, dict[str, Any]] | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if scope.get("path", "").startswith("/v1/"):
            got = headers.get("weicha-protocol")
            if got is None or got.strip() != str(PROTOCOL):
                return 426, upgrade_required(got and got.strip()[:20])
        length = headers.get("content-length")
        if length is not None:
            if not length.strip().isdigit():
                return 400, error_body(400, "请求头 Content-Length 无效。")
            if int(length) > self.max_body:
                return 413, error_body(413, too_large_message(self.max_body))
        return None


async def _json(send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})
