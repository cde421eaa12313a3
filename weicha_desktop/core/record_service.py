"""The life cycle of a captured record of any kind, on which each kind's service builds.

    draft ──finalize──► finalized ──approve──► reviewed
      ▲                    │   │
      └──── return ────────┘   └── amend (reason) ──► new draft version
            (supervisor, comment)                      (also from reviewed)

Every transition is one change: the version row, the ``records`` row (and the kind's own
projection, ``_project``), the audit entry and the outbox operation commit together.
Finalized versions are never edited; returning or amending copies the data into version + 1
linked to the one it amends. Editing in a form is a *session*: unsaved edits go to the
recovery journal (``autosave``, core/drafts.py) and are committed once (``commit_session``).

A kind is what its form declares (core/forms: ``record_kind``, ``number_prefix``,
``number_field``, and ``number_prefix`` on repeat groups whose rows get numbers). Names
follow the kind: audit actions ``<kind>.create|update|finalize|approve|return|amend`` on
object kind ``<kind>``, outbox ops ``<kind>.create|draft|finalize|amend|review`` whose payload
names the record as ``<kind>_id``. A kind's service sets ``kind`` and the word its messages
use (``noun``; default: the form's title), and may keep a projection for its list
(``_project``, as CaseService keeps ``cases``)."""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from weicha_desktop.core import drafts, duties, numbering, people, prefill
from weicha_desktop.core.errors import (FinalizeBlocked, InvalidState, NotFound, PermissionDenied,
                                        Problem, ValidationFailed, WeichaError)
from weicha_desktop.core.forms import (FormRegistry, FormSpec, check_notices, check_rules, default_values,
                                       validate)
from weicha_desktop.core.forms.identity import follow_id_numbers
from weicha_desktop.core.ids import new_id
from weicha_desktop.core.labels import ROLES, status_label
from weicha_desktop.core.messages import Msg, Texts, noun_texts
from weicha_desktop.core.records import (Record, finalized_hash, insert_version, photo_manifest,
                                         read_record, record_state)
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.core.sync import is_copy


RETURN_REASON = "审核退回："  # a returned version's amend_reason: this, then the reviewer's comment


