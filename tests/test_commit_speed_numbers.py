"""A record's numbers (core/numbering.py ``allocate``) are issued without walking every form
and version of the registry when the form at hand declares the letter; a letter it does not
declare is still checked against the registry, and a used-up block still names what it
numbers (勘验号, 痕迹物证编号) as the registry says."""
import pytest

from weicha_desktop.core import numbering
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.errors import NumberingExhausted
from weicha_desktop.core.numbering import SlotPlan

from tests.support import UNIT, admin, forms, raw_writes, store  # noqa: F401 — fixtures


@pytest.fixture
def walks(monkeypatch):
    """How often the registry's every-form walk (number_prefixes) ran."""
    registry, calls = forms(), []
    real = registry.number_prefixes
    monkeypatch.setattr(registry, "number_prefixes", lambda: calls.append(1) or real())
    return calls


def test_a_case_and_its_numbered_rows_get_numbers_without_walking_every_form(store, admin, walks):
    cases = CaseService(store, forms(), admin)
    case = cases.new_case()
    saved = cases.update(case.id, {"evidence": [{"name": "指纹"}, {"name": "足迹"}]})
    numbers = [row["number"] for row in saved.data["evidence"]]
    assert case.number.startswith("K") and [n[0] for n in numbers] == ["H", "H"]
    assert walks == []


def test_a_letter_the_form_does_not_declare_is_still_asked_of_the_registry(store, admin, walks):
    spec = forms().latest(forms().form_for("case"))
    with pytest.raises(ValueError, match="no form declares"):
        with store.change(admin) as ch:
            ch.log("case.export", "case", None, "x")
            numbering.allocate(ch, "Q", "obj", forms=forms(), spec=spec)
    assert walks == [1]


def test_a_used_up_block_still_names_what_it_numbers(store, admin, walks):
    plan = SlotPlan(1, 1)
    period = store.clock.now().strftime("%Y%m")
    with raw_writes(store):
        store.conn.execute("INSERT INTO serials VALUES ('K', ?, ?, ?)", (UNIT, period, plan.last))
    with pytest.raises(NumberingExhausted, match="勘验号编号段"):
        CaseService(store, forms(), admin).new_case()
    assert walks == [1]  # the label, asked only for the message
