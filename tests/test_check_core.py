"""核查 (core/checks): keys normalized, lists imported (UTF-8/BOM/GBK, bad rows with their line,
one change), a check's hits and misses, list ages, and every check logged, synced and replayed."""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.collect import PersonService, VehicleService
from weicha_desktop.core.checks import (BadKey, CheckService, ImportRefused, import_list, key_for,
                                        lists, read_key, set_max_age_days)
from weicha_desktop.core.checks.keys import person_key, vehicle_key
from weicha_desktop.core.errors import PermissionDenied
from weicha_desktop.core.forms.validators import id_check_char
from weicha_desktop.core.store import Store
from weicha_desktop.core.store.oplog import outbox_envelope
from weicha_desktop.core.sync.apply import apply_ops
from weicha_desktop.core.sync.reference import apply_rows
from weicha_desktop.core.users import UserService

from tests.outbox_support import outbox_rows
from tests.support import ManualClock, admin, forms, new_store, store  # noqa: F401 (fixtures)

TODAY = date(2026, 11, 27)


def idn(first17: str) -> str:
    return first17 + id_check_char(first17)


WANTED = idn("45070219800101123")      # 在逃人员
MISSING = idn("45070220100202004")     # 失踪人员
CLEAN = idn("45070219900303005")


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def logged(store: Store, action: str) -> list:
    return [e for e in store.audit_entries() if e.action == action]


def checks_logged(store: Store) -> list[tuple]:
    return store.conn.execute("SELECT kind, key, result FROM checks ORDER BY at, id").fetchall()


# ---- keys ------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed, key", [
    ("11010519491231002x", "11010519491231002X"),
    ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),          # full-width
    (" 110105 1949-1231 002X ", "11010519491231002X"),
    ("110105491231002", "11010519491231002X"),                             # 15 → 18 digits
])
def test_id_numbers_are_normalized(typed, key):
    assert person_key(typed, TODAY) == key


@pytest.mark.parametrize("typed, key", [
    ("桂a·12345", "桂A12345"), ("桂A 12345", "桂A12345"), ("粤B.D12345", "粤BD12345"),
    ("京Ａ１２３４５", "京A12345"), ("桂K1234挂", "桂K1234挂"), ("沪A-12345D", "沪A12345D"),
])
def test_plates_are_normalized(typed, key):
    assert vehicle_key(typed) == key


@pytest.mark.parametrize("kind, typed, why", [
    ("person", "110105194912310021X", "18位"), ("person", "110105194912310029", "校验位"),
    ("person", "110105209912310026", "未来"), ("person", "", "没有输入"),
    ("vehicle", "桂A1234", "7位"), ("vehicle", "XA12345", "省份"), ("vehicle", "桂AO1234", "I、O"),
    ("vehicle", "桂A1234\x00", "控制字符"), ("vehicle", "桂" * 500, "过长"),
])
def test_bad_input_is_refused_saying_why(kind, typed, why):
    with pytest.raises(BadKey, match=why):
        key_for(kind, typed, TODAY)


def test_read_key_guesses_the_kind_and_finds_the_number_in_a_scanned_text():
    assert read_key("桂a12345", TODAY) == ("vehicle", "桂A12345")
    assert read_key(WANTED, TODAY) == ("person", WANTED)
    assert read_key(f"姓名:张三|公民身份号码:{WANTED.lower()}|签发机关:钦州", TODAY) == ("person", WANTED)
    assert read_key("号牌 桂A·12345 蓝", TODAY) == ("vehicle", "桂A12345")
    with pytest.raises(BadKey, match="不是有效的身份证号或号牌"):
        read_key("https://example.com/123", TODAY)


# ---- import ----------------------------------------------------------------------------------
def test_a_gbk_list_is_imported_with_its_version_date_and_extra_columns(store, admin, tmp_path):
    f = write_csv(tmp_path / "v.csv", "号牌,车主,原因,颜色\n桂A12345,张三,被盗,白\n桂a·5678X,,被抢,\n", "gbk")
    report = import_list(store, admin, f, "被盗抢机动车", version="2026-11", list_date="2026-11-20")
    assert (report.kind, report.encoding, report.imported, report.version, report.date) == \
        ("vehicle", "GBK", 2, "2026-11", "2026-11-20")
    hit = CheckService(store, admin).lookup("vehicle", "桂A12345")[0]
    assert (hit.list, hit.list_version, hit.list_date, hit.reason, hit.extra) == \
        ("被盗抢机动车", "2026-11", "2026-11-20", "被盗", {"车主": "张三", "颜色": "白"})
    entry = logged(store, "watchlist.import")[-1]
    assert entry.details["entries"] == 2 and entry.details["sha256"] == report.sha256


