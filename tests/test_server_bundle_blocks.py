"""The session's bundle server registers laptops as the server does (tests/server_bundle_support
``BundleServer.enroll``): each laptop of a unit gets a number block of its own and numbers
from it, so a laptop enrolled later is never handed numbers an earlier one issued (before,
laptops were registered without a block and all numbered from serial 1: two laptops of the
default unit finalized the same 勘验号, which the server then refused as ``number_taken``)."""
from __future__ import annotations

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from weicha_server import db

from tests.server_bundle_support import srv  # noqa: F401
from tests.server_support import closes_laptops, laptop  # noqa: F401


def test_laptops_enrolled_one_after_the_other_number_from_blocks_of_their_own(srv, tmp_path):  # noqa: F811
    found = {}
    for name in ("first", "later"):
        lt = laptop(tmp_path / name)  # the default unit, as most bundle tests' laptops
        srv.enroll(lt, Ed25519PrivateKey.generate())
        case = lt.new_case(7, finalize=True)
        number = lt.store.conn.execute("SELECT number FROM cases WHERE id = ?", (case,)).fetchone()[0]
        with db.read(srv.engine) as conn:
            block = conn.execute(sa.select(db.number_blocks).where(
                db.number_blocks.c.device_id == lt.device_id)).one()
        assert block.unit_code == lt.store.meta("unit_code")
        assert block.first_serial <= int(number[-4:]) <= block.last_serial, (number, block)
        assert (lt.store.meta("device_slot"), lt.store.meta("device_slots")) == (str(block.slot), str(block.slots))
        found[name] = (number, block)
    (first, a), (later, b) = found["first"], found["later"]
    assert first != later
    assert a.last_serial < b.first_serial or b.last_serial < a.first_serial  # the blocks do not overlap
