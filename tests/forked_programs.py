"""Programs the tests start as processes of their own — to kill -9 mid-write, to confine
(memory cap, time limit), to meet the folder lock of another program — forked from one
pre-imported parent per test process.

A fresh ``python -c`` writer spends ~0.3 s CPU importing the core and building the forms
before its first write (a fresh ``python -m weicha_desktop`` ~0.15 s before its command runs),
and the suite starts dozens. The parent (started on first use, single-threaded: it imports
and builds the shipped forms once, opens no database, starts no thread) forks each program:
still a process of its own — its own pid, open files, SQLite and folder locks, standard
input, resource limits, SIGKILL as before — that runs the test's code as ``__main__`` with
the test's arguments, environment and working folder at the time of the start. What it
prints goes to files the test reads (stdout, stderr). What only a fresh interpreter
shows (the entry point ``python -m weicha_desktop``, what an import pulls in, the product's
own hash cost) is still tested with one (tests/test_cli.py, test_startup_imports.py …).

    program = start(CODE, str(folder))
    assert program.readline().strip() == "ready", program.output()
    program.kill()  # SIGKILL, then reaped

    done = weicha("--data-dir", str(folder), "verify")  # cli.main, in a program
    assert done.wait(30) == 0, done.output()

The parent reaps its programs and is stopped (and reaped) when the test process exits, so the
CPU of both counts as this test process's children's."""
from __future__ import annotations

import atexit
import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = str(Path(__file__).resolve().parents[1])  # the parent imports tests.forked_programs here

# what the programs import, done once in the parent; and the forms built (core/forms/memo.py
# keeps the specs: a FormRegistry made in a program is then a lookup)
PRELOAD = ("weicha_desktop.core.cases", "weicha_desktop.core.users", "weicha_desktop.core.store",
           "weicha_desktop.core.backup", "weicha_desktop.core.restore", "weicha_desktop.core.verify",
           "weicha_desktop.core.ops", "weicha_desktop.core.keystore", "sqlite_utils",
           "cryptography.hazmat.primitives.asymmetric.ed25519", "weicha_desktop.cli")
# `weicha ARGS` as the entry point runs it (weicha_desktop/__main__.py): cli.main, its exit status
WEICHA = "import sys\nfrom weicha_desktop.cli import main\nsys.exit(main(sys.argv[1:]))\n"


