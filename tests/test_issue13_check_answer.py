"""核查's answer is given as soon as the check is logged — committed and durable — and before
the signed checkpoint outside the folder is written (its fsyncs were two thirds of a logged
check: docs/checks.md, Speed). Never before the commit: a crash then would lose the log of a
check an officer has already seen. A crash after the answer and before the checkpoint loses
nothing: the log is on disk and the next open brings the checkpoint up to it."""
import sqlite3

import pytest

from weicha_desktop.core.checks import CheckService
from weicha_desktop.core.store import Store
from weicha_desktop.core.verify import verify

from tests.support import admin, new_store, run_cli, store  # noqa: F401 (fixtures)


def test_the_answer_comes_after_the_commit_and_before_the_checkpoint(store, admin, monkeypatch):
    events = []
    advance = type(store.anchor).advance
    monkeypatch.setattr(type(store.anchor), "advance",
                        lambda self, *a, **k: (events.append("checkpoint"), advance(self, *a, **k))[1])
    raw = sqlite3.connect(store.data_dir / "weicha.db")

    def answered(result):
        # another connection sees the row and its entry: committed, not inside the transaction
        row = raw.execute("SELECT result FROM checks WHERE id = ?", (result.id,)).fetchone()
        logged = raw.execute("SELECT count(*) FROM audit_log WHERE action = 'check.run' AND object_id = ?",
                             (result.id,)).fetchone()[0]
        events.append(("answered", row, logged))

    result = CheckService(store, admin).check("桂A12345", answered=answered)
    assert events == [("answered", ("miss",), 1), "checkpoint"]
    assert result.result == "miss"
    raw.close()


def test_a_crash_between_the_answer_and_the_checkpoint_loses_no_log(tmp_path, monkeypatch):
    class Killed(BaseException):
        pass

    store = new_store(tmp_path / "d")
    from weicha_desktop.core.users import UserService
    officer = UserService(store).get("admin")
    seen = []

    def die(*_a, **_k):
        raise Killed()  # the process dies where the checkpoint would be written

    monkeypatch.setattr(type(store.anchor), "advance", die)
    with pytest.raises(Killed):
        CheckService(store, officer).check("桂A12345", answered=seen.append)
    monkeypatch.undo()
    assert len(seen) == 1  # the officer saw the answer
    store.close()
    again = Store.open(tmp_path / "d")  # the next start: the checkpoint catches up
    try:
        assert again.conn.execute("SELECT id FROM checks").fetchall() == [(seen[0].id,)]
        report = verify(again)
        assert report.ok, report.faults
    finally:
        again.close()


def test_the_cli_prints_the_answer_once(tmp_path):
    new_store(tmp_path / "d").close()
    out = run_cli(tmp_path / "d", "check", "--plate", "桂A12345", user="admin")
    assert out.returncode == 0 and out.stdout.count("未命中") == 1, out
