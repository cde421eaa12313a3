"""Issue 11's closing audit (/work/notes/issue11-audit.md), the server's side: what the
issue asks that no test held yet — on SQLite and PostgreSQL where it touches the database.

- ``weicha-server stats --json`` counts the USB bundles imported and refused;
- an offline enrollment (``enroll-import``) registers the laptop's key and gives it a number
  block as ``POST /v1/enroll`` does (through auth.enroll_device), the block following the
  server's ``number_slots`` as the network's does;
- a network enrollment registers the laptop's own checkpoint key (the hardening issue's);
- an unexpected failure in a handler is a JSON 500 in Chinese, a database that went away a
  JSON 503: never a stack trace to the client, the details in the server's log only;
- the originals sit behind the BlobStore interface: a store of another kind (here in memory,
  as an object store would be) serves every blob endpoint — resumed upload, SHA-256 check,
  download, thumbnail — and the folder is never touched;
- the size limits past the body's and the chunk's (ops in a push, an original's size) and one
  writer per record (another device's edit is 409 ``not_owner``)."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from weicha_desktop.core.bundle.offline_enroll import write_request
from weicha_desktop.core.checkpoint import Anchor
from weicha_desktop.core.ids import new_id
from weicha_server import auth, db, enroll_offline
from weicha_server import push as push_module
from weicha_server import config as settings
from weicha_server.app import create_app

from tests.server_bundle_support import UNIT, enrolled_laptop, ops_bundle, srv  # noqa: F401
from tests.server_support import HEADERS, closes_laptops, init_server, laptop, server_cli  # noqa: F401
from tests.shared_server_support import shared_server  # noqa: F401
from tests.sync_support import enrolled


def stats(srv) -> dict:
    run = server_cli(srv.data_dir, "stats", "--json", db=srv.db_url)
    assert run.code == 0, run.err
    return json.loads(run.out)["bundles"]


def test_stats_counts_the_bundles_imported_and_refused(srv, tmp_path):
    before = stats(srv)
    lt, key = enrolled_laptop(srv, tmp_path / "a")
    lt.new_case(1)
    path = tmp_path / "a.wcb"
    ops_bundle(lt, key, srv, path)
    assert server_cli(srv.data_dir, "bundle", "import", str(path), db=srv.db_url).code == 0
    junk = tmp_path / "junk.wcb"
    junk.write_bytes(b"not a bundle at all" * 10)
    assert server_cli(srv.data_dir, "bundle", "import", str(junk), db=srv.db_url).code == 1
    after = stats(srv)
    assert after["imported"] == before["imported"] + 1 and after["devices"] == before["devices"] + 1
    assert after["refused"] == before["refused"] + 1 and after["last_imported_at"]
    with db.read(srv.engine) as conn:
        [stamp] = conn.execute(sa.select(db.bundle_imports.c.imported_at)
                               .where(db.bundle_imports.c.device_id == lt.device_id)).scalars()
    assert after["last_imported_at"] >= stamp
    text = server_cli(srv.data_dir, "stats", db=srv.db_url)
    assert text.code == 0 and f"U 盘数据包：已导入 {after['imported']} 个" in text.out


def offline_enroll(srv, tmp_path, **config):
    """A laptop's own request (core/bundle/offline_enroll.write_request) taken by
    ``enroll_offline.enroll``, as ``weicha-server enroll-import --yes`` does; (laptop, answer)."""
    lt = laptop(tmp_path / "lt")
    req = write_request(lt.store, lt.actor, tmp_path / "req.wcq", device_name="离线笔记本")
    done = enroll_offline.enroll(srv.config(**config), srv.engine, srv.keys, req.path, tmp_path / "e.wce",
                                 unit=None, reenroll=False, confirm=lambda r: True, actor="admin-cli")
    return lt, done


def block(srv, device_id: str):
    with db.read(srv.engine) as conn:
        return conn.execute(sa.select(db.number_blocks).where(db.number_blocks.c.device_id == device_id)).one()


def test_an_offline_enrollment_gets_a_number_block_as_the_network_one_does(srv, tmp_path):
    lt, done = offline_enroll(srv, tmp_path)
    row = block(srv, lt.device_id)
    numbers = done["answer"]["numbers"]
    assert (numbers["first"], numbers["last"], numbers["slot"]) == (row.first_serial, row.last_serial, row.slot)
    assert row.unit_code == lt.store.meta("unit_code")
    with db.read(srv.engine) as conn:  # no other device of the unit holds an overlapping block
        others = conn.execute(sa.select(db.number_blocks).where(db.number_blocks.c.unit_code == row.unit_code,
                                                                db.number_blocks.c.device_id != lt.device_id)).all()
        device = conn.execute(sa.select(db.devices).where(db.devices.c.id == lt.device_id)).one()
    assert all(o.last_serial < row.first_serial or o.first_serial > row.last_serial for o in others)
    [entry] = [e for e in srv.audit("device.enroll") if e["details"]["device_id"] == lt.device_id]
    assert entry["details"]["numbers"] == {k: v for k, v in numbers.items() if k != "used"}  # enroll_device's
    assert device.public_key == base64.b64encode(raw_checkpoint_key(lt)).decode()


def test_an_offline_enrollment_follows_the_servers_number_slots(srv, tmp_path):
    lt, done = offline_enroll(srv, tmp_path, number_slots=40)
    assert block(srv, lt.device_id).slots == 40 == done["answer"]["numbers"]["slots"]


def raw_checkpoint_key(lt) -> bytes:
    key = (lt.store.anchor or Anchor.default()).private_key(create=False)
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


# ---- never a stack trace -------------------------------------------------------------------
@contextmanager
def in_process(data: Path, blobs=None):
    """The server's app in this process (SQLite; ``blobs``: its blob store, default the
    folder), as a TestClient carrying an enrolled device's token."""
    init_server(data, None)
    app = create_app(settings.load(data, None), blob_store=blobs)
    engine = app.state.api.engine
    with engine.begin() as conn:
        code, _ = auth.make_code(conn, "笔记本", None, 1.0)
        token, _ = auth.enroll(conn, code=code, device_id="dev-1", device_name="x",
                               public_key=base64.b64encode(b"k" * 32).decode(), unit_code=None)
    try:
        with TestClient(app, raise_server_exceptions=False,
                        headers={**HEADERS, "Authorization": f"Bearer {token}"}) as client:
            yield client
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    with in_process(tmp_path_factory.mktemp("api") / "srv") as client:
        yield client


