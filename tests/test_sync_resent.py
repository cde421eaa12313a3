"""`weicha sync` says how many ops it sent again to a server restored from an older backup
(issue 11 leftovers; the resend itself: tests/test_sync_faults.py)."""
from __future__ import annotations

from weicha_desktop.cli.sync import _print
from weicha_desktop.core.sync.push import SyncResult


def test_sync_prints_the_ops_resent_to_a_restored_server(capsys):
    _print(SyncResult(batches=1, ops_sent=5, acknowledged=5, resent=3))
    out = capsys.readouterr().out
    assert "已重新发送本机已确认过的 3 项同步操作" in out and "从较早的备份恢复" in out
    _print(SyncResult(batches=1, ops_sent=5, acknowledged=5))
    assert "重新发送" not in capsys.readouterr().out
