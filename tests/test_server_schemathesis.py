"""Schemathesis over the server's own OpenAPI (/openapi.json) against a real server process
(SQLite), every operation, generated requests valid (positive) and invalid (negative):

- without a valid device token (none, an unknown one, a revoked device's), with the protocol
  header or with whatever was generated for it: every endpoint but /v1/health answers 401 or
  426 (413 when the body is over the limit: judged first) — never 2xx, never 5xx; /v1/enroll
  (its one-time code is the credential) never 2xx or 5xx either;
- with a valid token: no 5xx, and every answer conforms to the schema (status documented,
  content type, body of its schema).

``make test``: SCHEMATHESIS_EXAMPLES (default 4) examples per operation and mode, derandomized
(a few seconds), drawn once and sent in both runs (without and with a valid token). A longer
run: SCHEMATHESIS_EXAMPLES=200 (and SCHEMATHESIS_SEED=N for another sequence than the
derandomized one) — by hand: ``make soak`` does not run it. What the runs found, each with its own test
below: a refusal of what was sent (422, 400) answered before the token was judged; error
answers the OpenAPI did not document (401, 403, 404, 409, 426 …, and 422's body); a path
that broke the server's one-line-per-request log."""
from __future__ import annotations

import base64
import copy
import functools
import json
import os
from collections import Counter
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from weicha_server import auth
from weicha_server.errors import OPEN_PATHS

from tests.server_support import running_server

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES") or 4)
SEED = os.environ.get("SCHEMATHESIS_SEED")
H11_HEAD_LIMIT = 16 * 1024  # uvicorn's HTTP/1.1 parser: a longer request line and headers are refused
BAD_TOKEN = "not-a-token-" + "x" * 20


@functools.cache
def fuzz() -> SimpleNamespace:
    """schemathesis, imported when this module's tests run (~0.2 s CPU: not in every test
    process that only collects the module)."""
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                                   status_code_conformance)

    # the upload PATCH's body is raw bytes (tus-style media type): sent as octet-stream is
    schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
    return SimpleNamespace(
        schemathesis=schemathesis, modes=(GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
        negative=GenerationMode.NEGATIVE,
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance])


def enroll(server, device_id: str) -> str:
    with server.client() as c:
        r = c.post("/v1/enroll", json={"code": server.code(), "device_id": device_id, "device_name": "模糊测试",
                                       "public_key": base64.b64encode(os.urandom(32)).decode()})
    assert r.status_code == 200, r.text
    return r.json()["token"]


@pytest.fixture(scope="module")
def session():
    """One keep-alive connection for the generated requests (schemathesis sends with requests)."""
    import requests

    with requests.Session() as s:
        s.trust_env = False  # loopback: no proxy or .netrc looked up from the environment per request
        yield s


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """The server, a valid token, a revoked device's token, the schema it serves."""
    with running_server(tmp_path_factory.mktemp("schemathesis"), "sqlite") as server:
        token, revoked = enroll(server, "fuzz-device"), enroll(server, "fuzz-revoked")
        with server.engine().begin() as conn:
            assert auth.revoke(conn, "fuzz-revoked")
        with server.client() as c:
            spec = c.get("/openapi.json").json()
        yield server, token, revoked, fuzz().schemathesis.openapi.from_dict(spec)


def operations(schema):
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 10, [f"{o.method} {o.path}" for o in found]  # every endpoint, none lost
    return found


def run_all(schema, test, *extra) -> None:
    """``test(case, *drawn)`` on EXAMPLES generated requests of every operation and mode (no
    invalid request exists for /v1/health: its one parameter is an optional header)."""
    f = fuzz()
    for operation in operations(schema):
        for mode in f.modes:
            if operation.path == "/v1/health" and mode is f.negative:
                continue
            strategy = operation.as_strategy(generation_mode=mode)
            checked = settings(max_examples=EXAMPLES, derandomize=SEED is None, database=None, deadline=None,
                               phases=[Phase.explicit, Phase.generate],
                               suppress_health_check=list(HealthCheck))(given(strategy, *extra)(test))
            (seed(int(SEED))(checked) if SEED is not None else checked)()


@pytest.fixture(scope="module")
def drawn(api):
    """The generated requests of ``run_all``, drawn once for both runs below (drawing is most
    of their cost): each case with a token (none, an unknown one, the revoked device's) and
    whether the protocol header is sent, for the run without a valid token. No shrinking is
    lost: the runs never shrank (phases explicit and generate)."""
    _, _, revoked, schema = api
    cases: list = []
    run_all(schema, lambda case, token, protocol: cases.append((case, token, protocol)),
            st.sampled_from([None, BAD_TOKEN, revoked]),
            st.sampled_from([True, True, False]))  # the protocol header mostly right: the token is judged
    return cases


