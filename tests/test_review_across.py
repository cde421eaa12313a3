"""Review across laptops (issue 11, slice S3) on a real server process, SQLite and PostgreSQL:
a supervisor's laptop pulls the unit's records as read-only copies (photos as thumbnails,
originals on demand), returns one at a section; the owner's laptop pulls the decision and
opens the new draft there; a second decision on one version is 409; a decision racing the
owner's amendment: taken and kept as history when it arrives first, 409 superseded when the
amendment does."""
from __future__ import annotations

import json

import pytest

from weicha_desktop.core.canonical import sha256_hex
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.errors import PermissionDenied
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.sync import is_copy
from weicha_desktop.core.sync.pull import pull_all
from weicha_desktop.core.sync.push import sync_once
from weicha_desktop.core.sync.review import fetch_original
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import open_for_verify, verify

from tests.media_support import make_photo
from tests.outbox_support import outbox_rows
from tests.server_support import BACKENDS, closes_laptops, import_photos  # noqa: F401
from tests.shared_server_support import shared_server  # noqa: F401
from tests.support import forms
from tests.sync_support import client, enrolled

SUPERVISOR_PASSWORD = "Zhou-2026-review"


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, shared_server):  # noqa: F811 — one per backend for the test process
    return shared_server(request.param)


def supervisor_laptop(server, path, unit, badge="450002"):
    lt, config = enrolled(server, path, unit)
    users = UserService(lt.store)
    users.add(lt.actor, f"sup{badge}", "supervisor", SUPERVISOR_PASSWORD, badge_no=badge)
    return lt, config, users.authenticate(f"sup{badge}", SUPERVISOR_PASSWORD)


def push(lt, config):
    with client(config) as c:
        r = sync_once(lt.store, c, config=config)
    assert r.error is None, r.error
    return r


def pull(lt, config, **kw):
    with client(config) as c:
        return pull_all(lt.store, c, server_id=config.require().server_id, **kw), c


def cases(lt, actor):
    return CaseService(lt.store, forms(), actor)  # no form published in this module: the shipped ones


def test_a_return_made_on_the_supervisors_laptop_opens_the_owners_new_draft(server, tmp_path):
    owner, owner_cfg = enrolled(server, tmp_path / "owner", "450702000001")  # a unit of the test's own
    case = owner.new_case(1)
    shas = import_photos(owner, case, [make_photo(tmp_path / f"p{i}.jpg", size=(60, 40), seed=i) for i in range(4)])
    photos = PhotoService(owner.store, owner.actor, forms())
    for photo, cls in zip(photos.list(case), forms().choices("photo_classes")):  # 方位、概貌、重点部位、细目
        photos.update(photo.id, photo_class=cls.value)
    owner.cases().finalize(case)
    sha = shas[0]
    number = owner.cases().get(case).number
    push(owner, owner_cfg)
    sup_lt, sup_cfg, sup = supervisor_laptop(server, tmp_path / "sup", "450702000001")
    other_lt, other_cfg, other = supervisor_laptop(server, tmp_path / "sup2", "450702000001", badge="450003")
    got, c = pull(sup_lt, sup_cfg)
    assert got.ok and got.copies == len(owner.envelopes()) and got.thumbnails == 4, got.problems
    assert pull(other_lt, other_cfg)[0].copies == got.copies
    copy = cases(sup_lt, sup).get(case)
    assert copy.status == "finalized" and is_copy(sup_lt.store.conn, case)
    thumb = sup_lt.store.data_dir / "cache" / "thumbs" / sha[:2] / f"{sha}-320.jpg"
    assert thumb.exists() and not (sup_lt.store.blobs_dir / sha[:2] / sha).exists()  # thumbnail, not the original
    with client(sup_cfg) as c:
        path = fetch_original(sup_lt.store, c, sha)
    assert sha256_hex(path.read_bytes()) == sha
    with pytest.raises(PermissionDenied, match="副本"):  # read-only: the owner device is its one writer
        cases(sup_lt, sup).amend(case, "改一下")
    section = forms().get(copy.form_id, copy.form_version).sections[1].id
    cases(sup_lt, sup).review(case, approve=False, comment="补充现场方位照片", section=section)
    after = cases(sup_lt, sup).get(case)
    assert (after.status, after.version) == ("draft", 1)  # no new version on a copy
    sent = push(sup_lt, sup_cfg)
    assert sent.rejected == [] and sent.applied >= 1
    # a second decision on the same version, from another supervisor's laptop: 409, shown there
    cases(other_lt, other).review(case, approve=True)
    second = push(other_lt, other_cfg)
    [no] = second.rejected
    assert (no["status"], no["error"]) == (409, "decision_exists") and "只能审核一次" in no["message"]
    # the owner pulls the decision: the new draft version, opened at the section
    got, _ = pull(owner, owner_cfg)
    assert got.ok and (got.decisions, got.returned) == (1, [number]), got.problems
    svc = owner.cases()
    draft = svc.get(case)
    assert (draft.status, draft.version, draft.returned_comment) == ("draft", 2, "补充现场方位照片")
    assert svc.returned_section(draft) == section
    amend = [r for r in outbox_rows(owner.store) if r["state"] == "pending"]
    assert [r["op"] for r in amend] == ["case.amend"] and json.loads(amend[0]["payload"])["version"] == 2
    assert pull(owner, owner_cfg)[0].decisions == 0  # twice = once
    report = verify(open_for_verify(owner.store.data_dir))
    assert report.ok, report.faults
    push(owner, owner_cfg)  # the owner's amendment goes up; the copy follows it
    assert pull(sup_lt, sup_cfg)[0].ok and cases(sup_lt, sup).get(case).version == 2


def test_a_decision_racing_the_owners_amendment(server, tmp_path):
    owner, owner_cfg = enrolled(server, tmp_path / "owner", "450702000002")
    first, second = owner.new_case(3, finalize=True), owner.new_case(4, finalize=True)
    push(owner, owner_cfg)
    sup_lt, sup_cfg, sup = supervisor_laptop(server, tmp_path / "sup", "450702000002")
    assert pull(sup_lt, sup_cfg)[0].ok
    # the decision reaches the server first: taken; the owner keeps it as the old version's review
    cases(sup_lt, sup).review(first, approve=True)
    assert push(sup_lt, sup_cfg).rejected == []
    owner.cases().amend(first, "补充笔录")
    got, _ = pull(owner, owner_cfg)
    assert got.decisions == 1 and len(got.conflicts) == 1 and not got.returned
    record = owner.cases().get(first)
    assert (record.status, record.version) == ("draft", 2)  # the newer draft untouched
    assert owner.store.conn.execute("SELECT version, decision FROM reviews WHERE record_id = ?",
                                    (first,)).fetchall() == [(1, "approved")]
    report = verify(open_for_verify(owner.store.data_dir))
    assert report.ok, report.faults
    # the amendment reaches the server first: the decision is refused, and the supervisor told
    owner.cases().amend(second, "更正物证编号")
    assert push(owner, owner_cfg).rejected == []
    cases(sup_lt, sup).review(second, approve=False, comment="请补充")
    [no] = push(sup_lt, sup_cfg).rejected
    assert (no["status"], no["error"]) == (409, "superseded") and "补正为第 2 版" in no["message"]
