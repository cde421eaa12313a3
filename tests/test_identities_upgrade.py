"""Migration 10 on data folders made by earlier versions' own code (tests/data/folders/): the
device gets its row, users keep their ids until an administrator gives them their 警号, the
case list's case types become codes (shown as the same words as before), record_people is
filled from each record, and the folder still verifies — its old entries without a device
beside the new ones with it."""
from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from weicha_desktop.core import people
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.demo import DEMO_PASSWORD
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService
from weicha_desktop.resources import forms_dir

from tests.support import run_cli
from tests.verify_support import check

FOLDERS = Path(__file__).parent / "data" / "folders"
ZIPS = ["before-issue8-7e485ec.zip", "issue8-2021307.zip"]


def _unzip(name: str, into: Path) -> tuple[Path, list[list[str]]]:
    with zipfile.ZipFile(FOLDERS / name) as z:
        z.extractall(into)
        listed = z.read("case_list.txt").decode("utf-8")
    return into / "data", [line.split("\t") for line in listed.splitlines() if line]


@pytest.mark.parametrize("name", ZIPS)
def test_an_earlier_folder_gets_devices_codes_and_people_and_verifies(tmp_path, name, monkeypatch):
    monkeypatch.setenv("WEICHA_CONFIG_DIR", str(tmp_path / "config"))
    data, old_list = _unzip(name, tmp_path)
    forms = FormRegistry(forms_dir())
    raw = sqlite3.connect(data / "weicha.db")
    entries = raw.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    raw.close()
    with Store.open(data) as store:
        conn = store.conn
        assert conn.execute("SELECT id, this_device FROM devices").fetchall() == [(store.meta("device_id"), 1)]
        users = UserService(store)
        assert {users.badge_of(u) for u in users.list()} == {None}  # until an admin sets them
        # the entries an earlier version wrote have no device; those written since have it
        assert [d for (d,) in conn.execute("SELECT device_id FROM audit_log ORDER BY seq")] == \
            [None] * entries + [store.meta("device_id")] * (store.audit_entries()[-1].seq - entries)
        old_ids = {u.name: u.id for u in users.list()}
        # the list: codes in the projection, the same words on screen as the old list printed
        rows = {r["number"]: r for r in CaseService(store, forms, users.get("admin")).list(limit=1000)}
        types = forms.latest("scene_investigation").field("case_type")
        assert {r["case_type"] for r in rows.values()} - {None} <= set(types.choice_values)
        for number, _status, old_type, _address, _at, old_people in old_list:
            assert (types.choice_label(rows[number]["case_type"]) if rows[number]["case_type"]
                    else "") == old_type
            assert "、".join(rows[number]["investigators"]) == old_people
        # record_people as the records name them
        for record_id, form_version, text in conn.execute(
                "SELECT r.id, v.form_version, v.data FROM records r JOIN record_versions v "
                "ON v.record_id = r.id AND v.version = r.current_version"):
            data_ = json.loads(text)
            assert form_version in (1, 2)  # earlier versions: their Chinese values stay
            assert people.names(conn, record_id) == [p["name"] for p in data_.get("investigators") or []]
            assert people.names(conn, record_id, "recorder") == ([data_["recorder"]] if data_.get("recorder") else [])
        # an administrator gives 李明 his 警号: his id stays, so every row naming him does
        admin = users.get("admin")  # (his old hash logs in below, through the command line)
        assert users.set_badge(admin, "李明", "450011").id == old_ids["李明"]
        last = store.audit_entries()[-1]
        assert last.action == "user.badge" and last.device_id == store.meta("device_id")
    report = check(data)
    assert report.ok, report.faults
    r = run_cli(data, "case", "list", "--limit", "1000", user="admin", password=DEMO_PASSWORD)
    assert r.returncode == 0
    assert sorted(line.split("\t") for line in r.stdout.splitlines()) == sorted(old_list)
