"""Sync faults on real server processes on loopback, SQLite and PostgreSQL (issue 11, S4), each
followed by the oracle (tests/sync_oracle.py: none lost, none twice, every conflict surfaced,
every laptop's own state replayed from the server's log):

- the client (``weicha sync`` in a process of its own, forked) killed while its push is on the wire,
  and again while the answer comes back;
- the server killed and restarted in the middle of a photo upload (it resumes at the offset
  the server kept, not at zero);
- the server SIGSTOPped past the client's timeout during an upload and during a push, then
  SIGCONTed (it finishes what it had received: the resend applies nothing twice);
- a loopback proxy cutting connections at random byte offsets, both ways;
- the same batch twice (its answer lost), and an old batch arriving late;
- laptop clocks a day ahead, a day behind, and set back in the middle;
- edits continuing while a batch is in flight (none of them acknowledged with it);
- three laptops pushing at once, round after round;
- the server restored from older backups: every laptop sends again what the server lost, an
  idle one too; a laptop that had already pruned some of it says so (OpsLost) and changes
  nothing, and sends the rest once the administrator restores the newer backup.
The seeded campaign over the same faults is tests/test_sync_faults_campaign.py."""
from __future__ import annotations

import gc
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from weicha_desktop.core.clock import FixedClock
from weicha_desktop.core.store import Store
from weicha_desktop.core.sync.client import ServerUnreachable, SyncClient
from weicha_desktop.core.sync.enrollment import SyncConfig, enroll
from weicha_desktop.core.sync.push import originals_of, sync_once
from weicha_desktop.core.sync.queue import OpsLost, OutboxQueue
from weicha_desktop.core.users import UserService
from weicha_server.db import uploads

from tests.fault_proxy import DOWN, UP, Cut, FaultProxy, Hurried, Midway, Recording, ThreadServer
from tests.server_support import (BACKENDS, HEADERS, Laptop, backend_db, import_photos, launch_server,
                                  pg_database, running_server)
from tests.support import PASSWORD, fixed_clock, new_store
from tests.sync_oracle import Oracle, Workload
from tests.sync_support import CHUNK, noisy_photo


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("faults"), request.param) as s:
        yield s


class Side:
    """One laptop enrolled at ``url`` (the server, or a proxy in front of it)."""

    def __init__(self, path: Path, url: str, code: str, slot: int = 1):
        self.store = new_store(path, slot=slot, slots=8)
        self.lt = Laptop(self.store, UserService(self.store).authenticate("admin", PASSWORD))
        enroll(self.store, url, code, actor=self.lt.actor)
        self.config = SyncConfig.of(self.store)
        self.path = path

    def sync(self, url: str | None = None, **kw):
        options = {k: kw.pop(k) for k in ("transport", "io_timeout") if k in kw}
        e = self.config.require()
        with SyncClient(url or e.server_url, token=self.config.token(e), cert_pem=e.cert_pem, **options) as c:
            return sync_once(self.lt.store, c, config=self.config, **kw)

    def quiet(self, tries: int = 4, **kw):
        """Sync until nothing is left to send; the last result."""
        for _ in range(tries):
            r = self.sync(**kw)
            counts = OutboxQueue(self.lt.store, self.lt.actor).counts()
            if r.ok and counts["pending"] == counts["exported"] == 0:
                return r
        raise AssertionError(f"the laptop did not get quiet: {r.to_json()}")

    def reopen(self) -> None:
        self.lt = Laptop(Store.open(self.path, clock=fixed_clock()), self.lt.actor)
        self.store = self.lt.store

    def close(self) -> None:
        self.lt.store.close()


@contextmanager
def sides(server, tmp: Path, n: int = 1, url: str | None = None):
    made = [Side(tmp / f"laptop{i}", url or server.url, server.code(f"笔记本{i}"), slot=i + 1) for i in range(n)]
    try:
        yield made
    finally:
        for s in made:
            s.close()


