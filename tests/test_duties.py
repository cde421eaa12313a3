"""Separation of duties (core/duties.py): nobody reviews a case they took part in; only the
case's investigators or a supervisor edit its draft or open a 补正. Every refusal is a
PermissionDenied with a Chinese reason and an ``access.denied`` entry of its own."""
from __future__ import annotations

import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.demo import scene_values
from weicha_desktop.core.errors import PermissionDenied
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import verify

from tests.media_support import make_photo
from tests.support import PASSWORD, new_store
from tests.support import forms as shipped_forms

CREW = [("黄志强", "副中队长"), ("陆海燕", "技术员")]  # named in the records, no accounts


@pytest.fixture
def env(tmp_path):
    store = new_store(tmp_path / "data")
    users = UserService(store)
    admin = users.authenticate("admin", PASSWORD)
    people = {"admin": admin}
    for name, role, display in (("liming", "technician", "李明"), ("wangfang", "technician", "王芳"),
                                ("zhou", "supervisor", "周建国"), ("chen", "supervisor", "陈国平")):
        people[name] = users.add(admin, name, role, PASSWORD, display_name=display,
                                    badge_no=f"2000{len(people):02d}")
    forms = shipped_forms()
    svc = {name: CaseService(store, forms, actor) for name, actor in people.items()}
    yield store, svc
    store.close()


def values(seed: int = 3, **extra):
    return {**scene_values(seed, technicians=CREW), **extra}


def finalized(svc, who="liming", **extra):
    case = svc[who].new_case(values(**extra))
    return svc[who].finalize(case.id)


def refused(store, call, match: str):
    """``call`` is refused with ``match`` in the reason, logged in one entry of its own
    (nothing else written: no record change, no outbox operation)."""
    before_log = store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    before_out = store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    cases_before = store.conn.execute("SELECT * FROM cases ORDER BY id").fetchall()
    with pytest.raises(PermissionDenied, match=match) as e:
        call()
    assert store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before_log + 1
    assert store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == before_out
    assert store.conn.execute("SELECT * FROM cases ORDER BY id").fetchall() == cases_before
    entry = store.audit_entries()[-1]
    assert entry.action == "access.denied" and entry.details["reason"] == str(e.value)
    return entry


def test_a_supervisor_who_created_a_case_cannot_approve_or_return_it(env):
    store, svc = env
    case = finalized(svc, "zhou")
    entry = refused(store, lambda: svc["zhou"].review(case.id, approve=True), "创建了该勘验.*职责分离")
    assert (entry.object_kind, entry.object_id, entry.user_name) == ("case", case.id, "zhou")
    assert entry.details["attempt"] == f"审核通过勘验 {case.number}"
    refused(store, lambda: svc["zhou"].review(case.id, approve=False, comment="补充"), "不能审核自己参与")
    assert svc["chen"].review(case.id, approve=True).status == "reviewed"  # another supervisor may
    assert verify(store).ok


NAMED_AS = {  # how a record names the supervisor 周建国 (user zhou) → the reason given
    "investigator": ({"investigators": [{"name": "周建国", "unit": "刑侦大队"},
                                        {"name": "黄志强", "unit": "刑侦大队"}]}, "勘验人员"),
    "recorder": ({"recorder": "周建国"}, "笔录人"),
    "video_recorder": ({"video_recorder": "周建国"}, "录像人"),
    "audio_recorder": ({"audio_recorder": "zhou"}, "录音人"),  # the user name counts too
    "sketcher": ({"sketcher": "周建国"}, "制图人"),
    "photographer": ({"photographer": "黄志强、周建国"}, "照相人"),  # one of several
    "commander": ({"commander": {"name": "周建国", "unit": "刑侦大队", "title": "大队长"}}, "指挥人"),
    "collector": (None, "提取人"),  # in a row of the evidence list
}


@pytest.mark.parametrize("how, match", [
    ("edited", "修改过该勘验"),
    ("finalized", "定稿过该勘验"),
    *[(how, f"在笔录中被列为{title}") for how, (_, title) in NAMED_AS.items()],
    ("photos", "导入或改动过该勘验的照片"),
])
def test_a_supervisor_who_took_part_in_any_way_cannot_review(env, tmp_path, how, match):
    store, svc = env
    extra = dict(NAMED_AS[how][0] or {}) if how in NAMED_AS else {}
    if how == "collector":
        rows = values()["evidence"]
        extra["evidence"] = [{**rows[0], "collector": "周建国"}, *rows[1:]]
    case = svc["liming"].new_case(values(**extra))
    if how == "edited":
        svc["zhou"].update(case.id, {"weather": "overcast"})
    if how == "photos":  # the technician imports, the supervisor gives the classes
        files = [make_photo(tmp_path / f"p{i}.jpg", seed=i) for i in range(4)]
        PhotoService(store, svc["liming"].actor, shipped_forms()).import_files(case.id, files, workers=1)
        boss = PhotoService(store, svc["zhou"].actor, shipped_forms())
        for photo, cls in zip(boss.list(case.id), ["方位", "概貌", "重点部位", "细目"]):
            boss.update(photo.id, photo_class=cls)
    finisher = "zhou" if how == "finalized" else "liming"
    svc[finisher].finalize(case.id)
    refused(store, lambda: svc["zhou"].review(case.id, approve=True), match)
    assert svc["chen"].review(case.id, approve=True).status == "reviewed"


