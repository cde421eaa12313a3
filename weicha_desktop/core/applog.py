"""The application log: what went wrong, for support, in a rotating file of the user's.

    <log dir>/weicha.log   (+ weicha.log.1 … .4; 1 MB each, the oldest dropped)
    <log dir> = WEICHA_LOG_DIR, else the user's log folder (platformdirs:
                ~/.local/state/WeiChaDesktop/log on Linux, …\\WeiCha\\WeiChaDesktop\\Logs on Windows)

``setup()`` is called by the entry points (``weicha`` commands and the GUI, cli/__init__.py
and gui/shell/app.py); tests point WEICHA_LOG_DIR into their tmp folder (conftest.py). It
installs the file on the ``weicha`` logger and hooks for uncaught exceptions of any thread
(``sys.excepthook``, ``threading.excepthook``); the GUI adds Qt's warnings and criticals.
Failures of background work are logged by gui/common/ops.py. A log that cannot be written (a
read-only home folder) never stops the program: it says so on stderr and runs without.

Never in the file: passwords and record contents. Our own log calls pass none; but an
exception's message may carry either (a value that failed to parse, a statement's
parameters), so an exception is written as its type and where it happened — file, line,
function and that line of the program's source — never its message and never variables. An
OSError keeps its errno name, an SQLite error its result code: enough to tell a full disk or
a locked database from a bug."""
from __future__ import annotations

import logging
import os
import sqlite3
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs

from weicha_desktop.core.paths import APP_AUTHOR, APP_NAME

LOGGER = "weicha"
FILE_NAME = "weicha.log"
MAX_BYTES = 1_000_000
BACKUPS = 4
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d %(threadName)s] %(message)s"

log = logging.getLogger(LOGGER)


def default_log_dir() -> Path:
    where = os.environ.get("WEICHA_LOG_DIR")
    return Path(where) if where else Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def describe(error: BaseException) -> str:
    """An exception as the log keeps it: its type (and errno / SQLite code), no message."""
    kind = type(error)
    name = kind.__qualname__ if kind.__module__ in ("builtins", "__main__") else \
        f"{kind.__module__}.{kind.__qualname__}"
    if isinstance(error, OSError) and error.errno is not None:
        import errno as errno_names
        name += f" [{errno_names.errorcode.get(error.errno, error.errno)}]"
    elif isinstance(error, sqlite3.Error) and getattr(error, "sqlite_errorname", None):
        name += f" [{error.sqlite_errorname}]"
    return name + " (message withheld)"


class SafeFormatter(logging.Formatter):
    """Tracebacks without exception messages (see the module doc)."""

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        _kind, error, tb = ei
        if error is None:
            return ""
        return "\n".join(_trace(error, tb, set()))


def _trace(error: BaseException, tb: TracebackType | None, seen: set[int]) -> list[str]:
    seen.add(id(error))
    lines: list[str] = []
    cause = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    if cause is not None and id(cause) not in seen:
        lines += _trace(cause, cause.__traceback__, seen)
        lines.append("The above exception was the direct cause of the following exception:"
                     if error.__cause__ is not None else
                     "During handling of the above exception, another exception occurred:")
    lines.append("Traceback (most recent call last):")
    for frame in traceback.extract_tb(tb):
        lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
        if frame.line:
            lines.append(f"    {frame.line.strip()}")
    lines.append(describe(error))
    return lines


