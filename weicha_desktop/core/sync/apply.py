"""Apply the ops of other devices to a store: the code a server runs (docs/sync-protocol.md,
"Applying ops").

    apply_ops(store, envelopes, forms)    ops as ``outbox_envelope`` gives them, any order
    apply_bundle(store, bundle, forms)    a bundle of ``OutboxQueue.export_bundle``

Per device, in ``device_seq`` order, each op is applied in a change of its own (``sync.apply``
entry, by the op's actor): its payload — the resulting state of what it touched — written
into the rows, the op recorded in ``applied_ops`` and the device's contiguous mark
(``devices.applied_through``) moved. Only what the envelopes carry is used, never the source
database: the people they name (actor, reviewer, the record's people) become users of this
store that cannot log in here (``user.known``) when it does not know them.

- **Idempotent**: an op id applied before is skipped (the same bytes; other bytes under the
  same id, or another op under a (device, seq) already applied, stop that device: a fork).
  An op at or below the mark is skipped.
- **In order**: a device's next op must be mark + 1; a gap stops that device at the gap (the
  ops after it wait for the missing one), and the report says which number is missing. In a
  bundle, numbers between ``from_seq`` and ``through_seq`` that it does not carry were
  compacted away on the device: not a gap.
- **Checked**: a payload not of its registered shape and version, a record kind no form
  declares, a finalized version whose recomputed content hash or photo manifest differs, a
  photo log that does not end as the device's did, a row the op needs that is not there —
  the op is refused (nothing of it written) and its device stops there.

Row times are the device's (the op's ``created_at`` and the payload's times), so a store that
applies a device's ops holds that device's records, versions, photo metadata, reviews, 必比
statuses and people as the device has them (tests/test_replay.py compares)."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from weicha_desktop.core import ops, people
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.forms import FormNotFound, FormRegistry
from weicha_desktop.core.labels import ROLES
from weicha_desktop.core.photos import edits_text, photo_log, set_positions
from weicha_desktop.core.record_service import RecordService
from weicha_desktop.core.records import RECORD_ROW, finalized_hash, insert_version, photo_manifest
from weicha_desktop.core.store import SYSTEM, Actor, Change, Store
from weicha_desktop.core.store.migrate_records import PHOTO_COLUMNS
from weicha_desktop.core.sync.envelope import envelope_digest, envelope_problem, is_count
from weicha_desktop.core.sync.queue import BUNDLE_FORMAT, BUNDLE_VERSION

UNUSABLE_PASSWORD = "!"  # no password hash: a person known from ops cannot log in here


class Refused(WeichaError):
    """An op this store will not apply (the reason in Chinese); its device stops there."""


@dataclass(frozen=True)
class Stop:
    """Where a device's ops stopped: ``kind`` gap | refused | fork."""
    device_id: str
    device_seq: int
    op_id: str | None
    kind: str
    reason: str


@dataclass
class ApplyReport:
    applied: list[str] = field(default_factory=list)   # op ids, in the order applied
    skipped: list[str] = field(default_factory=list)   # applied before (or at/below the mark)
    stops: list[Stop] = field(default_factory=list)
    marks: dict[str, int] = field(default_factory=dict)  # device → contiguous mark after

    @property
    def ok(self) -> bool:
        return not self.stops

    def message(self) -> str:
        text = f"应用同步操作 {len(self.applied)} 项，跳过已应用的 {len(self.skipped)} 项。"
        return " ".join([text, *(s.reason for s in self.stops)])


def apply_bundle(store: Store, bundle: Mapping[str, Any], forms: FormRegistry) -> ApplyReport:
    """Apply a bundle's ops; numbers of its range it does not carry count as compacted."""
    if not isinstance(bundle, Mapping) or bundle.get("format") != BUNDLE_FORMAT \
            or bundle.get("format_version") != BUNDLE_VERSION:
        raise WeichaError(f"这不是本程序认识的同步数据包（须为 {BUNDLE_FORMAT} 第 {BUNDLE_VERSION} 版）。")
    span = (bundle.get("from_seq"), bundle.get("through_seq"))
    if not all(is_count(n) for n in span) or span[0] > span[1] + 1:
        raise WeichaError("同步数据包的序号范围无效，未应用。")
    return apply_ops(store, bundle.get("ops") or [], forms, covered={bundle.get("device_id"): span})


