"""Hostile tester (issue 13): a well-known list name has a kind (在逃人员/失踪人员: persons,
被盗抢机动车: vehicles). A file of the other kind under that name is refused in Chinese, and a
name's default instruction never applies to a list of the other kind."""
import pytest

from weicha_desktop.core.checks import import_list
from weicha_desktop.core.checks.keys import PERSON, VEHICLE
from weicha_desktop.core.checks.lists import DEFAULT_INSTRUCTIONS, KIND_INSTRUCTIONS, ImportRefused, instruction_for
from weicha_desktop.core.users import UserService

from tests.support import new_store


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wk")
    store = new_store(tmp / "d")
    yield store, UserService(store).get("admin"), tmp
    store.close()


@pytest.mark.parametrize("name, text, kind, fragment", [
    ("在逃人员", "号牌,原因\n桂A12345,被盗\n", None, "这份名单是人员名单"),
    ("被盗抢机动车", "身份证号,姓名\n11010519491231002X,黄丽\n", None, "这份名单是车辆名单"),
    ("失踪人员", "号牌\n桂A12345\n", VEHICLE, "名单“失踪人员”是人员名单（按身份证号核查），这个文件是车辆名单"),
])
def test_a_file_of_the_other_kind_under_a_known_name_is_refused(env, name, text, kind, fragment):
    store, admin, tmp = env
    f = tmp / "x.csv"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_list(store, admin, f, name, kind=kind)
    assert fragment in str(refused.value)
    assert store.conn.execute("SELECT count(*) FROM watch_sets WHERE name = ?", (name,)).fetchone()[0] == 0


def test_a_known_names_instruction_stays_with_its_kind():
    assert instruction_for("在逃人员", PERSON, "") == DEFAULT_INSTRUCTIONS["在逃人员"]
    assert instruction_for("在逃人员", VEHICLE, "") == KIND_INSTRUCTIONS[VEHICLE]
    assert instruction_for("被盗抢机动车", PERSON, None) == KIND_INSTRUCTIONS[PERSON]
