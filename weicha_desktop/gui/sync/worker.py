"""The sync worker: when to sync with the server, and the sync itself off the GUI thread.

A sync (core/sync/push.py ``sync_once``: a health probe first, then originals, ops and the
audit anchor) runs as a ``BackgroundOp`` (common/ops.py) with a store connection of its own;
one at a time — a request while one runs makes one more run after it. It starts:

- a few seconds after the window opens (``start_later``: not competing with the first paint);
- when the network returns (``QNetworkInformation``'s reachability, where the platform has
  a backend; the sync's own health probe then tells whether the server is there);
- a few seconds after a commit that enqueued ops (``StoreEvents``: the user's own saves; the
  sync's bookkeeping enqueues none, so it does not wake itself);
- periodically (every five minutes);
- when the user asks (立即同步: now, whatever the backoff says).

A failure waits as the backoff says (core/sync/backoff.py: capped exponential, full jitter)
before the next automatic try. A laptop not enrolled does nothing: no timer, no network
watch; nor does one enrolled by file (an offline enrollment: no server address, no token):
it syncs by USB bundles (state ``BUNDLES``) until re-enrolled over the network. ``state`` and ``message()`` are what the status bar and the sync page show."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.core.store.events import ChangeSummary
from weicha_desktop.core.sync.backoff import Backoff
from weicha_desktop.gui.common.ops import BackgroundOp, OpFailure
from weicha_desktop.gui.common.store_events import StoreEvents

if TYPE_CHECKING:  # the client (ssl, ~15 ms) when the window has painted, not at its start
    from weicha_desktop.core.sync.enrollment import Enrollment

START_MS = 5_000
AFTER_CHANGE_MS = 3_000
PERIOD_MS = 5 * 60 * 1000
OFF, IDLE, RUNNING, OK, FAILED = "off", "idle", "running", "ok", "failed"
BUNDLES = "bundles"  # enrolled by file, no server address: USB bundles only, no network sync
QUIET_STATES = (OFF, BUNDLES)


def run_sync(store: Store, actor: Actor, progress: Any, cancelled: Any) -> Any:
    """One sync on a worker thread, with ``store`` (its own connection)."""
    from weicha_desktop.core.sync.push import sync_once

    from weicha_desktop.core.sync.enrollment import SyncConfig

    config = SyncConfig.of(store)
    with config.client() as client:
        try:
            client.health()  # a cheap probe: an unreachable server costs one request
        except WeichaError as e:
            config.update(last_error=str(e), last_error_at=store.clock.iso())
            raise
        return sync_once(store, client, actor=actor, config=config, progress=progress,
                         cancelled=cancelled)


class SyncWorker(QObject):
    stateChanged = Signal()
    progressed = Signal(str, int, int)  # stage ("photos": bytes, "ops": ops), done, total
    finished = Signal(object)  # the SyncResult (None after a failure before the push)

    def __init__(self, store: Store, actor: Actor, events: StoreEvents, parent: QObject | None = None,
                 *, backoff: Backoff | None = None, start_ms: int = START_MS,
                 after_change_ms: int = AFTER_CHANGE_MS, period_ms: int = PERIOD_MS):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.backoff = backoff or Backoff()
        self.start_ms, self.after_change_ms = start_ms, after_change_ms
        self.state = OFF
        self.error: str | None = None
        self.retry_in: float = 0.0
        self.last_result: Any = None
        self.op: BackgroundOp | None = None
        self._again = False
        self._next = QTimer(self)
        self._next.setObjectName("syncNextTimer")
        self._next.setSingleShot(True)
        self._next.timeout.connect(self.run)
        self._period = QTimer(self)
        self._period.setObjectName("syncPeriodTimer")
        self._period.setInterval(period_ms)
        self._period.timeout.connect(lambda: self.schedule(0))
        self._network: Any = None
        self._closed = False
        events.changed.connect(self._store_changed)

    # ---- what is known ------------------------------------------------------------------
    def enrollment(self) -> Enrollment | None:
        from weicha_desktop.core.sync.enrollment import SyncConfig

        try:
            return SyncConfig.of(self.store).load()
        except Exception:  # noqa: BLE001 — not readable, or the store closed under an open window
            return None

    def message(self) -> str:
        if self.state == OFF:
            return self.tr("同步：未配置（离线）")
        if self.state == BUNDLES:
            return self.tr("同步：通过 U 盘数据包（离线登记）")
        if self.state == RUNNING:
            return self.tr("同步：正在同步…")
        if self.state == FAILED:
            if self.retry_in > 0:
                return self.tr("同步：未成功，约 %n 秒后重试", "", max(1, round(self.retry_in)))
            return self.tr("同步：未成功（点此查看）")
        when = (self.enrollment() or _NONE).last_success_at
        if self.state == OK and when:
            return self.tr("同步：已同步（{time}）").format(time=when[11:16])
        return self.tr("同步：已登记，等待同步")

    # ---- starting -----------------------------------------------------------------------
    def start_later(self) -> None:
        """``start`` once the window has painted (``start_ms``)."""
        QTimer.singleShot(self.start_ms, self, self.start)

    def start(self) -> bool:
        """Begin syncing by itself if this laptop is enrolled with a server address (else stay
        off; ``BUNDLES`` when enrolled by file)."""
        if self._closed:
            return False
        e = self.enrollment()
        if e is None or not e.server_url:
            self._next.stop()
            self._period.stop()
            self._set(OFF if e is None else BUNDLES)
            return False
        if self.state in QUIET_STATES:  # BUNDLES: re-enrolled over the network since
            self._set(IDLE)
        self._period.start()
        self.schedule(0)
        self._watch_network()
        return True

    def _watch_network(self) -> None:
        if self._network is not None:
            return
        try:
            from PySide6.QtNetwork import QNetworkInformation

            if QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability):
                self._network = QNetworkInformation.instance()
                self._network.reachabilityChanged.connect(
                    lambda r: self.network_changed(r == QNetworkInformation.Reachability.Online))
        except (ImportError, RuntimeError, AttributeError):  # no backend here: the timers remain
            self._network = None

    def network_changed(self, online: bool) -> None:
        """The network came back (or went): try at once when it came back."""
        if online and self.state not in QUIET_STATES:
            self.backoff.success()  # what failed before was the network: no reason to wait
            self.schedule(0)

    def _store_changed(self, summary: ChangeSummary) -> None:
        if summary.outbox and self.state not in QUIET_STATES:
            self.schedule(self.after_change_ms)

    def schedule(self, ms: int) -> None:
        """Sync in ``ms`` (or when the backoff allows, if later); a sooner plan stays."""
        if self.state in QUIET_STATES or self._closed:
            return
        wait = max(ms, int(self.backoff.delay() * 1000))
        if self._next.isActive() and self._next.remainingTime() <= wait:
            return
        self._next.start(wait)

    # ---- running ------------------------------------------------------------------------
    def sync_now(self) -> bool:
        """立即同步: now, whatever the backoff says. False when not enrolled (or enrolled by
        file: no server to sync with)."""
        e = self.enrollment()
        if e is None or not e.server_url:
            self.start()  # OFF, or BUNDLES: said in the status bar
            return False
        if self.state in QUIET_STATES:
            self.start()
        self.run()
        return True

    def run(self) -> None:
        if self.op is not None and self.op.is_running():
            self._again = True
            return
        self._next.stop()
        self._again = False
        actor = self.actor
        self.op = (BackgroundOp(self, lambda job: run_sync(job.store, actor, job.progress, job.cancelled),
                                store=self.store)
                   .on_success(self._done)
                   .on_failure(self._failed)
                   .on_progress(self.progressed.emit)
                   .run())
        self._set(RUNNING)

    def _done(self, result: Any) -> None:
        self.last_result = result
        self._finish(result.error if not result.ok else None)
        self.finished.emit(result)

    def _failed(self, failure: OpFailure) -> None:
        self.last_result = None
        self._finish(failure.error, failure.message)
        self.finished.emit(None)

    def _finish(self, error: BaseException | None, message: str | None = None) -> None:
        if error is None:
            self.backoff.success()
            self.error, self.retry_in = None, 0.0
            self._set(OK)
        else:
            self.retry_in = self.backoff.failure()
            self.error = message or str(error)
            self._set(FAILED)
            self.schedule(int(self.retry_in * 1000))
        if self._again:
            self.schedule(0)

    def _set(self, state: str) -> None:
        self.state = state
        self.stateChanged.emit()

    def shutdown(self) -> None:
        """The window closes: no more tries; a sync under way is stopped and awaited."""
        self._closed = True
        self._next.stop()
        self._period.stop()
        if self.op is not None and self.op.is_running():
            self.op.cancel()
            self.op.wait()


class _None:
    last_success_at = None


_NONE = _None()
