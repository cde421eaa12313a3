"""`verify` on bytes altered in the database file itself (a hex editor, a bad disk)."""
import pytest

from weicha_desktop.core.demo import fill_demo
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.store import Store
from weicha_desktop.core.verify import verify
from weicha_desktop.resources import forms_dir

from tests.support import migrated_folder

NEEDLE = "中心现场位于室内卧室".encode()


def _flip(path, how):
    data = bytearray(path.read_bytes())
    hits = 0
    i = data.find(NEEDLE)
    while i >= 0:
        if how == "valid":
            data[i + 2] ^= 0x01  # 中 → another character, still UTF-8
        else:
            data[i] = 0xFF  # no longer UTF-8
        hits += 1
        i = data.find(NEEDLE, i + 1)
    path.write_bytes(bytes(data))
    return hits


@pytest.mark.parametrize("how", ["valid", "invalid"])
def test_a_flipped_byte_in_a_finalized_record_is_named(tmp_path, how):
    with Store.open(migrated_folder(tmp_path)) as store:
        fill_demo(store, FormRegistry(forms_dir()), cases=4, seed=11)
        finalized = [r["number"] for r in store.db.query(
            "SELECT DISTINCT c.number FROM cases c JOIN record_versions v ON v.record_id = c.id "
            "WHERE v.finalized_at IS NOT NULL")]
    assert finalized
    with Store.open(tmp_path, readonly=True) as ro:
        assert verify(ro).ok
    assert _flip(tmp_path / "weicha.db", how) > 0
    with Store.open(tmp_path, readonly=True) as ro:
        report = verify(ro)
    assert not report.ok
    named = {n for n in finalized if any(n in f for f in report.faults)}
    assert named == set(finalized), report.faults
