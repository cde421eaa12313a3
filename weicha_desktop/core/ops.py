"""The ONE registry of what the program writes down: every audit action and every sync op.

- ``ActionSpec(name, object_kind, synced)``: an audit log action (``Change.log``,
  ``Store.log_read``). ``object_kind`` is the kind of object its entries name (a tuple: any
  of these; ``ANY``: whatever the caller refuses, e.g. ``access.denied``). ``synced``: the
  change that logs it must enqueue at least one op (the outbox op is mandatory for a change
  to synced data) and a change that enqueues must log a synced action.
- ``OpSpec(name, entity_kind, payload_version, schema)``: an operation in the sync outbox
  (``Change.enqueue``): the entity kind it belongs to, the version of its payload's shape
  and the payload's JSON Schema (checked on enqueue). ``draft``: a state a later op of the
  same entity replaces, so compaction (core/sync/queue.py) may drop it once superseded.

``Change.log`` and ``Change.enqueue`` refuse a name not registered here (a programming
error: ``UnknownName`` at once, before anything is written). A new action or op = one line
here; tests/test_ops.py fails while a name used in the code is missing here, or an op here
is used nowhere, and docs/sync-protocol.md's op table is generated from this file
(``python -m weicha_desktop.core.ops``; tests/test_ops.py compares).

Schemas: JSON Schema (draft 2020-12) checked with ``jsonschema`` — a standard a server in any
language can check the same payloads with; validators are built once per op, at its first check (below). A
compiled validator (``jsonschema_rs``) answers for payloads it accepts, ``jsonschema`` judges the rest
(``OpSpec.check``; docs/performance.md, "One write")."""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Iterable, Mapping

ANY = ("*",)


class UnknownName(RuntimeError):
    """A programming error: an action or op name (or its kind) the registry does not have."""


class PayloadError(RuntimeError):
    """A programming error: an op's payload does not have the registered shape."""


@dataclass(frozen=True)
class ActionSpec:
    name: str
    object_kind: tuple[str, ...]
    synced: bool
    summary: str = ""


@dataclass(frozen=True)
class OpSpec:
    name: str
    entity_kind: str
    payload_version: int
    schema: Mapping[str, Any]
    draft: bool = False
    summary: str = ""

    def check(self, payload: Any) -> None:
        """Raise PayloadError naming the first mismatch (the payload as it will be sent).

        A compiled validator of the same schema (``jsonschema_rs``: ~3 µs for a scene draft's
        payload against ~400 µs) answers first; whatever it does not accept, or cannot take,
        ``judge`` decides — its verdict and message stand. So ``check`` accepts exactly what
        ``jsonschema`` accepts, as long as the compiled one never accepts what ``jsonschema``
        refuses (tests/test_write_speed.py compares them on mutated payloads). Both are built
        at the op's first check, not at import (all of them: ~100 ms of every login)."""
        fast = self.__dict__.get("_fast")
        if fast is None:
            import jsonschema_rs

            fast = jsonschema_rs.Draft202012Validator(dict(self.schema))
            object.__setattr__(self, "_fast", fast)
        try:
            if fast.is_valid(payload):
                return
        except Exception:  # noqa: BLE001 — a value it cannot take (a huge integer): judge it
            pass
        self.judge(payload)

    def judge(self, payload: Any) -> None:
        """``check`` by ``jsonschema`` alone: the reference verdict and message (tests compare
        the compiled validator with it; tests/test_ops.py checks every schema)."""
        validator = self.__dict__.get("_validator")
        if validator is None:  # imported here: ~60 ms a process, and a valid payload needs none
            from jsonschema import Draft202012Validator

            validator = Draft202012Validator(self.schema)
            object.__setattr__(self, "_validator", validator)
        error = next(iter(validator.iter_errors(payload)), None)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "（整个内容）"
            raise PayloadError(
                f"程序错误：同步操作 {self.name} 的内容不符合登记的格式（{where}：{error.message}）。"
                f"请修改调用处或 weicha_desktop/core/ops.py 中的登记。")


# ---- schema pieces -----------------------------------------------------------------------------
def _obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    """An object with these keys (``required`` must be present); other keys are allowed."""
    return {"type": "object", "required": sorted(required),
            "properties": {**required, **(optional or {})}}


