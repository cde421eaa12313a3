"""`weicha patrol new/update/show/list/end/finalize/link` (cli/patrol.py): --gpx imports route
points (a broken or hostile file exits 1 and writes nothing), end, the summary, a logged JSON
show, exit codes 0/1/2."""
import json

import pytest

from weicha_desktop.core.store import Store

from tests.support import new_store, run_cli
from tests.test_patrol_gpx import BOMB, GPX11


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    new_store(folder).close()
    return folder


def cli(folder, *args):
    return run_cli(folder, *args, user="admin")


def entries(folder) -> int:
    with Store.open(folder, readonly=True) as store:
        return store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]


def test_a_patrol_from_new_with_a_gpx_track_to_finalized(data, tmp_path):
    (tmp_path / "track.gpx").write_bytes(GPX11)
    r = cli(data, "patrol", "new", "--set", "area=文峰路一带", "--gpx", str(tmp_path / "track.gpx"), "--json")
    assert r.returncode == 0, r.stderr
    made = json.loads(r.stdout)
    assert made["kind"] == "patrol" and len(made["data"]["route"]) == 4 and made["summary"]["points"] == 4
    pid = made["id"]
    r = cli(data, "patrol", "end", pid, "--note", "收队")
    assert r.returncode == 0 and "已结束巡逻记录" in r.stdout and "路线 2.44 公里（4 个路线点）" in r.stdout
    listed = json.loads(cli(data, "patrol", "list", "--ended", "--json").stdout)
    assert [p["id"] for p in listed] == [pid]
    shown = cli(data, "patrol", "show", pid)
    assert shown.returncode == 0 and "小结：" in shown.stdout and "【途中核查】无" in shown.stdout
    before = entries(data)
    exported = json.loads(cli(data, "patrol", "show", pid, "--json").stdout)
    assert exported["summary"]["distance_m"] == pytest.approx(2440, abs=10)
    assert entries(data) == before + 2  # the login and the logged export
    r = cli(data, "patrol", "finalize", pid)
    assert r.returncode == 0 and "已定稿" in r.stdout


def test_a_hostile_or_broken_gpx_exits_1_and_writes_nothing(data, tmp_path):
    (tmp_path / "bomb.gpx").write_bytes(BOMB)
    (tmp_path / "cut.gpx").write_bytes(GPX11[:200])
    for name, words in (("bomb.gpx", "文档类型声明"), ("cut.gpx", "不是完整的 GPX")):
        before = entries(data)
        r = cli(data, "patrol", "new", "--set", "area=文峰路", "--gpx", str(tmp_path / name))
        assert r.returncode == 1 and words in r.stderr and "Traceback" not in r.stderr
        assert entries(data) == before + 1  # the login only: no patrol made


def test_usage_and_bad_values(data):
    assert cli(data, "patrol", "new", "--set", "area").returncode == 2
    assert cli(data, "patrol", "list", "--ongoing", "--ended").returncode == 2
    r = cli(data, "patrol", "new", "--set", "area=文峰路", "--set", "started_at=昨天")
    assert r.returncode == 1 and "开始时间" in r.stderr
    r = cli(data, "patrol", "end", "no-such-id")
    assert r.returncode == 1 and "找不到" in r.stderr
