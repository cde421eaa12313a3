"""Issue 11's closing audit (/work/notes/issue11-audit.md), the server's side: what the
issue asks that no test held yet — on SQLite and PostgreSQL where it touches the database.

- ``weicha-server stats --json`` counts the USB bundles imported and refused;
- an offline enrollment (``enroll-import``) registers the laptop's key and gives it a number
  block as ``POST /v1/enroll`` does (through auth.enroll_device), the block following the
  server's ``number_slots`` as the network's does;
- a network enrollment registers the laptop's own checkpoint key (the hardening issue's);
- an unexpected failure in a handler is a JSON 500 in Chinese, a database that went away a
  JSON 503: never a stack trace to the client, the details in the server's log only."""
from __future__ import annotations

import base64
import json
import logging

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient

from weicha_desktop.core.bundle.offline_enroll import write_request
from weicha_desktop.core.checkpoint import Anchor
from weicha_server import auth, db, enroll_offline
from weicha_server import config as settings
from weicha_server.app import create_app

from tests.server_bundle_support import UNIT, enrolled_laptop, ops_bundle, srv  # noqa: F401
from tests.server_support import HEADERS, closes_laptops, init_server, laptop, server_cli  # noqa: F401
from tests.sync_support import enrolled


def stats(srv) -> dict:
    run = server_cli(srv.data_dir, "stats", "--json", db=srv.db_url)
    assert run.code == 0, run.err
    return json.loads(run.out)["bundles"]


def test_stats_counts_the_bundles_imported_and_refused(srv, tmp_path):
    before = stats(srv)
    lt, key = enrolled_laptop(srv, tmp_path / "a")
    lt.new_case(1)
    path = tmp_path / "a.wcb"
    ops_bundle(lt, key, srv, path)
    assert server_cli(srv.data_dir, "bundle", "import", str(path), db=srv.db_url).code == 0
    junk = tmp_path / "junk.wcb"
    junk.write_bytes(b"not a bundle at all" * 10)
    assert server_cli(srv.data_dir, "bundle", "import", str(junk), db=srv.db_url).code == 1
    after = stats(srv)
    assert after["imported"] == before["imported"] + 1 and after["devices"] == before["devices"] + 1
    assert after["refused"] == before["refused"] + 1 and after["last_imported_at"]
    with db.read(srv.engine) as conn:
        [stamp] = conn.execute(sa.select(db.bundle_imports.c.imported_at)
                               .where(db.bundle_imports.c.device_id == lt.device_id)).scalars()
    assert after["last_imported_at"] >= stamp
    text = server_cli(srv.data_dir, "stats", db=srv.db_url)
    assert text.code == 0 and f"U 盘数据包：已导入 {after['imported']} 个" in text.out


def offline_enroll(srv, tmp_path, **config):
    """A laptop's own request (core/bundle/offline_enroll.write_request) taken by
    ``enroll_offline.enroll``, as ``weicha-server enroll-import --yes`` does; (laptop, answer)."""
    lt = laptop(tmp_path / "lt")
    req = write_request(lt.store, lt.actor, tmp_path / "req.wcq", device_name="离线笔记本")
    done = enroll_offline.enroll(srv.config(**config), srv.engine, srv.keys, req.path, tmp_path / "e.wce",
                                 unit=None, reenroll=False, confirm=lambda r: True, actor="admin-cli")
    return lt, done


def block(srv, device_id: str):
    with db.read(srv.engine) as conn:
        return conn.execute(sa.select(db.number_blocks).where(db.number_blocks.c.device_id == device_id)).one()


