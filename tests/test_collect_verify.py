"""`weicha verify` and 采集's links (core/verify/links.py): a link changed, added, removed or
deleted behind the program (its triggers dropped) is a fault; links as the program made them,
removed or not, verify clean."""
import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.collect import LinkService, PersonService
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import verify

from tests.support import forms, new_store, tamper


@pytest.fixture
def linked(tmp_path):
    store = new_store(tmp_path / "d")
    admin = UserService(store).get("admin")
    person = PersonService(store, forms(), admin).create({"name": "李明"})
    case = CaseService(store, forms(), admin).new_case()
    links = LinkService(store, forms(), admin)
    kept = links.link(person.id, case.id, "witness", "目击")
    gone = links.link(person.id, case.id, "reporter")
    links.unlink(gone["id"], "误选")
    assert verify(store).ok, verify(store).faults
    yield store, kept, gone, person, case
    store.close()


@pytest.mark.parametrize("sql, fragment", [
    ("UPDATE record_links SET role = 'suspect' WHERE id = ?", "与工作日志记录的不符（role）"),
    ("UPDATE record_links SET note = '' WHERE id = ?", "与工作日志记录的不符（note）"),
    ("UPDATE record_links SET removed_at = '2026-11-28T00:00:00+08:00', removed_by = 'x', "
     "removed_reason = 'y' WHERE id = ?", "工作日志却没有取消它"),
    ("UPDATE record_links SET removed_at = NULL, removed_by = NULL, removed_reason = NULL "
     "WHERE id = ?", "取消情况与之不符"),
    ("DELETE FROM record_links WHERE id = ?", "数据中却没有它"),
    ("INSERT INTO record_links SELECT 'forged', record_id, record_kind, target_id, target_kind, "
     "'suspect', '', created_at, created_by, NULL, NULL, NULL FROM record_links WHERE id = ?",
     "关联 forged 没有建立它的工作日志记录"),
])
def test_a_link_changed_behind_the_program_is_a_fault(linked, sql, fragment):
    store, kept, gone, _, _ = linked
    tamper(store.data_dir / "weicha.db", sql, gone["id"] if "removed_at = NULL" in sql else kept["id"])
    faults = verify(store).faults
    assert any(fragment in f for f in faults), faults
