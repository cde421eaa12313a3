"""`weicha` — the headless command line, on the same core services as the GUI.

Global options come before the sub-command: ``--data-dir DIR`` and ``--user NAME`` (the
password from ``WEICHA_PASSWORD``, else a prompt; ``screenshot`` only reads and asks none).
With no sub-command the GUI starts.
Exit codes: 0 done, 1 refused or failed (the reason in Chinese on stderr), 2 usage. A closed
stdout (`weicha … | head`) ends a command quietly with 0; any other broken pipe (to a worker
process) is a failure, 1."""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

from weicha_desktop.core.errors import FinalizeBlocked, ValidationFailed, WeichaError

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="weicha", description="微察桌面版 / WeiCha Desktop")
    p.add_argument("--data-dir", type=Path, help="数据文件夹（默认：本用户的应用数据目录）")
    p.add_argument("--user", help="以该用户身份操作（密码取自 WEICHA_PASSWORD 或提示输入）")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("init", help="初始化数据文件夹：单位与管理员")
    s.add_argument("--unit-code", required=True, help="12 位单位代码")
    s.add_argument("--unit-name", required=True)
    s.add_argument("--admin", required=True, help="管理员用户名")
    s.add_argument("--device-slot", type=int, default=1, help="本机编号段（从 1 起）")
    s.add_argument("--device-slots", type=int, default=1, help="本单位编号段总数（笔记本台数）")
    s.set_defaults(func=cmd_init)

    users = sub.add_parser("user", help="用户管理").add_subparsers(dest="user_cmd", required=True)
    s = users.add_parser("add", help="添加用户（管理员）")
    s.add_argument("name")
    s.add_argument("--role", required=True, choices=["technician", "supervisor", "admin"])
    s.add_argument("--display-name")
    s.set_defaults(func=cmd_user_add)
    s = users.add_parser("list", help="列出用户")
    s.set_defaults(func=cmd_user_list)

    cases = sub.add_parser("case", help="现场勘验").add_subparsers(dest="case_cmd", required=True)
    s = cases.add_parser("new", help="新建勘验（草稿），分配勘验号")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_case_new)
    s = cases.add_parser("update", help="修改草稿的字段")
    s.add_argument("case")
    s.add_argument("--json-file", required=True, type=Path, help="字段值 JSON 文件（- 为标准输入）")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_case_update)
    s = cases.add_parser("show", help="显示勘验")
    s.add_argument("case")
    s.add_argument("--version", type=int)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_case_show)
    s = cases.add_parser("list", help="列出勘验")
    s.add_argument("--status", choices=["draft", "finalized", "reviewed", "returned"])
    s.add_argument("--text")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_case_list)
    s = cases.add_parser("check", help="列出阻止定稿的问题（一长四必）")
    s.add_argument("case")
    s.set_defaults(func=cmd_case_check)
    s = cases.add_parser("finalize", help="定稿（锁定并计算哈希）")
    s.add_argument("case")
    s.set_defaults(func=cmd_case_finalize)
    s = cases.add_parser("review", help="审核：通过或退回补正（审核人）")
    s.add_argument("case")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--approve", action="store_true")
    g.add_argument("--return", dest="return_", action="store_true")
    s.add_argument("--comment", default="")
    s.set_defaults(func=cmd_case_review)
    s = cases.add_parser("amend", help="补正：为已定稿勘验生成新版本")
    s.add_argument("case")
    s.add_argument("--reason", required=True)
    s.set_defaults(func=cmd_case_amend)
    s = cases.add_parser("history", help="版本历史")
    s.add_argument("case")
    s.set_defaults(func=cmd_case_history)

    s = sub.add_parser("log", help="工作日志（最近的在前）")
    s.add_argument("--limit", type=int, default=30)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_log)
    s = sub.add_parser("verify", help="只读校验：工作日志哈希链、签名检查点、记录与日志是否一致、原始照片")
    s.set_defaults(func=cmd_verify)
    s = sub.add_parser("demo", help="填入逼真的演示数据（演示用户密码取自 WEICHA_DEMO_PASSWORD，"
                                    "默认 weicha-demo-2026；已初始化的文件夹须以管理员 --user 登录）")
    s.add_argument("--cases", type=int, default=50)
    s.add_argument("--seed", type=int, default=7)
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("screenshot", help="把主窗口（或某件勘验的表单）离屏渲染为 PNG（只读，无需登录）")
    s.add_argument("-o", "--output", required=True, type=Path, help="PNG 文件")
    s.add_argument("--size", type=_size, default=(1280, 800), help="宽x高，默认 1280x800")
    s.add_argument("--case", help="勘验号或 id：打开其表单（在审核页则在审核队列中打开）")
    s.add_argument("--page", choices=["cases", "review"], default="cases",
                   help="cases 现场勘验（默认）或 review 审核")
    s.add_argument("--lang", choices=["zh", "en"], default="zh", help="界面语言")
    s.add_argument("--view", choices=["form", "photos", "evidence"], default="form",
                   help="打开的勘验显示：form 笔录（默认）、photos 照片、evidence 物证登记")
    s.add_argument("--photo", type=int, help="照片视图中选中第几号照片（显示大图与 EXIF）")
    s.add_argument("--user", default=argparse.SUPPRESS,  # also before the command, as elsewhere
                   help="以该用户的角色显示（默认第一位管理员；无需密码）")
    s.set_defaults(func=cmd_screenshot)

    from weicha_desktop.cli import backup, photos, reports

    photos.register(sub)
    reports.register(sub)
    backup.register(sub)
    forms = sub.add_parser("forms", help="表单定义").add_subparsers(dest="forms_cmd", required=True)
    s = forms.add_parser("check", help="校验 forms/ 中的每个表单文件")
    s.add_argument("dir", nargs="?", type=Path)
    s.set_defaults(func=cmd_forms_check)
    return p


