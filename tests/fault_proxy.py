"""Loopback fault tools for the sync fault tests (issue 11, S4; tests/test_sync_faults*.py).

- ``FaultProxy``: a TCP proxy on 127.0.0.1 in front of a server. Each new connection takes
  the next planned ``Cut`` (direction, byte offset, abrupt or not) from ``cuts``; once that
  many bytes went that way the proxy closes both sides (an abrupt one with a TCP reset). The
  upstream port can change while it runs (a server restarted on another port). ``watch`` is
  called with every piece of data before it passes on ((connection number, "up" | "down",
  bytes so far, data, seen)): a test stops or kills a process at the moment a request or answer
  is on the wire. ``seen`` is the piece with the bytes before it on that connection and way
  (``LOOKBACK``): a request line split over two reads is whole there — reads are no requests.
- ``ThreadServer``: the server's real app (weicha_server.app.create_app) served by uvicorn
  in a thread of this process, on loopback — cheap enough to share one per test worker for a
  randomized campaign. ``pause("before" | "after")`` holds every request before the app sees
  it, or after the app answered (the answer not sent yet) — what a SIGSTOPped server does to
  its clients — until ``resume()``.
- ``Recording``: the real transport keeping each push's body, losing chosen answers, running
  an edit as a push leaves; ``Hurried``: one kind of request gets a short timeout;
  ``Midway``: a chosen request's body goes in two halves, a test's step (a kill) between.
- ``Killed``: what a "killed" client raises (a BaseException: nothing in the sync catches
  it); ``KillingTransport`` raises it at the n-th request, before it leaves or after the
  server answered."""
from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import httpx

from weicha_desktop.core.sync.client import SOCKET_OPTIONS  # TCP_NODELAY, as the client's own transport

UP, DOWN = "up", "down"
LOOKBACK = 64  # bytes of a connection's way kept before each piece (``seen``): more than a
#                request line's method and path prefix a watch looks for


@dataclass(frozen=True)
class Cut:
    direction: str  # UP: bytes the client sends; DOWN: the server's answer
    offset: int     # the connection is cut once this many bytes went that way
    abrupt: bool = True  # a TCP reset (else an orderly close)


@dataclass
class ProxyStats:
    connections: int = 0
    cuts: int = 0
    up: int = 0
    down: int = 0


class FaultProxy:
    def __init__(self, upstream_port: int, cuts: list[Cut] | None = None,
                 watch: Callable[[int, str, int, bytes, bytes], None] | None = None):
        self.upstream = upstream_port
        self.cuts = list(cuts or [])
        self.watch = watch
        self.stats = ProxyStats()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(32)
        self.port = self.listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True, name="fault-proxy")
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.listener.close()
        with self._lock:
            live, self._open = list(self._open), set()
        for s in live:
            _close(s, abrupt=True)

    def __enter__(self) -> "FaultProxy":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        while True:
            try:
                down, _ = self.listener.accept()
            except OSError:
                return
            try:
                up = socket.create_connection(("127.0.0.1", self.upstream), timeout=5)
                up.settimeout(None)
            except OSError:  # the server is down: the client sees its connection refused-ish
                _close(down, abrupt=True)
                continue
            for s in (down, up):  # pieces pass on as they come (Nagle held each second one ~40 ms)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self.stats.connections += 1
                number = self.stats.connections
                cut = self.cuts.pop(0) if self.cuts else None
                self._open.update((down, up))
            conn = _Conn(self, number, cut, down, up)
            for args in ((down, up, UP), (up, down, DOWN)):
                threading.Thread(target=conn.pipe, args=args, daemon=True).start()


class _Conn:
    def __init__(self, proxy: FaultProxy, number: int, cut: Cut | None, down: socket.socket,
                 up: socket.socket):
        self.proxy, self.number, self.cut, self.down, self.up = proxy, number, cut, down, up
        self.sent = {UP: 0, DOWN: 0}
        self.tail = {UP: b"", DOWN: b""}  # the last LOOKBACK bytes each way
        self.lock = threading.Lock()
        self.closed = False

    def pipe(self, src: socket.socket, dst: socket.socket, direction: str) -> None:
        try:
            while data := src.recv(64 * 1024):
                with self.lock:
                    if self.closed:
                        return
                    cut = self.cut if self.cut is not None and self.cut.direction == direction else None
                    room = None if cut is None else cut.offset - self.sent[direction]
                    if room is not None and room < len(data):
                        data = data[:max(room, 0)]
                    self.sent[direction] += len(data)
                with self.proxy._lock:
                    setattr(self.proxy.stats, direction, getattr(self.proxy.stats, direction) + len(data))
                seen = self.tail[direction] + data
                self.tail[direction] = seen[-LOOKBACK:]
                watch = self.proxy.watch
                if watch is not None:
                    watch(self.number, direction, self.sent[direction], data, seen)
                if data:
                    dst.sendall(data)
                if room is not None and room <= len(data):
                    with self.proxy._lock:
                        self.proxy.stats.cuts += 1
                    self.shut(cut.abrupt)
                    return
        except OSError:
            pass
        self.shut(False)

    def shut(self, abrupt: bool) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
        with self.proxy._lock:
            self.proxy._open.difference_update((self.down, self.up))
        for s in (self.down, self.up):
            _close(s, abrupt)


