"""Build a data folder with an EARLIER version's own code, for the upgrade tests
(tests/test_upgrade_folders.py). See README.md in this folder.

    git worktree add /tmp/wt-old <commit>
    .venv/bin/python tests/data/folders/build_folder.py --code /tmp/wt-old --out tests/data/folders/NAME.zip

Every write goes through that version's command line (``python -m weicha_desktop`` with
PYTHONPATH=<code>) or, for the autosave journal the command line cannot write, through that
version's own CaseService: the folder is what a user of that version would have. This script
only makes the input photo files (tests/media_support.py) and runs the commands."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/
from media_support import make_photo  # noqa: E402

PASSWORD = "weicha-demo-2026"  # every user's password (README.md)
TECH, SUPERVISOR = "李明", "周建国"  # a technician and the supervisor of `weicha demo`
AUTOSAVE = """
import json, sys
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService
from weicha_desktop.resources import forms_dir
with Store.open(sys.argv[1]) as store:
    actor = UserService(store).authenticate(sys.argv[2], sys.argv[3])
    CaseService(store, FormRegistry(forms_dir()), actor).autosave(sys.argv[4], json.loads(sys.argv[5]))
"""
SCENE_VALUES = """
import json, sys
from weicha_desktop.core.demo import scene_values
print(json.dumps(scene_values(int(sys.argv[1])), ensure_ascii=False))
"""


class Old:
    """Runs the earlier version: its CLI on one data folder, or a snippet of its code."""

    def __init__(self, code: Path, data: Path, config: Path):
        self.data = data
        self.env = {**os.environ, "PYTHONPATH": str(code), "WEICHA_CONFIG_DIR": str(config),
                    "WEICHA_PASSWORD": PASSWORD, "WEICHA_DEMO_PASSWORD": PASSWORD,
                    "PYTHONIOENCODING": "utf-8"}
        self.cwd = code

    def python(self, source: str, *args: str) -> str:
        done = subprocess.run([sys.executable, "-c", source, *args], env=self.env, cwd=self.cwd,
                              capture_output=True, text=True, encoding="utf-8")
        if done.returncode:
            raise SystemExit(f"failed: {args}\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def cli(self, *args: str, user: str | None = None) -> str:
        head = ["-m", "weicha_desktop", "--data-dir", str(self.data)]
        head += ["--user", user] if user else []
        done = subprocess.run([sys.executable, *head, *args], env=self.env, cwd=self.cwd,
                              capture_output=True, text=True, encoding="utf-8")
        if done.returncode:
            raise SystemExit(f"failed: weicha {' '.join(args)}\n{done.stdout}\n{done.stderr}")
        return done.stdout


def new_case(old: Old, work: Path, seed: int, **extra) -> str:
    """A complete scene record by the technician (new + update); returns its number."""
    number = json.loads(old.cli("case", "new", "--json", user=TECH))["number"]
    values = {**json.loads(old.python(SCENE_VALUES, str(seed))), **extra}
    path = work / f"values-{seed}.json"
    path.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    old.cli("case", "update", number, "--json-file", str(path), user=TECH)
    return number


def photos(work: Path, name: str, count: int, seed: int) -> Path:
    """``count`` tiny camera-like JPEGs (EXIF time, camera, GPS) in a folder of their own."""
    folder = work / name
    folder.mkdir()
    for i in range(count):
        make_photo(folder / f"IMG_{seed + i:04d}.JPG", size=(96, 72), seed=seed + i,
                   taken=f"2026:11:20 09:{31 + i:02d}:05", gps=(21.95, 108.62, 6.0))
    return folder


def build(code: Path, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = work / "data"
        old = Old(code, data, work / "config")
        old.cli("demo", "--cases", "6", "--seed", "7")

        # A: photos described and linked, finalized, approved, amended, edited, finalized again
        a = new_case(old, work, 101)
        old.cli("photos", "import", a, str(photos(work, "a", 5, 10)), user=TECH)
        evidence = json.loads(old.cli("case", "show", a, "--json", user=TECH))["data"]["evidence"]
        for n, cls in enumerate(["方位", "概貌", "重点部位", "细目"], 1):
            old.cli("photos", "set", a, str(n), "--class", cls, "--caption", f"{cls}照片", user=TECH)
        old.cli("photos", "set", a, "5", "--class", "物证照片", "--evidence", evidence[0]["number"],
                user=TECH)
        old.cli("case", "finalize", a, user=TECH)
        old.cli("case", "review", a, "--approve", "--comment", "符合要求", user=SUPERVISOR)
        old.cli("case", "amend", a, "--reason", "补充一张细目照片", user=TECH)
        old.cli("photos", "import", a, str(photos(work, "a2", 1, 20)), user=TECH)
        old.cli("photos", "set", a, "6", "--class", "细目", "--caption", "补拍的细目照片", user=TECH)
        old.cli("case", "finalize", a, user=TECH)

        # B: finalized, then returned by the supervisor (a draft version 2 with the comment)
        b = new_case(old, work, 102)
        old.cli("case", "finalize", b, user=TECH)
        old.cli("case", "review", b, "--return", "--comment", "现场访问情况过简，请补充", user=SUPERVISOR)

        # C: a draft with photos and unsaved edits in the autosave journal
        c = new_case(old, work, 103)
        old.cli("photos", "import", c, str(photos(work, "c", 2, 30)), user=TECH)
        old.python(AUTOSAVE, str(data), TECH, PASSWORD, c, json.dumps({"remarks": "尚未保存的备注"}))

        listing = old.cli("case", "list", "--limit", "1000", user="admin")
        old.cli("verify")
        out.unlink(missing_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(data.rglob("*")):
                if path.is_file() and _kept(data, path):
                    z.write(path, Path("data") / path.relative_to(data))
            z.writestr("case_list.txt", listing)
            z.writestr("cases.json", json.dumps({"A": a, "B": b, "C": c}, ensure_ascii=False))


def _kept(data: Path, path: Path) -> bool:
    """The folder as a user would copy it, less what the program makes again: the lock, the
    cache (thumbnails) and SQLite's shared-memory file; the WAL only when it holds commits."""
    name = path.name
    if path.relative_to(data).parts[0] == "cache" or name.startswith("weicha.lock") or name.endswith("-shm"):
        return False
    return not (name.endswith("-wal") and path.stat().st_size == 0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--code", type=Path, required=True, help="a worktree of the earlier version")
    parser.add_argument("--out", type=Path, required=True, help="the zip to write")
    args = parser.parse_args()
    build(args.code.resolve(), args.out.resolve())
    print(f"{args.out}: {args.out.stat().st_size} bytes")
