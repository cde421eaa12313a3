import hashlib
import os
import stat

import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.demo import scene_values
from weicha_desktop.core.errors import InvalidState, WeichaError
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import verify

from tests.media_support import bomb_png, make_photo, random_bytes, truncated, with_comment
from tests.support import PASSWORD, new_store, raw_writes
from tests.support import forms as shipped_forms


@pytest.fixture
def env(tmp_path):
    store = new_store(tmp_path / "data")
    actor = UserService(store).authenticate("admin", PASSWORD)
    cases = CaseService(store, shipped_forms(), actor)
    yield store, cases, PhotoService(store, actor, shipped_forms())
    store.close()


def _card(folder, n=3):
    """Camera files of 160x120 (decoding and thumbnails scale with pixels; none is looked at)."""
    folder.mkdir()
    return [make_photo(folder / f"IMG_{i:04d}.JPG", size=(160, 120), seed=i,
                       orientation=6 if i == 1 else 1, gps=(21.95, 108.62, 5.0)) for i in range(n)]


def test_import_a_card_with_bad_files_keeps_the_good_ones(env, tmp_path):
    store, cases, photos = env
    case = cases.new_case()
    good = _card(tmp_path / "DCIM", 3)
    bad = [random_bytes(tmp_path / "DCIM" / "junk.jpg"),
           truncated(tmp_path / "DCIM" / "cut.jpg", good[0], 0.3),
           bomb_png(tmp_path / "DCIM" / "bomb.png")]
    (tmp_path / "DCIM" / "empty.jpg").write_bytes(b"")
    before = {t: store.db[t].count for t in ("audit_log", "outbox")}
    seen = []
    results = photos.import_files(case.id, [tmp_path / "DCIM", good[2]],
                                  progress=lambda done, total, r: seen.append((done, total)))
    by_name = {os.path.basename(r.file): r for r in results}
    assert [r.status for r in results].count("imported") == 3
    assert by_name["junk.jpg"].status == "rejected" and "不是可识别" in by_name["junk.jpg"].reason
    assert "解压炸弹" in by_name["bomb.png"].reason and "为空" in by_name["empty.jpg"].reason
    assert "损坏" in by_name["cut.jpg"].reason
    assert results[-1].status == "duplicate"  # IMG_0002 given twice
    assert seen[-1] == (len(results), len(results))
    listed = photos.list(case.id)
    assert [p.position for p in listed] == [1, 2, 3]
    for p, src in zip(listed, good):
        original = photos.original_path(p)
        assert original.read_bytes() == src.read_bytes()
        assert p.sha256 == hashlib.sha256(src.read_bytes()).hexdigest()
        assert not os.stat(original).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        assert photos.thumbnail(p).is_file()
    assert (listed[1].width, listed[1].height) == (120, 160)  # orientation 6 stands upright
    assert listed[0].gps == {"lat": pytest.approx(21.95, abs=1e-5), "lon": pytest.approx(108.62, abs=1e-5),
                             "alt": 5.0}
    after = {t: store.db[t].count for t in ("audit_log", "outbox")}
    assert after["audit_log"] - before["audit_log"] == 3 and after["outbox"] - before["outbox"] == 3
    assert not list(store.blobs_dir.rglob("*.part"))
    assert not any((store.blobs_dir / ".staging").iterdir())
    checked = verify(store)  # once: it hashes every original
    assert checked.ok and checked.originals == 3


def test_the_same_file_in_two_cases_is_stored_once(env, tmp_path):
    store, cases, photos = env
    src = make_photo(tmp_path / "a.jpg")
    a, b = cases.new_case(), cases.new_case()
    assert photos.import_files(a.id, [src])[0].status == "imported"
    assert photos.import_files(b.id, [src])[0].status == "imported"
    assert photos.import_files(b.id, [src])[0].status == "duplicate"
    blobs = [p for p in store.blobs_dir.rglob("*") if p.is_file()]
    assert len(blobs) == 1


