"""`weicha person|vehicle|place new/update/show/list/finalize` and `weicha link` (cli/collect.py):
exit codes 0 done, 1 refused, 2 usage; a duplicate ID number or plate names the existing
record and exits 1 unless --force-new; --json everywhere; a JSON show is a logged export."""
import json

import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService

from tests.support import PASSWORD, forms, new_store, run_cli

LI = "11010519491231002X"


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    store = new_store(folder)
    admin = UserService(store).authenticate("admin", PASSWORD)
    UserService(store).add(admin, "王强", "technician", PASSWORD, badge_no="300001")
    UserService(store).add(admin, "周建国", "supervisor", PASSWORD, badge_no="300002")
    case = CaseService(store, forms(), admin).new_case()
    store.close()
    return folder, case.number


def cli(folder, *args, **kw):
    return run_cli(folder, *args, user="王强", **kw)


def test_a_person_from_new_to_finalized_with_a_duplicate_refused(data):
    folder, _ = data
    r = cli(folder, "person", "new", "--set", "name=黄丽", "--set", f"id_number={LI.lower()}", "--json")
    assert r.returncode == 0, r.stderr
    made = json.loads(r.stdout)
    assert made["kind"] == "person" and made["data"]["id_region"] == "北京市朝阳区"
    assert made["data"]["gender"] == "female" and made["data"]["birth_date"] == "1949-12-31"
    again = cli(folder, "person", "new", "--set", "name=黄丽丽", "--set", f"id_number={LI}", "--json")
    assert again.returncode == 1 and "已有身份证号为 11010519491231002X 的人员记录" in again.stderr
    assert "--force-new" in again.stderr and made["id"] in again.stderr
    assert json.loads(again.stdout)["existing"]["id"] == made["id"]
    forced = cli(folder, "person", "new", "--set", "name=黄丽丽", "--set", f"id_number={LI}", "--force-new")
    assert forced.returncode == 0 and "已保存人员记录" in forced.stdout
    bad = cli(folder, "person", "update", LI, "--set", "phone=0777-12")
    assert bad.returncode == 1 and "未保存" in bad.stderr and "固定电话" in bad.stderr
    car = cli(folder, "vehicle", "new", "--set", "plate=桂N12345", "--set", "vehicle_type=small_car",
              "--json-file", "-", input=json.dumps({"owner": {"name": "黄丽", "id_number": LI}}))
    assert car.returncode == 0, car.stderr
    shown = cli(folder, "person", "show", LI)
    assert "【其他记录中出现】\n  桂N12345（车辆，车主 身份证号）" in shown.stdout
    done = cli(folder, "person", "finalize", made["id"])
    assert done.returncode == 0 and "已定稿人员记录 黄丽" in done.stdout
    locked = cli(folder, "person", "update", made["id"], "--set", "notes=x")
    assert locked.returncode == 1 and "已定稿" in locked.stderr and "Traceback" not in locked.stderr
    own = run_cli(folder, "person", "review", LI, "--approve", user="周建国")
    assert own.returncode == 0 and "已审核" in own.stdout
    amended = cli(folder, "person", "amend", LI, "--reason", "补充现住址")
    assert amended.returncode == 0 and "生成第 2 版草稿" in amended.stdout


def test_vehicle_and_place_linked_to_a_case_and_shown_with_their_links(data):
    folder, case_number = data
    car = cli(folder, "vehicle", "new", "--set", "plate=桂n·da1234", "--set", "vehicle_type=small_car", "--json")
    assert car.returncode == 0 and json.loads(car.stdout)["data"]["plate_kind"] == "new_energy_small"
    dup = cli(folder, "vehicle", "new", "--set", "plate=桂NDA1234", "--set", "vehicle_type=small_car")
    assert dup.returncode == 1 and "已有号牌号码为 桂NDA1234 的车辆记录" in dup.stderr
    shop = json.loads(cli(folder, "place", "new", "--set", "name=文峰便利店", "--set", "place_type=shop",
                          "--json").stdout)
    link = cli(folder, "link", "add", "桂NDA1234", case_number, "--role", "involved", "--note", "停在现场", "--json")
    assert link.returncode == 0, link.stderr
    assert cli(folder, "link", "add", shop["id"], case_number, "--role", "location").returncode == 0
    shown = cli(folder, "vehicle", "show", "桂N-DA1234")
    assert shown.returncode == 0 and "【关联】" in shown.stdout
    assert f"涉案  {case_number}（勘验）  停在现场" in shown.stdout
    exported = json.loads(cli(folder, "vehicle", "show", "桂NDA1234", "--json").stdout)
    assert exported["links"][0]["role"] == "involved"
    removed = cli(folder, "link", "remove", json.loads(link.stdout)["id"], "--reason", "误关联")
    assert removed.returncode == 0 and "已取消关联" in removed.stdout
    listed = json.loads(cli(folder, "link", "list", case_number, "--removed", "--json").stdout)
    assert [(x["other"]["kind"], bool(x["removed_at"])) for x in listed["links"]] == [("vehicle", True),
                                                                                     ("place", False)]
    store = Store.open(folder, readonly=True)
    assert [e.action for e in store.audit_entries() if e.object_id == exported["id"]][-1] == "collect.export"
    store.close()

@pytest.mark.parametrize("args, code, fragment", [
    (("link", "add", "K000", "K001", "--role", "witness"), 1, "找不到记录“K000”"),
    (("person", "show", "nobody"), 1, "找不到人员信息“nobody”"),
    (("person", "new", "--set", "novalue"), 2, "--set 应为 字段=值"),
    (("person", "new", "--set", "colour=red"), 2, "没有字段“colour”"),  # usage: the fields are listed
    (("vehicle", "list", "--status", "gone"), 2, "invalid choice"),
    (("link", "add", "x", "y"), 2, "--role"),
])
def test_refusals_and_usage_errors_say_why(data, args, code, fragment):
    folder, _ = data
    r = cli(folder, *args)
    assert r.returncode == code and fragment in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