ID = {"type": "string", "minLength": 1}
TEXT = {"type": "string"}
OPT_TEXT = {"type": ["string", "null"]}
OPT_ID = {"type": ["string", "null"], "minLength": 1}
COUNT = {"type": "integer", "minimum": 1}
OPT_INT = {"type": ["integer", "null"]}
OPT_NUM = {"type": ["number", "null"]}
SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
TIME = {"type": "string", "minLength": 10}  # ISO 8601 with offset (Clock.iso)
OPT_TIME = {"type": ["string", "null"]}

PERSON = _obj({  # a user as every device and the server name them (docs/identities.md)
    "id": ID, "name": TEXT, "display_name": TEXT, "badge_no": OPT_TEXT, "unit_code": OPT_TEXT,
    "role": ID})
OPT_PERSON = {"anyOf": [{"type": "null"}, PERSON]}
_RECORD = _obj({  # the record's row in the registry (``records``) after the change
    "kind": ID, "number": OPT_ID, "status": {"enum": ["draft", "finalized", "reviewed"]},
    "current_version": COUNT, "form_id": ID, "returned_comment": OPT_TEXT,
    "created_at": TIME, "created_by": ID, "updated_at": TIME})
_PEOPLE = {"type": "array", "items": _obj({  # the record's ``record_people`` (core/people.py)
    "role": ID, "position": {"type": "integer", "minimum": 0}, "user": OPT_PERSON,
    "name": TEXT, "unit": OPT_TEXT, "title": OPT_TEXT})}
_PHOTO_LOG = {"type": "array", "items": _obj({"id": ID, "position": COUNT})}  # the record's photos
_AMENDS = {"amends_id": OPT_ID, "amend_reason": OPT_TEXT}
_PHOTO_ROW = {  # a photo log row as stored (core/photos.py)
    "id": ID, "record_id": ID, "position": COUNT, "sha256": SHA256, "original_name": TEXT,
    "size": {"type": "integer", "minimum": 0}, "format": ID,
    "width": {"type": "integer", "minimum": 0}, "height": {"type": "integer", "minimum": 0},
}
_PHOTO_OPTIONAL = {
    "orientation": OPT_INT, "taken_at": OPT_TEXT, "time_source": OPT_TEXT, "make": OPT_TEXT,
    "model": OPT_TEXT, "gps_lat": OPT_NUM, "gps_lon": OPT_NUM, "gps_alt": OPT_NUM,
    "photo_class": OPT_TEXT, "caption": TEXT, "photographer": OPT_TEXT,
    "evidence_number": OPT_TEXT, "derived_from": OPT_ID,
    "edits": {"type": ["array", "null"], "items": {"type": "object"}},
    "imported_at": TIME, "imported_by": ID, "removed_at": OPT_TIME,
}
_LINK = {"id": ID, "record_id": ID, "target_id": ID}  # a link (core/collect/links.py)
_PHOTO_EDITABLE = {"photo_class": OPT_TEXT, "caption": TEXT, "photographer": OPT_TEXT,
                   "evidence_number": OPT_TEXT}


_CHECK = _obj({  # a check (core/checks/service.py): who, when, what, the result
    "id": ID, "at": TIME, "by": OPT_PERSON, "kind": {"enum": ["person", "vehicle"]}, "key": ID,
    "source": ID, "result": {"enum": ["hit", "miss"]},
    "hits": {"type": "array", "items": _obj({"list": ID, "list_version": TEXT, "list_date": OPT_TEXT,
                                             "source": ID, "name": TEXT, "reason": TEXT})},
    "lists": {"type": "array", "items": _obj({"name": ID, "version": TEXT, "date": OPT_TEXT})},
    "records": {"type": "array", "items": _obj({"record_id": ID, "kind": ID, "number": OPT_TEXT,
                                                "field": TEXT})}})


def _op(name: str, entity_kind: str, schema: dict[str, Any], summary: str, *,
        version: int = 1, draft: bool = False) -> OpSpec:
    return OpSpec(name, entity_kind, version, schema, draft, summary)


def _act(name: str, object_kind: str | tuple[str, ...], synced: bool, summary: str) -> ActionSpec:
    return ActionSpec(name, (object_kind,) if isinstance(object_kind, str) else object_kind,
                      synced, summary)


