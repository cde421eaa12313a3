"""One data folder for a whole test module: ``store``, ``admin`` and ``cases`` of module scope,
in place of the per-test ones of support.py / gui_support.py. For modules whose tests each make
the records they use and never count anything folder-wide (audit entries, outbox rows, blobs,
verify): a folder made and logged into once instead of once a test (~15 ms CPU each).

    from module_folder import admin, cases, store  # noqa: F401
"""
from __future__ import annotations

import pytest

from support import PASSWORD, forms, new_store
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.users import UserService


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = new_store(tmp_path_factory.mktemp("module") / "data")
    yield s
    s.close()


@pytest.fixture(scope="module")
def admin(store):
    return UserService(store).authenticate("admin", PASSWORD)


@pytest.fixture(scope="module")
def cases(store, admin) -> CaseService:
    return CaseService(store, forms(), admin)
