"""`weicha-server` commands (issue 11, slice S1): init, enroll-code, devices, revoke-device,
users import / user add, stats — on SQLite and PostgreSQL, in this process — and serve with
TLS (a real server; worker processes: test_server_concurrency.py). Chinese messages; exit codes 0 / 1 / 2."""
from __future__ import annotations

import json
import ssl

import httpx
import pytest
import sqlalchemy as sa

from weicha_desktop.core.ids import user_id
from weicha_server import auth
from weicha_server.db import LATEST, make_engine, schema_version, server_audit, users
from weicha_server.config import normalize_db_url

from tests.server_support import BACKENDS, HEADERS, backend_db, server_cli, start_server
from tests.sync_support import self_signed_leaf

UNIT = "450702000000"


@pytest.fixture(params=BACKENDS)
def folder(request, tmp_path):
    """An initialized server: (data dir, --db URL or None, engine)."""
    with backend_db(request.param) as db:
        data = tmp_path / "server"
        if db:  # a database init has not made is refused, not taken for an old one
            data.mkdir()
            empty = server_cli(data, "stats", db=db)
            assert empty.code == 1 and "数据库尚未初始化" in empty.err, empty.err
        first = server_cli(data, "init", db=db)
        assert first.code == 0 and "已初始化" in first.out, first.err
        engine = make_engine(normalize_db_url(db) if db else f"sqlite:///{data / 'server.db'}")
        yield data, db, engine
        engine.dispose()


def run(folder, *args):
    data, db, _ = folder
    return server_cli(data, *args, db=db)


def test_init_codes_devices_revocation_and_stats(folder):
    data, db, engine = folder
    again = server_cli(data, "init")  # the URL given to init is remembered (server.json, 0600)
    assert again.code == 0 and "已是最新" in again.out
    if db:
        assert (data / "server.json").stat().st_mode & 0o777 == 0o600
    made = run(folder, "enroll-code", "--device-name", "刑侦大队-笔记本1", "--unit", UNIT, "--json")
    assert made.code == 0, made.err
    code = json.loads(made.out)
    assert len(code["code"]) == 19 and code["unit_code"] == UNIT
    text = run(folder, "enroll-code", "--device-name", "笔记本2")
    assert text.code == 0 and "登记码：" in text.out and "只能使用一次" in text.out
    assert run(folder, "devices").out.startswith("尚无已登记的设备")
    with engine.begin() as conn:
        token, unit = auth.enroll(conn, code=code["code"], device_id="dev-1", device_name="x",
                                  public_key="A" * 43 + "=", unit_code=None)
    assert unit == UNIT
    listed = json.loads(run(folder, "devices", "--json").out)
    assert [(d["id"], d["name"], d["revoked_at"]) for d in listed] == [("dev-1", "刑侦大队-笔记本1", None)]
    assert "token_hash" not in listed[0] and token not in run(folder, "devices").out
    done = run(folder, "revoke-device", "dev-1")
    assert done.code == 0 and "已吊销" in done.out
    twice, unknown = run(folder, "revoke-device", "dev-1"), run(folder, "revoke-device", "nope")
    assert (twice.code, unknown.code) == (1, 1) and "已于" in twice.err and "没有编号为" in unknown.err
    stats = json.loads(run(folder, "stats", "--json").out)
    assert stats["devices"] == {"enrolled": 1, "revoked": 1} and stats["schema_version"] == LATEST
    assert stats["audit"] == {"entries": 4, "intact": True, "problem": None}
    assert "weicha:weicha@" not in json.dumps(stats)  # the password is hidden
    with engine.begin() as conn:  # the server's audit chain notices an edit
        conn.execute(server_audit.update().where(server_audit.c.seq == 2).values(actor="someone"))
    shown = run(folder, "stats")
    assert shown.code == 0 and "第 2 条与哈希链不符" in shown.out


