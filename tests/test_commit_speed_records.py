"""A new record is returned as its change wrote it, not read back (core/record_service.py
``create``): exactly what ``get`` then returns, for a numbered case with evidence rows, a
person with an ID number (its keys made by a trigger) and a record kind a form declares."""
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.collect.person import PersonService
from weicha_desktop.core.record_service import RecordService

from tests.support import admin, forms, store  # noqa: F401 — fixtures
from tests.test_store_statements import statements


def test_create_returns_what_get_reads_and_reads_no_record_after_its_commit(store, admin, monkeypatch):
    person = {"name": "李四", "id_number": "450702199001011234"}
    services = [(CaseService(store, forms(), admin), {"evidence": [{"name": "指纹"}], "narrative_overview": "现场"}),
                (PersonService(store, forms(), admin), person),
                (RecordService(store, forms(), admin, "patrol"), {})]
    for service, values in services:
        create = (lambda v, s=service: s.create(v, force_new=True)) if values is person else service.create
        create(values)  # the statements of a first create prepared
        with statements(monkeypatch) as seen:
            made = create(values)
        after = seen[seen.index("COMMIT") + 1:]
        assert not [s for s in after if "FROM records" in s], after  # not read back
        assert made == service.get(made.id)
        assert made.status == "draft" and made.version == 1 and made.data is not values