def main(argv: list[str] | None = None) -> int:
    _utf8_stdio()
    args = build_parser().parse_args(argv)
    if args.command is None:
        from weicha_desktop.gui.shell.app import run_gui  # Qt only when the GUI is wanted

        return run_gui(data_dir=args.data_dir)
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
            _discard_stdout(watched.stream)
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


def _discard_stdout(stream) -> None:
    """What is still buffered for a closed stdout goes nowhere (no second error at exit)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        sys.stderr.close()  # no descriptor to redirect: at least no traceback at exit


def _utf8_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")
        except (AttributeError, ValueError):
            pass


def _data_dir(args) -> Path:
    from weicha_desktop.core.paths import default_data_dir

    return args.data_dir or default_data_dir()


def _open(args, *, readonly: bool = False):
    from weicha_desktop.core.store import Store

    return Store.open(_data_dir(args), readonly=readonly)


_POLICY = "至少 8 位，不含用户名，不用常见密码"  # core/passwords.py


def _password(prompt: str, confirm: bool = False) -> str:
    pw = os.environ.get("WEICHA_PASSWORD")
    if pw is not None:
        return pw
    if not sys.stdin.isatty():
        raise WeichaError("需要密码：请设置环境变量 WEICHA_PASSWORD，或在终端中运行以输入密码。")
    pw = getpass.getpass(prompt)
    if confirm and getpass.getpass("再输入一次：") != pw:
        raise WeichaError("两次输入的密码不一致。")
    return pw


def _login(args, store):
    from weicha_desktop.core.users import UserService

    store.require_initialized()
    if not args.user:
        raise WeichaError("此命令需要登录：请在子命令前加 --user 用户名。")
    from weicha_desktop.core.logins import safe_name

    return UserService(store).authenticate(args.user, _password(f"{safe_name(args.user)} 的密码："))


def _cases(args, store):
    from weicha_desktop.core.cases import CaseService
    from weicha_desktop.core.forms import FormRegistry
    from weicha_desktop.resources import forms_dir

    return CaseService(store, FormRegistry(forms_dir()), _login(args, store))


def _size(text: str) -> tuple[int, int]:
    """``1280x800`` → (1280, 800), for argparse."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"尺寸应为 宽x高，例如 1280x800，而不是“{text}”") from None
    if not (200 <= width <= 8000 and 200 <= height <= 8000):
        raise argparse.ArgumentTypeError(f"尺寸 {text} 超出范围（每边 200–8000 像素）")
    return width, height


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


# ---- commands ----------------------------------------------------------------------------------
def cmd_init(args) -> int:
    from weicha_desktop.core.setup import initialize

    with _open(args) as store:
        initialize(store, unit_code=args.unit_code, unit_name=args.unit_name,
                   admin_name=args.admin,
                   admin_password=_password(f"管理员密码（{_POLICY}）：", confirm=True),
                   device_slot=args.device_slot, device_slots=args.device_slots)
        print(f"已初始化：{args.unit_name}（{args.unit_code}），数据文件夹 {store.data_dir}")
    return 0


