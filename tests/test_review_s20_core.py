"""Hostile review of stop 20's product speed-ups in core (f59bea3, 370e520, a1ed720, 7d23d40,
9102958, 927696b): each test pins what a speed-up could have lost."""
from __future__ import annotations

import copy
import os
import random
import socket

import pytest

from weicha_desktop.core.errors import StoreLocked
from weicha_desktop.core.store.store import acquire_folder_lock

from test_forms_validate import good_record

STALE = "进程 4194304，主机 " + "一台名字很长的电脑" * 20  # an earlier holder's, longer than today's


def _holder() -> str:
    return f"进程 {os.getpid()}，主机 {socket.gethostname()}"


# ---- a1ed720: the folder lock's owner words ---------------------------------------------------
def test_a_second_program_is_shown_the_holder_exactly_while_the_owner_file_is_rewritten(tmp_path, monkeypatch):
    """Between writing the words over a longer stale text and cutting it to length (or with a
    crash there), a second program read the new words followed by the stale text's tail — a
    wrong host, or bytes cut mid-character that raised UnicodeDecodeError (a traceback)."""
    owner = tmp_path / "weicha.lock.owner"
    owner.write_text(STALE, encoding="utf-8")
    real, seen = os.ftruncate, []

    def second_program_looks_then_cut(fd, length):
        try:
            acquire_folder_lock(tmp_path).release()
        except StoreLocked as e:
            seen.append(str(e))
        except Exception as e:  # noqa: BLE001 — a traceback is what the test must not see
            seen.append(repr(e))
        raise OSError("killed before the cut")  # as a crash (or a failed truncate) leaves it

    monkeypatch.setattr(os, "ftruncate", second_program_looks_then_cut)
    lock = acquire_folder_lock(tmp_path)
    try:
        monkeypatch.setattr(os, "ftruncate", real)
        assert len(seen) == 1 and f"（{_holder()}）。" in seen[0], seen
        with pytest.raises(StoreLocked) as err:  # after the "crash": the file as it was left
            acquire_folder_lock(tmp_path)
        assert f"（{_holder()}）。" in str(err.value)
    finally:
        lock.release()


def test_a_damaged_owner_file_still_says_the_folder_is_in_use(tmp_path):
    """Bytes that are not UTF-8 in the owner file (a damaged disk, another program's
    leftovers): the second program is still told, in Chinese, that the folder is in use."""
    lock = acquire_folder_lock(tmp_path)
    try:
        (tmp_path / "weicha.lock.owner").write_bytes(b"\xff\xfe\xe8\xbf holder")
        with pytest.raises(StoreLocked) as err:
            acquire_folder_lock(tmp_path)
        assert "正被另一个微察程序使用" in str(err.value) and "holder" in str(err.value)
    finally:
        lock.release()


def test_the_folder_lock_is_taken_where_os_has_no_pwrite(tmp_path, monkeypatch):
    """Windows' os module has no pwrite: every Store.open raised AttributeError there."""
    monkeypatch.delattr(os, "pwrite", raising=False)
    (tmp_path / "weicha.lock.owner").write_text(STALE, encoding="utf-8")
    lock = acquire_folder_lock(tmp_path)
    try:
        assert (tmp_path / "weicha.lock.owner").read_text(encoding="utf-8") == _holder()
    finally:
        lock.release()


# ---- f59bea3: validate passes over an empty field before its relevance -------------------------
def _scene(**changes) -> dict:
    record = good_record()
    for key, value in changes.items():
        if key == "evidence0":
            record["evidence"][0].update(value)
        elif value is ...:
            record.pop(key, None)
        else:
            record[key] = value
    return record


REQUIRED_CASE_TYPE = ("case_type", "案件性质/类别：必填", "required")
TYPE_OTHER_UNWANTED = ("case_type_other", "案件性质/类别：未选“其他”，不应填写其他说明", "")
EMPTY_FIELDS = [  # (record, problems of a draft check, of a complete check): as before f59bea3
    (_scene(scene_state="altered", change_reason=...), [], [("change_reason", "变动原因：必填", "required")]),
    (_scene(scene_state="altered", change_reason="   "), [], [("change_reason", "变动原因：必填", "required")]),
    (_scene(scene_state="original", change_reason=""), [], []),  # required only when relevant
    (_scene(evidence0={"comparison_status": "match", "comparison_result": "x"}), [],
     [("evidence[0].compared_on", "痕迹物证 第1行 比对日期：必填", "required")]),
    (_scene(evidence0={"compared_on": ""}), [], []),
    (_scene(case_type=None, case_type_other="别的"), [TYPE_OTHER_UNWANTED],
     [REQUIRED_CASE_TYPE, TYPE_OTHER_UNWANTED]),
    (_scene(case_type="", case_type_other=5), [("case_type_other", "案件性质/类别（其他）：应为文字", "")],
     [REQUIRED_CASE_TYPE, ("case_type_other", "案件性质/类别（其他）：应为文字", "")]),
    (_scene(case_type="", case_type_other=""), [], [REQUIRED_CASE_TYPE]),
    (_scene(case_type=None, case_type_other=[]), [("case_type_other", "案件性质/类别（其他）：应为文字", "")],
     [REQUIRED_CASE_TYPE, ("case_type_other", "案件性质/类别（其他）：应为文字", "")]),  # empty, not text
    (_scene(reporter={"name": " ", "phone": None}), [], [("reporter", "报警人：必填", "required")]),
    (_scene(witnesses=[], no_witness_reason=None), [], []),
    (_scene(protection_measures=[], protection_measures_other="x"),
     [("protection_measures_other", "保护措施：未选“其他”，不应填写其他说明", "")],
     [("protection_measures_other", "保护措施：未选“其他”，不应填写其他说明", "")]),
]


