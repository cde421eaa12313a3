"""`weicha demo`: realistic Chinese demo data (core/demo.py)."""
from __future__ import annotations

import os
import sys

from weicha_desktop.cli.context import login, open_store

# A long fill says how far: from PROGRESS_FROM cases on, once per commit of PROGRESS_BATCH
# cases (module constants so a test can check the rule on a small fill).
PROGRESS_FROM = 1000
PROGRESS_BATCH = 500


def register(sub) -> None:
    s = sub.add_parser("demo", help="填入逼真的演示数据（演示用户密码取自 WEICHA_DEMO_PASSWORD，"
                                    "默认 weicha-demo-2026；已初始化的文件夹须以管理员 --user 登录）")
    s.add_argument("--cases", type=int, default=50)
    s.add_argument("--seed", type=int, default=7)
    s.set_defaults(func=cmd_demo)


def cmd_demo(args) -> int:
    from weicha_desktop.core.demo import DEMO_PASSWORD, fill_demo
    from weicha_desktop.core.forms import FormRegistry
    from weicha_desktop.resources import forms_dir

    def progress(done: int, total: int) -> None:
        if total >= PROGRESS_FROM:
            print(f"已生成 {done}/{total} 起", file=sys.stderr, flush=True)

    with open_store(args) as store:
        # a folder already set up: an administrator logs in (WEICHA_PASSWORD) to add the
        # demo users, who get the demo password, never the administrator's
        admin = login(args, store) if store.is_initialized() and args.user else None
        summary = fill_demo(store, FormRegistry(forms_dir()), cases=args.cases, seed=args.seed,
                            password=os.environ.get("WEICHA_DEMO_PASSWORD") or DEMO_PASSWORD,
                            admin=admin, batch=PROGRESS_BATCH, progress=progress, collect=True)
    print(summary)
    return 0
