"""`weicha request new/update/show/list/step/finalize` (cli/requests.py): intake, steps in order
(a skip exits 1), --reopen (usage), overdue listed, a logged JSON show, exit codes 0/1/2."""
import json

import pytest

from tests.support import new_store, run_cli


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    new_store(folder).close()
    return folder


def cli(folder, *args):
    return run_cli(folder, *args, user="admin")


def test_a_request_from_intake_to_finalized(data):
    r = cli(data, "request", "new", "--set", "request_type=alarm", "--set", "source=phone",
            "--set", "content=邻居家传出呼救声", "--set", "contact_phone=138 7771 2345", "--json")
    assert r.returncode == 0, r.stderr
    made = json.loads(r.stdout)
    rid = made["id"]
    assert made["handling"] == "pending" and made["data"]["contact_phone"] == "13877712345" and made["due_at"]
    r = cli(data, "request", "step", rid, "--to", "done", "--note", "办结")
    assert r.returncode == 1 and "下一步只能是“处理中”" in r.stderr
    assert cli(data, "request", "step", rid, "--to", "in_progress", "--note", "已派员").returncode == 0
    r = cli(data, "request", "step", rid, "--to", "done", "--note", "已送医", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["data"]["steps"][-1]["note"] == "已送医"
    shown = cli(data, "request", "show", rid)
    assert "办理状态：已办结" in shown.stdout and "已派员" in shown.stdout
    r = cli(data, "request", "finalize", rid)
    assert r.returncode == 0 and "已定稿" in r.stdout


def test_lists_by_handling_and_overdue(data):
    cli(data, "request", "new", "--set", "request_type=opinion", "--set", "source=visit", "--set", "content=路灯不亮")
    old = cli(data, "request", "new", "--set", "request_type=alarm", "--set", "source=phone", "--set", "content=吵闹",
              "--set", "received_at=2026-11-20T09:00:00+08:00", "--json")
    oid = json.loads(old.stdout)["id"]
    overdue = json.loads(cli(data, "request", "list", "--overdue", "--json").stdout)
    assert [r["id"] for r in overdue] == [oid] and overdue[0]["overdue"] is True
    assert "超期" in cli(data, "request", "list", "--overdue").stdout
    assert len(json.loads(cli(data, "request", "list", "--handling", "pending", "--json").stdout)) == 2


def test_usage_and_refusals(data):
    assert cli(data, "request", "step", "x", "--note", "n").returncode == 2                # neither --to nor --reopen
    assert cli(data, "request", "step", "x", "--to", "done", "--reopen", "--note", "n").returncode == 2
    r = cli(data, "request", "new", "--set", "request_type=alarm", "--set", "source=phone", "--set", "content=x",
            "--set", "contact_phone=12345")
    assert r.returncode == 1 and "联系电话" in r.stderr and "Traceback" not in r.stderr
    r = cli(data, "request", "new", "--set", "request_type=alarm", "--set", "handling=done")
    assert r.returncode == 1 and "由系统填写" in r.stderr
