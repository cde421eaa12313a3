"""`weicha forms check`: every form file under forms/ (or a folder given) checked."""
from __future__ import annotations

import sys
from pathlib import Path


def register(sub) -> None:
    forms = sub.add_parser("forms", help="表单定义").add_subparsers(dest="forms_cmd", required=True)
    s = forms.add_parser("check", help="校验 forms/ 中的每个表单文件")
    s.add_argument("dir", nargs="?", type=Path)
    s.set_defaults(func=cmd_forms_check)


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
