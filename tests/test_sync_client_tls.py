"""What a SyncClient costs in TLS (issue 9, suite speed; the product's own cost too): httpx's
default transport builds a context of the system's CA store (~27 ms, ssl.create_default_context
with certifi's bundle) that the sync never uses — it trusts the pinned certificate alone
(core/sync/client.py tls_context) or, over plain http to this computer, nothing. So: an https
client builds ONE pinned context however many requests it makes, and keeps one connection
for them; an http client builds none; neither ever builds the system's."""
from __future__ import annotations

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from weicha_desktop.core.sync import client as client_module
from weicha_desktop.core.sync.client import SyncClient

from tests.sync_support import self_signed_leaf


class Health(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a client's requests may share one connection
    connections = 0

    def setup(self):
        type(self).connections += 1
        super().setup()

    def do_GET(self):
        body = json.dumps({"status": "ok"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """An https server with a self-signed leaf and a plain http one, on loopback: their URLs
    and the leaf's PEM."""
    cert, key = self_signed_leaf(tmp_path_factory.mktemp("tls"))
    made = []
    for tls in (True, False):
        server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (Health,), {}))
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            server.socket = ctx.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        made.append(server)
    https, http = made
    try:
        yield {"https": https, "http": http, "pem": cert.read_text(encoding="ascii")}
    finally:
        for server in made:
            server.shutdown()
            server.server_close()


@pytest.fixture
def contexts(monkeypatch):
    """The pinned contexts clients build (a list); building the system's CA context fails."""
    built = []
    pinned = client_module.tls_context

    def counted(pem):
        built.append(pem)
        return pinned(pem)

    def system_cas(*args, **kw):
        raise AssertionError("a SyncClient built a context of the system's CA store")

    monkeypatch.setattr(client_module, "tls_context", counted)
    monkeypatch.setattr(ssl, "create_default_context", system_cas)
    return built


def url(server, scheme: str) -> str:
    return f"{scheme}://127.0.0.1:{server.server_address[1]}"


def test_an_https_client_builds_one_pinned_context_for_all_its_requests(servers, contexts):
    https = servers["https"]
    before = https.RequestHandlerClass.connections
    with SyncClient(url(https, "https"), token="t", cert_pem=servers["pem"]) as c:
        for _ in range(3):
            assert c.health() == {"status": "ok"}
    assert contexts == [servers["pem"]]  # one context, for the pinned certificate
    assert https.RequestHandlerClass.connections - before == 1  # one connection (handshake) for all three
    with SyncClient(url(https, "https"), token="t", cert_pem=servers["pem"]) as c:  # the next sync
        assert c.health() == {"status": "ok"}
    assert len(contexts) == 2


def test_an_http_client_builds_no_tls_context(servers, contexts):
    http = servers["http"]
    with SyncClient(url(http, "http"), token="t") as c:
        assert c.health() == {"status": "ok"} and c.health() == {"status": "ok"}
    assert contexts == []


def test_http_clients_share_one_context_that_trusts_nothing(servers):
    """Plain-http clients (a sync every few minutes) make no TLS context each: one per process
    (httpx's ``verify=False`` built one per client), and it trusts nothing — asked to speak
    TLS, to the https server with a certificate it never pinned, it refuses."""
    http, https = url(servers["http"], "http"), url(servers["https"], "https")
    with SyncClient(http, token="t") as a, SyncClient(http, token="t") as b:
        assert a.health() == {"status": "ok"} == b.health()
        shared = a._http._transport._pool._ssl_context
        assert shared is b._http._transport._pool._ssl_context is client_module._no_tls()
    assert shared.verify_mode == ssl.CERT_REQUIRED and shared.check_hostname
    assert shared.cert_store_stats()["x509_ca"] == 0
    import httpx

    with httpx.Client(verify=shared, trust_env=False) as raw, pytest.raises(httpx.ConnectError):
        raw.get(https + "/v1/health")
