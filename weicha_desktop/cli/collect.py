"""`weicha person|vehicle|place …` (采集: new, update, show, list, finalize, review, amend, report) and `weicha link …`
(add, remove, list): the collect records and their links, on core/collect's services.

A record is named by its id or its key (身份证号, 号牌, 车辆识别代号). Field values come from
``--json-file`` (a JSON object; ``-`` for stdin) and/or ``--set 字段=值`` (text values).
A new record whose key another record has is refused with that record named (exit 1; with
``--json`` the existing record on stdout) unless ``--force-new``."""
from __future__ import annotations

import sys
from typing import Any

from weicha_desktop.cli.context import (add_value_args, field_words, kind_word, login, open_store, print_json,
                                        print_sections, save_record)

KINDS = {"person": "人员", "vehicle": "车辆", "place": "场所"}
KEY_HELP = {"person": "记录 id 或身份证号", "vehicle": "记录 id、号牌或车辆识别代号", "place": "记录 id"}


def register(sub) -> None:
    for kind, word in KINDS.items():
        group = sub.add_parser(kind, help=f"采集：{word}信息").add_subparsers(dest=f"{kind}_cmd", required=True)
        s = group.add_parser("new", help=f"新建{word}记录（草稿）")
        add_value_args(s)
        s.add_argument("--force-new", action="store_true", help="已有同号记录时仍另建一条")
        s.add_argument("--json", action="store_true")
        s.set_defaults(func=cmd_new, kind=kind)
        s = group.add_parser("update", help="修改草稿的字段")
        s.add_argument("key", help=KEY_HELP[kind])
        add_value_args(s)
        s.add_argument("--force-new", action="store_true", help="改成的号码已属于另一条记录时仍保存")
        s.add_argument("--json", action="store_true")
        s.set_defaults(func=cmd_update, kind=kind)
        s = group.add_parser("show", help=f"显示{word}记录及其关联")
        s.add_argument("key", help=KEY_HELP[kind])
        s.add_argument("--version", type=int)
        s.add_argument("--json", action="store_true")
        s.set_defaults(func=cmd_show, kind=kind)
        s = group.add_parser("list", help=f"列出{word}记录（最近修改的在前）")
        s.add_argument("--status", choices=["draft", "finalized", "reviewed", "returned"])
        s.add_argument("--text", help="任一字段含有的文字")
        s.add_argument("--limit", type=int, default=50)
        s.add_argument("--json", action="store_true")
        s.set_defaults(func=cmd_list, kind=kind)
        s = group.add_parser("finalize", help="定稿（锁定并计算哈希）")
        s.add_argument("key", help=KEY_HELP[kind])
        s.set_defaults(func=cmd_finalize, kind=kind)
        s = group.add_parser("review", help="审核：通过或退回补正（审核人）")
        s.add_argument("key", help=KEY_HELP[kind])
        g = s.add_mutually_exclusive_group(required=True)
        g.add_argument("--approve", action="store_true")
        g.add_argument("--return", dest="return_", action="store_true")
        s.add_argument("--comment", default="")
        s.set_defaults(func=cmd_review, kind=kind)
        s = group.add_parser("report", help=f"导出{word}信息表（一页 PDF，含关联）")
        s.add_argument("key", help=KEY_HELP[kind])
        s.add_argument("-o", "--output", required=True, help="输出的 PDF 文件（不能在数据文件夹中）")
        s.add_argument("--json", action="store_true")
        s.set_defaults(func=cmd_report, kind=kind)
        s = group.add_parser("amend", help="补正：为已定稿的记录生成新版本")
        s.add_argument("key", help=KEY_HELP[kind])
        s.add_argument("--reason", required=True)
        s.set_defaults(func=cmd_amend, kind=kind)
    links = sub.add_parser("link", help="关联：人员、车辆、场所与勘验等记录").add_subparsers(
        dest="link_cmd", required=True)
    s = links.add_parser("add", help="关联两条记录")
    s.add_argument("record", help="人员、车辆或场所：记录 id、身份证号、号牌")
    s.add_argument("target", help="关联到的记录：勘验号、记录 id、身份证号、号牌")
    s.add_argument("--role", required=True, help="关联身份代码：witness 证人、reporter 报案人、victim 被害人、"
                                                  "suspect 嫌疑人、owner 物主、driver 驾驶人、involved 涉案、"
                                                  "location 发案地点、other 其他")
    s.add_argument("--note", default="")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_link_add)
    s = links.add_parser("remove", help="取消关联（保留记录）")
    s.add_argument("link_id")
    s.add_argument("--reason", required=True)
    s.set_defaults(func=cmd_link_remove)
    s = links.add_parser("list", help="列出一条记录的全部关联")
    s.add_argument("key", help="记录 id、勘验号、身份证号或号牌")
    s.add_argument("--removed", action="store_true", help="也列出已取消的关联")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_link_list)


def _service(args, store):
    from weicha_desktop.core.collect import SERVICES
    from weicha_desktop.core.sync.reference import local_forms

    return SERVICES[args.kind](store, local_forms(store, older_later=True), login(args, store))


def _duplicate(args, e) -> int:
    print(f"未新建：{e}", file=sys.stderr)
    print(f"已有记录：{e.existing.id}（{KINDS[args.kind]}，{e.existing.status_label}）。"
          f"如确需另建，请加 --force-new。", file=sys.stderr)
    if args.json:
        print_json({"duplicate": True, "field": e.field, "existing": e.existing.as_json()})
    return 1


def _save(args, change) -> int:
    from weicha_desktop.core.collect import Duplicate

    return save_record(args, _service, lambda store, svc, values: change(svc, values),
                       lambda svc, record: _saved(args, svc, record),
                       refusals=((Duplicate, lambda e: _duplicate(args, e)),))