def _close(s: socket.socket, abrupt: bool) -> None:
    """Close ``s`` so that the peer learns it at once: a shutdown first (a close alone neither
    wakes the other pipe's recv on it nor, while that recv holds it, ends the connection)."""
    try:
        if abrupt:  # SO_LINGER 0: the close sends a reset, not a FIN; SHUT_RD sends nothing
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.shutdown(socket.SHUT_RD)
        else:
            s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()


# ---- the server in a thread ----------------------------------------------------------------------
class _Pausing:
    """ASGI wrapper: while ``gate`` is closed, requests wait before the app (``before``) or
    their answer waits after it (``after``)."""

    def __init__(self, app: Any):
        self.app = app
        self.where: str | None = None  # None | "before" | "after"
        self.path: str | None = None   # only requests to this path (None: every one)
        self.open = threading.Event()
        self.open.set()
        self.held = 0  # requests that waited

    async def _wait(self) -> None:
        self.held += 1
        while not self.open.is_set():
            await asyncio.sleep(0.005)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or self.where is None or self.path not in (None, scope["path"]):
            return await self.app(scope, receive, send)
        if self.where == "before":
            await self._wait()
            return await self.app(scope, receive, send)
        held: list[dict] = []

        async def keep(message):
            held.append(message)

        await self.app(scope, receive, keep)
        await self._wait()
        for message in held:
            await send(message)


class ThreadServer:
    """``weicha_server``'s app on 127.0.0.1, served by uvicorn in a thread of this process
    (its data folder made by ``init`` unless ``init=False``: a folder and database put back
    from a backup). ``engine``: the app's own database engine."""

    def __init__(self, data_dir: Path, db: str | None = None, settings: dict[str, Any] | None = None,
                 *, init: bool = True):
        import uvicorn

        from tests.server_support import init_server
        from weicha_server import config as server_config
        from weicha_server.app import create_app

        data_dir.mkdir(parents=True, exist_ok=True)
        if init:
            init_server(data_dir, db, settings)
        self.data_dir = data_dir
        self.config = server_config.load(data_dir, db)
        self.app = create_app(self.config)
        self.engine = self.app.state.api.engine
        self.gate = _Pausing(self.app)
        from tests.server_support import free_port

        # uvicorn binds the port itself: given a socket (sockets=[…]) its answers came ~40 ms late
        self.port = free_port()
        self._server = _prompt_server(uvicorn.Config(
            self.gate, host="127.0.0.1", port=self.port, log_level="error", lifespan="off",
            access_log=False, timeout_keep_alive=30))
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="thread-server")
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise AssertionError("the in-process server did not start")
            time.sleep(0.005)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def code(self, device_name: str = "笔记本", unit: str | None = None) -> str:
        from weicha_server import auth

        with self.engine.begin() as conn:
            return auth.make_code(conn, device_name, unit, 1.0)[0]

    def pause(self, where: str = "before", path: str | None = None) -> None:
        self.gate.open.clear()
        self.gate.where, self.gate.path = where, path

    def resume(self) -> None:
        self.gate.open.set()
        self.gate.where = self.gate.path = None

    def stop(self) -> None:
        self.resume()
        self._server.stop_now()  # not waiting on keep-alives
        self._thread.join(10)
        self.engine.dispose()


