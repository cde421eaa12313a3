"""A record kind = a form file + a small service (issue 9). A test-only kind, ``inspection``, is
declared by a form written here (tmp_path) and captured, numbered, finalized, reviewed,
amended and verified through the RecordService base, beside the shipped scene cases; the
forms' record-kind declarations are checked."""
import json
import shutil
import sqlite3

import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.errors import FinalizeBlocked, NotFound, ValidationFailed
from weicha_desktop.core.forms import FormError, FormRegistry, check_forms
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.record_service import RecordService
from weicha_desktop.core.records import finalized_hash
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import verify
from weicha_desktop.resources import forms_dir

from tests.media_support import make_photo
from tests.support import PASSWORD, UNIT, new_store, tamper

PATROL = """\
id: inspection_note
version: 1
title: {zh: 巡检记录, en: Inspection note}
record_kind: inspection
number_prefix: X
number_field: note_number
sections:
  - id: main
    title: {zh: 记录, en: Note}
    fields:
      - id: note_number
        type: text
        label: {zh: 巡检记录号, en: No.}
        readonly: true
      - id: place
        type: text
        label: {zh: 地点, en: Place}
        required: true
      - id: recorder
        type: text
        label: {zh: 记录人, en: Recorder}
        participant: true
      - id: items
        type: repeat
        label: {zh: 检查物品, en: Items}
        number_prefix: W
        fields:
          - id: number
            type: text
            label: {zh: 编号, en: No.}
            readonly: true
          - id: name
            type: text
            label: {zh: 名称, en: Name}
"""


class InspectionService(RecordService):
    """All a new kind needs beyond its form."""

    kind = "inspection"


