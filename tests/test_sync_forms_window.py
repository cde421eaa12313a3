"""New form versions pulled while the window is open (issue 11 leftovers): after a pull that
brings a form version, the main window's registry knows it — a new case takes it — without a
restart, and the draft open in the window keeps its version and what was typed."""
from __future__ import annotations

import hashlib
import re

from PySide6.QtWidgets import QLineEdit

from weicha_desktop.core.sync.pull import pull_reference
from weicha_desktop.core.sync.reference import local_forms
from weicha_desktop.gui.shell.main_window import MainWindow
from weicha_desktop.resources import forms_dir

from tests.gui_support import admin, app, store  # noqa: F401


class Published:
    """The server's one page of ``forms`` (what GET /v1/pull/forms answers): the shipped
    scene form one version up."""

    def __init__(self):
        text = (forms_dir() / "scene_investigation.yaml").read_text(encoding="utf-8")
        self.shipped = int(re.search(r"\nversion: (\d+)", text).group(1))
        self.version = self.shipped + 1
        source = re.sub(r"\nversion: \d+", f"\nversion: {self.version}", text, count=1)
        self.row = {"form_id": "scene_investigation", "version": self.version, "title": "现场勘验",
                    "record_kind": "case",
                    "source": source, "sha256": hashlib.sha256(source.encode()).hexdigest(), "seq": 1}

    def pull(self, table, cursor, limit=None):
        return {"rows": [self.row] if table == "forms" else [], "cursor": "c1", "complete": True}


def test_a_pulled_form_version_reaches_the_open_window(qtbot, app, store, admin):
    forms = local_forms(store, older_later=True)  # the window's own registry (not the tests' shared one)
    win = MainWindow(store, forms, admin)
    qtbot.addWidget(win)
    published = Published()
    view = win.workspace.new_case()
    assert view.spec.version == published.shipped
    edit = next(w for w in view.findChildren(QLineEdit) if w.isEnabled())
    edit.setText("改动未存")
    assert pull_reference(store, published, "forms", actor=admin) == 1
    qtbot.waitUntil(lambda: forms.latest("scene_investigation").version == published.version, timeout=3000)
    assert view.spec.version == published.shipped and edit.text() == "改动未存"  # the open draft as it was
    assert forms.get("scene_investigation", published.shipped).version == published.shipped  # still there
    newer = win.workspace.new_case()
    assert newer.spec.version == published.version
    assert win.cases.get(newer.case.id).form_version == published.version
    assert win.cases.get(view.case.id).form_version == published.shipped
