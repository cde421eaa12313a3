"""The desktop's sync client, the parts that need no server (issue 11, slice S2): the backoff,
where the enrollment and the device token are kept (owner-only, outside the data folder, or
the OS keyring), the URL rule, the reads the sync page shows, which originals an op needs."""
from __future__ import annotations

import json
import os
import stat

import pytest

from weicha_desktop.core.checkpoint import Anchor
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.store import Store
from weicha_desktop.core.sync.backoff import Backoff
from weicha_desktop.core.sync.client import check_url
from weicha_desktop.core.sync.enrollment import TOKEN_FILE, TOKEN_KEYRING, Enrollment, SyncConfig
from weicha_desktop.core.sync.push import originals_of
from weicha_desktop.core.sync.queue import OutboxQueue

from tests.outbox_support import payload, write_op
from tests.support import admin, new_store, store  # noqa: F401 — fixtures

TOKEN = "tok-" + "x" * 40


# ---- backoff -----------------------------------------------------------------------------------
class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_backoff_is_capped_exponential_with_full_jitter():
    draws = iter([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.5])
    b = Backoff(2, 60, random=lambda: next(draws), clock=Clock())
    # with the random source at its top the wait is the ceiling: 2, 4, 8 … capped at 60
    assert [b.failure() for _ in range(10)] == [2, 4, 8, 16, 32, 60, 60, 60, 60, 60]
    assert b.failure() == 0.0  # full jitter: anywhere from zero
    assert b.failure() == 30.0  # … up to the ceiling
    b.success()
    assert b.failures == 0 and b.ceiling() == 0.0 and b.ready()


def test_backoff_says_when_to_try_again_by_the_injected_clock():
    clock = Clock()
    b = Backoff(10, 300, random=lambda: 0.5, clock=clock)
    assert b.ready() and b.delay() == 0.0
    assert b.failure() == 5.0
    assert not b.ready() and b.delay() == 5.0
    clock.t += 4
    assert b.delay() == pytest.approx(1.0)
    clock.t += 1
    assert b.ready()
    for _ in range(2000):  # no overflow however long the server stays away
        b.failure()
    assert b.ceiling() == 300


def test_backoff_refuses_nonsense_settings():
    with pytest.raises(ValueError):
        Backoff(0, 10)
    with pytest.raises(ValueError):
        Backoff(20, 10)


# ---- URLs --------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["https://sync.example:8443/", "http://127.0.0.1:8000", "http://localhost:1",
                                 "http://[::1]:9000"])
def test_https_anywhere_and_http_only_to_this_computer(url):
    assert check_url(url) == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://sync.example", "http://10.0.0.5:8000", "ftp://x", "sync.example",
                                 "", "https://x/?a=1"])
def test_other_urls_are_refused_in_chinese(url):
    with pytest.raises(WeichaError, match="https|地址"):
        check_url(url)


# ---- where the enrollment and the token are kept -----------------------------------------------
def enrollment(device_id: str) -> Enrollment:
    return Enrollment(server_url="https://sync.example", server_id="srv-1", device_id=device_id,
                      unit_code="450702000000", cert_pem=None, fingerprint=None,
                      enrolled_at="2026-11-27T09:00:00+08:00")


class MemoryKeyring:
    def __init__(self):
        self.kept: dict[tuple[str, str], str] = {}

    def set_password(self, service, user, secret):
        self.kept[(service, user)] = secret

    def get_password(self, service, user):
        return self.kept.get((service, user))


class RefusingKeyring(MemoryKeyring):
    def set_password(self, service, user, secret):
        raise RuntimeError("locked")


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_token_is_kept_owner_only_outside_the_data_folder(store, tmp_path):
    config = SyncConfig.of(store)  # the session's WEICHA_CONFIG_DIR, not the data folder
    assert store.data_dir not in config.path.parents
    kept = config.save(enrollment(config.device_id), TOKEN)
    assert kept.token_in == TOKEN_FILE
    assert mode(config.folder) == 0o700 and mode(config.token_path) == 0o600 and mode(config.path) == 0o600
    assert config.token(config.require()) == TOKEN
    assert TOKEN not in config.path.read_text(encoding="utf-8")  # the token file only
    for path in store.data_dir.rglob("*"):  # nothing of it in the data folder
        assert not path.is_file() or TOKEN.encode() not in path.read_bytes()
    # state updates keep the token and the rest
    config.update(last_error="网络断开", anchored={"seq": 3, "hash": "ab"})
    again = config.require()
    assert again.last_error == "网络断开" and again.anchored == {"seq": 3, "hash": "ab"}
    assert again.server_url == "https://sync.example" and config.token(again) == TOKEN


