"""`weicha case update --json-file`: hostile input is refused in Chinese, with exit 1, nothing
saved, never a traceback and never a hang (core/json_input.py; the real command — a process
each, with a timeout and a memory limit, for endless and deeply nested input and for bytes on
standard input; through cli.main in this process for the rest, big values included: their
time is asserted the same way and their bytes are read under the same 4 MB cap)."""
from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.json_input import MAX_BYTES
from weicha_desktop.core.users import UserService
from weicha_desktop.resources import forms_dir

from tests.support import PASSWORD, new_store, run_cli

ROOT = Path(__file__).resolve().parent.parent
MEMORY_LIMIT = 1 << 30  # a command that read /dev/zero into memory would die here
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> tuple[Path, str]:
    d = tmp_path_factory.mktemp("input") / "data"
    store = new_store(d)
    admin = UserService(store).authenticate("admin", PASSWORD)
    number = CaseService(store, FormRegistry(forms_dir()), admin).new_case(
        {"scene_address": "钦南区永福路 12 号"}).number
    store.close()
    return d, number


def update(d: Path, number: str, json_file: str, stdin: str = os.devnull) -> tuple[int, str, float]:
    """The command in a process of its own (exit status, stderr, seconds), its standard input
    the file ``stdin``: on POSIX forked from the tests' pre-imported parent
    (tests/forked_programs.py) with its memory capped; elsewhere (no fork, no resource limits)
    a fresh interpreter, the 30 s timeout still catching a hang."""
    argv = ["--data-dir", str(d), "--user", "admin", "case", "update", number, "--json-file", json_file]
    started = time.monotonic()
    if os.name == "posix":
        from tests.forked_programs import weicha

        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("WEICHA_PASSWORD", PASSWORD)
            program = weicha(*argv, stdin=stdin, memory=MEMORY_LIMIT)
        code = program.wait(30)
        return code, program.stderr(), time.monotonic() - started
    with open(stdin, "rb") as source:
        done = subprocess.run([sys.executable, "-m", "weicha_desktop", *argv], stdin=source,
                              capture_output=True, env=dict(os.environ, WEICHA_PASSWORD=PASSWORD),
                              cwd=ROOT, timeout=30)
    return done.returncode, done.stderr.decode("utf-8"), time.monotonic() - started


def saved(d: Path) -> list[tuple]:
    conn = sqlite3.connect(d / "weicha.db")
    try:
        return conn.execute("SELECT id, data, updated_at FROM record_versions ORDER BY id").fetchall()
    finally:
        conn.close()


def update_here(d: Path, number: str, json_file: str, input: str | None = None) -> tuple[int, str, float]:
    """The same command in this process (support.run_cli): for input that cannot crash or
    exhaust the test process (``input``: standard input, as text)."""
    started = time.monotonic()
    done = run_cli(d, "case", "update", number, "--json-file", json_file, user="admin", input=input)
    return done.returncode, done.stderr, time.monotonic() - started


def refused(d: Path, number: str, json_file: str, *, stdin: str = os.devnull, here=False) -> str:
    before = saved(d)
    code, err, seconds = (update_here(d, number, json_file) if here
                          else update(d, number, json_file, stdin))
    assert code == 1, err
    assert "Traceback" not in err and err.startswith(("错误：", "未保存：")), err
    assert len(err) < 2000, "the bad value is echoed back"
    assert not re.search(r"Expecting|Extra data|Unterminated|Invalid|Exceeds|Errno", err), err  # Chinese only
    assert seconds < 20
    assert saved(d) == before  # nothing saved
    return err


def nested(depth: int) -> bytes:
    return ('{"scene_address": ' + "[" * depth + "]" * depth + "}").encode()