def cmd_user_add(args) -> int:
    from weicha_desktop.core.users import ROLES, UserService

    with _open(args) as store:
        admin = _login(args, store)
        pw = os.environ.get("WEICHA_NEW_PASSWORD")
        if pw is None:
            if not sys.stdin.isatty():
                raise WeichaError("需要新用户的密码：请设置环境变量 WEICHA_NEW_PASSWORD，或在终端中运行。")
            pw = getpass.getpass(f"新用户 {args.name} 的密码（{_POLICY}）：")
            if getpass.getpass("再输入一次：") != pw:
                raise WeichaError("两次输入的密码不一致。")
        user = UserService(store).add(admin, args.name, args.role, pw, args.display_name)
        print(f"已添加用户 {user.name}（{ROLES[user.role]}）")
    return 0


def cmd_user_list(args) -> int:
    from weicha_desktop.core.users import ROLES, UserService

    with _open(args) as store:
        _login(args, store)
        for u in UserService(store).list():
            print(f"{u.name}\t{ROLES[u.role]}\t{u.display_name}")
    return 0


def cmd_case_new(args) -> int:
    with _open(args) as store:
        case = _cases(args, store).new_case()
        if args.json:
            _print_json({"id": case.id, "number": case.number})
        else:
            print(f"已新建勘验 {case.number}（id {case.id}）")
    return 0


def cmd_case_update(args) -> int:
    from weicha_desktop.core.json_input import read_json_object

    # capped at 4 MiB, strict UTF-8, no lone surrogates, bounded nesting (core/json_input.py)
    values = read_json_object(args.json_file, getattr(sys.stdin, "buffer", None))
    with _open(args) as store:
        try:
            case = _cases(args, store).update(args.case, values)
        except ValidationFailed as e:
            print(f"未保存：{len(e.problems)} 处数据有误", file=sys.stderr)
            for p in e.problems:
                print(f"  - {p}", file=sys.stderr)
            return 1
        if args.json:
            _print_json(case.as_json())
        else:
            print(f"已保存勘验 {case.number} 第 {case.version} 版")
    return 0


