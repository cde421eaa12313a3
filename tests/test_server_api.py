"""The central server's HTTP API v1 against a real server process (the test process's shared
one per backend: tests enroll laptops of their own, of this module's own unit, and read back
only what those did), on SQLite and on PostgreSQL (issue 11, slice S1):
the gate (protocol header, body limit, JSON errors, the token), enrollment, the log; push —
every op a laptop's own code wrote goes up exactly once, conflicts are rejected without
blocking the queue, gaps stop the mark, photos wait for their originals; uploads resume at
their offset and are checked by SHA-256; the audit chain is anchored."""
from __future__ import annotations

import copy
import hashlib
import json
import os
import socket
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from weicha_desktop.core.ids import new_id
from weicha_server import audit, auth
from weicha_server.db import devices, ops, records, uploads

from tests.media_support import make_photo
from tests.server_support import BACKENDS, LIMITS, closes_laptops, import_photos, upload  # noqa: F401
from tests.server_support import laptop as unit_laptop
from tests.shared_server_support import shared_server  # noqa: F401

# On the shared server: this module's laptops number in a unit of their own (no other module's
# finalized numbers), its photos and its absent hash are its own (no other module's uploads).
UNIT = "450702000041"
SHA = hashlib.sha256(b"test_server_api: no blob has this hash").hexdigest()


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, shared_server):  # noqa: F811 — one per backend for the test process
    return shared_server(request.param)


def laptop(path):
    return unit_laptop(path, unit=UNIT)


def example_requests(token_laptop) -> dict[tuple[str, str], dict]:
    """A request that is valid in all but its token, for every operation of the API."""
    return {
        ("post", "/v1/push"): {"json": {"device_id": token_laptop.device_id, "ops": [], "from_seq": 1,
                                        "through_seq": 0}},
        ("get", "/v1/devices/me"): {},
        ("post", "/v1/blobs/missing"): {"json": {"sha256": [SHA]}},
        ("post", "/v1/blobs/{sha}/upload"): {"json": {"size": 3}},
        ("patch", "/v1/blobs/{sha}"): {"content": b"abc", "headers": {"Upload-Offset": "0"}},
        ("get", "/v1/blobs/{sha}"): {},
        ("get", "/v1/blobs/{sha}/thumbnail"): {},
        ("get", "/v1/pull/{table}"): {},
        ("get", "/v1/keys"): {},
    }


def call(client, method: str, path: str, spec: dict, **headers):
    kw = dict(spec)
    kw["headers"] = {**kw.get("headers", {}), **headers}
    return client.request(method.upper(), path.replace("{sha}", SHA).replace("{table}", "users"), **kw)


def operations(client) -> set[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    return {(m, p) for p, item in spec["paths"].items() for m in item}


def assert_error(r, status: int, error: str) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] == error and body["message"] and "Traceback" not in r.text, body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])  # the message is Chinese
    return body


def test_health_and_the_protocol_header(server):
    with server.client() as c:
        ok = c.get("/v1/health")
        assert ok.status_code == 200 and ok.json()["status"] == "ok" and ok.json()["protocol"] == 1
        assert ok.json()["server_id"] and ok.headers["x-request-id"]
        for headers in ({}, {"Weicha-Protocol": "2"}, {"Weicha-Protocol": "one"}):
            c.headers.pop("Weicha-Protocol", None)
            c.headers.update(headers)
            for method, path in (("GET", "/v1/health"), ("POST", "/v1/push"), ("POST", "/v1/enroll")):
                body = assert_error(c.request(method, path), 426, "upgrade_required")
                assert body["supported"] == [1]


def test_no_endpoint_but_health_and_enroll_answers_without_a_valid_token(server, tmp_path):
    lt = laptop(tmp_path / "a")
    with server.client() as c:
        requests = example_requests(lt)
        assert operations(c) == set(requests) | {("get", "/v1/health"), ("post", "/v1/enroll")}
        for (method, path), spec in requests.items():
            for auth_header in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eDp5"}):
                assert_error(call(c, method, path, spec, **auth_header), 401, "unauthorized")
        bad = lt.enroll_body("AAAA-BBBB-CCCC-DDDD")
        assert_error(c.post("/v1/enroll", json=bad), 403, "bad_code")


