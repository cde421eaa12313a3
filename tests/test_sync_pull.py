"""What comes down (issue 11, slice S3): reference data the unit decides — users, form
versions, code tables, watch lists — published on a real server process (SQLite and
PostgreSQL), pulled by a laptop until complete and applied in one change per table; a cut
pull applies nothing; cursors of another table, garbage or past the server are refused; a
form version that does not load is refused by the server and, if one gets there anyway, by
the laptop."""
from __future__ import annotations

import base64
import json

import pytest
import sqlalchemy as sa

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.errors import AuthError
from weicha_desktop.core.sync.client import ServerUnreachable
from weicha_desktop.core.sync.pull import pull_all, pull_reference
from weicha_desktop.core.sync.reference import local_forms
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import open_for_verify, verify
from weicha_desktop.resources import forms_dir
from weicha_server import audit
from weicha_server.db import form_versions

from tests.server_support import BACKENDS, closes_laptops, running_server, server_cli  # noqa: F401
from tests.support import UNIT, raw_writes
from tests.sync_support import client, enrolled

WATCH = "类型,证件号码,姓名,原因,在用\n人员,11010519491231002X,张三,在逃人员,1\n车辆,桂A12345,,被盗车辆,1\n"
GEAR = "id: protective_gear\ntitle: {zh: 防护装备, en: Protective gear}\nchoices:\n" \
       "  - {code: gloves, zh: 手套, en: Gloves}\n  - {code: mask, zh: 口罩, en: Mask}\n"


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("srv"), request.param) as s:
        folder = tmp_path_factory.mktemp("ref")
        scene = (forms_dir() / "scene_investigation.yaml").read_text(encoding="utf-8")
        v5 = folder / "scene_v5.yaml"
        v5.write_text(scene.replace("\nversion: 4 ", "\nversion: 5 ", 1), encoding="utf-8")
        (folder / "protective_gear.yaml").write_text(GEAR, encoding="utf-8")
        (folder / "watch.csv").write_text(WATCH, encoding="utf-8")
        for args in (("forms", "publish", str(v5)), ("code-tables", "import", str(folder / "protective_gear.yaml")),
                     ("watch-list", "import", str(folder / "watch.csv")),
                     ("user", "add", "--unit", UNIT, "--badge", "450002", "--name", "周建国", "--role", "supervisor"),
                     ("user", "add", "--unit", "450703000000", "--badge", "450009", "--name", "外单位")):
            run = server_cli(s.data_dir, *args)
            assert run.code == 0, run.err
        s.folder = folder
        yield s


def synced_pull(lt, config, **kw):
    with client(config) as c:
        return pull_all(lt.store, c, server_id=config.require().server_id, **kw)


def audit_count(store) -> int:
    return store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]


def test_reference_data_comes_down_and_new_records_use_the_new_form(server, tmp_path):
    lt, config = enrolled(server, tmp_path / "a")
    old = lt.cases().new_case(None).id  # made before the pull: the shipped version 4
    r = synced_pull(lt, config)
    assert r.ok, (r.error, r.problems)
    assert r.applied == {"code_tables": 1, "forms": 1, "users": 1, "watch_lists": 2}
    forms = local_forms(lt.store)
    assert forms.latest("scene_investigation").version == 5 and forms.get("scene_investigation", 4)
    assert [c.code for c in forms.choices("protective_gear")] == ["gloves", "mask"]
    cases = CaseService(lt.store, forms, lt.actor)
    new = cases.new_case(None)
    assert (new.form_version, cases.get(old).form_version) == (5, 4)  # records keep their version
    assert lt.store.conn.execute("SELECT list, key, reason, active FROM watch_list ORDER BY list").fetchall() == [
        ("person", "11010519491231002X", "在逃人员", 1), ("vehicle", "桂A12345", "被盗车辆", 1)]
    # a user from the server is a known person of the unit (not the other unit's), no login yet
    row = lt.store.conn.execute("SELECT name, role, active, badge_no FROM users WHERE badge_no = '450002'").fetchone()
    assert row == ("周建国", "supervisor", 0, "450002")
    assert not lt.store.conn.execute("SELECT 1 FROM users WHERE badge_no = '450009'").fetchone()
    users = UserService(lt.store)
    with pytest.raises(AuthError):
        users.authenticate("周建国", "")
    users.set_password(lt.actor, "周建国", "Zhou-2026-review")
    assert users.authenticate("周建国", "Zhou-2026-review").role == "supervisor"
    # nothing new: nothing written; a later pull leaves a user who logs in here alone
    entries = audit_count(lt.store)
    again = synced_pull(lt, config)
    assert again.ok and sum(again.applied.values()) == 0 and audit_count(lt.store) == entries
    report = verify(open_for_verify(lt.store.data_dir))
    assert report.ok, report.faults


