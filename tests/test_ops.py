"""The one registry of audit actions and sync ops (core/ops.py): the store refuses a name it
lacks, checks every payload against its schema, makes the op mandatory for synced actions;
every name the code uses is registered and every registered name is used; the op table of
docs/sync-protocol.md is generated from it."""
from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

import pytest

import weicha_desktop
from weicha_desktop.core import ops
from weicha_desktop.core.ops import ANY, PayloadError, UnknownName
from weicha_desktop.core.store import SYSTEM
from weicha_desktop.core.users import UserService

from tests.outbox_support import example, id_key, payload
from tests.support import PASSWORD, new_store, parsed

PACKAGE = Path(weicha_desktop.__file__).resolve().parent
DOC = PACKAGE.parent / "docs" / "sync-protocol.md"
TABLES = ("<!-- GENERATED: python -m weicha_desktop.core.ops -->", "<!-- END GENERATED -->")
REORDER = payload("photo.reorder", "c1")
KEY = id_key("photo.reorder")  # case_id (record_id once records are not only cases)


@pytest.fixture
def store(tmp_path):
    store = new_store(tmp_path)
    yield store
    store.close()


def _counts(store):
    return [store.db[t].count for t in ("audit_log", "outbox", "outbox_sequence")]


# ---- the store refuses what the registry lacks -------------------------------------------------
@pytest.mark.parametrize("write", [
    lambda ch: ch.log("case.view", "case", "c1", "查看"),                       # no such action
    lambda ch: ch.log("case.export", "photo", "p1", "导出"),                    # another kind
    lambda ch: ch.enqueue("case", "c1", "case.delete", {}),                    # no such op
    lambda ch: ch.enqueue("photo", "c1", "photo.reorder", REORDER),            # another kind
], ids=["action", "action-kind", "op", "op-kind"])
def test_a_name_not_registered_is_refused_at_once_and_nothing_is_written(store, write):
    before = _counts(store)
    reached = []
    with pytest.raises(UnknownName, match="未登记|登记的"):
        with store.change(SYSTEM) as ch:
            ch.log("photo.reorder", "case", "c1", "调整照片顺序")
            write(ch)
            reached.append(True)  # the call itself raised: not at commit
    assert reached == [] and _counts(store) == before


@pytest.mark.parametrize("change, where", [
    ({KEY: None}, f"（整个内容）：'{KEY}' is a required"),      # a required key missing
    ({"photos": "p1,p2"}, "（photos："),                       # wrong type
    ({"photos": [{"id": "p1", "position": 0}]}, "（photos/0/position："),  # inside a list
    ({KEY: ""}, f"（{KEY}："),                                 # an empty id
], ids=["missing", "type", "item", "empty-id"])
def test_a_payload_not_of_its_schema_is_refused_naming_where(store, change, where):
    wrong = {k: v for k, v in {**REORDER, **change}.items() if v is not None}
    before = _counts(store)
    with pytest.raises(PayloadError, match=f"photo.reorder.*{where}"):
        with store.change(SYSTEM) as ch:
            ch.log("photo.reorder", "case", "c1", "调整照片顺序")
            ch.enqueue("case", "c1", "photo.reorder", wrong)
    assert _counts(store) == before


def test_a_payload_json_cannot_carry_is_refused(store):
    before = _counts(store)
    with pytest.raises(ValueError, match="JSON compliant"):
        with store.change(SYSTEM) as ch:
            ch.log("photo.reorder", "case", "c1", "调整照片顺序")
            ch.enqueue("case", "c1", "photo.reorder", {**REORDER, "extra": float("nan")})
    assert _counts(store) == before


def test_the_schema_sees_the_payload_as_sent(store):
    """A tuple is sent as a JSON array: checked after the JSON round trip, it passes."""
    log = ({"id": "p1", "position": 1}, {"id": "p2", "position": 2})
    with store.change(SYSTEM) as ch:
        ch.log("photo.reorder", "case", "c1", "调整照片顺序")
        ch.enqueue("case", "c1", "photo.reorder", {**REORDER, "photos": log})
    assert store.pending_outbox()[-1]["payload"]["photos"] == list(log)


def test_a_synced_action_needs_its_op_and_an_op_needs_a_synced_action(store):
    admin = UserService(store).authenticate("admin", PASSWORD)
    before = _counts(store)
    with pytest.raises(UnknownName, match="photo.reorder 登记为同步"):
        with store.change(admin) as ch:
            ch.log("photo.reorder", "case", "c1", "调整照片顺序")
    with pytest.raises(UnknownName, match="须记一条登记为同步"):
        with store.change(admin) as ch:
            ch.log("case.export", "case", "c1", "导出")  # a read, not synced
            ch.enqueue("case", "c1", "photo.reorder", REORDER)
    assert _counts(store) == before
    with store.change(admin) as ch:  # both: fine
        ch.log("case.export", "case", "c1", "导出")
        ch.log("photo.reorder", "case", "c1", "调整照片顺序")
        ch.enqueue("case", "c1", "photo.reorder", REORDER)
    assert _counts(store)[:2] == [before[0] + 2, before[1] + 1]


