"""`weicha init` (the unit and its first administrator) and `weicha user …` (users)."""
from __future__ import annotations

import getpass
import os
import sys

from weicha_desktop.cli.context import ask_password, login, open_store
from weicha_desktop.core.errors import WeichaError

POLICY = "至少 8 位，不含用户名，不用常见密码"  # core/passwords.py


def register(sub) -> None:
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


def cmd_init(args) -> int:
    from weicha_desktop.core.setup import initialize

    with open_store(args) as store:
        initialize(store, unit_code=args.unit_code, unit_name=args.unit_name,
                   admin_name=args.admin,
                   admin_password=ask_password(f"管理员密码（{POLICY}）：", confirm=True),
                   device_slot=args.device_slot, device_slots=args.device_slots)
        print(f"已初始化：{args.unit_name}（{args.unit_code}），数据文件夹 {store.data_dir}")
    return 0


def cmd_user_add(args) -> int:
    from weicha_desktop.core.users import ROLES, UserService

    with open_store(args) as store:
        admin = login(args, store)
        pw = os.environ.get("WEICHA_NEW_PASSWORD")
        if pw is None:
            if not sys.stdin.isatty():
                raise WeichaError("需要新用户的密码：请设置环境变量 WEICHA_NEW_PASSWORD，或在终端中运行。")
            pw = getpass.getpass(f"新用户 {args.name} 的密码（{POLICY}）：")
            if getpass.getpass("再输入一次：") != pw:
                raise WeichaError("两次输入的密码不一致。")
        user = UserService(store).add(admin, args.name, args.role, pw, args.display_name)
        print(f"已添加用户 {user.name}（{ROLES[user.role]}）")
    return 0


def cmd_user_list(args) -> int:
    from weicha_desktop.core.users import ROLES, UserService

    with open_store(args) as store:
        login(args, store)
        for u in UserService(store).list():
            print(f"{u.name}\t{ROLES[u.role]}\t{u.display_name}")
    return 0
