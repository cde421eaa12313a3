"""The checkpoint file rewritten in place in two slots (core/checkpoint_file.py): a commit
pays no temp file, rename or folder fsync; every cut of a write still reads as one whole
signed checkpoint; a file changed behind the writer's back is found by its bytes (not by a
time stamp); two writers of one line take turns; a file of the earlier format is read and
continued."""
import json
import os
import re
from pathlib import Path

import pytest

from weicha_desktop.core.checkpoint import Anchor, CheckpointError
from weicha_desktop.core.checkpoint_file import PAGE, SlotFile, parse
from weicha_desktop.core.store import SYSTEM, Store

from tests.support import new_store
from tests.verify_support import check

SECTOR = 512


@pytest.fixture
def store(tmp_path):
    store = new_store(tmp_path / "data")
    yield store
    store.close()


def _commit(store, n=1):
    for i in range(n):
        store.log_read(SYSTEM, "case.export", "case", None, f"核查 {i}")


def _line(store):
    return store.meta("device_id"), store.meta("folder_id")


def _head(store):
    return tuple(store.conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone())


def _verifies_clean(store):
    report = check(store.data_dir)
    assert report.ok and not report.warnings, report.faults + report.warnings


def _fresh_read(store):
    """The checkpoint as another program reads it (nothing cached), its signature checked."""
    anchor = Anchor(store.anchor.config_dir)
    cp = anchor.read(*_line(store))
    assert anchor.signature_ok(_line(store)[0], cp, _line(store)[1])
    return cp


def test_a_commit_writes_in_place_one_fsync_no_rename_and_the_file_stays_one_json_document(store, monkeypatch):
    _commit(store)
    path = store.anchor.path(*_line(store))
    ino, counter = os.stat(path).st_ino, _fresh_read(store).counter
    calls = []
    for name in ("replace", "rename", "link", "fsync"):
        monkeypatch.setattr(os, name, lambda *a, _n=name, _f=getattr(os, name): calls.append(_n) or _f(*a))
    for i in range(3):
        _commit(store)
        assert calls == ["fsync"], calls  # the slot's; no part file, rename or folder fsync
        calls.clear()
        cp = _fresh_read(store)
        assert (cp.seq, cp.head) == _head(store) and cp.counter == counter + i + 1
        assert json.loads(path.read_bytes())["checkpoint"]["seq"] == cp.seq  # one document, blanks around it
    monkeypatch.undo()
    assert os.stat(path).st_ino == ino and os.stat(path).st_size % (2 * PAGE) == 0
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([path.name, f"{_line(store)[0]}.lock"])
    _verifies_clean(store)


def _images(store):
    """The file after three commits: (older, previous, last) images, the last two the states
    a write in place goes between (the slot of each document alternates)."""
    path = store.anchor.path(*_line(store))
    images = []
    for _ in range(3):
        _commit(store)
        images.append(path.read_bytes())
    return path, images


def _slot_of(image):
    half = len(image) // 2
    return 0 if image[:half].strip() else 1


def _sectors(new, old, pattern):
    """A slot after a power cut: each 512-byte sector either written (``new``) or not."""
    return b"".join((new if keep else old)[i:i + SECTOR] for i, keep in zip(range(0, len(new), SECTOR), pattern))