@contextmanager
def replay_store(path: Path):
    """An empty store of the unit for the oracle's replay of the server's ops."""
    replay = new_store(path)
    replay.anchor = None  # a scratch store: no signed checkpoints
    try:
        yield replay
    finally:
        replay.close()


def oracle_check(server, tmp: Path, laptops, context: str, engine=None, blob_dir: Path | None = None):
    with replay_store(tmp / f"replay-{context}") as replay:
        return Oracle(replay, engine or server.engine(), blob_dir or server.data_dir / "blobs").check(
            [s.lt for s in laptops], context=context)


def work(side: Side, rng: random.Random, steps: int, photos: Path) -> Workload:
    load = getattr(side, "load", None) or Workload(side.lt, photos)
    side.load = load
    for _ in range(steps):
        load.step(rng)
    return load


# ---- the client killed ---------------------------------------------------------------------------
def forked_sync(path: Path) -> tuple[int, int]:
    """``weicha --data-dir PATH sync --once`` in a process of its own: forked from this one and
    running the entry point's ``cli.main`` (a fresh interpreter only added ~0.7 s of imports);
    its pid and the write end of its gate: the program starts once a byte is written there."""
    from weicha_desktop import cli

    gate_r, gate_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the program, then out (never back into pytest)
        gc.disable()  # the parent's garbage stays uncollected here: no finalizer of its (an SQLite
        code = 1      # connection closed in a copy deletes the WAL its parent still uses) runs twice
        try:
            os.close(gate_w)
            os.read(gate_r, 1)
            null = open(os.devnull, "w", encoding="utf-8")
            os.dup2(null.fileno(), 1), os.dup2(null.fileno(), 2)
            sys.stdout = sys.stderr = null
            code = cli.main(["--data-dir", str(path), "sync", "--once"])
        finally:
            os._exit(code if isinstance(code, int) else 1)
    os.close(gate_r)
    return pid, gate_w


