"""The local store: one data folder, one SQLite file, one write path.

    data_dir/
      weicha.db        SQLite (WAL, foreign keys on, synchronous=FULL)
      weicha.lock      single-instance lock (held while a program has the folder open)
      blobs/           content-addressed photo originals (photos issue)

Every change to captured data goes through ``Store.change(actor)``: ONE transaction in which
the caller writes its rows, appends the audit entry (``Change.log``, mandatory) and the sync
outbox operation (``Change.enqueue``). A crash leaves all of them or none."""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from weicha_desktop.core.checkpoint import Anchor
from weicha_desktop.core.clock import Clock
from weicha_desktop.core.errors import NotInitialized, StoreLocked, WeichaError
from weicha_desktop.core.ids import new_id
from weicha_desktop.core.lineage import ensure_folder_id
from weicha_desktop.core.media.staging import clean_leftovers
from weicha_desktop.core.store import audit, oplog
from weicha_desktop.core.store.events import ChangeSummary, CommitListeners, Listener
from weicha_desktop.core.store.folder_lock import FolderLock
from weicha_desktop.core.store.guard import GuardedConnection, WriteGuard
from weicha_desktop.core.store.migrations import migrate

if TYPE_CHECKING:
    import sqlite_utils

DB_NAME = "weicha.db"
LOCK_NAME = "weicha.lock"


@dataclass(frozen=True)
class Actor:
    """Who does a change: a logged-in user (or the system for housekeeping)."""

    id: str | None
    name: str
    role: str = "system"
    display_name: str = ""


SYSTEM = Actor(None, "system", "system", "系统")