def test_classes_captions_order_and_the_finalize_rules(env, tmp_path):
    store, cases, photos = env
    case = cases.new_case(scene_values(4))
    photos.import_files(case.id, _card(tmp_path / "c", 4))
    ps = photos.list(case.id)
    for p, cls in zip(ps, ["方位", "概貌", "重点部位", "物证照片"]):
        photos.update(p.id, photo_class=cls, caption=f"{cls}照片")
    assert cases._facts(cases.get(case.id)) == {
        "photo_count": 4, "photo_classes": sorted(["方位", "物证照片", "概貌", "重点部位"])}
    assert [p.message for p in cases.blockers(case.id)] == ["缺少细目照片"]
    photos.update(ps[3].id, photo_class="细目")
    assert cases.blockers(case.id) == []
    reordered = photos.reorder(case.id, [ps[3].id, ps[0].id, ps[1].id, ps[2].id])
    assert [p.id for p in reordered] == [ps[3].id, ps[0].id, ps[1].id, ps[2].id]
    assert [p.position for p in reordered] == [1, 2, 3, 4]
    with pytest.raises(WeichaError):
        photos.reorder(case.id, [ps[0].id])
    cases.finalize(case.id)
    with pytest.raises(InvalidState, match="补正"):
        photos.update(ps[0].id, caption="改")
    with pytest.raises(InvalidState):
        photos.import_files(case.id, [make_photo(tmp_path / "late.jpg", seed=99)])
    actions = [e.action for e in store.audit_entries(object_kind="photo")]
    assert actions.count("photo.add") == 4 and actions.count("photo.update") == 5


def test_a_working_copy_leaves_the_original_untouched(env, tmp_path):
    store, cases, photos = env
    case = cases.new_case()
    src = make_photo(tmp_path / "o.jpg", size=(800, 600))
    photos.import_files(case.id, [src])
    original = photos.list(case.id)[0]
    copy = photos.derive(original.id, [{"op": "rotate", "degrees": 90},
                                       {"op": "crop", "box": [0, 0, 1, 0.5]},
                                       {"op": "arrow", "from": [0.1, 0.1], "to": [0.5, 0.5]},
                                       {"op": "marker", "at": [0.7, 0.3], "label": "1"},
                                       {"op": "note", "at": [0.05, 0.8], "text": "比例尺 1:1"}])
    assert copy.derived_from == original.id and copy.edits[0] == {"op": "rotate", "degrees": 90}
    assert (copy.width, copy.height) == (600, 400)
    assert photos.original_path(original).read_bytes() == src.read_bytes()
    assert copy.sha256 != original.sha256 and photos.thumbnail(copy).is_file()
    assert store.audit_entries()[-1].action == "photo.edit"
    with pytest.raises(WeichaError, match="旋转角度"):
        photos.derive(original.id, [{"op": "rotate", "degrees": 45}])


def test_verify_names_a_changed_and_a_vanished_original(env, tmp_path):
    store, cases, photos = env
    case = cases.new_case()
    photos.import_files(case.id, _card(tmp_path / "v", 2))
    first, second = photos.list(case.id)
    path = photos.original_path(first)
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    photos.original_path(second).unlink()
    report = verify(store)
    assert not report.ok
    assert any(first.sha256[:16] in f and "改动" in f and case.number in f for f in report.faults)
    assert any(second.sha256[:16] in f and "丢失" in f for f in report.faults)