def refused_plainly(r, status: int, error: str, *secrets: str) -> None:
    assert r.status_code == status and r.headers["content-type"].startswith("application/json"), r.text
    body = r.json()
    assert body["error"] == error and any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body
    for hidden in ("Traceback", "File \"", *secrets):
        assert hidden not in r.text


def test_an_unexpected_failure_is_a_json_500_and_its_details_stay_in_the_log(api, monkeypatch, caplog):
    def broken(*a, **k):
        raise RuntimeError("secret-detail-42 in a handler")

    monkeypatch.setattr(auth, "authenticate", broken)
    with caplog.at_level(logging.INFO):
        r = api.get("/v1/devices/me")
    refused_plainly(r, 500, "internal", "secret-detail-42", "RuntimeError")
    [logged] = [r.fields for r in caplog.records if getattr(r, "fields", {}).get("event") == "error"]
    assert "secret-detail-42" in logged["message"] and "Traceback" in logged["traceback"]  # for the administrator
    monkeypatch.undo()
    assert api.get("/v1/devices/me").status_code == 200  # the server goes on


def test_a_database_gone_is_a_json_503(api, monkeypatch):
    def down(*a, **k):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("password=hunter2 host gone"))

    monkeypatch.setattr(auth, "authenticate", down)
    refused_plainly(api.get("/v1/devices/me"), 503, "unavailable", "hunter2", "OperationalError")


def test_a_network_enrollment_registers_the_laptops_checkpoint_key(srv_http, tmp_path):
    lt, _ = enrolled(srv_http, tmp_path / "a")
    with srv_http.engine().connect() as conn:
        stored = conn.execute(sa.select(db.devices.c.public_key).where(db.devices.c.id == lt.device_id)).scalar_one()
    assert base64.b64decode(stored) == raw_checkpoint_key(lt)


@pytest.fixture(scope="module")
def srv_http(shared_server):  # noqa: F811 — one for the test process
    return shared_server("sqlite")


# ---- the blob store is an interface --------------------------------------------------------
class MemoryBlobStore:
    """weicha_server.blobstore.BlobStore kept in memory: no path, no folder (an object store's shape)."""

    def __init__(self):
        self.parts: dict[str, bytearray] = {}
        self.kept: dict[str, bytes] = {}

    def has(self, sha256):
        return sha256 in self.kept

    def open_upload(self, sha256):
        self.parts.setdefault(sha256, bytearray())

    def part_size(self, sha256):
        part = self.parts.get(sha256)
        return None if part is None else len(part)

    def append(self, sha256, offset, data):
        part = self.parts.setdefault(sha256, bytearray())
        if len(part) < offset:
            raise ValueError("partial upload shorter than its offset")
        del part[offset:]
        part += data
        return len(part)

    def finish(self, sha256):
        part = bytes(self.parts.pop(sha256))
        if hashlib.sha256(part).hexdigest() != sha256:
            return False
        self.kept[sha256] = part
        return True

    def finish_whole(self, sha256, data):
        self.parts[sha256] = bytearray(data)
        return self.finish(sha256)

    def discard(self, sha256):
        self.parts.pop(sha256, None)

    def adopt(self, sha256, path, digest):
        data = Path(path).read_bytes()
        Path(path).unlink()
        if digest != sha256:
            return False
        self.kept[sha256] = data
        return True

    def open(self, sha256):
        if sha256 not in self.kept:
            raise FileNotFoundError(sha256)
        return io.BytesIO(self.kept[sha256])


