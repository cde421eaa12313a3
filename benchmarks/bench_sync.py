"""Benchmark: a laptop pushes 10,000 ops and 200 photo originals to a real server on loopback.

Two laptops (data folders made once by the desktop's own code and kept in
``benchmarks/data/sync/``; each run works on a copy) sync with the desktop's client
(``core/sync/push.sync_once``) to a ``weicha-server serve`` process started for the run:

- **ops**: ~10,000 ops (demo cases: create, finalize, amend, review; ~5 KB each), no photos.
  ops/s = ops applied / the sync's wall time (target ≥ 2,000). Also: the server's CPU time per
  op (its process, from /proc) and the client's, and the time the server spent answering the
  pushes (its log's ``ms``), so a slow side shows. Floor (same run): the same push bodies
  POSTed to the bare app in the same server process, which only parses the JSON.
- **photos**: 200 twelve-megapixel JPEGs (bench_photo_import's corpus, ~2.4 MB each) in 20
  cases; MB/s = the originals' bytes / the sync's wall time (their ~220 ops included).
  Floor (same run, target ≥ 50 %): the same bytes PUT one request per file by the same client
  library with the same transport (httpx, TCP_NODELAY, keep-alive) to the bare app's ``/raw/``
  routes served by the same server process as the sync (``--serve-both``: the server's app
  as ``weicha-server serve`` runs it, with the bare app beside it), which writes each to a
  file and fsyncs it (the server fsyncs every original it stores), measured right before and
  right after the sync (the floor is their mean: a shared machine drifts).

SQLite always; PostgreSQL too when WEICHA_TEST_PG_URL is set (a fresh database per run, as
the server tests make it: tests/server_support.py). ``--server-src DIR`` runs the server of
another source tree too (a git worktree of an older commit), alternating with this one's,
with the same client and laptops: a before/after in one run. Run:

    .venv/bin/python benchmarks/bench_sync.py [--ops 10000] [--photos 200] [--rounds 1] [--rebuild]
                                              [--server-src DIR] [--photos-only] [--uploads N]

``--photos-only``: the photos and their floor alone (a few minutes for both backends);
``--uploads N``: originals in flight at once (core/sync/push.UPLOADS). Per photo it prints the
wall time, the server's CPU (and the raw upload's, from the server's CPU over the two floors)
and the client's. ``init`` runs the server's own code (another schema with ``--server-src``).

Output: ``results/sync.json`` (``sync-photos.json`` with ``--photos-only``). The first run
builds the laptops (~1–2 minutes)."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
if sys.argv[1:2] != ["--serve-both"]:  # the server process takes its code from PYTHONPATH (--server-src)
    sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
DATA = ROOT / "benchmarks" / "data" / "sync"
PHOTOS_PER_CASE = 10
MB = 1024 * 1024

# the laptops' device keys and enrollments go to the copies' own config folders, never ~/.config
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"


# ---- the laptops (made once) -------------------------------------------------------------------
def _open(folder: Path):
    from weicha_desktop.core.store import Store

    os.environ["WEICHA_CONFIG_DIR"] = str(folder / "config")
    return Store.open(folder / "data")


def _outbox(store) -> int:
    return store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]


def build_ops(folder: Path, ops: int) -> None:
    """Demo cases (the one write path) until the outbox holds at least ``ops`` ops."""
    from weicha_desktop.core.demo import fill_demo
    from weicha_desktop.core.sync.queue import OutboxQueue
    from weicha_desktop.core.store import SYSTEM
    from tests.support import forms

    store = _open(folder)
    seed = 7
    while (have := _outbox(store)) < ops:
        fill_demo(store, forms(), cases=max(1, (ops - have) // 2), seed=seed)
        OutboxQueue(store, SYSTEM).compact()
        seed += 1
    store.close()


def build_photos(folder: Path, photos: int) -> None:
    """``photos`` originals imported by PhotoService, PHOTOS_PER_CASE per new case."""
    from benchmarks.bench_photo_import import make_corpus
    from weicha_desktop.core.cases import CaseService
    from weicha_desktop.core.demo import DEMO_PASSWORD, fill_demo, scene_values
    from weicha_desktop.core.photos import PhotoService
    from weicha_desktop.core.users import UserService
    from tests.support import forms

    files = make_corpus(photos)
    store = _open(folder)
    fill_demo(store, forms(), cases=0)
    admin = UserService(store).authenticate("admin", DEMO_PASSWORD)
    cases = CaseService(store, forms(), admin)
    for first in range(0, photos, PHOTOS_PER_CASE):
        case = cases.new_case(scene_values(first + 1))
        done = PhotoService(store, admin, forms()).import_files(case.id, files[first:first + PHOTOS_PER_CASE])
        assert all(r.status == "imported" for r in done), done
    store.close()


def template(kind: str, n: int, rebuild: bool) -> Path:
    folder = DATA / f"{kind}-{n}"
    if rebuild and folder.exists():
        shutil.rmtree(folder)
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"building {folder} …", flush=True)
        (build_ops if kind == "ops" else build_photos)(folder, n)
        (folder / "done").write_text("")
    return folder


def copy_laptop(src: Path, dst: Path) -> Path:
    """A working copy: the database and config copied, the read-only originals hard-linked."""
    def link_or_copy(a: str, b: str) -> None:
        if f"{os.sep}blobs{os.sep}" in a:
            os.link(a, b)
        else:
            shutil.copy2(a, b)

    shutil.copytree(src, dst, copy_function=link_or_copy)
    return dst


# ---- measuring -------------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:13]) / os.sysconf("SC_CLK_TCK")


def push_ms(server) -> list[float]:
    lines = [json.loads(x) for x in server.log_text().splitlines() if x.startswith("{")]
    return [x["ms"] for x in lines if x.get("event") == "request" and x.get("path") == "/v1/push"]


def sync_laptop(server, folder: Path, record: list | None = None) -> dict[str, Any]:
    """Enroll the copy at ``folder`` and sync it once; what moved and what it cost."""
    from weicha_desktop.core.sync.enrollment import SyncConfig, enroll
    from weicha_desktop.core.sync.push import sync_once

    store = _open(folder)
    enroll(store, server.url, server.code("bench"))
    client = SyncConfig.of(store).client()
    if record is not None:
        real = client.push
        client.push = lambda body: (record.append(body if isinstance(body, bytes) else json.dumps(body).encode()),
                                    real(body))[1]
    pending = _outbox(store)
    before_ms = len(push_ms(server))
    cpu0, scpu0, t0 = time.process_time(), cpu_seconds(server.proc.pid), time.perf_counter()
    result = sync_once(store, client)
    wall = time.perf_counter() - t0
    cpu, scpu = time.process_time() - cpu0, cpu_seconds(server.proc.pid) - scpu0
    client.close()
    store.close()
    assert result.ok, result.error
    assert result.applied == pending and not result.rejected, (result.applied, pending, result.rejected)
    return {"ops": result.applied, "batches": result.batches, "photos": result.photos_uploaded,
            "photo_bytes": result.photo_bytes, "wall_s": wall, "client_cpu_s": cpu,
            "server_cpu_s": scpu, "server_push_ms": sum(push_ms(server)[before_ms:])}


# ---- the floor: a bare ASGI app on the same uvicorn --------------------------------------------
async def raw_app(scope, receive, send):
    """PUT /NAME: the body streamed to a file in $BENCH_RAW_DIR, fsynced; POST: the body parsed
    as JSON. Answers {"ok": true}."""
    if scope["type"] != "http":
        return
    if scope["method"] == "PUT":
        fd = os.open(os.path.join(os.environ["BENCH_RAW_DIR"], scope["path"].strip("/")),
                     os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            more = True
            while more:
                message = await receive()
                view = memoryview(message.get("body", b""))
                while view:
                    view = view[os.write(fd, view):]
                more = message.get("more_body", False)
            os.fsync(fd)
        finally:
            os.close(fd)
    else:
        parts, more = [], True
        while more:
            message = await receive()
            parts.append(message.get("body", b""))
            more = message.get("more_body", False)
        json.loads(b"".join(parts))
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"12")]})
    await send({"type": "http.response.body", "body": b'{"ok": true}'})


def serve_both(data_dir: str, port: str, db: str = "") -> int:
    """``--serve-both DATA_DIR PORT [DB]``: the server's app as ``weicha-server serve`` runs it
    (one worker: create_app, uvicorn with its options), the bare app's routes under ``/raw/``
    beside it, in this one process: the floor measured against the same process, event loop
    and thread pool as the sync."""
    import uvicorn

    from weicha_server import config as settings
    from weicha_server.app import create_app
    from weicha_server.gate import setup_logging

    setup_logging()
    app = create_app(settings.load(data_dir, db or None))

    async def both(scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/raw/"):
            return await raw_app({**scope, "path": scope["path"][len("/raw"):]}, receive, send)
        return await app(scope, receive, send)

    uvicorn.run(both, host="127.0.0.1", port=int(port), log_config=None, access_log=False,
                server_header=False, timeout_graceful_shutdown=5)
    return 0


def start_both(data_dir: Path, db: str | None, raw_dir: Path):
    """``init`` and the combined server (``serve_both``) in a subprocess, as
    tests/server_support.launch_server starts ``serve``; its Server once it answers."""
    from tests.server_support import Server, free_port

    data_dir.mkdir(parents=True, exist_ok=True)
    raw_dir.mkdir(parents=True, exist_ok=True)
    # ``init`` by the server's own code (--server-src: another schema version), default limits
    subprocess.run([sys.executable, "-m", "weicha_server", "--data-dir", str(data_dir),
                    *(["--db", db] if db else []), "init"], check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    log_path = data_dir.parent / f"{data_dir.name}-{port}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve-both", str(data_dir), str(port), db or ""],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            env={**os.environ, "BENCH_RAW_DIR": str(raw_dir)})
    return Server(data_dir, db, port, proc, log_path).ready()


def raw_client(url: str):
    """The sync client's library and transport (TCP_NODELAY, keep-alive), plain http."""
    import httpx

    from weicha_desktop.core.sync.client import SOCKET_OPTIONS

    transport = httpx.HTTPTransport(verify=False, socket_options=SOCKET_OPTIONS)
    return httpx.Client(base_url=url, timeout=60, trust_env=False, verify=False, transport=transport)


