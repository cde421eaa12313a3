"""`weicha check` and `weicha watchlist`: exit codes (0 miss, 3 hit, 1 refused, 2 usage), JSON,
the import's report, a QR code in an image."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import segno

from weicha_desktop.core.forms.validators import id_check_char

from tests.support import new_store, run_cli

WANTED = "45070219800101123" + id_check_char("45070219800101123")
LISTED = (date.today() - timedelta(days=10)).isoformat()  # the CLI runs on the real clock


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """A folder with two imported lists (the imports themselves are tested below)."""
    tmp = tmp_path_factory.mktemp("check-cli")
    new_store(tmp / "data").close()
    (tmp / "v.csv").write_bytes("号牌,原因\n桂A12345,被盗\n".encode("gbk"))
    (tmp / "p.csv").write_text(f"身份证号,姓名,原因\n{WANTED},李四,网上追逃\n", encoding="utf-8-sig")
    assert run_cli(tmp / "data", "watchlist", "import", str(tmp / "v.csv"), "--list", "被盗抢机动车",
                   user="admin").returncode == 0
    assert run_cli(tmp / "data", "watchlist", "import", str(tmp / "p.csv"), "--list", "在逃人员",
                   "--date", LISTED, user="admin").returncode == 0
    return tmp


def test_a_hit_exits_3_with_the_list_and_what_to_do(data):
    r = run_cli(data / "data", "check", "--plate", "桂a·12345", user="admin")
    assert r.returncode == 3, r.stderr
    assert "命中核查名单" in r.stdout and "被盗抢机动车（第 1 版" in r.stdout and "处置：" in r.stdout


def test_a_miss_exits_0_and_says_how_old_the_lists_are(data):
    r = run_cli(data / "data", "check", "--id-card", "11010519491231002x", user="admin")
    assert r.returncode == 0, r.stderr
    assert "未命中" in r.stdout and "最旧的一份 10 天前更新" in r.stdout
    assert "已 10 天未更新（超过 7 天）" in r.stderr


def test_json_output_carries_the_result(data):
    r = run_cli(data / "data", "check", "--text", WANTED, "--json", user="admin")
    out = json.loads(r.stdout)
    assert r.returncode == 3 and out["result"] == "hit" and out["hits"][0]["list"] == "在逃人员"
    assert out["hits"][0]["list_date"] == LISTED and out["lists"][0]["age_days"] == 10


@pytest.mark.parametrize("args, code, words", [
    (("check", "--plate", "桂A1234"), 1, "号牌 桂A1234 有误"),
    (("check", "--id-card", "110105194912310029"), 1, "校验位不符"),
    (("check",), 2, "required"),
    (("check", "--plate", "桂A12345", "--id-card", WANTED), 2, "not allowed"),
])
def test_refused_input_exits_1_and_usage_errors_2(data, args, code, words):
    before = run_cli(data / "data", "check", "--history", "--json", "--limit", "1000", user="admin").stdout
    r = run_cli(data / "data", *args, user="admin")
    assert r.returncode == code and words in r.stderr and "Traceback" not in r.stderr
    after = run_cli(data / "data", "check", "--history", "--json", "--limit", "1000", user="admin").stdout
    assert json.loads(after) == json.loads(before)  # nothing checked, nothing logged


def test_a_qr_code_in_an_image_is_checked(data, tmp_path):
    segno.make(f"公民身份号码:{WANTED}", micro=False).save(tmp_path / "qr.png", scale=6)
    r = run_cli(data / "data", "check", "--image", str(tmp_path / "qr.png"), "--json", user="admin")
    assert r.returncode == 3, r.stderr
    assert json.loads(r.stdout)["source"] == "image"
    (tmp_path / "no.png").write_bytes(b"\x89PNG not really")
    r = run_cli(data / "data", "check", "--image", str(tmp_path / "no.png"), user="admin")
    assert r.returncode == 1 and "不是可识别的图片" in r.stderr


def test_the_history_lists_checks_with_who_and_the_result(data):
    run_cli(data / "data", "check", "--plate", "桂A12345", user="admin")
    r = run_cli(data / "data", "check", "--history", "--limit", "1", user="admin")
    assert r.returncode == 0 and "admin  桂A12345  命中 被盗抢机动车" in r.stdout


def test_watchlist_list_shows_version_date_and_count(data):
    r = run_cli(data / "data", "watchlist", "list", "--json", user="admin")
    held = {i["name"]: i for i in json.loads(r.stdout)}
    assert held["在逃人员"]["entries"] == 1 and held["在逃人员"]["date"] == LISTED
    assert held["被盗抢机动车"]["kind"] == "vehicle"


def test_an_import_with_bad_rows_reports_each_line_and_exits_1(data, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_bytes("身份证号,姓名\n110105194912310029,甲\n11010519491231002X,乙\n12345,丙\n".encode("gbk"))
    r = run_cli(data / "data", "watchlist", "import", str(f), "--list", "失踪人员", user="admin")
    assert r.returncode == 1 and "第 2 行" in r.stderr and "第 4 行" in r.stderr and "第 3 行" not in r.stderr
    r = run_cli(data / "data", "watchlist", "import", str(f), "--list", "失踪人员", "--skip-bad", "--json",
                user="admin")
    report = json.loads(r.stdout)
    assert r.returncode == 0 and report["imported"] == 1 and report["encoding"] == "GBK"
    assert [p["line"] for p in report["problems"]] == [2, 4]


def test_a_file_csv_cannot_read_names_its_line(data, tmp_path):
    f = tmp_path / "big.csv"
    f.write_text("号牌,原因\n桂A12345,被盗\n桂B12345,\"" + "x" * 200_000 + "\"\n", encoding="utf-8")
    r = run_cli(data / "data", "watchlist", "import", str(f), "--list", "临时", user="admin")
    assert r.returncode == 1 and "第 3 行无法按 CSV 读取" in r.stderr and "Traceback" not in r.stderr