def killed_by_sigkill(pid: int, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError(f"the sync process {pid} was not killed in {timeout} s")
        time.sleep(0.005)


def test_the_client_killed_mid_batch_loses_nothing_and_repeats_nothing(server, tmp_path):
    killed = []

    with FaultProxy(server.port) as proxy, sides(server, tmp_path, url=proxy.url) as [a]:
        work(a, random.Random(1), 6, tmp_path)
        a.close()
        for direction in (UP, DOWN):  # the push leaving; its answer coming back
            state = {"push": None}

            def watch(conn, way, total, data, seen, direction=direction, state=state):
                if way == UP and b"POST /v1/push" in seen:
                    state["push"] = conn
                if state["push"] == conn and way == direction and not killed[-1:] == [direction]:
                    os.kill(state["pid"], signal.SIGKILL)
                    killed.append(direction)

            proxy.watch = watch
            state["pid"], gate = forked_sync(a.path)
            os.write(gate, b"!"), os.close(gate)  # go
            assert killed_by_sigkill(state["pid"])
        proxy.watch = None
        a.reopen()
        r = a.quiet()
        assert killed == [UP, DOWN]
        assert r.ops_sent and r.acknowledged
        oracle_check(server, tmp_path, [a], "client killed")


# ---- the server killed in an upload --------------------------------------------------------------
def test_the_server_killed_and_restarted_mid_upload_resumes_at_its_offset(server, tmp_path):
    with FaultProxy(server.port) as proxy, sides(server, tmp_path, url=proxy.url) as [a]:
        case = a.lt.new_case(1)
        [sha] = import_photos(a.lt, case, [noisy_photo(tmp_path / "big.png")])
        size = (a.store.blobs_dir / sha[:2] / sha).stat().st_size
        assert size > 2 * CHUNK

        def kill():  # half of the second chunk written: the server's process group killed, and
            os.killpg(server.proc.pid, signal.SIGKILL)  # dead (reaped) before the rest is written
            server.proc.wait(10)

        # the cut is timed on the client's side of the wire (its second PATCH written in two
        # halves, the kill between), not by a proxy's reads: those are no request boundaries
        midway = Midway("PATCH /v1/blobs/", 2, kill)
        cut = a.sync(transport=midway, chunk_size=CHUNK)
        assert midway.cut and isinstance(cut.error, ServerUnreachable), (cut.to_json(), midway.requests)
        assert server.proc.returncode == -signal.SIGKILL
        again = launch_server(server.data_dir, server.db_url, init=False).ready()
        server.proc, server.port, server.log_path = again.proc, again.port, again.log_path  # for the rest
        proxy.upstream = server.port  # the laptop's server address stays the proxy's
        with server.engine().connect() as conn:
            kept = conn.execute(sa.select(uploads.c.offset).where(uploads.c.sha256 == sha)).scalar()
        assert kept and kept % CHUNK == 0 and kept < size
        done = a.quiet(chunk_size=CHUNK)
        assert done.resumed == [{"sha256": sha, "offset": kept}]
        assert done.photo_bytes == size - kept and done.photos_uploaded == 1  # not from zero
        oracle_check(server, tmp_path, [a], "server killed")


# ---- the server paused ---------------------------------------------------------------------------
def test_the_server_paused_past_the_timeout_then_resumed_applies_each_op_once(server, tmp_path):
    stopped = []
    with FaultProxy(server.port) as proxy, sides(server, tmp_path, url=proxy.url) as [a]:
        case = a.lt.new_case(1)
        import_photos(a.lt, case, [noisy_photo(tmp_path / "p.png", size=(60, 40))])
        work(a, random.Random(2), 3, tmp_path)
        for request in (b"PATCH /v1/blobs/", b"POST /v1/push"):
            def watch(conn, way, total, data, seen, request=request):
                if way == UP and request in seen and not stopped[-1:] == [request]:
                    os.kill(server.proc.pid, signal.SIGSTOP)  # before the request passes on
                    stopped.append(request)

            proxy.watch = watch
            try:  # that request waits 0.05 s for its answer (the server is stopped before it has
                # the request: as good as any timeout), the ones before it as the client says
                paused = a.sync(transport=Hurried(request.decode(), 0.05), chunk_size=CHUNK)
            finally:
                proxy.watch = None
                os.kill(server.proc.pid, signal.SIGCONT)  # it goes on with what it had received
            assert isinstance(paused.error, ServerUnreachable) and "没有及时答复" in str(paused.error)
        assert stopped == [b"PATCH /v1/blobs/", b"POST /v1/push"]
        r = a.quiet(chunk_size=CHUNK)
        assert r.ok
        oracle_check(server, tmp_path, [a], "server paused")


# ---- connections cut -----------------------------------------------------------------------------
def test_connections_cut_at_random_byte_offsets_lose_nothing(server, tmp_path):
    rng = random.Random(11)
    with sides(server, tmp_path) as [a]:
        cuts = 0
        for _ in range(2):
            work(a, rng, 4, tmp_path)
            plan = [Cut(way, rng.randrange(0, 6000 if way == UP else 400), rng.random() < 0.5)
                    for way in (rng.choice((UP, DOWN)) for _ in range(6))]  # answers are short
            with FaultProxy(server.port, plan) as proxy:
                for _ in range(len(plan) + 2):
                    if a.sync(proxy.url).ok:
                        break
                cuts += proxy.stats.cuts
        assert cuts >= 6
        a.quiet()
        oracle_check(server, tmp_path, [a], "cuts")


# ---- the same batch twice ------------------------------------------------------------------------
def test_the_same_batch_twice_and_a_late_one_apply_once(server, tmp_path):
    with sides(server, tmp_path) as [a]:
        work(a, random.Random(3), 5, tmp_path)
        first = Recording(lose={1})
        lost = a.sync(transport=first)
        assert isinstance(lost.error, ServerUnreachable)
        again = a.sync()
        assert again.ok and again.skipped >= 1 and again.applied == 0
        work(a, random.Random(4), 3, tmp_path)
        a.quiet()
        token = a.config.token(a.config.require())
        for body in first.bodies:  # the first batch arrives once more, long after
            r = httpx.post(f"{server.url}/v1/push", content=body, verify=False, headers={
                **HEADERS, "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            assert r.status_code == 200 and r.json()["applied"] == [] and r.json()["skipped"], r.text
        assert a.sync().ok
        oracle_check(server, tmp_path, [a], "twice")


# ---- clocks --------------------------------------------------------------------------------------
def test_laptop_clocks_a_day_off_change_nothing_the_server_keeps(server, tmp_path):
    rng = random.Random(5)
    with sides(server, tmp_path, 3) as laptops:
        start = laptops[0].store.clock.now()
        for side, skew in zip(laptops, (1, -1, 0)):
            side.store.clock = FixedClock(start + timedelta(days=skew))
            work(side, rng, 3, tmp_path)
            side.quiet()
        laptops[2].store.clock = FixedClock(start - timedelta(days=1))  # set back a day midway
        work(laptops[2], rng, 3, tmp_path)
        for side in laptops:
            side.quiet()
        oracle_check(server, tmp_path, laptops, "clocks")


# ---- edits while a batch is in flight ------------------------------------------------------------
def test_edits_while_a_batch_is_in_flight_are_not_acknowledged_with_it(server, tmp_path):
    rng = random.Random(6)
    with sides(server, tmp_path) as [a]:
        load = work(a, rng, 4, tmp_path)
        drafts = [r for (r,) in a.store.conn.execute("SELECT id FROM records WHERE status = 'draft'")]
        seen = []

        def flight(n):
            queue = OutboxQueue(a.store, a.lt.actor)
            seen.append((queue.sequence(), queue.counts()))
            if n <= 3:  # the draft the batch carries is saved again, and more
                if drafts:
                    a.lt.cases().update(drafts[0], {"narrative_visit": f"在途中修改 {n}。"})
                load.step(rng)

        r = a.sync(transport=Recording(flight=flight))
        assert r.ok and r.batches >= 2
        for (last, acked), _ in seen[1:]:  # each later push: the one before acknowledged only its own
            assert acked < last
        a.quiet()
        oracle_check(server, tmp_path, [a], "in flight")


# ---- laptops at once -----------------------------------------------------------------------------
def test_three_laptops_pushing_at_once(server, tmp_path):
    rng = random.Random(7)
    with sides(server, tmp_path, 3) as laptops:
        for _ in range(2):
            for side in laptops:
                work(side, rng, 3, tmp_path)
            results, errors = {}, []

            def go(side):
                try:
                    results[side.path.name] = side.sync()
                except BaseException as e:  # noqa: BLE001 — reported below
                    errors.append(e)

            threads = [threading.Thread(target=go, args=(s,)) for s in laptops]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert not errors and all(r.ok for r in results.values()), (errors, results)
        oracle_check(server, tmp_path, laptops, "at once")


# ---- the server restored from an older backup ----------------------------------------------------
class Backups:
    """Backups of a server's database as its administrator takes them (docs/server.md): SQLite
    with the online backup API, PostgreSQL with pg_dump; a restore puts one back into a new
    database (or the file) before the server starts again. The originals folder is copied
    after the database, as the docs say."""

    def __init__(self, tmp: Path, backend: str):
        self.tmp, self.backend = tmp, backend
        self.dbs: list = []

    def take(self, server: ThreadServer) -> Path:
        n = len(list(self.tmp.glob("backup-*")))
        path = self.tmp / f"backup-{n}"
        path.mkdir()
        if self.backend == "sqlite":
            src, dst = sqlite3.connect(server.data_dir / "server.db"), sqlite3.connect(path / "server.db")
            src.backup(dst)
            src.close(), dst.close()
        else:
            subprocess.run(["pg_dump", "-Fc", "-f", str(path / "dump"), _libpq(server.config.db_url)],
                           check=True, capture_output=True)
        shutil.copytree(server.data_dir / "blobs", path / "blobs")
        return path

    def restore(self, server: ThreadServer, backup: Path) -> ThreadServer:
        server.stop()
        data = server.data_dir
        shutil.rmtree(data / "blobs")
        shutil.copytree(backup / "blobs", data / "blobs")
        if self.backend == "sqlite":
            for f in data.glob("server.db*"):
                f.unlink()
            shutil.copyfile(backup / "server.db", data / "server.db")
            return ThreadServer(data, init=False)
        db = pg_database()
        url = db.__enter__()
        self.dbs.append(db)
        subprocess.run(["pg_restore", "--no-owner", "-d", _libpq(url), str(backup / "dump")],
                       check=True, capture_output=True)
        return ThreadServer(data, url, init=False)

    def close(self) -> None:
        for db in self.dbs:
            db.__exit__(None, None, None)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_server_restored_from_an_older_backup_is_given_back_what_it_lost(backend, tmp_path):
    rng = random.Random(8)
    backups = Backups(tmp_path, backend)
    with backend_db(backend, migrated=True) as db:  # (PostgreSQL: a copy of the migrated template)
        server = ThreadServer(tmp_path / "srv", db)
        try:
            with FaultProxy(server.port) as proxy, sides(server, tmp_path, 3, url=proxy.url) as (a, b, c):
                for side in (a, b, c):
                    work(side, rng, 3, tmp_path)
                    side.quiet()
                older = backups.take(server)
                for side in (a, b, c):  # after the backup: more edits, photos, finalizes, syncs
                    for _ in range(2):
                        work(side, rng, 2, tmp_path)
                        side.quiet(keep=timedelta(0) if side is c else timedelta(days=7))
                assert c.quiet(keep=timedelta(0)).ok and OutboxQueue(c.store, c.lt.actor).pruned_through() > 0
                newer = backups.take(server)
                work(c, rng, 2, tmp_path)
                c.quiet(keep=timedelta(0))
                marks = {s.path.name: OutboxQueue(s.store, s.lt.actor).sequence()[1] for s in (a, b, c)}

                server = backups.restore(server, older)
                proxy.upstream = server.port
                work(a, rng, 2, tmp_path)  # a has something new; b is idle
                ra, rb = a.quiet(), b.quiet()
                assert ra.resent > 0 and rb.resent > 0 and rb.ops_sent == rb.resent, (ra.to_json(), rb.to_json())
                assert any("退回" in p for p in rb.problems)
                lost = c.sync(keep=timedelta(0))  # c pruned ops the older backup lacks
                assert isinstance(lost.error, OpsLost) and "无法重发" in str(lost.error)
                assert OutboxQueue(c.store, c.lt.actor).sequence()[1] == marks[c.path.name]  # nothing changed
                assert not [e for e in c.store.audit_entries() if e.action == "sync.resend"]

                server = backups.restore(server, newer)  # the administrator puts the newer one back
                proxy.upstream = server.port
                rc = c.quiet(keep=timedelta(0))
                assert rc.resent > 0
                for side in (a, b):
                    side.quiet()
                oracle_check(server, tmp_path, [a, b, c], f"restored ({backend})", engine=server.engine,
                             blob_dir=server.config.blob_dir)
        finally:
            server.stop()
            backups.close()


class Refusing(httpx.HTTPTransport):
    """The real transport, but every push is answered as if the server took none of its ops
    (its mark where the laptop's is, nothing waiting): counts the pushes."""

    def __init__(self):
        super().__init__(verify=False)
        self.pushes = 0

    def handle_request(self, request):
        if request.url.path != "/v1/push":
            return super().handle_request(request)
        self.pushes += 1
        body = json.loads(request.read())
        response = super().handle_request(request)
        response.read()
        answer = {**response.json(), "through_seq": body["from_seq"] - 1, "applied": [], "skipped": []}
        return httpx.Response(200, json=answer, request=request)


def test_a_server_that_takes_none_of_the_ops_is_not_pushed_to_for_ever(server, tmp_path):
    with sides(server, tmp_path) as [a]:
        a.lt.new_case(1)
        a.quiet()
        a.lt.new_case(2)
        refusing = Refusing()
        r = a.sync(transport=refusing)
        assert refusing.pushes <= 3, refusing.pushes  # the anchor of its own bookkeeping is no progress
        assert OutboxQueue(a.store, a.lt.actor).counts()["exported"] > 0  # kept, sent again next time
        assert a.quiet().ok


# ---- the oracle itself ---------------------------------------------------------------------------
def test_the_oracle_names_each_way_the_server_and_a_laptop_can_part(server, tmp_path):
    from weicha_server.db import blobs, devices, ops

    from tests.support import raw_writes

    with sides(server, tmp_path) as [a], replay_store(tmp_path / "replay") as replay:
        work(a, random.Random(9), 14, tmp_path)
        a.quiet()
        engine = server.engine()
        # one oracle, its replay store added to at each check (as the seeded campaign's): the
        # clean check replays everything into it empty, each check after re-reads what the
        # server holds and checks it all again (replaying only what the store lacks)
        oracle = Oracle(replay, engine, server.data_dir / "blobs")
        oracle.check([a.lt], context="clean")
        device = a.store.meta("device_id")
        with engine.connect() as conn:
            held = conn.execute(sa.select(ops).where(ops.c.device_id == device).order_by(ops.c.device_seq)).all()
            mine = {sha for h in held for sha in originals_of(json.loads(h.envelope))}
            sha = conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256.in_(mine))).scalars().first()
        victim = held[len(held) // 2]

        @contextmanager
        def tampered(*statements):
            with engine.begin() as conn:
                for st in statements:
                    conn.execute(st)
            try:
                yield
            finally:  # put it back
                with engine.begin() as conn:
                    conn.execute(ops.delete().where(ops.c.op_id == victim.op_id))
                    conn.execute(ops.insert().values(**victim._mapping))
                    conn.execute(devices.update().where(devices.c.id == device).values(through_seq=held[-1].device_seq))

        def fails(context, *words):
            with pytest.raises(AssertionError) as e:
                oracle.check([a.lt], context=context)
            assert all(w in str(e.value) for w in words), str(e.value)

        with tampered(ops.delete().where(ops.c.op_id == victim.op_id)):
            fails("lost", "the server lacks it")
        with tampered(ops.update().where(ops.c.op_id == victim.op_id).values(
                envelope=victim.envelope.replace('"payload":{', '"payload":{"x":1,', 1))):
            fails("bytes", "other bytes", "does not match its envelope")
        with tampered(ops.update().where(ops.c.op_id == victim.op_id).values(status="rejected", error="conflict")):
            fails("rejected", "the server rejected op", "shows it acknowledged")
        with tampered(devices.update().where(devices.c.id == device).values(through_seq=held[-1].device_seq - 1)):
            fails("marks", "marks differ")
        assert sha is not None  # the workload imported photos
        with engine.begin() as conn:
            row = conn.execute(sa.select(blobs).where(blobs.c.sha256 == sha)).one()
            conn.execute(blobs.delete().where(blobs.c.sha256 == sha))
        try:
            fails("original", "not stored")
        finally:
            with engine.begin() as conn:
                conn.execute(blobs.insert().values(**row._mapping))
        with raw_writes(a.store):
            a.store.conn.execute("UPDATE records SET updated_at = '2030-01-01T00:00:00+08:00' "
                                 "WHERE id = (SELECT min(id) FROM records)")
        fails("laptop", "replay differs in records")
