"""A push reads what numbers.finalize_problem needs once for its batch (weicha_server/push.py:
the device's block, the records holding the batch's finalize numbers) — the verdicts stay what
asking per finalize gave, also after the batch wrote record rows before its end (a number another
record held before the push: tests/test_sync_numbers.py)."""
from __future__ import annotations

import base64
import copy
import os

from weicha_server import auth

from tests.server_support import closes_laptops, laptop  # noqa: F401
from tests.test_server_push_batch import engine, enroll, push, review_env  # noqa: F401


def enroll_with_block(engine, device_id: str) -> str:  # noqa: F811
    key = base64.b64encode(os.urandom(32)).decode()
    with engine.begin() as conn:
        code = auth.make_code(conn, "笔记本", None, 1.0)[0]
        return auth.enroll_device(conn, code=code, device_id=device_id, device_name="笔记本", public_key=key,
                                  unit_code=None, issued=[]).token


def test_a_number_a_row_written_earlier_in_the_batch_holds_is_taken(engine, tmp_path):  # noqa: F811
    """[case 1 finalized as N, two reviews of another device's record (the second writes the
    batch's rows so far: case 1's row with N), case 2 finalized as N]: case 2 is 409
    number_taken, as when every finalize asked the database."""
    b = laptop(tmp_path / "b")
    other = b.new_case(9, finalize=True)
    push(engine, enroll(engine, b.device_id), b.body(b.envelopes()))
    a = laptop(tmp_path / "a")
    token = enroll_with_block(engine, a.device_id)
    a.new_case(8, finalize=True)  # not pushed: its number (0001) is the one B's case holds
    one, two = a.new_case(1, finalize=True), a.new_case(2, finalize=True)
    envs = a.envelopes()
    first = [e for e in envs if e["entity_id"] == one]
    second = [copy.deepcopy(e) for e in envs if e["entity_id"] == two]
    number = first[-1]["payload"]["record"]["number"]
    assert first[-1]["op"] == second[-1]["op"] == "case.finalize" and number
    second[-1]["payload"]["record"]["number"] = number
    batch = first + [review_env(a.device_id, 0, other, 1, current=1), review_env(a.device_id, 0, other, 1, current=1)] + second
    for seq, env in enumerate(batch, 1):
        env["device_seq"] = seq
    answer = push(engine, token, a.body(batch))
    assert first[-1]["op_id"] in answer["applied"]
    assert [(x["op_id"], x["error"]) for x in answer["rejected"] if x["error"] == "number_taken"] == \
        [(second[-1]["op_id"], "number_taken")], answer["rejected"]

