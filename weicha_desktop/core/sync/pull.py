"""What comes down from the sync server (docs/sync-protocol.md, "Pull"): ``pull_all(store,
client)`` after the push of ``weicha sync``.

Each table is pulled page by page (``GET /v1/pull/{table}?cursor=…``) until the server says
``complete``; only then is it applied, in ONE store change per table (reference data) — a
pull cut midway (network, server, a page the client cannot read) applies nothing and keeps
the cursor it had, so the next sync pulls the same again. The cursor is the server's,
opaque, kept per table in ``pull_cursors`` with the server's id (another server: from the
start). A cursor the server refuses (422 ``bad_cursor``) or that is past what it holds (409
``cursor_ahead``: the server restored from an older backup) is dropped and the table pulled
from the start (applying a row twice changes nothing).

Order: code tables, forms (a form may use a code table), users, watch lists; then, on a
laptop with a supervisor, ``unit_records`` (the unit's records as read-only copies,
core/sync/review.py) and on every laptop ``decisions`` (supervisors' decisions on its own
records). A table refused (a form that does not load here, a row of a shape this version
does not know) is a problem of the result: nothing of it is applied, the others go on.
Nothing is written when nothing new came (an idle laptop adds no log entry)."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.store import SYSTEM, Actor, Store
from weicha_desktop.core.sync.client import Refused, ServerError, SyncClient
from weicha_desktop.core.sync.reference import PullRefused, apply_rows, local_forms

REFERENCE = ("code_tables", "forms", "users", "watch_lists")
NAMES = {"code_tables": "代码表", "forms": "表单版本", "users": "用户", "watch_lists": "核查名单",
         "unit_records": "本单位的记录", "decisions": "审核决定"}
MAX_PAGES = 100_000


@dataclass
class Pulled:
    """One table pulled whole: its rows, the spans of device sequences it looked at
    (streams), and the cursor to keep once applied."""
    rows: list[dict[str, Any]]
    covered: dict[str, tuple[int, int]]
    cursor: str
    restarted: bool = False


@dataclass
class PullResult:
    applied: dict[str, int] = field(default_factory=dict)  # table → rows that changed something
    copies: int = 0          # ops of other devices applied as read-only copies
    decisions: int = 0       # decisions applied to this laptop's records
    returned: list[str] = field(default_factory=list)  # numbers of records returned (a new draft)
    conflicts: list[str] = field(default_factory=list)  # decisions that came after the owner's amendment
    thumbnails: int = 0
    problems: list[str] = field(default_factory=list)
    error: WeichaError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "applied": self.applied, "copies": self.copies, "decisions": self.decisions,
                "returned": self.returned, "conflicts": self.conflicts, "thumbnails": self.thumbnails,
                "problems": self.problems,
                "error": None if self.error is None else {"kind": type(self.error).__name__,
                                                          "message": str(self.error)}}


# ---- the cursor, kept ----------------------------------------------------------------------------
def stored_cursor(store: Store, table: str, server_id: str | None) -> str | None:
    row = store.conn.execute("SELECT cursor, server_id FROM pull_cursors WHERE tbl = ?", (table,)).fetchone()
    if row is None or (server_id and row[1] and row[1] != server_id):
        return None
    return row[0]


def keep_cursor(ch, table: str, cursor: str, server_id: str | None) -> None:
    ch.conn.execute("INSERT INTO pull_cursors (tbl, cursor, server_id, pulled_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (tbl) DO UPDATE SET cursor = excluded.cursor, server_id = excluded.server_id, "
                    "pulled_at = excluded.pulled_at", (table, cursor, server_id, ch.now))


# ---- fetching --------------------------------------------------------------------------------------
def fetch(client: SyncClient, table: str, cursor: str | None, limit: int | None = None) -> Pulled:
    """Every page of ``table`` after ``cursor`` (``limit`` rows a page: None, the server's
    size); a refused or too-new cursor restarts once from the start. Raises SyncError
    (nothing is applied then)."""
    try:
        return _pages(client, table, cursor, limit)
    except Refused as e:
        if cursor is None or e.code not in ("bad_cursor", "cursor_ahead"):
            raise
    found = _pages(client, table, None, limit)
    found.restarted = True
    return found


def _pages(client: SyncClient, table: str, cursor: str | None, limit: int | None) -> Pulled:
    rows: list[dict[str, Any]] = []
    covered: dict[str, tuple[int, int]] = {}
    for _ in range(MAX_PAGES):
        page = client.pull(table, cursor, limit)
        if not isinstance(page.get("rows"), list) or not isinstance(page.get("cursor"), str) \
                or not isinstance(page.get("complete"), bool) or not all(isinstance(r, dict) for r in page["rows"]):
            raise ServerError(f"同步服务器的{NAMES.get(table, table)}答复不完整：本次未应用，稍后重试。")
        rows += page["rows"]
        for device, span in (page.get("covered") or {}).items():
            lo, hi = span
            have = covered.get(device)
            covered[device] = (min(lo, have[0]), max(hi, have[1])) if have else (lo, hi)
        cursor = page["cursor"]
        if page["complete"]:
            return Pulled(rows, covered, cursor)
    raise ServerError(f"同步服务器的{NAMES.get(table, table)}一直没有结束：本次未应用。")


# ---- one table of reference data ---------------------------------------------------------------------
def pull_reference(store: Store, client: SyncClient, table: str, *, actor: Actor = SYSTEM,
                   server_id: str | None = None, limit: int | None = None) -> int:
    """Pull ``table`` whole and apply it in one change; the rows that changed something."""
    before = stored_cursor(store, table, server_id)
    got = fetch(client, table, before, limit)
    if not got.rows:  # nothing new (the cursor moves only with rows)
        return 0
    with store.change(actor) as ch:
        n = apply_rows(ch, table, got.rows)
        keep_cursor(ch, table, got.cursor, server_id)
        ch.log("sync.pull", "device", store.meta("device_id"),
               f"从同步服务器获取{NAMES[table]}：{len(got.rows)} 条，其中 {n} 条有变化",
               {"table": table, "rows": len(got.rows), "changed": n, "restarted": got.restarted})
    return n


def pull_all(store: Store, client: SyncClient, *, actor: Actor = SYSTEM, server_id: str | None = None,
             review: bool | None = None, progress: Callable[[str], None] | None = None) -> PullResult:
    """Pull every table (see the module's doc). Never raises for the server or the network:
    the result's ``error`` says what stopped it; ``problems`` what was refused.
    ``review``: pull the unit's records (default: when this laptop has an active supervisor)."""
    from weicha_desktop.core.sync import review as reviews

    result = PullResult()
    try:
        for table in REFERENCE:
            if progress:
                progress(table)
            try:
                result.applied[table] = pull_reference(store, client, table, actor=actor, server_id=server_id)
            except PullRefused as e:
                result.problems.append(str(e))
        # with what the server published, as just pulled: made once, and only when rows come
        forms = functools.cache(lambda: local_forms(store))
        if review if review is not None else reviews.has_supervisor(store):
            reviews.pull_unit_records(store, client, result, actor=actor, server_id=server_id, forms=forms)
        reviews.pull_decisions(store, client, result, server_id=server_id, forms=forms)
    except WeichaError as e:  # SyncError: the network, the server, the token
        result.error = e
    return result
