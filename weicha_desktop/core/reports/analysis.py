"""附件4 现场勘验情况分析报告: internal, printed with "不随案移交" on every page.

Every item of the national form, in its order (``NATIONAL``), whatever version of the scene
form the record was captured with: an item that version did not have prints "/" (form
version 4 has them all; 2 and 3 lack 分析依据材料, 案件性质, 进出路线, 侵入方式, 作案过程). Items
a form adds beyond the national ones print after them. A choice prints as the paper form
reads: its boxes, the chosen one ticked (其他 with its words)."""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from weicha_desktop.core.cases import CaseRecord
from weicha_desktop.core.forms.spec import FormSpec
from weicha_desktop.core.reports.note import LABEL_W, WIDTH, _p, date_line, grid, value_cell
from weicha_desktop.core.reports.styles import styles, text
from weicha_desktop.core.reports.values import EMPTY, fmt_datetime, fmt_scalar

# The national form's items in print order: (field id in the scene form, the form's words).
NATIONAL = (
    ("analysis_basis", "分析依据材料"),
    ("analysis_case_character", "案件性质"),
    ("analysis_target", "侵害目标"),
    ("analysis_time", "作案时段"),
    ("analysis_place", "作案地点"),
    ("analysis_entry_exit", "进出口"),
    ("analysis_route", "进出路线"),
    ("analysis_entry_method", "侵入方式"),
    ("analysis_modus", "作案手段"),
    ("analysis_tools", "作案工具"),
    ("analysis_motive", "作案动机"),
    ("analysis_offenders", "作案人数"),
    ("analysis_course", "作案过程"),
    ("analysis_traits", "作案人特点"),
    ("analysis_linkage", "串并意见"),
    ("analysis_suggestions", "工作建议"),
    ("analyst", "分析人"),
    ("analysis_date", "分析日期"),
)
SECTION = "analysis"


def build_analysis(spec: FormSpec, case: CaseRecord) -> list:
    st = styles()
    story: list = [Paragraph(text("现场勘验情况分析报告"), st["title"]),
                   Paragraph(text("内部资料　不随案移交"), st["internal"])]
    section = next((s for s in spec.sections if s.id == SECTION), None)
    if section is None:
        return story + [_p(f"本勘验所用表单（第 {spec.version} 版）没有分析报告部分。", "body")]
    data = case.data
    fields = {f.id: f for f in section.fields}
    rows = [[_p(label, "label"), _p(value)] for label, value in _case_rows(spec, case)]
    for field_id, label in NATIONAL:
        field = fields.pop(field_id, None)
        rows.append([_p(label, "label"), value_cell(field, data) if field else _p(EMPTY)])
    rows += [[_p(f.label.zh, "label"), value_cell(f, data)] for f in fields.values()]
    story.append(grid(rows, [LABEL_W, WIDTH - LABEL_W]))
    story += [Spacer(1, 8 * mm), Paragraph(text("分析人（签名）："), st["body"]), Spacer(1, 4 * mm),
              date_line()]
    return story


def _case_rows(spec: FormSpec, case: CaseRecord) -> list[tuple[str, str]]:
    """Which case the analysis is of: its number, where and when it happened."""
    data = case.data
    rows = [("勘验号", case.number or EMPTY)]
    for field_id in ("incident_address", "case_type"):
        try:
            field = spec.field(field_id)
        except KeyError:
            continue
        rows.append((field.label.zh, fmt_scalar(field, data.get(field_id))))
    start, end = data.get("occurred_from"), data.get("occurred_to")
    if start or end:
        rows.append(("发案时间", f"{fmt_datetime(start) if start else EMPTY} 至 "
                                f"{fmt_datetime(end) if end else EMPTY}"))
    return rows
