"""`weicha request new|update|show|list|step|finalize` — 互动 (public requests) on core/requests.

``step KEY --to in_progress|done --note 说明`` moves a request one step (待处理 → 处理中 →
已办结); ``step KEY --reopen --note 原因`` takes a done one back to 处理中. ``list --overdue``
lists the requests past their deadline; ``list --handling pending`` those waiting. A JSON
``show`` is logged (``request.export``)."""
from __future__ import annotations

from weicha_desktop.cli.context import (add_command, add_group, local_time, open_store, print_json,
                                        print_sections, record_service, save_record)

KEY = "诉求记录 id"


def register(sub) -> None:
    group = add_group(sub, "request", "互动：报警求助与民情民意的受理和办理", "request_cmd")
    add_command(group, "new", "受理一条诉求（新建草稿，待处理）", cmd_new, values=True)
    add_command(group, "update", "修改诉求草稿的字段（办理状态用 step）", cmd_update, key=KEY, values=True)
    add_command(group, "show", "显示诉求、办理经过与期限", cmd_show, key=KEY,
                extra=lambda s: s.add_argument("--version", type=int))
    s = group.add_parser("list", help="列出诉求（退回的在前，然后最近修改的）")
    s.add_argument("--status", choices=["draft", "finalized", "reviewed", "returned"], help="记录状态")
    s.add_argument("--handling", choices=["pending", "in_progress", "done"], help="办理状态")
    s.add_argument("--overdue", action="store_true", help="只列超期未办结的（最早到期的在前）")
    s.add_argument("--text", help="任一字段含有的文字")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_list)
    s = group.add_parser("step", help="办理一步：待处理 → 处理中 → 已办结（或 --reopen 重新办理）")
    s.add_argument("key", help=KEY)
    to = s.add_mutually_exclusive_group(required=True)
    to.add_argument("--to", choices=["in_progress", "done"], help="in_progress 处理中、done 已办结")
    to.add_argument("--reopen", action="store_true", help="已办结的重新办理（回到处理中）")
    s.add_argument("--note", required=True, help="这一步的说明（重新办理：原因）")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_step)
    s = group.add_parser("finalize", help="定稿（须已办结）")
    s.add_argument("key", help=KEY)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_finalize)


def _service(args, store):
    from weicha_desktop.core.requests import RequestService

    return record_service(args, store, RequestService)


def _done(args, svc, record, what: str, extra: str = "") -> int:
    state = svc.state(record)
    if args.json:
        print_json({**record.as_json(), **state})
    else:
        late = "，已超期" if state["overdue"] else ""
        print(f"{what}诉求 {svc.label(record)}（id {record.id}，{state['handling_label']}{late}，"
              f"{record.status_label}）{extra}")
    return 0


def _save(args, change) -> int:
    return save_record(args, _service, lambda store, svc, values: change(svc, values),
                       lambda svc, record: _done(args, svc, record, "已保存"))


def cmd_new(args) -> int:
    return _save(args, lambda svc, values: svc.create(values))


def cmd_update(args) -> int:
    return _save(args, lambda svc, values: svc.update(args.key, values))


def cmd_show(args) -> int:
    with open_store(args) as store:
        svc = _service(args, store)
        record = svc.get(args.key, args.version)
        state = svc.state(record)
        if args.json:  # the whole record leaves the program: an export, logged
            store.log_read(svc.actor, "request.export", "request", record.id,
                           f"导出群众诉求 {svc.label(record)} 第 {record.version} 版（JSON）",
                           {"version": record.version, "format": "json"})
            print_json({**record.as_json(), **state})
            return 0
        due = local_time(state["due_at"], "无")
        print(f"诉求 {svc.label(record)}  第 {record.version} 版  {record.status_label}")
        print(f"id：{record.id}")
        print(f"办理状态：{state['handling_label']}  办理期限：{due}{'  〔已超期〕' if state['overdue'] else ''}")
        if record.returned_comment:
            print(f"退回意见：{record.returned_comment}")
        print_sections(svc.spec_for(record), record.data)
        if record.content_hash:
            print(f"\n内容哈希：{record.content_hash}")
    return 0


def cmd_list(args) -> int:
    from weicha_desktop.core.labels import status_label

    with open_store(args) as store:
        rows = _service(args, store).list(status=args.status, text=args.text, handling=args.handling,
                                          overdue=args.overdue, limit=args.limit)
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        due = local_time(r["due_at"])
        print("\t".join([r["id"], status_label(r["status"], r["returned"]), r["type_label"] or "",
                         r["handling_label"] + ("（超期）" if r["overdue"] else ""), f"期限 {due}", r["label"]]))
    return 0


def cmd_step(args) -> int:
    with open_store(args) as store:
        svc = _service(args, store)
        record = svc.reopen(args.key, args.note) if args.reopen else svc.step(args.key, args.to, args.note)
        return _done(args, svc, record, "已办理")


def cmd_finalize(args) -> int:
    with open_store(args) as store:
        svc = _service(args, store)
        record = svc.finalize(args.key)
        return _done(args, svc, record, "已定稿", f"，内容哈希 {record.content_hash}")
