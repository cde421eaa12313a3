"""What a `weicha` command pays before its work: a record command reads only the current form
versions (the older ones in forms/archive/, ~12 ms, when a record of one is shown)."""
from __future__ import annotations

import json

import pytest

from weicha_desktop.core.forms.check import FormReading

from support import new_store, run_cli, tamper


@pytest.fixture
def older_reads(monkeypatch):
    reads, read = [], FormReading.read_older
    monkeypatch.setattr(FormReading, "read_older", lambda self: reads.append(1) or read(self))
    return reads


def test_a_record_command_reads_older_form_versions_only_when_one_is_needed(tmp_path, older_reads):
    data = tmp_path / "d"
    new_store(data).close()
    made = json.loads(run_cli(data, "case", "new", "--json", user="admin").stdout)  # numbering: every version
    older_reads.clear()
    listed = run_cli(data, "case", "list", user="admin")
    assert listed.returncode == 0 and made["number"] in listed.stdout
    for kind in ("person", "vehicle", "place"):
        assert run_cli(data, kind, "list", user="admin").returncode == 0
    assert older_reads == []  # no command so far needed forms/archive/
    tamper(data / "weicha.db", "UPDATE record_versions SET form_version = 1 WHERE record_id = ?", made["id"])
    shown = run_cli(data, "case", "show", made["id"], user="admin")  # its sections: the v1 form's
    assert shown.returncode == 0 and "第 1 版" in shown.stdout and "【参加人员】" in shown.stdout, shown.stderr
    assert older_reads == [1]  # read when needed
