"""Review of the commit path's checkpoint (core/checkpoint.py ``_advance``): the head a commit
reads before it takes the device's lock may be older than the checkpoint another connection of
this program (``Store.sibling``: a background import, a sync push) wrote meanwhile. The
checkpoint must never move back to that older head: a cut of the entries between would then
verify clean."""
import json

from weicha_desktop.core.store import SYSTEM

from tests.support import new_store


def _read(store, what="核查"):
    store.log_read(SYSTEM, "case.export", "case", None, what)


def _checkpoint_seq(store):
    path = store.anchor.path(store.meta("device_id"), store.meta("folder_id"))
    return json.loads(path.read_text("utf-8"))["checkpoint"]["seq"]


def _head(store):
    return store.conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0]


def test_a_sibling_commit_between_the_head_and_the_lock_does_not_move_the_checkpoint_back(tmp_path, monkeypatch):
    with new_store(tmp_path / "data") as main, main.sibling() as worker:
        _read(main)
        _read(worker)  # each connection's anchor has read or written the line's checkpoint
        _read(main)
        real = main.anchor._lock
        interleave = [lambda: _read(worker, "后台")]

        def lock(device_id):  # the worker commits and writes its checkpoint just before main's lock
            while interleave:
                interleave.pop()()
            return real(device_id)

        monkeypatch.setattr(main.anchor, "_lock", lock)
        _read(main, "前台")
        assert not interleave
        assert main.anchor.problem is None and worker.anchor.problem is None
        head = _head(main)
        assert _checkpoint_seq(main) == head, "the checkpoint went back behind the worker's entry"
        monkeypatch.undo()
        _read(main)  # and the next commits go on from it as usual
        _read(worker)
        assert _checkpoint_seq(main) == _head(main) and main.anchor.suspected is None
