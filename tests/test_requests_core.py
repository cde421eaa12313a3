"""互动 (core/requests): 报警求助 and 民情民意 — intake, the handling steps 待处理 → 处理中 →
已办结 (each with who, when and a note, one forward, the documented reopen), the contact's
phone, and overdue by each type's deadline against an injected clock."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from weicha_desktop.core.errors import (FinalizeBlocked, InvalidState, PermissionDenied, ValidationFailed,
                                        WeichaError)
from weicha_desktop.core.requests import Deadlines, RequestService
from weicha_desktop.core.requests.service import by_handling_sql
from weicha_desktop.core.users import UserService

from tests.outbox_support import outbox_rows
from tests.support import CST, PASSWORD, ManualClock, forms, new_store

ALARM = {"request_type": "alarm", "source": "phone", "content": "邻居家传出呼救声", "contact_name": "黄丽",
         "contact_phone": "+86 138-7771-2345", "address": "钦州市钦南区文峰路 12 号"}
OPINION = {"request_type": "opinion", "source": "visit", "content": "希望夜间加强文峰路巡逻"}


@pytest.fixture
def env(tmp_path):
    clock = ManualClock()  # 2026-11-27 09:00 +08:00
    store = new_store(tmp_path / "data", clock=clock)
    users = UserService(store)
    admin = users.authenticate("admin", PASSWORD)
    tech = users.add(admin, "王强", "technician", "tech-pass-1", badge_no="300001")
    yield store, clock, RequestService(store, forms(), tech)
    store.close()


def test_a_request_is_taken_in_pending_with_its_phone_normalized(env):
    _, _, requests = env
    request = requests.create(ALARM)
    assert request.data["handling"] == "pending" and request.data["contact_phone"] == "13877712345"
    assert request.data["received_at"] == "2026-11-27T09:00:00+08:00" and request.data["officer"] == "王强"
    assert requests.state(request) == {"handling": "pending", "handling_label": "待处理",
                                       "due_at": "2026-11-28T09:00:00+08:00", "overdue": False}


@pytest.mark.parametrize("phone", ["12345", "23877712345", "1387771234x", "010-123"])
def test_a_wrong_phone_is_refused(env, phone):
    _, _, requests = env
    with pytest.raises(ValidationFailed, match="联系电话"):
        requests.create({**ALARM, "contact_phone": phone})
    assert requests.create({**ALARM, "contact_phone": "0777-2821234"}).data["contact_phone"] == "07772821234"


def test_the_status_is_the_service_s_alone(env):
    _, _, requests = env
    with pytest.raises(ValidationFailed, match="由系统填写"):
        requests.create({**ALARM, "handling": "done"})
    request = requests.create(ALARM)
    for values in ({"handling": "done"}, {"steps": []}):
        with pytest.raises(ValidationFailed, match="由系统填写"):
            requests.update(request.id, values)


def test_each_step_goes_one_forward_with_who_when_and_a_note(env):
    store, clock, requests = env
    request = requests.create({**ALARM, "officer": None})
    with pytest.raises(InvalidState, match="下一步只能是“处理中”"):
        requests.step(request.id, "done", "直接办结")
    with pytest.raises(WeichaError, match="请写明"):
        requests.step(request.id, "in_progress", "  ")
    clock.advance(300)
    taken = requests.step(request.id, "in_progress", "已派民警前往")
    assert taken.data["officer"] == "王强"  # taking it up names the officer when none was
    op = outbox_rows(store)[-1]
    assert op["op"] == "request.step"
    assert json.loads(op["payload"])["step"] == {"status": "in_progress", "at": "2026-11-27T09:05:00+08:00",
                                                 "by": "王强", "note": "已派民警前往"}
    with pytest.raises(InvalidState, match="已是“处理中”"):
        requests.step(request.id, "in_progress", "再次")
    with pytest.raises(WeichaError, match="没有“closed”"):
        requests.step(request.id, "closed", "结束")
    clock.advance(3600)
    done = requests.step(request.id, "done", "系家中老人摔倒，已送医")
    assert [(s["status"], s["at"][11:16]) for s in done.data["steps"]] == [("in_progress", "09:05"), ("done", "10:05")]
    with pytest.raises(InvalidState, match="已办结.*重新办理"):
        requests.step(request.id, "in_progress", "回退")
    entry = store.conn.execute("SELECT action, summary, details FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    assert entry[0] == "request.update" and entry[1].startswith("已办结") \
        and json.loads(entry[2])["step"]["note"] == "系家中老人摔倒，已送医"


def test_a_done_request_reopens_with_a_reason_and_is_finalized_only_when_done(env):
    store, _, requests = env
    request = requests.create(OPINION)
    with pytest.raises(InvalidState, match="只有已办结"):
        requests.reopen(request.id, "再办")
    requests.step(request.id, "in_progress", "已转社区")
    with pytest.raises(FinalizeBlocked, match="诉求尚未办结"):
        requests.finalize(request.id)
    requests.step(request.id, "done", "已增加夜巡")
    with pytest.raises(WeichaError, match="请写明"):
        requests.reopen(request.id, "")
    reopened = requests.reopen(request.id, "群众反映仍未落实")
    assert reopened.data["handling"] == "in_progress" and len(reopened.data["steps"]) == 3
    assert json.loads(outbox_rows(store)[-1]["payload"])["step"]["reopen"] is True
    requests.step(request.id, "done", "已落实")
    final = requests.finalize(request.id)
    assert final.status == "finalized"
    with pytest.raises(InvalidState):
        requests.reopen(request.id, "定稿后")


def test_overdue_by_each_type_s_deadline_and_the_query(env):
    _, clock, requests = env
    alarm = requests.create(ALARM)                       # due in 24 h
    opinion = requests.create(OPINION)                   # due in 7 days
    handled = requests.create(ALARM)
    requests.step(handled.id, "in_progress", "出警")
    requests.step(handled.id, "done", "已处置")
    clock.advance(24 * 3600)                             # exactly at the deadline: not yet overdue
    assert requests.overdue() == []
    clock.advance(1)
    assert [r["id"] for r in requests.overdue()] == [alarm.id]
    assert requests.state(requests.get(alarm.id))["overdue"] is True
    listed = {r["id"]: r["overdue"] for r in requests.list()}
    assert listed == {alarm.id: True, opinion.id: False, handled.id: False}
    requests.step(alarm.id, "in_progress", "补派")       # in progress is still overdue
    at = datetime(2026, 12, 4, 9, 0, 1, tzinfo=CST)
    assert [r["id"] for r in requests.overdue(at)] == [alarm.id, opinion.id]  # most overdue first
    assert [r["id"] for r in requests.list(overdue=True)] == [alarm.id]
    assert requests.list(overdue=True, text="路灯") == [] and requests.list(overdue=True, handling="pending") == []
    assert [r["id"] for r in requests.list(overdue=True, handling="in_progress", text="呼救")] == [alarm.id]
    assert [r["id"] for r in requests.list(handling="pending")] == [opinion.id]


def test_the_deadlines_come_from_the_forms_data(tmp_path):
    (tmp_path / "choices").mkdir()
    (tmp_path / "choices" / "request_deadlines.tsv").write_text("# x\nalarm\t2\t两小时\n", encoding="utf-8")
    deadlines = Deadlines(tmp_path)
    received = datetime(2026, 11, 27, 9, 0, tzinfo=CST)
    assert deadlines.due("alarm", received) == received + timedelta(hours=2)
    assert deadlines.due("opinion", received) is None and deadlines.due("alarm", None) is None
    shipped = Deadlines(forms().forms_dir)
    assert shipped.hours == {"alarm": 24.0, "opinion": 168.0}


def test_a_user_who_took_no_part_may_not_step_it(env):
    store, _, requests = env
    request = requests.create(ALARM)
    users = UserService(store)
    stranger = users.add(users.authenticate("admin", PASSWORD), "周建国", "technician", "tech-pass-3",
                         badge_no="300003")
    with pytest.raises(PermissionDenied):
        RequestService(store, forms(), stranger).step(request.id, "in_progress", "接手")


def test_the_open_requests_are_read_through_their_index(env):
    store, _, requests = env
    plan = " ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + by_handling_sql(2),
                                                       ("pending", "in_progress", -1)))
    assert "record_versions_request_handling" in plan  # migration 20: not every request ever taken in
    done = requests.create(OPINION)
    requests.step(done.id, "in_progress", "已转社区")
    requests.step(done.id, "done", "已答复")
    waiting = requests.create(ALARM)
    assert [r["id"] for r in requests.list(handling="done")] == [done.id]
    assert [r["id"] for r in requests.list(handling="pending", text="呼救")] == [waiting.id]
    assert requests.list(handling="pending", text="路灯") == []
    assert requests.list(handling="done", status="finalized") == []
    assert "_data" not in requests.list(handling="done")[0]


def test_the_most_overdue_come_first_whatever_their_offsets(env):
    _, _, requests = env
    later = requests.create({**ALARM, "received_at": "2026-11-20T02:00:00+00:00"})   # 10:00 in Beijing
    earlier = requests.create({**ALARM, "received_at": "2026-11-20T09:00:00+08:00"})
    assert [r["id"] for r in requests.overdue()] == [earlier.id, later.id]
    assert [r["id"] for r in requests.list(overdue=True)] == [earlier.id, later.id]
