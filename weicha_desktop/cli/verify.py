"""`weicha verify`: the read-only check of a data folder (core/verify), no login."""
from __future__ import annotations

import sys

from weicha_desktop.cli.context import data_dir


def register(sub) -> None:
    s = sub.add_parser("verify", help="只读校验：工作日志哈希链、签名检查点、记录与日志是否一致、原始照片")
    s.set_defaults(func=cmd_verify)


def cmd_verify(args) -> int:
    from weicha_desktop.core.verify import open_for_verify, verify

    # never writes; a corrupt or foreign file is an Unreadable (WeichaError): exit 1
    with open_for_verify(data_dir(args)) as store:
        report = verify(store)
    for line in report.notices:
        print(f"说明：{line}")
    for line in report.warnings:  # what could not be checked: said, but not a failure
        print(f"注意：{line}", file=sys.stderr)
    if report.ok:
        print(f"校验通过：工作日志 {report.audit_entries} 条，定稿记录 {report.finalized_versions} 版，"
              f"用户 {report.users} 位，原始照片 {report.originals} 张，均未被改动。")
        return 0
    print(f"校验失败：发现 {len(report.faults)} 处改动或损坏", file=sys.stderr)
    for fault in report.faults:
        print(f"  - {fault}", file=sys.stderr)
    return 1