# ---- records (core/record_service.py) ---------------------------------------------------------
# The record kinds the shipped forms declare (``record_kind`` in forms/*.yaml; a test compares).
# Each has the life cycle of a scene case under its own names: ops K.create|draft|finalize|
# amend|review of entity kind K, whose payload names the record as ``K_id``, and audit actions
# K.create|update|finalize|approve|return|amend on object kind K — listed below, one set per
# kind. A kind a form declares that is not listed here (a module being built, a test's form) is
# accepted for a record of that kind in the ``records`` registry only (``kinds`` below:
# Change.log/enqueue look it up), so a misspelt kind never passes.
RECORD_KINDS = ("case", "person", "vehicle", "place", "patrol", "request")
UNNUMBERED_KINDS = ("person", "vehicle", "place",  # 采集 (core/collect): named by id, no number
                    "patrol", "request")           # 巡逻, 互动 (core/patrol, core/requests)
# ops that carry a record's whole draft state like K.draft but are a step of their own (never
# compacted away): a 必比 status, the end of a patrol, a request's handling step
STEP_OPS = ("case.evidence", "patrol.end", "request.step")
RECORD_ACTIONS = ("create", "update", "finalize", "approve", "return", "amend")
RECORD_OPS = ("create", "draft", "finalize", "amend", "review")


def _version(kind: str, numbered: bool = True) -> dict[str, Any]:
    """A record version's whole state, as every op that carries one has it: the version, the
    record's row and its people (``numbered``: the kind's form gives every record a number)."""
    return {f"{kind}_id": ID, "number": ID if numbered else OPT_ID, "version": COUNT,
            "version_id": ID, "form": {"type": "array", "prefixItems": [ID, COUNT],
                                       "minItems": 2, "maxItems": 2},
            "data": {"type": "object"}, "record": _RECORD, "people": _PEOPLE}


def _record_ops(kind: str, numbered: bool = True) -> tuple[OpSpec, ...]:
    """The ops of records of ``kind``."""
    key, version = f"{kind}_id", _version(kind, numbered)
    return (
        _op(f"{kind}.create", kind, _obj(version), "新建记录：编号、记录行与第 1 版的全部内容",
            version=2),
        _op(f"{kind}.draft", kind, _obj(version), "草稿保存：当前草稿版本的全部内容", version=2,
            draft=True),
        _op(f"{kind}.finalize", kind, _obj({
            **version, **_AMENDS, "kind": ID, "manifest": {"type": "array", "items": {"type": "object"}},
            "finalized_at": TIME, "finalized_by": ID, "content_hash": SHA256}),
            "定稿：该版本的全部内容、照片清单与内容哈希（接收方重算）", version=2),
        _op(f"{kind}.amend", kind, _obj({**version, **_AMENDS}),
            "补正或退回后的新草稿版本（全部内容）", version=2),
        _op(f"{kind}.review", kind, _obj({
            key: ID, "number": version["number"], "version": COUNT, "review_id": ID,
            "decision": {"enum": ["approved", "returned"]}, "comment": TEXT, "reviewer": PERSON,
            "at": TIME, "record": _RECORD}, {"section": OPT_ID}),
            "审核：审核记录（编号、审核人、决定、意见、审核的版本；退回时可有意见所指的栏目 section）与记录行", version=2),
    )


def _record_actions(kind: str) -> tuple[ActionSpec, ...]:
    noun = "勘验" if kind == "case" else "记录"
    return (
        _act(f"{kind}.create", kind, True, f"新建{noun}"),
        _act(f"{kind}.update", kind, True, f"修改{noun}草稿（也登记必比状态）"),
        _act(f"{kind}.finalize", kind, True, "定稿"),
        _act(f"{kind}.approve", kind, True, "审核通过"),
        _act(f"{kind}.return", kind, True, "审核退回补正"),
        _act(f"{kind}.amend", kind, True, "补正"),
        _act(f"{kind}.decided", kind, False, "记下审核人在另一台设备上的审核决定（core/sync/review.py）"),
    )


