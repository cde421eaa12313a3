"""人员 / 车辆 / 场所信息表: a collect record on one A4 page, on the report pipeline
(core/reports: the shipped CJK font embedded, 第 X 页 共 Y 页, 草稿 watermark on a draft, the
integrity block with the content hash and its QR code): every field of the form in its words
(a choice by its label, a person by name and 身份证号, coordinates as numbers, photos counted),
then its links either way round and the records that name its number. Written whole or not at
all where the user says (core/safe_output.py) and logged (``collect.report``)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from weicha_desktop.core.canonical import sha256_hex
from weicha_desktop.core.records import Record
from weicha_desktop.core.safe_output import atomic_output, check_output

from .links import KIND_WORDS, LinkService
from .service import CollectService

TITLES = {"person": "人员信息表", "vehicle": "车辆信息表", "place": "场所信息表"}


def write_sheet(svc: CollectService, key: str, path: str | os.PathLike) -> dict[str, Any]:
    """The record ``key``'s sheet at ``path``: {path, pages, size, sha256}. OutputError for a
    target it may not write (the data folder, a folder, …), before any work."""
    store = svc.store
    check_output(path, data_dir=store.data_dir)
    record = svc.get(key)
    with atomic_output(path, data_dir=store.data_dir) as tmp:
        pages = _render(svc, record, Path(tmp), store.clock.now().strftime("%Y-%m-%d %H:%M"))
        data = Path(tmp).read_bytes()
    result = {"path": str(path), "pages": pages, "size": len(data), "sha256": sha256_hex(data)}
    store.log_read(svc.actor, "collect.report", svc.kind, record.id,
                   f"导出{TITLES[svc.kind]} {svc.label(record)} 第 {record.version} 版（{pages} 页）",
                   {"version": record.version, "file": str(path), "pages": pages, "sha256": result["sha256"]})
    return result


def shown(field, value: Any) -> str:
    """A field's value in words, as the sheet prints it ("" when empty)."""
    if value in (None, "", [], {}):
        return ""
    if field.type == "photos":
        return f"{len(value)} 张" if isinstance(value, list) else ""
    if field.type == "person" and isinstance(value, dict):
        return " ".join(str(value[k]) for k in ("name", "id_number", "phone") if value.get(k))
    if field.type == "geopoint" and isinstance(value, dict):
        return f"纬度 {value.get('lat')}，经度 {value.get('lon')}"
    if field.choices:
        return "、".join(field.choice_label(v) for v in value) if isinstance(value, list) else field.choice_label(value)
    return str(value)


def _render(svc: CollectService, record: Record, path: Path, printed_at: str) -> int:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    from weicha_desktop.core.reports.integrity import IntegrityBlock
    from weicha_desktop.core.reports.note import WIDTH, grid
    from weicha_desktop.core.reports.pdfdoc import ReportDoc
    from weicha_desktop.core.reports.styles import styles, text
    from weicha_desktop.core.reports.values import EMPTY

    st = styles()

    def cell(value: Any, style: str = "cell") -> Paragraph:
        return Paragraph(text(str(value) if value not in (None, "") else EMPTY), st[style])

    facts = [[cell(f.label.zh, "label"), cell(shown(f, record.data.get(f.id)))]
             for f in svc.spec_for(record).all_fields()]
    links = LinkService(svc.store, svc.forms, svc.actor).links_of(record.id)
    linked = [[cell(x["role_label"], "label"),
               cell(f"{x['other']['label']}（{KIND_WORDS.get(x['other']['kind'], '记录')}）" if x["other"]
                    else x["other_id"]), cell(x.get("note"))] for x in links]
    linked += [[cell("出现在", "label"), cell(f"{m['label']}（{KIND_WORDS.get(m['kind'], '记录')}）"), cell(m["field"])]
               for m in svc.related(record)]
    story: list = [Paragraph(text(TITLES[svc.kind]), st["title"]), Spacer(1, 3 * mm),
                   grid(facts, [30 * mm, WIDTH - 30 * mm]), Paragraph(text("关联"), st["h2"])]
    story.append(grid(linked, [30 * mm, WIDTH - 80 * mm, 50 * mm]) if linked else Paragraph(text("无"), st["body"]))
    story += [Spacer(1, 6 * mm), IntegrityBlock(record, printed_at, number_label="记录")]
    doc = ReportDoc(path, unit_name=svc.store.meta("unit_name") or "", case_number=svc.label(record),
                    draft=record.status == "draft", title=TITLES[svc.kind], number_label="记录")
    doc.build_story(story)
    return doc.page