def test_an_empty_field_gets_the_same_problems_as_before_it_was_passed_over():
    """Required, required only when relevant (in a row too), a person left blank, 其他 text
    beside an empty choice: the problems the check before f59bea3 found (compared with it on
    ~200,000 random records of the 9 shipped form versions, draft and complete: none differed)."""
    from weicha_desktop.core.forms import validate

    from support import forms

    spec = forms().latest("scene_investigation")
    for record, draft, complete in EMPTY_FIELDS:
        for full, expected in ((False, draft), (True, complete)):
            got = sorted((p.path, str(p.message), p.rule) for p in validate(spec, record, complete=full))
            assert got == sorted(expected), (record, full)


# ---- 7d23d40: one region table per form registry ----------------------------------------------
def test_a_region_table_is_shared_by_one_registry_and_never_by_another(tmp_path):
    """A registry over another forms folder reads that folder's regions.tsv, not a cached one."""
    from weicha_desktop.core.collect.regions import REGIONS_FILE, RegionTable

    class Registry:  # what RegionTable.of reads of a registry: its folder
        def __init__(self, folder):
            self.forms_dir = folder

    for name, region in (("a", "甲省"), ("b", "乙省")):
        (tmp_path / name / REGIONS_FILE).parent.mkdir(parents=True)
        (tmp_path / name / REGIONS_FILE).write_text(f"450000\t{region}\n", encoding="utf-8")
    first, second = Registry(tmp_path / "a"), Registry(tmp_path / "b")
    assert RegionTable.of(first) is RegionTable.of(first)
    assert RegionTable.of(first).region("450702") == "甲省"
    assert RegionTable.of(second).region("450702") == "乙省"


# ---- 9102958: the demo timeline as minutes ----------------------------------------------------
def test_the_demo_timeline_draws_the_same_times_as_before():
    import math
    from datetime import timedelta

    from weicha_desktop.core.demo import CASES_PER_MONTH, DEMO_END, timeline

    for count, seed in ((0, 1), (1, 2), (12, 7), (3_000, 5)):
        rng = random.Random(seed)
        days = max(180, math.ceil(count / CASES_PER_MONTH * 30.4))
        first = DEMO_END.replace(hour=0, minute=0) - timedelta(days=days)
        before = sorted(first + timedelta(days=rng.randrange(days), minutes=rng.randrange(7 * 60, 22 * 60))
                        for _ in range(count))
        after = random.Random(seed)
        assert timeline(count, after) == before and after.random() == rng.random()  # same draws


# ---- 927696b: the pull's form registry made once, only when rows come -------------------------
class _Server:
    """Empty pages for every table, but ``rows`` for the tables named."""

    def __init__(self, rows: dict):
        self.rows = rows

    def pull(self, table, cursor, limit):
        return {"rows": copy.deepcopy(self.rows.get(table, [])), "cursor": "c1", "complete": True}


def test_a_pull_makes_its_form_registry_once_and_only_when_rows_come(tmp_path, monkeypatch):
    from weicha_desktop.core.sync import pull as pulling
    from weicha_desktop.core.sync import reference

    from support import new_store

    made = []
    real = reference.local_forms
    monkeypatch.setattr(reference, "local_forms", lambda store, *a, **k: made.append(1) or real(store, *a, **k))
    monkeypatch.setattr(pulling, "local_forms", reference.local_forms)
    monkeypatch.setattr("weicha_desktop.core.sync.review.local_forms", reference.local_forms)
    with new_store(tmp_path / "d") as store:
        result = pulling.pull_all(store, _Server({}), review=True)
        assert result.error is None and made == []  # an idle pull: no registry
        garbage = {"id": "x", "record_id": "nope", "device_id": "other"}
        result = pulling.pull_all(store, _Server({"unit_records": [garbage], "decisions": [garbage]}),
                                  review=True)
        assert made == [1], result  # both tables brought rows: one registry
