"""Hostile tester (issue 13): `check --json` refused says so on stdout as JSON {"error",
"message"} (the Chinese line stays on stderr, exit 1); `check --history --limit` takes 1–1000
only (usage, exit 2)."""
import json

import pytest

from tests.support import new_store, run_cli


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("chk") / "data"
    new_store(path).close()
    return path


def test_a_refused_check_with_json_answers_in_json(folder):
    r = run_cli(folder, "check", "--id-card", "123", "--json", user="admin")
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out["error"] == "bad_key" and "身份证号" in out["message"]
    assert out["message"] in r.stderr and r.stderr.startswith("错误：")
    plain = run_cli(folder, "check", "--id-card", "123", user="admin")
    assert plain.returncode == 1 and plain.stdout == ""


@pytest.mark.parametrize("limit", ["-1", "0", "x", "1001"])
def test_a_history_limit_out_of_range_is_a_usage_error(folder, limit):
    r = run_cli(folder, "check", "--history", "--limit", limit, user="admin")
    assert r.returncode == 2 and "1 到 1000 之间的整数" in r.stderr


def test_a_history_limit_in_range_lists(folder):
    r = run_cli(folder, "check", "--history", "--limit", "5", "--json", user="admin")
    assert r.returncode == 0 and json.loads(r.stdout) == []
