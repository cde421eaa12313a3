"""Hostile tester (issue 13): a patrol whose 结束时间 is before its 开始时间 is refused on every
write — created so, updated so — and never finalized (core/patrol/service.py and the form's
time_order rule in forms/patrol.yaml)."""
import pytest

from weicha_desktop.core.errors import FinalizeBlocked, ValidationFailed
from weicha_desktop.core.forms import check_rules
from weicha_desktop.core.patrol import PatrolService
from weicha_desktop.core.users import UserService

from tests.support import ManualClock, forms, new_store, tamper

START, BEFORE = "2026-11-27T08:00:00+08:00", "2026-11-27T07:00:00+08:00"


@pytest.fixture
def patrols(tmp_path):
    store = new_store(tmp_path / "d", clock=ManualClock())  # 2026-11-27 09:00 +08:00
    yield PatrolService(store, forms(), UserService(store).get("admin"))
    store.close()


def test_a_patrol_created_ending_before_it_starts_is_refused(patrols):
    with pytest.raises(ValidationFailed, match="结束时间.*早于开始时间"):
        patrols.create({"area": "文峰路", "started_at": START, "ended_at": BEFORE})
    with pytest.raises(ValidationFailed, match="早于开始时间"):  # the prefilled start (09:00)
        patrols.create({"area": "文峰路", "ended_at": "2026-11-27T08:30:00+08:00"})
    assert patrols.list() == []


def test_a_patrol_ending_before_it_starts_is_never_finalized(patrols):
    patrol = patrols.create({"area": "文峰路", "started_at": START, "ended_at": "2026-11-27T08:30:00+08:00"})
    tamper(patrols.store.data_dir / "weicha.db",  # as an older program or another device left it
           "UPDATE record_versions SET data = json_set(data, '$.ended_at', ?) WHERE record_id = ?",
           BEFORE, patrol.id)
    with pytest.raises(FinalizeBlocked, match="早于开始时间"):
        patrols.finalize(patrol.id)
    assert patrols.get(patrol.id).status == "draft"


def test_the_form_says_it_too():
    spec = forms().latest("patrol")
    assert [p.rule for p in check_rules(spec, {"started_at": START, "ended_at": BEFORE}, {})] == ["time_order"]
    assert check_rules(spec, {"started_at": START, "ended_at": START}, {}) == []