def test_every_schema_is_a_valid_json_schema_and_every_name_is_unique():
    # against the draft 2020-12 meta-schema by the compiled validator (~1 ms for all; the
    # Python one's check_schema took ~0.35 s, its $dynamicRef look-ups), and compiled, which
    # also refuses a bad "pattern" regex or $ref (check_schema's format checks)
    import jsonschema_rs

    for bad in ({"type": "strin"}, {"properties": {"a": {"minLength": -1}}}):
        assert not jsonschema_rs.meta.is_valid(bad)  # the check itself bites
    with pytest.raises(jsonschema_rs.ValidationError):
        jsonschema_rs.Draft202012Validator({"type": "string", "pattern": "(["})
    for spec in ops.OPS:
        jsonschema_rs.meta.validate(spec.schema)
        jsonschema_rs.Draft202012Validator(spec.schema)
        assert spec.payload_version >= 1 and spec.entity_kind and spec.summary
    names = [o.name for o in ops.OPS] + [a.name for a in ops.ACTIONS]
    assert len(set(o.name for o in ops.OPS)) == len(ops.OPS)
    assert len(set(a.name for a in ops.ACTIONS)) == len(ops.ACTIONS)
    assert all(re.fullmatch(r"[a-z]+\.[a-z_]+", n) for n in names)
    assert "case.draft" in ops.draft_ops()  # compaction may drop drafts only
    assert {o.name for o in ops.OPS if o.draft} == ops.draft_ops()
    for spec in ops.OPS:  # and the tests' example payloads are of their shape
        spec.check(payload(spec.name, "x"))


# ---- every name the code uses is registered, and every registered name is used -----------------
LISTS = re.compile(r"[A-Z_]*(ACTIONS?|EVENTS)")  # names of constants that list actions


def _pattern(node: ast.JoinedStr) -> str:
    """An f-string as a regular expression: f"login.{outcome}" → login\\.[a-z_]+."""
    return "".join(re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z_]+" for v in node.values)


NAME = re.compile(r"[a-z]+\.[a-z_]+")


def _strings(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and NAME.fullmatch(n.value)}


def _names_in(path: Path) -> dict[str, set[str]]:
    """Of one module: ``calls``, the literal names at call sites (``ch.log(action, …)``,
    ``….log_read(actor, action, …)``, ``….enqueue(kind, id, op, …)``); ``listed``, the names
    in constants named …ACTIONS / …EVENTS / ACTION and compared with ``action``;
    ``patterns``, f-strings at call sites as regular expressions; ``literals``: every string
    that looks like a name (a name used anywhere counts as used)."""
    at_calls, listed, patterns, literals = set(), set(), set(), set()
    nodes = parsed(path)  # by type, each in ast.walk's order (tests/support.py)
    strings = _strings
    for node in nodes.get(ast.Constant, ()):
        if isinstance(node.value, str) and NAME.fullmatch(node.value):
            literals.add(node.value)  # (what _strings(tree) finds, in this one pass)
    for node in nodes.get(ast.Assign, ()):
        if any(isinstance(t, ast.Name) and LISTS.fullmatch(t.id) for t in node.targets):
            listed |= strings(node.value)
    for node in nodes.get(ast.Compare, ()):
        if any(isinstance(n, (ast.Name, ast.Attribute)) and (getattr(n, "id", None) or getattr(n, "attr", None)) == "action"
               for n in [node.left, *node.comparators]):
            listed |= strings(node)
    for node in nodes.get(ast.Call, ()):
        if not isinstance(node.func, ast.Attribute):
            continue
        attr, receiver = node.func.attr, node.func.value
        position = {"log": 0, "log_read": 1, "enqueue": 2}.get(attr)
        if position is None or (attr == "log" and not (isinstance(receiver, ast.Name) and receiver.id == "ch")):
            continue
        arg = node.args[position] if len(node.args) > position else None
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            at_calls.add(arg.value)
            if attr == "enqueue" and isinstance(node.args[0], ast.Constant):
                assert ops.op(arg.value, node.args[0].value)  # the kind it is registered with
        elif isinstance(arg, ast.JoinedStr):
            patterns.add(_pattern(arg))  # f"login.{outcome}"
    return {"calls": at_calls, "listed": listed, "patterns": patterns, "literals": literals}


@lru_cache(maxsize=1)  # two tests read the same scan of the package (~0.4 s to parse it all)
def _scan() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"calls": set(), "listed": set(), "patterns": set(), "literals": set()}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name != "ops.py" or path.parent.name != "core":
            for key, names in _names_in(path).items():
                found[key] |= names
    return found


