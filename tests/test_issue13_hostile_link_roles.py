"""Hostile tester (issue 13): a link's role says which kinds of record it describes
(forms/choices/link_roles.yaml ``joins``): a person as 发案地点, a vehicle as 被害人, a place as
驾驶人 are refused in Chinese naming the role and the kinds; the roles' own kinds are linked."""
import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.collect import LinkService, PersonService, PlaceService, VehicleService
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.users import UserService

from tests.support import forms, new_store


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    store = new_store(tmp_path_factory.mktemp("lr") / "d")
    admin = UserService(store).get("admin")
    made = {"person": PersonService(store, forms(), admin).create({"name": "李明"}),
            "vehicle": VehicleService(store, forms(), admin).create({"plate": "桂A12345"}),
            "place": PlaceService(store, forms(), admin).create({"name": "永福路便利店"}),
            "case": CaseService(store, forms(), admin).new_case()}
    yield store, LinkService(store, forms(), admin), made
    store.close()


@pytest.mark.parametrize("kind, role, message", [
    ("person", "location", "人员“李明”不能作为“发案地点”关联：“发案地点”只用于场所"),
    ("vehicle", "victim", "车辆“桂A12345”不能作为“被害人”关联：“被害人”只用于人员"),
    ("place", "driver", "场所“永福路便利店”不能作为“驾驶人”关联：“驾驶人”只用于人员"),
    ("place", "owner", "“物主”只用于人员、车辆"),
])
def test_a_role_of_another_kind_is_refused(env, kind, role, message):
    store, links, made = env
    with pytest.raises(WeichaError, match=message):
        links.link(made[kind].id, made["case"].id, role)
    assert store.conn.execute("SELECT count(*) FROM record_links WHERE role = ?", (role,)).fetchone()[0] == 0


@pytest.mark.parametrize("kind, role", [("person", "victim"), ("vehicle", "involved"), ("place", "location"),
                                        ("vehicle", "owner")])
def test_a_role_of_its_kind_is_linked(env, kind, role):
    _, links, made = env
    assert links.link(made[kind].id, made["case"].id, role)["role"] == role
