"""`weicha photos …` and `weicha evidence …`: the photo log and the 痕迹物证 register from the
command line (same core services as the GUI)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from weicha_desktop.cli.context import case_service, discard_stdout, open_store, photo_services


def register(sub) -> None:
    photos = sub.add_parser("photos", help="现场照片").add_subparsers(dest="photos_cmd", required=True)
    s = photos.add_parser("import", help="把照片文件或文件夹（相机存储卡）导入勘验",
                          epilog="每个输入文件报告一次（--json 时每个一行）。退出码：0 全部已导入"
                                 "（或本案已有相同照片）；1 有文件未导入（不是图像、已损坏、后台"
                                 "处理进程意外终止或无法启动）或没有文件；2 用法错误。")
    s.add_argument("case")
    s.add_argument("inputs", nargs="+", type=Path, metavar="FILE_OR_DIR")
    s.add_argument("--json", action="store_true", help="每个输入文件输出一行 JSON")
    s.add_argument("--class", dest="photo_class", metavar="CLASS",
                   help="新导入照片的分类（如 细目、方位，或其代码 detail）；不给则不分类")
    s.set_defaults(func=cmd_photos_import)
    s = photos.add_parser("list", help="列出勘验的照片")
    s.add_argument("case")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_photos_list)
    s = photos.add_parser("set", help="设置照片的分类、说明、照相人、关联物证")
    s.add_argument("case")
    s.add_argument("number", type=int, help="照片编号")
    s.add_argument("--class", dest="photo_class")
    s.add_argument("--caption")
    s.add_argument("--photographer")
    s.add_argument("--evidence", dest="evidence_number", help="关联的痕迹物证编号（H…）")
    s.set_defaults(func=cmd_photos_set)

    evidence = sub.add_parser("evidence", help="痕迹物证").add_subparsers(dest="evidence_cmd", required=True)
    s = evidence.add_parser("labels", help="打印物证标签（A4 标签纸，含二维码）")
    s.add_argument("case")
    s.add_argument("-o", "--output", type=Path, required=True)
    s.add_argument("--layout", default="3x8", choices=["3x8", "2x7", "3x7"])
    s.add_argument("--skip", type=int, default=0, help="首张标签纸上已用掉的标签数")
    s.set_defaults(func=cmd_evidence_labels)


def cmd_photos_import(args) -> int:
    with open_store(args) as store:
        cases, photos = photo_services(args, store)
        case = cases.get(args.case)

        def progress(done, total, result):
            if args.json:
                line = json.dumps(result.as_json(), ensure_ascii=False)
            else:
                mark = {"imported": "已导入", "duplicate": "重复", "rejected": "未导入"}[result.status]
                extra = f"：{result.reason}" if result.reason else ""
                line = f"[{done}/{total}] {mark} {result.file}{extra}"
            try:
                print(line, flush=True)
            except BrokenPipeError:  # `… | head`: the reader left, the card is still imported
                discard_stdout(sys.stdout)  # whole; the exit code still says how it went

        results = photos.import_files(case.id, args.inputs, progress=progress,
                                      photo_class=class_value(photos, args.photo_class))
    rejected = sum(r.status == "rejected" for r in results)
    if not args.json:
        print(f"共 {len(results)} 个文件：导入 {sum(r.status == 'imported' for r in results)}，"
              f"重复 {sum(r.status == 'duplicate' for r in results)}，未导入 {rejected}")
    failed = [r for r in results if r.failure]
    if failed:  # not the files' fault (as far as we know): say so, and which to import again
        print(f"错误：{len(failed)} 个文件因后台处理失败未导入（工作进程意外终止、超时或无法启动），"
              "请检查后重新导入：", file=sys.stderr)
        for r in failed:
            print(f"  - {r.file}：{r.reason}", file=sys.stderr)
    return 1 if rejected or not results else 0


def class_value(photos, given: str | None) -> str | None:
    """A class as typed: its words (细目) or its code (detail) → the value a photo holds; an
    unknown one goes on as typed, for the service's refusal that lists the classes."""
    if given is None:
        return None
    return next((c.value for c in photos.class_choices() if given.strip() in (c.code, c.value)),
                given)


def cmd_photos_list(args) -> int:
    with open_store(args) as store:
        cases, photos = photo_services(args, store)
        listed = photos.list(cases.get(args.case).id)
    if args.json:
        print(json.dumps([{**p.__dict__, "gps": p.gps} for p in listed], ensure_ascii=False, indent=2))
        return 0
    for p in listed:
        print(f"{p.position:>3}  {p.photo_class or '（未分类）'}  {p.caption}  {p.taken_at or '时间不详'}  "
              f"{p.width}×{p.height}  {p.sha256[:16]}  {p.original_name}")
    return 0


def cmd_photos_set(args) -> int:
    from weicha_desktop.core.errors import WeichaError

    values = {k: getattr(args, k) for k in ("photo_class", "caption", "photographer", "evidence_number")
              if getattr(args, k) is not None}
    with open_store(args) as store:
        cases, photos = photo_services(args, store)
        case = cases.get(args.case)
        match = [p for p in photos.list(case.id) if p.position == args.number]
        if not match:
            raise WeichaError(f"勘验 {case.number} 没有第 {args.number} 号照片。")
        if "photo_class" in values:
            values["photo_class"] = class_value(photos, values["photo_class"])
        photos.update(match[0].id, **values)
    print(f"已修改 {case.number} 第 {args.number} 号照片")
    return 0


def cmd_evidence_labels(args) -> int:
    from weicha_desktop.core.errors import WeichaError
    from weicha_desktop.core.reports.labels import items_from_case, write_labels

    with open_store(args) as store:
        cases = case_service(args, store)
        case = cases.get(args.case)
        items = items_from_case(case.number, case.data.get("evidence") or [], cases.spec_for(case))
        if not items:
            raise WeichaError(f"勘验 {case.number} 还没有编号的痕迹物证。")
        pages = write_labels(items, args.output, args.layout, skip=args.skip, data_dir=store.data_dir)
        store.log_read(cases.actor, "evidence.labels", "case", case.id,
                       f"打印物证标签 {case.number}：{len(items)} 张", {"count": len(items)})
    print(f"已生成 {args.output}：{len(items)} 张标签，{pages} 页", file=sys.stderr)
    return 0