def test_every_cut_of_a_write_in_place_reads_as_one_whole_signed_checkpoint(store):
    path, (older, before, after) = _images(store)
    half = len(before) // 2
    new, old = _slot_of(after), _slot_of(before)
    assert new != old and len(before) == len(after)
    expect = {"before": parse(before)["checkpoint"], "after": parse(after)["checkpoint"]}
    assert expect["after"]["counter"] == expect["before"]["counter"] + 1

    def slots(**at):
        parts = [before[:half], before[half:]]
        for index, value in at.items():
            parts[int(index[1])] = value
        return parts[0] + parts[1]

    doc_new, doc_old = after[new * half:(new + 1) * half], before[old * half:(old + 1) * half]
    blank = b" " * half
    states = []
    for cut in range(0, len(doc_new.strip()), 37):  # the new document cut anywhere, the old one whole
        states.append((slots(**{f"s{new}": doc_new[:cut] + blank[cut:]}), "before"))
    for cut in range(0, len(doc_old.strip()) + 37, 37):  # the new one whole, the old one blanked up to anywhere
        states.append((slots(**{f"s{new}": doc_new, f"s{old}": blank[:cut] + doc_old[cut:]}), "after"))
    sectors = half // SECTOR
    stale = older[new * half:(new + 1) * half]  # the slot still held the document before (its blanking not on disk)
    for pattern in ([i % 2 for i in range(sectors)], [i % 2 == 0 for i in range(sectors)], [1] + [0] * (sectors - 1)):
        states.append((slots(**{f"s{new}": _sectors(doc_new, blank, pattern)}), "before"))
        states.append((slots(**{f"s{new}": _sectors(doc_new, stale, pattern)}), "before"))
    states.append((slots(**{f"s{new}": doc_new}), "after"))  # both whole: the newer
    anchor = Anchor(store.anchor.config_dir)
    for raw, which in states:
        path.write_bytes(raw)
        cp = anchor.read(*_line(store))
        assert cp.counter == expect[which]["counter"] and cp.seq == expect[which]["seq"], which
        assert anchor.signature_ok(_line(store)[0], cp, _line(store)[1])
    # the program goes on from a cut file and verify is clean
    path.write_bytes(slots(**{f"s{new}": doc_new[:100] + blank[100:]}))
    store.close()
    reopened = Store.open(store.data_dir)
    _commit(reopened)
    assert _fresh_read(reopened).counter == expect["after"]["counter"] + 1
    reopened.close()
    _verifies_clean(store)


def test_a_file_with_no_whole_signed_slot_is_damaged_not_read(store):
    path, (_, before, after) = _images(store)
    half = len(before) // 2

    def forged(image):  # the document with another head: its signature no longer holds
        at = re.search(rb'"head": *"', image).end()
        return image[:at] + (b"1" if image[at:at + 1] == b"0" else b"0") + image[at + 1:]

    both = forged(before)[:half] + forged(after)[half:] if _slot_of(before) == 0 else \
        forged(after)[:half] + forged(before)[half:]
    anchor = Anchor(store.anchor.config_dir)
    cut = before.strip()[:100]
    for raw in (b" " * len(before), both, cut + b" " * (len(before) - len(cut))):
        path.write_bytes(raw)
        with pytest.raises(CheckpointError, match="不是有效的检查点"):
            anchor.read(*_line(store))


def test_an_edit_in_place_keeping_size_inode_and_time_is_found_by_its_bytes(store):
    _commit(store)
    path = store.anchor.path(*_line(store))
    st = os.stat(path)
    raw = bytearray(path.read_bytes())
    at = re.search(rb'"head": *"', raw).end()
    raw[at] = ord("0" if raw[at] != ord("0") else "1")  # another hash, same length
    with open(path, "r+b") as f:  # in place, as a writer of slots would
        f.write(raw)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (os.stat(path).st_ino, os.stat(path).st_size, os.stat(path).st_mtime_ns) == (
        st.st_ino, st.st_size, st.st_mtime_ns)
    _commit(store)
    assert "与这份数据不符" in (store.anchor.suspected or ""), store.anchor.problem
    assert path.read_bytes() == bytes(raw)  # left as found, not laundered


def test_two_writers_of_one_line_take_turns_and_the_checkpoint_follows_the_head(store):
    sibling = store.sibling()
    try:
        counter = None
        for i in range(6):
            _commit(store if i % 2 else sibling)
            cp = _fresh_read(store)
            assert (cp.seq, cp.head) == _head(store)
            assert counter is None or cp.counter == counter + 1
            counter = cp.counter
        assert store.anchor.problem is None and sibling.anchor.problem is None
    finally:
        sibling.close()
    _verifies_clean(store)