class Program:
    """One forked program: ``pid``, ``readline``, ``stdout``, ``stderr``, ``output`` (both),
    ``kill``, ``wait``."""

    def __init__(self, parent: "Parent", pid: int, out: Path, err: Path):
        self._parent, self.pid, self._files, self._read, self.returncode = parent, pid, (out, err), 0, None

    def stdout(self) -> str:
        return self._files[0].read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self._files[1].read_text(encoding="utf-8", errors="replace")

    def output(self) -> str:
        return self.stdout() + self.stderr()

    def readline(self, timeout: float = 60) -> str:
        """The next line it printed on stdout; what is left (maybe "") once it has ended
        without one."""
        deadline, ask = time.monotonic() + timeout, 0.0
        while True:
            text = self.stdout()[self._read:]
            if "\n" in text:
                line = text[:text.index("\n") + 1]
                self._read += len(line)
                return line
            if time.monotonic() > ask:  # has it ended? (asked now and then, not each look)
                if self.poll() is not None:
                    self._read += len(text)
                    return text
                ask = time.monotonic() + 0.05
            if time.monotonic() > deadline:
                raise TimeoutError(f"no line from program {self.pid} in {timeout} s: {text!r}")
            time.sleep(0.002)

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._parent.ask({"op": "status", "pid": self.pid, "block": False})["code"]
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Its exit status (-9: killed), once it has ended; TimeoutError (and it is killed)
        if that takes more than ``timeout`` seconds."""
        if timeout is not None:
            deadline = time.monotonic() + timeout
            while self.poll() is None:
                if time.monotonic() > deadline:
                    self.kill()
                    raise TimeoutError(f"program {self.pid} still ran after {timeout} s: {self.output()[-2000:]!r}")
                time.sleep(0.01)
        if self.returncode is None:
            self.returncode = self._parent.ask({"op": "status", "pid": self.pid, "block": True})["code"]
        return self.returncode

    def kill(self) -> int:
        """kill -9, and its exit status once reaped."""
        os.kill(self.pid, signal.SIGKILL)
        return self.wait()


class Parent:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from tests.forked_programs import serve; serve()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, text=True, encoding="utf-8")
        self.outputs = Path(tempfile.mkdtemp(prefix="weicha-programs-"))

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """One request, one answer (a JSON line each way)."""
        print(json.dumps(request), file=self.proc.stdin, flush=True)
        answer = self.proc.stdout.readline()
        if answer:
            return json.loads(answer)
        raise RuntimeError(f"the parent of the forked programs has ended (status {self.proc.poll()})")

    def stop(self) -> None:
        """Its input closed, the parent kills the programs still running, reaps them and ends."""
        if self.proc.poll() is None:
            self.proc.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(20)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.outputs, ignore_errors=True)


_PARENT: list[Parent] = []


def start(code: str, *argv: str, stdin: str | os.PathLike = os.devnull,
          memory: int | None = None, stdout: str | os.PathLike | None = None,
          stderr: str | os.PathLike | None = None) -> Program:
    """``python -c CODE ARGV…`` as a program forked from this test process's parent (started on
    first use, stopped when this process exits); its standard input the file ``stdin``, its
    address space capped at ``memory`` bytes if given (RLIMIT_AS). ``stdout``/``stderr``, if
    given, are where it writes instead of the files ``Program`` reads: a FIFO (os.mkfifo) the
    test opens for reading is a pipe (``| head``, EOF once every process holding it has ended)."""
    if not _PARENT or _PARENT[0].proc.poll() is not None:
        _PARENT[:] = [Parent()]
        atexit.register(_PARENT[0].stop)
    parent = _PARENT[0]
    out, err = (Path(given) if given is not None else Path(tempfile.mkstemp(dir=parent.outputs, suffix=suffix)[1])
                for given, suffix in ((stdout, ".out"), (stderr, ".err")))
    answer = parent.ask({"op": "start", "code": code, "argv": list(argv), "out": str(out), "err": str(err),
                         "stdin": str(stdin), "memory": memory, "cwd": os.getcwd(), "env": dict(os.environ)})
    return Program(parent, answer["pid"], out, err)


def weicha(*args: str, **kw) -> Program:
    """``weicha ARGS`` (cli.main, as the entry point calls it) in a forked program; ``kw`` as
    for ``start``. The password, if one is needed, from WEICHA_PASSWORD in os.environ."""
    return start(WEICHA, *args, **kw)


# ---- the parent itself ---------------------------------------------------------------------------
def serve() -> None:
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    from weicha_desktop.core.forms import FormRegistry
    from weicha_desktop.resources import forms_dir

    FormRegistry(forms_dir())
    from tests.fork_parent import serve_requests

    serve_requests(_run)


def _run(request: dict[str, Any]) -> None:
    code = 1
    try:
        for fd, (path, flags) in enumerate(((request["stdin"], os.O_RDONLY), (request["out"], os.O_WRONLY),
                                            (request["err"], os.O_WRONLY))):
            opened = os.open(path, flags)
            os.dup2(opened, fd)
            os.close(opened)
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # not the parent's, with what it read ahead
        for fd, name in ((1, "stdout"), (2, "stderr")):  # nor made for its files (a FIFO is no seekable file)
            made = getattr(sys, name)
            setattr(sys, name, io.TextIOWrapper(open(fd, "wb", closefd=False), encoding=made.encoding,
                                                errors=made.errors, line_buffering=made.line_buffering))
        if request["memory"]:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (request["memory"], request["memory"]))
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["-c", *request["argv"]]
        try:
            exec(compile(request["code"], "<program>", "exec"), {"__name__": "__main__"})
            code = 0
        except SystemExit as e:  # as the interpreter ends on it: a number, None (0) or a message (1)
            code = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
            if not isinstance(e.code, int) and e.code is not None:
                print(e.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 — as an uncaught exception in a process: traceback, 1
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os._exit(code)