class RecordService:
    """Records of one ``kind`` for one logged-in ``actor``."""

    kind: str = ""
    noun: str = ""  # the word for one record in messages (勘验); default: the form's title

    def __init__(self, store: Store, forms: FormRegistry, actor: Actor, kind: str | None = None):
        self.store = store
        self.forms = forms
        self.actor = actor
        self.kind = kind or self.kind
        self.form_id = forms.form_for(self.kind)
        self.noun = self.noun or forms.latest(self.form_id).title.zh
        self._editor = duties.EditCheck(store, forms, actor, noun=self.noun)

    # ---- reading ---------------------------------------------------------------------------
    def resolve(self, number_or_id: str) -> str:
        row = self.store.conn.execute(
            "SELECT id FROM records WHERE kind = ? AND (id = ? OR number = ?)",
            (self.kind, number_or_id, number_or_id)).fetchone()
        if not row:
            raise NotFound(Msg("record.not_found", noun=noun_texts(self.noun), key=number_or_id))
        return row[0]

    def get(self, number_or_id: str, version: int | None = None) -> Record:
        # an id of this kind's record (what every save passes) is read at once; a number, an
        # id of another kind or an unknown key is resolved first, as it always was
        record = read_record(self.store.conn, number_or_id, version)
        if record is None or record.kind != self.kind:
            record = read_record(self.store.conn, self.resolve(number_or_id), version)
        if record is None:
            raise NotFound(Msg("record.no_version", noun=noun_texts(self.noun), key=number_or_id,
                               version=version))
        return record

    def label(self, record: Record) -> str:
        """How messages and the work log name the record: its number; a record of a kind
        without numbers by its id's start (a kind's service may say more: core/collect)."""
        return record.number or record.id[:8]

    def spec_for(self, record: Record) -> FormSpec:
        """The form version the record was captured with (older versions stay readable)."""
        return self.forms.get(record.form_id, record.form_version)

    def history(self, number_or_id: str) -> list[dict[str, Any]]:
        record_id = self.resolve(number_or_id)
        cur = self.store.conn.execute(
            "SELECT id, version, created_at, created_by, amends_id, amend_reason, finalized_at, "
            "content_hash FROM record_versions WHERE record_id = ? ORDER BY version", (record_id,))
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row)) for row in cur]

    def blockers(self, number_or_id: str) -> list[Problem]:
        """Everything that blocks finalizing, in Chinese: required fields and the form's rules."""
        record = self.get(number_or_id)
        return self.check_data(record, record.data, complete=True)

    def check_data(self, record: Record, data: dict[str, Any], *, complete: bool) -> list[Problem]:
        """Problems of ``data`` (e.g. what a form shows) as if it were ``record``'s: wrong
        formats; with ``complete`` also the blockers (required fields, rules, photos that
        have no class: a finalized report never prints 〔未分类〕)."""
        spec = self.spec_for(record)
        problems = validate(spec, data, complete=complete, clock=self.store.clock)
        if not complete:
            return problems
        return problems + check_rules(spec, data, self._facts(record)) + self._unclassified(spec, record)

    def notices(self, record: Record, data: dict[str, Any] | None = None) -> list[Problem]:
        """The form's notices (提示, rules of ``level: notice``) for ``data`` (by default the
        record's): worth a look, never blocking — not in ``blockers`` nor ``check_data``."""
        return check_notices(self.spec_for(record), record.data if data is None else data,
                             self._facts(record))

    def _unclassified(self, spec: FormSpec, record: Record) -> list[Problem]:
        """One blocker naming the photos of the record's log that have no class yet, where
        the form classifies its photos (its rules ask for classes: the scene form's 方位…)."""
        if not any("has_photo_class" in rule.require for rule in spec.rules):
            return []
        numbers = [str(r[0]) for r in self.store.conn.execute(
            "SELECT position FROM photos WHERE record_id = ? AND removed_at IS NULL "
            "AND (photo_class IS NULL OR photo_class = '') ORDER BY position", (record.id,))]
        if not numbers:
            return []
        return [Problem("", Msg("photos.unclassified", numbers=Texts("、".join(numbers), ", ".join(numbers))),
                        "photo_class")]

    def _facts(self, record: Record) -> dict[str, Any]:
        """What the rules know beyond the record: its photo log (classes present)."""
        rows = self.store.conn.execute(
            "SELECT photo_class FROM photos WHERE record_id = ? AND removed_at IS NULL",
            (record.id,)).fetchall()
        return {"photo_count": len(rows),
                "photo_classes": sorted({r[0] for r in rows if r[0]})}

    # ---- changing --------------------------------------------------------------------------
    def create(self, values: dict[str, Any] | None = None) -> Record:
        """A new record (draft version 1) of the latest form of the kind, numbered if the
        form says so, with ``values`` merged into the form's defaults and prefills (a value
        None leaves that field empty)."""
        self._require_role(*ROLES)
        self.store.require_initialized()
        spec = self.forms.latest(self.form_id)
        record_id, version_id = new_id(), new_id()
        data = default_values(spec)  # then what is known (the user, the unit, now: prefill.py)
        data.update(prefill.record_values(spec, prefill.context(self.store, self.actor)))
        data = drafts.apply(data, self._checked_input(spec, values or {}))  # None: left empty
        with self.store.change(self.actor) as ch:
            number = numbering.allocate(ch, spec.number_prefix, record_id, forms=self.forms, spec=spec) \
                if spec.number_prefix else None
            if number and spec.number_field:
                data[spec.number_field] = number
            self._number_rows(ch, spec, record_id, {}, data)
            self._raise_problems(validate(spec, data, complete=False, clock=self.store.clock))
            ch.insert("records", dict(
                id=record_id, kind=self.kind, number=number, status="draft", current_version=1,
                form_id=spec.id, created_at=ch.now, created_by=self.actor.id, updated_at=ch.now))
            text = insert_version(ch, record_id=record_id, kind=self.kind, version=1, form_id=spec.id,
                                  form_version=spec.version, data=data, version_id=version_id)
            self._project(ch, record_id, spec, data)
            ch.log(f"{self.kind}.create", self.kind, record_id, f"新建{self.noun} {number or ''}".rstrip(),
                   {"number": number, "version": 1, "form": [spec.id, spec.version]})
            self._enqueue(ch, record_id, "create", number, 1, version_id, spec, data)
        # the record as the change wrote it, not read again (what ``get`` returns: as _update)
        return Record(id=record_id, kind=self.kind, number=number, status="draft", version=1,
                      version_id=version_id, form_id=spec.id, form_version=spec.version,
                      data=json.loads(text), created_at=ch.now, updated_at=ch.now, finalized_at=None,
                      content_hash=None, amends_id=None, amend_reason=None, returned_comment=None)

    def update(self, number_or_id: str, values: dict[str, Any]) -> Record:
        """Merge ``values`` into the current draft (a key set to None is cleared). Values are
        validated as a draft: wrong formats are refused, missing required fields are not."""
        return self._update(self.get(number_or_id), values, session=False)

    # ---- editing sessions (docs/autosave.md) -----------------------------------------------
    def autosave(self, number_or_id: str, values: dict[str, Any]) -> str:
        """Journal the form's unsaved edits (no audit, outbox or validation); returns when."""
        record = self.get(number_or_id)
        self._require_draft(record)
        self._require_editor(record, "修改")
        return drafts.save(self.store, record.id, record.version, self.actor, values)

    def recovered(self, number_or_id: str) -> drafts.Recovery | None:
        """Unsaved edits of this draft left in the journal (after a crash), if any."""
        record = self.get(number_or_id)
        found = drafts.load(self.store.conn, record.id)
        current = found and found.version == record.version and record.status == "draft"
        return found if current and not record.locked else None

    def discard_recovery(self, number_or_id: str) -> None:
        """Forget the journalled edits (the user chose 放弃恢复); the record is untouched."""
        record = self.get(number_or_id)
        self._require_editor(record, "放弃恢复")
        drafts.delete(self.store.conn, record.id)

    def commit_session(self, number_or_id: str) -> Record:
        """End the editing session: the journalled edits go into the record as ONE change
        (one audit entry, one draft operation) that also deletes the journal row. Invalid
        values raise ValidationFailed and stay in the journal: nothing is lost."""
        record = self.get(number_or_id)
        found = drafts.load(self.store.conn, record.id)
        return self._update(record, found.values, session=True) if found else record

    def _update(self, record: Record, values: dict[str, Any], *, session: bool,
                op: str = "draft", event: dict[str, Any] | None = None) -> Record:
        """Write the draft; ``op``: the outbox op's verb (``evidence``: a 必比 status change,
        cases.py), ``event``: what its audit entry and op add (``summary``, ``details``,
        ``payload``)."""
        self._require_draft(record)
        self._require_editor(record, "修改")
        spec = self.spec_for(record)
        values = self._checked_input(spec, values)
        data = drafts.apply(record.data, values)
        changed = sorted(k for k in values if record.data.get(k) != data.get(k))
        if not changed:
            if session:
                drafts.delete(self.store.conn, record.id)  # edits undone: nothing to record
            return record
        with self.store.change(self.actor) as ch:
            if session:
                drafts.delete(ch.conn, record.id)
            self._number_rows(ch, spec, record.id, record.data, data)
            self._raise_problems(validate(spec, data, complete=False, clock=self.store.clock))
            text = json.dumps(data, ensure_ascii=False, sort_keys=True)
            ch.conn.execute(
                "UPDATE record_versions SET data = ?, updated_at = ? WHERE id = ? AND finalized_at IS NULL",
                (text, ch.now, record.version_id))
            self._touch(ch, record.id)
            self._project(ch, record.id, spec, data)
            event = event or {}
            labels = "、".join(_label(spec, k) for k in changed)
            ch.log(f"{self.kind}.update", self.kind, record.id,
                   event.get("summary") or f"修改{self.noun} {self.label(record)}：{labels}",
                   {"version": record.version, "fields": changed, **event.get("details", {})})
            self._enqueue(ch, record.id, op, record.number, record.version, record.version_id,
                          spec, data, **event.get("payload", {}))
        # the record as the change left it, without reading it again (what ``get`` would
        # return: this version's data as written — parsed from the text, so it shares nothing
        # with the caller's values — and its time; status, number and links are unchanged)
        return replace(record, data=json.loads(text), updated_at=ch.now)

    def finalize(self, number_or_id: str) -> Record:
        record = self.get(number_or_id)
        self._require_draft(record)
        self._require_editor(record, "定稿")
        if drafts.load(self.store.conn, record.id):
            raise InvalidState(Msg("record.journal_pending", noun=noun_texts(self.noun),
                                   number=self.label(record)))
        problems = self.blockers(record.id)
        if problems:
            raise FinalizeBlocked(problems)
        spec = self.spec_for(record)
        with self.store.change(self.actor) as ch:
            cur = ch.conn.execute("SELECT * FROM record_versions WHERE id = ?", (record.version_id,))
            row = dict(zip([c[0] for c in cur.description], cur.fetchone()))
            manifest = json.dumps(photo_manifest(ch.conn, record.id), ensure_ascii=False,
                                  sort_keys=True)
            row.update(finalized_at=ch.now, finalized_by=self.actor.id, manifest=manifest)
            digest = finalized_hash(row)
            ch.conn.execute(
                "UPDATE record_versions SET finalized_at = ?, finalized_by = ?, content_hash = ?, "
                "manifest = ?, updated_at = ? WHERE id = ?",
                (ch.now, self.actor.id, digest, manifest, ch.now, record.version_id))
            self._touch(ch, record.id, status="finalized", returned_comment=None)
            self._project(ch, record.id, spec, None)
            ch.log(f"{self.kind}.finalize", self.kind, record.id,
                   f"定稿{self.noun} {self.label(record)} 第 {record.version} 版",
                   {"version": record.version, "version_id": record.version_id, "content_hash": digest})
            # everything the content hash covers, so the receiver can check it
            self._enqueue(ch, record.id, "finalize", record.number, record.version,
                          record.version_id, spec, record.data, kind=self.kind,
                          amends_id=record.amends_id, amend_reason=record.amend_reason,
                          manifest=json.loads(manifest), finalized_at=ch.now,
                          finalized_by=self.actor.id, content_hash=digest)
        return self.get(record.id)

    def review(self, number_or_id: str, *, approve: bool, comment: str = "",
               section: str | None = None) -> Record:
        """A supervisor approves a finalized record, or returns it for correction with a
        comment (a new draft version) and, if it is about one, the id of the form section the
        comment is about (``section``: the returned draft opens there, ``returned_section``).
        Nobody reviews what they took part in (duties.py)."""
        record = self.get(number_or_id)
        if record.status != "finalized":
            status = (status_label(record.status, bool(record.returned_comment), lang) for lang in ("zh", "en"))
            raise InvalidState(Msg("record.review_status", noun=noun_texts(self.noun), number=self.label(record),
                                   status=Texts(*status)))
        # checked here itself, not through review_refusal (what a view asks before a click)
        refusal = duties.review_refusal(self.store, self.forms, record.id, self.label(record),
                                        self.actor, noun=self.noun)
        if refusal:
            raise duties.refuse(self.store, self.actor, self.kind, record.id,
                                f"{'审核通过' if approve else '退回'}{self.noun} {self.label(record)}", refusal)
        comment = (comment or "").strip()
        if not approve and not comment:
            raise WeichaError(Msg("record.return_comment"))
        section = self._review_section(record, approve, section)
        decision, review_id = ("approved" if approve else "returned"), new_id()
        with self.store.change(self.actor) as ch:
            ch.insert("reviews", {
                "id": review_id, "record_id": record.id, "version": record.version,
                "decision": decision, "comment": comment, "reviewer_id": self.actor.id, "at": ch.now,
                "section": section})
            if approve:
                self._touch(ch, record.id, status="reviewed")
                self._project(ch, record.id, self.spec_for(record), None)
                ch.log(f"{self.kind}.approve", self.kind, record.id,
                       f"审核通过{self.noun} {self.label(record)} 第 {record.version} 版",
                       {"version": record.version, "comment": comment})
            elif is_copy(ch.conn, record.id):  # another device's record: its owner opens the new version
                self._touch(ch, record.id, status="draft", returned_comment=comment)
                self._project(ch, record.id, self.spec_for(record), None)
                ch.log(f"{self.kind}.return", self.kind, record.id,
                       f"退回补正{self.noun} {self.label(record)}（副本：由录入它的设备补正）：{comment}",
                       {"version": record.version, "comment": comment, "section": section, "copy": True})
            else:
                self._new_version(ch, record, f"{RETURN_REASON}{comment}", returned_comment=comment)
                ch.log(f"{self.kind}.return", self.kind, record.id,
                       f"退回补正{self.noun} {self.label(record)}：{comment}",
                       {"version": record.version, "new_version": record.version + 1, "comment": comment,
                        "section": section})
            ch.enqueue(self.kind, record.id, f"{self.kind}.review", {  # the review row, whole
                self.id_key: record.id, "number": record.number, "version": record.version,
                "review_id": review_id, "decision": decision, "comment": comment,
                "reviewer": ch.person(), "at": ch.now, "record": record_state(ch.conn, record.id),
                **({"section": section} if section else {})})
        return self.get(record.id)

    def _review_section(self, record: Record, approve: bool, section: str | None) -> str | None:
        """The section a return's comment is about: one of the record's form sections."""
        section = (section or "").strip() or None
        if section is None:
            return None
        if approve:
            raise WeichaError("审核通过不指明栏目：栏目只用于退回补正的意见。")
        spec = self.spec_for(record)
        if section not in {s.id for s in spec.sections}:
            raise WeichaError(f"{spec.title.zh}没有“{section}”这个栏目；可选："
                              f"{'、'.join(f'{s.id}（{s.title.zh}）' for s in spec.sections)}。")
        return section

    def returned_section(self, record: Record) -> str | None:
        """The id of the section the return comment of this draft is about (the reviewer
        chose it), or None: not a returned draft, or a comment about the whole record."""
        if not record.returned_comment:
            return None
        row = self.store.conn.execute(
            "SELECT section FROM reviews WHERE record_id = ? AND version = ? AND decision = 'returned' "
            "ORDER BY at DESC LIMIT 1", (record.id, record.version - 1)).fetchone()
        return row[0] if row else None

    def amend(self, number_or_id: str, reason: str) -> Record:
        """补正: open a new draft version of a finalized or reviewed record, with a reason."""
        record = self.get(number_or_id)
        if not record.locked:
            raise InvalidState(Msg("record.not_locked", noun=noun_texts(self.noun), number=self.label(record)))
        self._require_editor(record, "补正")
        reason = (reason or "").strip()
        if not reason:
            raise WeichaError(Msg("record.amend_reason"))
        with self.store.change(self.actor) as ch:
            self._new_version(ch, record, reason)
            ch.log(f"{self.kind}.amend", self.kind, record.id, f"补正{self.noun} {self.label(record)}：{reason}",
                   {"version": record.version, "new_version": record.version + 1, "reason": reason})
        return self.get(record.id)

    # ---- who may ---------------------------------------------------------------------------
    def edit_refusal(self, record: Record) -> str | None:
        """Why this user may not change ``record`` (a draft) or amend it, or None (the form
        shows it read-only with the reason)."""
        return self._editor.refusal(record.id, self.label(record))

    def review_refusal(self, record: Record) -> str | None:
        """Why this user may not review ``record`` (not a reviewer, or took part), or None."""
        return duties.review_refusal(self.store, self.forms, record.id, self.label(record), self.actor,
                                     noun=self.noun)

    # ---- helpers ---------------------------------------------------------------------------
    @property
    def id_key(self) -> str:
        """The payload key naming the record in this kind's outbox ops (``case_id``)."""
        return f"{self.kind}_id"

    def project(self, ch, record_id: str, spec: FormSpec, data: dict[str, Any] | None) -> None:
        """``_project`` for a change made elsewhere: ops of another device applied here
        (core/sync/apply.py) keep the kind's list as the device's own changes do."""
        self._project(ch, record_id, spec, data)

    def _project(self, ch, record_id: str, spec: FormSpec, data: dict[str, Any] | None) -> None:
        """Keep the kind's own projection (its list) in step, in the same change: after a
        create or update with the record's ``data``, after a status change with None."""

    @staticmethod
    def _touch(ch, record_id: str, **columns: Any) -> None:
        """Set ``columns`` of the ``records`` row (and ``updated_at``)."""
        sets = "".join(f"{k} = ?, " for k in columns)
        ch.conn.execute(f"UPDATE records SET {sets}updated_at = ? WHERE id = ?",
                        [*columns.values(), ch.now, record_id])

    def _new_version(self, ch, record: Record, reason: str, returned_comment: str | None = None):
        spec = self.spec_for(record)
        version_id = new_id()
        insert_version(ch, record_id=record.id, kind=self.kind, version=record.version + 1,
                       form_id=record.form_id, form_version=record.form_version, data=record.data,
                       amends_id=record.version_id, amend_reason=reason, version_id=version_id)
        self._touch(ch, record.id, status="draft", current_version=record.version + 1,
                    returned_comment=returned_comment)
        self._project(ch, record.id, spec, None)
        self._enqueue(ch, record.id, "amend", record.number, record.version + 1, version_id, spec,
                      record.data, amends_id=record.version_id, amend_reason=reason)

    def _enqueue(self, ch, record_id, op, number, version, version_id, spec, data, **extra):
        """The op of a change to the record: the version's whole state, the record's row and
        its people as the change leaves them (call after writing them)."""
        ch.enqueue(self.kind, record_id, f"{self.kind}.{op}", {
            self.id_key: record_id, "number": number, "version": version,
            "version_id": version_id, "form": [spec.id, spec.version], "data": data,
            "record": record_state(ch.conn, record_id), "people": people.rows(ch.conn, record_id),
            **extra})

    def _checked_input(self, spec: FormSpec, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` to write, with each person's 性别 / 出生日期 as a valid 身份证号 says
        (core/forms/identity.py: filled, never typed)."""
        if not isinstance(values, dict):
            raise WeichaError("字段值须为 JSON 对象（字段名 → 值）。")
        fixed = [f.id for f in spec.all_fields() if f.readonly and f.id in values]
        if fixed:
            raise ValidationFailed([Problem(k, Msg("record.readonly"), "readonly") for k in fixed])
        return follow_id_numbers(spec, values, self.store.clock.now().date())

    def _number_rows(self, ch, spec: FormSpec, record_id: str, old: dict[str, Any],
                     new: dict[str, Any]) -> None:
        """Give every new row of a numbered group (the form's ``number_prefix`` on a repeat
        group: 痕迹物证 → H…) its number, in this change. A row keeps the number it has; a
        number the system did not issue to this record is refused."""
        for group, prefix in spec.numbered_rows.items():
            rows = new.get(group)
            if not isinstance(rows, list):
                continue
            rows = new[group] = list(rows)  # never write numbers into the caller's list
            known = {r.get("number") for r in old.get(group) or [] if isinstance(r, dict)}
            problems, seen = [], set()
            for i, row in enumerate(rows):
                if not isinstance(row, dict):
                    continue
                if row.get("number") in (None, ""):
                    rows[i] = {**row, "number": numbering.allocate(ch, prefix, record_id, forms=self.forms, spec=spec)}
                elif row["number"] not in known:
                    problems.append(Problem(f"{group}[{i}].number", Msg("record.number_issued"), "readonly"))
                elif row["number"] in seen:
                    problems.append(Problem(f"{group}[{i}].number",
                                            Msg("record.number_twice", number=row["number"]), "readonly"))
                seen.add(rows[i]["number"])
            self._raise_problems(problems)

    @staticmethod
    def _raise_problems(problems: list[Problem]) -> None:
        if problems:
            raise ValidationFailed(problems)

    def _require_draft(self, record: Record) -> None:
        if record.locked or record.status != "draft":
            raise InvalidState(Msg("record.locked", noun=noun_texts(self.noun), number=self.label(record),
                                   version=record.version))

    def _require_editor(self, record: Record, attempt: str) -> None:
        refusal = self.edit_refusal(record)
        if refusal:
            raise duties.refuse(self.store, self.actor, self.kind, record.id,
                                f"{attempt}{self.noun} {self.label(record)}", refusal)

    def _require_role(self, *roles: str, action: str = "此操作") -> None:
        if self.actor.role not in roles:
            raise PermissionDenied(f"当前用户（{self.actor.name}）无权{action}。")


def _label(spec: FormSpec, field_id: str) -> str:
    try:
        return spec.field(field_id).label.zh
    except (KeyError, LookupError, AttributeError):
        return field_id
