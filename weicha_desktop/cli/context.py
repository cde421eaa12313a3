"""What every `weicha` command uses: the data folder and its store, the login (the password
from ``WEICHA_PASSWORD``, else a prompt), the services a command works through, JSON output,
``--size`` parsing, and a stdout whose reader has gone (`weicha … | head`).

Public on purpose: the command modules import these and nothing private of each other."""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from weicha_desktop.core.errors import WeichaError


def data_dir(args) -> Path:
    """``--data-dir``, else this user's default data folder."""
    from weicha_desktop.core.paths import default_data_dir

    return args.data_dir or default_data_dir()


def open_store(args, *, readonly: bool = False):
    from weicha_desktop.core.store import Store

    return Store.open(data_dir(args), readonly=readonly)


def ask_password(prompt: str, confirm: bool = False) -> str:
    """``WEICHA_PASSWORD``, else asked on the terminal (twice with ``confirm``); refused
    without a terminal."""
    pw = os.environ.get("WEICHA_PASSWORD")
    if pw is not None:
        return pw
    if not sys.stdin.isatty():
        raise WeichaError("需要密码：请设置环境变量 WEICHA_PASSWORD，或在终端中运行以输入密码。")
    pw = getpass.getpass(prompt)
    if confirm and getpass.getpass("再输入一次：") != pw:
        raise WeichaError("两次输入的密码不一致。")
    return pw


def login(args, store):
    """The ``--user`` of an initialized folder, authenticated: the Actor."""
    from weicha_desktop.core.users import UserService

    store.require_initialized()
    if not args.user:
        raise WeichaError("此命令需要登录：请在子命令前加 --user 用户名。")
    from weicha_desktop.core.logins import safe_name

    return UserService(store).authenticate(args.user, ask_password(f"{safe_name(args.user)} 的密码："))


def case_service(args, store):
    """A CaseService for the logged-in ``--user``."""
    from weicha_desktop.core.cases import CaseService
    from weicha_desktop.core.sync.reference import local_forms

    # + the server's form versions; the older ones (forms/archive/, ~12 ms) when one is needed
    return CaseService(store, local_forms(store, older_later=True), login(args, store))


def photo_services(args, store):
    """(CaseService, PhotoService) for the logged-in ``--user``."""
    from weicha_desktop.core.photos import PhotoService

    cases = case_service(args, store)
    return cases, PhotoService(store, cases.actor, cases.forms)


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def local_time(value: Any, empty: str = "") -> str:
    """An ISO time as the CLI shows times: ``2026-12-01 08:05`` in this computer's zone (a
    record made elsewhere keeps its own offset in the data); anything else as it is."""
    from datetime import datetime

    if not isinstance(value, str) or not value:
        return empty if value in (None, "") else str(value)
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return value
    return (when.astimezone() if when.tzinfo else when).strftime("%Y-%m-%d %H:%M")


def kind_word(kind: str) -> str:
    """A record kind in Chinese (人员, 勘验, 诉求 …), as the CLI names it."""
    from weicha_desktop.core.collect.links import KIND_WORDS

    return KIND_WORDS.get(kind, "记录")


def field_words(forms, kind: str, path: str) -> str:
    """Where in a record of ``kind`` ``path`` is, in its form's Chinese labels:
    ``witnesses[0].id_number`` → ``见证人 第1行 身份证号``; the path itself if the form does
    not know it."""
    import re

    from weicha_desktop.core.errors import WeichaError

    try:
        spec = forms.latest(forms.form_for(kind))
        words, so_far = [], ""
        for part in path.split("."):
            name, index = re.fullmatch(r"([^\[\]]+)(?:\[(\d+)\])?", part).groups()
            so_far = f"{so_far}.{name}" if so_far else name
            label = spec.field(so_far).label.zh
            words.append(f"{label} 第{int(index) + 1}行" if index is not None else label)
        return " ".join(words)
    except (LookupError, AttributeError, WeichaError):  # no such form or field; no match
        return path


