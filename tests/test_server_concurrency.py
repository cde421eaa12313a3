"""Two server processes on one PostgreSQL database — one of them with two worker processes —
while several laptops push at once, each batch sent to both servers at the same moment
(issue 11, slice S1): no op is lost and none is applied twice, and every laptop's mark ends
at its last op. The handlers keep nothing in memory; the device's row lock serializes two
pushes of one device wherever they land."""
from __future__ import annotations

import os
import signal
import threading
from collections import Counter

import sqlalchemy as sa

from weicha_server.db import devices, ops, records

from tests.server_support import closes_laptops, launch_server, laptop, pg_database  # noqa: F401

LAPTOPS, CASES, BATCH = 4, 5, 4


def test_two_servers_on_one_postgresql_take_every_op_exactly_once(tmp_path):
    with pg_database(migrated=True) as db:  # (a copy of the migrated template: no migrations under test here)
        a = launch_server(tmp_path / "a", db)  # both start at once; the laptops are made meanwhile
        b = launch_server(tmp_path / "b", db, init=False, workers=2)
        try:
            laptops = []
            for i in range(LAPTOPS):
                lt = laptop(tmp_path / f"laptop{i}")
                for seed in range(CASES):
                    lt.new_case(100 * i + seed, finalize=seed % 3 == 0, drafts=seed % 2)
                laptops.append(lt)
            a.ready(), b.ready()
            # plain http: verify=False spares httpx a context of the system's CAs (~27 ms a client)
            assert a.client(verify=False).get("/v1/health").json()["server_id"] == \
                b.client(verify=False).get("/v1/health").json()["server_id"]
            tokens = [(a if i % 2 else b).enroll(lt) for i, lt in enumerate(laptops)]
            answers: list[dict] = []
            failures: list[str] = []
            lock = threading.Lock()

            def send(server, token, body):
                with server.client(token, verify=False) as c:
                    r = c.post("/v1/push", json=body)
                with lock:
                    (answers.append(r.json()) if r.status_code == 200 else
                     failures.append(f"{r.status_code} {r.text}"))

            def work(lt, token):  # each batch to both servers at once, then the next batch
                envs = lt.envelopes()
                for start in range(0, len(envs), BATCH):
                    body = lt.body(envs[start:start + BATCH], from_seq=1)
                    pair = [threading.Thread(target=send, args=(s, token, body)) for s in (a, b)]
                    for t in pair:
                        t.start()
                    for t in pair:
                        t.join()

            threads = [threading.Thread(target=work, args=pair) for pair in zip(laptops, tokens)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert failures == []
            applied = Counter(op_id for answer in answers for op_id in answer["applied"])
            every = {e["op_id"] for lt in laptops for e in lt.envelopes()}
            assert set(applied) == every and set(applied.values()) == {1}  # each once, none lost
            with a.engine().connect() as conn:
                held = conn.execute(sa.select(ops.c.device_id, ops.c.device_seq, ops.c.status)).all()
                marks = dict(conn.execute(sa.select(devices.c.id, devices.c.through_seq)).all())
                owned = conn.execute(sa.select(sa.func.count()).select_from(records)).scalar_one()
            assert len(held) == len(every) and {s for _, _, s in held} == {"applied"}
            for lt in laptops:
                n = len(lt.envelopes())
                assert sorted(seq for d, seq, _ in held if d == lt.device_id) == list(range(1, n + 1))
                assert marks[lt.device_id] == n
            assert owned == LAPTOPS * CASES
        finally:
            for server in (a, b):
                os.killpg(server.proc.pid, signal.SIGTERM)  # both stop at once
            a.stop(), b.stop()
