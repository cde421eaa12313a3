"""`weicha enroll` and `weicha sync` against a real HTTPS server process with a self-signed
certificate (issue 11, slice S2): the certificate trusted on first use is pinned and its
fingerprint shown (its dates do not matter: the laptop's clock is a day behind the
certificate's start), another certificate is refused before anything is sent, what moved is
printed (also as JSON), and an unreachable or unknown server is a Chinese message and exit 1
with the queue kept."""
from __future__ import annotations

import json
import ssl
from dataclasses import replace

import pytest

from weicha_desktop.core.store import Store
from weicha_desktop.core.sync.client import CertificateMismatch, SyncClient, fingerprint
from weicha_desktop.core.sync.enrollment import SyncConfig
from weicha_desktop.core.sync.push import sync_once
from weicha_desktop.core.users import UserService

from tests.outbox_support import outbox_rows
from tests.server_support import free_port, laptop, start_server
from tests.support import PASSWORD, run_cli
from tests.sync_support import self_signed_leaf


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """An HTTPS server (a self-signed leaf for the name localhost, reached as 127.0.0.1, valid
    only from tomorrow: this laptop's clock is a day behind) and another certificate."""
    tmp = tmp_path_factory.mktemp("tls")
    cert, key = self_signed_leaf(tmp / "tls", from_days=1)
    other, _ = self_signed_leaf(tmp / "other", "impostor")
    server = start_server(tmp / "server", scheme="https", extra=("--tls-cert", str(cert), "--tls-key", str(key)))
    try:
        yield server, cert.read_text(encoding="ascii"), other
    finally:
        server.stop()


def enroll_cli(lt, server, *extra, user="admin"):
    return run_cli(lt.store.data_dir, "enroll", "--server", server.url, "--code", server.code(), *extra, user=user)


def states(store) -> set[str]:
    return {r["state"] for r in outbox_rows(store)}


def test_enroll_over_https_pins_the_first_certificate_and_sync_prints_what_moved(tls, tmp_path):
    server, pem, _ = tls
    lt = laptop(tmp_path / "a")
    data = lt.store.data_dir
    lt.store.close()
    done = enroll_cli(lt, server)
    assert done.returncode == 0, done.stderr
    assert fingerprint(pem) in done.stdout and "核对这个指纹" in done.stdout
    store = Store.open(data)
    config = SyncConfig.of(store)
    kept = config.require()
    assert ssl.PEM_cert_to_DER_cert(kept.cert_pem) == ssl.PEM_cert_to_DER_cert(pem)
    assert kept.server_url == server.url and kept.fingerprint == fingerprint(pem)
    [entry] = [e for e in store.audit_entries(object_kind="device") if e.action == "sync.enroll"]
    assert entry.user_name == "admin" and entry.details["fingerprint"] == fingerprint(pem)
    assert entry.details["certificate"] == "first_use" and config.token(kept) not in json.dumps(entry.details)
    type(lt)(store, lt.actor).new_case(1)
    ops = len(outbox_rows(store))
    store.close()
    out = run_cli(data, "sync", "--once", "--json")
    assert out.returncode == 0, out.stderr
    moved = json.loads(out.stdout)
    assert moved["ok"] and moved["ops_sent"] == moved["acknowledged"] == ops and moved["rejected"] == []
    assert moved["anchored"]["seq"] > 0
    text = run_cli(data, "sync", "--once")  # nothing left: said plainly
    assert text.returncode == 0 and "发送 0 项" in text.stdout
    assert run_cli(data, "verify").returncode == 0


def test_another_certificate_is_refused_before_anything_is_sent(tls, tmp_path):
    server, pem, other = tls
    lt = laptop(tmp_path / "a")
    lt.new_case(1)
    data = lt.store.data_dir
    lt.store.close()
    wrong = enroll_cli(lt, server, "--fingerprint", "AB:CD")
    assert wrong.returncode == 1 and "指纹" in wrong.stderr and "没有登记" in wrong.stderr
    impostor = enroll_cli(lt, server, "--cert", str(other))
    assert impostor.returncode == 1 and "证书与给出的证书文件不符" in impostor.stderr
    assert "Traceback" not in impostor.stderr
    assert enroll_cli(lt, server, "--fingerprint", fingerprint(pem).lower()).returncode == 0
    with Store.open(data) as store:
        config = SyncConfig.of(store)
        e = config.require()
        # the server now shows a certificate other than the pinned one (or someone in between does)
        with SyncClient(server.url, token=config.token(e), cert_pem=other.read_text(encoding="ascii")) as c:
            r = sync_once(store, c, config=config)
        assert isinstance(r.error, CertificateMismatch) and "冒充" in str(r.error)
        assert states(store) == {"pending"} and r.batches == 0


def test_an_unreachable_or_unenrolled_server_is_exit_1_in_chinese_with_the_queue_kept(tls, tmp_path):
    server, _, _ = tls
    lt = laptop(tmp_path / "a")
    lt.new_case(1)
    UserService(lt.store).add(lt.actor, "tech", "technician", PASSWORD, badge_no="200001")
    data = lt.store.data_dir
    lt.store.close()
    none = run_cli(data, "sync", "--once")
    assert none.returncode == 1 and "尚未登记" in none.stderr and "weicha enroll" in none.stderr
    tech = enroll_cli(lt, server, user="tech")
    assert tech.returncode == 1 and "只有管理员" in tech.stderr
    assert enroll_cli(lt, server).returncode == 0
    with Store.open(data) as store:
        config = SyncConfig.of(store)
        config.save(replace(config.require(), server_url=f"https://127.0.0.1:{free_port()}"))
    once = run_cli(data, "sync", "--once", "--json")
    assert once.returncode == 1 and "无法连接同步服务器" in once.stderr and "保留在本机" in once.stderr
    assert json.loads(once.stdout)["error"]["kind"] == "ServerUnreachable"
    waited = run_cli(data, "sync", "--wait", "0.3")  # retries with backoff until the wait is over
    assert waited.returncode == 1 and "无法连接同步服务器" in waited.stderr
    with Store.open(data) as store:
        assert states(store) == {"pending"}
        assert "无法连接" in SyncConfig.of(store).require().last_error
