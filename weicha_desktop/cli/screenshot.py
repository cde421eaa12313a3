"""`weicha screenshot`: the main window (or a case's form) rendered offscreen to a PNG
(gui/shell/screenshot.py); read-only, no login. Qt is imported only here, when asked."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from weicha_desktop.cli.context import data_dir, parse_size


def register(sub) -> None:
    s = sub.add_parser("screenshot", help="把主窗口（或某件勘验的表单）离屏渲染为 PNG（只读，无需登录）")
    s.add_argument("-o", "--output", required=True, type=Path, help="PNG 文件")
    s.add_argument("--size", type=parse_size, default=(1280, 800), help="宽x高，默认 1280x800")
    s.add_argument("--case", help="勘验号或 id：打开其表单（在审核页则在审核队列中打开）")
    s.add_argument("--page", choices=["cases", "review", "checks", "collect", "patrol", "requests"],
                   default="cases", help="cases 现场勘验（默认）、review 审核、checks 核查、collect 采集、"
                                         "patrol 巡逻或 requests 互动")
    s.add_argument("--lang", choices=["zh", "en"], default="zh", help="界面语言")
    s.add_argument("--view", choices=["form", "photos", "evidence"], default="form",
                   help="打开的勘验显示：form 笔录（默认）、photos 照片、evidence 物证登记")
    s.add_argument("--photo", type=int, help="照片视图中选中第几号照片（显示大图与 EXIF）")
    s.add_argument("--at", help="审核页：整件勘验滚动到该栏目（栏目标识，或 photos 照片）")
    s.add_argument("--user", default=argparse.SUPPRESS,  # also before the command, as elsewhere
                   help="以该用户的角色显示（默认第一位管理员；无需密码）")
    s.set_defaults(func=cmd_screenshot)


def cmd_screenshot(args) -> int:
    # Before Qt starts: render without a display (and without flashing a window on one),
    # unless the caller chose a platform.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from weicha_desktop.core.safe_output import check_output

    check_output(args.output, data_dir=data_dir(args))  # a bad -o fails before Qt starts
    from weicha_desktop.gui.shell.screenshot import take_screenshot

    width, height = take_screenshot(data_dir(args), args.output, size=args.size, case=args.case,
                                    user=args.user, page=args.page, language=args.lang,
                                    view=args.view, photo=args.photo, at=args.at)
    print(f"已写入 {args.output}（{width}×{height}）")
    return 0
