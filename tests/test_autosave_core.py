"""The recovery journal (draft_buffer) and editing sessions, without Qt: autosave writes no
work log and no sync operation; a commit is ONE of each and empties the journal in the same
transaction; invalid edits stay in the journal."""
import pytest

from weicha_desktop.core import drafts
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.demo import scene_values
from weicha_desktop.core.errors import InvalidState, ValidationFailed, WeichaError
from weicha_desktop.core.users import UserService

from tests.support import PASSWORD, new_store
from tests.support import forms as shipped_forms


@pytest.fixture
def env(tmp_path):
    store = new_store(tmp_path)
    users = UserService(store)
    admin = users.authenticate("admin", PASSWORD)
    tech = users.add(admin, "李明", "technician", "tech-pass", badge_no="200014")
    forms = shipped_forms()
    yield store, CaseService(store, forms, tech), CaseService(store, forms, admin)
    store.close()


def counts(store) -> tuple[int, int]:
    return store.db["audit_log"].count, store.db["outbox"].count


def test_autosave_journals_without_work_log_or_sync(env):
    store, cases, _ = env
    case = cases.new_case()
    before = counts(store)
    for text in ("钦州", "钦州市钦南区", "钦州市钦南区永福路 12 号"):
        saved_at = cases.autosave(case.id, {"scene_address": text, "remarks": None})
    assert counts(store) == before
    assert store.db["draft_buffer"].count == 1  # one row per case, replaced
    found = cases.recovered(case.number)
    assert found.values == {"scene_address": "钦州市钦南区永福路 12 号", "remarks": None}
    assert (found.saved_at, found.version, found.user_name) == (saved_at, 1, "李明")
    assert cases.get(case.id).data.get("scene_address") is None  # the record is untouched
    assert "scene_address" not in store.pending_outbox()[-1]["payload"]["data"]


def test_a_commit_is_one_audit_entry_and_one_sync_operation(env):
    store, cases, _ = env
    case = cases.new_case({"remarks": "旧备注"})
    before = counts(store)
    cases.autosave(case.id, {"scene_address": "钦州市钦南区文峰路1号"})
    cases.autosave(case.id, {"scene_address": "钦州市钦南区文峰路1号", "humidity": 70,
                             "remarks": None})
    done = cases.commit_session(case.id)
    assert counts(store) == (before[0] + 1, before[1] + 1)
    assert done.data["scene_address"] == "钦州市钦南区文峰路1号" and done.data["humidity"] == 70
    assert "remarks" not in done.data  # None clears
    entry = store.audit_entries()[-1]
    assert entry.action == "case.update" and sorted(entry.details["fields"]) == [
        "humidity", "remarks", "scene_address"]
    op = store.pending_outbox()[-1]
    assert op["op"] == "case.draft" and op["payload"]["data"] == done.data  # the full state
    assert cases.recovered(case.id) is None and store.db["draft_buffer"].count == 0
    assert cases.commit_session(case.id) == done  # nothing journalled: nothing to do
    assert counts(store) == (before[0] + 1, before[1] + 1)


def test_invalid_edits_stay_in_the_journal(env):
    store, cases, _ = env
    case = cases.new_case()
    witness = dict(scene_values(1)["witnesses"][0], id_number="110105194912310021")
    cases.autosave(case.id, {"witnesses": [witness], "humidity": "很潮", "recorder": "张伟"})
    before = counts(store)
    with pytest.raises(ValidationFailed) as err:
        cases.commit_session(case.id)
    assert {p.path for p in err.value.problems} == {"witnesses[0].id_number", "humidity"}
    assert counts(store) == before
    assert cases.recovered(case.id).values["humidity"] == "很潮"  # nothing lost
    assert cases.get(case.id).data.get("recorder") != "张伟"  # (prefilled: the user)


def test_the_journal_row_goes_only_with_the_commit(env, monkeypatch):
    store, cases, _ = env
    case = cases.new_case()
    cases.autosave(case.id, {"recorder": "张伟"})

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk gone")
    monkeypatch.setattr(CaseService, "_project", broken)
    with pytest.raises(RuntimeError):
        cases.commit_session(case.id)
    assert cases.recovered(case.id).values == {"recorder": "张伟"}  # rolled back together


def test_undone_edits_leave_nothing_to_commit(env):
    store, cases, _ = env
    case = cases.new_case({"recorder": "张伟"})
    before = counts(store)
    cases.autosave(case.id, {"recorder": "张伟"})
    assert cases.commit_session(case.id).data == case.data
    assert counts(store) == before and cases.recovered(case.id) is None


def test_discard_and_the_states_that_take_no_journal(env):
    store, cases, admin_cases = env
    case = cases.new_case(scene_values(3))
    cases.autosave(case.id, {"remarks": "草稿"})
    with pytest.raises(InvalidState, match="尚未存入记录"):
        cases.finalize(case.id)  # not while typed edits wait to be saved
    cases.discard_recovery(case.number)
    assert cases.recovered(case.id) is None
    done = cases.finalize(case.id)
    with pytest.raises(InvalidState, match="补正"):
        cases.autosave(done.id, {"remarks": "改"})
    with pytest.raises(WeichaError, match="JSON"):
        cases.autosave(cases.new_case().id, ["不是对象"])
    other = admin_cases.new_case()
    admin_cases.autosave(other.id, {"recorder": "管理员写的"})
    assert cases.recovered(other.id).user_name == "admin"  # who typed them is known


def test_apply_merges_and_clears():
    assert drafts.apply({"a": 1, "b": 2}, {"b": None, "c": 3}) == {"a": 1, "c": 3}
