"""The application log (core/applog.py): errors with tracebacks, rotating, in a folder that
can be given; never a password or a record's contents."""
from __future__ import annotations

import json
import logging
import sqlite3
import sys
import threading

from weicha_desktop.core import applog

from support import log_text, run_cli

PASSWORD = "Geheim-密码-2718"
ID_NUMBER = "450702199003077777"


def check_login(password: str) -> None:
    raise ValueError(f"password {password!r} does not match")


def parse_record(text: str) -> dict:
    record = json.loads(text)
    return {"id_number": record["witness"][ID_NUMBER]}  # a KeyError that names a value


def test_errors_are_logged_with_their_traceback_but_without_passwords_or_record_contents(app_log):
    log = logging.getLogger("weicha.test")
    try:
        check_login(PASSWORD)
    except ValueError:
        log.exception("登录检查失败")
    record = json.dumps({"witness": {"name": "张三丰", "phone": "13807770001"}}, ensure_ascii=False)
    try:
        try:
            parse_record(record)
        except KeyError as e:
            raise RuntimeError(f"record {record} unreadable") from e
    except RuntimeError:
        log.exception("读取记录失败")
    try:
        sqlite3.connect(":memory:").execute("SELECT ?, no_such_column", (PASSWORD,))
    except sqlite3.Error:
        log.exception("查询失败")
    text = log_text(app_log)
    assert app_log.name == "weicha.log" and app_log.parent.name == "logs"
    assert "登录检查失败" in text and "读取记录失败" in text and "查询失败" in text
    assert "in check_login" in text and "in parse_record" in text  # where it happened
    assert "ValueError (message withheld)" in text and "KeyError (message withheld)" in text
    assert "direct cause" in text and "[SQLITE_ERROR]" in text
    for secret in (PASSWORD, ID_NUMBER, "张三丰", "13807770001"):
        assert secret not in text


def test_uncaught_errors_of_any_thread_are_logged(app_log, monkeypatch):
    before = []  # the hooks installed before applog's (here pytest's) still run after it
    monkeypatch.setattr(applog._hooks, "sys_hook", lambda *exc: before.append(exc[0]))
    monkeypatch.setattr(applog._hooks, "thread_hook", lambda args: before.append(args.exc_type))

    def work():
        check_login(PASSWORD)

    thread = threading.Thread(target=work, name="导入线程")
    thread.start()
    thread.join()
    try:
        check_login(PASSWORD)
    except ValueError:
        sys.excepthook(*sys.exc_info())  # what Python calls for an error nobody caught
    text = log_text(app_log)
    assert "ERROR weicha [" in text and "线程 导入线程 中未处理的错误" in text
    assert "CRITICAL weicha [" in text and "] 未处理的错误" in text
    assert text.count("in check_login") == 2 and PASSWORD not in text
    assert before == [ValueError, ValueError]


def test_the_file_rotates(tmp_path, monkeypatch):
    monkeypatch.setattr(applog, "MAX_BYTES", 2000)
    path = applog.setup(tmp_path)
    try:
        for i in range(200):
            logging.getLogger("weicha.test").error("第 %d 条", i)
    finally:
        applog.teardown()
    files = sorted(p.name for p in tmp_path.glob("weicha.log*"))
    assert files == ["weicha.log", *(f"weicha.log.{n}" for n in range(1, applog.BACKUPS + 1))]
    assert all(p.stat().st_size <= 2200 for p in tmp_path.glob("weicha.log*"))
    assert "第 199 条" in path.read_text(encoding="utf-8")


def test_a_log_that_cannot_be_written_does_not_stop_the_program(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert applog.setup(blocker / "logs") is None
    assert "无法写入程序日志" in capsys.readouterr().err
    logging.getLogger("weicha.test").error("还能继续")  # nothing raised


def test_the_command_line_sets_the_log_up_where_it_is_told(tmp_path, monkeypatch):
    monkeypatch.setenv("WEICHA_LOG_DIR", str(tmp_path / "cli-logs"))
    try:
        assert run_cli(tmp_path / "none", "forms", "check").returncode == 0
        assert applog.current_file() == tmp_path / "cli-logs" / "weicha.log"
    finally:
        applog.teardown()
    assert applog.current_file() is None
