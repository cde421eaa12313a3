"""`weicha report`: print a case to PDF headlessly (the same ReportService as the GUI)."""
from __future__ import annotations

import sys
from pathlib import Path

from weicha_desktop.cli.context import data_dir, open_store, photo_services


def register(sub) -> None:
    s = sub.add_parser("report", help="生成 PDF 报告：笔录、登记表、照片、分析报告")
    s.add_argument("case")
    s.add_argument("-o", "--output", type=Path, required=True)
    s.add_argument("--parts", default="note,register,photos,analysis",
                   help="逗号分隔：note（笔录）, register（附件1）, photos（附件3）, analysis（附件4）")
    s.add_argument("--photos-per-page", type=int, default=2, choices=[1, 2, 4])
    s.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    from weicha_desktop.core.reports.service import ReportService
    from weicha_desktop.core.safe_output import check_output

    check_output(args.output, data_dir=data_dir(args))  # refused before login and rendering
    with open_store(args) as store:
        reports = ReportService(*photo_services(args, store))
        result = reports.render(args.case, args.output, parts=args.parts,
                                photos_per_page=args.photos_per_page)
    print(f"已生成 {result.path}：{result.pages} 页，{result.size / 1e6:.1f} MB", file=sys.stderr)
    return 0