# ---- the registry ------------------------------------------------------------------------------
OPS: tuple[OpSpec, ...] = (
    *(spec for kind in RECORD_KINDS for spec in _record_ops(kind, kind not in UNNUMBERED_KINDS)),
    _op("case.evidence", "case", _obj({
        **_version("case"), "item": _obj({"number": ID, "comparison_status": ID})}),
        "登记痕迹物证的必比状态：该物证登记行（item）与草稿版本的全部内容"),
    _op("link.add", "link", _obj({**_LINK, "record_kind": ID, "target_kind": ID, "role": ID,
                                  "note": TEXT, "created_at": TIME, "created_by": ID,
                                  "removed_at": {"type": "null"}, "removed_by": {"type": "null"},
                                  "removed_reason": {"type": "null"}}),
        "关联人员、车辆或场所与另一记录（core/collect/links.py）：关联行的全部字段"),
    _op("link.remove", "link", _obj({**_LINK, "removed_at": TIME, "removed_by": ID,
                                     "removed_reason": {"type": "string", "minLength": 1}}),
        "取消关联（关联行保留）：取消的时间、人与原因"),
    _op("photo.add", "photo", _obj(_PHOTO_ROW, _PHOTO_OPTIONAL),
        "导入照片或生成工作副本：照片记录的全部字段"),
    _op("photo.update", "photo", _obj({"id": ID, "record_id": ID, **_PHOTO_EDITABLE}),
        "修改照片说明：说明的全部字段（分类、说明、拍照人、关联物证）", version=2),
    _op("photo.remove", "photo", _obj({"id": ID, "record_id": ID, "removed_at": TIME,
                                       "reason": {"type": "string", "minLength": 1},
                                       "photos": _PHOTO_LOG}),
        "移除照片（原图与记录保留）：移除时间与重新编号后的照片顺序", version=2),
    _op("photo.restore", "photo", _obj({"id": ID, "record_id": ID, "position": COUNT,
                                        "photos": _PHOTO_LOG}),
        "重新导入已移除的照片：它的编号与全部照片的顺序", version=2),
    _op("photo.reorder", "case", _obj({"record_id": ID, "photos": _PHOTO_LOG}),
        "调整照片顺序：全部照片的新编号", version=2),
    _op("patrol.end", "patrol", _obj({**_version("patrol", False), "ended_at": TIME}),
        "结束巡逻（core/patrol）：结束时间与草稿版本的全部内容"),
    _op("request.step", "request", _obj({**_version("request", False), "step": _obj({
        "status": {"enum": ["pending", "in_progress", "done"]}, "at": TIME, "by": TEXT, "note": TEXT},
        {"reopen": {"enum": [True, False]}})}),
        "群众诉求的办理步骤（core/requests）：该步骤（状态、时间、办理人、说明）与草稿版本的全部内容"),
    _op("check.run", "check", _CHECK, "核查（core/checks）：核查的号码、结果、命中的名单条目、当时本机的名单版本与日期"),
)