def raw_photos(url: str, files: list[Path]) -> float:
    with raw_client(url) as c:
        t0 = time.perf_counter()
        for f in files:
            r = c.put("/" + f.name, content=f.read_bytes())
            assert r.status_code == 200, r.text
        return time.perf_counter() - t0


def raw_ops(url: str, bodies: list[bytes]) -> float:
    with raw_client(url) as c:
        t0 = time.perf_counter()
        for body in bodies:
            r = c.post("/push", content=body, headers={"Content-Type": "application/json"})
            assert r.status_code == 200, r.text
        return time.perf_counter() - t0


# ---- one run on one backend ------------------------------------------------------------------------
@contextmanager
def server_from(src: Path | None) -> Iterator[None]:
    """Server processes started in the block run the code in ``src`` (another checkout: the
    same benchmark for a before/after in one run); None: this checkout."""
    if src is None:
        yield
        return
    saved, cwd = os.environ.get("PYTHONPATH"), os.getcwd()
    os.environ["PYTHONPATH"] = os.pathsep.join([str(src), *([saved] if saved else [])])
    os.chdir(src)  # ``python -m`` puts the working folder first on the path
    try:
        yield
    finally:
        os.chdir(cwd)
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved


def run(backend: str, ops_src: Path | None, photos_src: Path, server_src: Path | None) -> dict[str, Any]:
    from tests.server_support import backend_db

    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp, backend_db(backend) as db:
        tmp_path = Path(tmp)
        photo_copy = copy_laptop(photos_src, tmp_path / "photos")
        files = [f for f in sorted((photo_copy / "data" / "blobs").glob("??/*")) if len(f.name) == 64]
        with server_from(server_src):
            server = start_both(tmp_path / "server", db, tmp_path / "raw")
        try:
            bodies: list[bytes] = []
            ops = None if ops_src is None else sync_laptop(server, copy_laptop(ops_src, tmp_path / "ops"), bodies)
            raw_ops_s = raw_ops(server.url + "/raw", bodies)
            server_cpu0 = cpu_seconds(server.proc.pid)
            raw_before = raw_photos(server.url + "/raw", files)  # the floor right before (files cached)
            photos = sync_laptop(server, photo_copy)
            raw_after = raw_photos(server.url + "/raw", files)  # and right after: their mean
            server_cpu_all = cpu_seconds(server.proc.pid) - server_cpu0  # the floors' and the sync's
        finally:
            server.stop()
    raw_photo_s = (raw_before + raw_after) / 2
    photo_mb = photos["photo_bytes"] / MB
    n = photos["photos"]
    out = {
        "backend": backend, "server_src": str(server_src or ROOT), "ops": ops, "photos": photos,
        "photo_mb": photo_mb, "photo_mb_per_s": photo_mb / photos["wall_s"],
        "floor_mb_per_s": photo_mb / raw_photo_s,
        "photo_ratio": raw_photo_s / photos["wall_s"],
        # per photo (its ops included): wall, the server's CPU, the client's CPU; and the
        # server's CPU for one raw upload of it (the floors' share: all minus the sync's)
        "photo_wall_ms": photos["wall_s"] / n * 1000, "floor_wall_ms": raw_photo_s / n * 1000,
        "photo_server_cpu_ms": photos["server_cpu_s"] / n * 1000,
        "floor_server_cpu_ms": (server_cpu_all - photos["server_cpu_s"]) / (2 * n) * 1000,
        "photo_client_cpu_ms": photos["client_cpu_s"] / n * 1000,
    }
    if ops is not None:
        out.update({
            "ops_per_s": ops["ops"] / ops["wall_s"],
            "server_cpu_ms_per_op": ops["server_cpu_s"] / ops["ops"] * 1000,
            "client_cpu_ms_per_op": ops["client_cpu_s"] / ops["ops"] * 1000,
            "server_push_ms_per_op": ops["server_push_ms"] / ops["ops"],
            "floor_ops_per_s": ops["ops"] / raw_ops_s})
    return out