class Store:
    """Open with ``Store.open(data_dir)``; close with ``close()`` or use as a context manager."""

    def __init__(self, data_dir: Path, conn: sqlite3.Connection, lock: FolderLock | None,
                 clock: Clock, readonly: bool, anchor: Anchor | None = None):
        self.data_dir = data_dir
        self.anchor = anchor  # signed checkpoints of the chain head (core/checkpoint.py)
        self.conn = conn
        # what sqlite-utils' Database sets on a connection, set here: the Database itself
        # (``db``) is made when first used, after the write guard is armed
        conn.execute("PRAGMA recursive_triggers = ON")
        self._db: sqlite_utils.Database | None = None
        self.clock = clock
        self.readonly = readonly
        self._lock = lock
        self._write_lock = threading.RLock()
        self._batching = False
        self._reanchor = False
        self._restoring = False  # no checkpoint until acknowledge_restore gives the folder its line
        self._anchoring = False  # committing the checkpoint's own data.anchor entry
        self._anchored_changes = -1  # conn.total_changes when the checkpoint last followed
        self._init_events_and_guard()

    # ---- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, data_dir: str | os.PathLike, *, clock: Clock | None = None,
             readonly: bool = False, lock: bool = True, anchor: Anchor | None = None,
             restoring: bool = False) -> "Store":
        """``anchor``: where the device key and checkpoints live (default: WEICHA_CONFIG_DIR
        or the user's config folder, never inside the data folder). ``restoring``: a folder
        just restored from a backup (core/restore.py), which gets its folder id and its
        checkpoint from ``checkpoint.acknowledge_restore`` and none before."""
        # os.path, not Path.expanduser().resolve(): the same path, without pathlib's parsing
        data_dir = Path(os.path.realpath(os.path.expanduser(data_dir)))
        anchor = anchor or Anchor.default()
        db_path = data_dir / DB_NAME
        if readonly:
            if not db_path.exists():
                raise NotInitialized(f"数据文件夹 {data_dir} 中没有数据库（{DB_NAME}），请先初始化。")
            conn = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True,
                                   isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA query_only = ON")
            # Bytes altered on disk may not be UTF-8 any more: read them as replacement
            # characters so the hash checks report the row instead of the reader crashing.
            conn.text_factory = lambda b: b.decode("utf-8", "replace")
            return cls(data_dir, conn, None, clock or Clock(), True, anchor)
        blobs = os.path.join(data_dir, "blobs")
        if not os.path.isdir(blobs):  # there already at every open but the first: one stat
            os.makedirs(blobs, exist_ok=True)
        file_lock = acquire_folder_lock(data_dir) if lock else None
        try:
            conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False,
                                   timeout=10, factory=GuardedConnection)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn)
            audit.migrated(conn)
        except BaseException:
            if file_lock is not None:
                file_lock.release()
            raise
        if file_lock is not None:  # no other program can be using the folder: a crash's
            clean_leftovers(data_dir)  # temporary files go now (core/media/staging.py)
        store = cls(data_dir, conn, file_lock, clock or Clock(), False, anchor)
        store._restoring = restoring
        if not restoring:
            try:
                ensure_folder_id(store, SYSTEM)  # a folder from before folder ids gets one (logged)
            except BaseException:
                store.close()
                raise
            store._advance_checkpoint()  # a folder from before checkpoints gets its first one
        return store

    def close(self) -> None:
        try:
            if not self.readonly and not self.conn.in_transaction and not self._anchored():
                self._advance_checkpoint()  # a checkpoint a failed write left behind
        except sqlite3.ProgrammingError:  # closed already
            pass
        if self.anchor is not None:
            self.anchor.close()  # the checkpoint files it keeps open
        self.conn.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the connection (dict rows, inserts), made on first use: opening a
        folder, logging in and showing the window need none of it (importing it, with click,
        dateutil and pluggy, is ~40 ms of a start: benchmarks/bench_startup.py). No plugins:
        none are used, finding them reads every installed package's entry points (~35 ms),
        and no plugin should be handed this connection."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn, recursive_triggers=False,
                                             execute_plugins=False)
        return self._db

    @property
    def blobs_dir(self) -> Path:
        return self.data_dir / "blobs"

    # ---- meta ------------------------------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def is_initialized(self) -> bool:
        return self.meta("unit_code") is not None

    def require_initialized(self) -> None:
        if not self.is_initialized():
            raise NotInitialized(
                f"数据文件夹 {self.data_dir} 尚未初始化：请先运行首次使用向导或 `weicha init`。")

    # ---- the one write path ----------------------------------------------------------------
    @contextmanager
    def change(self, actor: Actor) -> Iterator["Change"]:
        """One transaction: the caller's writes + audit entry (required) + outbox ops."""
        if self.readonly:
            raise WeichaError("以只读方式打开的数据不能修改。")
        with self._writing():
            batched = self._batching  # inside ``batch()``: a savepoint of its transaction
            if batched and not self.conn.in_transaction:  # an error ended it: begin anew
                self.conn.execute("BEGIN IMMEDIATE")
                self._batched = ChangeSummary()  # what it had done was rolled back with it
                self._batched_durable = []
            self.conn.execute("SAVEPOINT change" if batched else "BEGIN IMMEDIATE")
            ch = Change(self, actor)
            try:
                yield ch
                if not ch.logged:
                    raise RuntimeError("a change must append an audit entry (Change.log)")
                ch.flush()
                self.conn.execute("RELEASE change" if batched else "COMMIT")
            except BaseException:
                audit.forget(self.conn)  # what append keeps may be undone with the rest
                if self.conn.in_transaction:  # some errors (disk full) end it themselves
                    self.conn.execute("ROLLBACK TO change" if batched else "ROLLBACK")
                    if batched:
                        self.conn.execute("RELEASE change")
                raise
            self._reanchor = self._reanchor or ch.reanchor
            if batched:
                self._batched += ChangeSummary.of(ch.entries)
                self._batched_durable += ch.durable
            else:
                try:
                    for shown in ch.durable:  # committed (synchronous=FULL): safe to show
                        shown()
                finally:  # then the checkpoint's fsyncs; a crash before it loses nothing
                    self._advance_checkpoint()
                    self._tell(ChangeSummary.of(ch.entries))

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Many changes, one commit: for bulk jobs (demo data, imports), never for a user's
        own saves. Every ``change()`` inside becomes a savepoint of one outer transaction, so
        each change is still whole (record + audit + outbox or none of them) and a failing
        change rolls back only itself; the batch commits what completed when it ends, also
        when an error leaves it. The price: a crash before that commit loses the whole batch
        (never part of a change); the gain: one durable sync (synchronous=FULL) per batch
        instead of one per change."""
        if self.readonly:
            raise WeichaError("以只读方式打开的数据不能修改。")
        with self._writing():
            if self._batching:
                raise RuntimeError("Store.batch() does not nest")
            self.conn.execute("BEGIN IMMEDIATE")
            self._batching, self._batched, self._batched_durable = True, ChangeSummary(), []
            try:
                yield
            finally:
                self._batching = False
                if self.conn.in_transaction:
                    self.conn.execute("COMMIT")
                    for shown in self._batched_durable:
                        shown()
                    self._advance_checkpoint()
                    self._tell(self._batched)
                self._batched, self._batched_durable = ChangeSummary(), []

    def log_read(self, actor: Actor, action: str, object_kind: str, object_id: str | None,
                 summary: str, details: dict[str, Any] | None = None) -> audit.AuditEntry:
        """Log a read worth keeping (核查 lookups, exports, report prints)."""
        with self.change(actor) as ch:
            ch.log(action, object_kind, object_id, summary, details)
        return ch.entries[-1]

    def audit_entries(self, **filters: Any) -> list[audit.AuditEntry]:
        return audit.entries(self.conn, **filters)

    def _advance_checkpoint(self) -> None:
        """After a commit: the signed checkpoint outside the folder follows the chain head
        (never backwards: see core/checkpoint.py). Failures do not undo the commit."""
        if self.anchor is not None and not self._anchoring and (self._reanchor or not self._restoring):
            force, self._reanchor = self._reanchor, False
            self._restoring = self._restoring and not force
            self.anchor.advance(self.conn, self.data_dir, force=force, log=self._log_anchor)
            self._anchored_changes = self.conn.total_changes

    def _anchored(self) -> bool:
        """The last checkpoint advance left no problem and nothing was written on this
        connection since (its ``total_changes`` counts every row a statement wrote, also
        rolled back ones): a close need not ask again (the next open does in any case)."""
        return (self.anchor is not None and self.anchor.problem is None and not self._reanchor
                and self._anchored_changes == self.conn.total_changes)

    def _log_anchor(self, summary: str, details: dict[str, Any]) -> None:
        """The checkpoint keeper's ``data.anchor`` entry (core/checkpoint_log.py): a change of
        its own, by the system, committed before the checkpoint that names it is written."""
        self._anchoring = True
        try:
            with self.change(SYSTEM) as ch:
                ch.log("data.anchor", "checkpoint", details["folder_id"], summary, details)
        finally:
            self._anchoring = False

    # ---- listeners, the write guard, other threads (core/store/events.py, guard.py) -------
    def _init_events_and_guard(self) -> None:
        self._listeners = CommitListeners()
        self._batched = ChangeSummary()  # what the changes of a batch() did, told at its commit
        self._batched_durable: list[Any] = []  # their Change.durable callbacks
        self._told = threading.local()  # summaries of this thread's commits, not told yet
        self.guard = WriteGuard(self.conn)
        if isinstance(self.conn, GuardedConnection):
            self.conn.guard = self.guard
        if not self.readonly:
            self.guard.install()  # writes only inside change() / batch()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """The write lock and the guard's leave to write. Listeners are told of the commits
        afterwards, outside both: a listener runs with writes refused, like any other code
        (a data.anchor change committed inside another change is told with it)."""
        try:
            with self._write_lock, self.guard.allow():
                yield
        finally:
            if not self.guard.held():
                told, self._told.summaries = getattr(self._told, "summaries", []), []
                for summary in told:
                    self._listeners.notify(summary)

    def _tell(self, summary: ChangeSummary) -> None:
        self._told.summaries = [*getattr(self._told, "summaries", []), summary]

    def on_commit(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(ChangeSummary)`` after every commit of this store (and of its
        siblings), on the committing thread. Returns the function that removes it."""
        return self._listeners.add(listener)

    def sibling(self, *, readonly: bool | None = None) -> "Store":
        """Another connection to this folder, for another thread of this program (the folder
        lock stays with this store): same clock, its own Anchor on the same key store, and
        the same commit listeners, so views hear of what it commits. Close it when done."""
        other = Store.open(self.data_dir, clock=self.clock, lock=False,
                           readonly=self.readonly if readonly is None else readonly,
                           anchor=self.anchor.reader() if self.anchor is not None else None)
        other._listeners = self._listeners
        return other

    # ---- reads the views need (the GUI has no SQL of its own) ------------------------------
    def pending_count(self) -> int:
        """Operations in the sync outbox the server has not acknowledged (待同步): pending and
        exported in a bundle but not acknowledged yet (core/sync/queue.py ``outstanding``) —
        a count on an index, not ``pending_outbox``, which loads and parses every payload."""
        return self.conn.execute(
            "SELECT count(*) FROM outbox WHERE state IN ('pending', 'exported')").fetchone()[0]

    def pending_outbox(self, limit: int = 1000) -> list[dict[str, Any]]:
        rows = self.db.query(
            "SELECT * FROM outbox WHERE state = 'pending' ORDER BY device_seq LIMIT ?", [limit])
        return [dict(r, payload=json.loads(r["payload"])) for r in rows]


