"""`weicha backup` and `weicha restore` (core/backup.py, core/restore.py).

    weicha --user NAME backup -o FILE          the data folder into one verified file
    weicha --user ADMIN restore FILE --data-dir NEW   into an empty or new folder, then
                                               verified; ADMIN: an administrator in the backup
    weicha restore FILE --check                only check the file (every hash, the database)

While the desktop program has the folder open, the command line cannot (one program per
folder): back up from the window then (文件 → 备份…)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from weicha_desktop.cli.context import ask_password, data_dir, login, open_store
from weicha_desktop.core.errors import StoreLocked, WeichaError


def register(sub) -> None:
    s = sub.add_parser("backup", help="备份：数据库与原始照片写入一个文件，写完即核对（需要登录）")
    s.add_argument("-o", "--output", required=True, type=Path, help="备份文件，例如 E:\\微察备份.wcbak")
    s.set_defaults(func=cmd_backup)
    s = sub.add_parser("restore", help="从备份文件恢复到一个新的或空的数据文件夹，然后校验")
    s.add_argument("file", type=Path, help="备份文件（weicha backup 生成）")
    s.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,  # also before the command
                   help="恢复到的数据文件夹（必须是新的或空的）")
    s.add_argument("--check", action="store_true",
                   help="只核对备份文件（全部哈希与其中的数据库），不恢复、不写入任何数据文件夹")
    s.add_argument("--user", default=argparse.SUPPRESS,  # also before the command, as elsewhere
                   help="备份中一位管理员的用户名（密码为备份时的，取自 WEICHA_PASSWORD 或提示输入）")
    s.set_defaults(func=cmd_restore)


def _progress(fraction: float, message: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{message} {fraction:4.0%}", end="", file=sys.stderr, flush=True)


def _end_progress() -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)


def cmd_backup(args) -> int:
    from weicha_desktop.core.backup import create_backup

    try:
        store = open_store(args)
    except StoreLocked as e:
        raise WeichaError(f"{e}\n微察窗口开着时，请在窗口中用“文件 → 备份…”备份。") from None
    with store:
        actor = login(args, store)
        try:
            result = create_backup(store, actor, args.output, progress=_progress)
        finally:
            _end_progress()
    m = result.manifest
    print(f"已备份到 {result.path}：{result.size / 1e6:.1f} MB，勘验 {m['counts']['cases']} 起，"
          f"原始照片 {result.originals} 张，工作日志至第 {m['audit_head']['seq']} 条；已逐项核对哈希。")
    if result.problems:
        print(f"备份已写入，但有 {len(result.problems)} 张原始照片有问题：", file=sys.stderr)
        for problem in result.problems:
            print(f"  - {problem}", file=sys.stderr)
        print("请运行 weicha verify 查明原因。", file=sys.stderr)
        return 1
    return 0


def cmd_restore(args) -> int:
    from weicha_desktop.core.restore import check_backup, restore_backup
    from weicha_desktop.core.store import Store
    from weicha_desktop.core.verify import verify

    if args.check:
        try:
            checked = check_backup(args.file, progress=_progress)
        finally:
            _end_progress()
        m = checked.manifest
        print(f"备份文件完好：{args.file.name}（{m['created_at']} 由 {m['created_by']} 制作）：勘验 "
              f"{m['counts']['cases']} 起，原始照片 {len(m['entries']) - 1} 张，工作日志至第 "
              f"{m['audit_head']['seq']} 条，各项哈希与数据库均已核对。")
        for problem in checked.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1 if checked.problems else 0
    if not args.user:
        raise WeichaError("恢复须由备份中的一位管理员进行：请加 --user 用户名（备份时的管理员；"
                          "密码取自 WEICHA_PASSWORD 或提示输入）。")
    password = ask_password(f"{args.user}（备份中的管理员）的密码：")
    try:
        result = restore_backup(args.file, data_dir(args), user=args.user, password=password,
                                progress=_progress)
    finally:
        _end_progress()
    m = result.manifest
    print(f"已从备份 {args.file.name}（{m['created_at']} 由 {m['created_by']} 制作，{m.get('unit_name') or ''}）"
          f"恢复到 {result.data_dir}：勘验 {m['counts']['cases']} 起，原始照片 {len(m['entries']) - 1} 张，"
          f"工作日志至第 {m['audit_head']['seq']} 条。")
    print("注意：恢复的数据沿用原设备的勘验号编号段。请不要再同时使用原来的数据文件夹记录新的勘验，以免编号重复。")
    for problem in result.problems:
        print(f"  - {problem}", file=sys.stderr)
    with Store.open(result.data_dir, readonly=True) as store:
        report = verify(store)
    if report.ok:
        print(f"校验通过：工作日志 {report.audit_entries} 条，定稿记录 {report.finalized_versions} 版，"
              f"原始照片 {report.originals} 张，均未被改动。")
        return 1 if result.problems else 0
    print(f"恢复已完成，但校验发现 {len(report.faults)} 处问题（备份时即已存在）：", file=sys.stderr)
    for fault in report.faults:
        print(f"  - {fault}", file=sys.stderr)
    return 1