def test_returning_is_not_taking_part(env):
    store, svc = env
    case = finalized(svc)
    svc["zhou"].review(case.id, approve=False, comment="请补充现场访问情况")
    svc["liming"].finalize(case.id)
    assert svc["zhou"].review(case.id, approve=True).status == "reviewed"


def test_only_investigators_or_a_supervisor_edit_a_draft_or_amend(env):
    store, svc = env
    case = svc["liming"].new_case(values())
    for call in (lambda: svc["wangfang"].update(case.id, {"weather": "overcast"}),
                 lambda: svc["wangfang"].autosave(case.id, {"weather": "overcast"}),
                 lambda: svc["wangfang"].finalize(case.id),
                 lambda: svc["admin"].update(case.id, {"weather": "overcast"})):
        refused(store, call, "不是勘验 .* 的勘验人员.*请由本案勘验人员或审核人")
    assert svc["wangfang"].recovered(case.id) is None  # the refused autosave left nothing
    # a supervisor may; a technician named in the record may
    assert svc["zhou"].update(case.id, {"weather": "overcast"}).data["weather"] == "overcast"
    svc["liming"].update(case.id, {"investigators": [{"name": "王芳"}, {"name": "黄志强"}]})
    assert svc["wangfang"].update(case.id, {"weather": "sunny"}).data["weather"] == "sunny"

    done = finalized(svc, "liming", seed=4)
    refused(store, lambda: svc["wangfang"].amend(done.id, "更正地址"), "不能修改或补正")
    assert svc["zhou"].amend(done.id, "更正地址").version == 2


def test_photos_of_a_draft_only_by_its_investigators(env, tmp_path):
    store, svc = env
    case = svc["liming"].new_case(values())
    photo = make_photo(tmp_path / "a.jpg")
    outsider = PhotoService(store, svc["wangfang"].actor, shipped_forms())
    refused(store, lambda: outsider.import_files(case.id, [photo], workers=1), "的照片|勘验人员")
    PhotoService(store, svc["liming"].actor, shipped_forms()).import_files(case.id, [photo], workers=1)
    first = PhotoService(store, svc["liming"].actor, shipped_forms()).list(case.id)[0]
    refused(store, lambda: outsider.update(first.id, caption="改"), "勘验人员")
    entry = store.audit_entries()[-1]
    assert entry.details["attempt"] == f"改动勘验 {case.number} 的照片"


def test_admins_review_only_what_they_took_no_part_in_and_technicians_never(env):
    store, svc = env
    theirs, mine = finalized(svc, "liming"), finalized(svc, "admin", seed=5)
    refused(store, lambda: svc["admin"].review(mine.id, approve=True), "创建了该勘验")
    assert svc["admin"].review(theirs.id, approve=True).status == "reviewed"
    other = finalized(svc, "liming", seed=6)
    refused(store, lambda: svc["wangfang"].review(other.id, approve=True), "只有审核人")


def test_autosave_checks_who_took_part_once_until_the_log_moves(env, monkeypatch):
    """An autosave every few seconds does not re-run took_part (audit and photo queries,
    every version's JSON) while nothing was logged since; any logged change (a name
    removed, say) makes the next one check again — the rule is not weakened."""
    from weicha_desktop.core import duties

    store, svc = env
    calls = []
    real = duties.took_part
    monkeypatch.setattr(duties, "took_part", lambda *a, **k: calls.append(a[3].name) or real(*a, **k))
    case = svc["liming"].new_case(values(investigators=[{"name": "王芳", "unit": "刑侦大队"}]))
    for i in range(10):
        svc["wangfang"].autosave(case.id, {"weather": "overcast" if i % 2 else "sunny"})
    assert calls == ["wangfang"]
    svc["liming"].update(case.id, {"investigators": [{"name": "黄志强", "unit": "刑侦大队"}]})
    refused(store, lambda: svc["wangfang"].autosave(case.id, {"weather": "雨"}), "不是勘验 .* 的勘验人员")
    assert calls == ["wangfang", "liming", "wangfang"]
