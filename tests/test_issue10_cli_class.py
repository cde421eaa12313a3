"""Issue 10 §3: a camera-card import from the command line starts its photos in one class, as
the window's import dialog does (`weicha photos import --class 细目`, the class's words or its
code); an unknown class is refused before any file is read."""
from __future__ import annotations

import json

from tests.media_support import make_photo
from tests.support import new_store, run_cli


def test_photos_import_class(tmp_path):
    d = tmp_path / "d"
    new_store(d).close()
    case = json.loads(run_cli(d, "case", "new", "--json", user="admin").stdout)
    card = tmp_path / "DCIM"
    card.mkdir()
    make_photo(card / "IMG_0001.JPG")
    r = run_cli(d, "photos", "import", case["number"], str(card), "--class", "航拍", user="admin")
    assert r.returncode == 1 and "照片分类“航拍”不在分类表中" in r.stderr and "细目" in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""  # refused before a file was read
    r = run_cli(d, "photos", "import", case["number"], str(card), "--class", "detail", user="admin")
    assert r.returncode == 0, r.stderr
    make_photo(card / "IMG_0002.JPG", seed=2)
    r = run_cli(d, "photos", "import", case["number"], str(card / "IMG_0002.JPG"), "--class", "方位",
                user="admin")
    assert r.returncode == 0, r.stderr
    listed = json.loads(run_cli(d, "photos", "list", case["number"], "--json", user="admin").stdout)
    assert [(p["position"], p["photo_class"]) for p in listed] == [(1, "细目"), (2, "方位")]
    assert "--class" in run_cli(d, "photos", "import", "--help").stdout