def test_an_offline_enrollment_gets_a_number_block_as_the_network_one_does(srv, tmp_path):
    lt, done = offline_enroll(srv, tmp_path)
    row = block(srv, lt.device_id)
    numbers = done["answer"]["numbers"]
    assert (numbers["first"], numbers["last"], numbers["slot"]) == (row.first_serial, row.last_serial, row.slot)
    assert row.unit_code == lt.store.meta("unit_code")
    with db.read(srv.engine) as conn:  # no other device of the unit holds an overlapping block
        others = conn.execute(sa.select(db.number_blocks).where(db.number_blocks.c.unit_code == row.unit_code,
                                                                db.number_blocks.c.device_id != lt.device_id)).all()
        device = conn.execute(sa.select(db.devices).where(db.devices.c.id == lt.device_id)).one()
    assert all(o.last_serial < row.first_serial or o.first_serial > row.last_serial for o in others)
    [entry] = [e for e in srv.audit("device.enroll") if e["details"]["device_id"] == lt.device_id]
    assert entry["details"]["numbers"] == {k: v for k, v in numbers.items() if k != "used"}  # enroll_device's
    assert device.public_key == base64.b64encode(raw_checkpoint_key(lt)).decode()


@pytest.mark.xfail(strict=True, reason="gap left to the bundles helper: enroll_offline._enroll does not pass "
                                       "slots=cfg.number_slots to auth.enroll_device (POST /v1/enroll does)")
def test_an_offline_enrollment_follows_the_servers_number_slots(srv, tmp_path):
    lt, done = offline_enroll(srv, tmp_path, number_slots=40)
    assert block(srv, lt.device_id).slots == 40 == done["answer"]["numbers"]["slots"]


def raw_checkpoint_key(lt) -> bytes:
    key = (lt.store.anchor or Anchor.default()).private_key(create=False)
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


# ---- never a stack trace -------------------------------------------------------------------
@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """The server's app in this process (SQLite), with an enrolled device's token."""
    data = tmp_path_factory.mktemp("api") / "srv"
    init_server(data, None)
    app = create_app(settings.load(data, None))
    engine = app.state.api.engine
    with engine.begin() as conn:
        code, _ = auth.make_code(conn, "笔记本", None, 1.0)
        token, _ = auth.enroll(conn, code=code, device_id="dev-500", device_name="x",
                               public_key=base64.b64encode(b"k" * 32).decode(), unit_code=None)
    with TestClient(app, raise_server_exceptions=False,
                    headers={**HEADERS, "Authorization": f"Bearer {token}"}) as client:
        yield client
    engine.dispose()


def refused_plainly(r, status: int, error: str, *secrets: str) -> None:
    assert r.status_code == status and r.headers["content-type"].startswith("application/json"), r.text
    body = r.json()
    assert body["error"] == error and any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body
    for hidden in ("Traceback", "File \"", *secrets):
        assert hidden not in r.text


def test_an_unexpected_failure_is_a_json_500_and_its_details_stay_in_the_log(api, monkeypatch, caplog):
    def broken(*a, **k):
        raise RuntimeError("secret-detail-42 in a handler")

    monkeypatch.setattr(auth, "authenticate", broken)
    with caplog.at_level(logging.INFO):
        r = api.get("/v1/devices/me")
    refused_plainly(r, 500, "internal", "secret-detail-42", "RuntimeError")
    [logged] = [r.fields for r in caplog.records if getattr(r, "fields", {}).get("event") == "error"]
    assert "secret-detail-42" in logged["message"] and "Traceback" in logged["traceback"]  # for the administrator
    monkeypatch.undo()
    assert api.get("/v1/devices/me").status_code == 200  # the server goes on


def test_a_database_gone_is_a_json_503(api, monkeypatch):
    def down(*a, **k):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("password=hunter2 host gone"))

    monkeypatch.setattr(auth, "authenticate", down)
    refused_plainly(api.get("/v1/devices/me"), 503, "unavailable", "hunter2", "OperationalError")


def test_a_network_enrollment_registers_the_laptops_checkpoint_key(srv_http, tmp_path):
    lt, _ = enrolled(srv_http, tmp_path / "a")
    with srv_http.engine().connect() as conn:
        stored = conn.execute(sa.select(db.devices.c.public_key).where(db.devices.c.id == lt.device_id)).scalar_one()
    assert base64.b64decode(stored) == raw_checkpoint_key(lt)


@pytest.fixture(scope="module")
def srv_http(tmp_path_factory):
    from tests.server_support import running_server

    with running_server(tmp_path_factory.mktemp("srv"), "sqlite") as s:
        yield s
