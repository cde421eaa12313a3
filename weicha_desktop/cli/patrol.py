"""`weicha patrol new|update|show|list|end|finalize|report|link` — 巡逻 on core/patrol.

Field values from ``--json-file`` and ``--set 字段=值``; ``--gpx FILE`` (new, update) adds the
file's track points and waypoints to the route — an empty, broken or hostile file is refused
before anything is written. ``end`` ends the patrol now. ``show`` prints the patrol with its
summary (duration, distance, points, linked records, checks and hits); a JSON ``show`` is
logged (``patrol.export``)."""
from __future__ import annotations

from weicha_desktop.cli.context import (add_command, add_group, open_store, print_json, print_sections,
                                        record_service, save_record)

KEY = "巡逻记录 id"


def register(sub) -> None:
    group = add_group(sub, "patrol", "巡逻：巡逻记录、路线、途中的采集与核查", "patrol_cmd")
    add_command(group, "new", "开始一次巡逻（新建草稿，开始时间为现在）", cmd_new, values=True,
                extra=lambda s: s.add_argument("--gpx", help="从 GPX 文件导入路线点（轨迹点与航点）"))
    add_command(group, "update", "修改巡逻草稿的字段，或导入 GPX 路线", cmd_update, key=KEY, values=True,
                extra=lambda s: s.add_argument("--gpx", help="从 GPX 文件导入路线点（追加到已有路线之后）"))
    add_command(group, "show", "显示巡逻记录、小结、关联记录与途中核查", cmd_show, key=KEY,
                extra=lambda s: s.add_argument("--version", type=int))
    s = group.add_parser("list", help="列出巡逻记录（退回的在前，然后最近修改的）")
    s.add_argument("--status", choices=["draft", "finalized", "reviewed", "returned"])
    state = s.add_mutually_exclusive_group()
    state.add_argument("--ongoing", action="store_true", help="只列尚未结束的巡逻")
    state.add_argument("--ended", action="store_true", help="只列已结束的巡逻")
    s.add_argument("--text", help="任一字段含有的文字")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_list)
    s = group.add_parser("end", help="结束巡逻（结束时间为现在）")
    s.add_argument("key", help=KEY)
    s.add_argument("--note", default="", help="结束时的说明")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_end)
    s = group.add_parser("finalize", help="定稿（巡逻须已结束）")
    s.add_argument("key", help=KEY)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_finalize)
    s = group.add_parser("report", help="导出巡逻工作记录 PDF")
    s.add_argument("key", help=KEY)
    s.add_argument("-o", "--output", required=True, help="输出的 PDF 文件")
    s.set_defaults(func=cmd_report)
    s = group.add_parser("link", help="把途中采集的人员、车辆或场所关联到巡逻")
    s.add_argument("key", help=KEY)
    s.add_argument("record", help="人员、车辆或场所：记录 id、身份证号或号牌")
    s.add_argument("--note", default="")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_link)


def _service(args, store):
    from weicha_desktop.core.patrol import PatrolService

    return record_service(args, store, PatrolService)


def _done(args, svc, record, what: str, extra: str = "") -> int:
    if args.json:
        print_json({**record.as_json(), "summary": svc.summary(record).as_dict()})
    else:
        print(f"{what}巡逻记录 {svc.label(record)}（id {record.id}，第 {record.version} 版，"
              f"{record.status_label}）{extra}")
    return 0


def _save(args, *, new: bool) -> int:
    def change(store, svc, values):
        from weicha_desktop.core.patrol import read_gpx

        points = read_gpx(args.gpx, store.clock.now().tzinfo) if args.gpx else None  # refused before any write
        record = svc.create(values) if new else (svc.update(args.key, values) if values else svc.get(args.key))
        extra = ""
        if points:
            record, info = svc.add_points(record.id, points, what=f"（GPX：{args.gpx}）")
            thinned = f"（文件中 {info['given']} 个，已均匀抽稀）" if info["added"] < info["given"] else ""
            extra = f"；从 GPX 导入路线点 {info['added']} 个{thinned}"
        return record, extra

    return save_record(args, _service, change, lambda svc, done: _done(args, svc, done[0], "已保存", done[1]))


def cmd_new(args) -> int:
    return _save(args, new=True)


def cmd_update(args) -> int:
    return _save(args, new=False)


def cmd_show(args) -> int:
    with open_store(args) as store:
        svc = _service(args, store)
        record = svc.get(args.key, args.version)
        summary, links = svc.summary(record), svc.linked(record)
        if args.json:  # the whole record leaves the program: an export, logged
            store.log_read(svc.actor, "patrol.export", "patrol", record.id,
                           f"导出巡逻记录 {svc.label(record)} 第 {record.version} 版（JSON）",
                           {"version": record.version, "format": "json"})
            print_json({**record.as_json(), "summary": summary.as_dict(), "links": links})
            return 0
        print(f"巡逻 {svc.label(record)}  第 {record.version} 版  {record.status_label}"
              f"{'' if record.data.get('ended_at') else '  〔进行中〕'}")
        print(f"id：{record.id}")
        if record.returned_comment:
            print(f"退回意见：{record.returned_comment}")
        print(f"小结：{summary.text()}")
        print_sections(svc.spec_for(record), record.data)
        print(f"\n【途中关联的记录】{'' if links else '无'}")
        for link in links:
            other = link["other"]
            print(f"  {link['role_label']}  {other['label'] if other else link['other_id'] + '（本机没有该记录）'}"
                  f"{('  ' + link['note']) if link['note'] else ''}")
        print(f"\n【途中核查】{'' if summary.check_list else '无'}")
        for c in summary.check_list:
            print(f"  {c['at'][:16].replace('T', ' ')}  {c['user']}  {c['key']}  {'命中' if c['result'] == 'hit' else '未命中'}")
        if record.content_hash:
            print(f"\n内容哈希：{record.content_hash}")
    return 0


def cmd_list(args) -> int:
    from weicha_desktop.core.labels import status_label

    ongoing = True if args.ongoing else (False if args.ended else None)
    with open_store(args) as store:
        rows = _service(args, store).list(status=args.status, text=args.text, ongoing=ongoing, limit=args.limit)
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        state = "进行中" if r["ended_at"] is None else "已结束"
        print("\t".join([r["id"], status_label(r["status"], r["returned"]), state, r["label"]]))
    return 0


def cmd_end(args) -> int:
    with open_store(args) as store:
        svc = _service(args, store)
        record = svc.end(args.key, args.note)
        return _done(args, svc, record, "已结束", f"；{svc.summary(record).text()}")


def cmd_finalize(args) -> int:
    with open_store(args) as store:
        svc = _service(args, store)
        record = svc.finalize(args.key)
        return _done(args, svc, record, "已定稿", f"，内容哈希 {record.content_hash}")


def cmd_link(args) -> int:
    with open_store(args) as store:
        link = _service(args, store).link(args.key, args.record, args.note)
        if args.json:
            print_json(link)
        else:
            print(f"已关联到巡逻（巡逻中登记），关联 id {link['id']}")
    return 0


def cmd_report(args) -> int:
    from weicha_desktop.cli.context import data_dir
    from weicha_desktop.core.patrol.report import write_patrol_log
    from weicha_desktop.core.safe_output import check_output

    check_output(args.output, data_dir=data_dir(args))  # refused before login and rendering
    with open_store(args) as store:
        result = write_patrol_log(_service(args, store), args.key, args.output)
    print(f"已导出巡逻工作记录：{result['path']}（{result['pages']} 页，SHA-256 {result['sha256']}）")
    return 0
