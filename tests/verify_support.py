"""Helpers for the verify/checkpoint tests: one filled data folder (with the config folder
holding its device key and checkpoint) made once per test process, copied into each module
that asks and from there into each test, so every test tampers with a copy of its own and
has a checkpoint store of its own."""
from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from functools import lru_cache
from pathlib import Path

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.checkpoint import Anchor
from weicha_desktop.core.demo import DEMO_PASSWORD, fill_demo
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import VerifyReport, open_for_verify, verify
from weicha_desktop.resources import forms_dir

from tests.media_support import make_photo
from tests.support import migrated_folder


def make_golden(root: Path) -> tuple[Path, Path]:
    """A data folder with demo cases in every state (draft, finalized, reviewed, returned),
    six users, and a draft case with three photos; and its config folder: a copy, in
    ``root``, of the one this test process built (four modules ask for it; building took
    ~0.3 s CPU each time)."""
    built = _built_golden()
    root.mkdir(parents=True, exist_ok=True)
    data, config = root / "data", root / "config"
    shutil.copytree(built[0], data)
    shutil.copytree(built[1], config)
    return data, config


@lru_cache(maxsize=1)
def _built_golden() -> tuple[Path, Path]:
    root = Path(tempfile.mkdtemp(prefix="weicha-golden-"))
    atexit.register(shutil.rmtree, root, True)
    data, config = root / "data", root / "config"
    with Store.open(migrated_folder(data), anchor=Anchor(config)) as store:
        fill_demo(store, FormRegistry(forms_dir()), cases=12, seed=3)
        actor = UserService(store).authenticate("admin", DEMO_PASSWORD)
        case = CaseService(store, FormRegistry(forms_dir()), actor).new_case()
        (root / "card").mkdir()
        files = [make_photo(root / "card" / f"IMG_{i}.JPG", seed=i) for i in range(3)]
        PhotoService(store, actor).import_files(case.id, files, workers=1)
    return data, config


def working_copy(golden: tuple[Path, Path], tmp_path: Path, monkeypatch) -> Path:
    """A copy of the golden folder and of its config folder (WEICHA_CONFIG_DIR points there)."""
    data, config = tmp_path / "data", tmp_path / "config"
    shutil.copytree(golden[0], data)
    shutil.copytree(golden[1], config)
    monkeypatch.setenv("WEICHA_CONFIG_DIR", str(config))
    return data


def check(data: Path) -> VerifyReport:
    with open_for_verify(data) as store:
        return verify(store)


def query(data: Path, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(data / "weicha.db")
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def case_in(data: Path, status: str, returned: bool = False) -> tuple[str, str, int]:
    """(id, number, current version) of a case in ``status``."""
    row = query(data, "SELECT id, number, current_version FROM records WHERE kind = 'case' AND status = ? AND "
                f"returned_comment IS {'NOT ' if returned else ''}NULL ORDER BY number LIMIT 1", status)
    assert row, f"the golden folder has no {status} case"
    return row[0]


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def rehash_chain(db: Path, change=None) -> None:
    """What an attacker who knows the published algorithm can do: rewrite entries (``change``
    edits each entry's fields as a dict, returns False to drop it) and re-hash the whole
    chain, sqlite_sequence included, so the chain check alone finds nothing."""
    import json

    from weicha_desktop.core.store.audit import _COLUMNS, GENESIS, entry_hash

    conn = sqlite3.connect(db)
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                            "AND tbl_name = 'audit_log'").fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    rows = [dict(zip(_COLUMNS, r)) for r in conn.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM audit_log ORDER BY seq")]
    conn.execute("DELETE FROM audit_log")
    prev, seq = GENESIS, 0
    for row in rows:
        row["details"] = json.loads(row["details"])
        if change is not None and change(row) is False:
            continue
        seq += 1
        row.update(seq=seq, prev_hash=prev)
        row["hash"] = prev = entry_hash(prev, row)
        row["details"] = json.dumps(row["details"], ensure_ascii=False, sort_keys=True)
        conn.execute(f"INSERT INTO audit_log ({', '.join(_COLUMNS)}) VALUES "
                     f"({', '.join('?' * len(_COLUMNS))})", [row[c] for c in _COLUMNS])
    conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit_log'", (seq,))
    for _, create in triggers:
        conn.execute(create)
    conn.commit()
    conn.close()
