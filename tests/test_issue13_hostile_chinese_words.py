"""Hostile tester (issue 13): the CLI's Chinese output names kinds and fields in Chinese —
`check` prints where a local record holds the number (人员，身份证号 / 勘验，见证人 第1行 身份证号),
`link list` names a request 诉求 — never person / witnesses[0].id_number / request."""
import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.collect import LinkService, PersonService
from weicha_desktop.core.requests import RequestService
from weicha_desktop.core.users import UserService

from tests.support import forms, new_store, run_cli

ID = "11010519491231002X"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("zh") / "data"
    store = new_store(path)
    admin = UserService(store).get("admin")
    person = PersonService(store, forms(), admin).create({"name": "张三", "id_number": ID})
    cases = CaseService(store, forms(), admin)
    cases.update(cases.new_case().number, {"witnesses": [{"name": "张三", "id_number": ID}]})
    request = RequestService(store, forms(), admin).create({"request_type": "opinion", "source": "visit",
                                                            "content": "路灯不亮"})
    LinkService(store, forms(), admin).link(person.id, request.id, "reporter")
    store.close()
    return path


def test_check_names_kinds_and_fields_in_chinese(folder):
    out = run_cli(folder, "check", "--id-card", ID, user="admin").stdout
    assert "（人员，身份证号，张三 " in out and "（勘验，见证人 第1行 身份证号，张三）" in out, out
    assert "person" not in out and "witnesses" not in out and "case" not in out


def test_link_list_names_a_request_in_chinese(folder):
    out = run_cli(folder, "link", "list", ID, user="admin").stdout
    assert "（诉求）" in out and "request" not in out, out
