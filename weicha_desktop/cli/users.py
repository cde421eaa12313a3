"""`weicha init` (the unit and its first administrator) and `weicha user …` (users)."""
from __future__ import annotations

import getpass
import os
import sys

from weicha_desktop.cli.context import ask_password, login, open_store
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.labels import ROLES, role_label

POLICY = "至少 8 位，不含用户名，不用常见密码"  # core/passwords.py


def register(sub) -> None:
    s = sub.add_parser("init", help="初始化数据文件夹：单位与管理员")
    s.add_argument("--unit-code", required=True, help="12 位单位代码")
    s.add_argument("--unit-name", required=True)
    s.add_argument("--admin", required=True, help="管理员用户名")
    s.add_argument("--admin-badge", required=True, help="管理员的警号（4–12 位数字或字母）")
    s.add_argument("--device-slot", type=int, default=1, help="本机编号段（从 1 起）")
    s.add_argument("--device-slots", type=int, default=1, help="本单位编号段总数（笔记本台数）")
    s.set_defaults(func=cmd_init)

    users = sub.add_parser("user", help="用户管理").add_subparsers(dest="user_cmd", required=True)
    s = users.add_parser("add", help="添加用户（管理员）")
    s.add_argument("name")
    s.add_argument("--role", required=True, choices=list(ROLES))
    s.add_argument("--badge", required=True, help="警号（4–12 位数字或字母，本单位内唯一）")
    s.add_argument("--display-name")
    s.set_defaults(func=cmd_user_add)
    s = users.add_parser("list", help="列出用户")
    s.set_defaults(func=cmd_user_list)
    s = users.add_parser("set-password", help="设置用户的密码（管理员）：同步服务器的人员由此可在本机登录")
    s.add_argument("name")
    s.set_defaults(func=cmd_user_set_password)
    s = users.add_parser("set-badge", help="为早先版本的用户设置警号（管理员；设定后不能更改）")
    s.add_argument("name")
    s.add_argument("badge", help="警号")
    s.set_defaults(func=cmd_user_set_badge)


def cmd_init(args) -> int:
    from weicha_desktop.core.numbering import check_unit_code
    from weicha_desktop.core.setup import initialize
    from weicha_desktop.core.users import normalize_badge

    # a bad unit code or 警号 is refused before a folder and its database are made (and before
    # the password is asked for); initialize checks everything again
    check_unit_code(args.unit_code)
    normalize_badge(args.admin_badge)
    with open_store(args) as store:
        initialize(store, unit_code=args.unit_code, unit_name=args.unit_name,
                   admin_name=args.admin, admin_badge=args.admin_badge,
                   admin_password=ask_password(f"管理员密码（{POLICY}）：", confirm=True),
                   device_slot=args.device_slot, device_slots=args.device_slots)
        print(f"已初始化：{args.unit_name}（{args.unit_code}），数据文件夹 {store.data_dir}")
    return 0


def cmd_user_add(args) -> int:
    from weicha_desktop.core.users import UserService, normalize_badge

    normalize_badge(args.badge)  # a bad 警号 is refused before the password is asked for
    with open_store(args) as store:
        admin = login(args, store)
        pw = _new_password(f"新用户 {args.name} 的密码")
        user = UserService(store).add(admin, args.name, args.role, pw, args.display_name,
                                      badge_no=args.badge)
        print(f"已添加用户 {user.name}（{role_label(user.role)}，警号 {normalize_badge(args.badge)}）")
    return 0


def _new_password(prompt: str) -> str:
    pw = os.environ.get("WEICHA_NEW_PASSWORD")
    if pw is None:
        if not sys.stdin.isatty():
            raise WeichaError("需要新密码：请设置环境变量 WEICHA_NEW_PASSWORD，或在终端中运行。")
        pw = getpass.getpass(f"{prompt}（{POLICY}）：")
        if getpass.getpass("再输入一次：") != pw:
            raise WeichaError("两次输入的密码不一致。")
    return pw


def cmd_user_set_password(args) -> int:
    from weicha_desktop.core.users import UserService

    with open_store(args) as store:
        admin = login(args, store)
        user = UserService(store).set_password(admin, args.name, _new_password(f"用户 {args.name} 的新密码"))
        print(f"已设置用户 {user.name}（{role_label(user.role)}）的密码：可在本机登录。")
    return 0


def cmd_user_list(args) -> int:
    from weicha_desktop.core.users import UserService

    with open_store(args) as store:
        login(args, store)
        users = UserService(store)
        for u in users.list():
            print(f"{u.name}\t{role_label(u.role)}\t{u.display_name}\t{users.badge_of(u) or '（未设警号）'}")
    return 0


def cmd_user_set_badge(args) -> int:
    from weicha_desktop.core.users import UserService, normalize_badge

    badge = normalize_badge(args.badge)
    with open_store(args) as store:
        admin = login(args, store)
        users = UserService(store)
        had = users.get(args.name) is not None and users.badge_of(users.get(args.name)) == badge
        user = users.set_badge(admin, args.name, badge)
        print(f"用户 {user.name} 的警号{'已是' if had else '已设为'} {badge}（用户编号不变：{user.id}）")
    return 0
