"""Data folders made by earlier versions' own code (tests/data/folders/, README there) open
with today's code: upgraded in place, they verify clean, keep every case, version, photo,
review and journal row with the same content, show the same case list, and take new work."""
import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.records import finalized_hash
from weicha_desktop.core.store import SCHEMA_VERSION, Store
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import verify

from tests.forked_programs import start
from tests.media_support import make_photo
from tests.support import forms, run_cli

FOLDERS = sorted((Path(__file__).parent / "data" / "folders").glob("*.zip"))
PASSWORD = "weicha-demo-2026"  # every user's, as built (README.md)


def _rows(conn, sql):
    cur = conn.execute(sql)
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r)) for r in cur]


def _owner(row: dict) -> dict:
    """A row with its record named as today (``case_id`` before schema 9); a column a later
    migration added, empty in the old rows (reviews.section, schema 13), left out."""
    row = dict(row)
    if "case_id" in row:
        row["record_id"] = row.pop("case_id")
    if "section" in row and row["section"] is None:
        del row["section"]
    return row


def snapshot(db: Path) -> dict:
    """What the folder holds, read without any program: to compare after the upgrade."""
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return {
            "schema": conn.execute("PRAGMA user_version").fetchone()[0],
            "versions": {r["id"]: r for r in _rows(conn, "SELECT * FROM record_versions")},
            "cases": {r["id"]: r for r in _rows(conn, "SELECT * FROM cases")},
            "photos": {r["id"]: _owner(r) for r in _rows(conn, "SELECT * FROM photos")},
            "reviews": {r["id"]: _owner(r) for r in _rows(conn, "SELECT * FROM reviews")},
            "journal": [_owner(r) for r in _rows(conn, "SELECT * FROM draft_buffer")],
            "audit": conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq").fetchall(),
        }
    finally:
        conn.close()


@pytest.fixture(params=FOLDERS, ids=lambda p: p.stem)
def folder(request, tmp_path, monkeypatch):
    with zipfile.ZipFile(request.param) as z:
        z.extractall(tmp_path)
        listing = z.read("case_list.txt").decode("utf-8")
        numbers = json.loads(z.read("cases.json"))
    monkeypatch.setenv("WEICHA_CONFIG_DIR", str(tmp_path / "another-computer"))
    data = tmp_path / "data"
    return data, snapshot(data / "weicha.db"), listing, numbers


def _verified(data: Path):
    with Store.open(data, readonly=True) as store:
        report = verify(store)
    assert report.faults == [], report.faults  # warnings: no checkpoint on this computer
    return report


def test_the_fixtures_are_real_and_small():
    assert len(FOLDERS) >= 2
    for path in FOLDERS:
        assert path.stat().st_size < 1_000_000
        with zipfile.ZipFile(path) as z:
            assert "data/weicha.db" in z.namelist()
            assert any(n.startswith("data/blobs/") for n in z.namelist())


def test_an_old_folder_verifies_before_and_after_the_upgrade(folder):
    data, before, _, _ = folder
    assert before["schema"] < SCHEMA_VERSION
    _verified(data)  # read as it is, without an upgrade
    with Store.open(data) as store:  # the upgrade, in place
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    report = _verified(data)
    assert report.finalized_versions == sum(1 for v in before["versions"].values() if v["finalized_at"])
    assert report.originals == len({p["sha256"] for p in before["photos"].values()})


def test_every_record_version_photo_review_and_journal_row_is_kept(folder):
    data, before, _, _ = folder
    Store.open(data).close()
    after = snapshot(data / "weicha.db")
    assert after["versions"] == before["versions"]  # byte for byte, hashes included
    for row in after["versions"].values():
        if row["finalized_at"]:
            assert finalized_hash(row) == row["content_hash"]
    assert after["photos"] == before["photos"]
    assert after["reviews"] == before["reviews"]
    assert after["journal"] == before["journal"] and after["journal"]
    assert after["audit"][:len(before["audit"])] == before["audit"]  # appended to, never rewritten
    conn = sqlite3.connect(data / "weicha.db")
    records = {r["id"]: r for r in _rows(conn, "SELECT * FROM records")}
    assert set(records) == set(before["cases"])
    for cid, old in before["cases"].items():
        new = records[cid]
        assert new["kind"] == "case" and new["form_id"] == "scene_investigation"
        for key in ("number", "status", "current_version", "returned_comment", "created_at",
                    "created_by", "updated_at"):
            assert new[key] == old[key], (cid, key)
    for sha in {p["sha256"] for p in before["photos"].values()}:
        assert hashlib.sha256((data / "blobs" / sha[:2] / sha).read_bytes()).hexdigest() == sha
    conn.close()


def test_the_case_list_shows_the_same_rows(folder):
    data, _, listing, _ = folder
    shown = run_cli(data, "case", "list", "--limit", "1000", user="admin", password=PASSWORD)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == listing.splitlines()


def test_new_cases_photos_reviews_and_the_journal_work_after_the_upgrade(folder, tmp_path):
    data, before, _, numbers = folder
    with Store.open(data) as store:
        users = UserService(store)
        tech = CaseService(store, forms(), users.authenticate("李明", PASSWORD))  # an old hash logs in
        # (each login checks a hash of the product's cost, ~40 ms: the supervisor acts as himself;
        # the admin's old hash logs in in test_the_case_list_shows_the_same_rows)
        boss = CaseService(store, forms(), users.get("周建国"))
        photos = PhotoService(store, tech.actor, forms())
        # the journal an earlier version left: offered, then committed
        c = tech.get(numbers["C"])
        assert tech.recovered(c.id).values == {"remarks": "尚未保存的备注"}
        assert tech.commit_session(c.id).data["remarks"] == "尚未保存的备注"
        # a photo into the old draft, after the two it had
        make_photo(tmp_path / "new.jpg", size=(64, 48), seed=77)
        [result] = photos.import_files(c.id, [tmp_path / "new.jpg"], workers=1)
        assert result.status == "imported" and [p.position for p in photos.list(c.id)] == [1, 2, 3]
        # the returned case corrected and approved; the amended one approved
        b = tech.finalize(numbers["B"])
        assert boss.review(b.id, approve=True).status == "reviewed"
        assert boss.review(numbers["A"], approve=True).status == "reviewed"
        # a new case numbered after the old ones
        new = tech.new_case()
        assert new.number not in {c["number"] for c in before["cases"].values()}
        assert any(r["number"] == new.number for r in tech.list(limit=1000))
    _verified(data)


DIES_MID_UPGRADE = """
import os, sys
import weicha_desktop.core.store.migrate_records as m
real = m.rebuild_table
def dying(conn, name, *args):
    real(conn, name, *args)
    if name == "reviews":  # cases and reviews rebuilt, photos not yet: the process is killed
        os._exit(9)
m.rebuild_table = dying
from weicha_desktop.core.store import Store
Store.open(sys.argv[1])
"""


def test_an_upgrade_killed_half_way_leaves_the_old_schema_and_runs_again(folder):
    data, before, _, _ = folder
    done = start(DIES_MID_UPGRADE, str(data))  # a process of its own
    assert done.wait(60) == 9, done.output()
    conn = sqlite3.connect(data / "weicha.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 8
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name IN ('records', '_rebuild_photos')").fetchone()
    conn.close()
    assert snapshot(data / "weicha.db") == before  # nothing of the half upgrade is left
    Store.open(data).close()
    after = snapshot(data / "weicha.db")
    assert after["versions"] == before["versions"] and after["photos"] == before["photos"]
    _verified(data)
