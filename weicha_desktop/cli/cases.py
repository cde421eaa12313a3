"""`weicha case …`: the 现场勘验 records — new, update, show, list, check, finalize, review,
amend, history."""
from __future__ import annotations

import sys
from pathlib import Path

from weicha_desktop.cli.context import case_service, open_store, print_json, print_sections
from weicha_desktop.core.errors import ValidationFailed


def register(sub) -> None:
    cases = sub.add_parser("case", help="现场勘验").add_subparsers(dest="case_cmd", required=True)
    s = cases.add_parser("new", help="新建勘验（草稿），分配勘验号")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_case_new)
    s = cases.add_parser("update", help="修改草稿的字段")
    s.add_argument("case")
    s.add_argument("--json-file", required=True, type=Path, help="字段值 JSON 文件（- 为标准输入）")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_case_update)
    s = cases.add_parser("show", help="显示勘验")
    s.add_argument("case")
    s.add_argument("--version", type=int)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_case_show)
    s = cases.add_parser("list", help="列出勘验")
    s.add_argument("--status", choices=["draft", "finalized", "reviewed", "returned"])
    s.add_argument("--text")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_case_list)
    s = cases.add_parser("check", help="列出阻止定稿的问题（一长四必），及不阻止定稿的提示")
    s.add_argument("case")
    s.set_defaults(func=cmd_case_check)
    s = cases.add_parser("finalize", help="定稿（锁定并计算哈希）")
    s.add_argument("case")
    s.set_defaults(func=cmd_case_finalize)
    s = cases.add_parser("review", help="审核：通过或退回补正（审核人）")
    s.add_argument("case")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--approve", action="store_true")
    g.add_argument("--return", dest="return_", action="store_true")
    s.add_argument("--comment", default="")
    s.add_argument("--section", help="退回意见所指的栏目标识（如 people），勘验员打开草稿时定位到该栏目")
    s.set_defaults(func=cmd_case_review)
    s = cases.add_parser("amend", help="补正：为已定稿勘验生成新版本")
    s.add_argument("case")
    s.add_argument("--reason", required=True)
    s.set_defaults(func=cmd_case_amend)
    s = cases.add_parser("history", help="版本历史")
    s.add_argument("case")
    s.set_defaults(func=cmd_case_history)


def cmd_case_new(args) -> int:
    with open_store(args) as store:
        case = case_service(args, store).new_case()
        if args.json:
            print_json({"id": case.id, "number": case.number})
        else:
            print(f"已新建勘验 {case.number}（id {case.id}）")
    return 0


def cmd_case_update(args) -> int:
    from weicha_desktop.core.json_input import read_json_object

    # capped at 4 MiB, strict UTF-8, no lone surrogates, bounded nesting (core/json_input.py)
    values = read_json_object(args.json_file, getattr(sys.stdin, "buffer", None))
    with open_store(args) as store:
        try:
            case = case_service(args, store).update(args.case, values)
        except ValidationFailed as e:
            print(f"未保存：{len(e.problems)} 处数据有误", file=sys.stderr)
            for p in e.problems:
                print(f"  - {p}", file=sys.stderr)
            return 1
        if args.json:
            print_json(case.as_json())
        else:
            print(f"已保存勘验 {case.number} 第 {case.version} 版")
    return 0


def cmd_case_show(args) -> int:
    with open_store(args) as store:
        svc = case_service(args, store)
        case = svc.get(args.case, args.version)
        if args.json:  # the whole record leaves the program: an export, logged
            store.log_read(svc.actor, "case.export", "case", case.id,
                           f"导出勘验 {case.number} 第 {case.version} 版（JSON）",
                           {"version": case.version, "format": "json"})
            print_json(case.as_json())
            return 0
        spec = svc.spec_for(case)
        print(f"{case.number}  第 {case.version} 版  {case.status_label}")
        if case.returned_comment:
            print(f"退回意见：{case.returned_comment}")
        print_sections(spec, case.data)
        if case.content_hash:
            print(f"\n内容哈希：{case.content_hash}")
    return 0


def cmd_case_list(args) -> int:
    from weicha_desktop.core import labels

    with open_store(args) as store:
        svc = case_service(args, store)
        rows = svc.list(status=args.status, text=args.text, limit=args.limit)
        if args.json:
            print_json(rows)
            return 0
        types = svc.case_types()
        for r in rows:
            status = labels.status_label(r["status"], r["returned_comment"] is not None)
            print("\t".join([r["number"], status, labels.code_label(types, r["case_type"]),
                             r["address"] or "", r["investigated_at"] or "", "、".join(r["investigators"])]))
    return 0


def cmd_case_check(args) -> int:
    with open_store(args) as store:
        svc = case_service(args, store)
        problems = svc.blockers(args.case)
        notices = svc.notices(svc.get(args.case))  # 提示: shown after, never blocking
    for p in problems:
        print(f"- {p}")
    for p in notices:
        print(f"- 提示：{p}")
    print("可以定稿。" if not problems else f"共 {len(problems)} 项阻止定稿。")
    if notices:
        print(f"另有 {len(notices)} 条提示，请核对（不阻止定稿）。")
    return 1 if problems else 0


def cmd_case_finalize(args) -> int:
    with open_store(args) as store:
        case = case_service(args, store).finalize(args.case)
        print(f"已定稿 {case.number} 第 {case.version} 版，内容哈希 {case.content_hash}")
    return 0


def cmd_case_review(args) -> int:
    with open_store(args) as store:
        case = case_service(args, store).review(args.case, approve=args.approve, comment=args.comment,
                                                    section=args.section)
        print(f"{case.number}：{case.status_label}")
    return 0


def cmd_case_amend(args) -> int:
    with open_store(args) as store:
        case = case_service(args, store).amend(args.case, args.reason)
        print(f"已为 {case.number} 生成第 {case.version} 版草稿（补正原因：{args.reason}）")
    return 0


def cmd_case_history(args) -> int:
    with open_store(args) as store:
        for v in case_service(args, store).history(args.case):
            state = f"定稿 {v['finalized_at']} {v['content_hash'][:16]}" if v["finalized_at"] else "草稿"
            reason = f"  补正原因：{v['amend_reason']}" if v["amend_reason"] else ""
            print(f"第 {v['version']} 版  {v['created_at']}  {state}{reason}")
    return 0