def cmd_case_show(args) -> int:
    with _open(args) as store:
        svc = _cases(args, store)
        case = svc.get(args.case, args.version)
        if args.json:  # the whole record leaves the program: an export, logged
            store.log_read(svc.actor, "case.export", "case", case.id,
                           f"导出勘验 {case.number} 第 {case.version} 版（JSON）",
                           {"version": case.version, "format": "json"})
            _print_json(case.as_json())
            return 0
        spec = svc.spec_for(case)
        print(f"{case.number}  第 {case.version} 版  {case.status_label}")
        if case.returned_comment:
            print(f"退回意见：{case.returned_comment}")
        for section in spec.sections:
            shown = [(f, case.data[f.id]) for f in section.fields if case.data.get(f.id) not in (None, "", [])]
            if shown:
                print(f"\n【{section.title.zh}】")
                for f, value in shown:
                    print(f"  {f.label.zh}：{_plain(value)}")
        if case.content_hash:
            print(f"\n内容哈希：{case.content_hash}")
    return 0


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return "，".join(_plain(v) for v in value.values() if v not in (None, ""))
    if isinstance(value, list):
        sep = "\n    " if any(isinstance(v, dict) for v in value) else "、"
        return (sep if sep != "、" else "") + sep.join(_plain(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def cmd_case_list(args) -> int:
    from weicha_desktop.core.cases import RETURNED_LABEL, STATUS_LABELS

    with _open(args) as store:
        rows = _cases(args, store).list(status=args.status, text=args.text, limit=args.limit)
        if args.json:
            _print_json(rows)
            return 0
        for r in rows:
            label = RETURNED_LABEL if r["returned_comment"] and r["status"] == "draft" else STATUS_LABELS[r["status"]]
            print("\t".join([r["number"], label, r["case_type"] or "", r["address"] or "",
                             r["investigated_at"] or "", r["investigator"] or ""]))
    return 0


def cmd_case_check(args) -> int:
    with _open(args) as store:
        problems = _cases(args, store).blockers(args.case)
    for p in problems:
        print(f"- {p}")
    print("可以定稿。" if not problems else f"共 {len(problems)} 项阻止定稿。")
    return 1 if problems else 0


def cmd_case_finalize(args) -> int:
    with _open(args) as store:
        case = _cases(args, store).finalize(args.case)
        print(f"已定稿 {case.number} 第 {case.version} 版，内容哈希 {case.content_hash}")
    return 0


def cmd_case_review(args) -> int:
    with _open(args) as store:
        case = _cases(args, store).review(args.case, approve=args.approve, comment=args.comment)
        print(f"{case.number}：{case.status_label}")
    return 0


def cmd_case_amend(args) -> int:
    with _open(args) as store:
        case = _cases(args, store).amend(args.case, args.reason)
        print(f"已为 {case.number} 生成第 {case.version} 版草稿（补正原因：{args.reason}）")
    return 0


def cmd_case_history(args) -> int:
    with _open(args) as store:
        for v in _cases(args, store).history(args.case):
            state = f"定稿 {v['finalized_at']} {v['content_hash'][:16]}" if v["finalized_at"] else "草稿"
            reason = f"  补正原因：{v['amend_reason']}" if v["amend_reason"] else ""
            print(f"第 {v['version']} 版  {v['created_at']}  {state}{reason}")
    return 0


def cmd_log(args) -> int:
    with _open(args) as store:
        _login(args, store)
        entries = store.audit_entries(newest_first=True, limit=args.limit)
        if args.json:
            _print_json([e.__dict__ for e in entries])
        for e in [] if args.json else entries:
            print(f"{e.seq:>6}  {e.at}  {e.user_name}  {e.summary}")
    return 0


def cmd_verify(args) -> int:
    from weicha_desktop.core.verify import open_for_verify, verify

    # never writes; a corrupt or foreign file is an Unreadable (WeichaError): exit 1
    with open_for_verify(_data_dir(args)) as store:
        report = verify(store)
    for line in report.notices:
        print(f"说明：{line}")
    for line in report.warnings:  # what could not be checked: said, but not a failure
        print(f"注意：{line}", file=sys.stderr)
    if report.ok:
        print(f"校验通过：工作日志 {report.audit_entries} 条，定稿记录 {report.finalized_versions} 版，"
              f"用户 {report.users} 位，原始照片 {report.originals} 张，均未被改动。")
        return 0
    print(f"校验失败：发现 {len(report.faults)} 处改动或损坏", file=sys.stderr)
    for fault in report.faults:
        print(f"  - {fault}", file=sys.stderr)
    return 1


def cmd_demo(args) -> int:
    from weicha_desktop.core.demo import DEMO_PASSWORD, fill_demo
    from weicha_desktop.core.forms import FormRegistry
    from weicha_desktop.resources import forms_dir

    def progress(done: int, total: int) -> None:
        if total >= 1000:  # a long fill says how far (once per batch of 500)
            print(f"已生成 {done}/{total} 起", file=sys.stderr, flush=True)

    with _open(args) as store:
        # a folder already set up: an administrator logs in (WEICHA_PASSWORD) to add the
        # demo users, who get the demo password, never the administrator's
        admin = _login(args, store) if store.is_initialized() and args.user else None
        summary = fill_demo(store, FormRegistry(forms_dir()), cases=args.cases, seed=args.seed,
                            password=os.environ.get("WEICHA_DEMO_PASSWORD") or DEMO_PASSWORD,
                            admin=admin, progress=progress)
    print(summary)
    return 0


def cmd_screenshot(args) -> int:
    # Before Qt starts: render without a display (and without flashing a window on one),
    # unless the caller chose a platform.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from weicha_desktop.core.safe_output import check_output

    check_output(args.output, data_dir=_data_dir(args))  # a bad -o fails before Qt starts
    from weicha_desktop.gui.shell.screenshot import take_screenshot

    width, height = take_screenshot(_data_dir(args), args.output, size=args.size, case=args.case,
                                    user=args.user, page=args.page, language=args.lang,
                                    view=args.view, photo=args.photo)
    print(f"已写入 {args.output}（{width}×{height}）")
    return 0


def cmd_forms_check(args) -> int:
    from weicha_desktop.core.forms import check_forms
    from weicha_desktop.resources import forms_dir

    folder = args.dir or forms_dir()
    errors = check_forms(folder)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f"表单校验失败：{len(errors)} 处错误", file=sys.stderr)
        return 1
    print(f"表单校验通过：{folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
