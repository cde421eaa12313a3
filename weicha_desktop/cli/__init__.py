"""`weicha` — the headless command line, on the same core services as the GUI.

Global options come before the sub-command: ``--data-dir DIR`` and ``--user NAME`` (the
password from ``WEICHA_PASSWORD``, else a prompt; ``screenshot`` only reads and asks none).
With no sub-command the GUI starts.
Exit codes: 0 done, 1 refused or failed (the reason in Chinese on stderr), 2 usage. A closed
stdout (`weicha … | head`) ends a command quietly with 0; any other broken pipe (to a worker
process) is a failure, 1.

One module per command group (users: init and user, cases, log, verify, demo, screenshot,
photos: photos and evidence, reports, backup: backup and restore, forms, sync: enroll and
sync, bundle: bundle and reference (USB bundles), check: check and watchlist, collect: person,
vehicle, place and link, patrol, requests: request), each with
``register(sub)`` and its ``cmd_*`` handlers; what they share is context.py (public
helpers: no module imports a private name of another)."""
from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path
from typing import Any

from weicha_desktop.cli import (backup, bundle, cases, check, collect, demo, forms, log, patrol, photos,
                                reports, requests, screenshot, sync, users, verify)
from weicha_desktop.cli.context import discard_stdout
from weicha_desktop.core import applog
from weicha_desktop.core.errors import FinalizeBlocked, WeichaError

# in the order `weicha --help` lists them
GROUPS = (users, cases, log, verify, demo, screenshot, photos, reports, backup, forms, sync, bundle, check, collect,
          patrol, requests)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="weicha", description="微察桌面版 / WeiCha Desktop")
    p.add_argument("--data-dir", type=Path, help="数据文件夹（默认：本用户的应用数据目录）")
    p.add_argument("--user", help="以该用户身份操作（密码取自 WEICHA_PASSWORD 或提示输入）")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for group in GROUPS:
        group.register(sub)
    return p


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """The parser, built once per process (~12-15 ms a build, half of it argparse's gettext
    look-ups): every command after the first only parses. parse_args makes a fresh namespace
    each call; its list defaults are copied (see _fresh) and handlers are looked up at call
    time, so nothing one command does reaches the next."""
    return build_parser()


def _fresh(args: argparse.Namespace) -> argparse.Namespace:
    """A namespace of its own: a list default (``--set`` not given) copied rather than the
    parser's own object, and the handler as its module holds it now (not as it was when the
    parser was built)."""
    for key, value in vars(args).items():
        if isinstance(value, list):
            setattr(args, key, list(value))
    func = getattr(args, "func", None)
    if func is not None:
        module = sys.modules.get(func.__module__)
        args.func = getattr(module, func.__name__, func)
    return args


def main(argv: list[str] | None = None) -> int:
    _utf8_stdio()
    args = _fresh(_parser().parse_args(argv))
    if args.command is None:
        from weicha_desktop.gui.shell.app import run_gui  # Qt only when the GUI is wanted

        return run_gui(data_dir=args.data_dir)
    applog.setup()  # errors with their tracebacks (never passwords or record contents)
    watched = sys.stdout = _WatchedStdout(sys.stdout)
    try:
        return args.func(args)
    except FinalizeBlocked as e:
        print(f"不能定稿：尚缺以下 {len(e.problems)} 项", file=sys.stderr)
        for p in e.problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    except WeichaError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError as e:
        if watched.broken:  # `weicha … | head`: the reader has what it wanted
            discard_stdout(watched.stream)
            return 0
        # a pipe to another process (a worker) broke: the command did not finish
        print(f"错误：与其他进程的连接（管道）意外中断，操作未完成，请重试（{e}）。", file=sys.stderr)
        return 1
    finally:
        if sys.stdout is watched:
            sys.stdout = watched.stream


# ---- plumbing ----------------------------------------------------------------------------------
class _WatchedStdout:
    """sys.stdout, noting when it is stdout itself that breaks: only then is a
    BrokenPipeError a closed reader (`weicha … | head`) and not a failure."""

    def __init__(self, stream):
        self.stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            self.broken = True
            raise

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            self.broken = True
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _utf8_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")
        except (AttributeError, ValueError):
            pass
