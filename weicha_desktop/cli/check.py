"""`weicha check` (核查 an ID number or a plate) and `weicha watchlist` (the lists held here).

    weicha --user U check --id-card N | --plate P | --image FILE | --text T  [--json]
    weicha --user U check --history [--limit N] [--json]
    weicha --user U watchlist import FILE.csv --list NAME [--kind person|vehicle] [--version V]
                                 [--date YYYY-MM-DD] [--instruction TEXT] [--skip-bad] [--json]
    weicha --user U watchlist list [--json]
    weicha --user U watchlist max-age DAYS

Exit codes of `check`: 0 checked, not on any list (a miss); 3 checked, ON A LIST (a hit: act on
it); 1 refused (not an ID number or plate, unreadable image: nothing checked, nothing logged)
or failed; 2 usage. Every check that ran is logged (check.run) and synced, hit or miss."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from weicha_desktop.cli.context import field_words, kind_word, login, open_store, print_json

EXIT_MISS, EXIT_HIT = 0, 3


def register(sub) -> None:
    c = sub.add_parser("check", help="核查身份证号或号牌（命中名单时退出码为 3）")
    what = c.add_mutually_exclusive_group(required=True)
    what.add_argument("--id-card", metavar="N", help="身份证号")
    what.add_argument("--plate", metavar="P", help="号牌")
    what.add_argument("--image", type=Path, metavar="FILE", help="含二维码或条码的图片")
    what.add_argument("--text", metavar="T", help="身份证号或号牌（自动识别类型，如扫码枪输入）")
    what.add_argument("--history", action="store_true", help="列出本机做过的核查（最近的在前）")
    c.add_argument("--limit", type=_count, default=30, help="--history 列出的条数（1–1000）")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_check)

    w = sub.add_parser("watchlist", help="核查名单：导入、查看")
    wsub = w.add_subparsers(dest="watch_command", metavar="COMMAND", required=True)
    i = wsub.add_parser("import", help="从 CSV 文件导入（或整份替换）一份名单（管理员）")
    i.add_argument("file", type=Path)
    i.add_argument("--list", required=True, dest="list_name", metavar="NAME",
                   help="名单名称，如 被盗抢机动车、在逃人员、失踪人员")
    i.add_argument("--kind", choices=("person", "vehicle"), help="人员（身份证号）或车辆（号牌）；默认按列名")
    i.add_argument("--version", help="名单版本（默认：上一版加 1）")
    i.add_argument("--date", help="名单日期 YYYY-MM-DD（默认：今天）")
    i.add_argument("--instruction", help="命中后的处置要求（默认：按名单类型）")
    i.add_argument("--skip-bad", action="store_true", help="有误的行列出后跳过，只导入无误的行")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_import)
    ls = wsub.add_parser("list", help="本机的核查名单、版本、日期和条数")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)
    m = wsub.add_parser("max-age", help="名单超过多少天未更新时提示（管理员）")
    m.add_argument("days", type=int)
    m.set_defaults(func=cmd_max_age)


def _count(text: str) -> int:
    """--limit: a whole number from 1 to 1000 (argparse: exit 2 otherwise)."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= 1000:
        raise argparse.ArgumentTypeError(f"条数应为 1 到 1000 之间的整数，而不是“{text}”")
    return n


def cmd_check(args) -> int:
    """With --json a refusal is on stdout too, as {"error", "message"} (stderr keeps its line)."""
    from weicha_desktop.core.checks import BadKey
    from weicha_desktop.core.errors import WeichaError

    try:
        return _check(args)
    except WeichaError as e:
        if args.json:
            print_json({"error": "bad_key" if isinstance(e, BadKey) else "refused", "message": str(e)})
        raise  # the Chinese line on stderr, exit 1 (cli.main)


def _check(args) -> int:
    from weicha_desktop.core.checks import CheckService
    from weicha_desktop.core.sync.reference import local_forms

    with open_store(args) as store:
        svc = CheckService(store, login(args, store))
        if args.history:
            return _history(svc, args)
        shown = []

        def answer(result) -> None:  # the log committed: printed before the checkpoint's fsyncs
            shown.append(result)
            print_json(result.as_dict()) if args.json else _print_result(result, lambda: local_forms(store, older_later=True))
            sys.stdout.flush()

        if args.image:
            result = _check_image(svc, args.image, answer)
        else:
            kind = "person" if args.id_card else "vehicle" if args.plate else None
            result = svc.check(args.id_card or args.plate or args.text, kind, "cli", answered=answer)
        if not shown:
            answer(result)
        return EXIT_HIT if result.hit else EXIT_MISS


