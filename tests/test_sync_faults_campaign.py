"""The seeded randomized sync fault campaign (issue 11, S4): laptops edit, faults hit the sync,
the sync runs until quiet, and the oracle (tests/sync_oracle.py) compares the server with every
laptop — after every run.

A run (one seed) picks edits on one or two laptops (cases, drafts, photos, finalize, approval,
return, amendment: sync_oracle.Workload) and one or two faults:

- ``cut``: a loopback proxy cuts the sync's connections at random byte offsets, either way;
- ``lost``: the server applies a push, its answer never arrives (the same batch goes twice);
- ``stale``: an earlier push is sent again, raw, after later ones (a duplicate arriving late);
- ``pause``: the server holds requests (before it reads them, or with the answer ready) past
  the client's timeout, then goes on — what a SIGSTOPped server does;
- ``kill``: the client dies at a random request, before it leaves or once it was answered;
- ``flight``: the user edits while a push is on its way;
- ``clock``: the laptop's clock a day ahead or behind for the run's edits;
- ``both``: two laptops push at once;
- ``restore``: the server's database is put back to a backup taken at an earlier run (the
  laptops must send again what it lost; where a laptop had already pruned some of it, the sync
  must say so — OpsLost — and the administrator restores the newer backup);
- ``newer``: one of the edits goes out in a payload version the server does not know (a
  newer program): the server rejects that op and the laptop must show it rejected, with the
  reason, the rest going on.

The runs of a chain share their laptops and server history (a restore needs a past); each
chain starts with fresh laptops (fresh device ids) on the worker's one server of its backend
(weicha_server's app in a thread): SQLite, and PostgreSQL (a fresh database on the cluster of
WEICHA_TEST_PG_URL; a backup there is every table's rows and every sequence's position, read
under a lock that waits for writes on their way; a restore empties every table and writes the
backup's rows back in one transaction that locks out the server until it is done — the
database's state as a copy would have it, without copying the cluster's catalogs each time:
tests/test_sync_faults.py restores one with pg_dump and pg_restore).
A failure names the backend, the seed and how to replay it. ``make soak`` runs SOAK_RUNS
(1,000) runs on each backend from SOAK_SEED, in chains of SOAK_CHAIN; the faults injected are
counted (SOAK_REPORT: a file that gets one JSON line per chain). ``make test`` runs one chain
per backend of a SAMPLE of seeds (``sample``: runs of two faults each, other seeds on each
backend) picked so that every fault kind comes SAMPLE_EACH times or more on each — and asserts
that it did, with the branches the faults reach (a client killed, a connection cut, a timeout,
a rejected newer op, ops sent again). CAMPAIGN_RUNS / CAMPAIGN_PG_RUNS: contiguous chains of
that many runs instead (as make soak)."""
from __future__ import annotations

import functools
import json
import os
import random
import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from weicha_desktop.core.clock import FixedClock
from weicha_desktop.core.ops import OP_BY_NAME
from weicha_desktop.core.sync.client import SyncClient
from weicha_desktop.core.sync.enrollment import SyncConfig, enroll
from weicha_desktop.core.sync.push import sync_once
from weicha_desktop.core.sync.queue import OpsLost, OutboxQueue
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import verify

from tests.fault_proxy import (UP, DOWN, Cut, FaultProxy, Hurried, Killed, KillingTransport, Recording,
                               Tally, ThreadServer)
from tests.pg_pool import Contents
from tests.server_support import HEADERS, Laptop, backend_db
from tests.support import PASSWORD, new_store
from tests.sync_oracle import EDITS, Oracle, Workload