BAD = {
    "invalid UTF-8": (b'{"scene_address": "\xc3\x28 road"}', "不是有效的 UTF-8"),
    "GBK": ('{"scene_address": "钦南区"}'.encode("gbk"), "可能是 GBK"),
    "UTF-16 with BOM": ('{"scene_address": "钦南区"}'.encode("utf-16"), "UTF-16 编码"),
    "UTF-16 without BOM": ('{"scene_address": "钦南区"}'.encode("utf-16-le"), "像是 UTF-16"),
    "lone surrogate in a value": (b'{"scene_address": "\\ud800"}', "代理码位"),
    "lone surrogate in a key": (b'{"\\udc00": 1}', "代理码位"),
    "lone surrogate deep inside": (b'{"witnesses": [{"name": "a\\udfffb"}]}', "代理码位"),
    "nesting 100000 deep": (nested(100_000), "嵌套太深"),
    "nesting 40 deep": (nested(40), "嵌套太深"),
    "NaN": (b'{"temperature": NaN}', "不支持 NaN"),
    "a number of 5000 digits": (b'{"temperature": ' + b"9" * 5000 + b"}", "数字位数太多"),
    "top-level array": (b'["scene_address", "x"]', "最外层应为 JSON 对象"),
    "top-level string": (b'"x"', "而不是文字"),
    "empty file": (b"", "是空的"),
    "broken JSON": (b'{"scene_address": "x",}', "第 1 行第 23 列附近有误：字段名须用英文双引号括起"),
    "two objects": (b'{"scene_address": "x"} {"weather": "\\u6674"}', "之后还有多余的内容"),
    "a missing comma": (b'{"scene_address": "x" "weather": "\\u6674"}', "缺少逗号"),
    "a line break in a value": (b'{"scene_address": "x\ny"}', "控制字符"),  # a raw newline byte
    "a 1 MB value": (json.dumps({"scene_address": "窃" * 1_000_000}, ensure_ascii=False).encode(),
                     "不能超过 200 个字（现为 1000000 个"),
    "a 1 MB key": (json.dumps({"x" * 1_000_000: 1}).encode(), "未知字段“xxxxxxxxxxxxxxxxxxxx…”"),
    "too big": (b'{"remarks": "' + b"a" * MAX_BYTES + b'"}', "太大（超过 4 MB）"),
}
# deep enough to need a process of its own (a decoder that recursed on it would take the test
# process down); the rest run in this process (the 1 MB values and the 4 MB file too: a few MB,
# their seconds asserted; the endless input, /dev/zero below, runs under the memory cap)
HOSTILE = {"nesting 100000 deep"}


@pytest.mark.parametrize("name", BAD)
def test_bad_json_files_are_refused_clearly(case, tmp_path, name):
    content, message = BAD[name]
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    assert message in refused(*case, str(bad), here=name not in HOSTILE)


if os.name == "posix":  # /dev/zero and the memory cap exist there only (no skip: Linux CI runs it)
    def test_dev_zero_neither_hangs_nor_eats_memory(case):
        assert "太大（超过 4 MB）" in refused(*case, "/dev/zero")
        assert "标准输入 太大" in refused(*case, "-", stdin="/dev/zero")  # and as standard input


def test_standard_input_is_checked_the_same_and_good_input_still_saves(case, tmp_path):
    d, number = case
    bad = tmp_path / "bad.json"
    bad.write_bytes('{"scene_address": "钦南区"}'.encode("utf-16"))
    # bytes that are not UTF-8: a process's own standard input
    assert "标准输入 是 UTF-16 编码" in refused(d, number, "-", stdin=str(bad))
    assert "是一个文件夹" in refused(d, number, str(tmp_path), here=True)
    assert "找不到文件" in refused(d, number, str(tmp_path / "none.json"), here=True)
    good = b'\xef\xbb\xbf{"scene_address": "\xe9\x92\xa6\xe5\x8d\x97\xe5\x8c\xba 1 \xe5\x8f\xb7"}'  # BOM ok
    code, err, _ = update_here(d, number, "-", input=good.decode("utf-8"))  # the BOM stays: U+FEFF
    assert code == 0, err
    assert "钦南区 1 号" in saved(d)[0][1]


def test_this_file_collects_where_there_is_no_resource_module(monkeypatch):
    """Windows has no ``resource``: the tests here must still be collected (and run) there."""
    import importlib.util

    monkeypatch.setitem(sys.modules, "resource", None)  # import resource → ImportError
    spec = importlib.util.spec_from_file_location("cli_input_without_resource", __file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert callable(module.update) and module.BAD.keys() == BAD.keys()
