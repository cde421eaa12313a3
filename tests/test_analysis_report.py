"""附件4 现场勘验情况分析报告 (issue 10 §5): every item of the national form — in the form
(version 4), on paper in the national order whatever version a record was captured with, and
filled by `weicha demo` for every finished case."""
import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.demo import DEMO_PASSWORD, analysis_values, fill_demo
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.reports.analysis import NATIONAL
from weicha_desktop.core.reports.service import ReportService
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService

from tests.pdf_support import text
from tests.support import forms, raw_writes

# what the issue found missing: the materials relied on, the way in and out, how entry was
# made, the case character, the course of the crime — and the items DOMAIN.md lists
NATIONAL_WORDS = ("分析依据材料", "进出路线", "侵入方式", "案件性质", "作案过程", "侵害目标", "作案时段",
                  "作案地点", "进出口", "作案手段", "作案工具", "作案动机", "作案人数", "作案人特点",
                  "串并意见", "工作建议", "分析人")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    store = Store.open(tmp_path_factory.mktemp("annex4") / "data")
    fill_demo(store, forms(), cases=8, seed=3, batch=8)
    admin = UserService(store).authenticate("admin", DEMO_PASSWORD)
    cases = CaseService(store, forms(), admin)
    yield store, cases, ReportService(cases, PhotoService(store, admin, forms()))
    store.close()


def _finished(store) -> list[str]:
    return [r[0] for r in store.conn.execute("SELECT id FROM records WHERE status <> 'draft' ORDER BY number")]


def _flat(pages: list[str]) -> str:
    return "".join("".join(pages).split())  # a long value wraps: compare without the breaks


def test_the_form_has_every_national_item_in_its_order():
    spec = forms().latest("scene_investigation")
    section = next(s for s in spec.sections if s.id == "analysis")
    assert spec.version >= 4
    assert [f.id for f in section.fields] == [field_id for field_id, _ in NATIONAL]
    assert [f.label.zh for f in section.fields] == [words for _, words in NATIONAL]
    assert set(NATIONAL_WORDS) <= {words for _, words in NATIONAL}
    assert all(f.label.en and not f.required for f in section.fields)  # 附件4 never blocks finalizing
    method = spec.field("analysis_entry_method")
    assert method.type == "choice" and "other" in method.choice_values and method.other_key
    older = forms().get("scene_investigation", 3)  # records keep the version they were made with
    with pytest.raises(KeyError):
        older.field("analysis_course")


def test_demo_fills_annex4_for_every_finished_case(demo):
    store, cases, _ = demo
    finished = _finished(store)
    assert len(finished) >= 3
    for case_id in finished:
        case = cases.get(case_id)
        for field_id, words in NATIONAL:
            assert case.data.get(field_id) not in (None, "", []), (case.number, words)
        assert not cases.check_data(case, case.data, complete=False)


def test_every_national_item_prints_with_its_value(demo, tmp_path):
    store, cases, reports = demo
    case = cases.get(_finished(store)[0])
    out = tmp_path / "annex4.pdf"
    reports.render(case.id, out, parts=["analysis"])
    whole = _flat(text(out))
    at = whole.find("分析依据材料")
    for _, words in NATIONAL:  # every item, in the national form's order
        at = whole.find(words, at)
        assert at >= 0, words
    spec = cases.spec_for(case)
    for field_id in ("analysis_basis", "analysis_route", "analysis_course", "analysis_case_character"):
        assert "".join(case.data[field_id].split()) in whole, field_id
    chosen = spec.field("analysis_entry_method").choice_label(case.data["analysis_entry_method"])
    assert chosen in whole and "不随案移交" in whole and case.data["analysis_entry_method"] not in whole


def test_a_record_of_an_older_version_prints_the_national_items_it_lacks_as_blank(demo, tmp_path):
    store, cases, reports = demo
    v3 = cases.forms.get("scene_investigation", 3)
    done = cases.get(_finished(store)[1])
    old = {k: v for k, v in done.data.items() if k not in
           ("case_number", "analysis_basis", "analysis_case_character", "analysis_route",
            "analysis_entry_method", "analysis_course")}
    old["evidence"] = [{k: v for k, v in row.items() if k != "number"} for row in old["evidence"]]
    case = cases.new_case(old)  # a draft, as if captured with version 3
    with raw_writes(store):
        store.conn.execute("UPDATE record_versions SET form_version = 3 WHERE record_id = ?", (case.id,))
    case = cases.get(case.id)
    assert cases.spec_for(case) == v3
    out = tmp_path / "v3.pdf"
    reports.render(case.id, out, parts=["analysis"])
    whole = _flat(text(out))
    assert all(words in whole for _, words in NATIONAL)
    assert "分析依据材料/案件性质/" in whole and "进出路线/侵入方式/" in whole
    assert "".join(case.data["analysis_traits"].split()) in whole


def test_analysis_values_fit_the_form_for_every_case_type():
    from weicha_desktop.core.demo import CASE_TYPES, scene_values
    from weicha_desktop.core.forms import validate

    spec = forms().latest("scene_investigation")
    for seed, case_type in enumerate(sorted(set(CASE_TYPES))):
        values = {**scene_values(seed), "case_type": case_type}
        values["case_number"] = "K4507020000002026110001"  # the system's, not the demo's
        assert validate(spec, {**values, **analysis_values(values)}, complete=True) == []