RUNS = int(os.environ.get("SOAK_RUNS") or os.environ.get("CAMPAIGN_RUNS") or 0)  # 0: the sample
PG_RUNS = int(os.environ.get("SOAK_RUNS") or os.environ.get("CAMPAIGN_PG_RUNS") or 0)
FIRST = int(os.environ.get("SOAK_SEED") or 0)
CHAIN = int(os.environ.get("SOAK_CHAIN") or 20)  # runs that share their laptops
FAULTS = ("cut", "lost", "stale", "pause", "kill", "flight", "clock", "both", "restore", "newer")
# what make test's sample must inject on each backend (a literal: dropping a kind from FAULTS
# or from the sample fails the campaign), each SAMPLE_EACH times or more; and the branches
# those faults must reach at least once (tallied as they happen)
SAMPLED = ("restore", "cut", "kill", "pause", "stale", "lost", "flight", "clock", "both", "newer")
SAMPLE_EACH = 3
REACHED = ("killed", "cuts", "timeouts", "newer_ops", "resent", "oracle_checks")
PAUSE = 0.02  # seconds a push waits for its answer during a pause fault (the other requests: as
#               the client says — only the push is held, so only the push times out)
# a chain's laptops keep acknowledged ops 7 days (the product: never pruned in a chain) or 15
# minutes of their clocks (which step a second a reading: some runs), so backups older than
# that lack ops a laptop pruned (OpsLost, and the administrator puts the newer one back)
KEEP = (timedelta(days=7), timedelta(minutes=15))


def draw(seed: int) -> tuple[random.Random, bool, list[str]]:
    """A run's first draws: its generator (to go on with), whether it backs the server up
    first, and its faults."""
    rng = random.Random(seed)
    backup = rng.random() < 0.35
    return rng, backup, rng.sample(FAULTS, k=rng.choice((1, 1, 2)))


@functools.lru_cache(maxsize=None)
def sample(start: int, each: int = SAMPLE_EACH) -> list[int]:
    """Seeds of make test's chain on one backend (every other seed from ``start``: the two
    backends' starts differ in parity, so they run other seeds): runs of two faults, taken in
    order while both are still wanted, then while one is, until every kind came ``each`` times."""
    want, seeds = dict.fromkeys(FAULTS, each), []
    for need in (all, any):
        for seed in range(start, start + 2000, 2):
            faults = draw(seed)[2]
            if len(faults) == 2 and seed not in seeds and need(want[k] > 0 for k in faults):
                seeds.append(seed)
                for k in faults:
                    want[k] -= 1
            if max(want.values()) <= 0:
                return sorted(seeds)
    raise AssertionError(f"no sample covers every fault kind {each} times: {want}")


