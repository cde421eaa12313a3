"""现场勘验检查笔录: every section of the form in print order, as the paper form reads."""
from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, LongTable, Paragraph, Spacer, Table, TableStyle

from weicha_desktop.core.cases import CaseRecord
from weicha_desktop.core.forms import compile_expr
from weicha_desktop.core.forms.spec import Field, FormSpec, Section
from weicha_desktop.core.reports.fonts import cjk_font
from weicha_desktop.core.reports.styles import GRID, MARGIN_X, SHADE, styles, text
from weicha_desktop.core.reports.values import EMPTY, CheckList, fmt_scalar, is_empty

NUMERALS = "一二三四五六七八九十"
WIDTH = 210 * mm - 2 * MARGIN_X
LABEL_W = 34 * mm
# Sections printed elsewhere: the evidence list is 附件1, the analysis is 附件4.
ANNEX_SECTIONS = {"evidence_list": "附件1", "analysis": "附件4"}
SIGNERS = ("recorder", "sketcher", "photographer", "video_recorder", "audio_recorder")


def relevant(field: Field, data: dict[str, Any]) -> bool:
    return not field.relevant or compile_expr(field.relevant).holds(data)


def grid(rows: list[list], widths: list[float], header: bool = False, repeat: int = 0) -> Table:
    table = (LongTable if repeat else Table)(rows, colWidths=widths, repeatRows=repeat)
    cmds = [("FONTNAME", (0, 0), (-1, -1), cjk_font()),  # else Table sets Helvetica per cell
            ("GRID", (0, 0), (-1, -1), 0.5, GRID), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    if header:
        cmds.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    else:
        cmds.append(("BACKGROUND", (0, 0), (0, -1), SHADE))
    table.setStyle(TableStyle(cmds))
    return table


def _p(value: str, style: str = "cell") -> Paragraph:
    return Paragraph(text(value), styles()[style])


def value_cell(field: Field, data: dict[str, Any]):
    value = data.get(field.id)
    if field.type in ("choice", "multichoice") and field.choices:
        return CheckList(field, value, data.get(field.other_key) if field.other_key else None)
    return _p(fmt_scalar(field, value))


# fixed column widths (mm) for person sub-fields; the others share what is left
PERSON_WIDTHS = {"name": 17, "gender": 10, "birth_date": 24, "id_number": 37, "phone": 24}


def people_table(field: Field, rows: list[dict], sign: bool = True) -> Table:
    subs = list(field.fields)
    head = ["序号"] + [s.label.zh for s in subs] + (["签名"] if sign else [])
    body = [[_p(h, "label") for h in head]]
    for i, row in enumerate(rows or [{}], 1):
        body.append([_p(str(i) if rows else EMPTY)]
                    + [_p(fmt_scalar(s, row.get(s.id)) if rows else "") for s in subs]
                    + ([_p("")] if sign else []))
    fixed = 9 * mm + (20 * mm if sign else 0)
    known = sum(PERSON_WIDTHS.get(s.id, 0) for s in subs) * mm
    flexible = [s for s in subs if s.id not in PERSON_WIDTHS]
    share = (WIDTH - fixed - known) / max(1, len(flexible))
    widths = [9 * mm] + [PERSON_WIDTHS[s.id] * mm if s.id in PERSON_WIDTHS else share for s in subs]
    if not flexible:  # stretch the fixed ones to the full width
        widths = [9 * mm] + [w * (WIDTH - fixed) / known for w in widths[1:]]
    return grid(body, widths + ([20 * mm] if sign else []), header=True, repeat=1)


def date_line() -> Paragraph:
    """"年  月  日" at the right, as on the paper form (non-breaking spaces survive layout)."""
    gap = "&nbsp;" * 8
    return Paragraph(f"年{gap}月{gap}日", styles()["date"])


def section_flowables(index: int, section: Section, data: dict[str, Any]) -> list:
    st = styles()
    out: list = [Paragraph(text(f"{NUMERALS[index]}、{section.title.zh}"), st["h2"])]
    if section.id in ANNEX_SECTIONS:
        rows = data.get("evidence") or []
        if rows:
            out.append(_p(f"提取痕迹物证 {len(rows)} 件，详见{ANNEX_SECTIONS[section.id]}"
                          "《提取痕迹、物证登记表》。", "body"))
        else:
            reason = data.get("no_evidence_reason") or EMPTY
            out.append(_p(f"未提取痕迹物证。原因：{reason}", "body"))
        return out
    pairs: list[list] = []

    def flush() -> None:
        if pairs:
            out.append(grid(list(pairs), [LABEL_W, WIDTH - LABEL_W]))
            pairs.clear()

    for field in section.fields:
        if not relevant(field, data):
            continue  # the paper form leaves out what does not apply
        value = data.get(field.id)
        if field.type == "textarea":
            flush()
            body = text(value) if not is_empty(value) else EMPTY
            out.append(KeepTogether([_p(field.label.zh + "：", "label"),
                                     Paragraph(body, st["narrative"])]))
        elif field.type == "repeat":
            flush()
            out.append(_p(field.label.zh + "：", "label"))
            out.append(people_table(field, value or [], sign=True))
            out.append(Spacer(1, 2 * mm))
        elif field.type == "photos":
            continue
        else:
            pairs.append([_p(field.label.zh, "label"), value_cell(field, data)])
    flush()
    return out


def signatures(spec: FormSpec, data: dict[str, Any]) -> list:
    st = styles()
    rows = []
    for fid in SIGNERS:
        try:
            field = spec.field(fid)
        except KeyError:
            continue
        rows.append([_p(field.label.zh, "label"), _p(fmt_scalar(field, data.get(fid))),
                     _p("签名", "label"), _p("")])
    out: list = [Paragraph(text("签　名"), st["h2"])]
    if rows:
        out.append(grid(rows, [LABEL_W, 56 * mm, 16 * mm, WIDTH - LABEL_W - 72 * mm]))
    out.append(Spacer(1, 6 * mm))
    out.append(date_line())
    return out


def build_note(spec: FormSpec, case: CaseRecord) -> list:
    st = styles()
    data = case.data
    sub = f"勘验号 {case.number}　第 {case.version} 版"
    if case.amend_reason:
        sub += f"　（补正：{case.amend_reason}）"
    story: list = [Paragraph(text(spec.title.zh), st["title"]), Paragraph(text(sub), st["subtitle"])]
    index = 0
    for section in spec.sections:
        if section.id == "analysis":
            continue
        story += section_flowables(index, section, data)
        index += 1
    return story + signatures(spec, data)
