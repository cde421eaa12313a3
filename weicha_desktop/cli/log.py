"""`weicha log`: the work log, newest first (needs a login)."""
from __future__ import annotations

from weicha_desktop.cli.context import login, open_store, print_json


def register(sub) -> None:
    s = sub.add_parser("log", help="工作日志（最近的在前）")
    s.add_argument("--limit", type=int, default=30)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_log)


def cmd_log(args) -> int:
    with open_store(args) as store:
        login(args, store)
        entries = store.audit_entries(newest_first=True, limit=args.limit)
        if args.json:
            print_json([e.__dict__ for e in entries])
        for e in [] if args.json else entries:
            print(f"{e.seq:>6}  {e.at}  {e.user_name}  {e.summary}")
    return 0
