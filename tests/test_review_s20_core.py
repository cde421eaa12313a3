"""Hostile review of stop 20's product speed-ups in core (f59bea3, 370e520, a1ed720, 7d23d40,
9102958, 927696b): each test pins what a speed-up could have lost."""
from __future__ import annotations

import copy
import os
import random
import socket

import pytest

from weicha_desktop.core.errors import StoreLocked
from weicha_desktop.core.store.store import acquire_folder_lock

from test_forms_validate import good_record

STALE = "进程 4194304，主机 " + "一台名字很长的电脑" * 20  # an earlier holder's, longer than today's


def _holder() -> str:
    return f"进程 {os.getpid()}，主机 {socket.gethostname()}"


# ---- a1ed720: the folder lock's owner words ---------------------------------------------------
def test_a_second_program_is_shown_the_holder_exactly_while_the_owner_file_is_rewritten(tmp_path, monkeypatch):
    """Between writing the words over a longer stale text and cutting it to length (or with a
    crash there), a second program read the new words followed by the stale text's tail — a
    wrong host, or bytes cut mid-character that raised UnicodeDecodeError (a traceback)."""
    owner = tmp_path / "weicha.lock.owner"
    owner.write_text(STALE, encoding="utf-8")
    real, seen = os.ftruncate, []

    def second_program_looks_then_cut(fd, length):
        try:
            acquire_folder_lock(tmp_path).release()
        except StoreLocked as e:
            seen.append(str(e))
        except Exception as e:  # noqa: BLE001 — a traceback is what the test must not see
            seen.append(repr(e))
        raise OSError("killed before the cut")  # as a crash (or a failed truncate) leaves it

    monkeypatch.setattr(os, "ftruncate", second_program_looks_then_cut)
    lock = acquire_folder_lock(tmp_path)
    try:
        monkeypatch.setattr(os, "ftruncate", real)
        assert len(seen) == 1 and f"（{_holder()}）。" in seen[0], seen
        with pytest.raises(StoreLocked) as err:  # after the "crash": the file as it was left
            acquire_folder_lock(tmp_path)
        assert f"（{_holder()}）。" in str(err.value)
    finally:
        lock.release()


def test_the_folder_lock_is_taken_where_os_has_no_pwrite(tmp_path, monkeypatch):
    """Windows' os module has no pwrite: every Store.open raised AttributeError there."""
    monkeypatch.delattr(os, "pwrite", raising=False)
    (tmp_path / "weicha.lock.owner").write_text(STALE, encoding="utf-8")
    lock = acquire_folder_lock(tmp_path)
    try:
        assert (tmp_path / "weicha.lock.owner").read_text(encoding="utf-8") == _holder()
    finally:
        lock.release()
