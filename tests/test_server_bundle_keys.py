"""The server's bundle keys (weicha_server/keys.py, issue 12): made at init (0600 in a 0700
folder), made on first use of a data folder from before them, never replaced once made (a
damaged file is an error); shown by `weicha-server keys`; handed out in the /v1/enroll answer
and by an authenticated GET /v1/keys (the app in this process: no server start)."""
from __future__ import annotations

import base64
import os
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from weicha_server import auth
from weicha_server import config as settings
from weicha_server.app import create_app
from weicha_server.keys import ServerKeys, fingerprint, raw_public

from tests.server_support import HEADERS, init_server, server_cli


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("keys") / "srv"
    init_server(d, None)
    return d


def test_init_makes_owner_only_keys_and_the_command_shows_their_fingerprints(data_dir):
    folder = data_dir / "keys"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in ("signing.pem", "encryption.pem"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    keys = ServerKeys.load(data_dir)
    run = server_cli(data_dir, "keys")
    assert run.code == 0, run.err
    assert keys.fingerprints()["signing"] in run.out and keys.fingerprints()["encryption"] in run.out
    assert fingerprint(raw_public(keys.signing_public)) == keys.fingerprints()["signing"]
    again = server_cli(data_dir, "init")  # an upgrade keeps them
    assert again.code == 0 and ServerKeys.load(data_dir).public() == keys.public()


def test_an_older_data_folder_gets_keys_on_first_use_and_a_damaged_key_is_never_replaced(tmp_path):
    d = tmp_path / "old"
    init_server(d, None)
    for f in (d / "keys").iterdir():
        f.unlink()
    (d / "keys").rmdir()
    run = server_cli(d, "keys", "--json")
    assert run.code == 0 and (d / "keys" / "signing.pem").is_file()
    (d / "keys" / "signing.pem").write_bytes(b"garbage")
    broken = server_cli(d, "keys")
    assert broken.code == 1 and "已损坏" in broken.err and "Traceback" not in broken.err
    assert (d / "keys" / "signing.pem").read_bytes() == b"garbage"
    other = Ed25519PrivateKey.generate()  # a key of the wrong kind in the encryption file
    from cryptography.hazmat.primitives import serialization

    (d / "keys" / "signing.pem").unlink()
    (d / "keys" / "encryption.pem").write_bytes(other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    assert server_cli(d, "keys").code == 1


def test_enroll_answers_the_bundle_keys_and_get_keys_needs_a_token(data_dir):
    keys = ServerKeys.load(data_dir).public()
    app = create_app(settings.load(data_dir))
    engine = app.state.api.engine
    with engine.begin() as conn:
        code, _ = auth.make_code(conn, "笔记本", None, 1.0)
    with TestClient(app, headers=HEADERS) as c:
        r = c.post("/v1/enroll", json={"code": code, "device_id": "dev-keys", "device_name": "笔记本",
                                       "public_key": base64.b64encode(os.urandom(32)).decode()})
        assert r.status_code == 200, r.text
        assert r.json()["bundle_keys"] == keys
        assert len(base64.b64decode(keys["signing_public"])) == 32
        token = r.json()["token"]
        assert c.get("/v1/keys").status_code == 401
        got = c.get("/v1/keys", headers={"Authorization": f"Bearer {token}"})
        assert got.status_code == 200 and got.json()["bundle_keys"] == keys
        assert got.json()["server_id"] == app.state.api.server_id
    engine.dispose()