# make test's sample starts: chosen (by running a few) so that each backend's chain also makes
# every kind of edit (sync_oracle.EDITS) and reaches every branch of REACHED — asserted
SAMPLE_STARTS = {"sqlite": 300, "postgresql": 601}
# (backend, seeds, chain number: its laptops' KEEP); make test: the samples, SQLite's laptops
# pruning after 15 minutes, PostgreSQL's keeping 7 days (the product's)
CHAINS = ([(backend, list(range(s, min(s + CHAIN, FIRST + n))), s // CHAIN)
           for backend, n in (("sqlite", RUNS), ("postgresql", PG_RUNS)) for s in range(FIRST, FIRST + n, CHAIN)]
          or [("sqlite", sample(SAMPLE_STARTS["sqlite"]), 1), ("postgresql", sample(SAMPLE_STARTS["postgresql"]), 0)])
TRACE = bool(os.environ.get("SOAK_TRACE"))  # print each run's faults and syncs (pytest -s)


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    with backend_db(request.param, migrated=True) as db:  # (PostgreSQL: a copy of the migrated template)
        s = ThreadServer(tmp_path_factory.mktemp(f"campaign-{request.param}"), db, settings={"number_slots": 99})
        yield s
        s.stop()


class Chain:
    """Two laptops enrolled on the server, their workloads, the server's backups, the oracle."""

    def __init__(self, server: ThreadServer, tmp: Path, seeds: list[int], number: int):
        self.server, self.tmp = server, tmp
        seed = seeds[0]
        self.tally = Tally()
        self.keep = KEEP[number % 2]
        self.laptops, self.loads, self.configs = [], [], []
        (tmp / "photos").mkdir()
        for slot in (1, 2):
            store = new_store(tmp / f"laptop{slot}", slot=slot, slots=4)
            lt = Laptop(store, UserService(store).authenticate("admin", PASSWORD))
            enroll(store, server.url, server.code(f"笔记本{slot}"), actor=lt.actor)
            self.laptops.append(lt)
            self.loads.append(Workload(lt, tmp / "photos"))
            self.configs.append(SyncConfig.of(store))
        self.replay = new_store(tmp / "replay")
        self.replay.anchor = None  # a scratch store: no signed checkpoint after each commit
        self.oracle = Oracle(self.replay, server.engine, server.config.blob_dir)
        self.backups: list[Path | Contents | None] = []  # SQLite files, or PostgreSQL contents
        self.restorable = restorable(seeds)  # the backups a restore of these runs can pick (others: None)
        self.latest: Path | Contents | None = None
        self.pg = sa.make_url(server.config.db_url) if server.config.db_url.startswith("postgresql") else None
        self.backend = "sqlite" if self.pg is None else "postgresql"
        # (the administrator's own connection to the live database, as psql would be)
        self.live = None if self.pg is None else sa.create_engine(self.pg, pool_size=1)
        self.clocks = [lt.store.clock for lt in self.laptops]
        for i in (0, 1):  # every laptop quiet from the start: a run syncs those it touches
            self.quiet(i, seed)

    def close(self) -> None:
        for lt in self.laptops:
            lt.store.close()
        self.replay.close()
        if self.live is not None:
            self.live.dispose()

    # ---- one sync ------------------------------------------------------------------------------
    def client(self, i: int, url: str | None = None, **kw) -> SyncClient:
        config = self.configs[i]
        e = config.require()
        return SyncClient(url or e.server_url, token=config.token(e), cert_pem=e.cert_pem, **kw)

    def sync(self, i: int, url: str | None = None, **kw):
        """One sync of laptop ``i``; a client killed midway is a result of None."""
        options = {k: kw.pop(k) for k in ("transport", "io_timeout") if k in kw}
        with self.client(i, url, **options) as c:
            try:
                r = sync_once(self.laptops[i].store, c, config=self.configs[i], keep=self.keep, **kw)
            except Killed:
                self.tally.add("killed")
                return None
        if TRACE:
            print(f"  laptop {i + 1}: {r.batches} pushes, {r.ops_sent} ops, {r.photos_uploaded} photos, "
                  f"{r.resent} resent, {r.error!r}")
        return r

    def quiet(self, i: int, seed: int, after: object = None) -> bool:
        """Sync until nothing is left to send (a few tries: a fault's aftermath may take one);
        none when the run's own last sync ended so (``after``: its result). True when the
        laptop had pruned what the restored server lacks (OpsLost) and the administrator put
        the newer backup back."""
        counts = OutboxQueue(self.laptops[i].store, self.laptops[i].actor).counts()
        if getattr(after, "ok", False) and counts["pending"] == counts["exported"] == 0:
            return False
        restored = False
        for _ in range(4):
            r = self.sync(i)
            if r is not None and isinstance(r.error, OpsLost):
                self.tally.add("ops_lost")
                assert r.error.pruned_through > r.error.server_through, r.error
                self.restore(self.latest)  # the administrator puts the newer backup back
                restored = True
                continue
            counts = OutboxQueue(self.laptops[i].store, self.laptops[i].actor).counts()
            if r is not None and r.ok and counts["pending"] == counts["exported"] == 0:
                self.tally.add("resent", r.resent)
                return restored
            time.sleep(0.01)
        raise AssertionError(f"seed {seed}: laptop {i + 1} did not get quiet: {r and r.to_json()}")

    # ---- backups of the server's database -----------------------------------------------------
    def backup(self) -> Path | Contents | None:
        if len(self.backups) not in self.restorable:  # no restore of the chain can pick it: not copied
            path: Path | Contents | None = None
        elif self.pg is not None:  # the live database's rows, once the writes on their way are done
            path = self._pg("SHARE", None)
        else:
            path = self.tmp / f"backup-{len(self.backups)}.db"
            _copy_db(self.server.config.data_dir / "server.db", path)
        self.backups.append(path)
        return path

    def restore(self, path: Path | Contents) -> None:
        if self.pg is not None:  # the live database's rows replaced by the backup's
            self._pg("ACCESS EXCLUSIVE", path)
        else:
            _copy_db(path, self.server.config.data_dir / "server.db")

    def restore_older(self, rng: random.Random) -> None:
        """The server put back to one of the last few backups, the live database kept aside first
        as the newest (``latest``: what the administrator restores if the older one lacks too
        much)."""
        self.restorable.add(len(self.backups))  # (kept: an OpsLost restores it)
        self.latest = self.backup()
        self.restore(_picked(rng, self.backups))

    def _pg(self, lock: str, back: Contents | None) -> Contents | None:
        """Every table of the live database locked (``SHARE``: a backup, once the writes on
        their way are committed — a request a pause held may still be running once the client
        gave up on it; ``ACCESS EXCLUSIVE``: a restore, the server's requests waiting until it
        is done), then its contents read, or ``back`` written in their place."""
        with self.live.begin() as conn:
            tables = conn.exec_driver_sql("SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables "
                                          "WHERE schemaname = 'public'").scalar()
            conn.exec_driver_sql(f"LOCK TABLE {tables} IN {lock} MODE")
            if back is None:
                return Contents(conn)
            back.write_back(conn)
            return None

    # ---- one run -------------------------------------------------------------------------------
    def run(self, seed: int) -> None:
        rng, backup, faults = draw(seed)
        if backup or not self.backups:
            self.backup()
        who = [0, 1] if "both" in faults or rng.random() < 0.3 else [rng.randrange(2)]
        skew = rng.choice((-1, 1)) if "clock" in faults else 0
        for i in who:
            if skew:
                self.laptops[i].store.clock = FixedClock(self.clocks[i].now() + timedelta(days=skew))
            for _ in range(rng.randrange(1, 3)):
                self.loads[i].step(rng)
        if "newer" in faults:
            self._newer(rng, who)
        for kind in faults:
            self.tally.add(kind)
        self.trace = (faults, who)
        if "restore" in faults:
            self.restore_older(rng)
        if "both" in faults:
            last = self._both(seed, faults)
        else:
            last = {i: self._faulty_sync(i, rng, faults) for i in who}
        if skew:
            for i in who:
                self.laptops[i].store.clock = self.clocks[i]
        self.touched = [0, 1] if "restore" in faults else who  # a restore sets both back
        for _ in range(3):
            restored = [self.quiet(i, seed, last.get(i)) for i in self.touched]
            if not any(restored):
                break
            last = {}  # the newer backup put back: it may lack what the other laptop sent since

    def _faulty_sync(self, i: int, rng: random.Random, faults: list[str]):
        """Laptop ``i``'s syncs under the run's faults; the last one's result (None: killed)."""
        r = None
        if "cut" in faults:
            cuts = [Cut(way, rng.randrange(0, 4000 if way == UP else 400), rng.random() < 0.5)
                    for way in (rng.choice((UP, DOWN)) for _ in range(rng.randrange(1, 4)))]
            with FaultProxy(self.server.port, cuts) as proxy:
                for _ in range(len(cuts) + 1):
                    r = self.sync(i, proxy.url)
                    if r.ok:
                        break
                self.tally.add("cuts", proxy.stats.cuts)
        if "lost" in faults or "stale" in faults or "flight" in faults:
            load = self.loads[i]
            transport = Recording(lose={1} if "lost" in faults else (),  # the user edits as the first pushes leave
                                  flight=(lambda n: n <= 2 and load.step(rng)) if "flight" in faults else None)
            r = self.sync(i, transport=transport)
            if "stale" in faults and transport.bodies:
                self._stale(i, rng.choice(transport.bodies))
        if "kill" in faults:
            r = self.sync(i, transport=KillingTransport(rng.randrange(1, 4), rng.random() < 0.5))
        if "pause" in faults:
            self.server.pause(rng.choice(("before", "after")), path="/v1/push")
            try:
                r = self.sync(i, transport=Hurried("POST /v1/push", PAUSE))
            finally:
                self.server.resume()
            self.tally.add("timeouts", int(r is not None and not r.ok))
        if not set(faults) & {"cut", "lost", "stale", "flight", "kill", "pause"}:
            r = self.sync(i)
        return r

    def _newer(self, rng: random.Random, who: list[int]) -> None:
        """A draft saved by a newer program: its op in a payload version the server does not
        know (written and logged as such by the laptop)."""
        lt = self.laptops[who[0]]
        drafts = [r for (r,) in lt.store.conn.execute("SELECT id FROM records WHERE status = 'draft' ORDER BY id")]
        if drafts:
            spec = OP_BY_NAME["case.draft"]
            was = spec.payload_version
            object.__setattr__(spec, "payload_version", was + 90)  # a frozen spec, for one save
            try:
                lt.cases().update(rng.choice(drafts), {"narrative_visit": "较新版本的程序保存。"})
            finally:
                object.__setattr__(spec, "payload_version", was)
            self.tally.add("newer_ops")

    def _both(self, seed: int, faults: list[str]) -> dict[int, object]:
        """Both laptops sync at once, each under the run's other faults (a pause, which holds
        the whole server, after)."""
        errors: list[BaseException] = []
        last: dict[int, object] = {}
        alongside = [f for f in faults if f != "pause"]

        def go(i: int) -> None:
            try:
                last[i] = self._faulty_sync(i, random.Random(seed * 10 + i), alongside)
            except BaseException as e:  # noqa: BLE001 — reported by the test
                errors.append(e)

        threads = [threading.Thread(target=go, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert not errors, errors
        if "pause" in faults:
            last[0] = self._faulty_sync(0, random.Random(seed), ["pause"])
        return last

    def _stale(self, i: int, body: bytes) -> None:
        """A push the server answered before, arriving again: nothing new is applied."""
        config = self.configs[i]
        headers = dict(HEADERS, Authorization=f"Bearer {config.token(config.require())}")
        r = httpx.post(f"{self.server.url}/v1/push", content=body, verify=False, headers={
            **headers, "Content-Type": "application/json"}, timeout=10)
        assert r.status_code == 200 and r.json()["applied"] == [], r.text


def _picked(rng: random.Random, backups: list) -> Path | str:
    """The backup a restore puts back: one of the last few before the newest."""
    older = rng.choice(backups[-4:-1] or backups)
    assert older is not None, "restorable() named the backups a restore can pick"
    return older


def restorable(seeds: list[int]) -> set[int]:
    """The numbers (in order taken) of the backups a restore in the runs of ``seeds`` can pick:
    each restore picks among the last few before the newest (``_picked``), and which backups
    exist then follows from the runs' first draws alone. A backup no restore can pick is not
    copied (a PostgreSQL database copy is ~0.1 s of the cluster's)."""
    taken, can = 0, set()
    for seed in seeds:
        _, backup, faults = draw(seed)
        taken += bool(backup or not taken)
        if "restore" in faults:
            taken += 1  # the newest (the live database set aside)
            can.update(range(max(0, taken - 4), taken - 1) or range(taken))
    return can


def _copy_db(src: Path, dst: Path) -> None:
    """An online copy of a SQLite database (the backup API: consistent while the server runs)."""
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()


def _ids(backend: str, seeds: list[int]) -> str:
    contiguous = seeds == list(range(seeds[0], seeds[-1] + 1))
    return f"{backend}-seeds{seeds[0]}-{seeds[-1]}" if contiguous else f"{backend}-sample"


def replay_hint(backend: str, seeds: list[int], seed: int) -> str:
    if _ids(backend, seeds).endswith("-sample"):
        return f"pytest 'tests/test_sync_faults_campaign.py::test_campaign[{backend}-sample]' (seeds {seeds})"
    return f"make soak SOAK_SEED={seeds[0]} SOAK_RUNS={seed - seeds[0] + 1} SOAK_CHAIN={CHAIN}"


def test_the_sample_injects_every_fault_kind_several_times_on_each_backend():
    """make test's chains (before running them): every kind of SAMPLED, SAMPLE_EACH times or
    more on each backend, the two backends running other seeds (test_campaign checks the
    tally of what was injected)."""
    assert set(SAMPLED) == set(FAULTS)
    samples = [sample(start) for start in SAMPLE_STARTS.values()]
    for seeds in samples:
        injected = [k for seed in seeds for k in draw(seed)[2]]
        assert {k: injected.count(k) for k in SAMPLED if injected.count(k) < SAMPLE_EACH} == {}, seeds
        assert len(seeds) <= 16, seeds  # two faults a run: about kinds × SAMPLE_EACH / 2 runs
    assert not set(samples[0]) & set(samples[1])


@pytest.mark.parametrize("server,seeds,number", CHAINS, indirect=["server"],
                         ids=[_ids(b, seeds) for b, seeds, _ in CHAINS])
def test_campaign(server, tmp_path, seeds, number):
    first, runs = seeds[0], len(seeds)
    chain = Chain(server, tmp_path, seeds, number)
    started = time.perf_counter()
    try:
        for seed in seeds:
            try:
                chain.run(seed)
                chain.oracle.check([chain.laptops[i] for i in chain.touched], context=f"seed {seed}")
                chain.tally.add("oracle_checks")
                if TRACE:
                    print(f"seed {seed}: faults {chain.trace[0]}, laptops {[i + 1 for i in chain.trace[1]]}")
            except Exception as e:
                raise AssertionError(f"campaign seed {seed} failed on {chain.backend} (chain from {first}); "
                                     f"replay it with {replay_hint(chain.backend, seeds, seed)}: {e}") from e
        chain.oracle.check(chain.laptops, context=f"chain {first}, fresh replay", fresh=tmp_path / "fresh")
        for lt in chain.laptops:  # the laptops' own checks: resends, prunes and rejections are logged
            report = verify(lt.store)
            assert report.ok, (first, report.faults)
    finally:
        chain.close()
    report = os.environ.get("SOAK_REPORT")
    if report:
        with open(report, "a", encoding="utf-8") as f:
            f.write(json.dumps({"backend": chain.backend, "first": first, "runs": runs, "seconds": time.perf_counter() - started,
                                "faults": chain.tally.counts,
                                "edits": {k: sum(w.done.get(k, 0) for w in chain.loads)
                                          for k in sorted({k for w in chain.loads for k in w.done})},
                                "oracle": chain.oracle.stats.__dict__}) + "\n")
    counts = chain.tally.counts
    assert sum(counts.get(k, 0) for k in FAULTS) >= runs
    if seeds == sample(SAMPLE_STARTS[chain.backend]):  # make test's: every kind, branch and edit here
        assert {k: counts.get(k, 0) for k in SAMPLED if counts.get(k, 0) < SAMPLE_EACH} == {}, counts
        assert [k for k in REACHED if not counts.get(k)] == [], counts
        assert counts["oracle_checks"] == runs
        edits = {k: sum(w.done.get(k, 0) for w in chain.loads) for k in EDITS}
        assert [k for k in EDITS if not edits[k]] == [], edits


def summary(path: str) -> str:
    """The figures of a campaign from its SOAK_REPORT file (make soak prints them)."""
    runs = chains = 0
    seconds = 0.0
    faults: dict[str, int] = {}
    edits: dict[str, int] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        chains, runs, seconds = chains + 1, runs + d["runs"], seconds + d["seconds"]
        for total, part in ((faults, d["faults"]), (edits, d["edits"])):
            for k, v in part.items():
                total[k] = total.get(k, 0) + v
    show = lambda d: ", ".join(f"{k} {v}" for k, v in sorted(d.items()))  # noqa: E731
    return (f"{runs} runs in {chains} chains, {seconds:.1f} s in the chains (summed over workers)\n"
            f"faults: {show(faults)}\nedits: {show(edits)}")


if __name__ == "__main__":
    import sys

    print(summary(sys.argv[1]))
