"""Scene cases (现场勘验) and their life cycle.

    draft ──finalize──► finalized ──approve──► reviewed
      ▲                    │   │
      └──── return ────────┘   └── amend (reason) ──► new draft version
            (supervisor, comment)                      (also from reviewed)

Every transition is one change: the version row, the ``cases`` list row, the audit entry and
the outbox operation commit together. Finalized versions are never edited; returning or
amending copies the data into version + 1 linked to the one it amends.

Editing in the form is a *session*: unsaved edits go to the recovery journal (``autosave``,
core/drafts.py, no audit, no outbox) and are committed once (``commit_session``)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from weicha_desktop.core import drafts, duties, numbering
from weicha_desktop.core.case_query import DEFAULT_SORT, CaseFilters, CaseQuery
from weicha_desktop.core.errors import (FinalizeBlocked, InvalidState, NotFound, PermissionDenied,
                                        Problem, ValidationFailed, WeichaError)
from weicha_desktop.core.forms import FormRegistry, FormSpec, check_rules, default_values, validate
from weicha_desktop.core.ids import new_id
from weicha_desktop.core.records import finalized_hash, insert_version, photo_manifest
from weicha_desktop.core.store import Actor, Store

FORM_ID = "scene_investigation"
STATUS_LABELS = {"draft": "草稿", "finalized": "已定稿", "reviewed": "已审核"}
RETURNED_LABEL = "退回补正"
NUMBERED_ROWS = {"evidence": "H"}  # repeat groups whose rows get an official number


@dataclass(frozen=True)
class CaseRecord:
    id: str
    number: str
    status: str
    version: int
    version_id: str
    form_id: str
    form_version: int
    data: dict[str, Any]
    created_at: str
    updated_at: str
    finalized_at: str | None
    content_hash: str | None
    amends_id: str | None
    amend_reason: str | None
    returned_comment: str | None

    @property
    def locked(self) -> bool:
        return self.finalized_at is not None

    @property
    def status_label(self) -> str:
        if self.status == "draft" and self.returned_comment:
            return RETURNED_LABEL
        return STATUS_LABELS[self.status]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "number": self.number, "status": self.status,
            "status_label": self.status_label, "version": self.version,
            "form": {"id": self.form_id, "version": self.form_version},
            "data": self.data, "created_at": self.created_at, "updated_at": self.updated_at,
            "finalized_at": self.finalized_at, "content_hash": self.content_hash,
            "amends_id": self.amends_id, "amend_reason": self.amend_reason,
            "returned_comment": self.returned_comment,
        }


class CaseService:
    """Case operations for one logged-in ``actor``."""

    def __init__(self, store: Store, forms: FormRegistry, actor: Actor):
        self.store = store
        self.forms = forms
        self.actor = actor
        self._editor = duties.EditCheck(store, forms, actor)

    # ---- reading ---------------------------------------------------------------------------
    def resolve(self, number_or_id: str) -> str:
        row = self.store.conn.execute(
            "SELECT id FROM cases WHERE id = ? OR number = ?", (number_or_id, number_or_id)).fetchone()
        if not row:
            raise NotFound(f"找不到勘验“{number_or_id}”。")
        return row[0]

    def get(self, number_or_id: str, version: int | None = None) -> CaseRecord:
        case_id = self.resolve(number_or_id)
        rows = list(self.store.db.query(
            "SELECT c.number, c.status, c.current_version, c.returned_comment, v.* "
            "FROM cases c JOIN record_versions v ON v.record_id = c.id "
            "WHERE c.id = ? AND v.version = COALESCE(?, c.current_version)", [case_id, version]))
        if not rows:
            raise NotFound(f"勘验“{number_or_id}”没有第 {version} 版。")
        r = rows[0]
        current = r["version"] == r["current_version"]
        return CaseRecord(
            id=case_id, number=r["number"],
            status=r["status"] if current else ("finalized" if r["finalized_at"] else "draft"),
            version=r["version"], version_id=r["id"], form_id=r["form_id"],
            form_version=r["form_version"], data=json.loads(r["data"]),
            created_at=r["created_at"], updated_at=r["updated_at"],
            finalized_at=r["finalized_at"], content_hash=r["content_hash"],
            amends_id=r["amends_id"], amend_reason=r["amend_reason"],
            returned_comment=r["returned_comment"] if current else None)

    def spec_for(self, case: CaseRecord) -> FormSpec:
        """The form version the case was captured with (older versions stay readable)."""
        return self.forms.get(case.form_id, case.form_version)

    def list(self, *, status: str | None = None, text: str | None = None,
             limit: int = 200) -> list[dict[str, Any]]:
        """The first ``limit`` cases in list order (returned first, then latest change); the
        GUI pages through CaseQuery itself. ``status`` "draft" excludes returned drafts."""
        rows, _ = CaseQuery(self.store).page(CaseFilters(status=status, text=text or None),
                                             DEFAULT_SORT, limit=limit)
        return [r._asdict() for r in rows]

    def history(self, number_or_id: str) -> list[dict[str, Any]]:
        case_id = self.resolve(number_or_id)
        return list(self.store.db.query(
            "SELECT id, version, created_at, created_by, amends_id, amend_reason, finalized_at, "
            "content_hash FROM record_versions WHERE record_id = ? ORDER BY version", [case_id]))

    def blockers(self, number_or_id: str) -> list[Problem]:
        """Everything that blocks finalizing, in Chinese: required fields and 一长四必 rules."""
        case = self.get(number_or_id)
        return self.check_data(case, case.data, complete=True)

    def check_data(self, case: CaseRecord, data: dict[str, Any], *, complete: bool) -> list[Problem]:
        """Problems of ``data`` (e.g. what a form shows) as if it were ``case``'s record: wrong
        formats; with ``complete`` also the blockers (required fields, 一长四必 rules)."""
        spec = self.spec_for(case)
        problems = validate(spec, data, complete=complete)
        return problems + (check_rules(spec, data, self._facts(case)) if complete else [])

    def _facts(self, case: CaseRecord) -> dict[str, Any]:
        """What the rules know beyond the record: the photo log (classes present)."""
        rows = self.store.conn.execute(
            "SELECT photo_class FROM photos WHERE case_id = ? AND removed_at IS NULL",
            (case.id,)).fetchall()
        return {"photo_count": len(rows),
                "photo_classes": sorted({r[0] for r in rows if r[0]})}

    # ---- changing --------------------------------------------------------------------------
    def new_case(self, values: dict[str, Any] | None = None) -> CaseRecord:
        self._require_role("technician", "supervisor", "admin")
        self.store.require_initialized()
        spec = self.forms.latest(FORM_ID)
        case_id, version_id = new_id(), new_id()
        data = default_values(spec)
        data.update(self._checked_input(spec, values or {}))
        with self.store.change(self.actor) as ch:
            number = numbering.allocate(ch, "K", case_id)
            data["case_number"] = number
            self._number_rows(ch, case_id, {}, data)
            self._raise_problems(validate(spec, data, complete=False))
            insert_version(ch, record_id=case_id, kind="case", version=1, form_id=spec.id,
                           form_version=spec.version, data=data, version_id=version_id)
            ch.db["cases"].insert(dict(
                id=case_id, number=number, status="draft", current_version=1,
                created_at=ch.now, created_by=self.actor.id, updated_at=ch.now,
                **self._projection(spec, data)))
            ch.log("case.create", "case", case_id, f"新建勘验 {number}",
                   {"number": number, "version": 1, "form": [spec.id, spec.version]})
            self._enqueue(ch, case_id, "case.create", number, 1, version_id, spec, data)
        return self.get(case_id)

    def update(self, number_or_id: str, values: dict[str, Any]) -> CaseRecord:
        """Merge ``values`` into the current draft (a key set to None is cleared). Values are
        validated as a draft: wrong formats are refused, missing required fields are not."""
        return self._update(self.get(number_or_id), values, session=False)

    # ---- editing sessions (docs/autosave.md) -----------------------------------------------
    def autosave(self, number_or_id: str, values: dict[str, Any]) -> str:
        """Journal the form's unsaved edits (no audit, outbox or validation); returns when."""
        case = self.get(number_or_id)
        self._require_draft(case)
        self._require_editor(case, "修改")
        return drafts.save(self.store, case.id, case.version, self.actor, values)

    def recovered(self, number_or_id: str) -> drafts.Recovery | None:
        """Unsaved edits of this draft left in the journal (after a crash), if any."""
        case = self.get(number_or_id)
        found = drafts.load(self.store.conn, case.id)
        current = found and found.version == case.version and case.status == "draft"
        return found if current and not case.locked else None

    def discard_recovery(self, number_or_id: str) -> None:
        """Forget the journalled edits (the user chose 放弃恢复); the record is untouched."""
        case = self.get(number_or_id)
        self._require_editor(case, "放弃恢复")
        drafts.delete(self.store.conn, case.id)

    def commit_session(self, number_or_id: str) -> CaseRecord:
        """End the editing session: the journalled edits go into the record as ONE change
        (one audit entry, one ``case.draft`` operation) that also deletes the journal row.
        Invalid values raise ValidationFailed and stay in the journal: nothing is lost."""
        case = self.get(number_or_id)
        found = drafts.load(self.store.conn, case.id)
        return self._update(case, found.values, session=True) if found else case

    def _update(self, case: CaseRecord, values: dict[str, Any], *, session: bool) -> CaseRecord:
        self._require_draft(case)
        self._require_editor(case, "修改")
        spec = self.spec_for(case)
        values = self._checked_input(spec, values)
        data = drafts.apply(case.data, values)
        changed = sorted(k for k in values if case.data.get(k) != data.get(k))
        if not changed:
            if session:
                drafts.delete(self.store.conn, case.id)  # edits undone: nothing to record
            return case
        with self.store.change(self.actor) as ch:
            if session:
                drafts.delete(ch.conn, case.id)
            self._number_rows(ch, case.id, case.data, data)
            self._raise_problems(validate(spec, data, complete=False))
            ch.conn.execute(
                "UPDATE record_versions SET data = ?, updated_at = ? WHERE id = ? AND finalized_at IS NULL",
                (json.dumps(data, ensure_ascii=False, sort_keys=True), ch.now, case.version_id))
            self._update_case_row(ch, case.id, spec, data)
            labels = "、".join(_label(spec, k) for k in changed)
            ch.log("case.update", "case", case.id, f"修改勘验 {case.number}：{labels}",
                   {"version": case.version, "fields": changed})
            self._enqueue(ch, case.id, "case.draft", case.number, case.version, case.version_id,
                          spec, data)
        return self.get(case.id)

    def finalize(self, number_or_id: str) -> CaseRecord:
        case = self.get(number_or_id)
        self._require_draft(case)
        self._require_editor(case, "定稿")
        if drafts.load(self.store.conn, case.id):
            raise InvalidState(f"勘验 {case.number} 有尚未存入记录的编辑（自动保存），"
                               "请先在表单中保存或放弃恢复，再定稿。")
        problems = self.blockers(case.id)
        if problems:
            raise FinalizeBlocked(problems)
        spec = self.spec_for(case)
        with self.store.change(self.actor) as ch:
            row = dict(next(iter(ch.db.query(
                "SELECT * FROM record_versions WHERE id = ?", [case.version_id]))))
            manifest = json.dumps(photo_manifest(ch.conn, case.id), ensure_ascii=False,
                                  sort_keys=True)
            row.update(finalized_at=ch.now, finalized_by=self.actor.id, manifest=manifest)
            digest = finalized_hash(row)
            ch.conn.execute(
                "UPDATE record_versions SET finalized_at = ?, finalized_by = ?, content_hash = ?, "
                "manifest = ?, updated_at = ? WHERE id = ?",
                (ch.now, self.actor.id, digest, manifest, ch.now, case.version_id))
            ch.conn.execute(
                "UPDATE cases SET status = 'finalized', returned_comment = NULL, updated_at = ? "
                "WHERE id = ?", (ch.now, case.id))
            ch.log("case.finalize", "case", case.id, f"定稿勘验 {case.number} 第 {case.version} 版",
                   {"version": case.version, "version_id": case.version_id, "content_hash": digest})
            # everything the content hash covers, so the receiver can check it
            self._enqueue(ch, case.id, "case.finalize", case.number, case.version,
                          case.version_id, spec, case.data, kind="case",
                          amends_id=case.amends_id, amend_reason=case.amend_reason,
                          manifest=json.loads(manifest), finalized_at=ch.now,
                          finalized_by=self.actor.id, content_hash=digest)
        return self.get(case.id)

    def review(self, number_or_id: str, *, approve: bool, comment: str = "") -> CaseRecord:
        """A supervisor approves a finalized case, or returns it for correction with a comment
        (the technician then works on a new draft version). Nobody reviews a case they took
        part in (core/duties.py)."""
        case = self.get(number_or_id)
        if case.status != "finalized":
            raise InvalidState(f"勘验 {case.number} 状态为“{case.status_label}”，只有已定稿的勘验可以审核。")
        refusal = duties.review_refusal(self.store, self.forms, case.id, case.number, self.actor)
        if refusal:
            raise duties.refuse(self.store, self.actor, "case", case.id,
                                f"{'审核通过' if approve else '退回'}勘验 {case.number}", refusal)
        comment = (comment or "").strip()
        if not approve and not comment:
            raise WeichaError("退回补正时请写明需要补正的内容。")
        with self.store.change(self.actor) as ch:
            ch.db["reviews"].insert({
                "id": new_id(), "case_id": case.id, "version": case.version,
                "decision": "approved" if approve else "returned", "comment": comment,
                "reviewer_id": self.actor.id, "at": ch.now})
            if approve:
                ch.conn.execute("UPDATE cases SET status = 'reviewed', updated_at = ? WHERE id = ?",
                                (ch.now, case.id))
                ch.log("case.approve", "case", case.id, f"审核通过勘验 {case.number} 第 {case.version} 版",
                       {"version": case.version, "comment": comment})
            else:
                self._new_version(ch, case, f"审核退回：{comment}", returned_comment=comment)
                ch.log("case.return", "case", case.id, f"退回补正勘验 {case.number}：{comment}",
                       {"version": case.version, "new_version": case.version + 1, "comment": comment})
            ch.enqueue("case", case.id, "case.review", {
                "case_id": case.id, "number": case.number, "version": case.version,
                "decision": "approved" if approve else "returned", "comment": comment})
        return self.get(case.id)

    def amend(self, number_or_id: str, reason: str) -> CaseRecord:
        """补正: open a new draft version of a finalized or reviewed case, with a reason."""
        case = self.get(number_or_id)
        if not case.locked:
            raise InvalidState(f"勘验 {case.number} 尚未定稿，直接修改即可，无需补正。")
        self._require_editor(case, "补正")
        reason = (reason or "").strip()
        if not reason:
            raise WeichaError("补正须写明原因。")
        with self.store.change(self.actor) as ch:
            self._new_version(ch, case, reason)
            ch.log("case.amend", "case", case.id, f"补正勘验 {case.number}：{reason}",
                   {"version": case.version, "new_version": case.version + 1, "reason": reason})
        return self.get(case.id)

    # ---- helpers ---------------------------------------------------------------------------
    def _new_version(self, ch, case: CaseRecord, reason: str, returned_comment: str | None = None):
        spec = self.spec_for(case)
        version_id = new_id()
        insert_version(ch, record_id=case.id, kind="case", version=case.version + 1,
                       form_id=case.form_id, form_version=case.form_version, data=case.data,
                       amends_id=case.version_id, amend_reason=reason, version_id=version_id)
        ch.conn.execute(
            "UPDATE cases SET status = 'draft', current_version = ?, returned_comment = ?, "
            "updated_at = ? WHERE id = ?", (case.version + 1, returned_comment, ch.now, case.id))
        self._enqueue(ch, case.id, "case.amend", case.number, case.version + 1, version_id, spec,
                      case.data, amends_id=case.version_id, amend_reason=reason)

    def _enqueue(self, ch, case_id, op, number, version, version_id, spec, data, **extra):
        ch.enqueue("case", case_id, op, {
            "case_id": case_id, "number": number, "version": version, "version_id": version_id,
            "form": [spec.id, spec.version], "data": data, **extra})

    def _update_case_row(self, ch, case_id: str, spec: FormSpec, data: dict) -> None:
        cols = self._projection(spec, data)
        sets = ", ".join(f"{k} = ?" for k in cols)
        ch.conn.execute(f"UPDATE cases SET {sets}, updated_at = ? WHERE id = ?",
                        [*cols.values(), ch.now, case_id])

    @staticmethod
    def _projection(spec: FormSpec, data: dict[str, Any]) -> dict[str, Any]:
        """The columns of the case list, derived from the record (kept in ``cases``)."""
        investigators = data.get("investigators") or []
        names = [r.get("name", "") for r in investigators if isinstance(r, dict) and r.get("name")]
        return {
            "case_type": _choice_label(spec, "case_type", data.get("case_type")),
            "address": data.get("scene_address") or data.get("incident_address"),
            "investigated_at": data.get("started_at"),
            "investigator": "、".join(names) or None,
        }

    @staticmethod
    def _checked_input(spec: FormSpec, values: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(values, dict):
            raise WeichaError("字段值须为 JSON 对象（字段名 → 值）。")
        fixed = [f.id for f in spec.all_fields() if f.readonly and f.id in values]
        if fixed:
            raise ValidationFailed([Problem(k, "由系统填写，不能修改", "readonly") for k in fixed])
        return values

    @staticmethod
    def _number_rows(ch, case_id: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        """Give every new row of a numbered group (痕迹物证 → H…) its number, in this change.
        A row keeps the number it has; a number the system did not issue to this case is refused."""
        for group, kind in NUMBERED_ROWS.items():
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
                    rows[i] = {**row, "number": numbering.allocate(ch, kind, case_id)}
                elif row["number"] not in known:
                    problems.append(Problem(f"{group}[{i}].number", "编号由系统生成，不能填写", "readonly"))
                elif row["number"] in seen:
                    problems.append(Problem(f"{group}[{i}].number",
                                            f"编号 {row['number']} 重复：一个编号只属于一件物证", "readonly"))
                seen.add(rows[i]["number"])
            CaseService._raise_problems(problems)

    @staticmethod
    def _raise_problems(problems: list[Problem]) -> None:
        if problems:
            raise ValidationFailed(problems)

    def _require_draft(self, case: CaseRecord) -> None:
        if case.locked or case.status != "draft":
            raise InvalidState(
                f"勘验 {case.number} 第 {case.version} 版已定稿，不能修改；如需更正请“补正”。")

    def edit_refusal(self, case: CaseRecord) -> str | None:
        """Why this user may not change ``case`` (a draft) or amend it, or None (the form
        shows it read-only with the reason)."""
        return self._editor.refusal(case.id, case.number)

    def review_refusal(self, case: CaseRecord) -> str | None:
        """Why this user may not review ``case`` (not a reviewer, or took part), or None."""
        return duties.review_refusal(self.store, self.forms, case.id, case.number, self.actor)

    def _require_editor(self, case: CaseRecord, attempt: str) -> None:
        refusal = self.edit_refusal(case)
        if refusal:
            raise duties.refuse(self.store, self.actor, "case", case.id,
                                f"{attempt}勘验 {case.number}", refusal)

    def _require_role(self, *roles: str, action: str = "此操作") -> None:
        if self.actor.role not in roles:
            raise PermissionDenied(f"当前用户（{self.actor.name}）无权{action}。")


def _label(spec: FormSpec, field_id: str) -> str:
    try:
        return spec.field(field_id).label.zh
    except (KeyError, LookupError, AttributeError):
        return field_id


def _choice_label(spec: FormSpec, field_id: str, value: Any) -> str | None:
    if value is None:
        return None
    try:
        choices = spec.field(field_id).choices
    except KeyError:
        return str(value)
    return next((c.label.zh for c in choices if c.value == value), str(value))