def apply_ops(store: Store, envelopes: Iterable[Mapping[str, Any]], forms: FormRegistry, *,
              covered: Mapping[str, tuple[int, int]] | None = None) -> ApplyReport:
    """Apply ``envelopes`` (of one device or several) to ``store``; see the module's doc.
    ``covered``: device → (from_seq, through_seq) of a bundle (``apply_bundle``)."""
    envelopes = list(envelopes)
    for i, env in enumerate(envelopes, 1):
        problem = envelope_problem(env)
        if problem:
            raise WeichaError(f"第 {i} 项不是完整的同步操作（{problem}），未应用任何操作。")
    own = store.meta("device_id")
    by_device: dict[str, list[Mapping[str, Any]]] = {}
    for env in envelopes:
        by_device.setdefault(env["device_id"], []).append(env)
    for device in covered or {}:  # a range that carries no op (all compacted or rejected) still closes
        if device != own:
            by_device.setdefault(device, [])
    report = ApplyReport()
    applier = _Applier(store, forms)
    with store.batch():  # one commit; each op is still a change (a savepoint) of its own
        for device, envs in by_device.items():
            if device == own:
                report.stops.append(Stop(device, envs[0]["device_seq"], None, "refused",
                                         "这些同步操作是本机自己写的，不能再应用到本机。"))
                continue
            applier.device(device, sorted(envs, key=lambda e: e["device_seq"]),
                           (covered or {}).get(device), report)
    return report


def apply_late(store: Store, envelopes: Iterable[Mapping[str, Any]], forms: FormRegistry) -> ApplyReport:
    """Ops of other devices that come after this store's mark of their device passed them (the
    unit's records come once finalized, with the ops passed over while they were drafts:
    core/sync/review.py): each applied in ``device_seq`` order whatever the mark, unless applied
    already; the mark never moves back; a refusal stops that device's late ops."""
    report, applier, stopped = ApplyReport(), _Applier(store, forms), set()
    with store.batch():
        for env in sorted(envelopes, key=lambda e: (e["device_id"], e["device_seq"])):
            device, op_id = env["device_id"], env["op_id"]
            if device in stopped or device == store.meta("device_id"):
                continue
            if store.conn.execute("SELECT 1 FROM applied_ops WHERE op_id = ?", (op_id,)).fetchone():
                report.skipped.append(op_id)
                continue
            try:
                applier.apply_one(env, envelope_digest(env))
            except (Refused, FormNotFound, ops.UnknownName, ops.PayloadError, sqlite3.Error) as e:
                stopped.add(device)
                report.stops.append(Stop(device, env["device_seq"], op_id, "refused",
                                         f"设备 {device} 第 {env['device_seq']} 项同步操作（{env['op']}）"
                                         f"未能应用：{_reason(e)}"))
                continue
            report.applied.append(op_id)
    return report