def plain_value(value: Any, field=None) -> str:
    """A value as text; with its ``field``, choices in their Chinese words (a v3 record holds
    codes), times in this computer's zone and the sub-fields of a person or a row by the
    form's order."""
    if field is not None and field.type == "datetime" and isinstance(value, str):
        return local_time(value)
    subs = {f.id: f for f in field.fields} if field is not None else {}
    if field is not None and field.choices:
        chosen = value if isinstance(value, list) else [value]
        return "、".join(field.choice_label(v) for v in chosen)
    if isinstance(value, dict):
        return "，".join(plain_value(v, subs.get(k)) for k, v in value.items() if v not in (None, ""))
    if isinstance(value, list):
        sep = "\n    " if any(isinstance(v, dict) for v in value) else "、"
        return (sep if sep != "、" else "") + sep.join(plain_value(v, field) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def print_sections(spec, data: dict[str, Any]) -> None:
    """A record's filled fields, section by section, as `show` prints them."""
    for section in spec.sections:
        shown = [(f, data[f.id]) for f in section.fields if data.get(f.id) not in (None, "", [])]
        if shown:
            print(f"\n【{section.title.zh}】")
            for f, value in shown:
                print(f"  {f.label.zh}：{plain_value(value, f)}")


def parse_size(text: str) -> tuple[int, int]:
    """``1280x800`` → (1280, 800), for argparse."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"尺寸应为 宽x高，例如 1280x800，而不是“{text}”") from None
    if not (200 <= width <= 8000 and 200 <= height <= 8000):
        raise argparse.ArgumentTypeError(f"尺寸 {text} 超出范围（每边 200–8000 像素）")
    return width, height


def discard_stdout(stream) -> None:
    """What is still buffered for a closed stdout goes nowhere (no second error at exit)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        sys.stderr.close()  # no descriptor to redirect: at least no traceback at exit


# ---- field values of a record command (`weicha patrol|request new|update`) ------------------
def add_value_args(s) -> None:
    """``--json-file F`` (a JSON object; ``-``: stdin) and ``--set 字段=值`` (text, repeatable)."""
    s.add_argument("--json-file", type=Path, help="字段值 JSON 文件（- 为标准输入）")
    s.add_argument("--set", action="append", default=[], metavar="字段=值", help="文字字段的值（可多次）")


def read_values(args) -> dict[str, Any]:
    """The values of ``add_value_args``' options; argparse.ArgumentTypeError for a bad --set."""
    values: dict[str, Any] = {}
    if args.json_file is not None:
        from weicha_desktop.core.json_input import read_json_object

        values.update(read_json_object(args.json_file, getattr(sys.stdin, "buffer", None)))
    for item in args.set:
        field, sep, value = item.partition("=")
        if not sep or not field.strip():
            raise argparse.ArgumentTypeError(f"--set 应为 字段=值，而不是“{item}”")
        values[field.strip()] = value
    return values


def set_fields(args, svc, values: dict[str, Any]) -> dict[str, Any] | None:
    """``values`` with each ``--set`` field named by its id or by its Chinese label (unique in
    the form: ``--set 巡逻区域=文峰路`` is ``area``); None, the fields that exist said on
    stderr, for one the form does not have (usage: exit 2)."""
    fields = svc.forms.latest(svc.form_id).all_fields()
    ids = {f.id for f in fields}
    out = dict(values)
    for item in getattr(args, "set", None) or []:
        key = item.partition("=")[0].strip()
        if key in ids:
            continue
        named = [f.id for f in fields if f.label.zh == key]
        if len(named) == 1:
            out[named[0]] = out.pop(key)
            continue
        why = f"有 {len(named)} 个字段都叫“{key}”，请用字段名" if named else f"没有字段“{key}”"
        print(f"错误：--set {why}。可用的字段（字段名或中文名均可）："
              + "、".join(f"{f.id}（{f.label.zh}）" for f in fields), file=sys.stderr)
        return None
    return out


def print_refused(e) -> int:
    """A ValidationFailed on stderr, each problem on a line; exit code 1."""
    print(f"未保存：{len(e.problems)} 处数据有误", file=sys.stderr)
    for p in e.problems:
        print(f"  - {p}", file=sys.stderr)
    return 1


def record_service(args, store, cls):
    """A record kind's service ``cls`` for the logged-in ``--user`` (+ the server's form versions)."""
    from weicha_desktop.core.sync.reference import local_forms

    return cls(store, local_forms(store, older_later=True), login(args, store))


# ---- the shape every record command group shares (`weicha patrol|request|collect …`) -------
def add_group(sub, name: str, help: str, dest: str):
    """``weicha NAME`` with its required sub-commands (stored in ``args.DEST``)."""
    return sub.add_parser(name, help=help).add_subparsers(dest=dest, required=True)


def add_command(group, name: str, help: str, func, *, key: str | None = None, values: bool = False,
                extra=None, json: bool = True):
    """One sub-command, its arguments in this order: ``key`` (positional, its help the text
    given), the field values (``add_value_args``), whatever ``extra(parser)`` adds, ``--json``."""
    s = group.add_parser(name, help=help)
    if key is not None:
        s.add_argument("key", help=key)
    if values:
        add_value_args(s)
    if extra is not None:
        extra(s)
    if json:
        s.add_argument("--json", action="store_true")
    s.set_defaults(func=func)
    return s


def save_record(args, service, change, done, refusals=()) -> int:
    """A `new`/`update` of a record command: the values read (a bad ``--set``: usage, exit 2),
    the ``service(args, store)``, the ``--set`` labels resolved (an unknown one: exit 2), then
    ``change(store, svc, values)``; a ValidationFailed printed (exit 1), each ``(Error,
    handler)`` of ``refusals`` answered by ``handler(e)``; else ``done(svc, result)``."""
    from weicha_desktop.core.errors import ValidationFailed

    try:
        values = read_values(args)
    except argparse.ArgumentTypeError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    with open_store(args) as store:
        svc = service(args, store)
        values = set_fields(args, svc, values)
        if values is None:
            return 2
        try:
            result = change(store, svc, values)
        except ValidationFailed as e:
            return print_refused(e)
        except tuple(error for error, _ in refusals) as e:
            return next(handler for error, handler in refusals if isinstance(e, error))(e)
        return done(svc, result)