def test_another_kind_of_blob_store_serves_every_blob_endpoint(tmp_path):
    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (64, 48), bytes(range(256)) * 36).save(out, "JPEG")
    photo = out.getvalue()
    sha = hashlib.sha256(photo).hexdigest()
    store = MemoryBlobStore()
    with in_process(tmp_path / "srv", blobs=store) as c:
        assert c.post("/v1/blobs/missing", json={"sha256": [sha]}).json() == {"missing": [sha]}
        assert c.post(f"/v1/blobs/{sha}/upload", json={"size": len(photo)}).json() == {"offset": 0}
        half = len(photo) // 2
        assert c.patch(f"/v1/blobs/{sha}", content=photo[:half], headers={"Upload-Offset": "0"}).json() == {"offset": half}
        # the connection was cut: the upload resumes at its offset, not from zero
        assert c.post(f"/v1/blobs/{sha}/upload", json={"size": len(photo)}).json() == {"offset": half}
        done = c.patch(f"/v1/blobs/{sha}", content=photo[half:], headers={"Upload-Offset": str(half)})
        assert done.status_code == 200 and done.json() == {"offset": len(photo)}
        assert store.kept == {sha: photo} and store.parts == {}
        assert c.post("/v1/blobs/missing", json={"sha256": [sha]}).json() == {"missing": []}
        assert c.get(f"/v1/blobs/{sha}").content == photo
        thumb = c.get(f"/v1/blobs/{sha}/thumbnail")
        assert thumb.status_code == 200 and thumb.content[:2] == b"\xff\xd8"
        wrong = "0" * 64  # bytes that are not their address: refused and nothing kept
        assert c.post(f"/v1/blobs/{wrong}/upload", json={"size": 3}).json() == {"offset": 0}
        bad = c.patch(f"/v1/blobs/{wrong}", content=b"abc", headers={"Upload-Offset": "0"})
        assert bad.status_code == 422 and bad.json()["error"] == "sha_mismatch"
        assert wrong not in store.kept and wrong not in store.parts
    assert not any(p.is_file() for p in (tmp_path / "srv" / "blobs").rglob("*"))  # the folder untouched


def test_a_batch_over_the_limit_and_an_original_over_the_limit_are_413(api):
    """The size limits beside the body's and the chunk's (test_server_api.py): ops in one push
    (max_batch) and the size of one original (max_blob), each refused as JSON in Chinese."""
    body = {"device_id": "dev-1", "ops": [{}] * 501, "from_seq": 1, "through_seq": 501, "audit": []}
    refused_plainly(api.post("/v1/push", json=body), 413, "batch_too_large")
    refused_plainly(api.post(f"/v1/blobs/{'ab' * 32}/upload", json={"size": 1024 ** 3 + 1}), 413, "too_large")
    assert api.post(f"/v1/blobs/{'ab' * 32}/upload", json={"size": 1024 ** 3}).json() == {"offset": 0}


def test_one_writer_per_record_another_devices_edit_is_409_not_owner(srv, tmp_path):
    """"One writer per record (its owner device)": a draft of A's record pushed by B is refused
    409 ``not_owner`` (in Chinese), the record stays A's at its version, B's mark moves past
    the op (the queue is not blocked) — record_exists (a create) was tested, this was not."""
    a, b = laptop(tmp_path / "a"), laptop(tmp_path / "b")
    for lt in (a, b):
        srv.enroll(lt, Ed25519PrivateKey.generate())
    case = a.new_case(1, drafts=1)
    create, draft = a.envelopes()

    def push(lt, envs):
        with srv.engine.begin() as conn:
            row = conn.execute(sa.select(db.devices).where(db.devices.c.id == lt.device_id).with_for_update()).one()
            return push_module.push(conn, auth.Device.of(row), lt.body(envs), max_batch=500).body()

    assert push(a, [create])["applied"] == [create["op_id"]]
    forged = dict(draft, device_id=b.device_id, device_seq=1, op_id=new_id())
    answer = push(b, [forged])
    [no] = answer["rejected"]
    assert (no["op_id"], no["status"], no["error"]) == (forged["op_id"], 409, "not_owner")
    assert "只能由录入它的设备修改" in no["message"] and answer["through_seq"] == 1
    with db.read(srv.engine) as conn:
        rec = conn.execute(sa.select(db.records).where(db.records.c.record_id == case)).one()
    assert (rec.owner_device_id, rec.current_version) == (a.device_id, 1)
    assert push(a, [draft])["applied"] == [draft["op_id"]]  # the owner's own draft still goes in