class _Applier:
    def __init__(self, store: Store, forms: FormRegistry):
        self.store, self.forms = store, forms
        self.kinds = tuple(forms.kinds())  # the record kinds the forms declare
        self._services: dict[str, RecordService] = {}

    # ---- one device's ops, in order -------------------------------------------------------
    def device(self, device: str, envs: list[Mapping[str, Any]], span: tuple[int, int] | None,
               report: ApplyReport) -> None:
        conn = self.store.conn
        row = conn.execute("SELECT applied_through FROM devices WHERE id = ?", (device,)).fetchone()
        mark = row[0] if row else 0
        stop = None
        for env in envs:
            seq, op_id, digest = env["device_seq"], env["op_id"], envelope_digest(env)
            known = conn.execute("SELECT device_id, device_seq, sha256 FROM applied_ops WHERE op_id = ?",
                                 (op_id,)).fetchone()
            taken = conn.execute("SELECT op_id FROM applied_ops WHERE device_id = ? AND device_seq = ?",
                                 (device, seq)).fetchone()
            if known == (device, seq, digest):
                report.skipped.append(op_id)
                continue
            if known is not None or taken is not None:
                stop = Stop(device, seq, op_id, "fork",
                            f"设备 {device} 第 {seq} 项同步操作与已应用的不同（同一编号两种内容）："
                            "可能有两个数据文件夹以同一设备写入。未应用，请联系管理员。")
                break
            if seq <= mark:
                report.skipped.append(op_id)
                continue
            if seq != mark + 1 and not (span and span[0] <= mark + 1 and seq <= span[1]):
                stop = Stop(device, seq, op_id, "gap",
                            f"设备 {device} 的同步操作缺第 {mark + 1} 项（收到的下一项是第 {seq} 项），"
                            "之后的操作等它到达后再应用：请让该设备重新导出数据包。")
                break
            try:
                self.apply_one(env, digest)
            except (Refused, FormNotFound, ops.UnknownName, ops.PayloadError, sqlite3.Error) as e:
                stop = Stop(device, seq, op_id, "refused",
                            f"设备 {device} 第 {seq} 项同步操作（{env['op']}）未能应用：{_reason(e)}")
                break
            mark = seq
            report.applied.append(op_id)
        if stop is None and span and span[0] <= mark + 1 and mark < span[1]:
            mark = self._close_span(device, span)  # the rest of the range was compacted
        if stop is not None:
            report.stops.append(stop)
        report.marks[device] = mark

    def _close_span(self, device: str, span: tuple[int, int]) -> int:
        with self.store.change(SYSTEM) as ch:
            self._device_row(ch, device)
            ch.conn.execute("UPDATE devices SET applied_through = ? WHERE id = ?", (span[1], device))
            ch.log("sync.apply", "device", device,
                   f"设备 {device} 的同步操作已应用到第 {span[1]} 项（其余已在该设备上合并）",
                   {"device_id": device, "through": span[1], "from_seq": span[0]})
        return span[1]

    # ---- one op, one change ---------------------------------------------------------------
    def apply_one(self, env: Mapping[str, Any], digest: str) -> None:
        spec = ops.op(env["op"], env["entity_kind"], self.kinds)
        if spec.payload_version != env["payload_version"]:
            raise Refused(f"内容格式第 {env['payload_version']} 版本程序不认识（认识第 {spec.payload_version} 版）")
        spec.check(env["payload"])
        who = env["actor"]
        actor = Actor(who.get("id"), str(who.get("name") or "?"), str(who.get("role") or "technician"),
                      str(who.get("display_name") or ""))
        device, seq = env["device_id"], env["device_seq"]
        with self.store.change(actor) as ch:
            ch.log("sync.apply", "op", env["op_id"],
                   f"应用设备 {device} 第 {seq} 项同步操作（{env['op']}）",
                   {"device_id": device, "device_seq": seq, "op": env["op"],
                    "entity_kind": env["entity_kind"], "entity_id": env["entity_id"], "sha256": digest})
            self._device_row(ch, device)
            for person in _people_named(env):
                self._know(ch, person, device)
            ch.now = env["created_at"]  # the rows get the device's time (the entry has ours)
            if ops.is_record_op(env["op"], env["entity_kind"]) or env["op"] == "case.evidence":
                self._record(ch, env)
            elif env["op"] == "check.run":
                from weicha_desktop.core.checks.service import apply_check

                apply_check(ch, env)
            elif env["entity_kind"] == "link":  # 采集's links (core/collect/links.py)
                from weicha_desktop.core.collect.links import apply_op

                apply_op(ch, env)
            else:
                self._photo(ch, env)
            ch.conn.execute(
                "INSERT INTO applied_ops (op_id, device_id, device_seq, op, entity_kind, entity_id, "
                "sha256, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (env["op_id"], device, seq, env["op"], env["entity_kind"], env["entity_id"], digest,
                 self.store.clock.iso()))
            ch.conn.execute("UPDATE devices SET applied_through = max(applied_through, ?) WHERE id = ?",
                            (seq, device))  # an op applied late (core/sync/review.py) never moves it back

    @staticmethod
    def _device_row(ch: Change, device: str) -> None:
        ch.conn.execute("INSERT INTO devices (id, name, created_at, this_device) VALUES (?, '', ?, 0) "
                        "ON CONFLICT (id) DO NOTHING", (device, ch.now))

    @staticmethod
    def _know(ch: Change, person: Mapping[str, Any], device: str) -> None:
        """A person the ops name whom this store does not know: a user who cannot log in
        here (no password, inactive), with the 警号 unless a user here holds it already (the
        server merges by 警号: docs/identities.md); a login name in use gets the id's start."""
        uid = person.get("id")
        if not isinstance(uid, str) or not uid or \
                ch.conn.execute("SELECT 1 FROM users WHERE id = ?", (uid,)).fetchone():
            return
        name = str(person.get("name") or uid)
        if ch.conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            name = f"{name}@{uid[:8]}"
        role = person.get("role") if person.get("role") in ROLES else "technician"
        badge, unit = person.get("badge_no"), person.get("unit_code")
        if not (badge and unit) or ch.conn.execute(
                "SELECT 1 FROM users WHERE unit_code = ? AND badge_no = ?", (unit, badge)).fetchone():
            badge = unit = None
        display = str(person.get("display_name") or name)
        ch.conn.execute(
            "INSERT INTO users (id, name, display_name, role, password_hash, active, created_at, "
            "badge_no, unit_code) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
            (uid, name, display, role, UNUSABLE_PASSWORD, ch.now, badge, unit))
        ch.log("user.known", "user", uid,
               f"记下设备 {device} 的同步操作中的人员 {display}（警号 {badge or '未知'}），不能在本机登录",
               {"name": name, "role": role, "active": 0, "badge_no": badge, "unit_code": unit,
                "device_id": device, "state": ch.user_state(uid)})

    # ---- records ------------------------------------------------------------------------------
    def _record(self, ch: Change, env: Mapping[str, Any]) -> None:
        p, kind, rid = env["payload"], env["entity_kind"], env["entity_id"]
        verb = env["op"].partition(".")[2]
        if p.get(f"{kind}_id") != rid:
            raise Refused(f"内容中的记录编号与操作的对象（{rid}）不符")
        self._record_row(ch, kind, rid, p["record"], create=verb == "create")
        service = self._service(kind, ch.actor)
        if verb == "review":
            ch.conn.execute(
                "INSERT INTO reviews (id, record_id, version, decision, comment, reviewer_id, at, section) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (p["review_id"], rid, p["version"], p["decision"],
                                                    p["comment"], p["reviewer"]["id"], p["at"],
                                                    p.get("section")))
            service.project(ch, rid, self._form(p["record"]["form_id"], None), None)
            return
        spec = self._form(*p["form"])
        if verb in ("create", "amend"):
            insert_version(ch, record_id=rid, kind=kind, version=p["version"], form_id=spec.id,
                           form_version=spec.version, data=p["data"], amends_id=p.get("amends_id"),
                           amend_reason=p.get("amend_reason"), version_id=p["version_id"])
        else:
            self._draft_data(ch, rid, p, spec)
        if verb == "finalize":
            self._finalize(ch, rid, p)
        service.project(ch, rid, spec, p["data"])
        people.write_rows(ch.conn, rid, p["people"])  # as the device matched them

    @staticmethod
    def _record_row(ch: Change, kind: str, rid: str, row: Mapping[str, Any], *, create: bool) -> None:
        """The record's row as the op leaves it; a create for a record that is here, or any
        other op for one that is not (its create has not arrived), is refused."""
        have = ch.conn.execute("SELECT kind, created_by FROM records WHERE id = ?", (rid,)).fetchone()
        if create != (have is None):
            raise Refused(f"记录 {rid} 已经存在" if create else f"记录 {rid} 尚未建立（它的新建操作尚未到达）")
        if row["kind"] != kind or (have is not None and have != (kind, row["created_by"])):
            raise Refused(f"记录 {rid} 的类型或建立人与本地已有的不符")
        values = [row[k] for k in RECORD_ROW]
        updated = [k for k in RECORD_ROW if k not in ("kind", "created_at", "created_by")]
        ch.conn.execute(
            f"INSERT INTO records (id, {', '.join(RECORD_ROW)}) VALUES (?{', ?' * len(RECORD_ROW)}) "
            f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{k} = excluded.{k}' for k in updated)}",
            [rid, *values])

    @staticmethod
    def _draft_data(ch: Change, rid: str, p: Mapping[str, Any], spec) -> None:
        n = ch.conn.execute(
            "UPDATE record_versions SET data = ?, updated_at = ? WHERE id = ? AND record_id = ? "
            "AND version = ? AND form_id = ? AND form_version = ? AND finalized_at IS NULL",
            (json.dumps(p["data"], ensure_ascii=False, sort_keys=True), ch.now, p["version_id"], rid,
             p["version"], spec.id, spec.version)).rowcount
        if n != 1:
            raise Refused(f"没有可修改的第 {p['version']} 版草稿（{p['version_id']}）")

    @staticmethod
    def _finalize(ch: Change, rid: str, p: Mapping[str, Any]) -> None:
        if photo_manifest(ch.conn, rid) != p["manifest"]:
            raise Refused("本地的照片记录与定稿的照片清单不符")
        cur = ch.conn.execute("SELECT * FROM record_versions WHERE id = ?", (p["version_id"],))
        row = dict(zip([c[0] for c in cur.description], cur.fetchone()))
        manifest = json.dumps(p["manifest"], ensure_ascii=False, sort_keys=True)
        row.update(finalized_at=p["finalized_at"], finalized_by=p["finalized_by"], manifest=manifest)
        if (row["amends_id"], row["amend_reason"]) != (p.get("amends_id"), p.get("amend_reason")) \
                or finalized_hash(row) != p["content_hash"]:
            raise Refused("重算的内容哈希与定稿时的不符，内容可能在途中被改动")
        ch.conn.execute(
            "UPDATE record_versions SET finalized_at = ?, finalized_by = ?, content_hash = ?, "
            "manifest = ?, updated_at = ? WHERE id = ?",
            (p["finalized_at"], p["finalized_by"], p["content_hash"], manifest, ch.now, p["version_id"]))

    def _service(self, kind: str, actor: Actor) -> RecordService:
        """The kind's service, for its projection (CaseService keeps the case list)."""
        if kind not in self._services:
            from weicha_desktop.core.cases import CaseService

            cls = CaseService if kind == CaseService.kind else RecordService
            self._services[kind] = cls(self.store, self.forms, actor, kind=kind)
        return self._services[kind]

    def _form(self, form_id: str, version: int | None):
        return self.forms.latest(form_id) if version is None else self.forms.get(form_id, version)

    # ---- photos -------------------------------------------------------------------------------
    def _photo(self, ch: Change, env: Mapping[str, Any]) -> None:
        p, op = env["payload"], env["op"]
        pid = p.get("id")
        if op != "photo.reorder" and pid != env["entity_id"]:
            raise Refused(f"内容中的照片编号与操作的对象（{env['entity_id']}）不符")
        rid = p["record_id"]
        if op == "photo.add":
            row = {k: p.get(k) for k in PHOTO_COLUMNS}
            row.update(edits=edits_text(p.get("edits")), imported_at=p.get("imported_at") or ch.now,
                       imported_by=p.get("imported_by") or ch.actor.id)
            ch.conn.execute(f"INSERT INTO photos ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                            list(row.values()))
            return
        if op == "photo.update":
            changed = ch.conn.execute(
                "UPDATE photos SET photo_class = ?, caption = ?, photographer = ?, evidence_number = ? "
                "WHERE id = ? AND record_id = ? AND removed_at IS NULL",
                (p["photo_class"], p["caption"], p["photographer"], p["evidence_number"], pid, rid)).rowcount
        elif op == "photo.remove":
            changed = ch.conn.execute("UPDATE photos SET removed_at = ? WHERE id = ? AND record_id = ? "
                                      "AND removed_at IS NULL", (p["removed_at"], pid, rid)).rowcount
        elif op == "photo.restore":
            changed = ch.conn.execute("UPDATE photos SET removed_at = NULL, position = ? WHERE id = ? "
                                      "AND record_id = ? AND removed_at IS NOT NULL",
                                      (p["position"], pid, rid)).rowcount
        else:
            changed = 1
        if changed != 1:
            raise Refused(f"没有这张照片，或它的状态与操作不符（{pid or rid}）")
        if "photos" in p:
            set_positions(ch.conn, rid, p["photos"])
            if photo_log(ch.conn, rid) != p["photos"]:
                raise Refused("照片顺序与设备上的不一致（本地缺少或多出照片）")


know_person = _Applier._know  # a person named by another device's op (core/sync/review.py)


def _people_named(env: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every person the envelope names: its actor, a review's reviewer, the record's people."""
    p = env["payload"]
    found = [env["actor"], p.get("reviewer")]
    found += [row.get("user") for row in p.get("people") or [] if isinstance(row, Mapping)]
    return [x for x in found if isinstance(x, Mapping)]


def _reason(e: Exception) -> str:
    if isinstance(e, sqlite3.IntegrityError):
        return f"与本地数据冲突或所需的记录尚未到达（{e}）"
    if isinstance(e, sqlite3.Error):
        return f"数据库拒绝（{e}）"
    if isinstance(e, FormNotFound):
        return f"本机没有该表单版本（{e}）"
    return str(e)
