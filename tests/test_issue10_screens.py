"""Issue 10 §4: the screenshots in docs/screenshots cover the pages the navigation has now —
核查, 采集, 巡逻 and 互动 too (`weicha screenshot --page checks|collect|patrol|requests`, what `make screenshots` takes at
1024×768, 1366×768 and in English)."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from gui_support import app, store  # noqa: F401
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.gui.shell.screenshot import take_screenshot


def test_the_check_and_base_information_pages_are_drawn(app, store, tmp_path):  # noqa: F811
    data = store.data_dir
    store.close()  # as the program would have it: the shot opens the folder read-only
    shots = []
    for page in ("checks", "collect", "patrol", "requests"):
        out = tmp_path / f"{page}.png"
        assert take_screenshot(data, out, size=(1024, 768), page=page) == (1024, 768)
        shots.append(QImage(str(out)))
    assert all(a != b for i, a in enumerate(shots) for b in shots[i + 1:])  # four different pages
    with pytest.raises(WeichaError, match="只用于现场勘验页和审核页"):
        take_screenshot(data, tmp_path / "x.png", page="checks", case="K1")
    assert not (tmp_path / "x.png").exists()
