"""Issue 10 §3: 照片张数 against the photo log — a rule of ``level: notice`` (提示): reported by the
checker, after the problems, and never blocking 定稿 (the 笔录 counts the photos taken at the
scene; the photo pages may attach a selection). A level other than block / notice is refused."""
from __future__ import annotations

import pytest

from gui_support import admin, cases, complete_values, store  # noqa: F401  (fixtures)
from support import run_cli
from weicha_desktop.core.forms import FormError, check_notices, check_rules, load_form
from weicha_desktop.core.messages import render

NOTICE = "照片张数（3）与照片记录（0 张）不一致，请核对"


def test_a_photo_count_unlike_the_log_is_a_notice_that_does_not_block_finalizing(cases):
    case = cases.new_case(complete_values() | {"photo_total": 3})  # no photo in the log
    assert cases.blockers(case.id) == []
    assert cases.check_data(case, case.data, complete=True) == []  # what blocks: nothing
    [notice] = cases.notices(case)
    assert (notice.path, notice.rule, str(notice.message)) == ("photo_total", "photo_total", NOTICE)
    assert render(notice.message, "en") == \
        "The number of photos (3) differs from the photo log (0): please check"
    assert cases.notices(case, dict(case.data, photo_total=0)) == []  # the form's data, in step
    assert cases.finalize(case.id).status == "finalized"
    assert [str(n.message) for n in cases.notices(cases.get(case.id))] == [NOTICE]  # still said


def test_in_step_or_empty_there_is_no_notice(cases):
    case = cases.new_case(complete_values())  # 0 photos, 照片张数 0
    assert cases.notices(case) == []
    assert cases.notices(case, dict(case.data, photo_total=None)) == []  # empty: 必填 says it


def test_case_check_prints_the_notices_after_the_problems(store, cases):
    values = complete_values() | {"photo_total": 3, "recorder": None}  # one blocker, one notice
    number = cases.new_case(values).number
    store.close()
    r = run_cli(store.data_dir, "case", "check", number, user="admin")
    lines = r.stdout.splitlines()
    assert r.returncode == 1, r.stderr  # the blocker; the notice adds nothing to it
    assert lines[0].startswith("- ") and "笔录人" in lines[0]
    assert lines[1] == f"- 提示：photo_total: {NOTICE}"
    assert lines[2:] == ["共 1 项阻止定稿。", "另有 1 条提示，请核对（不阻止定稿）。"]


FORM = """id: tiny
version: 1
title: {{zh: 小表, en: Tiny}}
sections:
  - id: main
    title: {{zh: 主要, en: Main}}
    fields:
      - {{id: total, type: integer, label: {{zh: 张数, en: Count}}}}
rules:
  - id: some
    message: 须有张数
    require: "not empty(total)"
  - id: step
    message: 张数（{{total}}）与照片（{{photo_count}} 张）不一致
    require: "total == photo_count"
{level}
"""


def tiny(tmp_path, level: str):
    path = tmp_path / "tiny.yaml"
    path.write_text(FORM.format(level=level), encoding="utf-8")
    return load_form(path)


def test_a_rule_declares_its_level_block_by_default(tmp_path):
    spec = tiny(tmp_path, "    level: notice")
    assert [r.level for r in spec.rules] == ["block", "notice"]
    facts = {"photo_count": 2, "photo_classes": []}
    assert [p.rule for p in check_rules(spec, {}, facts)] == ["some"]  # what blocks
    assert [str(p.message) for p in check_notices(spec, {"total": 5}, facts)] == ["张数（5）与照片（2 张）不一致"]
    assert check_rules(spec, {"total": 5}, facts) == []
    assert [r.level for r in tiny(tmp_path, "    level: block").rules] == ["block", "block"]


@pytest.mark.parametrize("level, words", [
    ("    level: warning", "未知的 level“warning”（可用：block、notice"),
    ("    level: Notice", "未知的 level“Notice”"),
    ("    level: ''", "level 应为非空文字"),
    ("    level: [notice]", "level 应为非空文字"),
])
def test_an_unknown_level_is_refused_with_its_line(tmp_path, level, words):
    with pytest.raises(FormError) as found:
        tiny(tmp_path, level)
    [problem] = found.value.problems
    assert problem.startswith(f"{tmp_path / 'tiny.yaml'}:16: rule step: ") and words in problem