def test_users_import_and_add(folder, tmp_path):
    _, _, engine = folder
    csv = tmp_path / "users.csv"
    csv.write_text("\ufeff警号,姓名,显示名,角色\n450001,张伟,张伟,勘验员\n450002,周建国,,审核人\n"
                   "a12345,李娜,李娜,technician\n", encoding="utf-8")
    first = run(folder, "users", "import", str(csv), "--unit", UNIT)
    assert first.code == 0 and "新增 3 人" in first.out, first.err
    with engine.connect() as conn:
        rows = {r.badge_no: r for r in conn.execute(sa.select(users))}
    assert rows["A12345"].id == user_id(UNIT, "A12345") and rows["450002"].display_name == "周建国"
    assert rows["450002"].role == "supervisor"
    csv.write_text("badge_no,name,role,unit_code,active\n450001,张伟,supervisor,450702000000,1\n"
                   "450002,周建国,supervisor,450702000000,1\n", encoding="utf-8")
    second = run(folder, "users", "import", str(csv))
    assert second.code == 0 and "更新 1 人" in second.out and "未变 1 人" in second.out
    with engine.connect() as conn:
        after = {r.badge_no: r for r in conn.execute(sa.select(users))}
    assert after["450001"].updated_seq > rows["450001"].updated_seq
    assert after["450002"].updated_seq == rows["450002"].updated_seq
    csv.write_text("警号,姓名,角色\n12,王五,勘验员\n450003,赵六,局长\n450004,,勘验员\n450005,钱七,审核人\n"
                   "450005,钱七,审核人\n", encoding="utf-8")
    bad = run(folder, "users", "import", str(csv), "--unit", UNIT)
    assert bad.code == 1 and "未导入任何用户" in bad.err
    for line in ("第 2 行：警号", "第 3 行：角色“局长”", "第 4 行：姓名", "第 6 行：警号 450005 与第 5 行重复"):
        assert line in bad.err
    csv.write_text("警号,姓名\n450001,张\x00伟\n", encoding="utf-8")
    nul = run(folder, "users", "import", str(csv), "--unit", UNIT)
    assert nul.code == 1 and "第 2 行：姓名" in nul.err and "控制字符" in nul.err
    csv.write_text("警号,姓名\n450001," + "长" * 200_000 + "\n", encoding="utf-8")
    huge = run(folder, "users", "import", str(csv), "--unit", UNIT)
    assert huge.code == 1 and "第 2 行无法按 CSV 读取" in huge.err
    nounit = run(folder, "users", "import", str(csv))
    assert nounit.code == 1 and "--unit" in nounit.err
    added = run(folder, "user", "add", "--unit", UNIT, "--badge", "450009", "--name", "孙八", "--role", "admin")
    assert added.code == 0 and user_id(UNIT, "450009") in added.out
    dup = run(folder, "user", "add", "--unit", UNIT, "--badge", "450009", "--name", "孙八")
    assert dup.code == 1 and "已存在" in dup.err
    role = run(folder, "user", "add", "--unit", UNIT, "--badge", "450010", "--name", "x", "--role", "boss")
    assert role.code == 1 and "角色" in role.err
    stats = json.loads(run(folder, "stats", "--json").out)
    assert stats["users"] == 4 and stats["audit"]["intact"] and stats["audit"]["entries"] == 3


def test_refusals_are_chinese_with_exit_codes(tmp_path):
    empty = tmp_path / "nothing"
    for args in (("devices",), ("stats",), ("serve",), ("enroll-code", "--device-name", "x")):
        r = server_cli(empty, *args)
        assert r.code == 1 and "init" in r.err, args
    data = tmp_path / "server"
    (tmp_path / "blank").mkdir()
    (tmp_path / "blank" / "server.db").write_bytes(b"")  # a database file with nothing in it
    blank = server_cli(tmp_path / "blank", "stats")
    assert blank.code == 1 and "数据库尚未初始化" in blank.err, blank.err
    unreachable = server_cli(tmp_path / "blank", "stats", db="postgresql://u:secret@127.0.0.1:1/x")
    assert unreachable.code == 1 and "无法连接" in unreachable.err and "secret" not in unreachable.err
    assert server_cli(data, "init").code == 0
    assert server_cli(data, "init", db="mysql://x/y").code == 1
    down = server_cli(tmp_path / "other", "init", db="postgresql://u:secret@127.0.0.1:1/x")
    assert down.code == 1 and "无法连接" in down.err and "secret" not in down.err
    assert server_cli(data, "serve", "--tls-cert", str(data / "server.db")).code == 2
    assert server_cli(data, "enroll-code", "--device-name", "x", "--hours", "0").code == 2
    assert server_cli(data, "enroll-code", "--device-name", "x", "--unit", "12").code == 1
    assert server_cli(data, "bogus").code == 2
    engine = make_engine(f"sqlite:///{data / 'server.db'}")
    with engine.begin() as conn:  # a database a newer program made: refused, not touched
        conn.execute(schema_version.insert().values(version=LATEST + 1, name="future", applied_at="-"))
    engine.dispose()
    newer = server_cli(data, "stats")
    assert newer.code == 1 and "比本程序新" in newer.err
    assert server_cli(data, "init").code == 1
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "server.json").write_text('{"max_body": "big"}', encoding="utf-8")
    broken = server_cli(tmp_path / "bad", "init")
    assert broken.code == 1 and "server.json" in broken.err


def test_serve_with_tls(tmp_path):
    cert, key = self_signed_leaf(tmp_path / "tls")  # what a unit without a CA uses
    pinned = ssl.create_default_context(cafile=str(cert))  # the laptop trusts this one only
    pinned.check_hostname = False  # a pinned leaf, reached by its IP address
    server = start_server(tmp_path / "server", scheme="https", verify=pinned,
                          extra=("--tls-cert", str(cert), "--tls-key", str(key)))
    try:
        with httpx.Client(base_url=server.url, headers=HEADERS, verify=pinned) as c:
            assert c.get("/v1/health").json()["status"] == "ok"
        with pytest.raises(httpx.TransportError):
            httpx.get(server.url.replace("https", "http") + "/v1/health", headers=HEADERS, timeout=5)
        with pytest.raises(httpx.ConnectError):  # an unpinned client refuses the self-signed one
            httpx.get(server.url + "/v1/health", headers=HEADERS, timeout=5)
    finally:
        server.stop()