@pytest.mark.parametrize("encoding, word", [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8（带 BOM）")])
def test_utf8_with_or_without_bom(store, admin, tmp_path, encoding, word):
    f = write_csv(tmp_path / "p.csv", f"身份证号,姓名,原因\n{WANTED},李四,网上追逃\n", encoding)
    report = import_list(store, admin, f, "在逃人员")
    assert (report.encoding, report.kind, report.imported) == (word, "person", 1)


def test_bad_rows_refuse_the_file_naming_each_line_and_nothing_is_written(store, admin, tmp_path):
    f = write_csv(tmp_path / "p.csv", f"身份证号,姓名\n{WANTED},李四\n\n110105194912310029,王五\n"
                                      f"{WANTED.lower()},重复\n,空\n{CLEAN},x,多一列\n")
    with pytest.raises(ImportRefused) as e:
        import_list(store, admin, f, "在逃人员")
    text = str(e.value)
    assert [line for line, _ in e.value.problems] == [4, 5, 6, 7]
    assert "第 4 行：身份证号 110105194912310029 有误：校验位不符" in text
    assert "第 5 行" in text and "与第 2 行重复" in text and "第 6 行：缺少身份证号" in text
    assert "--skip-bad" in text
    assert store.conn.execute("SELECT count(*) FROM watch_entries").fetchone()[0] == 0
    assert not logged(store, "watchlist.import")
    report = import_list(store, admin, f, "在逃人员", skip_bad=True)
    assert report.imported == 1 and [p[0] for p in report.problems] == [4, 5, 6, 7]
    assert logged(store, "watchlist.import")[-1].details["skipped_lines"] == [4, 5, 6, 7]


@pytest.mark.parametrize("content, why", [
    (b"", "身份证号"), ("姓名,原因\n张三,x\n".encode(), "身份证号"),
    ("\ufeff号牌\n桂A12345\n".encode("utf-16"), "UTF-16"), (b"\xef\xbb\xbf\xff\xfe\n", "不是 UTF-8"),
    ("证件号码,姓名\n桂A12345,x\n".encode(), "--kind"), ("身份证号\n\n".encode(), "没有可导入的条目"),
    ("号牌\n桂A12345\n".encode("gbk") + b"\x81", "既不是 UTF-8 也不是 GBK"),
])
def test_files_that_cannot_be_read_are_refused_in_chinese(store, admin, tmp_path, content, why):
    f = tmp_path / "bad.csv"
    f.write_bytes(content)
    with pytest.raises(ImportRefused, match=why):
        import_list(store, admin, f, "某名单")


def test_a_new_import_replaces_the_list_whole_and_counts_its_version(store, admin, tmp_path):
    import_list(store, admin, write_csv(tmp_path / "a.csv", f"身份证号\n{WANTED}\n"), "在逃人员")
    report = import_list(store, admin, write_csv(tmp_path / "b.csv", f"身份证号\n{CLEAN}\n"), "在逃人员")
    assert (report.version, report.replaced) == ("2", 1)
    svc = CheckService(store, admin)
    assert not svc.lookup("person", WANTED) and svc.lookup("person", CLEAN)
    with pytest.raises(ImportRefused, match="人员名单"):  # a list keeps its kind
        import_list(store, admin, write_csv(tmp_path / "c.csv", "号牌\n桂A12345\n"), "在逃人员")


def test_only_an_administrator_imports_and_the_refusal_is_logged(store, admin, tmp_path):
    UserService(store).add(admin, "tech", "technician", "secret-123", "勘验员甲", badge_no="100002")
    tech = UserService(store).authenticate("tech", "secret-123")
    with pytest.raises(PermissionDenied, match="管理员"):
        import_list(store, tech, write_csv(tmp_path / "a.csv", f"身份证号\n{WANTED}\n"), "在逃人员")
    assert logged(store, "access.denied")[-1].object_id == "在逃人员"
    with pytest.raises(PermissionDenied):
        set_max_age_days(store, tech, 3)


# ---- checks ----------------------------------------------------------------------------------
@pytest.fixture
def held(store, admin, tmp_path):
    import_list(store, admin, write_csv(tmp_path / "w.csv", f"身份证号,姓名,原因\n{WANTED},李四,网上追逃\n"),
                "在逃人员", list_date="2026-11-25")
    import_list(store, admin, write_csv(tmp_path / "m.csv", f"身份证号,姓名\n{MISSING},小明\n"), "失踪人员",
                instruction="送回钦南派出所，联系电话 0777-1234567。")
    import_list(store, admin, write_csv(tmp_path / "v.csv", "号牌,原因\n桂A12345,被盗\n"), "被盗抢机动车")
    return CheckService(store, admin)


def test_a_hit_gives_the_entry_the_list_and_what_to_do(held):
    r = held.check(WANTED.lower(), None, "scanner")
    assert r.hit and r.result == "hit" and r.kind == "person" and r.key == WANTED
    (h,) = r.hits
    assert (h.list, h.list_version, h.list_date, h.name, h.reason) == ("在逃人员", "1", "2026-11-25", "李四", "网上追逃")
    assert "报告指挥中心" in h.instruction                              # the default for 在逃人员
    assert held.check(MISSING, "person").hits[0].instruction == "送回钦南派出所，联系电话 0777-1234567。"
    assert held.check("桂a 12345", "vehicle").hits[0].list == "被盗抢机动车"


def test_a_miss_says_how_old_the_lists_are_and_warns_past_the_limit(store, admin, tmp_path):
    clock = ManualClock()
    s = new_store(tmp_path / "aged", clock=clock)
    boss = UserService(s).authenticate("admin", "secret-123")
    import_list(s, boss, write_csv(tmp_path / "w.csv", f"身份证号\n{WANTED}\n"), "在逃人员",
                list_date="2026-11-24")
    svc = CheckService(s, boss)
    r = svc.check(CLEAN, "person")
    assert not r.hit and [(i.name, i.age_days, i.stale) for i in r.lists] == [("在逃人员", 3, False)]
    assert r.warnings == []
    clock.advance(timedelta(days=5).total_seconds())
    r = svc.check(CLEAN, "person")
    assert r.lists[0].age_days == 8 and r.lists[0].stale and "8 天未更新（超过 7 天）" in r.warnings[0]
    set_max_age_days(s, boss, 30)
    assert CheckService(s, boss).check(CLEAN, "person").warnings == []
    assert "没有车辆核查名单" in svc.check("桂A12345", "vehicle").warnings[0]
    s.close()


def test_every_check_is_logged_and_synced_whatever_the_result(held, store):
    held.check(WANTED, "person")
    held.check(CLEAN, "person")
    held.check("桂B12345", "vehicle")
    with pytest.raises(BadKey):
        held.check("桂B1234", "vehicle")               # refused input: nothing checked, nothing logged
    assert checks_logged(store) == [("person", WANTED, "hit"), ("person", CLEAN, "miss"),
                                    ("vehicle", "桂B12345", "miss")]
    entries = logged(store, "check.run")
    assert [e.details["result"] for e in entries] == ["hit", "miss", "miss"]
    assert entries[0].user_name == "admin" and entries[0].details["lists"] == ["在逃人员"]
    ops = [r for r in outbox_rows(store) if r["op"] == "check.run"]
    assert len(ops) == 3
    payload = json.loads(ops[0]["payload"])
    assert (payload["key"], payload["result"], payload["hits"][0]["list"], payload["by"]["name"]) == \
        (WANTED, "hit", "在逃人员", "admin")
    assert {li["name"] for li in payload["lists"]} == {"在逃人员", "失踪人员"}


def test_the_checks_log_cannot_be_edited(held, store):
    from tests.support import raw_writes

    held.check(WANTED, "person")
    import sqlite3
    with raw_writes(store), pytest.raises(sqlite3.IntegrityError, match="不能修改"):
        store.conn.execute("UPDATE checks SET result = 'miss'")
    with raw_writes(store), pytest.raises(sqlite3.IntegrityError, match="不能删除"):
        store.conn.execute("DELETE FROM checks")


def test_checks_replay_into_another_store(held, store, tmp_path):
    held.check(WANTED, "person")
    held.check("桂A12345", "vehicle")
    envelopes = [outbox_envelope(r) for r in outbox_rows(store)]
    other = new_store(tmp_path / "server-side")
    try:
        assert apply_ops(other, envelopes, forms()).ok
        rows = "SELECT id, at, user_name, kind, key, source, result, hits, lists, records FROM checks ORDER BY id"
        assert other.conn.execute(rows).fetchall() == store.conn.execute(rows).fetchall()
        assert len(other.conn.execute(rows).fetchall()) == 2
    finally:
        other.close()


def test_the_servers_lists_are_checked_too(store, admin):
    with store.change(admin) as ch:
        apply_rows(ch, "watch_lists", [{"list": "vehicle", "key": "桂C54321", "name": "", "reason": "上级通报被盗",
                                        "active": True, "seq": 7}])
        ch.conn.execute("INSERT INTO pull_cursors (tbl, cursor, pulled_at) VALUES ('watch_lists', '7', ?)", (ch.now,))
        ch.log("sync.pull", "device", None, "pulled")
    r = CheckService(store, admin).check("桂C·54321", "vehicle")
    assert r.hit and (r.hits[0].source, r.hits[0].reason, r.hits[0].list_version) == ("server", "上级通报被盗", "7")
    assert [(i.name, i.entries) for i in lists(store, TODAY, counts=True)] == [("上级下发名单（车辆）", 1)]


def test_local_records_that_name_the_number_are_shown(held, store, admin):
    cases = CaseService(store, forms(), admin)
    case = cases.new_case()
    cases.update(case.number, {"witnesses": [{"name": "王五", "id_number": CLEAN}]})
    r = held.check(CLEAN, "person")
    assert not r.hit
    assert [(m.number, m.field, m.name) for m in r.records] == [(case.number, "witnesses[0].id_number", "王五")]
    assert json.loads(store.conn.execute("SELECT records FROM checks").fetchone()[0])[0]["number"] == case.number


def test_history_lists_the_checks_newest_first(held):
    held.check(WANTED, "person")
    held.check(CLEAN, "person")
    rows = held.history()
    assert [(r["key"], r["result"]) for r in rows] == [(CLEAN, "miss"), (WANTED, "hit")]
    assert rows[1]["lists"] == ["在逃人员"]


def test_collect_persons_and_vehicles_are_found_by_their_own_number(held, admin):
    PersonService(held.store, forms(), admin).create({"name": "李四", "id_number": WANTED.lower()})
    VehicleService(held.store, forms(), admin).create({"plate": "桂A·12345"})
    r = held.check(WANTED, "person")
    assert r.hit and [(m.kind, m.field) for m in r.records] == [("person", "id_number")]
    assert "李四" in r.records[0].name
    assert [(m.kind, m.field) for m in held.check("桂A12345", "vehicle").records] == [("vehicle", "plate")]


def test_migration_17_indexes_the_numbers_already_in_records(tmp_path):
    import sqlite3

    from weicha_desktop.core.store.migrations import migrate

    new_store(tmp_path / "old").close()
    conn = sqlite3.connect(tmp_path / "old" / "weicha.db", isolation_level=None)
    for obj in ("TRIGGER record_keys_insert", "TRIGGER record_keys_update", "TRIGGER record_keys_delete",
                "TABLE record_keys"):
        conn.execute(f"DROP {obj}")
    conn.execute("PRAGMA user_version = 16")   # migration 17 undone: as a folder from before it
    data = json.dumps({"witnesses": [{"name": "王五", "id_number": CLEAN.lower()}], "no": "x"})
    conn.execute("INSERT INTO record_versions (id, record_id, kind, version, form_id, form_version, data, "
                 "created_at, created_by, updated_at) VALUES ('v1', 'r1', 'case', 1, 'f', 1, ?, 't', 'u', 't')",
                 (data,))
    assert [m.version for m in migrate(conn, target=17)] == [17]
    assert conn.execute("SELECT key, version_id, field, name FROM record_keys").fetchall() == \
        [(CLEAN, "v1", "witnesses[0].id_number", "王五")]
    conn.execute("UPDATE record_versions SET data = '{}'")          # a draft saved without the witness
    assert conn.execute("SELECT count(*) FROM record_keys").fetchone()[0] == 0
    conn.close()


def test_an_import_that_fails_midway_leaves_the_list_as_it_was(store, admin, tmp_path, monkeypatch):
    from weicha_desktop.core.store import Change

    import_list(store, admin, write_csv(tmp_path / "a.csv", f"身份证号\n{WANTED}\n"), "在逃人员")
    real_log = Change.log

    def failing_log(self, action, *args, **kwargs):
        if action == "watchlist.import":  # after the old entries went and the new ones were written
            raise OSError("disk full")
        return real_log(self, action, *args, **kwargs)

    monkeypatch.setattr(Change, "log", failing_log)
    with pytest.raises(OSError):
        import_list(store, admin, write_csv(tmp_path / "b.csv", f"身份证号\n{CLEAN}\n{MISSING}\n"), "在逃人员")
    assert store.conn.execute("SELECT key FROM watch_entries").fetchall() == [(WANTED,)]
    assert store.conn.execute("SELECT version, entries FROM watch_sets").fetchall() == [("1", 1)]


def test_demo_lists_and_checks_include_hits_on_demo_witnesses(store, admin):
    from weicha_desktop.core.checks.demo import fill_demo_checks

    cases = CaseService(store, forms(), admin)
    for who, number in (("王五", CLEAN), ("赵六", MISSING)):
        cases.update(cases.new_case().number, {"witnesses": [{"name": who, "id_number": number}]})
    results = fill_demo_checks(store, admin, admin, entries=20, checks=8)
    assert results["hit"] >= 4 and sum(results.values()) == 8
    assert {i.name for i in lists(store, TODAY)} == {"在逃人员", "失踪人员", "被盗抢机动车"}
    witness_hits = store.conn.execute("SELECT count(*) FROM checks WHERE result = 'hit' AND records <> '[]'")
    assert witness_hits.fetchone()[0] == 2    # the wanted and the missing person who are witnesses