def _prompt_server(config: Any) -> Any:
    """uvicorn's server, stopped at once by ``stop_now()``: its main loop wakes then instead of
    at its next 0.1 s tick, and a forced exit skips the 0.1 s its shutdown gives open
    connections to finish (a restore test stops and starts its server three times)."""
    import uvicorn

    class Prompt(uvicorn.Server):
        async def main_loop(self) -> None:
            self.loop, self.woken = asyncio.get_running_loop(), asyncio.Event()
            counter = 0
            while not await self.on_tick(counter):  # (its date header, limits: as uvicorn's)
                counter = (counter + 1) % 864000
                try:
                    await asyncio.wait_for(self.woken.wait(), 0.1)
                except asyncio.TimeoutError:
                    pass

        async def shutdown(self, sockets: Any = None) -> None:
            if not self.force_exit:
                return await super().shutdown(sockets)
            for server in self.servers:
                server.close()
            for connection in list(self.server_state.connections):
                connection.shutdown()
            for server in self.servers:
                await server.wait_closed()

        def stop_now(self) -> None:
            self.should_exit = self.force_exit = True
            try:
                self.loop.call_soon_threadsafe(self.woken.set)
            except (AttributeError, RuntimeError):  # not looping yet (it sees should_exit), or done
                pass

    return Prompt(config)


class Recording(httpx.HTTPTransport):
    """The real transport; keeps each push's body; the answers of the pushes numbered in
    ``lose`` (1-based) are lost (the server applied them); ``flight(n)`` runs as push ``n``
    leaves (the user edits while it is on its way)."""

    def __init__(self, lose=(), flight: Callable[[int], None] | None = None):
        super().__init__(verify=False, socket_options=SOCKET_OPTIONS)  # plain http: no CA store to load
        self.lose, self.flight, self.bodies, self.pushes = set(lose), flight, [], 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/v1/push":
            return super().handle_request(request)
        self.pushes += 1
        self.bodies.append(request.read())
        if self.flight is not None:
            self.flight(self.pushes)
        response = super().handle_request(request)
        if self.pushes in self.lose:
            response.read()
            raise httpx.ReadError("answer lost")
        return response


class Hurried(httpx.HTTPTransport):
    """The real transport; a request whose ``"METHOD /path"`` starts with ``hurried`` waits only
    ``seconds`` for its answer, the others as long as the client says: the request a paused
    server holds times out at once, and none before it times out for a slow machine."""

    def __init__(self, hurried: str, seconds: float, **kw: Any):
        super().__init__(**{"verify": False, "socket_options": SOCKET_OPTIONS, **kw})
        self.hurried, self.seconds, self.requests = hurried, seconds, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if f"{request.method} {request.url.path}".startswith(self.hurried):
            self.requests += 1
            request.extensions["timeout"] = {**request.extensions.get("timeout", {}), "read": self.seconds}
        return super().handle_request(request)


class _Halves(httpx.SyncByteStream):
    def __init__(self, body: bytes, then: Callable[[], None]):
        self.body, self.then = body, then

    def __iter__(self):
        half = len(self.body) // 2
        yield self.body[:half]
        self.then()
        yield self.body[half:]


class Midway(httpx.HTTPTransport):
    """The real transport; the body of request number ``at`` (1-based) of those whose
    ``"METHOD /path"`` starts with ``prefix`` is written in two halves, ``then()`` run between
    them: a test kills the server there, so the request is cut midway whatever the reads of a
    proxy on the way. ``requests``: every request's ``"METHOD /path"`` (what the client did)."""

    def __init__(self, prefix: str, at: int, then: Callable[[], None], **kw: Any):
        super().__init__(**{"verify": False, "socket_options": SOCKET_OPTIONS, **kw})
        self.prefix, self.at, self.then = prefix, at, then
        self.requests: list[str] = []
        self.cut = False  # the chosen request's first half went, ``then`` ran

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        line = f"{request.method} {request.url.path}"
        self.requests.append(line)
        if line.startswith(self.prefix) and sum(r.startswith(self.prefix) for r in self.requests) == self.at:
            request.stream = _Halves(request.read(), self._then)
        return super().handle_request(request)

    def _then(self) -> None:
        self.then()
        self.cut = True


class Killed(BaseException):
    """The client process died here (nothing in the sync may catch it)."""


class KillingTransport(httpx.HTTPTransport):
    """The real transport; at request number ``at`` (1-based) the client dies — before the
    request leaves (``after=False``) or once the server has answered (``after=True``)."""

    def __init__(self, at: int, after: bool, **kw: Any):
        super().__init__(**{"verify": False, "socket_options": SOCKET_OPTIONS, **kw})  # plain http: no CA store to load
        self.at, self.after, self.requests = at, after, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.requests == self.at and not self.after:
            raise Killed(f"killed before request {self.at} ({request.url.path})")
        response = super().handle_request(request)
        if self.requests == self.at:
            response.read()
            raise Killed(f"killed after the answer to request {self.at} ({request.url.path})")
        return response


@dataclass
class Tally:
    """Faults injected, by kind (the campaign's figures)."""
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n