def test_a_cut_pull_applies_nothing(server, tmp_path):
    lt, config = enrolled(server, tmp_path / "a")
    entries = audit_count(lt.store)

    class Cut:  # the network goes after the first page
        def __init__(self, real):
            self.real, self.calls = real, 0

        def pull(self, *a):
            self.calls += 1
            if self.calls > 1:
                raise ServerUnreachable("断了")
            return self.real.pull(*a)

    with client(config) as c:
        with pytest.raises(ServerUnreachable):
            pull_reference(lt.store, Cut(c), "watch_lists", limit=1)
        assert lt.store.conn.execute("SELECT count(*) FROM watch_list").fetchone()[0] == 0
        assert lt.store.conn.execute("SELECT count(*) FROM pull_cursors").fetchone()[0] == 0
        assert audit_count(lt.store) == entries
        assert pull_reference(lt.store, c, "watch_lists", limit=1) == 2  # two pages, then applied


def _cursor(table: str, value) -> str:
    text = json.dumps({"v": 1, "t": table, "c": value}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_cursors_of_another_table_garbage_or_past_the_server(server, tmp_path):
    lt, config = enrolled(server, tmp_path / "a")
    token = config.token(config.require())
    with server.client(token) as c:
        first = c.get("/v1/pull/users", params={"limit": 1}).json()
        assert len(first["rows"]) == 1
        for bad in (first["cursor"], "garbage!", "AAAA", _cursor("forms", -1), _cursor("forms", "x"),
                    _cursor("unit_records", 5), "é" * 10):
            r = c.get("/v1/pull/forms", params={"cursor": bad})
            assert r.status_code == 422 and r.json()["error"] == "bad_cursor", (bad, r.text)
        ahead = c.get("/v1/pull/forms", params={"cursor": _cursor("forms", 10 ** 12)})
        assert ahead.status_code == 409 and ahead.json()["error"] == "cursor_ahead"
        other, _ = enrolled(server, tmp_path / "b")
        ahead = c.get("/v1/pull/decisions", params={"cursor": _cursor("decisions", {other.device_id: 10 ** 6})})
        assert ahead.status_code == 409 and ahead.json()["error"] == "cursor_ahead"
        assert c.get("/v1/pull/nothing").json()["error"] == "no_table"
    with server.client() as anonymous:
        assert anonymous.get("/v1/pull/users").status_code == 401
    # a cursor kept here that the server refuses: the table comes again from the start
    with raw_writes(lt.store):
        lt.store.conn.execute("INSERT INTO pull_cursors (tbl, cursor, server_id, pulled_at) VALUES ('watch_lists', "
                     "'garbage!', ?, 'x')", (config.require().server_id,))
    r = synced_pull(lt, config)
    assert r.ok and r.applied["watch_lists"] == 2


def test_a_form_version_that_does_not_load(server, tmp_path):
    broken = server.folder / "scene_v6.yaml"
    text = (server.folder / "scene_v5.yaml").read_text(encoding="utf-8").replace("\nversion: 5", "\nversion: 6", 1)
    broken.write_text(text.replace("choices: weather", "choices: no_such_list", 1), encoding="utf-8")
    with server.engine().connect() as conn:
        chain = len(audit.entries(conn))
    run = server_cli(server.data_dir, "forms", "publish", str(broken))
    assert run.code == 1 and "no_such_list" in run.err and "Traceback" not in run.err
    older = server.folder / "scene_v3.yaml"
    older.write_text(text.replace("\nversion: 6", "\nversion: 3", 1), encoding="utf-8")
    assert server_cli(server.data_dir, "forms", "publish", str(older)).code == 1  # not above the versions held
    gear = server.folder / "protective_gear.yaml"
    gear.write_text(GEAR.replace("  - {code: mask, zh: 口罩, en: Mask}\n", ""), encoding="utf-8")
    dropped = server_cli(server.data_dir, "code-tables", "import", str(gear))
    assert dropped.code == 1 and "mask" in dropped.err  # a code records may use is never dropped
    with server.engine().connect() as conn:
        assert len(audit.entries(conn)) == chain
    # one gets onto the server anyway (behind its checks): the laptop refuses the table whole
    lt, config = enrolled(server, tmp_path / "a")
    with server.engine().begin() as conn:
        conn.execute(form_versions.insert().values(
            form_id="scene_investigation", version=7, title="坏", record_kind="case",
            source=text.replace("\nversion: 6", "\nversion: 7", 1).replace("choices: weather", "choices: nope", 1),
            sha256="0" * 64, published_at="x", change_seq=10 ** 6))
    r = synced_pull(lt, config)
    try:
        assert not r.ok and r.error is None and any("表单" in p for p in r.problems), r.problems
        assert lt.store.conn.execute("SELECT count(*) FROM ref_forms").fetchone()[0] == 0
        assert r.applied["watch_lists"] == 2  # the other tables came all the same
        assert local_forms(lt.store).latest("scene_investigation").version == 4
    finally:
        with server.engine().begin() as conn:
            conn.execute(sa.delete(form_versions).where(form_versions.c.version == 7))
