"""The desktop's HTTP client of the sync server, protocol version 1 (docs/sync-protocol.md,
"HTTP API" and "The desktop's client").

Every request names the protocol (``Weicha-Protocol: 1``) and, but for health and enroll,
the device's bearer token. HTTPS is pinned to the certificate kept at enrollment
(core/sync/enrollment.py): that certificate is the ONLY trust anchor, so only the holder of
its key passes, whatever CA or host name; a pinned CA certificate (given with ``--cert``)
also checks the host name. Plain HTTP only to this computer (tests, a server on the laptop).

Errors come back as ``SyncError`` subclasses with a Chinese message for the user: the
server's own ``message`` where it sent one, framed by what it means for this laptop (the
queue is kept in every case). Used from a worker thread or the CLI, never the GUI thread."""
from __future__ import annotations

import functools
import hashlib
import ipaddress
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

from weicha_desktop.core.errors import WeichaError

PROTOCOL = 1
PROTOCOL_HEADER = "Weicha-Protocol"
CONNECT_TIMEOUT = 10.0  # seconds to reach the server
IO_TIMEOUT = 60.0  # seconds a read or write may stall (a 4 MiB chunk on a slow line)
KEPT = "未同步的内容保留在本机。"
# Nagle's algorithm off: httpx writes a request's headers and body apart, and the second
# small write may wait for the server's delayed ACK of the first (on loopback a request took
# 2.0 ms with it, 0.45 ms without)
SOCKET_OPTIONS = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
NO_CHECK_TIME = 0x200000  # OpenSSL's X509_V_FLAG_NO_CHECK_TIME (not named by the ssl module)
CERT_TIME_ERRORS = (9, 10)  # X509_V_ERR_CERT_NOT_YET_VALID, X509_V_ERR_CERT_HAS_EXPIRED


class SyncError(WeichaError):
    """A sync that could not go on. ``retry``: worth trying again later by itself (network,
    server busy); else a person must act (revoked, upgrade, certificate, refused)."""

    retry = False

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 body: dict[str, Any] | None = None):
        super().__init__(message)
        self.status, self.code, self.body = status, code, body or {}


class ServerUnreachable(SyncError):
    retry = True


class ServerError(SyncError):
    retry = True


class CertificateMismatch(SyncError):
    pass


class DeviceRevoked(SyncError):
    pass


class NotAuthorized(SyncError):
    pass


class UpgradeRequired(SyncError):
    pass