ACTIONS: tuple[ActionSpec, ...] = (
    _act("system.init", "unit", False, "初始化数据文件夹"),
    _act("data.anchor", "checkpoint", False, "签名检查点开始或换密钥（core/checkpoint_log.py）"),
    _act("data.lineage", "data", False, "为旧数据文件夹编号"),
    _act("data.backup", "backup", False, "备份"),
    _act("data.restore", "data", False, "从备份恢复"),
    _act("login.ok", "login", False, "登录成功"),
    _act("login.fail", "login", False, "登录失败"),
    _act("login.locked", "login", False, "等待期内再次尝试登录"),
    _act("access.denied", ANY, False, "拒绝无权的操作"),
    _act("user.add", "user", False, "添加用户"),
    _act("user.badge", "user", False, "设置早先版本用户的警号（core/users.py）"),
    _act("user.known", "user", False, "记下其他设备的同步操作中出现的人员，或同步服务器的用户（不能在本机登录；core/sync/apply.py、reference.py）"),
    _act("user.password", "user", False, "管理员设置用户的密码（同步得来的人员由此可在本机登录；core/users.py）"),
    *(spec for kind in RECORD_KINDS for spec in _record_actions(kind)),
    _act("case.export", "case", False, "导出勘验（读）"),
    _act("collect.export", ("person", "vehicle", "place"), False, "导出人员、车辆或场所记录（读；cli/collect.py）"),
    _act("collect.report", ("person", "vehicle", "place"), False, "导出人员、车辆或场所信息表 PDF（读；core/collect/report.py）"),
    _act("patrol.export", "patrol", False, "导出巡逻记录（读；cli/patrol.py）"),
    _act("patrol.report", "patrol", False, "导出巡逻工作记录 PDF（读；core/patrol/report.py）"),
    _act("request.export", "request", False, "导出群众诉求记录（读；cli/requests.py）"),
    _act("report.preview", "case", False, "预览报告（读）"),
    _act("report.print", "case", False, "打印报告（读）"),
    _act("report.export", "case", False, "导出报告（读）"),
    _act("evidence.labels", "case", False, "打印物证标签（读）"),
    _act("link.add", "link", True, "关联人员、车辆或场所与另一记录"),
    _act("link.remove", "link", True, "取消关联"),
    _act("photo.add", "photo", True, "导入照片"),
    _act("photo.edit", "photo", True, "生成照片工作副本"),
    _act("photo.update", "photo", True, "修改照片说明"),
    _act("photo.remove", "photo", True, "移除照片"),
    _act("photo.restore", "photo", True, "重新导入已移除的照片"),
    _act("photo.reorder", "case", True, "调整照片顺序"),
    _act("check.run", "check", True, "核查身份证号或号牌（无论是否命中都记录）"),
    _act("watchlist.import", "watchlist", False, "导入核查名单（core/checks/lists.py）"),
    _act("watchlist.settings", "watchlist", False, "设置核查名单的过期天数"),
    _act("sync.export", "bundle", False, "同步操作导出到数据包"),
    _act("sync.acknowledge", "device", False, "服务器确认收到同步操作"),
    _act("sync.reject", "op", False, "服务器拒收一项同步操作"),
    _act("sync.compact", "device", False, "合并被后续草稿取代的草稿操作"),
    _act("sync.prune", "device", False, "清理已确认的同步操作"),
    _act("sync.resend", "device", False, "服务器的同步进度退回（从备份恢复）：已确认的操作重新发送（core/sync/queue.py）"),
    _act("sync.enroll", "device", False, "本机登记到同步服务器（core/sync/enrollment.py）"),
    _act("sync.anchor", "device", False, "同步服务器锚定本机工作日志头（core/sync/push.py）"),
    _act("sync.pull", "device", False, "从同步服务器获取参考数据、本单位的记录或审核决定（core/sync/pull.py）"),
    _act("sync.apply", ("op", "device"), False,
         "应用另一台设备的同步操作，或数据包之内已合并的序号（core/sync/apply.py）"),
    _act("bundle.export", "bundle", False, "写出 U 盘数据包或离线登记申请（core/bundle/export.py）"),
    _act("bundle.receipt", "bundle", False, "导入服务器的数据包回执，确认其中的同步操作（core/bundle/receipt.py）"),
    _act("reference.import", "bundle", False, "导入服务器的基础数据包：用户、表单、代码表、核查名单（core/bundle/refimport.py）"),
    _act("bundle.refused", "bundle", False, "拒收的数据包、回执、基础数据包或登记文件（core/bundle/refusal.py）"),
    _act("bundle.reserve", "bundle", False, "写出数据包之前预留其序号：中断的导出不会让下一个数据包重用它（core/bundle/export.py）"),
)

OP_BY_NAME: Mapping[str, OpSpec] = MappingProxyType({o.name: o for o in OPS})
ACTION_BY_NAME: Mapping[str, ActionSpec] = MappingProxyType({a.name: a for a in ACTIONS})
assert len(OP_BY_NAME) == len(OPS) and len(ACTION_BY_NAME) == len(ACTIONS), "a name twice"

_WHERE = "请在 weicha_desktop/core/ops.py 中登记"
NOT_RECORD_KINDS = frozenset({"photo", "user", "login", "checkpoint", "data", "unit", "backup",
                              "bundle", "device", "op", "sync", "system", "report", "evidence",
                              "check", "watchlist", "link"})
_KIND_SPECS: dict[str, dict[str, Any]] = {}  # kind → the specs of a kind not listed (made once)


