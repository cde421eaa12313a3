"""Server processes forked from one pre-imported parent per test process (a "zygote").

``weicha-server serve`` in a fresh interpreter spends ~0.55 s CPU importing (fastapi,
pydantic, sqlalchemy, uvicorn) before it serves; the suite starts ~20 of them. The zygote
imports that once per pytest worker, then forks each server: still a real process of its own
(its own session and process group, pid, stdout and stderr into its log file, SIGKILL and
SIGSTOP as before, an exit status), started from the same ``weicha_server.cli.main`` with the
same arguments and the test's environment and working folder at the time of the start.

The zygote is single-threaded and only imports, then makes and drops one app (``_warm_up``:
no event loop, live engine, socket or open file before a fork; its objects frozen out of the
servers' garbage collections). It reaps its children; ``ForkedProcess`` asks it for a child's exit status (a
``subprocess.Popen`` has ``pid``, ``poll``, ``wait``, ``returncode`` as the tests use them).
The servers' CPU reaches the test process's RUSAGE_CHILDREN when the zygote is reaped
(``stop``, at the end of the session: conftest)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = str(Path(__file__).resolve().parents[1])  # the zygote imports tests.server_fork from here

# imported in the zygote before any fork (what `serve` imports, weicha_server/cli.py; then
# what a server imports later: the PostgreSQL driver, pydantic.v1 (FastAPI, on making the
# app), anyio's asyncio backend (the first request run in a thread))
PRELOAD = ("weicha_server.cli", "weicha_server.app", "weicha_server.gate", "uvicorn",
           "uvicorn.config", "uvicorn.server", "uvicorn.main", "uvicorn.lifespan.on",
           "uvicorn.protocols.http.auto", "uvicorn.protocols.http.h11_impl",
           "uvicorn.protocols.websockets.auto", "uvicorn.loops.auto", "uvicorn.loops.asyncio",
           "psycopg", "sqlalchemy.dialects.postgresql.psycopg", "pydantic.v1", "anyio._backends._asyncio")


class ForkedProcess:
    """A server forked by the zygote, as much of ``subprocess.Popen`` as the tests use."""

    def __init__(self, zygote: "Zygote", pid: int):
        self._zygote, self.pid, self.returncode = zygote, pid, None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._zygote.status(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(["weicha-server", str(self.pid)], timeout)
            time.sleep(0.005)
        return self.returncode


class Zygote:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from tests.server_fork import serve_forks; serve_forks()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, cwd=ROOT,
            text=True, encoding="utf-8")

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            assert self.proc.stdin is not None and self.proc.stdout is not None
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the server zygote exited ({self.proc.poll()})")
        return json.loads(line)

    def start(self, argv: list[str], log_path: str, *, fork_workers: bool = False) -> ForkedProcess:
        """``weicha-server ARGV`` in a forked child: stdout and stderr into ``log_path``;
        ``fork_workers``: its uvicorn workers (``--workers N``) forked from it (``_fork_workers``)."""
        answer = self._ask({"op": "start", "argv": argv, "log": log_path, "cwd": os.getcwd(),
                            "env": dict(os.environ), "fork_workers": fork_workers})
        return ForkedProcess(self, answer["pid"])

    def status(self, pid: int) -> int | None:
        if self.proc.stdin is None or self.proc.stdin.closed:  # stopped: it killed and reaped its servers
            return -signal.SIGKILL
        return self._ask({"op": "status", "pid": pid})["code"]

    def stop(self) -> None:
        """EOF: the zygote kills what is left of its servers, reaps them and exits."""
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


_ZYGOTE: list[Zygote] = []


def zygote() -> Zygote:
    """This test process's zygote (started on first use)."""
    if not _ZYGOTE or _ZYGOTE[0].proc.poll() is not None:
        _ZYGOTE[:] = [Zygote()]
    return _ZYGOTE[0]


def stop() -> None:
    while _ZYGOTE:
        _ZYGOTE.pop().stop()


# ---- the zygote itself ---------------------------------------------------------------------------
def serve_forks() -> None:
    import gc
    import importlib

    gc.disable()  # no collection while importing (~0.1 s of the ~0.7): one below, then frozen
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 — the forked server imports it again and says why
            pass
    _warm_up()
    gc.collect()
    gc.freeze()  # the servers' collections never walk (and copy, page by page) what they inherit
    gc.enable()  # (the servers collect as any process does)
    from tests.fork_parent import serve_requests

    serve_requests(_child, kill=os.killpg)  # a server is its own process group (its workers too)


def _warm_up() -> None:
    """One app made (on a throwaway SQLite folder) and dropped before any fork: what FastAPI
    and pydantic work out once per process on the first ``create_app`` (~0.08 s CPU) is then
    done for every server forked. Nothing stays open: its engine is disposed (no thread, no
    socket, no file), the folder removed."""
    import contextlib
    import io
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="weicha-zygote-")
    try:
        from weicha_server import cli, config
        from weicha_server.app import create_app

        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            # (this process's stdout is the pipe of its answers)
            if cli.main(["--data-dir", folder, "init"]) == 0:
                create_app(config.load(Path(folder), None)).state.api.engine.dispose()
    except Exception:  # noqa: BLE001 — only a head start: the servers make their own apps
        pass
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _fork_workers() -> None:
    """uvicorn's worker processes forked from this (pre-imported) server process instead of
    spawned as fresh interpreters (~0.6 s CPU of imports each): still a process of its own
    each, in the server's process group, started by uvicorn's own supervisor with the same
    config, each building its app from the environment (``app_from_env``) and serving on the
    socket the supervisor bound. The server process is single-threaded when it forks them."""
    import multiprocessing

    import uvicorn._subprocess

    uvicorn._subprocess.spawn = multiprocessing.get_context("fork")  # type: ignore[assignment]


def _child(request: dict[str, Any]) -> None:
    import atexit

    code = 1
    try:
        os.setsid()  # its own session and process group, as start_new_session=True
        null = os.open(os.devnull, os.O_RDONLY)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(null)
        os.close(log)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["weicha_server", *request["argv"]]
        if request.get("fork_workers"):
            _fork_workers()
        try:
            from weicha_server.cli import main

            code = main(request["argv"])
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        atexit._run_exitfuncs()
    except BaseException:  # noqa: BLE001 — as an uncaught exception in a process: traceback, 1
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
        os._exit(code if isinstance(code, int) else 1)