def test_a_code_enrolls_once_and_a_revoked_device_is_refused_everywhere(server, tmp_path):
    a, b = laptop(tmp_path / "a"), laptop(tmp_path / "b")
    code = server.code("刑侦大队-笔记本1", UNIT)
    with server.client() as c:
        r = c.post("/v1/enroll", json=a.enroll_body(code.lower().replace("-", " ")))  # typed loosely
        assert r.status_code == 200, r.text
        answer = r.json()
        assert answer["device_id"] == a.device_id and answer["unit_code"] == UNIT
        assert answer["server_id"] == c.get("/v1/health").json()["server_id"]
        assert_error(c.post("/v1/enroll", json=b.enroll_body(code)), 403, "bad_code")  # used
        again = server.code()
        assert_error(c.post("/v1/enroll", json=a.enroll_body(again)), 409, "already_enrolled")
        r = c.post("/v1/enroll", json=b.enroll_body(again))  # the refused try did not use it
        assert r.status_code == 200
        with server.engine().begin() as conn:
            late = auth.make_code(conn, "x", None, 1.0, now=datetime.now(timezone.utc) - timedelta(hours=2))[0]
        assert_error(c.post("/v1/enroll", json=laptop(tmp_path / "c").enroll_body(late)), 403, "bad_code")
        bad_key = dict(laptop(tmp_path / "d").enroll_body(server.code()), public_key="c2hvcnQ=")
        assert_error(c.post("/v1/enroll", json=bad_key), 422, "bad_key")
    token = answer["token"]
    with server.engine().connect() as conn:
        row = conn.execute(sa.select(devices).where(devices.c.id == a.device_id)).one()
        assert row.token_hash == auth.sha256_text(token) and token not in json.dumps(row._asdict())
        assert row.name == "刑侦大队-笔记本1"
    with server.client(token) as c:
        me = c.get("/v1/devices/me").json()
        assert (me["device_id"], me["through_seq"], me["anchored"]) == (a.device_id, 0, None)
        with server.engine().begin() as conn:
            assert auth.revoke(conn, a.device_id) and not auth.revoke(conn, a.device_id)
        for (method, path), spec in example_requests(a).items():
            assert_error(call(c, method, path, spec), 401, "device_revoked")
        assert c.get("/v1/health").status_code == 200
        assert_error(c.post("/v1/enroll", json=a.enroll_body(server.code())), 403, "device_revoked")
    with server.engine().connect() as conn:
        actions = [e["action"] for e in audit.entries(conn) if a.device_id in json.dumps(e["details"])]
        assert actions == ["device.enroll", "device.revoke"] and audit.check(conn) is None
    log = server.log_text()
    assert token not in log and code not in log and code.replace("-", "") not in log


def test_every_error_is_json_and_the_log_is_one_json_line_per_request(server, tmp_path):
    token = server.enroll(laptop(tmp_path / "a"))
    with server.client(token) as c:
        garbage = c.post("/v1/push", content=b"{not json", headers={"Content-Type": "application/json"})
        assert_error(garbage, 422, "invalid")
        assert_error(c.post("/v1/push", json={"device_id": "x", "from_seq": "1", "through_seq": 0}), 422, "invalid")
        assert_error(c.get("/v1/nowhere"), 404, "not_found")
        assert_error(c.delete("/v1/health"), 405, "method_not_allowed")
        assert_error(c.patch(f"/v1/blobs/{SHA}", content=b"x", headers={"Upload-Offset": "-1"}), 422, "bad_offset")
        assert_error(c.patch(f"/v1/blobs/{SHA}", content=b"x", headers={"Upload-Offset": "0"}), 404, "no_upload")
        assert_error(c.get("/v1/blobs/not-a-hash"), 422, "invalid")
        assert_error(c.get(f"/v1/blobs/{SHA}"), 404, "no_blob")
        rid = c.get("/v1/devices/me").headers["x-request-id"]
    mine = server.log_lines(rid)
    assert len(mine) == 1 and mine[0]["event"] == "request" and mine[0]["status"] == 200
    assert mine[0]["path"] == "/v1/devices/me" and mine[0]["device"] and mine[0]["ms"] >= 0
    assert token not in server.log_text()


