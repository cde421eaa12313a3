"""The 关联 view offers only the roles the record's kind may be linked as (link_roles.yaml
``joins``, the rule LinkService.link enforces): a person linked to a case is offered 证人,
报案人, 嫌疑人… and never 发案地点; a place is offered 发案地点 and never 证人. Every role
offered is one core accepts."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton

from gui_support import admin, app, child, forms, store, type_into  # noqa: F401
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.collect import LinkService, PersonService, PlaceService
from weicha_desktop.gui.collect.form import LinksView


def offered(view: LinksView) -> list[str]:
    roles = child(view, QComboBox, "linkRole")
    return [roles.itemData(i) for i in range(roles.count())]


def test_the_roles_offered_are_those_of_the_records_kind(app, qtbot, store, admin):
    links = LinkService(store, forms(), admin)
    case = CaseService(store, forms(), admin).new_case()
    person = PersonService(store, forms(), admin).create({"name": "黄丽"})
    place = PlaceService(store, forms(), admin).create({"name": "南宁站"})
    of_person, of_place = LinksView(links, person.id), LinksView(links, place.id)
    qtbot.addWidget(of_person)
    qtbot.addWidget(of_place)
    assert {"witness", "reporter", "suspect", "victim", "driver", "owner"} <= set(offered(of_person))
    assert "location" not in offered(of_person)
    assert "location" in offered(of_place) and not {"witness", "suspect", "driver"} & set(offered(of_place))
    # every role offered is one core accepts for this pair (linked from the view itself)
    for view in (of_person, of_place):
        roles = child(view, QComboBox, "linkRole")
        for i in range(roles.count()):
            roles.setCurrentIndex(i)
            type_into(qtbot, child(view, QLineEdit, "linkTarget"), case.number)
            child(view, QPushButton, "linkAdd").click()
            assert view.message.property("kind") == "ok", view.message.text()
    assert len(links.links_of(case.id)) == len(offered(of_person)) + len(offered(of_place))
