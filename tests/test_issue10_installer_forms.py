"""Issue 10 §6: the installed program reads its forms from their parsed copies (it cannot write
its own folder to make them): the PyInstaller spec ships forms/ from a checked copy whose
__parsed__/ files are made afresh by `weicha forms check`'s own check — never a source tree's
stale or missing ones — and refuses to build with a form that has a mistake. The spec is run
here with PyInstaller's names as stand-ins (no PyInstaller, no build)."""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build_installer.spec"


def run_spec(root: Path, seen: dict | None = None) -> list[tuple[str, str]]:
    """The spec executed over ``root``: the ``datas`` it hands to Analysis (all it hands
    Analysis in ``seen``, if given)."""
    seen = {} if seen is None else seen

    def analysis(*_args, datas=(), **kw):
        seen["datas"] = list(datas)
        seen.update(kw)
        return type("A", (), {"pure": [], "scripts": [], "binaries": [], "datas": []})()

    names = {"SPECPATH": str(root), "Analysis": analysis, "PYZ": lambda *a, **k: None,
             "EXE": lambda *a, **k: None, "COLLECT": lambda *a, **k: None, "__file__": str(SPEC)}
    path = list(sys.path)
    try:
        exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), names)  # noqa: S102
    finally:
        sys.path[:] = path
    return seen["datas"]


def test_the_spec_ships_forms_with_fresh_parsed_copies(tmp_path):
    root = tmp_path / "src"
    (root / "resources" / "translations").mkdir(parents=True)
    (root / "resources" / "translations" / "weicha_en.qm").write_bytes(b"qm")
    shutil.copytree(ROOT / "forms", root / "forms", ignore=shutil.ignore_patterns("__parsed__"))
    stale = root / "forms" / "__parsed__" / "scene_investigation.yaml.json"
    stale.parent.mkdir()
    stale.write_text('{"format": 1, "sha256": "0", "tree": {}}', encoding="utf-8")  # an old build's

    seen: dict = {}
    shipped = Path(dict((dest, src) for src, dest in run_spec(root, seen))["forms"])
    # modules imported by a name PyInstaller cannot see: the photo workers' target, and
    # reportlab's C accelerator (without it a built program silently lays out in Python)
    assert {"weicha_desktop.core.media.analyse", "_rl_accel"} <= set(seen["hiddenimports"])
    assert shipped == root / "build" / "forms"
    sources = sorted(shipped.rglob("*.yaml"))
    assert len(sources) >= 20 and any(p.parent.name == "archive" for p in sources)
    for source in sources:  # every file's parsed copy, made from the bytes shipped
        kept = json.loads((source.parent / "__parsed__" / f"{source.name}.json").read_text("utf-8"))
        assert kept["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest(), source

    form = root / "forms" / "scene_investigation.yaml"
    form.write_text(form.read_text("utf-8").replace("type: date\n", "type: dat\n", 1), "utf-8")
    with pytest.raises(SystemExit, match="weicha forms check"):
        run_spec(root)