def test_hostile_values_are_refused_as_json_and_nothing_breaks(server, tmp_path):
    logged = len(server.log_text())  # (the shared server's log: this test's lines are after)
    lt = laptop(tmp_path / "a")
    lt.new_case(1)
    token = server.enroll(lt)
    env = lt.envelopes()[0]
    raw = {"Content-Type": "application/json"}
    with server.client(token) as c:
        def push_raw(text: str):
            return c.post("/v1/push", content=text.encode("utf-8", "surrogatepass"), headers=raw)

        long_id = dict(env, op_id="x" * 65)
        assert_error(c.post("/v1/push", json=lt.body([long_id])), 422, "bad_batch")
        lone = json.dumps(lt.body([env])).replace('"case.create"', '"case.create\\ud800"')
        assert_error(push_raw(lone), 422, "bad_batch")
        nan = json.dumps(lt.body([env])).replace('"payload": {', '"payload": {"x": NaN, ', 1)
        assert_error(push_raw(nan), 422, "bad_batch")
        assert_error(c.post("/v1/push", json=lt.body([env], through_seq=2 ** 63)), 422, "invalid")
        assert_error(c.post("/v1/push", json=lt.body([env], through_seq=5)), 422, "bad_batch")
        assert_error(push_raw("[" * 100_000 + "]" * 100_000), 400, "bad_request")
        nul = dict(lt.enroll_body(server.code()), device_name="a\u0000b")
        assert_error(c.post("/v1/enroll", json=nul), 422, "invalid")
        assert_error(c.post(f"/v1/blobs/{SHA}/upload", json={"size": 10 ** 30}), 422, "invalid")
        assert_error(c.patch(f"/v1/blobs/{SHA}", content=b"x", headers={"Upload-Offset": "9" * 40}),
                     422, "bad_offset")
        forged = copy.deepcopy(env)  # a photo.add naming no real original: refused, not waiting
        forged.update(op="photo.add", entity_kind="photo", payload_version=1, payload={"sha256": "zz"})
        answer = c.post("/v1/push", json=lt.body([forged])).json()
        assert answer["waiting"] == [] and answer["rejected"][0]["error"] == "bad_payload"
        again = c.post("/v1/push", json=lt.body([env]))  # the same connection still answers
        assert again.status_code == 200 and again.json()["rejected"][0]["error"] == "conflict"
    log = server.log_text()[logged:]
    assert '"level": "error"' not in log and "Traceback" not in log


