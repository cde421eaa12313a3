"""tools/test_tmp.sh: where `make test` puts the tests' files (a RAM folder when there is one
with room). Each run gets a folder of its own — two runs at once (two clones, CI beside a
developer) shared one, and the first to pass removed the other's files mid-run."""
from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "test_tmp.sh"


def folder(base: Path) -> str:
    done = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, check=True,
                          env={**os.environ, "WEICHA_TEST_TMP_BASE": str(base), "WEICHA_TEST_TMP_MIN_KB": "1"})
    return done.stdout.strip()


def test_two_runs_at_once_get_folders_of_their_own(tmp_path):
    first, second = folder(tmp_path), folder(tmp_path)
    assert first and second and first != second
    for made in (Path(first), Path(second)):
        assert made.parent == tmp_path and made.is_dir() and not any(made.iterdir())  # the probe gone
        assert stat.S_IMODE(made.stat().st_mode) == 0o700
    # the one that passes first removes its own folder only (the Makefile's `rm -rf "$tmp"`)
    (Path(second) / "a-test-file").write_text("still here")
    subprocess.run(["rm", "-rf", first], check=True)
    assert (Path(second) / "a-test-file").read_text() == "still here"


def test_no_folder_where_the_base_is_missing(tmp_path):
    assert folder(tmp_path / "absent") == ""  # pytest's default temp folder is used then
