"""Issue 12 audit, "Reference data down": users, form versions, code tables and watch lists
published on a real server (its commands), written by `weicha-server reference export` and
applied by `weicha reference import` — every kind arrives on a laptop enrolled by file, in
one change (the server's own tests check only the users' rows and the entries' names), on
SQLite and PostgreSQL; the older bundle afterwards is refused and changes nothing."""
from __future__ import annotations

import pytest

from weicha_desktop.core.bundle.container import BundleError
from weicha_desktop.core.bundle.refimport import import_reference
from weicha_desktop.core.sync.reference import local_forms
from weicha_desktop.resources import forms_dir

from tests.server_bundle_support import BundleServer
from tests.server_support import BACKENDS, backend_db, closes_laptops, server_cli  # noqa: F401
from tests.support import UNIT
from tests.test_issue12_bundle_seq import usb_laptop
from tests.test_sync_pull import GEAR, WATCH


@pytest.fixture(scope="module", params=BACKENDS)
def ref_srv(request, tmp_path_factory):
    """A server of its own: what it publishes reaches every laptop enrolled with it."""
    with backend_db(request.param) as url:
        s = BundleServer.make(tmp_path_factory.mktemp(f"ref-{request.param}") / "srv", url)
        yield s
        s.engine.dispose()


def test_every_kind_of_reference_data_comes_down_by_file(ref_srv, tmp_path):
    srv = ref_srv
    lt, config, usb = usb_laptop(srv, tmp_path)  # enrolled before anything was published
    old = usb / "old.wcref"
    assert server_cli(srv.data_dir, "reference", "export", "--device", lt.device_id, "-o", str(old),
                      db=srv.db_url).code == 0
    scene = (forms_dir() / "scene_investigation.yaml").read_text(encoding="utf-8")
    (tmp_path / "v5.yaml").write_text(scene.replace("\nversion: 4 ", "\nversion: 5 ", 1), encoding="utf-8")
    (tmp_path / "protective_gear.yaml").write_text(GEAR, encoding="utf-8")
    (tmp_path / "watch.csv").write_text(WATCH, encoding="utf-8")
    for args in (("forms", "publish", str(tmp_path / "v5.yaml")), ("code-tables", "import", str(tmp_path / "protective_gear.yaml")),
                 ("watch-list", "import", str(tmp_path / "watch.csv")),
                 ("user", "add", "--unit", UNIT, "--badge", "450002", "--name", "周建国", "--role", "supervisor"),
                 ("reference", "export", "--device", lt.device_id, "-o", str(usb / "new.wcref"))):
        run = server_cli(srv.data_dir, *args, db=srv.db_url)
        assert run.code == 0, (args, run.err)
    r = import_reference(lt.store, lt.actor, usb / "new.wcref", config=config)
    assert r.applied == {"code_tables": 1, "forms": 1, "users": 1, "watch_lists": 2}, r.applied
    forms = local_forms(lt.store)
    assert forms.latest("scene_investigation").version == 5
    assert [c.code for c in forms.choices("protective_gear")] == ["gloves", "mask"]
    q = lt.store.conn.execute
    assert q("SELECT list, key, active FROM watch_list ORDER BY list").fetchall() == [
        ("person", "11010519491231002X", 1), ("vehicle", "桂A12345", 1)]
    assert q("SELECT name, role FROM users WHERE badge_no = '450002'").fetchone() == ("周建国", "supervisor")
    [entry] = [e for e in lt.store.audit_entries() if e.action == "reference.import"]
    assert entry.object_id == r.bundle_id and entry.details["version"] == r.version
    tables = [q(f"SELECT count(*) FROM {t}").fetchone() for t in ("users", "watch_list")]
    with pytest.raises(BundleError) as e:  # the one written before: older, refused, nothing changes
        import_reference(lt.store, lt.actor, old, config=config)
    assert e.value.code == "older" and [q(f"SELECT count(*) FROM {t}").fetchone() for t in ("users", "watch_list")] == tables
    assert local_forms(lt.store).latest("scene_investigation").version == 5
