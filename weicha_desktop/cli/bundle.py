"""`weicha bundle export -o FILE.wcb`, `weicha bundle receipt FILE.wcr`, `weicha reference
import FILE.wcref` (USB bundles, core/bundle/), and the offline enrollment that `weicha
enroll --request/--file` (cli/sync.py) hands over to: ``cmd_enroll_offline``.

Like `weicha sync` they run as the system unless ``--user`` is given (then as that user,
authenticated); enrolling needs an administrator. Progress goes to stderr on a terminal;
Ctrl+C cancels an export and leaves no file."""
from __future__ import annotations

import sys
from pathlib import Path

from weicha_desktop.cli.context import login, open_store, print_json
from weicha_desktop.core.errors import PermissionDenied

MB = 1024 * 1024


def register(sub) -> None:
    b = sub.add_parser("bundle", help="U 盘数据包：导出本机的同步数据、导入服务器的回执")
    bsub = b.add_subparsers(dest="bundle_command", metavar="COMMAND", required=True)
    s = bsub.add_parser("export", help="把未确认的同步操作、工作日志与所需照片原图导出为加密的数据包（.wcb）")
    s.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.wcb", help="数据包文件（不能在数据文件夹内）")
    s.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    s.set_defaults(func=cmd_export)
    s = bsub.add_parser("receipt", help="导入服务器写出的回执（.wcr）：确认已送达的同步操作")
    s.add_argument("file", type=Path, metavar="FILE.wcr")
    s.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    s.set_defaults(func=cmd_receipt)

    r = sub.add_parser("reference", help="基础数据：导入服务器导出的基础数据包（.wcref）")
    rsub = r.add_subparsers(dest="reference_command", metavar="COMMAND", required=True)
    s = rsub.add_parser("import", help="导入基础数据包：用户、表单版本、代码表、核查名单（一次全部或全不）")
    s.add_argument("file", type=Path, metavar="FILE.wcref")
    s.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    s.set_defaults(func=cmd_reference_import)


def _actor(args, store):
    from weicha_desktop.core.store import SYSTEM

    store.require_initialized()
    return login(args, store) if args.user else SYSTEM


def _config(store):
    from weicha_desktop.core.sync.enrollment import SyncConfig

    return SyncConfig.of(store)


class _Bar:
    """Progress on stderr when it is a terminal (one line, rewritten)."""

    def __init__(self, what: str):
        self.what, self.tty, self.last = what, sys.stderr.isatty(), -1

    def __call__(self, done: int, total: int) -> None:
        pct = done * 100 // total if total else 100
        if self.tty and pct != self.last:
            self.last = pct
            print(f"\r{self.what}：{pct:3d}%（{done / MB:.1f} / {total / MB:.1f} MB）", end="", file=sys.stderr, flush=True)

    def end(self) -> None:
        if self.tty and self.last >= 0:
            print(file=sys.stderr)


def cmd_export(args) -> int:
    from weicha_desktop.core.bundle.export import export_ops

    with open_store(args) as store:
        actor = _actor(args, store)
        bar = _Bar("正在写出数据包")
        try:
            done = export_ops(store, actor, args.output, config=_config(store), progress=bar)
        finally:
            bar.end()
    if args.json:
        print_json({"exported": done.to_json() if done else None})
        return 0
    if done is None:
        print("没有需要导出的内容：同步操作都已被服务器确认，工作日志也已锚定。")
        return 0
    print(f"已导出数据包 {done.path}（第 {done.bundle_seq} 个，{done.size / MB:.1f} MB）：同步操作 {done.ops} 项"
          f"（第 {done.from_seq}–{done.through_seq} 项），工作日志 {done.audit} 条，照片原图 {done.blobs} 张。")
    print("文件已读回核对无误。请把它交给服务器管理员导入，再把服务器写出的回执（.wcr）用 weicha bundle receipt 导入本机。")
    if done.missing:
        print(f"注意：有 {len(done.missing)} 张照片原图在本机找不到，引用它们的操作会在服务器等待。请运行 weicha verify。",
              file=sys.stderr)
    return 0


def cmd_receipt(args) -> int:
    from weicha_desktop.core.bundle.receipt import apply_receipt

    with open_store(args) as store:
        actor = _actor(args, store)
        r = apply_receipt(store, actor, args.file, config=_config(store))
    if args.json:
        print_json(r.to_json())
        return 0
    if r.stale:
        print(f"这份回执较旧（确认到第 {r.through_seq} 项），本机已确认得更多：没有改动。")
    else:
        print(f"已导入回执：服务器确认到本机第 {r.through_seq} 项同步操作，本次确认 {r.acknowledged} 项，"
              f"拒收 {len(r.rejected)} 项。")
    for no in r.rejected:
        print(f"  拒收 第 {no['device_seq']} 项（{no['op']}）：{no['message']}")
    for w in r.waiting:
        print(f"  等待照片原图：操作 {w.get('op_id')} 缺 {len(w.get('missing_blobs') or [])} 张原图（请再导出一次数据包）")
    if r.anchored:
        print(f"工作日志：服务器已锚定到第 {r.anchored['seq']} 条。")
    for line in r.problems:
        print(f"注意：{line}", file=sys.stderr)
    return 0


def cmd_reference_import(args) -> int:
    from weicha_desktop.core.bundle.refimport import import_reference
    from weicha_desktop.core.sync.pull import NAMES

    with open_store(args) as store:
        actor = _actor(args, store)
        r = import_reference(store, actor, args.file, config=_config(store))
    if args.json:
        print_json(r.to_json())
    elif r.same:
        print(f"本机已有第 {r.version} 版基础数据：没有改动。")
    else:
        got = "，".join(f"{NAMES[t]} {n} 条（{r.applied.get(t, 0)} 条有变化）" for t, n in r.rows.items())
        print(f"已导入第 {r.version} 版基础数据：{got or '无内容'}。")
    return 0


def cmd_enroll_offline(args) -> int:
    """`weicha enroll --request -o REQ.wcq` / `weicha enroll --file ENROLL.wce` (administrator)."""
    from weicha_desktop.core.bundle.offline_enroll import apply_enrollment, write_request

    with open_store(args) as store:
        admin = login(args, store)
        if admin.role != "admin":
            raise PermissionDenied("只有管理员可以办理本机的登记。")
        if args.file is None:
            req = write_request(store, admin, args.output, device_name=args.name)
            print(f"已写出登记申请 {req.path}（设备 {req.device_id}，名称 {req.device_name}）。")
            print(f"本机设备密钥指纹（SHA-256）：{req.fingerprint}")
            print("请把申请交给服务器管理员（weicha-server enroll-import），核对上面的指纹，"
                  "再用 weicha enroll --file 登记文件.wce --fingerprint 服务器签名指纹 导入管理员给回的登记文件"
                  "（指纹向管理员当面或电话索取：weicha-server keys）。")
            return 0
        done = apply_enrollment(store, admin, args.file, config=_config(store), expected_fingerprint=args.fingerprint)
    print(f"已离线登记：本机登记到同步服务器 {done.server_id}" + (f"（单位 {done.unit_code}）" if done.unit_code else "") + "。")
    print(f"服务器签名公钥指纹（SHA-256，与给出的相符）：{done.fingerprint}")
    if done.kept_network:
        print("本机原有的联网登记保留，数据包公钥已固定。")
    return 0