def test_a_checkpoint_of_the_earlier_format_is_read_and_continued(store):
    _commit(store)
    path = store.anchor.path(*_line(store))
    doc = parse(path.read_bytes())
    earlier = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")  # as written before
    path.unlink()
    path.write_bytes(earlier)
    os.chmod(path, 0o600)
    assert _fresh_read(store).counter == doc["checkpoint"]["counter"]
    _commit(store)
    cp = _fresh_read(store)
    assert cp.counter == doc["checkpoint"]["counter"] + 1 and (cp.seq, cp.head) == _head(store)
    assert os.stat(path).st_size % (2 * PAGE) == 0  # now in slots
    _verifies_clean(store)


def test_a_document_longer_than_its_slot_gets_a_new_file_with_larger_slots(store, tmp_path):
    _commit(store)
    anchor, (device, folder) = store.anchor, _line(store)
    path = anchor.path(device, folder)
    size = os.stat(path).st_size
    slots = SlotFile.create(tmp_path / "x.json", b"{}")
    assert not slots.write(b" " * (size + 1)) and (tmp_path / "x.json").read_bytes().strip() == b"{}"
    slots.close()
    cp = anchor.read(device, folder)
    far = Path("/" + "很长的路径" * 400)
    with anchor._lock(device):
        assert anchor._current(path) == cp
        anchor._write(anchor.private_key(create=False), device, folder, (cp.seq, cp.head, cp.head_at),
                      cp.counter + 1, far, in_place=True)
    again = _fresh_read(store)
    assert again.data_dir == str(far) and again.counter == cp.counter + 1
    assert os.stat(path).st_size > size and os.stat(path).st_size % (2 * PAGE) == 0


def test_a_reader_racing_a_write_reads_again_before_calling_the_file_damaged(store, monkeypatch):
    _commit(store)
    path = store.anchor.path(*_line(store))
    whole = path.read_bytes()
    reads = iter([b" " * len(whole)] * 2 + [whole])  # both slots blank for an instant, then the new one
    monkeypatch.setattr(Path, "read_bytes", lambda self: next(reads) if self == path else b"")
    assert Anchor(store.anchor.config_dir).read(*_line(store)).counter == parse(whole)["checkpoint"]["counter"]


def test_a_failed_write_in_place_is_read_again_and_the_next_commit_goes_on(store, monkeypatch):
    _commit(store)
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "I/O error")))
    _commit(store)
    monkeypatch.setattr(os, "fsync", real)
    assert "检查点未能写入" in (store.anchor.problem or "")
    _commit(store)
    cp = _fresh_read(store)
    assert store.anchor.problem is None and (cp.seq, cp.head) == _head(store)
    _verifies_clean(store)


def test_the_next_program_writes_in_place_too_unless_the_file_is_not_owner_only(store, monkeypatch):
    """A program that opens the folder reads the checkpoint and, if it is in slots, owner-only
    and exactly what it read, writes it in place; else a new file (owner-only again)."""
    _commit(store)
    path = store.anchor.path(*_line(store))
    store.close()
    renames = []
    monkeypatch.setattr(os, "replace", lambda *a, _f=os.replace: renames.append(a) or _f(*a))
    for mode, expect in ((0o600, []), (0o640, [1]), (0o600, [])):
        os.chmod(path, mode)
        ino = os.stat(path).st_ino
        with Store.open(store.data_dir) as again:
            _commit(again, 2)
            assert (cp := _fresh_read(again)).counter and (cp.seq, cp.head) == _head(again)
        assert [1 for _ in renames] == expect and (os.stat(path).st_ino == ino) == (not expect)
        assert os.stat(path).st_mode & 0o777 == 0o600
        renames.clear()
    with Store.open(store.data_dir) as again:  # made readable by others while the program runs
        _commit(again)
        os.chmod(path, 0o644)
        _commit(again)
        assert len(renames) == 1 and os.stat(path).st_mode & 0o777 == 0o600
