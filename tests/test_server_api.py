"""The central server's HTTP API v1 against a real server process, on SQLite and on
PostgreSQL (issue 11, slice S1): the gate (protocol header, body limit, JSON errors, token),
enrollment, and the log. Push and blobs: test_server_push.py."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from weicha_server import audit, auth
from weicha_server.db import devices

from tests.server_support import BACKENDS, HEADERS, LIMITS, laptop, running_server

SHA = "ab" * 32


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("srv"), request.param) as s:
        yield s


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
    }


def call(client, method: str, path: str, spec: dict, **headers):
    kw = dict(spec)
    kw["headers"] = {**kw.get("headers", {}), **headers}
    return client.request(method.upper(), path.replace("{sha}", SHA), **kw)


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
    code = server.code("刑侦大队-笔记本1", "450702000000")
    with server.client() as c:
        r = c.post("/v1/enroll", json=a.enroll_body(code.lower().replace("-", " ")))  # typed loosely
        assert r.status_code == 200, r.text
        answer = r.json()
        assert answer["device_id"] == a.device_id and answer["unit_code"] == "450702000000"
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
