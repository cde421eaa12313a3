"""附件4 现场勘验情况分析报告: internal, printed with "不随案移交" on every page."""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from weicha_desktop.core.cases import CaseRecord
from weicha_desktop.core.forms.spec import FormSpec
from weicha_desktop.core.reports.note import LABEL_W, WIDTH, _p, date_line, grid
from weicha_desktop.core.reports.styles import styles, text
from weicha_desktop.core.reports.values import fmt_scalar


def build_analysis(spec: FormSpec, case: CaseRecord) -> list:
    st = styles()
    story: list = [Paragraph(text("现场勘验情况分析报告"), st["title"]),
                   Paragraph(text("内部资料　不随案移交"), st["internal"])]
    try:
        section = next(s for s in spec.sections if s.id == "analysis")
    except StopIteration:
        return story + [_p(f"本勘验所用表单（第 {spec.version} 版）没有分析报告部分。", "body")]
    rows = [[_p(f.label.zh, "label"), _p(fmt_scalar(f, case.data.get(f.id)))] for f in section.fields]
    story.append(grid(rows, [LABEL_W, WIDTH - LABEL_W]))
    story += [Spacer(1, 8 * mm), Paragraph(text("分析人（签名）："), st["body"]), Spacer(1, 4 * mm),
              date_line()]
    return story
