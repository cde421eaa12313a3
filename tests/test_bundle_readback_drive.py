"""The export's read-back reads the drive, not the OS cache: once the file is fsynced its
pages are dropped (posix_fadvise DONTNEED), so a stick that garbles or loses what it was given
is caught before the technician is told the export is done."""
from __future__ import annotations

import os

from weicha_desktop.core.bundle import container as C
from weicha_desktop.core.bundle.format import Entry
from tests.bundle_support import write



def test_pages_are_dropped_after_the_fsync_and_before_the_read_back(tmp_path, monkeypatch):
    calls: list[tuple] = []
    real_fsync, real_advise, real_read_back = os.fsync, os.posix_fadvise, C._read_back

    def fsync(fd):
        calls.append(("fsync", fd))
        return real_fsync(fd)

    def advise(fd, offset, length, advice):
        calls.append(("advise", fd, offset, length, advice))
        return real_advise(fd, offset, length, advice)

    def read_back(tmp, *a, **kw):
        calls.append(("read_back", os.path.getsize(tmp)))
        return real_read_back(tmp, *a, **kw)

    monkeypatch.setattr(C.os, "fsync", fsync)
    monkeypatch.setattr(C.os, "posix_fadvise", advise)
    monkeypatch.setattr(C, "_read_back", read_back)
    dst = tmp_path / "x.wcb"
    write(dst, [Entry.of_bytes("ops.jsonl", b'{"op":"case.create"}\n' * 50)])

    kinds = [c[0] for c in calls]
    assert "advise" in kinds and "read_back" in kinds
    fsync_at = max(i for i, c in enumerate(calls) if c[0] == "fsync" and i < kinds.index("advise"))
    advise = calls[kinds.index("advise")]
    assert advise[1] == calls[fsync_at][1]                       # the file just fsynced
    assert advise[2:] == (0, 0, os.POSIX_FADV_DONTNEED)          # all of it, dropped
    assert fsync_at < kinds.index("advise") < kinds.index("read_back")
    assert dst.exists()


def test_an_os_refusing_the_advice_still_exports(tmp_path, monkeypatch):
    def refuse(*_a):
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(C.os, "posix_fadvise", refuse)
    dst = tmp_path / "x.wcb"
    header = write(dst, [Entry.of_bytes("ops.jsonl", b"{}\n")])
    assert dst.exists() and header.kind == "ops"