class Change:
    """Handed out by ``Store.change``; valid only inside its ``with`` block.

    The audit entries are appended when the change commits (``flush``), after everything
    else: the last entry's details then carry ``outbox`` — the id and SHA-256 of every
    outbox operation the change enqueued — so verify can tell an edited payload, with no
    call site having to pass anything."""

    def __init__(self, store: Store, actor: Actor):
        self.store = store
        self.conn = store.conn
        self.actor = actor
        self.now = store.clock.iso()
        self.entries: list[audit.AuditEntry] = []
        self.reanchor = False  # acknowledge_restore: move the checkpoint even backwards
        # called once the change is committed and durable, before the signed checkpoint is
        # written (its fsyncs are most of a small change's time; a crash before it loses
        # nothing: the next open writes it): 核查 shows its answer there (docs/checks.md)
        self.durable: list[Any] = []
        self._pending: list[dict[str, Any]] = []
        self._ops: list[dict[str, str]] = []
        self._synced: str | None = None  # a logged action registered as synced (core/ops.py)
        self._device: str | None = None
        self._actors: dict[tuple[str | None, str], str] = {}

    @property
    def db(self) -> sqlite_utils.Database:
        return self.store.db

    @property
    def logged(self) -> bool:
        return bool(self._pending or self.entries)

    def log(self, action: str, object_kind: str, object_id: str | None, summary: str,
            details: dict[str, Any] | None = None) -> None:
        """The audit entry of this change (appended, hashed and numbered at commit)."""
        from weicha_desktop.core import ops  # at the first change, not when a folder opens

        details = dict(details or {})
        if audit.OUTBOX_KEY in details:
            raise ValueError(f"details key {audit.OUTBOX_KEY!r} is the store's own")
        spec = ops.action(action, object_kind, self._record_kinds(action, object_kind, object_id))
        if spec.synced:  # ops.action refused a name not registered
            self._synced = self._synced or action
        self._pending.append({
            "id": new_id(), "at": self.now, "user_id": self.actor.id,
            "user_name": self.actor.name, "action": action, "object_kind": object_kind,
            "object_id": object_id, "summary": summary, "details": details,
        })

    def enqueue(self, entity: str, entity_id: str, op: str, payload: dict[str, Any]) -> str:
        """One sync op in its envelope (core/store/oplog.py): a registered name of this entity
        kind, the payload checked against its schema as it will be sent, the next
        ``device_seq`` of this device taken in this transaction."""
        from weicha_desktop.core import ops

        spec = ops.op(op, entity, self._record_kinds(op, entity, entity_id))
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True, allow_nan=False)
        spec.check(json.loads(text))
        op_id = new_id()
        digest = oplog.insert_op(self.conn, spec, op_id=op_id, device_id=self._device_id(),
                                 actor=self._actor_text(), entity_id=entity_id,
                                 created_at=self.now, payload=text)
        self._ops.append({"op_id": op_id, "sha256": digest})
        return op_id

    def _record_kinds(self, name: str, kind: str, object_id: str | None) -> tuple[str, ...]:
        """``(kind,)`` when ``name`` is a life-cycle name of a record kind not listed in
        ``ops.RECORD_KINDS`` (declared by a form: core/forms) and ``object_id`` is a record
        of that kind in the ``records`` registry (written earlier in this change for a
        create); else ``()``: a misspelt kind is refused."""
        from weicha_desktop.core import ops

        if name in ops.OP_BY_NAME or name in ops.ACTION_BY_NAME or not name.startswith(kind + "."):
            return ()
        row = self.conn.execute("SELECT 1 FROM records WHERE id = ? AND kind = ?",
                                (object_id, kind)).fetchone()
        return (kind,) if row else ()

    def person(self, actor: "Actor | None" = None) -> dict[str, Any] | None:
        """``actor`` (default: the change's) as ops name a person (core/store/oplog.py)."""
        actor = actor or self.actor
        return oplog.person(self.conn, actor.id, name=actor.name,
                            display_name=actor.display_name, role=actor.role)

    def _device_id(self) -> str:
        if self._device is None:
            self._device = self.store.meta("device_id")
            if self._device is None:
                raise RuntimeError("sync ops need the device id of an initialized folder")
        return self._device

    def _actor_text(self) -> str:
        key = (self.actor.id, self.actor.name)  # init names its admin mid-change (setup.py)
        if key not in self._actors:
            self._actors[key] = oplog.actor_text(self.conn, self.actor)
        return self._actors[key]

    def flush(self) -> None:
        """Append the logged entries (the store calls this just before it commits)."""
        if bool(self._ops) != bool(self._synced):  # the op is mandatory for synced data
            from weicha_desktop.core import ops

            raise ops.UnknownName(
                f"程序错误：工作日志动作 {self._synced} 登记为同步，这次修改却没有写入同步操作。"
                if self._synced else
                "程序错误：写入了同步操作的修改，须记一条登记为同步的工作日志动作（core/ops.py）。")
        pending, self._pending = self._pending, []
        for i, fields in enumerate(pending):
            if i == len(pending) - 1 and self._ops:
                fields["details"][audit.OUTBOX_KEY] = self._ops
            self.entries.append(audit.append(self.conn, fields))
        self._ops = []

    def user_state(self, user_id: str) -> str | None:
        """For the details of an entry that changes a user: verify compares it with the row."""
        return audit.user_state(self.conn, user_id)

    def insert(self, table: str, row: dict[str, Any]) -> None:
        """One row into ``table`` (``row``'s keys are its columns), in this change. A plain
        INSERT, not sqlite-utils' (which asks ``sqlite_master`` for the views and tables at
        every insert and wraps it in a savepoint of a new random name: a statement prepared
        for one use that pushes the connection's real ones out of its statement cache)."""
        self.conn.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                          list(row.values()))

    def set_meta(self, key: str, value: str) -> None:
        self.set_meta_items({key: value})

    def set_meta_items(self, items: dict[str, str]) -> None:
        """Several meta keys in one statement (in the order given)."""
        self.conn.execute(
            f"INSERT INTO meta (key, value) VALUES {', '.join(['(?, ?)'] * len(items))} "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [v for kv in items.items() for v in kv])


