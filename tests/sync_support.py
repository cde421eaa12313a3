"""Helpers for the desktop sync client's tests (issue 11, slice S2), on top of
tests/server_support.py's real server processes: an enrolled laptop, a loopback proxy that
cuts the connection after so many bytes, a self-signed leaf certificate, a photo that does
not compress (so an upload takes several chunks)."""
from __future__ import annotations

import socket
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

from weicha_desktop.core.sync.client import SyncClient
from weicha_desktop.core.sync.enrollment import SyncConfig, enroll

from tests.server_support import Laptop, Server, laptop

CHUNK = 64 * 1024  # the fixture server's max_chunk (server_support.LIMITS)
BODY = 200 * 1024  # below the fixture server's max_body


def enrolled(server: Server, path: Path, unit: str | None = None) -> tuple[Laptop, SyncConfig]:
    """A laptop enrolled through the client's own enroll (http to loopback); ``unit``: the
    unit the administrator's code names (default: the laptop's own)."""
    lt = laptop(path)
    enroll(lt.store, server.url, server.code("勘验笔记本", unit), actor=lt.actor)
    return lt, SyncConfig.of(lt.store)


def server_ops(server: Server, device_id: str) -> dict[int, tuple[str, str]]:
    """What the server holds of a device, read behind its API: seq → (op id, status)."""
    import sqlalchemy as sa

    from weicha_server.db import ops

    with server.engine().connect() as conn:
        return {r.device_seq: (r.op_id, r.status) for r in conn.execute(
            sa.select(ops.c.device_seq, ops.c.op_id, ops.c.status).where(ops.c.device_id == device_id))}


def client(config: SyncConfig, url: str | None = None, **kw) -> SyncClient:
    """The enrolled client, or the same device's token against another URL (a proxy)."""
    if url is None:
        return config.client(**kw)
    e = config.require()
    return SyncClient(url, token=config.token(e), cert_pem=e.cert_pem, **kw)


def noisy_photo(path: Path, size=(300, 200)) -> Path:
    """A PNG of random pixels: ~size[0]*size[1]*3 bytes, every byte its own."""
    import os

    from PIL import Image

    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(path, "PNG")
    return path


class CutProxy:
    """127.0.0.1:port → the server; each connection is cut once ``cut_after`` bytes went
    upstream in all (None: never). ``sent`` counts the bytes that went upstream."""

    def __init__(self, upstream_port: int, cut_after: int | None = None):
        self.upstream = upstream_port
        self.cut_after = cut_after
        self.sent = 0
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                down, _ = self.listener.accept()
            except OSError:
                return
            up = socket.create_connection(("127.0.0.1", self.upstream))
            threading.Thread(target=self._pipe, args=(down, up, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(up, down, False), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, upstream: bool) -> None:
        try:
            while data := src.recv(16 * 1024):
                if upstream:
                    with self._lock:
                        room = None if self.cut_after is None else self.cut_after - self.sent
                        if room is not None and room <= 0:
                            raise OSError("cut")
                        data = data if room is None else data[:room]
                        self.sent += len(data)
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


def self_signed_leaf(folder: Path, name: str = "weicha-sync", *, from_days: float = 0) -> tuple[Path, Path]:
    """A self-signed LEAF certificate (not a CA) for the name ``localhost`` only — a client
    pinning it must not care that the server is reached as 127.0.0.1 — valid from
    ``from_days`` from now (1: as a laptop whose clock is a day behind sees it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(timezone.utc) + timedelta(days=from_days)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def with_photos(lt: Laptop, case_id: str, folder: Path, n: int = 4) -> list[str]:
    """``n`` small photos imported into ``case_id``, given the classes a finalize asks for
    (方位、概貌、重点部位、细目, in order); their SHA-256."""
    from weicha_desktop.core.photos import PhotoService

    from tests.media_support import make_photo
    from tests.server_support import import_photos
    from tests.support import forms

    shas = import_photos(lt, case_id, [make_photo(folder / f"p{i}.jpg", size=(60, 40), seed=i) for i in range(n)])
    photos = PhotoService(lt.store, lt.actor, forms())
    for photo, cls in zip(photos.list(case_id), forms().choices("photo_classes")):
        photos.update(photo.id, photo_class=cls.value)
    return shas


def push_to_thread_server(store, actor, tmp: Path) -> tuple[dict[str, str], set[str], list[str]]:
    """Enroll ``store`` on a fresh in-process server (tests/fault_proxy.py ThreadServer,
    SQLite), sync once, and answer what the server then holds of this device: {op: status},
    the record kinds, and the envelopes' JSON of its ops in sequence order. The sync must
    have had nothing rejected and the laptop's queue ends empty (asserted here)."""
    import sqlalchemy as sa

    from weicha_desktop.core.sync.push import sync_once
    from tests.fault_proxy import ThreadServer

    server = ThreadServer(tmp)
    try:
        enroll(store, server.url, server.code(), actor=actor)
        config = SyncConfig.of(store)
        with config.client() as c:
            result = sync_once(store, c, config=config)
        assert not result.rejected, result
        with server.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT op, status, envelope FROM ops WHERE device_id = :d "
                                        "ORDER BY device_seq"), {"d": store.meta("device_id")}).all()
            kinds = {r[0] for r in conn.execute(sa.text("SELECT kind FROM records"))}
        assert store.conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone() == (0,)
        return {r.op: r.status for r in rows}, kinds, [(r.op, r.status, r.envelope) for r in rows]
    finally:
        server.stop()