def main() -> int:
    if sys.argv[1:2] == ["--serve-both"]:
        return serve_both(*sys.argv[2:])
    p = argparse.ArgumentParser()
    p.add_argument("--ops", type=int, default=10_000)
    p.add_argument("--photos", type=int, default=200)
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--backend", choices=("sqlite", "postgresql"), action="append",
                   help="default: sqlite, and postgresql when WEICHA_TEST_PG_URL is set")
    p.add_argument("--rebuild", action="store_true")
    p.add_argument("--photos-only", action="store_true", help="skip the 10,000 ops (photos and their floor only)")
    p.add_argument("--uploads", type=int, help="originals in flight at once (core/sync/push.UPLOADS; default its own)")
    p.add_argument("--server-src", type=Path, action="append",
                   help="also run the server from this source tree (e.g. a git worktree of an older "
                        "commit), alternating with this checkout's: a before/after in one run")
    args = p.parse_args()
    if args.uploads:
        from weicha_desktop.core.sync import push

        push.UPLOADS = args.uploads
    backends = args.backend or ["sqlite", *(["postgresql"] if os.environ.get("WEICHA_TEST_PG_URL") else [])]
    config = Path(tempfile.mkdtemp(prefix="bench-sync-config-"))
    os.environ.setdefault("WEICHA_LOG_DIR", str(config))
    ops_src = None if args.photos_only else template("ops", args.ops, args.rebuild)
    photos_src = template("photos", args.photos, args.rebuild)
    sources: list[Path | None] = [None, *(args.server_src or [])]
    label = {src: "this" if src is None else src.name for src in sources}
    runs: dict[str, list[dict[str, Any]]] = {f"{b}/{label[src]}": [] for b in backends for src in sources}
    for _ in range(args.rounds):
        for backend in backends:
            for src in sources:
                runs[f"{backend}/{label[src]}"].append(run(backend, ops_src, photos_src, src))
    summary = {}
    for backend, rs in runs.items():
        med = {k: statistics.median(r[k] for r in rs) for k in rs[0] if isinstance(rs[0][k], float)}
        summary[backend] = med
        if "ops_per_s" in med:
            print(f"{backend:>16}: {rs[0]['ops']['ops']} ops {med['ops_per_s']:.0f} ops/s "
                  f"(target ≥ 2000; floor, JSON parse only: {med['floor_ops_per_s']:.0f} ops/s); "
                  f"CPU per op: server {med['server_cpu_ms_per_op']:.3f} ms, client {med['client_cpu_ms_per_op']:.3f} ms; "
                  f"server answering pushes {med['server_push_ms_per_op']:.3f} ms/op")
            ratio = [r["ops_per_s"] / r["floor_ops_per_s"] for r in rs]
            print(f"{'':>16}  {len(rs)} runs: ops/s {min(r['ops_per_s'] for r in rs):.0f}–"
                  f"{max(r['ops_per_s'] for r in rs):.0f}, of the JSON floor {min(ratio):.1%}–{max(ratio):.1%}")
        print(f"{backend:>16}  {rs[0]['photos']['photos']} photos {med['photo_mb']:.0f} MB "
              f"{med['photo_mb_per_s']:.1f} MB/s vs raw HTTP {med['floor_mb_per_s']:.1f} MB/s "
              f"= {med['photo_ratio']:.0%} (target ≥ 50 %; {len(rs)} runs "
              f"{min(r['photo_ratio'] for r in rs):.0%}–{max(r['photo_ratio'] for r in rs):.0%})")
        print(f"{'':>16}  per photo: wall {med['photo_wall_ms']:.1f} ms (raw {med['floor_wall_ms']:.1f}), "
              f"server CPU {med['photo_server_cpu_ms']:.1f} ms (raw {med['floor_server_cpu_ms']:.1f}), "
              f"client CPU {med['photo_client_cpu_ms']:.1f} ms")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ("sync-photos.json" if args.photos_only else "sync.json")).write_text(json.dumps({"args": vars(args), "runs": runs, "median": summary},
                                                  indent=2, ensure_ascii=False, default=str))
    shutil.rmtree(config, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