class Refused(SyncError):
    """403 / 404 / 409 / 413 / 422: the server refused this request (its message says why)."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    """The server's base URL, normalized (no trailing slash); refused unless https, or http
    to this computer."""
    text = (url or "").strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise WeichaError(f"服务器地址“{url}”无效：请写成 https://主机:端口 的形式。")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise WeichaError("同步服务器须用 https:// 连接（令牌与数据不能明文传输）；"
                          "http:// 只可用于本机上的服务器。")
    if parts.query or parts.fragment:
        raise WeichaError(f"服务器地址“{url}”不应带 ? 或 # 部分。")
    return text


def fingerprint(cert_pem: str) -> str:
    """SHA-256 of the certificate (DER), as ``AB:CD:…`` — what an administrator compares."""
    digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(cert_pem)).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def _is_ca(cert_pem: str) -> bool:
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(cert_pem.encode("ascii"))
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def tls_context(cert_pem: str) -> ssl.SSLContext:
    """TLS trusting the pinned certificate alone (and nothing of the system's store)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_verify_locations(cadata=cert_pem)
    except (ssl.SSLError, ValueError) as e:
        raise WeichaError(f"固定的服务器证书无法使用（{e}）：请重新登记本机。") from None
    ctx.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN  # the pinned leaf is the anchor
    # only the holder of the pinned certificate's key can show a chain to it: its name does
    # not matter (a self-signed server reached by IP address), nor its dates (a laptop whose
    # clock is a day off still syncs); a CA's name and dates do
    ca = _is_ca(cert_pem)
    ctx.check_hostname = ca
    if not ca:
        ctx.verify_flags |= NO_CHECK_TIME
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


@functools.cache
def _no_tls() -> ssl.SSLContext:
    """The context of a plain-http client (this computer only: check_url), which never makes
    a TLS connection: one per process, trusting nothing (no CA loaded, names checked), so a
    TLS handshake it were ever asked for fails closed. httpx builds a new one for each
    client otherwise (``verify=False``): SSL_CTX_new, ~0.2-0.5 ms of every sync's CPU."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class SyncClient:
    """One server, one device token (None before enrollment). Close it (or ``with``)."""

    def __init__(self, url: str, *, token: str | None = None, cert_pem: str | None = None,
                 connect_timeout: float = CONNECT_TIMEOUT, io_timeout: float = IO_TIMEOUT,
                 transport: Any = None):
        import httpx  # when a sync starts, not when the program does

        self.url = check_url(url)
        if self.url.startswith("https:") and not cert_pem:
            raise WeichaError("没有固定的服务器证书，不能用 https 同步：请重新登记本机（weicha enroll）。")
        headers = {PROTOCOL_HEADER: str(PROTOCOL)}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        # plain http (this computer only, check_url) has no certificate to check: ``_no_tls``
        # spares httpx building a context of the system's CAs (~40 ms a client) it never uses
        verify = tls_context(cert_pem) if self.url.startswith("https:") else _no_tls()
        if transport is None:  # TCP_NODELAY: see SOCKET_OPTIONS
            transport = httpx.HTTPTransport(verify=verify, socket_options=SOCKET_OPTIONS)
        self._http = httpx.Client(
            base_url=self.url, headers=headers, transport=transport, follow_redirects=False,
            verify=verify, timeout=httpx.Timeout(io_timeout, connect=connect_timeout), trust_env=False)
        self.bytes_sent = 0  # request bodies sent (photo bytes and JSON), for progress

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "SyncClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the API ----------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        body = self._call("GET", "/v1/health")
        if body.get("status") != "ok":
            raise ServerError("同步服务器答复“暂不可用”：稍后会自动重试。" + KEPT)
        return body

    def enroll(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", "/v1/enroll", json=body)

    def me(self) -> dict[str, Any]:
        return self._call("GET", "/v1/devices/me")

    def bundle_keys(self) -> dict[str, Any]:
        """``{server_id, bundle_keys}``: the server's USB bundle keys (core/bundle/keys.py)."""
        return self._call("GET", "/v1/keys")

    def push(self, body: dict[str, Any] | bytes) -> dict[str, Any]:
        """One batch: a dict, or its JSON already encoded (core/sync/push.py splices stored
        envelopes into the request without parsing them)."""
        if isinstance(body, bytes):
            answer = self._call("POST", "/v1/push", content=body, headers={"Content-Type": "application/json"})
        else:
            answer = self._call("POST", "/v1/push", json=body)
        if not isinstance(answer.get("through_seq"), int) or not all(
                isinstance(answer.get(k, []), list) for k in ("applied", "skipped", "rejected", "waiting")):
            raise ServerError("同步服务器的答复不完整（缺少确认序号）：本批未确认，稍后重发。" + KEPT)
        return answer

    def missing(self, shas: list[str]) -> list[str]:
        answer = self._call("POST", "/v1/blobs/missing", json={"sha256": shas})
        return [s for s in answer.get("missing", []) if s in set(shas)]

    def upload_start(self, sha: str, size: int) -> int:
        return self._offset(self._call("POST", f"/v1/blobs/{sha}/upload", json={"size": size}))

    def upload_chunk(self, sha: str, offset: int, data: bytes, length: int | None = None) -> int:
        """Bytes at ``offset``; the server's offset after them. A 409 (the server holds
        another offset: a cut upload) answers the server's offset instead of raising.
        ``length`` (the original's size, at offset 0): no ``upload_start`` needed first — a
        whole original is one request (a server older than that answers 404 ``no_upload``)."""
        headers = {"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}
        if length is not None:
            headers["Upload-Length"] = str(length)
        try:
            answer = self._call("PATCH", f"/v1/blobs/{sha}", content=data, headers=headers)
        except Refused as e:
            if e.status == 409 and isinstance(e.body.get("offset"), int):
                return e.body["offset"]
            raise
        return self._offset(answer)

    def pull(self, table: str, cursor: str | None, limit: int | None = None) -> dict[str, Any]:
        """One page of a table (core/sync/pull.py): ``{rows, cursor, complete[, covered]}``."""
        params = {k: v for k, v in (("cursor", cursor), ("limit", limit)) if v}
        return self._call("GET", f"/v1/pull/{table}", params=params or None)

    def blob(self, sha: str, *, thumbnail: bool = False, orientation: int | None = None) -> bytes:
        """An original's bytes (or its thumbnail, JPEG): a supervisor's copies fetch them."""
        path = f"/v1/blobs/{sha}/thumbnail" if thumbnail else f"/v1/blobs/{sha}"
        params = {"orientation": orientation} if thumbnail and orientation else None
        return self._call("GET", path, params=params, raw=True)

    @staticmethod
    def _offset(answer: dict[str, Any]) -> int:
        offset = answer.get("offset")
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise ServerError("同步服务器的上传答复不完整（缺少位置）：稍后重试。" + KEPT)
        return offset

    # ---- one request ------------------------------------------------------------------
    def _call(self, method: str, path: str, raw: bool = False, **kwargs: Any) -> Any:
        import httpx

        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.ConnectError as e:
            if _cert_error(e) in CERT_TIME_ERRORS:
                raise CertificateMismatch(
                    f"同步服务器 {self.url} 的证书尚未生效或已过期：请先核对本机的日期和时间；时间无误时，"
                    "请联系管理员更换服务器证书。" + KEPT) from None
            if _cert_error(e) is not None:
                raise CertificateMismatch(
                    f"同步服务器 {self.url} 出示的证书与登记时固定的不符：可能连到了冒充的服务器，已停止同步。"
                    "请联系管理员核对服务器证书的指纹；如服务器确实换了证书，请重新登记本机。" + KEPT) from None
            raise ServerUnreachable(f"无法连接同步服务器 {self.url}（{_reason(e)}）：网络恢复后会自动重试。"
                                    + KEPT) from None
        except httpx.TimeoutException as e:
            raise ServerUnreachable(f"同步服务器 {self.url} 没有及时答复（{_reason(e)}）：稍后会自动重试。"
                                    + KEPT) from None
        except httpx.TransportError as e:  # the connection broke midway (a cut, a proxy)
            raise ServerUnreachable(f"与同步服务器 {self.url} 的连接中断（{_reason(e)}）：稍后会自动重试，"
                                    "已上传的部分不会重传。" + KEPT) from None
        sent = kwargs.get("content") or b""
        self.bytes_sent += len(sent) if isinstance(sent, bytes) else 0
        if raw and 200 <= response.status_code < 300:
            return response.content
        return _answer(response)


def _cert_error(e: BaseException) -> int | None:
    """The certificate's verify code when ``e`` is a failed certificate check (0: unknown)."""
    seen: BaseException | None = e
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen.verify_code or 0
        if "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return 0
        seen = seen.__cause__ or seen.__context__
    return None


def _reason(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    return text[:120]


def _answer(response: Any) -> dict[str, Any]:
    """The JSON body of a 2xx; else the SyncError that status means."""
    try:
        body = response.json()
    except ValueError:
        body = None
    status = response.status_code
    if 200 <= status < 300:
        if not isinstance(body, dict):
            raise ServerError("同步服务器的答复不是预期的格式（可能不是微察服务器，或中间有代理）。" + KEPT,
                              status=status)
        return body
    body = body if isinstance(body, dict) else {}
    code = body.get("error") if isinstance(body.get("error"), str) else None
    said = body.get("message") if isinstance(body.get("message"), str) and body.get("message") else ""
    kw = {"status": status, "code": code, "body": body}
    if status == 401 and code == "device_revoked":
        # the server refuses any enrollment of a revoked device id, with any code (auth.py)
        raise DeviceRevoked("本机已被管理员停用（设备令牌已吊销），不能再与服务器同步；停用的设备不能重新登记，"
                            "新的登记码也不行。" + KEPT + "请联系管理员，商定本机未同步的内容如何交接。", **kw)
    if status == 401:
        raise NotAuthorized("服务器不认可本机的设备令牌（" + (said or "未登记或令牌无效") + "）。" + KEPT
                            + "请用管理员给的登记码重新登记本机（weicha enroll）。", **kw)
    if status == 426:
        raise UpgradeRequired((said or "服务器使用的同步协议比本程序新：请升级桌面程序。")
                              + ("" if KEPT in said else KEPT)
                              + "升级之前同步暂停，新的修改照常排队。", **kw)
    if status >= 500 or status in (408, 429):
        raise ServerError(f"同步服务器暂时出错（HTTP {status}）：{said or '请稍后重试'}。稍后会自动重试。" + KEPT, **kw)
    if status == 413:
        raise Refused(f"请求过大，服务器未接收（HTTP 413）：{said or '请分批发送'}", **kw)
    if status in (403, 404, 409, 422) or 400 <= status < 500:
        raise Refused(f"服务器拒绝了请求（HTTP {status}）：{said or '未说明原因'}", **kw)
    raise ServerError(f"同步服务器的答复出乎意料（HTTP {status}）。稍后会自动重试。" + KEPT, **kw)
