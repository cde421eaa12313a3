"""What a commit and a new folder pay for the signed checkpoint (core/checkpoint.py), and that
what they no longer do twice still catches what it caught: one statement after a commit reads
the line, the head and the entry the last checkpoint names (a chain rewritten between two
commits is still found by it); a folder just set up reads no other folder's checkpoint file
(only a folder with history can be one put in place of another: tests/test_checkpoint_gaps.py)."""
import json

from weicha_desktop.core.checkpoint import Anchor
from weicha_desktop.core.store import SYSTEM, Store

from tests.support import new_store
from tests.test_store_statements import statements
from tests.verify_support import rehash_chain


def _read(store):
    store.log_read(SYSTEM, "case.export", "case", None, "核查")


def test_a_commit_reads_line_head_and_the_checkpoints_entry_in_one_statement(tmp_path, monkeypatch):
    with new_store(tmp_path / "data") as store:
        _read(store)
        with statements(monkeypatch) as seen:
            _read(store)
        after = seen[seen.index("COMMIT") + 1:]
        assert len(after) == 1, after  # not a second query for the hash at the checkpoint's seq
        assert "max(seq)" in after[0] and "WHERE seq = ?" in after[0]
        head = store.conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        cp = store.anchor.read(store.meta("device_id"), store.meta("folder_id"))
        assert (cp.seq, cp.head) == tuple(head) and store.anchor.problem is None


def test_a_chain_rewritten_between_two_commits_is_found_at_the_next(tmp_path):
    """The entry the last checkpoint names re-hashed by another program while this one runs:
    the chain goes on from the rewritten head, so only the hash at the checkpoint's seq (read
    with the head, not assumed from what this program wrote) tells it."""
    with new_store(tmp_path / "data") as store:
        for _ in range(2):
            _read(store)
        line = store.meta("device_id"), store.meta("folder_id")
        path = store.anchor.path(*line)
        before = json.loads(path.read_text("utf-8"))["checkpoint"]

        def edit(entry):
            if entry["seq"] == before["seq"]:
                entry["summary"] += "（改）"

        rehash_chain(tmp_path / "data" / "weicha.db", edit)  # same seqs, other hashes from there on
        _read(store)
        assert "与这份数据不符" in (store.anchor.suspected or "")
        assert json.loads(path.read_text("utf-8"))["checkpoint"] == before  # not moved on
        _read(store)  # nor by the next commit
        assert json.loads(path.read_text("utf-8"))["checkpoint"] == before


def test_a_folder_just_set_up_reads_no_other_folders_checkpoint(tmp_path, monkeypatch):
    for i in range(3):  # other folders' checkpoints in this key store
        new_store(tmp_path / f"other{i}").close()
    read = []
    monkeypatch.setattr(Anchor, "_try_read", lambda self, path, real=Anchor._try_read: read.append(path) or real(self, path))
    with new_store(tmp_path / "data") as store:
        _read(store)
        assert store.anchor.problem is None and store.anchor.suspected is None
    assert read == []


def test_the_first_commit_after_an_open_asks_no_second_query_either(tmp_path, monkeypatch):
    """Opening read the checkpoint file: its entry's hash comes with the head at the first
    commit; a checkpoint file replaced meanwhile is read again and asked of the chain."""
    new_store(tmp_path / "data").close()
    with Store.open(tmp_path / "data") as store:
        with statements(monkeypatch) as seen:
            _read(store)
        after = seen[seen.index("COMMIT") + 1:]  # the line and head; the log's data.anchor entries
        assert not [s for s in after if s.startswith("SELECT hash FROM audit_log WHERE seq")], after
        path = store.anchor.path(store.meta("device_id"), store.meta("folder_id"))
        doc = json.loads(path.read_text("utf-8"))
        seq = doc["checkpoint"]["seq"] - 1  # the file set back to the entry before, truly: no alarm
        doc["checkpoint"].update(seq=seq, head=store.conn.execute(
            "SELECT hash FROM audit_log WHERE seq = ?", (seq,)).fetchone()[0])
        path.write_text(json.dumps(doc), "utf-8")
        _read(store)  # (the hash at ITS seq asked, not the one read with the head for the last)
        assert store.anchor.suspected is None and store.anchor.problem is None
        doc = json.loads(path.read_text("utf-8"))
        doc["checkpoint"]["head"] = "0" * 64  # the same seq, another hash: found
        path.write_text(json.dumps(doc), "utf-8")
        _read(store)
        assert "与这份数据不符" in (store.anchor.suspected or "")
