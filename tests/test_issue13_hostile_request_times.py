"""Hostile tester (issue 13): `request list` and `request show` give times in this computer's
zone as the rest of the CLI does (2026-11-30 09:00), whatever offset the record was made
with — not each record's own offset, not raw ISO."""
import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.support import new_store, run_cli

CST = timezone(timedelta(hours=8))


@pytest.fixture
def shanghai(monkeypatch, tmp_path):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    folder = tmp_path / "data"
    new_store(folder).close()
    yield folder
    monkeypatch.undo()
    time.tzset()


def test_request_times_are_shown_in_the_local_zone(shanghai):
    made = run_cli(shanghai, "request", "new", "--set", "request_type=alarm", "--set", "source=phone",
                   "--set", "content=吵闹", "--set", "received_at=2026-11-30T01:00:00+00:00", "--json", user="admin")
    assert made.returncode == 0, made.stderr
    rid = json.loads(made.stdout)["id"]
    due = datetime.fromisoformat(json.loads(made.stdout)["due_at"]).astimezone(CST).strftime("%Y-%m-%d %H:%M")
    listed = run_cli(shanghai, "request", "list", user="admin").stdout
    assert f"期限 {due}" in listed, listed
    shown = run_cli(shanghai, "request", "show", rid, user="admin").stdout
    assert "受理时间：2026-11-30 09:00" in shown and f"办理期限：{due}" in shown, shown
    assert "T01:00" not in shown and "+00:00" not in shown