def acquire_folder_lock(data_dir: Path) -> FolderLock:
    """Hold the data folder for this process. A second program on the same folder gets a
    StoreLocked that says who holds it, instead of two writers racing on one file."""
    lock = FolderLock(data_dir / LOCK_NAME)
    owner_file = data_dir / (LOCK_NAME + ".owner")
    if not lock.acquire():
        owner = ""
        try:
            # bytes that are not UTF-8 (a damaged file) shown as replacement characters: the
            # message still says the folder is in use, not a traceback
            owner = owner_file.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            pass
        raise StoreLocked(
            f"数据文件夹 {data_dir} 正被另一个微察程序使用{('（' + owner + '）') if owner else ''}。"
            "请切换到那个窗口，或先关闭它。") from None
    try:
        _write_owner(owner_file, f"进程 {os.getpid()}，主机 {socket.gethostname()}".encode("utf-8"))
    except OSError:
        pass
    return lock


def _write_owner(path: Path, text: bytes) -> None:
    """Who holds the folder, written over the last holder's words and cut to length — not
    opened with truncation: on ext4 mounted with ``discard`` emptying the file first cost
    ~2.4 ms of every open of the folder (its text is mostly as long as the last one's).
    Written over the whole of the old text, blank-padded: a second program reading before the
    cut (or after a crash there) is shown these words, never the old text's tail (a wrong host,
    or a character cut in two); os.write, not pwrite, which Windows' os does not have."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o666)
    try:
        os.write(fd, text + b" " * (os.fstat(fd).st_size - len(text)))
        os.ftruncate(fd, len(text))
    finally:
        os.close(fd)
