"""The `weicha` command line, run as a user would type it: in this process (run_cli) where a
process start proves nothing; a real process (weicha, also used by other test files) for the
program's entry point, its exit status and output, and locks between programs."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from weicha_desktop.core.demo import scene_values
from weicha_desktop.resources import forms_dir

from tests.support import PASSWORD, UNIT, migrated_folder, run_cli, tamper

ROOT = Path(__file__).resolve().parent.parent


def weicha(data, *args, user=None, password=PASSWORD, input=None, env=None):
    cmd = [sys.executable, "-m", "weicha_desktop", "--data-dir", str(data)]
    if user:
        cmd += ["--user", user]
    full_env = dict(os.environ, WEICHA_PASSWORD=password, **(env or {}))
    return subprocess.run(cmd + list(args), capture_output=True, text=True, env=full_env,
                          input=input, cwd=ROOT, timeout=60)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    r = run_cli(d, "init", "--unit-code", UNIT, "--unit-name", "钦南分局刑侦大队", "--admin", "admin", "--admin-badge", "100001")
    assert r.returncode == 0, r.stderr
    r = run_cli(d, "user", "add", "李明", "--role", "technician", "--badge", "100011", user="admin",
               env={"WEICHA_NEW_PASSWORD": "tech-pass"})
    assert r.returncode == 0, r.stderr
    r = run_cli(d, "user", "add", "周审", "--role", "supervisor", "--badge", "100012", user="admin",
               env={"WEICHA_NEW_PASSWORD": "super-pass"})
    assert r.returncode == 0, r.stderr
    return d


def test_init_twice_is_refused(data):
    r = run_cli(data, "init", "--unit-code", UNIT, "--unit-name", "x", "--admin", "admin", "--admin-badge", "100001")
    assert r.returncode == 1 and "已经初始化" in r.stderr


def test_init_rejects_a_bad_unit_code(tmp_path):
    r = run_cli(tmp_path, "init", "--unit-code", "4507", "--unit-name", "x", "--admin", "admin", "--admin-badge", "100001")
    assert r.returncode == 1 and "12 位数字" in r.stderr
    r = run_cli(tmp_path, "init", "--unit-code", UNIT, "--unit-name", "x", "--admin", "admin", "--admin-badge", "1")
    assert r.returncode == 1 and "警号须为" in r.stderr
    assert list(tmp_path.iterdir()) == []  # refused before a folder or database is made


def test_wrong_password_and_missing_user(data):
    r = run_cli(data, "case", "new", "--json", user="李明", password="nope-nope")
    assert r.returncode == 1 and "用户名或密码错误" in r.stderr
    r = run_cli(data, "case", "new", "--json")
    assert r.returncode == 1 and "--user" in r.stderr


def test_case_life_cycle_through_the_cli(data, tmp_path):
    r = run_cli(data, "case", "new", "--json", user="李明", password="tech-pass")
    assert r.returncode == 0, r.stderr
    made = json.loads(r.stdout)
    assert set(made) == {"id", "number"}
    assert made["number"].startswith("K" + UNIT) and len(made["number"]) == 23

    r = run_cli(data, "case", "finalize", made["number"], user="李明", password="tech-pass")
    assert r.returncode == 1 and "不能定稿" in r.stderr
    assert "必采" in r.stderr or "痕迹物证" in r.stderr

    bad = tmp_path / "bad.json"
    values = scene_values(seed=3)
    witness = dict(values["witnesses"][0], id_number=values["witnesses"][0]["id_number"][:-1] + "0")
    if witness["id_number"] == values["witnesses"][0]["id_number"]:
        witness["id_number"] = witness["id_number"][:-1] + "1"
    bad.write_text(json.dumps({"witnesses": [witness]}, ensure_ascii=False), encoding="utf-8")
    r = run_cli(data, "case", "update", made["id"], "--json-file", str(bad), user="李明", password="tech-pass")
    assert r.returncode == 1 and "校验" in r.stderr and "witnesses[0].id_number" in r.stderr

    good = tmp_path / "good.json"
    good.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    r = run_cli(data, "case", "update", made["id"], "--json-file", str(good), user="李明", password="tech-pass")
    assert r.returncode == 0, r.stderr

    r = run_cli(data, "case", "show", made["id"], "--json", user="李明", password="tech-pass")
    shown = json.loads(r.stdout)
    assert shown["data"]["case_number"] == made["number"]
    assert shown["data"]["scene_address"] == values["scene_address"]
    assert shown["status"] == "draft"

    r = run_cli(data, "case", "finalize", made["id"], user="李明", password="tech-pass")
    assert r.returncode == 0, r.stderr
    shown = json.loads(run_cli(data, "case", "show", made["id"], "--json", user="李明",
                              password="tech-pass").stdout)
    assert shown["status"] == "finalized" and len(shown["content_hash"]) == 64

    r = run_cli(data, "case", "update", made["id"], "--json-file", str(good), user="李明", password="tech-pass")
    assert r.returncode == 1 and "已定稿" in r.stderr

    r = run_cli(data, "case", "review", made["id"], "--return", "--comment", "补充现场访问", user="周审",
               password="super-pass")
    assert r.returncode == 0 and "退回补正" in r.stdout
    r = run_cli(data, "case", "finalize", made["id"], user="李明", password="tech-pass")
    assert r.returncode == 0, r.stderr
    r = run_cli(data, "case", "review", made["id"], "--approve", user="周审", password="super-pass")
    assert r.returncode == 0 and "已审核" in r.stdout
    r = run_cli(data, "case", "amend", made["id"], "--reason", "更正发案地点", user="李明", password="tech-pass")
    assert r.returncode == 0 and "第 3 版" in r.stdout
    r = run_cli(data, "case", "history", made["id"], user="李明", password="tech-pass")
    assert r.stdout.count("第 ") == 3 and "更正发案地点" in r.stdout

    r = run_cli(data, "log", "--json", "--limit", "200", user="admin")
    actions = [e["action"] for e in json.loads(r.stdout) if e["object_id"] == made["id"]]
    assert actions[::-1] == ["case.create", "case.update", "case.export", "case.finalize",
                             "case.export", "case.return", "case.finalize", "case.approve",
                             "case.amend"], actions

    r = run_cli(data, "verify")
    assert r.returncode == 0 and "校验通过" in r.stdout, r.stderr


def test_verify_names_an_altered_finalized_record_and_audit_row(tmp_path):
    d = migrated_folder(tmp_path / "d")
    assert run_cli(d, "demo", "--cases", "6").returncode == 0
    assert run_cli(d, "verify").returncode == 0
    copy = tmp_path / "copy"
    shutil.copytree(d, copy)
    # one byte of one finalized record: 勘 → 堪 in the data of the first finalized version
    import sqlite3
    conn = sqlite3.connect(d / "weicha.db")
    vid, number, version = conn.execute(
        "SELECT v.id, c.number, v.version FROM record_versions v JOIN cases c ON c.id = v.record_id "
        "WHERE v.finalized_at IS NOT NULL ORDER BY v.id LIMIT 1").fetchone()
    conn.close()
    tamper(d / "weicha.db", "UPDATE record_versions SET data = replace(data, '。', '，') WHERE id = ?", vid)
    r = run_cli(d, "verify")
    assert r.returncode == 1
    assert number in r.stderr and f"第 {version} 版" in r.stderr
    # one byte of one audit row
    tamper(copy / "weicha.db", "UPDATE audit_log SET summary = summary || ' ' WHERE seq = 5")
    r = run_cli(copy, "verify")
    assert r.returncode == 1 and "第 5 条" in r.stderr


def test_verify_needs_no_login_and_changes_nothing(data):
    before = (data / "weicha.db").stat().st_mtime_ns
    r = run_cli(data, "verify", password="")
    assert r.returncode == 0
    assert (data / "weicha.db").stat().st_mtime_ns == before


def test_forms_check_passes_and_names_file_line_field_on_a_broken_copy(tmp_path):
    r = run_cli(tmp_path, "forms", "check")
    assert r.returncode == 0, r.stderr
    broken = tmp_path / "forms"
    shutil.copytree(forms_dir(), broken)
    path = broken / "scene_investigation.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("type: textarea", "type: essay", 1)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "type: essay" in l)
    r = run_cli(tmp_path, "forms", "check", str(broken))
    assert r.returncode == 1
    assert f"scene_investigation.yaml:{line}" in r.stderr or f"scene_investigation.yaml:{line - 1}" in r.stderr \
        or f"scene_investigation.yaml:{line - 2}" in r.stderr, r.stderr
    assert "essay" in r.stderr


def test_the_program_itself_runs_in_a_process_of_its_own(tmp_path):
    """`python -m weicha_desktop` end to end: exit status 0 / 1 / 2, UTF-8 Chinese on stdout
    and stderr, no traceback, and the password hash it stores has the product's cost (the
    suite's own hashes are cheap: tests/conftest.py). The JSON a new case prints is read
    through cli.main in this process: the process already showed its stdout."""
    d = tmp_path / "d"
    r = weicha(d, "init", "--unit-code", UNIT, "--unit-name", "钦南分局刑侦大队", "--admin", "admin", "--admin-badge", "100001")
    assert r.returncode == 0 and "已初始化：钦南分局刑侦大队" in r.stdout, r.stderr
    import sqlite3
    conn = sqlite3.connect(d / "weicha.db")
    assert conn.execute("SELECT password_hash FROM users").fetchone()[0].startswith("scrypt$16384$8$1$")
    conn.close()
    r = weicha(d, "case", "list", user="admin", password="not-the-password")
    assert r.returncode == 1 and "用户名或密码错误" in r.stderr and "Traceback" not in r.stderr
    r = weicha(d, "case", "list", "--status", "lost")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = run_cli(d, "case", "new", "--json", user="admin")
    assert r.returncode == 0 and json.loads(r.stdout)["number"].startswith("K" + UNIT), r.stderr


def test_second_program_on_the_same_folder_is_told(data, monkeypatch):
    from tests.forked_programs import weicha as program  # another process, pre-imported
    from weicha_desktop.core.store import Store

    monkeypatch.setenv("WEICHA_PASSWORD", "tech-pass")
    with Store.open(data):
        r = program("--data-dir", str(data), "--user", "李明", "case", "new")
        code = r.wait(60)
    assert code == 1 and "正被另一个微察程序使用" in r.stderr()


def test_a_long_demo_fill_reports_progress(tmp_path, monkeypatch):
    from weicha_desktop.cli import demo
    assert (demo.PROGRESS_FROM, demo.PROGRESS_BATCH) == (1000, 500)  # the product's rule
    # the same rule on a small fill (a 1000-case fill costs seconds): from 10 cases, per 5
    monkeypatch.setattr(demo, "PROGRESS_FROM", 10)
    monkeypatch.setattr(demo, "PROGRESS_BATCH", 5)
    r = run_cli(migrated_folder(tmp_path / "d"), "demo", "--cases", "10")  # (the demo sets it up)
    assert r.returncode == 0, r.stderr
    assert "已生成 5/10 起" in r.stderr and "已生成 10/10 起" in r.stderr
    assert "10 起勘验" in r.stdout
    r = run_cli(migrated_folder(tmp_path / "short"), "demo", "--cases", "9")  # below the threshold: quiet
    assert r.returncode == 0 and "已生成" not in r.stderr, r.stderr


def test_demo_in_a_real_folder_needs_the_admin_and_never_shows_or_reuses_his_password(tmp_path):
    d, secret = migrated_folder(tmp_path / "d"), "Admin-Geheim-77"  # (init on an empty folder: data)
    r = run_cli(d, "init", "--unit-code", UNIT, "--unit-name", "某单位", "--admin", "boss", "--admin-badge", "100001",
               password="qwerty123")  # the policy: a common password is refused
    assert r.returncode == 1 and "常见密码" in r.stderr
    assert run_cli(d, "init", "--unit-code", UNIT, "--unit-name", "某单位", "--admin", "boss", "--admin-badge", "100001",
                  password=secret).returncode == 0
    r = run_cli(d, "demo", "--cases", "2", password=secret)
    assert r.returncode == 1 and "请以管理员身份登录" in r.stderr
    r = run_cli(d, "demo", "--cases", "2", user="boss", password=secret)
    assert r.returncode == 0, r.stderr
    assert secret not in r.stdout + r.stderr and "weicha-demo-2026" in r.stdout
    assert run_cli(d, "case", "list", user="李明", password=secret).returncode == 1
    assert run_cli(d, "case", "list", user="李明", password="weicha-demo-2026").returncode == 0
    assert run_cli(d, "user", "list", user="boss", password=secret).returncode == 0
    r = run_cli(d, "user", "add", "新人", "--role", "technician", "--badge", "100013", user="boss", password=secret,
               env={"WEICHA_NEW_PASSWORD": "新人-2026-pw"})
    assert r.returncode == 1 and "不能包含用户名" in r.stderr