def _check_image(svc, path: Path, answered):
    from weicha_desktop.core.checks import BadKey, read_key
    from weicha_desktop.core.checks.scan import decode_image

    texts = decode_image(path)
    for text in texts:
        try:
            kind, key = read_key(text, svc.today())
        except BadKey:
            continue
        return svc.check(key, kind, "image", answered=answered)
    shown = "；".join(t[:40] for t in texts[:3])
    raise BadKey(f"图片中的条码（{shown}）不含有效的身份证号或号牌：请手工输入号码。")


def _print_result(r, forms) -> None:
    """``forms()``: the form registry, to name where in a record the number was found."""
    word = "身份证号" if r.kind == "person" else "号牌"
    if r.hit:
        print(f"！！命中核查名单：{word} {r.key}")
        for h in r.hits:
            print(f"  名单：{h.list}（第 {h.list_version} 版，{h.list_date or '日期不详'}）")
            facts = [f"姓名：{h.name}" if h.name else "", f"原因：{h.reason}" if h.reason else "",
                     *(f"{k}：{v}" for k, v in h.extra.items())]
            if any(facts):
                print("  " + "  ".join(f for f in facts if f))
            print(f"  处置：{h.instruction}")
    else:
        n = len(r.lists)
        oldest = max((i.age_days for i in r.lists if i.age_days is not None), default=None)
        age = f"，最旧的一份 {oldest} 天前更新" if oldest is not None else ""
        print(f"未命中：{word} {r.key} 不在本机的 {n} 份{'人员' if r.kind == 'person' else '车辆'}名单中{age}。")
    for m in r.records:
        where = field_words(forms(), m.kind, m.field)
        print(f"  本机记录：{m.number or m.record_id}（{kind_word(m.kind)}，{where}{'，' + m.name if m.name else ''}）")
    for w in r.warnings:
        print(f"  注意：{w}", file=sys.stderr)


def _history(svc, args) -> int:
    rows = svc.history(limit=args.limit)
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        mark = "命中 " + "、".join(row["lists"]) if row["result"] == "hit" else "未命中"
        print(f"{row['at']}  {row['user']}  {row['key']}  {mark}")
    return 0


def cmd_import(args) -> int:
    from weicha_desktop.core.checks import import_list
    from weicha_desktop.core.checks.lists import problems_text

    with open_store(args) as store:
        report = import_list(store, login(args, store), args.file, args.list_name, kind=args.kind,
                             version=args.version, list_date=args.date, instruction=args.instruction,
                             skip_bad=args.skip_bad)
    if args.json:
        print_json(report.as_dict())
        return 0
    kind = "人员" if report.kind == "person" else "车辆"
    print(f"已导入{kind}名单“{report.name}”第 {report.version} 版（{report.date}）：{report.imported} 条"
          f"（文件编码 {report.encoding}" + (f"，替换了原有的 {report.replaced} 条" if report.replaced else "") + "）。")
    if report.problems:
        print(f"以下 {len(report.problems)} 行有误，未导入：\n{problems_text(report.problems)}", file=sys.stderr)
    return 0


def cmd_list(args) -> int:
    from weicha_desktop.core.checks import lists

    with open_store(args) as store:
        login(args, store)
        held = lists(store, store.clock.now().date(), counts=True)
    if args.json:
        print_json([i.as_dict() for i in held])
        return 0
    if not held:
        print("本机还没有核查名单：请同步，或由管理员用 weicha watchlist import 导入。")
    for i in held:
        kind = "人员" if i.kind == "person" else "车辆"
        age = f"{i.age_days} 天前" if i.age_days is not None else "日期不详"
        stale = "  （已过期，请更新）" if i.stale else ""
        print(f"{i.name}  {kind}  第 {i.version} 版  {i.date or '—'}（{age}）  {i.entries} 条{stale}")
    return 0


def cmd_max_age(args) -> int:
    from weicha_desktop.core.checks import set_max_age_days

    with open_store(args) as store:
        set_max_age_days(store, login(args, store), args.days)
    print(f"已设置：核查名单超过 {args.days} 天未更新时提示。")
    return 0
