"""巡逻工作记录 PDF (core/patrol/report.py, `weicha patrol report`): on the report pipeline — the
font embedded, 第 X 页 共 Y 页, the patrol's facts, observations, linked records, checks and
route, the integrity block with the content hash — written where the user says (never into
the data folder) and logged."""
from __future__ import annotations

import pytest

from weicha_desktop.core.checks import CheckService
from weicha_desktop.core.collect import PersonService
from weicha_desktop.core.patrol import PatrolService
from weicha_desktop.core.patrol.report import write_patrol_log
from weicha_desktop.core.safe_output import OutputError
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService

from tests.pdf_support import fonts, text
from tests.support import PASSWORD, ManualClock, forms, new_store, run_cli


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A finalized patrol: 60 route points (two pages), an observation, a person linked, a check."""
    clock = ManualClock()
    path = tmp_path_factory.mktemp("report") / "data"
    store = new_store(path, clock=clock)
    admin = UserService(store).authenticate("admin", PASSWORD)
    patrols = PatrolService(store, forms(), admin)
    patrol = patrols.create({"area": "文峰路一带", "mode": "foot", "summary": "巡逻区域秩序良好。",
                             "observations": [{"content": "路灯损坏两处，已通知市政", "place": "文峰路口"}]})
    patrols.add_points(patrol.id, [{"lat": 21.95 + i / 1000, "lon": 108.62, "source": "track"} for i in range(60)])
    person = PersonService(store, forms(), admin).create({"name": "黄丽", "gender": "female"})
    patrols.link(patrol.id, person.id, "路口盘查")
    clock.advance(600)
    CheckService(store, admin).check("桂A12345", "vehicle")
    clock.advance(3000)
    patrols.end(patrol.id)
    final = patrols.finalize(patrol.id)
    store.close()
    return path, final


def test_the_log_prints_the_patrol_whole(folder, tmp_path):
    path, patrol = folder
    with Store.open(path) as store:
        patrols = PatrolService(store, forms(), UserService(store).get("admin"))
        result = write_patrol_log(patrols, patrol.id, tmp_path / "log.pdf")
        with pytest.raises(OutputError):
            write_patrol_log(patrols, patrol.id, path / "log.pdf")
        entry = store.audit_entries()[-1]
    assert not (path / "log.pdf").exists()
    pages = text(tmp_path / "log.pdf")
    assert result["pages"] == len(pages) >= 2
    whole = "".join(pages)
    for words in ("巡逻工作记录", "文峰路一带", "步巡", "历时 1 小时 0 分", "路灯损坏两处", "巡逻中登记", "黄丽",
                  "桂A12345", "未命中", "巡逻区域秩序良好", "GPX轨迹", "21.95", f"第 1 页 共 {len(pages)} 页",
                  "数据完整性", patrol.content_hash):
        assert words in whole.replace("\n", ""), words
    assert "勘验号" not in whole and "草稿" not in whole  # a patrol's header; finalized: no watermark
    assert all(f["emb"] == "yes" for f in fonts(tmp_path / "log.pdf"))
    assert (entry.action, entry.object_id) == ("patrol.report", patrol.id)
    assert entry.details["sha256"] == result["sha256"] and entry.details["pages"] == result["pages"]


def test_the_cli_writes_it_and_refuses_the_data_folder(folder, tmp_path):
    path, patrol = folder
    r = run_cli(path, "patrol", "report", patrol.id, "-o", str(path / "x.pdf"), user="admin")
    assert r.returncode == 1 and "数据文件夹" in r.stderr and not (path / "x.pdf").exists()
    r = run_cli(path, "patrol", "report", patrol.id, "-o", str(tmp_path / "cli.pdf"), user="admin")
    assert r.returncode == 0 and "已导出巡逻工作记录" in r.stdout and (tmp_path / "cli.pdf").stat().st_size > 1000