def forms_with_inspection(tmp_path, text: str = PATROL):
    folder = tmp_path / "forms"
    shutil.copytree(forms_dir(), folder)
    (folder / "inspection_note.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def env(tmp_path):
    forms = FormRegistry(forms_with_inspection(tmp_path))
    store = new_store(tmp_path / "data")
    users = UserService(store)
    admin = users.authenticate("admin", PASSWORD)
    tech = users.add(admin, "王强", "technician", "tech-pass-1", badge_no="300001")
    boss = users.add(admin, "周建国", "supervisor", "boss-pass-1", badge_no="300002")
    yield store, forms, InspectionService(store, forms, tech), InspectionService(store, forms, boss)
    store.close()


def test_the_registry_knows_the_kinds_their_forms_and_number_letters(env):
    _, forms, inspection, _ = env
    assert forms.kinds() == {"case": "scene_investigation", "inspection": "inspection_note",
                             "person": "collect_person", "vehicle": "collect_vehicle",
                             "place": "collect_place", "patrol": "patrol", "request": "request"}
    assert forms.form_for("inspection") == "inspection_note" and inspection.noun == "巡检记录"
    assert forms.number_prefixes() == {"K": "勘验号", "H": "痕迹物证编号", "X": "巡检记录号",
                                       "W": "检查物品编号"}
    shipped = FormRegistry(forms_dir())
    assert all(shipped.get("scene_investigation", v).record_kind == "case"
               for v in shipped.versions("scene_investigation"))  # the archived versions too
    assert shipped.latest("scene_investigation").numbered_rows == {"evidence": "H"}


def test_a_record_of_a_new_kind_lives_its_whole_life_through_the_base_service(env):
    store, _, inspection, boss = env
    note = inspection.create({"place": "钦州市钦南区文峰路", "items": [{"name": "背包"}]})
    assert note.kind == "inspection" and note.number == f"X{UNIT}2026110001"
    assert note.data["note_number"] == note.number
    assert note.data["items"][0]["number"] == f"W{UNIT}2026110001"  # rows numbered as declared
    with pytest.raises(ValidationFailed, match="由系统填写"):
        inspection.update(note.id, {"note_number": "X1"})
    inspection.update(note.number, {"recorder": "王强", "place": None})
    with pytest.raises(FinalizeBlocked, match="地点"):
        inspection.finalize(note.id)
    inspection.update(note.id, {"place": "钦州市钦南区文峰路 12 号"})
    done = inspection.finalize(note.id)
    assert done.status == "finalized" and done.content_hash
    returned = boss.review(note.id, approve=False, comment="地点写到门牌")
    assert returned.version == 2 and returned.status == "draft" and returned.returned_comment
    inspection.finalize(note.id)
    assert boss.review(note.id, approve=True).status == "reviewed"
    amended = inspection.amend(note.id, "补记物品")
    assert amended.version == 3 and amended.amends_id
    actions = [e.action for e in store.audit_entries() if e.object_id == note.id]
    assert actions == ["inspection.create", "inspection.update", "inspection.update", "inspection.finalize",
                       "inspection.return", "inspection.finalize", "inspection.approve", "inspection.amend"]
    ops = [r[0] for r in store.conn.execute(
        "SELECT op FROM outbox WHERE entity_id = ? ORDER BY seq", (note.id,))]
    assert ops[:2] == ["inspection.create", "inspection.draft"] and "inspection.review" in ops
    payload = json.loads(store.conn.execute(
        "SELECT payload FROM outbox WHERE op = 'inspection.finalize' LIMIT 1").fetchone()[0])
    assert payload["inspection_id"] == note.id and payload["content_hash"] == done.content_hash
    # a kind of its own: not in the case list, not found as a case
    assert store.conn.execute("SELECT count(*) FROM cases").fetchone() == (0,)
    with pytest.raises(NotFound):
        CaseService(store, inspection.forms, inspection.actor).get(note.number)
    report = verify(store)
    assert report.ok, report.faults
    assert report.finalized_versions == 2


def test_verify_checks_finalized_records_of_every_kind(env, tmp_path):
    store, _, inspection, _ = env
    note = inspection.create({"place": "钦州市", "recorder": "王强"})
    photos = PhotoService(store, inspection.actor, inspection.forms)
    make_photo(tmp_path / "a.jpg", size=(64, 48))
    [result] = photos.import_files(note.id, [tmp_path / "a.jpg"], workers=1)
    assert result.status == "imported"
    done = inspection.finalize(note.id)
    assert json.loads(store.conn.execute("SELECT manifest FROM record_versions WHERE id = ?",
                                         (done.version_id,)).fetchone()[0])[0]["sha256"] == result.sha256
    assert verify(store).ok
    db = store.data_dir / "weicha.db"
    # the photo log of a finalized record of another kind than case: changed behind the program
    tamper(db, "UPDATE photos SET caption = '改过' WHERE record_id = ?", note.id)
    faults = verify(store).faults
    assert any(note.number in f and "照片记录与定稿时不一致" in f for f in faults), faults
    tamper(db, "UPDATE photos SET caption = '' WHERE record_id = ?", note.id)
    assert verify(store).ok
    # a finalized version of that kind forged with a correct hash but no finalize entry
    row = dict(zip([c[1] for c in store.conn.execute("PRAGMA table_info(record_versions)")],
                   store.conn.execute("SELECT * FROM record_versions WHERE id = ?",
                                      (done.version_id,)).fetchone()))
    row.update(id="forged-v", version=2, data=json.dumps({"place": "别处"}), amends_id=done.version_id,
               amend_reason="伪造")
    row["content_hash"] = finalized_hash(row)
    names = ", ".join(row)
    tamper(db, f"INSERT INTO record_versions ({names}) VALUES ({', '.join('?' * len(row))})", *row.values())
    tamper(db, "UPDATE records SET current_version = 2 WHERE id = ?", note.id)
    faults = verify(store).faults
    assert any(note.number in f and "第 2 版" in f and "没有它的定稿记录" in f for f in faults), faults
    assert any(note.number in f and "当前版本为第 2 版" in f for f in faults), faults


def test_drafts_of_a_new_kind_are_compacted_and_its_bundle_replays_on_a_store_with_its_form(env, tmp_path):
    """Compaction drops ``inspection.draft`` ops (every kind's drafts, not only case.draft); the
    kind's ops apply where the forms declare it, and are refused where they do not."""
    from weicha_desktop.core.sync.apply import apply_bundle
    from weicha_desktop.core.sync.queue import OutboxQueue

    store, forms, inspection, boss = env
    note = inspection.create({"place": "钦州市钦南区文峰路"})
    inspection.update(note.id, {"recorder": "王强"})
    inspection.update(note.id, {"place": "钦州市钦南区文峰路 12 号"})
    inspection.finalize(note.id)
    bundle = OutboxQueue(store, boss.actor).export_bundle()
    assert [op["op"] for op in bundle["ops"]] == ["inspection.create", "inspection.draft", "inspection.finalize"]
    assert bundle["ops"][1]["device_seq"] == 3  # the first draft (2) was superseded
    assert verify(store).ok
    elsewhere = new_store(tmp_path / "elsewhere")
    refused = apply_bundle(elsewhere, bundle, FormRegistry(forms_dir()))
    assert "未登记" in refused.message() and refused.applied == []
    assert apply_bundle(elsewhere, bundle, forms).ok
    rows = [dict(zip(("id", "number", "status", "hash"), r)) for r in elsewhere.conn.execute(
        "SELECT r.id, r.number, r.status, v.content_hash FROM records r JOIN record_versions v "
        "ON v.record_id = r.id")]
    assert rows == [{"id": note.id, "number": note.number, "status": "finalized",
                     "hash": inspection.get(note.id).content_hash}]
    elsewhere.close()


def test_a_kind_no_form_declares_is_refused(tmp_path):
    store = new_store(tmp_path / "data")
    admin = UserService(store).authenticate("admin", PASSWORD)
    with pytest.raises(NotFound, match="没有表单声明记录类型“inspection”"):
        InspectionService(store, FormRegistry(forms_dir()), admin)
    store.close()


@pytest.mark.parametrize("change, fragment", [
    (("number_prefix: X\n", "number_prefix: XY\n"), "number_prefix 须为一个大写英文字母"),
    (("record_kind: inspection\n", ""), "number_prefix 需要 record_kind"),
    (("number_field: note_number\n", "number_field: place\n"), "number_field 须为顶层的只读"),
    (("record_kind: inspection\n", "record_kind: Inspection\n"), "record_kind 须为小写英文标识"),
    (("number_prefix: W\n", "number_prefix: w\n"), "number_prefix 须为一个大写英文字母"),
    (("          - id: number\n", "          - id: serial\n"), "行内有只读（readonly）文字字段 number"),
    (("        label: {zh: 地点, en: Place}\n",
      "        label: {zh: 地点, en: Place}\n        number_prefix: P\n"), "只用于重复组"),
    # across forms: said at the second form that declares it (in file order)
    (("record_kind: inspection\n", "record_kind: case\n"), "记录类型“case”已由表单 inspection_note 声明"),
    (("number_prefix: X\n", "number_prefix: K\n"), "编号字头 K 已用于记录类型“inspection”"),
])
def test_forms_check_names_wrong_record_declarations(tmp_path, change, fragment):
    folder = forms_with_inspection(tmp_path, PATROL.replace(*change))
    found = check_forms(folder)
    assert any(fragment in p for p in found), found
    with pytest.raises(FormError):
        FormRegistry(folder)


def test_a_numbered_form_and_its_versions_must_agree_on_the_kind(tmp_path):
    folder = forms_with_inspection(tmp_path)
    (folder / "archive" / "inspection_note.v0.yaml").write_text(
        PATROL.replace("version: 1", "version: 2").replace("record_kind: inspection", "record_kind: beat")
        .replace("number_prefix: X\n", "number_prefix: Y\n"), encoding="utf-8")
    assert any("record_kind（beat）与其他版本（inspection）不同" in p for p in check_forms(folder))


def test_numbering_asks_the_registry_for_the_letters(env):
    store, forms, inspection, _ = env
    from weicha_desktop.core import numbering

    with pytest.raises(ValueError, match="no form declares"):
        with store.change(inspection.actor) as ch:
            ch.log("access.denied", "inspection", None, "x")
            numbering.allocate(ch, "Q", "obj", forms=forms)
    note = inspection.create({"place": "x", "recorder": "王强"})
    inspection.finalize(note.id)
    raw = sqlite3.connect(store.data_dir / "weicha.db")  # around the program: the trigger holds
    with pytest.raises(sqlite3.IntegrityError, match="已定稿过的记录不能删除"):
        raw.execute("DELETE FROM records WHERE id = ?", (note.id,))
    raw.close()


def test_a_kind_without_numbers_is_named_by_its_id(tmp_path):
    """A form may declare a kind without number_prefix: its records have no number."""
    text = PATROL.replace("number_prefix: X\nnumber_field: note_number\n", "")
    forms = FormRegistry(forms_with_inspection(tmp_path, text))
    store = new_store(tmp_path / "data")
    admin = UserService(store).authenticate("admin", PASSWORD)
    inspection = InspectionService(store, forms, admin)
    note = inspection.create({"place": "钦州市", "recorder": "admin"})
    assert note.number is None and "note_number" not in note.data
    assert inspection.get(note.id).id == note.id
    inspection.finalize(note.id)
    assert verify(store).ok, verify(store).faults
    store.close()