def test_an_oversize_body_is_refused_413(server, tmp_path):
    lt = laptop(tmp_path / "a")
    token = server.enroll(lt)
    big = b"x" * (LIMITS["max_body"] + 1)
    with server.client(token) as c:
        body = assert_error(c.post("/v1/push", content=big, headers={"Content-Type": "application/json"}),
                            413, "too_large")
        assert str(LIMITS["max_body"]) in body["message"]

        def chunks():  # no Content-Length: counted as it arrives
            for _ in range(LIMITS["max_body"] // 8192 + 2):
                yield b" " * 8192

        assert_error(c.post("/v1/push", content=chunks(), headers={"Content-Type": "application/json"}),
                     413, "too_large")
        assert c.post(f"/v1/blobs/{SHA}/upload", json={"size": 10 ** 6}).json() == {"offset": 0}
        over = b"y" * (LIMITS["max_chunk"] + 1)
        assert_error(c.patch(f"/v1/blobs/{SHA}", content=over, headers={"Upload-Offset": "0"}),
                     413, "chunk_too_large")
        assert c.get("/v1/devices/me").status_code == 200  # the server goes on


# ---- push and photo originals -------------------------------------------------------------
@pytest.fixture(scope="module")
def photo_laptop(tmp_path_factory):
    """A laptop with a finalized case, a draft with two photos and a case after them (its
    ops: create, finalize, create, photo.add ×2, create). Each backend's server sees it once;
    its photos (seeds of this module's own) no other module sends."""
    tmp = tmp_path_factory.mktemp("photos")
    lt = laptop(tmp / "data")
    lt.new_case(1, finalize=True)
    case = lt.new_case(2)
    files = [make_photo(tmp / f"p{i}.jpg", size=(40, 30), seed=41 + i) for i in range(2)]
    shas = import_photos(lt, case, files)
    lt.new_case(3)
    yield lt, shas
    lt.store.close()


def push(client, body):
    r = client.post("/v1/push", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def held(server, device_id: str) -> dict[int, tuple[str, str]]:
    """What the server holds of a device: seq → (op id, status)."""
    with server.engine().connect() as conn:
        rows = conn.execute(sa.select(ops.c.device_seq, ops.c.op_id, ops.c.status)
                            .where(ops.c.device_id == device_id)).all()
    return {r.device_seq: (r.op_id, r.status) for r in rows}


def test_a_batch_applies_once_and_twice_changes_nothing(server, tmp_path):
    lt = laptop(tmp_path / "a")
    for seed in range(3):
        lt.new_case(seed, finalize=seed == 0, drafts=1)
    token = server.enroll(lt)
    envs = lt.envelopes()
    n = len(envs)
    body = lt.body(envs, audit_after=0)
    with server.client(token) as c:
        first = push(c, body)
        assert first["rejected"] == [] and first["waiting"] == [], first
        assert first["applied"] == [e["op_id"] for e in envs] and first["through_seq"] == n
        assert first["skipped"] == first["rejected"] == first["waiting"] == []
        last = lt.audit()[-1]
        assert first["anchored"] == {"seq": last["seq"], "hash": last["hash"]}
        again = push(c, body)
        assert again["skipped"] == first["applied"] and again["applied"] == [] and again["through_seq"] == n
        me = c.get("/v1/devices/me").json()
        assert me["through_seq"] == n and me["anchored"] == first["anchored"]
    assert held(server, lt.device_id) == {e["device_seq"]: (e["op_id"], "applied") for e in envs}
    with server.engine().connect() as conn:
        rows = conn.execute(sa.select(records).where(records.c.owner_device_id == lt.device_id)).all()
    assert sorted(r.record_id for r in rows) == sorted({e["entity_id"] for e in envs})
    assert sorted(r.status for r in rows) == ["draft", "draft", "finalized"]


def test_a_compacted_bundle_moves_the_mark_to_its_end(server, tmp_path):
    lt = laptop(tmp_path / "a")
    lt.new_case(1, drafts=3)  # the first two drafts are superseded: compaction drops them
    token = server.enroll(lt)
    body = lt.bundle_body()
    carried = [e["device_seq"] for e in body["ops"]]
    assert carried != list(range(1, body["through_seq"] + 1))  # the bundle has holes
    with server.client(token) as c:
        answer = push(c, body)
    assert answer["through_seq"] == body["through_seq"] and len(answer["applied"]) == len(carried)


def test_same_op_id_other_bytes_is_rejected_409_and_the_queue_goes_on(server, tmp_path):
    lt = laptop(tmp_path / "a")
    for seed in range(4):
        lt.new_case(seed)
    token = server.enroll(lt)
    e1, e2, e3, e4 = lt.envelopes()
    with server.client(token) as c:
        assert push(c, lt.body([e1, e2]))["through_seq"] == 2
        changed = copy.deepcopy(e2)
        changed["payload"]["data"]["scene_address"] = "改过的地址"
        reused = dict(copy.deepcopy(e3), op_id=e1["op_id"])  # seq 3 under op 1's id
        answer = push(c, lt.body([changed, reused, e4], from_seq=2))
        assert [(x["op_id"], x["status"], x["error"]) for x in answer["rejected"]] == [
            (e2["op_id"], 409, "conflict"), (e1["op_id"], 409, "conflict")]
        assert answer["applied"] == [e4["op_id"]] and answer["through_seq"] == 4  # past the rejection
        assert "内容不同" in answer["rejected"][0]["message"]
    assert held(server, lt.device_id)[2] == (e2["op_id"], "applied")  # the first bytes stay
    assert 3 not in held(server, lt.device_id)


def test_a_gap_stops_the_mark_and_the_resend_fills_it(server, tmp_path):
    lt = laptop(tmp_path / "a")
    for seed in range(5):
        lt.new_case(seed)
    token = server.enroll(lt)
    envs = lt.envelopes()
    with server.client(token) as c:
        assert push(c, lt.body(envs[:2]))["through_seq"] == 2
        gap = push(c, lt.body(envs[3:]))  # 4 and 5: 3 never arrived
        assert gap["through_seq"] == 2 and gap["applied"] == [] and gap["rejected"] == []
        assert sorted(held(server, lt.device_id)) == [1, 2]
        resend = push(c, lt.body(envs[1:], from_seq=2))
        assert resend["skipped"] == [envs[1]["op_id"]] and resend["through_seq"] == 5
        assert resend["applied"] == [e["op_id"] for e in envs[2:]]


def test_a_fork_or_another_devices_ops_refuse_the_whole_batch(server, tmp_path):
    lt, other = laptop(tmp_path / "a"), laptop(tmp_path / "b")
    for seed in range(3):
        lt.new_case(seed)
    other.new_case(9)
    token = server.enroll(lt)
    e1, e2, e3 = lt.envelopes()
    with server.client(token) as c:
        push(c, lt.body([e1, e2]))
        fork = dict(copy.deepcopy(e2), op_id=new_id())  # seq 2 again, as another op
        r = c.post("/v1/push", json=lt.body([fork, e3], from_seq=2))
        assert r.status_code == 409 and r.json()["error"] == "fork"
        assert sorted(held(server, lt.device_id)) == [1, 2]  # e3 was not kept either
        r = c.post("/v1/push", json=lt.body(other.envelopes()))
        assert r.status_code == 403 and r.json()["error"] == "wrong_device"
        r = c.post("/v1/push", json=dict(lt.body([e3]), ops=[e3 | {"device_id": other.device_id}]))
        assert r.status_code == 403 and r.json()["error"] == "wrong_device"
        r = c.post("/v1/push", json=lt.body([{k: v for k, v in e3.items() if k != "payload"}]))
        assert r.status_code == 422 and r.json()["error"] == "bad_batch"
        r = c.post("/v1/push", json=lt.body([e3, e2], from_seq=2))  # not in sequence order
        assert r.status_code == 422 and r.json()["error"] == "bad_batch"
        assert push(c, lt.body([e3]))["applied"] == [e3["op_id"]]


def test_ops_the_contract_refuses_are_rejected_422_and_stay_rejected(server, tmp_path):
    lt = laptop(tmp_path / "a")
    lt.new_case(1, finalize=True)
    lt.new_case(2)
    lt.new_case(3)
    token = server.enroll(lt)
    create, finalize, e3, e4 = lt.envelopes()
    bad_hash = copy.deepcopy(finalize)
    bad_hash["payload"]["data"]["scene_address"] = "定稿后改过"
    bad_shape = copy.deepcopy(e3)
    del bad_shape["payload"]["record"]
    unknown = dict(copy.deepcopy(e4), op="case.teleport")
    with server.client(token) as c:
        answer = push(c, lt.body([create, bad_hash, bad_shape, unknown]))
        assert [(x["status"], x["error"]) for x in answer["rejected"]] == [
            (422, "hash_mismatch"), (422, "bad_payload"), (422, "unknown_op")]
        assert answer["applied"] == [create["op_id"]] and answer["through_seq"] == 4
        again = push(c, lt.body([bad_hash], from_seq=2))  # the answer was lost: said again
        assert [x["error"] for x in again["rejected"]] == ["hash_mismatch"] and again["through_seq"] == 4
    assert [s for _, (_, s) in sorted(held(server, lt.device_id).items())] == ["applied"] + ["rejected"] * 3


def test_ops_wait_for_their_photos_and_apply_after_the_upload(server, photo_laptop):
    lt, shas = photo_laptop
    token = server.enroll(lt)
    envs = lt.envelopes()
    adds = [e for e in envs if e["op"] == "photo.add"]
    first_add = envs.index(adds[0])
    with server.client(token) as c:
        answer = push(c, lt.body(envs))
        assert answer["applied"] == [e["op_id"] for e in envs[:first_add]]
        assert answer["waiting"] == [{"op_id": adds[0]["op_id"], "missing_blobs": [shas[0]]}]
        assert answer["through_seq"] == first_add  # the mark stops before the waiting op
        assert c.post("/v1/blobs/missing", json={"sha256": shas}).json() == {"missing": shas}
        assert upload(c, shas[0], lt.blob(shas[0])).json()["offset"] == len(lt.blob(shas[0]))
        second = push(c, lt.body(envs[first_add:], from_seq=first_add + 1))
        assert second["applied"] == [adds[0]["op_id"]] and second["waiting"][0]["missing_blobs"] == [shas[1]]
        upload(c, shas[1], lt.blob(shas[1]))
        assert c.post("/v1/blobs/missing", json={"sha256": shas}).json() == {"missing": []}
        third = push(c, lt.body(envs[first_add:], from_seq=first_add + 1))
        assert third["skipped"] == [adds[0]["op_id"]] and third["through_seq"] == len(envs)
        assert third["applied"] == [e["op_id"] for e in envs[first_add + 1:]]
        got = c.get(f"/v1/blobs/{shas[1]}")
        assert got.status_code == 200 and got.content == lt.blob(shas[1])
    assert {s for _, s in held(server, lt.device_id).values()} == {"applied"}


def cut_patch(server, token: str, sha: str, offset: int, data: bytes, sent: int) -> None:
    """A PATCH whose connection dies after ``sent`` of its ``len(data)`` bytes."""
    head = (f"PATCH /v1/blobs/{sha} HTTP/1.1\r\nHost: 127.0.0.1\r\nWeicha-Protocol: 1\r\n"
            f"Authorization: Bearer {token}\r\nUpload-Offset: {offset}\r\n"
            f"Content-Length: {len(data)}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(head + data[:sent])


def test_an_upload_cut_midway_resumes_at_its_offset_and_a_wrong_hash_is_discarded(server, tmp_path):
    lt = laptop(tmp_path / "a")
    token = server.enroll(lt)
    data = os.urandom(150_000)
    sha = hashlib.sha256(data).hexdigest()
    part = 50_000
    with server.client(token) as c:
        assert c.post(f"/v1/blobs/{sha}/upload", json={"size": len(data)}).json() == {"offset": 0}
        r = c.patch(f"/v1/blobs/{sha}", content=data[:part], headers={"Upload-Offset": "0"})
        assert r.json() == {"offset": part}
        cut_patch(server, token, sha, part, data[part:2 * part], sent=20_000)
        assert c.post(f"/v1/blobs/{sha}/upload", json={"size": len(data)}).json() == {"offset": part}
        wrong = c.patch(f"/v1/blobs/{sha}", content=data[:10], headers={"Upload-Offset": "0"})
        assert wrong.status_code == 409 and wrong.json()["error"] == "offset_mismatch"
        assert wrong.json()["offset"] == part
        last = upload(c, sha, data)
        assert last.json() == {"offset": len(data)}
        assert c.post("/v1/blobs/missing", json={"sha256": [sha]}).json() == {"missing": []}
        assert c.get(f"/v1/blobs/{sha}").content == data
        assert c.post(f"/v1/blobs/{sha}/upload", json={"size": len(data)}).json() == {"offset": len(data)}
        # bytes that are not what their address says: refused at the end, nothing kept
        fake = hashlib.sha256(b"other").hexdigest()
        bad = upload(c, fake, data[:70_000])
        assert bad.status_code == 422 and bad.json()["error"] == "sha_mismatch"
        assert c.post("/v1/blobs/missing", json={"sha256": [fake]}).json() == {"missing": [fake]}
        assert c.post(f"/v1/blobs/{fake}/upload", json={"size": 70_000}).json() == {"offset": 0}
    with server.engine().connect() as conn:
        assert conn.execute(sa.select(uploads.c.offset).where(uploads.c.sha256 == fake)).scalar() == 0
    assert not (server.data_dir / "blobs" / fake[:2] / fake).exists()
    assert (server.data_dir / "blobs" / sha[:2] / sha).read_bytes() == data


def test_the_audit_chain_is_anchored_and_a_rewritten_one_is_not(server, tmp_path):
    lt = laptop(tmp_path / "a")
    lt.new_case(1)
    token = server.enroll(lt)
    entries = lt.audit()
    envs = lt.envelopes()
    with server.client(token) as c:
        half = len(entries) // 2
        first = push(c, dict(lt.body(envs), audit=entries[:half]))
        assert first["anchored"] == {"seq": entries[half - 1]["seq"], "hash": entries[half - 1]["hash"]}
        rest = push(c, dict(lt.body(envs), audit=entries))  # repeats what is anchored: fine
        assert rest["anchored"]["hash"] == entries[-1]["hash"] and "audit_error" not in rest
        lt.new_case(2)  # more entries, one of them rewritten
        lt.new_case(3)
        more = lt.audit(after=entries[-1]["seq"])
        assert len(more) >= 2
        forged = copy.deepcopy(more)
        forged[0]["summary"] = "改写的日志"
        bad = push(c, dict(lt.body(lt.envelopes()), audit=forged))
        assert bad["audit_error"]["error"] == "audit_mismatch" and bad["anchored"] == rest["anchored"]
        assert bad["through_seq"] == 3  # the ops were taken all the same
        gap = push(c, dict(lt.body(lt.envelopes()), audit=more[1:]))
        assert gap["audit_error"]["error"] == "audit_gap"
        good = push(c, dict(lt.body(lt.envelopes()), audit=more))
        assert good["anchored"]["seq"] == more[-1]["seq"] and "audit_error" not in good