def test_every_action_and_op_the_code_names_is_registered():
    found = _scan()
    at_calls, listed, patterns = found["calls"], found["listed"], found["patterns"]
    registered = set(ops.OP_BY_NAME) | set(ops.ACTION_BY_NAME)
    assert at_calls - registered == set(), "register these in weicha_desktop/core/ops.py"
    assert listed - registered == set(), "names listed as actions that core/ops.py does not know (typos?)"
    for pattern in patterns:
        assert any(re.fullmatch(pattern, n) for n in registered), pattern
    assert at_calls >= {"photo.add", "user.add", "access.denied"}  # the scan sees


def test_every_registered_op_and_action_is_used_somewhere():
    found = _scan()
    used, patterns = found["calls"] | found["listed"] | found["literals"], found["patterns"]

    def unused(names):
        return [n for n in names if n not in used and not any(re.fullmatch(p, n) for p in patterns)]

    assert unused(ops.OP_BY_NAME) == [] and unused(ops.ACTION_BY_NAME) == []


def test_the_scan_finds_an_unregistered_name_and_a_dynamic_one(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('EDIT_ACTIONS = ("case.update", "case.updaet")\n'
                      'def f(store, ch, actor, outcome, e):\n'
                      '    ch.log("case.view", "case", None, "x")\n'
                      '    store.log_read(actor, "check.person", "person", None, "x")\n'
                      '    ch.enqueue("case", "c", "case.draft", {})\n'
                      '    ch.log(f"login.{outcome}", "login", None, "x")\n'
                      '    other.log("not.an_action")\n'
                      '    if e.action == "photo.removed": pass\n'
                      '    field = "evidence.method"\n', encoding="utf-8")
    found = _names_in(module)
    assert found["calls"] == {"case.view", "check.person", "case.draft"}
    assert found["listed"] == {"case.update", "case.updaet", "photo.removed"}
    assert found["patterns"] == {r"login\.[a-z_]+"} and "evidence.method" in found["literals"]


# ---- the doc's tables come from the registry -------------------------------------------------
def test_the_protocol_doc_lists_every_op_and_action_as_registered():
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(TABLES[0]) + len(TABLES[0]), text.index(TABLES[1])
    assert text[start:end].strip() == ops.markdown_tables().strip(), \
        "regenerate: python -m weicha_desktop.core.ops, paste between the GENERATED markers"
    for spec in ops.OPS:
        assert f"| `{spec.name}` | {spec.entity_kind} | {spec.payload_version} |" in text


def test_the_record_kinds_are_those_the_shipped_forms_declare():
    from tests.support import forms

    assert set(ops.RECORD_KINDS) == set(forms().kinds())
    assert "case.draft" in ops.draft_ops() and "inspection.draft" in ops.draft_ops(["inspection", "photo"])
    assert "photo.draft" not in ops.draft_ops(["photo"])


def test_a_misspelt_record_kind_is_refused_and_a_form_declared_one_only_for_its_records(store):
    """The reviewer's finding: ``<kind>.*`` derived for any kind let ``csae.create`` pass. A
    kind not in RECORD_KINDS is accepted for a record of that kind in ``records`` only."""
    admin = UserService(store).authenticate("admin", PASSWORD)
    spec = ops.op("inspection.create", "inspection", ["inspection"])
    body = example(spec.schema, "n1")
    for name, kind in (("csae.create", "csae"), ("inspection.create", "inspection")):
        with pytest.raises(UnknownName, match="未登记"):
            with store.change(admin) as ch:
                ch.log(name, kind, "n1", "新建")
        with pytest.raises(UnknownName, match="未登记"):
            with store.change(admin) as ch:
                ch.log("photo.reorder", "case", "c1", "调整照片顺序")
                ch.enqueue(kind, "n1", name, body)
    before = _counts(store)
    with store.change(admin) as ch:  # a inspection record in the registry: its names are known
        ch.conn.execute("INSERT INTO records (id, kind, status, current_version, form_id, created_at, "
                        "created_by, updated_at) VALUES ('n1', 'inspection', 'draft', 1, 'inspection_note', "
                        "?1, ?2, ?1)", (ch.now, admin.id))
        ch.log("inspection.create", "inspection", "n1", "新建")
        ch.enqueue("inspection", "n1", "inspection.create", body)
    assert _counts(store)[:2] == [before[0] + 1, before[1] + 1]
    with pytest.raises(UnknownName, match="未登记"):  # but not for another record's id
        with store.change(admin) as ch:
            ch.log("inspection.update", "inspection", "n2", "修改")


def test_any_kind_is_allowed_only_where_registered_so():
    assert ops.action("access.denied", "photo").object_kind == ANY
    with pytest.raises(UnknownName):
        ops.action("user.add", "case")