def each(cases, test) -> None:
    """``test(case, *rest)`` on a copy of every drawn case (its headers its own: a run changes
    them); a failure names the request."""
    for case, *rest in cases:
        mine = object.__new__(type(case))  # (copy.copy sets the slots through Case.__setattr__: it fails)
        for name in type(case).__slots__:
            object.__setattr__(mine, name, copy.copy(getattr(case, name)) if name == "headers" else getattr(case, name))
        try:
            test(mine, *rest)
        except BaseException as e:
            e.add_note(f"request: {case.method} {case.formatted_path} {case.path_parameters} "
                       f"headers={case.headers} query={case.query} body={getattr(case, 'body', None)!r:.500}")
            raise


def call(case, server, headers: dict[str, str], session):
    """The server's answer to ``case``; None when uvicorn's HTTP parser (h11) refused the
    request before the server's code saw it: a head past 16 KiB (the connection closed), or
    a request line or header HTTP/1.1 does not allow (its plain-text 400)."""
    import requests

    try:
        r = case.call(base_url=server.url, headers=headers, session=session)
        return None if (r.status_code, r.text) == (400, "Invalid HTTP request received.") else r
    except requests.RequestException:
        kw = case.as_transport_kwargs(base_url=server.url, headers=headers)
        head = requests.Request(kw["method"], kw["url"], params=kw.get("params"), headers=kw.get("headers")).prepare()
        if len(head.url) + sum(len(k) + len(str(v)) for k, v in head.headers.items()) < H11_HEAD_LIMIT:
            raise
        session.close()  # that connection is gone
        return None


def server_errors(server) -> list[dict]:
    lines = [json.loads(x) for x in server.log_text().split("\n") if x.startswith("{")]
    return [x for x in lines if x.get("event") == "error" or x.get("status", 0) >= 500]


def test_without_a_valid_token_nothing_but_health_answers(api, drawn, session):
    server, _, revoked, schema = api
    seen: Counter = Counter()

    def test(case, token, protocol):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if case.headers:
            case.headers.pop("Authorization", None)
        if protocol:
            headers["Weicha-Protocol"] = "1"
        r = call(case, server, headers, session)
        if r is None:
            return
        seen[(f"{case.method} {case.path}", r.status_code)] += 1
        said = f"{case.method} {case.formatted_path} ({'no' if not token else 'a bad'} token): {r.status_code} {r.text[:300]}"
        assert r.status_code < 500, said
        if case.path == "/v1/health":
            assert r.status_code in (200, 426), said
        elif case.path == "/v1/enroll":
            assert not 200 <= r.status_code < 300, said
        else:
            assert r.status_code in (401, 413, 426), said
            if r.status_code == 401:
                assert r.json()["error"] in ("unauthorized", "device_revoked"), said

    each(drawn, test)
    assert {token for _, token, _ in drawn} == {None, BAD_TOKEN, revoked}
    assert server_errors(server) == []
    refused = {op for (op, status) in seen if status == 401}
    protected = {f"{o.method.upper()} {o.path}" for o in operations(schema) if o.path not in OPEN_PATHS}
    assert refused == protected, seen  # the token was judged on every endpoint that needs one


def test_with_a_valid_token_no_server_error_and_every_answer_is_of_the_schema(api, drawn, session):
    server, token, _, schema = api
    statuses: Counter = Counter()
    headers = {"Weicha-Protocol": "1", "Authorization": f"Bearer {token}"}

    def test(case):
        case.headers = {**(case.headers or {}), **headers}
        r = call(case, server, headers, session)
        if r is None:
            return
        statuses[(case.method, case.path, r.status_code)] += 1
        case.validate_response(r, checks=fuzz().checks, headers=headers)

    each(drawn, lambda case, token, protocol: test(case))
    assert {(m.upper(), p) for m, p, _ in statuses} == {(o.method.upper(), o.path) for o in operations(schema)}
    assert server_errors(server) == []
    answered = {(m, p) for (m, p, status) in statuses if 200 <= status < 300}
    assert len(answered) >= 4, statuses  # valid requests were made and answered, not only refusals


@pytest.mark.parametrize("method, path, kw", [
    ("post", "/v1/push", {"content": b"{not json", "headers": {"Content-Type": "application/json"}}),
    ("post", "/v1/push", {"json": {"ops": "many"}}),
    ("get", "/v1/blobs/not-a-hash", {}),
    ("patch", "/v1/blobs/" + "ab" * 32, {"content": b"x", "headers": {"Upload-Offset": "-1"}}),
    ("get", "/v1/pull/users?cursor=%00", {}),
])
def test_what_a_request_without_a_valid_token_sent_wrong_is_not_judged_before_its_token(api, method, path, kw):
    server, _, revoked, _ = api
    for token in (None, "unknown-token", revoked):
        with server.client(token) as c:
            r = c.request(method.upper(), path, **kw)
        assert r.status_code == 401, (token, r.text)
        assert r.json()["error"] == ("device_revoked" if token == revoked else "unauthorized")


def test_a_path_with_line_separators_leaves_one_parseable_log_line(api):
    server = api[0]
    with server.client() as c:
        r = c.get("/v1/pull/a\u2028b\u0085c\u2029d")
    lines = server.log_lines(r.headers["x-request-id"])  # every line of the log parses as JSON
    assert [x["path"] for x in lines if x["event"] == "request"] == ["/v1/pull/a\u2028b\u0085c\u2029d"]
