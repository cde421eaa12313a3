"""The server's USB-bundle commands (docs/server.md, "Bundles"), added to ``weicha-server``
by cli.py:

    weicha-server --data-dir D keys [--json]
    weicha-server --data-dir D bundle import FILE.wcb [-o RECEIPT.wcr] [--json]
    weicha-server --data-dir D bundle watch DIR [--once] [--interval S]
    weicha-server --data-dir D reference export --device ID -o FILE.wcref [--unit UNIT]
    weicha-server --data-dir D enroll-import REQ.wcq -o ENROLL.wce [--unit UNIT] [--yes] [--reenroll]

Exit codes: 0 done (a bundle imported before: 0, saying so), 1 refused or failed, 2 usage."""
from __future__ import annotations

import sys
from pathlib import Path

from weicha_desktop.core.errors import WeichaError
from weicha_server.keys import ServerKeys


def add_commands(sub) -> None:
    k = sub.add_parser("keys", help="服务器的数据包密钥（签名、加密）的指纹")
    k.add_argument("--json", action="store_true", help="以 JSON 输出")
    k.set_defaults(func=cmd_keys)
    b = sub.add_parser("bundle", help="U 盘数据包（笔记本离线导出的同步操作）")
    bsub = b.add_subparsers(dest="bundle_command", metavar="COMMAND", required=True)
    bi = bsub.add_parser("import", help="导入一个数据包（.wcb），写出签名的回执（.wcr）")
    bi.add_argument("file", type=Path, metavar="FILE.wcb")
    bi.add_argument("-o", "--output", type=Path, metavar="RECEIPT.wcr", help="回执文件（默认：数据包旁边，同名 .wcr）")
    bi.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    bi.set_defaults(func=cmd_bundle_import)
    bw = bsub.add_parser("watch", help="监视一个投放文件夹：每个新的 .wcb 导入一次，回执写在旁边")
    bw.add_argument("folder", type=Path, metavar="DIR")
    bw.add_argument("--once", action="store_true", help="只处理现有的文件，然后退出")
    bw.add_argument("--interval", type=float, default=2.0, help="两次查看之间的秒数（默认 2）")
    bw.set_defaults(func=cmd_bundle_watch)
    r = sub.add_parser("reference", help="参考数据（用户、表单、代码表、核查名单）")
    rsub = r.add_subparsers(dest="reference_command", metavar="COMMAND", required=True)
    re_ = rsub.add_parser("export", help="为一台笔记本导出签名并加密的参考数据包（.wcref），供它离线导入")
    re_.add_argument("--device", required=True, metavar="ID",
                     help="笔记本的设备编号（weicha-server devices）：数据包只加密给它，别的电脑打不开")
    re_.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.wcref")
    re_.add_argument("--unit", help="只含这个单位的用户（12 位单位代码；默认：全部用户）")
    re_.set_defaults(func=cmd_reference_export)
    e = sub.add_parser("enroll-import", help="离线登记：读入笔记本的登记申请（.wcq），写出签名的登记文件（.wce）")
    e.add_argument("file", type=Path, metavar="REQ.wcq")
    e.add_argument("-o", "--output", type=Path, required=True, metavar="ENROLL.wce")
    e.add_argument("--unit", help="设备所属单位代码（12 位；默认：申请中的单位）")
    e.add_argument("--yes", action="store_true", help="不再询问，直接登记（先核对显示的设备名称与密钥指纹）")
    e.add_argument("--reenroll", action="store_true", help="重新登记一台已登记的设备（其数据文件夹从备份恢复或换了电脑）")
    e.set_defaults(func=cmd_enroll_import)


def _cli():
    from weicha_server import cli

    return cli


def checked_output(args) -> None:
    """``-o`` checked before any work, as the laptop checks its own: never inside the server's
    data folder (its database, keys, originals), never a folder, a device or a missing folder."""
    from weicha_desktop.core.safe_output import check_output

    if getattr(args, "output", None) is not None:
        args.output = check_output(args.output, data_dir=args.data_dir.expanduser().resolve())


def cmd_keys(args) -> int:
    cfg = _cli()._config(args)
    if not cfg.data_dir.is_dir():
        raise WeichaError(f"数据文件夹 {cfg.data_dir} 不存在：请先运行 init。")
    keys = ServerKeys.load(cfg.data_dir)
    if args.json:
        _cli()._print_json({"public": keys.public(), "fingerprints": keys.fingerprints(),
                            "folder": str(cfg.data_dir / "keys")})
        return 0
    fp = keys.fingerprints()
    print(f"签名公钥指纹（Ed25519）：{fp['signing']}")
    print(f"加密公钥指纹（X25519）：{fp['encryption']}")
    print(f"密钥文件：{cfg.data_dir / 'keys'}（请与数据库一起备份；丢失后各笔记本须重新登记）")
    return 0


def _importer(args, actor: str):
    from weicha_server.bundles import Importer

    cli = _cli()
    cfg = cli._config(args)
    return Importer(cfg, cli._engine(args, cfg), actor=actor)


def cmd_bundle_import(args) -> int:
    from weicha_server.bundles import BundleRefused

    if not args.file.is_file():
        raise WeichaError(f"找不到数据包文件 {args.file}。")
    checked_output(args)
    importer = _importer(args, _cli().ADMIN)
    try:
        outcome = importer.import_file(args.file, args.output, progress=_progress() if sys.stderr.isatty() else None)
    except BundleRefused as e:
        if args.json:
            _cli()._print_json({"status": "refused", "code": e.code, "bundle_id": e.bundle_id, "message": str(e)})
        print(f"错误：{e}", file=sys.stderr)
        return 1
    finally:
        importer.engine.dispose()
    if args.json:
        _cli()._print_json(outcome.body())
    else:
        print(outcome.message)
    return 0


def _progress():
    """A percentage on stderr (a terminal), every 5 %."""
    shown = [-1]

    def report(done: int, total: int) -> None:
        pct = 100 * done // total if total else 100
        if pct // 5 != shown[0] // 5:
            shown[0] = pct
            print(f"\r正在核对并解密数据包…… {pct}%", end="" if pct < 100 else "\n", file=sys.stderr, flush=True)

    return report


def cmd_bundle_watch(args) -> int:
    from weicha_server.bundles import watch_folder

    if args.interval <= 0:
        print("错误：--interval 须大于 0。", file=sys.stderr)
        return 2
    importer = _importer(args, "bundle-watch")

    def say(text: str, bad: bool) -> None:
        print(text, file=sys.stderr if bad else sys.stdout, flush=True)

    if not args.once:
        print(f"正在监视 {args.folder}：放入的 .wcb 数据包逐个导入，回执写在旁边；按 Ctrl+C 停止。", flush=True)
    try:
        refused = watch_folder(importer, args.folder, once=args.once, interval=args.interval, say=say)
    finally:
        importer.engine.dispose()
    return 1 if refused else 0


def cmd_reference_export(args) -> int:
    from weicha_server import refexport

    checked_output(args)
    return refexport.cli_export(_cli(), args)


def cmd_enroll_import(args) -> int:
    from weicha_server import enroll_offline

    checked_output(args)
    return enroll_offline.cli_enroll(_cli(), args)