def _saved(args, svc, record) -> int:
    if args.json:
        print_json(record.as_json())
    else:
        print(f"已保存{KINDS[args.kind]}记录 {svc.label(record)}（id {record.id}，第 {record.version} 版，"
              f"{record.status_label}）")
    return 0


def cmd_new(args) -> int:
    return _save(args, lambda svc, values: svc.create(values, force_new=args.force_new))


def cmd_update(args) -> int:
    return _save(args, lambda svc, values: svc.update(args.key, values, force_new=args.force_new))


def cmd_show(args) -> int:
    from weicha_desktop.core.collect import LinkService

    with open_store(args) as store:
        svc = _service(args, store)
        record = svc.get(args.key, args.version)
        links = LinkService(store, svc.forms, svc.actor).links_of(record.id)
        owners = svc.owner_records(record) if args.kind == "vehicle" else []
        mentions = svc.mentions(record)
        if args.json:  # the whole record leaves the program: an export, logged
            store.log_read(svc.actor, "collect.export", args.kind, record.id,
                           f"导出{KINDS[args.kind]}记录 {svc.label(record)} 第 {record.version} 版（JSON）",
                           {"version": record.version, "format": "json"})
            print_json({**record.as_json(), "links": links, "owner_records": owners, "mentions": mentions})
            return 0
        spec = svc.spec_for(record)
        print(f"{KINDS[args.kind]} {svc.label(record)}  第 {record.version} 版  {record.status_label}")
        print(f"id：{record.id}")
        if record.returned_comment:
            print(f"退回意见：{record.returned_comment}")
        print_sections(spec, record.data)
        if owners:
            print(f"\n车主的人员记录：{'、'.join(owners)}")
        print(f"\n【关联】{'' if links else '无'}")
        for link in links:
            print("  " + _link_line(link))
        if mentions:
            print("\n【其他记录中出现】")
            for m in mentions:
                print(f"  {m['label']}（{_kind_word(m['kind'])}，{field_words(svc.forms, m['kind'], m['field'])}）")
        if record.content_hash:
            print(f"\n内容哈希：{record.content_hash}")
    return 0


def _link_line(link: dict[str, Any]) -> str:
    other = link["other"]
    what = f"{other['label']}（{_kind_word(other['kind'])}）" if other else f"{link['other_id']}（本机没有该记录）"
    arrow = "→" if link["side"] == "record" else "←"
    note = f"  {link['note']}" if link["note"] else ""
    removed = f"  〔已取消：{link['removed_reason']}〕" if link["removed_at"] else ""
    return f"{arrow} {link['role_label']}  {what}{note}  [{link['id']}]{removed}"


def _kind_word(kind: str) -> str:
    return kind_word(kind)


def cmd_list(args) -> int:
    from weicha_desktop.core.labels import status_label

    with open_store(args) as store:
        rows = _service(args, store).list(status=args.status, text=args.text, limit=args.limit)
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        print("\t".join([r["id"], status_label(r["status"], r["returned"]), r["label"], r["updated_at"]]))
    return 0


def cmd_finalize(args) -> int:
    with open_store(args) as store:
        svc = _service(args, store)
        record = svc.finalize(args.key)
        print(f"已定稿{KINDS[args.kind]}记录 {svc.label(record)} 第 {record.version} 版，内容哈希 {record.content_hash}")
    return 0


def cmd_report(args) -> int:
    from weicha_desktop.cli.context import data_dir
    from weicha_desktop.core.collect.report import TITLES, write_sheet
    from weicha_desktop.core.safe_output import check_output

    check_output(args.output, data_dir=data_dir(args))  # a wrong target: refused before a login
    with open_store(args) as store:
        done = write_sheet(_service(args, store), args.key, args.output)
    if args.json:
        print_json(done)
        return 0
    print(f"已导出{TITLES[args.kind]}：{done['path']}（{done['pages']} 页，SHA-256 {done['sha256']}）")
    return 0


def cmd_review(args) -> int:
    with open_store(args) as store:
        svc = _service(args, store)
        record = svc.review(args.key, approve=args.approve, comment=args.comment)
        print(f"{KINDS[args.kind]}记录 {svc.label(record)}：{record.status_label}")
    return 0


def cmd_amend(args) -> int:
    with open_store(args) as store:
        svc = _service(args, store)
        record = svc.amend(args.key, args.reason)
        print(f"已为{KINDS[args.kind]}记录 {svc.label(record)} 生成第 {record.version} 版草稿（补正原因：{args.reason}）")
    return 0


def _links(args, store):
    from weicha_desktop.core.collect import LinkService
    from weicha_desktop.core.sync.reference import local_forms

    return LinkService(store, local_forms(store, older_later=True), login(args, store))


def cmd_link_add(args) -> int:
    with open_store(args) as store:
        links = _links(args, store)
        link = links.link(args.record, args.target, args.role, args.note)
        if args.json:
            print_json(link)
        else:
            print(f"已关联（{links.roles()[link['role']]}），关联 id {link['id']}")
    return 0


def cmd_link_remove(args) -> int:
    with open_store(args) as store:
        link = _links(args, store).unlink(args.link_id, args.reason)
        print(f"已取消关联 {link['id']}（{link['removed_reason']}）")
    return 0


def cmd_link_list(args) -> int:
    with open_store(args) as store:
        links = _links(args, store)
        found = links.find(args.key)
        rows = links.links_of(found["id"], removed=args.removed)
    if args.json:
        print_json({"record": found, "links": rows})
        return 0
    print(f"{found['label']}（{_kind_word(found['kind'])}）：{len(rows)} 项关联")
    for link in rows:
        print("  " + _link_line(link))
    return 0
