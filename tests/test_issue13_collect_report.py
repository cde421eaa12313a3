"""人员 / 车辆信息表 (core/collect/report.py, `weicha person|vehicle|place report`): one page on the
report pipeline — the font embedded, 第 1 页 共 1 页, every field in words, the links either way
round and the records naming the number, the integrity block — never into the data folder;
logged (collect.report)."""
import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.collect import LinkService, PersonService, VehicleService
from weicha_desktop.core.collect.report import write_sheet
from weicha_desktop.core.safe_output import OutputError
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService

from tests.pdf_support import fonts, text
from tests.support import PASSWORD, forms, new_store, run_cli

LI = "11010519491231002X"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("sheet") / "data"
    store = new_store(path)
    admin = UserService(store).authenticate("admin", PASSWORD)
    person = PersonService(store, forms(), admin).create({"name": "黄丽", "id_number": LI, "phone": "13907771234"})
    car = VehicleService(store, forms(), admin).create({"plate": "桂N12345", "vehicle_type": "small_car",
                                                       "colour": "white", "owner": {"name": "黄丽", "id_number": LI}})
    case = CaseService(store, forms(), admin).new_case()
    LinkService(store, forms(), admin).link(person.id, case.id, "witness", "现场见证人")
    PersonService(store, forms(), admin).finalize(person.id)
    store.close()
    return path, person, car, case


def test_a_person_and_a_vehicle_on_one_page_each(folder, tmp_path):
    path, person, car, case = folder
    with Store.open(path) as store:
        admin = UserService(store).get("admin")
        people = PersonService(store, forms(), admin)
        done = write_sheet(people, LI, tmp_path / "p.pdf")
        with pytest.raises(OutputError):
            write_sheet(people, LI, path / "p.pdf")
        entry = store.audit_entries()[-1]
        final = people.get(person.id)
    assert not (path / "p.pdf").exists()
    [page] = text(tmp_path / "p.pdf")
    page = page.replace("\n", "")
    for words in ("人员信息表", "黄丽", LI, "女", "1949-12-31", "北京市朝阳区", "13907771234", "证人",
                  case.number, "现场见证人", "第 1 页 共 1 页", "数据完整性", final.content_hash):
        assert words in page, words
    assert "草稿" not in page and done["pages"] == 1
    assert all(f["emb"] == "yes" for f in fonts(tmp_path / "p.pdf"))
    assert (entry.action, entry.object_id, entry.details["sha256"]) == ("collect.report", person.id, done["sha256"])


def test_the_cli_writes_it_and_refuses_the_data_folder(folder, tmp_path):
    path = folder[0]
    r = run_cli(path, "person", "report", LI, "-o", str(path / "x.pdf"), user="admin")
    assert r.returncode == 1 and "数据文件夹" in r.stderr and not (path / "x.pdf").exists()
    r = run_cli(path, "vehicle", "report", "桂n12345", "-o", str(tmp_path / "v.pdf"), user="admin")
    assert r.returncode == 0 and "已导出车辆信息表" in r.stdout
    [page] = text(tmp_path / "v.pdf")
    page = page.replace("\n", "")
    for words in ("车辆信息表", "桂N12345", "小型汽车", "白", "普通号牌", f"黄丽 {LI}", "草稿"):
        assert words in page, words
