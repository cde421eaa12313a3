"""Watch lists held on the laptop (docs/checks.md).

Two sources, one lookup:

- **Named lists** (``watch_sets`` + ``watch_entries``): 被盗抢机动车, 在逃人员, 失踪人员 or any
  list the unit defines, each of one kind (persons by ID number, vehicles by plate) with its
  version, its date (the day the list is as of), what to do on a hit (``instruction``; empty:
  the default of its name or kind) and where it came from. An administrator imports one from
  a CSV file (``import_list``); a new import of a list replaces its entries whole, in one change.
- **The server's lists** (``watch_list``, migration 14, written by core/sync/pull.py): one
  list of persons and one of vehicles, as of the last pull.

The entries are keyed by the normalized key (core/checks/keys.py); ``watch_entries`` is
clustered on (key, set_id), so a lookup is one B-tree descent whatever the number of entries.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from weicha_desktop.core import duties
from weicha_desktop.core.checks.keys import PERSON, VEHICLE, BadKey, key_for
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.messages import Msg, render
from weicha_desktop.core.store import Actor, Store

SERVER = "server"
IMPORT = "import"
# names and instructions the program gives are messages (core/messages.py): their Chinese
# text as before (stored, logged, compared), shown in the window's language
SERVER_NAMES = {PERSON: Msg("check.server_person"), VEHICLE: Msg("check.server_vehicle")}
MAX_AGE_KEY = "checks.max_age_days"  # meta: a list older than this many days is flagged
DEFAULT_MAX_AGE_DAYS = 7
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_ROWS = 5_000_000
MAX_PROBLEMS_SHOWN = 20
PROGRESS_ROWS = 20_000  # the import's progress (and a cancel) every so many lines read
READ_SHARE = 0.8  # of the progress bar: reading and checking the rows, then the one change

# what to do on a hit when the list says nothing itself: by the list's name, else its kind
DEFAULT_INSTRUCTIONS = {
    "被盗抢机动车": Msg("check.do_stolen_vehicle"),
    "在逃人员": Msg("check.do_fugitive"),
    "失踪人员": Msg("check.do_missing"),
}
KIND_INSTRUCTIONS = {PERSON: Msg("check.do_person"), VEHICLE: Msg("check.do_vehicle")}
LIST_KINDS = {"被盗抢机动车": VEHICLE, "在逃人员": PERSON, "失踪人员": PERSON}

KEY_COLUMNS = {"身份证号": PERSON, "公民身份号码": PERSON, "身份证号码": PERSON, "id_number": PERSON,
               "号牌": VEHICLE, "号牌号码": VEHICLE, "车牌号": VEHICLE, "车牌号码": VEHICLE,
               "plate": VEHICLE, "证件号码": None, "key": None}
NAME_COLUMNS = ("姓名", "名称", "name")
REASON_COLUMNS = ("原因", "案由", "简要案情", "reason")


class ImportRefused(WeichaError):
    """A file not imported (nothing written): the message lists the bad rows."""

    def __init__(self, message: str, problems: list[tuple[int, str]] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass
class ListInfo:
    name: str
    kind: str
    version: str
    date: str | None          # YYYY-MM-DD the list is as of (a server list: the day pulled)
    source: str               # import | server
    instruction: str
    entries: int | None = None
    updated_at: str | None = None
    age_days: int | None = None
    stale: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportReport:
    name: str
    kind: str
    version: str
    date: str
    encoding: str
    imported: int
    replaced: int
    sha256: str
    problems: list[tuple[int, str]] = field(default_factory=list)  # the rows left out
    read_seconds: float = 0.0
    write_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["problems"] = [{"line": line, "problem": why} for line, why in self.problems]
        return out


def entries_digest(rows) -> str:
    """SHA-256 of a list's entries as stored, in key order: each (key, name, reason, extra) joined
    by control characters no value may hold (extra None spelled \\0). The import logs it, and
    ``weicha verify`` (core/verify/watchlists.py) recomputes it from the rows to find entries
    changed, deleted or added behind the program."""
    h = hashlib.sha256()
    for row in rows:
        h.update(entry_bytes(*row))
    return h.hexdigest()


def entry_bytes(key: str, name: str, reason: str, extra: str | None) -> bytes:
    """One entry as ``entries_digest`` hashes it."""
    return f"{key}\x1f{name}\x1f{reason}\x1f{chr(0) if extra is None else extra}\x1e".encode()


def instruction_for(name: str, kind: str, instruction: str | None) -> str:
    """The list's own instruction, else its well-known name's (only for the name's kind: a
    vehicle list named 在逃人员 never gets the fugitive instruction), else its kind's."""
    named = DEFAULT_INSTRUCTIONS.get(name) if LIST_KINDS.get(name) == kind else None
    return instruction or named or KIND_INSTRUCTIONS[kind]


