"""巡逻工作记录: a patrol's log as a PDF on the report pipeline (core/reports: A4, the shipped
CJK font embedded, 第 X 页 共 Y 页, 草稿 watermark on a draft, the integrity block with the
content hash and its QR code): the patrol's facts and summary, what was seen, the records
linked, the checks its officers made on the way, the route points. Written whole or not at
all where the user says (core/safe_output.py) and logged (``patrol.report``)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from weicha_desktop.core.canonical import sha256_hex
from weicha_desktop.core.records import Record
from weicha_desktop.core.safe_output import atomic_output, check_output

from .service import PatrolService

TITLE = "巡逻工作记录"


def write_patrol_log(svc: PatrolService, key: str, path: str | os.PathLike) -> dict[str, Any]:
    """The patrol ``key``'s log at ``path``; {path, pages, size, sha256}. OutputError for a
    target it may not write (the data folder, a folder, …), before any work."""
    store = svc.store
    check_output(path, data_dir=store.data_dir)
    record = svc.get(key)
    printed_at = store.clock.now().strftime("%Y-%m-%d %H:%M")
    with atomic_output(path, data_dir=store.data_dir) as tmp:
        pages = _render(svc, record, Path(tmp), printed_at)
        data = Path(tmp).read_bytes()
    result = {"path": str(path), "pages": pages, "size": len(data), "sha256": sha256_hex(data)}
    store.log_read(svc.actor, "patrol.report", "patrol", record.id,
                   f"导出巡逻工作记录 {svc.label(record)} 第 {record.version} 版（{pages} 页）",
                   {"version": record.version, "file": str(path), "pages": pages, "sha256": result["sha256"]})
    return result


def _render(svc: PatrolService, record: Record, path: Path, printed_at: str) -> int:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    from weicha_desktop.core.reports.integrity import IntegrityBlock
    from weicha_desktop.core.reports.note import WIDTH, grid
    from weicha_desktop.core.reports.pdfdoc import ReportDoc
    from weicha_desktop.core.reports.styles import styles, text
    from weicha_desktop.core.reports.values import EMPTY, fmt_datetime

    st, spec, data = styles(), svc.spec_for(record), record.data
    summary = svc.summary(record)

    def p(value: Any, style: str = "cell") -> Paragraph:
        return Paragraph(text(EMPTY if value in (None, "") else str(value)), st[style])

    def when(value: Any) -> str:
        return fmt_datetime(value) if isinstance(value, str) and value else EMPTY

    def table(header: list[str], rows: list[list[Any]], widths: list[float]) -> Any:
        if not rows:
            return p("无", "body")
        scale = WIDTH / sum(widths)
        return grid([[p(h, "label") for h in header]] + [[p(v) for v in row] for row in rows],
                    [w * scale for w in widths], header=True, repeat=1)

    mode = spec.field("mode")
    source = spec.field("route.source")
    officers = "、".join(str(o.get("name") or "") for o in data.get("officers") or [] if isinstance(o, dict))
    facts = [("巡逻区域", data.get("area")), ("巡逻方式", mode.choice_label(data["mode"]) if data.get("mode") else None),
             ("巡逻民警", officers), ("开始时间", when(data.get("started_at"))),
             ("结束时间", when(data.get("ended_at")) if data.get("ended_at") else "（尚未结束）"),
             ("小结", summary.text())]
    story: list = [Paragraph(text(TITLE), st["title"]), Spacer(1, 3 * mm),
                   grid([[p(k, "label"), p(v)] for k, v in facts], [28 * mm, WIDTH - 28 * mm])]
    story += [Paragraph(text("发现情况"), st["h2"]),
              table(["时间", "地点", "情况"], [[when(o.get("time")), o.get("place"), o.get("content")]
                                            for o in data.get("observations") or [] if isinstance(o, dict)],
                    [30, 40, 110])]
    story += [Paragraph(text("途中关联的记录"), st["h2"]),
              table(["身份", "记录", "说明"], [[x["role_label"], x["other"]["label"] if x["other"] else x["other_id"],
                                             x["note"]] for x in svc.linked(record)], [30, 100, 50])]
    story += [Paragraph(text("途中核查"), st["h2"]),
              table(["时间", "核查人", "号码", "结果"], [[when(c["at"]), c["user"], c["key"],
                                                    "命中" if c["result"] == "hit" else "未命中"]
                                                   for c in summary.check_list], [40, 40, 70, 30])]
    if data.get("summary"):
        story += [Paragraph(text("巡逻小结"), st["h2"]), Paragraph(text(data["summary"]), st["narrative"])]
    story += [Paragraph(text("路线点"), st["h2"]),
              table(["序号", "时间", "纬度", "经度", "来源", "说明"],
                    [[i, when(r.get("time")), r.get("lat"), r.get("lon"),
                      source.choice_label(r["source"]) if r.get("source") else None, r.get("note")]
                     for i, r in enumerate(data.get("route") or [], 1) if isinstance(r, dict)],
                    [12, 34, 24, 24, 20, 60])]
    story += [Spacer(1, 6 * mm), IntegrityBlock(record, printed_at, number_label="巡逻记录")]
    doc = ReportDoc(path, unit_name=svc.store.meta("unit_name") or "", case_number=svc.label(record),
                    draft=record.status == "draft", title=TITLE, number_label="巡逻")
    doc.build_story(story)
    return doc.page
