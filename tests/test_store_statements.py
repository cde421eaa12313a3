"""The statements a change runs are the same text each time (the connection prepares each
once and keeps it in its statement cache) and ask the schema nothing once it is known."""
from __future__ import annotations

from contextlib import contextmanager

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.store import guard
from weicha_desktop.core.users import UserService

from tests.support import PASSWORD, admin, forms, migrated_folder, new_store, store  # noqa: F401 — fixtures


@contextmanager
def statements(monkeypatch):
    """The text of every statement the store's connection runs in the block."""
    seen: list[str] = []
    run = guard._guarded

    def traced(g, execute, sql, args, kwargs):
        seen.append(" ".join(str(sql).split()))
        return run(g, execute, sql, args, kwargs)

    with monkeypatch.context() as mp:
        mp.setattr(guard, "_guarded", traced)
        yield seen


def test_each_create_and_save_runs_the_statements_the_last_one_ran(store, admin, monkeypatch):
    cases = CaseService(store, forms(), admin)
    first = cases.new_case()
    cases.update(first.id, {"narrative_overview": "第一次"})
    runs = []
    for i in range(2):
        with statements(monkeypatch) as seen:
            case = cases.new_case()
            cases.update(case.id, {"narrative_overview": f"现场 {i}"})
        runs.append(seen)
    assert runs[0] and set(runs[0]) == set(runs[1])  # no statement made for one use only
    assert not [s for s in runs[0] if "SAVEPOINT" in s or "sqlite_master" in s]
    versions = store.conn.execute(
        "SELECT count(*), count(DISTINCT record_id) FROM record_versions").fetchone()
    assert versions == (3, 3)  # each create wrote its record's version 1, once
    assert cases.history(case.id)[0]["version"] == 1


def test_a_store_and_its_changes_to_users_ask_the_schema_nothing(tmp_path, monkeypatch):
    """Store.open migrated the database: the audit and user columns are known."""
    migrated_folder(tmp_path / "made_first")  # the run's migrated template, made before
    with statements(monkeypatch) as seen:
        store = new_store(tmp_path / "data")
        admin = UserService(store).authenticate("admin", PASSWORD)
        users = UserService(store)
        users.add(admin, "zhang3", "technician", PASSWORD, badge_no="200001")
        users.add(admin, "li4", "technician", PASSWORD, badge_no="200002")
        users.set_password(admin, "li4", PASSWORD + "x")
        store.audit_entries()
    assert seen and not [s for s in seen if "pragma_table_info" in s]
    entries = store.audit_entries()
    assert [e.action for e in entries][:2] == ["system.init", "data.anchor"]
    assert [e.action for e in entries][-2:] == ["user.add", "user.password"]
    assert entries[-1].device_id == store.meta("device_id")
    assert users.badge_of(users.get("li4")) == "200002"
    assert store.anchor.problem is None
    store.close()


def test_importing_photos_asks_the_schema_nothing(store, admin, tmp_path, monkeypatch):
    """A photo's row is a plain INSERT too (each photo of an import is a change of its own)."""
    from weicha_desktop.core.photos import PhotoService

    from tests.media_support import make_photo

    case = CaseService(store, forms(), admin).new_case()
    photos = PhotoService(store, admin, forms())
    files = [make_photo(tmp_path / f"IMG_{i}.JPG", size=(64, 48), seed=i) for i in range(2)]
    with statements(monkeypatch) as seen:
        results = photos.import_files(case.id, files)
    assert [r.status for r in results] == ["imported", "imported"], results
    assert [s for s in seen if s.startswith("INSERT INTO photos")]
    assert not [s for s in seen if "SAVEPOINT" in s or "sqlite_master" in s]
    rows = store.conn.execute("SELECT position, original_name, width FROM photos ORDER BY position").fetchall()
    assert [tuple(r) for r in rows] == [(1, "IMG_0.JPG", 64), (2, "IMG_1.JPG", 64)]