def max_age_days(store: Store) -> int:
    value = store.meta(MAX_AGE_KEY)
    return int(value) if value and value.isdigit() else DEFAULT_MAX_AGE_DAYS


def set_max_age_days(store: Store, actor: Actor, days: int) -> None:
    if actor.role != "admin":
        raise duties.refuse(store, actor, "watchlist", None, "设置核查名单过期天数",
                            "只有管理员可以设置核查名单的过期天数。")
    if not 1 <= days <= 3650:
        raise WeichaError("过期天数须在 1 到 3650 之间。")
    with store.change(actor) as ch:
        ch.set_meta(MAX_AGE_KEY, str(days))
        ch.log("watchlist.settings", "watchlist", None, f"核查名单超过 {days} 天未更新时提示",
               {"max_age_days": days})


# ---- reading the lists ---------------------------------------------------------------------------
def lists(store: Store, today: date, kind: str | None = None, *, counts: bool = False) -> list[ListInfo]:
    """Every list held here (of ``kind``), with its age; ``counts``: also its entries (the
    server's lists are counted, which reads them whole)."""
    limit = max_age_days(store)
    out = []
    rows = store.conn.execute(
        "SELECT name, kind, version, list_date, source, instruction, entries, updated_at FROM watch_sets "
        "WHERE ?1 IS NULL OR kind = ?1 ORDER BY kind, name", (kind,)).fetchall()
    for name, k, version, list_date, source, instruction, entries, updated_at in rows:
        out.append(ListInfo(name, k, version, list_date, source, instruction_for(name, k, instruction),
                            entries, updated_at))
    cursor = store.conn.execute(
        "SELECT cursor, pulled_at FROM pull_cursors WHERE tbl = 'watch_lists'").fetchone()
    for k in (PERSON, VEHICLE) if kind is None else (kind,):
        if not store.conn.execute("SELECT 1 FROM watch_list WHERE list = ? LIMIT 1", (k,)).fetchone():
            continue
        entries = store.conn.execute("SELECT count(*) FROM watch_list WHERE list = ? AND active = 1",
                                     (k,)).fetchone()[0] if counts else None
        pulled = cursor[1] if cursor else None
        out.append(ListInfo(SERVER_NAMES[k], k, str(cursor[0]) if cursor else "", pulled[:10] if pulled else None,
                            SERVER, KIND_INSTRUCTIONS[k], entries, pulled))
    for info in out:
        if info.date:
            try:
                info.age_days = (today - date.fromisoformat(info.date[:10])).days
            except ValueError:
                info.age_days = None
        info.stale = info.age_days is None or info.age_days > limit
    return out