class RotatingFile(logging.FileHandler):
    """``logging.handlers.RotatingFileHandler``'s rotation on a plain FileHandler (the file
    opens at the first record), measured in bytes: importing logging.handlers (socket, pickle,
    queue) is ~4 ms of a start, and a start logs Qt's first warnings before its window shows."""

    def __init__(self, path: Path, max_bytes: int, backups: int):
        super().__init__(path, encoding="utf-8", delay=True)
        self.max_bytes, self.backups = max_bytes, backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._full(record):
                self._rotate()
        except Exception:  # noqa: BLE001 - as logging's own handlers: reported, never raised
            self.handleError(record)
            return
        super().emit(record)

    def _full(self, record: logging.LogRecord) -> bool:
        if self.max_bytes <= 0 or (os.path.exists(self.baseFilename)
                                   and not os.path.isfile(self.baseFilename)):
            return False
        if self.stream is None:
            self.stream = self._open()
        size = len(f"{self.format(record)}{self.terminator}".encode("utf-8"))
        self.stream.seek(0, os.SEEK_END)
        return self.stream.tell() + size > self.max_bytes and self.stream.tell() > 0

    def _rotate(self) -> None:
        """weicha.log → .1 → .2 … → .BACKUPS (the oldest dropped)."""
        if self.stream is not None:
            self.stream.close()
            self.stream = None  # type: ignore[assignment]
        for n in range(self.backups - 1, 0, -1):
            older = f"{self.baseFilename}.{n}"
            if os.path.exists(older):
                os.replace(older, f"{self.baseFilename}.{n + 1}")
        if self.backups > 0 and os.path.exists(self.baseFilename):
            os.replace(self.baseFilename, f"{self.baseFilename}.1")
        elif os.path.exists(self.baseFilename):
            os.remove(self.baseFilename)
        self.stream = self._open()


class _Hooks:
    """The excepthooks before ours, put back by ``teardown``."""

    installed = False
    sys_hook: Any = None
    thread_hook: Any = None


_hooks = _Hooks()


def setup(log_dir: str | os.PathLike | None = None, *, level: int = logging.INFO) -> Path | None:
    """Write the ``weicha`` logger to ``<log_dir>/weicha.log`` (rotating) and log uncaught
    exceptions. Called again, it replaces the file (another folder). Returns the file, or
    None when it cannot be written (said on stderr; the program goes on)."""
    folder = Path(log_dir) if log_dir is not None else default_log_dir()
    path = folder / FILE_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = RotatingFile(path, MAX_BYTES, BACKUPS)
    except OSError as e:
        print(f"weicha: 无法写入程序日志 {path}（{e.strerror or e}），本次运行不记日志。", file=sys.stderr)
        return None
    handler.setFormatter(SafeFormatter(FORMAT))
    handler.weicha_applog = True  # type: ignore[attr-defined]
    _remove_handlers()
    log.addHandler(handler)
    log.setLevel(level)
    _install_hooks()
    return path


def current_file() -> Path | None:
    """The file the log is written to now (None before ``setup``)."""
    for handler in log.handlers:
        if getattr(handler, "weicha_applog", False):
            return Path(handler.baseFilename)  # type: ignore[attr-defined]
    return None


def teardown() -> None:
    """Close the file and put the previous excepthooks back (tests)."""
    _remove_handlers()
    if _hooks.installed:
        sys.excepthook, threading.excepthook = _hooks.sys_hook, _hooks.thread_hook
        _hooks.installed = False


def _remove_handlers() -> None:
    for handler in list(log.handlers):
        if getattr(handler, "weicha_applog", False):
            log.removeHandler(handler)
            handler.close()


def _install_hooks() -> None:
    if _hooks.installed:
        return
    _hooks.sys_hook, _hooks.thread_hook = sys.excepthook, threading.excepthook
    _hooks.installed = True
    sys.excepthook = _sys_hook
    threading.excepthook = _thread_hook


def _sys_hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    if not issubclass(kind, KeyboardInterrupt):
        log.critical("未处理的错误", exc_info=(kind, error, tb))
    (_hooks.sys_hook or sys.__excepthook__)(kind, error, tb)


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is not SystemExit and args.exc_value is not None:
        log.error("线程 %s 中未处理的错误", args.thread.name if args.thread else "?",
                  exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
    (_hooks.thread_hook or threading.__excepthook__)(args)
