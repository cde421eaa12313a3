"""Render what a technician sees to PNG, to look at (no display needed).

    .venv/bin/python tools/gui_screenshots.py [OUT_DIR]      # default /tmp

Writes gui_main.png (the case list), gui_form.png (an open, filled-in draft, first tab) and
gui_form_<section>.png for every other tab, all at 1280x800, from demo data in a
temporary data folder that is deleted afterwards."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from weicha_desktop.core.cases import CaseService  # noqa: E402
from weicha_desktop.core.demo import TECHNICIANS, fill_demo, scene_values  # noqa: E402
from weicha_desktop.core.forms import FormRegistry  # noqa: E402
from weicha_desktop.core.store import Store  # noqa: E402
from weicha_desktop.core.users import UserService  # noqa: E402
from weicha_desktop.gui.app import make_app  # noqa: E402
from weicha_desktop.gui.main_window import MainWindow  # noqa: E402
from weicha_desktop.resources import forms_dir  # noqa: E402

PASSWORD = "weicha123"


def main(out_dir: Path) -> int:
    app = make_app()
    out_dir.mkdir(parents=True, exist_ok=True)
    forms = FormRegistry(forms_dir())
    with tempfile.TemporaryDirectory() as tmp, Store.open(tmp) as store:
        fill_demo(store, forms, cases=14, seed=7, password=PASSWORD)
        user = UserService(store).authenticate(TECHNICIANS[0][0], PASSWORD)
        # an editable draft with every tab filled in
        draft = CaseService(store, forms, user).new_case(
            scene_values(3, unit_name=store.meta("unit_name")))
        window = MainWindow(store, forms, user)
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        saved = [_save(window, out_dir / "gui_main.png")]
        view = window.open_case(draft.id)
        app.processEvents()
        saved.append(_save(window, out_dir / "gui_form.png"))
        for index, section in enumerate(view.spec.sections[1:], start=1):
            view.tabs.setCurrentIndex(index)
            app.processEvents()
            saved.append(_save(window, out_dir / f"gui_form_{section.id}.png"))
        window.close()
    print("\n".join(str(p) for p in saved))
    return 0


def _save(window, path: Path) -> Path:
    if not window.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    return path


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp")))
