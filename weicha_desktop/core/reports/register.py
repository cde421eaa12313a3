"""附件1 提取痕迹、物证登记表: a ruled table that splits across pages, header repeated, with
the signatures of 见证人, 持有人 and 提取人 under it."""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from weicha_desktop.core.cases import CaseRecord
from weicha_desktop.core.forms.spec import FormSpec
from weicha_desktop.core.reports.note import WIDTH, date_line, grid
from weicha_desktop.core.reports.styles import styles, text
from weicha_desktop.core.reports.values import EMPTY, fmt_datetime, is_empty

COLUMNS = [("序号", 7), ("编号", 33), ("名称", 18), ("基本特征", 24), ("数量", 8),
           ("提取部位", 17), ("提取方法", 15), ("提取人", 12), ("提取时间", 18), ("备注", 18)]


def _cell(value, style: str = "small") -> Paragraph:
    return Paragraph(text(EMPTY if is_empty(value) else str(value)), styles()[style])


def _remark(spec: FormSpec, row: dict) -> str:
    parts = [row.get("remarks") or ""]
    status = row.get("comparison_status")
    field = spec.field("evidence.comparison_status")
    if status and field.code_of(status) != "not_sent":
        detail = "".join(f" {x}" for x in (row.get("compared_on"), row.get("comparison_result")) if x)
        parts.append(f"〔{field.choice_label(status)}{detail}〕")
    return "".join(p for p in parts if p) or EMPTY


def build_register(spec: FormSpec, case: CaseRecord) -> list:
    """The register of ``case``, its choices in the words of ``spec`` (the case's form version)."""
    st = styles()
    rows = case.data.get("evidence") or []
    scale = WIDTH / (sum(w for _, w in COLUMNS) * mm)
    widths = [w * mm * scale for _, w in COLUMNS]
    body = [[_cell(h, "label") for h, _ in COLUMNS]]
    for i, row in enumerate(rows, 1):
        methods = spec.field("evidence.method")
        method = methods.choice_label(row["method"]) if row.get("method") else None
        if methods.chose_other(row.get("method")) and row.get("method_other"):
            method = f"{method}：{row['method_other']}"
        body.append([_cell(i), _cell(row.get("number"), "number"), _cell(row.get("name")),
                     _cell(row.get("features")), _cell(row.get("quantity")),
                     _cell(row.get("location")), _cell(method), _cell(row.get("collector")),
                     _cell(fmt_datetime(row["collected_at"]) if row.get("collected_at") else None),
                     _cell(_remark(spec, row))])
    if not rows:
        body.append([_cell("")] + [_cell(EMPTY)] + [_cell("") for _ in COLUMNS[2:]])
    story: list = [Paragraph(text("提取痕迹、物证登记表"), st["title"]),
                   Paragraph(text(f"勘验号 {case.number}　共 {len(rows)} 件"), st["subtitle"]),
                   grid(body, widths, header=True, repeat=1), Spacer(1, 8 * mm)]
    blank = Paragraph("", st["small"])  # for the signature, by hand
    signs = grid([[_cell("见证人", "label"), blank, _cell("持有人", "label"), blank,
                   _cell("提取人", "label"), blank]],
                 [18 * mm, (WIDTH - 54 * mm) / 3] * 3)
    story.append(KeepTogether([signs, Spacer(1, 4 * mm), date_line()]))
    return story