def test_cancel_leaves_nothing_half_stored(env, tmp_path):
    store, cases, photos = env
    # A worker has one photo at a time (WorkerPool.run): at the first result the others are
    # still in the pool's hands or unsent whatever their size, so small photos cancel the same.
    # Photos are stored in the order given: on a loaded machine the first file's worker can be
    # held up while the other worker finishes all the rest, and the first progress (the cancel)
    # then comes after the last file. That is no cancel mid-batch: a new batch (other files,
    # another case) is imported instead, at most 3 times.
    for attempt in range(3):
        case = cases.new_case()
        before = {p.name for p in store.blobs_dir.rglob("*") if p.is_file()}
        files = [make_photo(tmp_path / f"c{attempt}-{i}.jpg", size=(320, 240), seed=attempt * 16 + i)
                 for i in range(16)]
        done = []
        results = photos.import_files(case.id, files, progress=lambda d, t, r: done.append(r),
                                      cancelled=lambda: len(done) >= 1)
        if len(results) < 16:
            break
    assert 1 <= len(results) < 16
    stored = photos.list(case.id)
    assert len(stored) == len([r for r in results if r.status == "imported"])
    assert not list(store.blobs_dir.rglob("*.part"))
    assert not any((store.blobs_dir / ".staging").iterdir())
    on_disk = {p.name for p in store.blobs_dir.rglob("*") if p.is_file()} - before
    assert on_disk == {p.sha256 for p in stored}


def test_finalize_hashes_the_photo_log_and_verify_sees_later_changes(env, tmp_path):
    from tests.support import tamper

    store, cases, photos = env
    case = cases.new_case(scene_values(6))
    photos.import_files(case.id, _card(tmp_path / "f", 4))
    for p, cls in zip(photos.list(case.id), ["方位", "概貌", "重点部位", "细目"]):
        photos.update(p.id, photo_class=cls)
    done = cases.finalize(case.id)
    row = next(store.db.query("SELECT manifest FROM record_versions WHERE id = ?", [done.version_id]))
    import json
    assert [m["photo_class"] for m in json.loads(row["manifest"])] == ["方位", "概貌", "重点部位", "细目"]
    import sqlite3
    with pytest.raises(sqlite3.IntegrityError, match="已定稿"), raw_writes(store):
        store.conn.execute("UPDATE photos SET caption = 'x' WHERE record_id = ?", (case.id,))
    assert verify(store).ok
    store.close()
    tamper(tmp_path / "data" / "weicha.db", "UPDATE photos SET photo_class = '其他' WHERE position = 4")
    from weicha_desktop.core.store import Store
    with Store.open(tmp_path / "data", readonly=True) as ro:
        faults = verify(ro).faults
    assert any(case.number in f and "照片记录" in f for f in faults), faults


def test_remove_a_photo_from_a_draft_and_bring_it_back(env, tmp_path):
    store, cases, photos = env
    case = cases.new_case()
    files = _card(tmp_path / "r", 3)
    photos.import_files(case.id, files)
    first, second, third = photos.list(case.id)
    with pytest.raises(WeichaError, match="原因"):
        photos.remove(second.id, " ")
    left = photos.remove(second.id, "重复拍摄")
    assert [(p.id, p.position) for p in left] == [(first.id, 1), (third.id, 2)]
    assert photos.original_path(second).is_file()  # the original is kept
    entry = store.audit_entries()[-1]
    assert entry.action == "photo.remove" and "重复拍摄" in entry.summary
    photos.reorder(case.id, [third.id, first.id])  # removed rows stay out of the numbering
    again = photos.import_files(case.id, [files[1]])
    assert again[0].status == "imported" and again[0].photo_id == second.id
    assert [(p.id, p.position) for p in photos.list(case.id)] == [(third.id, 1), (first.id, 2), (second.id, 3)]
    assert cases._facts(cases.get(case.id))["photo_count"] == 3
    assert verify(store).ok


def test_photo_descriptions_are_checked(env, tmp_path):
    store, cases, photos = env
    case = cases.new_case({"evidence": scene_values(2)["evidence"][:1]})
    number = cases.get(case.id).data["evidence"][0]["number"]
    photos.import_files(case.id, _card(tmp_path / "d", 1))
    p = photos.list(case.id)[0]
    with pytest.raises(WeichaError, match="分类"):
        photos.update(p.id, photo_class="垃圾")
    with pytest.raises(WeichaError, match="没有编号"):
        photos.update(p.id, evidence_number="H4507020000002026119999")
    done = photos.update(p.id, caption=None, photo_class="细目", evidence_number=number)
    assert (done.caption, done.photo_class, done.evidence_number) == ("", "细目", number)
    assert photos.update(p.id, evidence_number="").evidence_number is None