def record_kind_ok(kind: str) -> bool:
    """Could ``kind`` name records (a lower-case identifier no other entity uses)?"""
    return isinstance(kind, str) and kind.isidentifier() and kind.islower() \
        and kind not in NOT_RECORD_KINDS


def _kind_specs(kind: str) -> dict[str, Any]:
    """The ops and actions of records of a kind not in RECORD_KINDS (number optional)."""
    if kind not in _KIND_SPECS:
        _KIND_SPECS[kind] = {**{o.name: o for o in _record_ops(kind, numbered=False)},
                             **{"action:" + a.name: a for a in _record_actions(kind)}}
    return _KIND_SPECS[kind]


def action(name: str, object_kind: str, kinds: Iterable[str] = ()) -> ActionSpec:
    """The registered action ``name``; UnknownName if it is not, or names another kind.
    ``kinds``: record kinds beyond RECORD_KINDS the caller knows are records (a form declares
    them and the ``records`` registry holds one: store.Change looks it up)."""
    spec = ACTION_BY_NAME.get(name)
    if spec is None and object_kind in kinds and record_kind_ok(object_kind):
        spec = _kind_specs(object_kind).get("action:" + name)
    if spec is None:
        raise UnknownName(f"程序错误：工作日志动作 {name!r} 未登记（{_WHERE}）。")
    if spec.object_kind != ANY and object_kind not in spec.object_kind:
        raise UnknownName(f"程序错误：工作日志动作 {name} 登记的对象类型是 "
                          f"{'/'.join(spec.object_kind)}，不是 {object_kind!r}（{_WHERE}）。")
    return spec


def op(name: str, entity_kind: str, kinds: Iterable[str] = ()) -> OpSpec:
    """The registered op ``name``; UnknownName if it is not, or belongs to another kind
    (``kinds``: as for ``action``)."""
    spec = OP_BY_NAME.get(name)
    if spec is None and entity_kind in kinds and record_kind_ok(entity_kind):
        spec = _kind_specs(entity_kind).get(name)
    if spec is None:
        raise UnknownName(f"程序错误：同步操作 {name!r} 未登记（{_WHERE}）。")
    if entity_kind != spec.entity_kind:
        raise UnknownName(f"程序错误：同步操作 {name} 登记的实体类型是 {spec.entity_kind}，"
                          f"不是 {entity_kind!r}（{_WHERE}）。")
    return spec


def is_record_op(name: str, entity_kind: str) -> bool:
    """Is ``name`` one of the record life-cycle ops (K.create … K.review) of kind ``entity_kind``,
    or a step that carries the record's draft state (STEP_OPS: case.evidence, patrol.end …)?"""
    prefix, _, verb = name.partition(".")
    return prefix == entity_kind and record_kind_ok(entity_kind) and (verb in RECORD_OPS or name in STEP_OPS)


def draft_ops(kinds: Iterable[str] = ()) -> frozenset[str]:
    """The ops compaction may drop once superseded: the registered drafts and ``K.draft`` of
    every record kind in ``kinds`` (those the ``records`` registry holds)."""
    return frozenset(o.name for o in OPS if o.draft) | frozenset(
        f"{k}.draft" for k in kinds if record_kind_ok(k))


# ---- the op table of docs/sync-protocol.md ---------------------------------------------------
def _keys(schema: Mapping[str, Any]) -> str:
    required = set(schema.get("required", ()))
    keys = [k if k in required else f"{k}?" for k in schema.get("properties", {})]
    return ", ".join(f"`{k}`" for k in keys)


def markdown_tables() -> str:
    """The op and action tables of docs/sync-protocol.md (between its GENERATED markers)."""
    lines = ["| op | entity kind | payload version | draft | payload (`?`: optional) | what |",
             "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| `{o.name}` | {o.entity_kind} | {o.payload_version} | {'yes' if o.draft else ''} "
              f"| {_keys(o.schema)} | {o.summary} |" for o in OPS]
    lines += ["", "| audit action | object kind | synced | what |", "| --- | --- | --- | --- |"]
    lines += [f"| `{a.name}` | {'any' if a.object_kind == ANY else ' / '.join(a.object_kind)} "
              f"| {'yes' if a.synced else ''} | {a.summary} |" for a in ACTIONS]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_tables(), end="")
