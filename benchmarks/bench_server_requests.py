"""Benchmark: the central server's CPU per request, by kind of request.

A ``weicha-server serve`` process forked as the tests fork theirs (tests/server_support.py:
a pre-imported zygote, a database copied from a migrated template) on SQLite and, when
WEICHA_TEST_PG_URL is set, on PostgreSQL. One laptop (tests/support.new_store) enrolls; its
cases' ops are pushed with one keep-alive httpx client, as the desktop's client sends them.
Per kind, REQUESTS requests one after the other; the server process's CPU (user + system,
every thread: /proc/PID/stat) before and after gives ms CPU a request, and on PostgreSQL the
CPU of the server's backends (pg_stat_activity's pids, /proc) likewise. Wall ms a request is
printed too (noisy on a shared machine: read the CPU).

Kinds: ``health`` (no token, one query), ``me`` (token + one row), ``push1`` / ``push10``
(new ops, 1 or 10 a push: drafts of demo cases, ~5 KB each), ``pull`` (``decisions`` from the
start: token + one page), ``missing`` (``/v1/blobs/missing``, 20 hashes), ``patch`` (a whole
8 KB original in one PATCH with Upload-Length).

    .venv/bin/python benchmarks/bench_server_requests.py [--requests 200] [--backend sqlite|postgresql|both]
                                                         [--tree DIR]

``--tree DIR``: the server, zygote and test helpers of another source tree (a git worktree of
an older commit): a before/after from one script. Output: results/server_requests.json (this
tree only)."""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def _tree() -> Path:
    if "--tree" in sys.argv:
        return Path(sys.argv[sys.argv.index("--tree") + 1]).resolve()
    return HERE


ROOT = _tree()
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int, part: slice = slice(11, 13)) -> float:
    """User + system CPU seconds of process ``pid`` (every thread); ``part``: fields 11:12 user only."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return sum(int(x) for x in fields[part]) / TCK


class Meter:
    """CPU of the server process and (PostgreSQL) of its database's backends."""

    def __init__(self, server, db_url: str | None):
        self.server, self.db = server, None
        if db_url:
            from tests.server_support import _admin

            self.admin, self.db = _admin(), db_url.rsplit("/", 1)[1]

    def backends(self) -> list[int]:
        if not self.db:
            return []
        with self.admin.connect() as conn:
            return [r[0] for r in conn.exec_driver_sql(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.db,))]

    def read(self) -> tuple[float, float, dict[int, float]]:
        pg = {}
        for pid in self.backends():
            try:
                pg[pid] = proc_cpu(pid)
            except OSError:
                pass
        pid = self.server.proc.pid
        return proc_cpu(pid), proc_cpu(pid, slice(11, 12)), pg


def measure(meter: Meter, n: int, one) -> dict[str, float]:
    srv0, user0, pg0 = meter.read()
    w0 = time.perf_counter()
    for i in range(n):
        one(i)
    wall = time.perf_counter() - w0
    srv1, user1, pg1 = meter.read()
    pg = sum(v - pg0.get(pid, 0.0) for pid, v in pg1.items())
    return {"server_ms": round((srv1 - srv0) * 1000 / n, 3),
            "server_user_ms": round((user1 - user0) * 1000 / n, 3), "pg_ms": round(pg * 1000 / n, 3),
            "wall_ms": round(wall * 1000 / n, 3)}


def run_backend(backend: str, n: int) -> dict[str, dict[str, float]]:
    from tests import server_fork
    from tests.server_support import backend_db, laptop, start_server

    tmp = Path(tempfile.mkdtemp(prefix="bench-server-"))
    out: dict[str, dict[str, float]] = {}
    with backend_db(backend, migrated=True) as db:
        server = start_server(tmp / "server", db)
        try:
            lt = laptop(tmp / "laptop", unit="450709990000")
            token = server.enroll(lt)
            case, svc = lt.new_case(1), lt.cases()
            for i in range(n * 6 + 10):  # drafts of one case: one op each
                svc.update(case, {"narrative_visit": f"访问第 {i + 1} 次。"})
            envs = lt.envelopes()
            meter = Meter(server, db)
            with server.client(token) as c:
                pos = [0]

                def push(k):
                    def one(_):
                        batch = envs[pos[0]:pos[0] + k]
                        pos[0] += k
                        r = c.post("/v1/push", json=lt.body(batch))
                        assert r.status_code == 200 and len(r.json()["applied"]) == k, r.text
                    return one

                def get(path, status=200):
                    def one(_):
                        r = c.get(path)
                        assert r.status_code == status, r.text
                    return one

                shas = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(20)]

                def missing(_):
                    r = c.post("/v1/blobs/missing", json={"sha256": shas})
                    assert r.status_code == 200, r.text

                def patch(i):
                    data = os.urandom(8192)
                    sha = hashlib.sha256(data).hexdigest()
                    r = c.patch(f"/v1/blobs/{sha}", content=data,
                                headers={"Upload-Offset": "0", "Upload-Length": str(len(data))})
                    assert r.status_code == 200 and r.json()["offset"] == len(data), r.text

                push(1)(0)  # warm: the first push's statements compiled
                get("/v1/health")(0)
                for kind, fn, count in (("health", get("/v1/health"), n), ("me", get("/v1/devices/me"), n),
                                        ("push1", push(1), n), ("push10", push(10), n // 2),
                                        ("pull", get("/v1/pull/decisions"), n), ("missing", missing, n),
                                        ("patch", patch, n // 2)):
                    out[kind] = measure(meter, count, fn)
        finally:
            server.stop()
            server_fork.stop()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--backend", default="both", choices=("sqlite", "postgresql", "both"))
    ap.add_argument("--tree")
    args = ap.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not os.environ.get("WEICHA_TEST_PG_URL"):
        backends.remove("postgresql")
    results = {}
    for b in backends:
        results[b] = run_backend(b, args.requests)
        print(f"== {b} ({ROOT})")
        print(f"{'kind':10} {'server ms CPU':>14} {'(user)':>7} {'pg ms CPU':>10} {'wall ms':>8}")
        for kind, row in results[b].items():
            print(f"{kind:10} {row['server_ms']:14.2f} {row['server_user_ms']:7.2f} {row['pg_ms']:10.2f} "
                  f"{row['wall_ms']:8.2f}")
    if ROOT == HERE:
        (HERE / "benchmarks" / "results" / "server_requests.json").write_text(
            json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