def test_the_same_working_copy_twice_is_refused_plainly(env, tmp_path):
    store, cases, photos = env
    case = cases.new_case()
    photos.import_files(case.id, _card(tmp_path / "w", 1))
    src = photos.list(case.id)[0]
    copy = photos.derive(src.id, [{"op": "rotate", "degrees": 90}])
    with pytest.raises(WeichaError, match=f"第 {copy.position} 号"):
        photos.derive(src.id, [{"op": "rotate", "degrees": 90}])
    photos.remove(copy.id, "不需要")
    again = photos.derive(src.id, [{"op": "rotate", "degrees": 90}])
    assert again.id == copy.id and again.position == 2  # the removed copy comes back
    assert not any((store.blobs_dir / ".staging").iterdir())


def test_two_imports_at_once_keep_each_others_copies(env, tmp_path):
    """Two batches (two case tabs) import at the same time: neither deletes the other's
    copies in progress."""
    import threading

    from weicha_desktop.core.store import Store

    store, cases, photos = env
    a, b = cases.new_case(), cases.new_case()
    small = _card(tmp_path / "small", 2)
    picture = make_photo(tmp_path / "big.jpg", size=(2400, 1800)).read_bytes()  # encoded once: 10 files of it
    big = [tmp_path / f"big{i}.jpg" for i in range(10)]
    for i, path in enumerate(big):
        path.write_bytes(with_comment(picture, b"%d" % i))
    other = Store.open(store.data_dir, lock=False)
    results = {}
    t = threading.Thread(target=lambda: results.__setitem__(
        "big", PhotoService(other, photos.actor, shipped_forms()).import_files(b.id, big, workers=1)))
    t.start()
    results["small"] = photos.import_files(a.id, small, workers=1)
    t.join(120)
    other.close()
    assert [r.status for r in results["small"]] == ["imported"] * 2
    assert [r.status for r in results["big"]] == ["imported"] * 10, [r.reason for r in results["big"]]


def test_edited_evidence_rows_cannot_share_a_number(env):
    _, cases, _ = env
    case = cases.new_case({"evidence": scene_values(2)["evidence"][:1]})
    row = cases.get(case.id).data["evidence"][0]
    from weicha_desktop.core.errors import ValidationFailed
    with pytest.raises(ValidationFailed, match="重复"):
        cases.update(case.id, {"evidence": [row, {**row, "name": "另一个"}]})


def test_verify_reports_an_original_replaced_by_a_folder(env, tmp_path):
    store, cases, photos = env
    case = cases.new_case()
    photos.import_files(case.id, _card(tmp_path / "x", 1))
    path = photos.original_path(photos.list(case.id)[0])
    path.unlink()
    path.mkdir()
    faults = verify(store).faults
    assert any("无法读取" in f for f in faults), faults


def test_the_photo_classes_are_those_of_the_forms_the_service_was_given(env, tmp_path):
    """No copy of the class list read once for the whole process: a service given other
    forms (another unit's list) checks against that list."""
    import shutil

    from weicha_desktop.core.forms import FormRegistry
    from weicha_desktop.resources import forms_dir

    store, cases, _ = env
    folder = tmp_path / "forms"
    shutil.copytree(forms_dir(), folder)
    path = folder / "choices" / "photo_classes.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  - {code: other, zh: 其他, en: Other}", "  - {code: other, zh: 其他, en: Other}\n"
        "  - {code: aerial, zh: 航拍, en: Aerial}"), encoding="utf-8")
    case = cases.new_case()
    photos = PhotoService(store, cases.actor, FormRegistry(folder))
    photos.import_files(case.id, _card(tmp_path / "x", 1))
    [photo] = photos.list(case.id)
    assert "航拍" in photos.photo_classes()
    assert photos.update(photo.id, photo_class="航拍").photo_class == "航拍"
    with pytest.raises(WeichaError, match="不在分类表中"):
        PhotoService(store, cases.actor, shipped_forms()).update(photo.id, photo_class="航拍")