def test_the_token_goes_to_the_keyring_where_one_works(tmp_path):
    ring = MemoryKeyring()
    config = SyncConfig(tmp_path / "cfg", "dev-0001-abcd", keyring=ring)
    kept = config.save(enrollment("dev-0001-abcd"), TOKEN)
    assert kept.token_in == TOKEN_KEYRING and not config.token_path.exists()
    assert list(ring.kept.values()) == [TOKEN]
    assert config.token(config.require()) == TOKEN
    ring.kept.clear()  # a keyring wiped: said, never a traceback
    with pytest.raises(WeichaError, match="钥匙串"):
        config.token(config.require())
    refusing = SyncConfig(tmp_path / "cfg2", "dev-0001-abcd", keyring=RefusingKeyring())
    assert refusing.save(enrollment("dev-0001-abcd"), TOKEN).token_in == TOKEN_FILE
    assert refusing.token(refusing.require()) == TOKEN


def test_not_enrolled_a_damaged_file_and_a_config_folder_inside_the_data(tmp_path):
    config = SyncConfig(tmp_path / "cfg", "dev-0001-abcd")
    assert config.load() is None
    with pytest.raises(WeichaError, match="尚未登记.*weicha enroll"):
        config.require()
    config.save(enrollment("dev-0001-abcd"), TOKEN)
    config.path.write_text("{not json", encoding="utf-8")
    with pytest.raises(WeichaError, match="已损坏"):
        config.load()
    assert config.update(last_error="x") is None  # state notes never raise
    other = json.dumps({"format": "weicha-enrollment/1", "device_id": "another-device"})
    config.path.write_text(other, encoding="utf-8")  # another device's file put in its place
    with pytest.raises(WeichaError, match="已损坏"):
        config.load()
    with pytest.raises(WeichaError, match="设备编号"):
        SyncConfig(tmp_path, "../../etc/passwd")
    data = tmp_path / "data"
    inside = new_store(data)
    inside.close()
    with Store.open(data, anchor=Anchor(data / "cfg", keyring=None)) as s:
        with pytest.raises(WeichaError, match="数据文件夹之内"):
            SyncConfig.of(s)


# ---- the reads the sync page shows -------------------------------------------------------------
def test_pending_by_op_photos_pending_and_rejected(store, admin):
    queue = OutboxQueue(store, admin)
    assert queue.outstanding_by_op() == {} and queue.photos_pending() == (0, 0) and queue.rejected() == []
    write_op(store, admin, "case.create", "c1")
    write_op(store, admin, "case.draft", "c1")
    a = write_op(store, admin, "photo.add", "p1")
    write_op(store, admin, "photo.add", "p2")  # the same original (the examples' 64 zeros) twice
    assert queue.outstanding_by_op() == {"case.create": 1, "case.draft": 1, "photo.add": 2}
    assert queue.photos_pending() == (1, payload("photo.add", "p1")["size"])
    queue.mark_exported([a], "b1")
    queue.reject(a, "内容不符")
    assert queue.outstanding_by_op()["photo.add"] == 1
    [no] = queue.rejected()
    assert no["op_id"] == a and no["rejected_reason"] == "内容不符" and no["op"] == "photo.add"


def test_the_originals_an_op_needs():
    assert originals_of({"op": "photo.add", "payload": {"sha256": "a" * 64}}) == ["a" * 64]
    assert originals_of({"op": "case.finalize", "payload": {"manifest": [{"sha256": "b" * 64}, {"x": 1}]}}) \
        == ["b" * 64]
    assert originals_of({"op": "case.draft", "payload": {"sha256": "c" * 64}}) == []
    assert originals_of({"op": "photo.add", "payload": {}}) == []