# ---- importing a CSV file ------------------------------------------------------------------------
def encoding_of(data: bytes, path: Path) -> tuple[str, str]:
    """(codec, what to call it): UTF-8 with or without a BOM, else GBK (read as GB 18030, its
    superset). Checked chunk by chunk: no second copy of a large file as text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise ImportRefused(Msg("watchlist.utf16", file=path.name))
    bom = data.startswith(b"\xef\xbb\xbf")
    bad = _undecodable(data, "utf-8")
    if bad is None:
        return ("utf-8-sig", "UTF-8（带 BOM）") if bom else ("utf-8", "UTF-8")
    if bom:
        raise ImportRefused(Msg("watchlist.bad_utf8", file=path.name, line=_line_at(data, bad)))
    gbk_bad = _undecodable(data, "gb18030")
    if gbk_bad is None:
        return "gb18030", "GBK"
    raise ImportRefused(Msg("watchlist.bad_encoding", file=path.name, line=_line_at(data, max(bad, gbk_bad))))


def _undecodable(data: bytes, codec: str, chunk: int = 1 << 20) -> int | None:
    """The offset of the first byte ``codec`` cannot decode, or None."""
    decoder = codecs.getincrementaldecoder(codec)()
    view = memoryview(data)
    for start in range(0, len(data), chunk):
        try:
            decoder.decode(view[start:start + chunk], final=start + chunk >= len(data))
        except UnicodeDecodeError as e:
            return start + max(0, e.start)
    if not data:
        return None
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return len(data) - 1
    return None


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_csv(path: Path, today: date, kind: str | None = None, list_name: str = "", progress=None,
             cancelled=None):
    """(kind, rows, problems, encoding, sha256): ``rows`` are (key, line, name, reason, extra
    JSON or None), in key order; ``problems`` (line, why) for every row left out. ImportRefused for a file
    that cannot be read at all (encoding, header, size)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportRefused(Msg("watchlist.too_large", file=path.name, mb=MAX_FILE_BYTES // 1024 // 1024))
        data = path.read_bytes()
    except OSError as e:
        raise ImportRefused(Msg("watchlist.unreadable", path=str(path), why=str(e.strerror or e))) from None
    digest = hashlib.sha256(data).hexdigest()
    codec, encoding = encoding_of(data, path)
    buffer = io.BytesIO(data)
    reader = csv.reader(io.TextIOWrapper(buffer, encoding=codec, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as e:
        raise ImportRefused(Msg("watchlist.first_line_csv", file=path.name, why=str(e))) from None
    key_at = next((i for i, h in enumerate(header) if h in KEY_COLUMNS), None)
    if key_at is None:
        raise ImportRefused(Msg("watchlist.no_key_column", file=path.name, id_column="身份证号", plate_column="号牌",
                                example="身份证号,姓名,原因", header=",".join(header)[:80]))
    kind = kind or KEY_COLUMNS[header[key_at]] or LIST_KINDS.get(list_name)
    if kind is None:
        raise ImportRefused(Msg("watchlist.kind_unknown", column=header[key_at]))
    if KEY_COLUMNS[header[key_at]] not in (None, kind):
        raise ImportRefused(Msg("watchlist.column_kind", column=header[key_at],
                                column_kind=_kind_word(KEY_COLUMNS[header[key_at]]), kind=_kind_word(kind)))
    name_at = next((i for i, h in enumerate(header) if h in NAME_COLUMNS), None)
    reason_at = next((i for i, h in enumerate(header) if h in REASON_COLUMNS), None)
    extra_at = [(i, h) for i, h in enumerate(header) if i not in (key_at, name_at, reason_at) and h]
    rows, problems = [], []
    line = 1
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as e:
            raise ImportRefused(Msg("watchlist.line_csv", file=path.name, line=reader.line_num, why=str(e))) from None
        if cells is None:
            break
        line = reader.line_num
        if progress is not None and line % PROGRESS_ROWS == 0:
            if cancelled is not None and cancelled():
                raise InterruptedError()
            progress(READ_SHARE * buffer.tell() / max(1, len(data)), Msg("watchlist.reading", n=f"{line:,}"))
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportRefused(Msg("watchlist.too_many", n=MAX_ROWS))
        raw = cells[key_at] if key_at < len(cells) else ""
        try:
            key = key_for(kind, raw, today)
        except BadKey as e:
            problems.append((line, e.args[0] if raw.strip() else Msg("watchlist.no_key", what=_key_word(kind))))
            continue
        if len(cells) > len(header):
            problems.append((line, Msg("watchlist.too_many_cells", n=len(cells), m=len(header))))
            continue
        name = cells[name_at].strip() if name_at is not None and name_at < len(cells) else ""
        reason = cells[reason_at].strip() if reason_at is not None and reason_at < len(cells) else ""
        if len(name) > 64 or len(reason) > 500 or not (name + reason).isprintable():
            problems.append((line, Msg("watchlist.long_cells")))
            continue
        extra = {h: cells[i].strip() for i, h in extra_at if i < len(cells) and cells[i].strip()}
        if any(len(v) > 500 or not v.isprintable() for v in extra.values()):
            problems.append((line, Msg("watchlist.long_extra")))
            continue
        rows.append((key, line, name, reason, json.dumps(extra, ensure_ascii=False) if extra else None))
    return kind, *_without_repeats(rows, problems, kind), encoding, digest


def _without_repeats(rows: list[tuple], problems: list[tuple[int, str]], kind: str):
    """The rows sorted by key (inserted in key order: the B-tree fills page after page) without
    a key's later lines, each a problem naming the line it repeats; the problems by line."""
    rows.sort()
    kept, first = [], None
    for row in rows:
        if first is not None and row[0] == first[0]:
            problems.append((row[1], Msg("watchlist.repeat", what=_key_word(kind), key=row[0], line=first[1])))
            continue
        first = row
        kept.append(row)
    problems.sort()
    return kept, problems


def problems_text(problems: list[tuple[int, str]], locale: str = "zh") -> str:
    """The bad rows, one a line (the first MAX_PROBLEMS_SHOWN), in ``locale`` (zh or en)."""
    shown = [Msg("watchlist.row", line=line, why=why) for line, why in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        shown.append(Msg("watchlist.more_rows", n=len(problems) - MAX_PROBLEMS_SHOWN))
    return "\n".join(render(m, locale) for m in shown)


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 40 or not name.isprintable():
        raise ImportRefused(Msg("watchlist.bad_name", example="被盗抢机动车"))
    if name in SERVER_NAMES.values():
        raise ImportRefused(Msg("watchlist.server_name", name=name))
    return name


def import_list(store: Store, actor: Actor, path: Path, name: str, *, kind: str | None = None,
                version: str | None = None, list_date: str | None = None,
                instruction: str | None = None, skip_bad: bool = False, progress=None,
                cancelled=None) -> ImportReport:
    """Import (or replace) the list ``name`` from a CSV file, in one change. Only an
    administrator may. Any bad row refuses the whole file unless ``skip_bad`` (the rows left
    out are then in the report and in the audit entry). ``progress(fraction, text)`` as the
    rows are read; ``cancelled()`` true stops the reading (InterruptedError, nothing written);
    the change itself is not interrupted."""
    if actor.role != "admin":
        raise duties.refuse(store, actor, "watchlist", name, "导入核查名单", "只有管理员可以导入核查名单。")
    name = _check_name(name)
    today = store.clock.now().date()
    list_date = _check_date(list_date, today)
    if instruction is not None and (len(instruction) > 500 or not instruction.replace("\n", "").isprintable()):
        raise ImportRefused(Msg("watchlist.bad_instruction"))
    held = store.conn.execute("SELECT id, kind, version, entries FROM watch_sets WHERE name = ?", (name,)).fetchone()
    kind = kind or (held[1] if held else None)
    listed = LIST_KINDS.get(name)  # 在逃人员 is a list of persons, whatever the file holds
    _require_kind(name, listed, kind)
    started = time.perf_counter()  # a file whose key column is of the other kind: column_kind
    kind, rows, problems, encoding, digest = read_csv(path, today, kind or listed, name, progress, cancelled)
    read_seconds = time.perf_counter() - started
    _require_kind(name, listed, kind)
    if held and held[1] != kind:
        raise ImportRefused(Msg("watchlist.kind_held", name=name, held=_kind_word(held[1]), kind=_kind_word(kind)))
    if problems and not skip_bad:
        raise ImportRefused(Msg("watchlist.bad_rows", file=Path(path).name, n=len(problems),
                                rows=problems_text(problems)), problems)
    if not rows:
        raise ImportRefused(Msg("watchlist.nothing", file=Path(path).name))
    version = version or _next_version(held[2] if held else None)
    if len(version) > 40 or not version.isprintable():
        raise ImportRefused(Msg("watchlist.bad_version"))
    started = time.perf_counter()
    if progress is not None:
        progress(READ_SHARE, Msg("watchlist.writing", n=f"{len(rows):,}"))
    with store.change(actor) as ch:
        if held:
            set_id = held[0]
            ch.conn.execute("DELETE FROM watch_entries WHERE set_id = ?", (set_id,))
            ch.conn.execute("UPDATE watch_sets SET version = ?, list_date = ?, instruction = ?, entries = ?, "
                            "source = ?, file_sha256 = ?, updated_at = ? WHERE id = ?",
                            (version, list_date, instruction or "", len(rows), IMPORT, digest, ch.now, set_id))
        else:
            set_id = ch.conn.execute(
                "INSERT INTO watch_sets (name, kind, version, list_date, instruction, entries, source, "
                "file_sha256, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (name, kind, version, list_date, instruction or "", len(rows), IMPORT, digest, ch.now)).lastrowid
        ch.conn.executemany("INSERT INTO watch_entries (key, set_id, name, reason, extra) VALUES (?, ?, ?, ?, ?)",
                            ((r[0], set_id, r[2], r[3], r[4]) for r in rows))
        ch.log("watchlist.import", "watchlist", name,
               f"导入核查名单“{name}”第 {version} 版（{list_date}）：{len(rows)} 条"
               + (f"，{len(problems)} 行有误未导入" if problems else ""),
               {"list": name, "kind": kind, "version": version, "date": list_date, "entries": len(rows),
                "replaced": held[3] if held else 0, "file": Path(path).name, "sha256": digest,
                "encoding": encoding, "skipped_lines": [line for line, _ in problems[:1000]],
                "skipped": len(problems), "instruction": instruction or "",
                "entries_sha256": entries_digest((r[0], r[2], r[3], r[4]) for r in rows)})
    return ImportReport(name, kind, version, list_date, encoding, len(rows), held[3] if held else 0, digest,
                        problems, read_seconds, time.perf_counter() - started)


def _require_kind(name: str, listed: str | None, kind: str | None) -> None:
    if listed is not None and kind is not None and listed != kind:
        raise ImportRefused(Msg("watchlist.kind_named", name=name, listed=_kind_word(listed),
                                key=_key_word(listed), kind=_kind_word(kind)))


def _kind_word(kind: str) -> Msg:
    return Msg("watchlist.persons" if kind == PERSON else "watchlist.vehicles")


def _key_word(kind: str) -> Msg:
    return Msg("watchlist.id_number" if kind == PERSON else "watchlist.plate")


def _check_date(text: str | None, today: date) -> str:
    if text is None:
        return today.isoformat()
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise ImportRefused(Msg("watchlist.bad_date", text=text[:20])) from None
    if value > today:
        raise ImportRefused(Msg("watchlist.future_date", date=value.isoformat(), today=today.isoformat()))
    return value.isoformat()


def _next_version(held: str | None) -> str:
    return str(int(held) + 1) if held and held.isdigit() else "1"
