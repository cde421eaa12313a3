"""make test: a crashed worker ends the run red, naming the crash, instead of being replaced
(a replacement hung the whole run once: Makefile XDIST_CRASH)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_crashed_worker_fails_its_test_and_is_not_replaced(tmp_path):
    options = re.search(r"^XDIST_CRASH := (.+)$", (ROOT / "Makefile").read_text("utf-8"), re.M)
    assert options, "the Makefile's make test passes no crash option to xdist"
    (tmp_path / "test_crash.py").write_text(
        "import os, signal\ndef test_crash():\n    os.kill(os.getpid(), signal.SIGSEGV)\n")
    (tmp_path / "test_fine.py").write_text(
        "import pytest\n@pytest.mark.parametrize('i', range(20))\ndef test_fine(i):\n    assert i >= 0\n")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadfile",
         *options.group(1).split(), "--rootdir", str(tmp_path), "-c", "/dev/null", str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "worker 'gw" in out and "crashed while running" in out and "test_crash" in out, out
    assert "20 passed" in out and "1 failed" in out, out
    assert "gw2" not in out and "replacing crashed worker" not in out, out  # not replaced
