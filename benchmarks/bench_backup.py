"""Benchmark: `weicha backup` / `weicha restore` of a folder with 2,000 demo cases and 50
twelve-megapixel photos.

Reports the backup's wall time (online copy of the database + archive + read-back check of
every hash) and size, the restore's (check, extract, re-check, verify-ready), and a floor
measured in the same run on the same bytes: copying the database file and the originals to
the target folder with SHA-256 (what any verified copy must at least do), plus the same
backup while a second connection keeps writing (its commits per second during the backup).

Run:  .venv/bin/python benchmarks/bench_backup.py [--cases 2000] [--photos 50]"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"


def build(folder: Path, cases: int, photos: int):
    from benchmarks.bench_photo_import import make_corpus
    from weicha_desktop.core.cases import CaseService
    from weicha_desktop.core.demo import DEMO_PASSWORD, fill_demo
    from weicha_desktop.core.forms import FormRegistry
    from weicha_desktop.core.photos import PhotoService
    from weicha_desktop.core.store import Store
    from weicha_desktop.core.users import UserService
    from weicha_desktop.resources import forms_dir

    store = Store.open(folder)
    registry = FormRegistry(forms_dir())
    fill_demo(store, registry, cases=cases, seed=11)
    admin = UserService(store).authenticate("admin", DEMO_PASSWORD)
    case = CaseService(store, registry, admin).new_case()
    PhotoService(store, admin).import_files(case.id, make_corpus(photos))
    return store, admin


def floor_copy(store, target: Path) -> float:
    """Copy weicha.db (after a checkpoint) and every original with SHA-256: the least work."""
    start = time.perf_counter()
    target.mkdir()
    sources = [store.data_dir / "weicha.db"] + sorted(p for p in store.blobs_dir.rglob("*") if p.is_file())
    for i, src in enumerate(sources):
        digest = hashlib.sha256()
        with open(src, "rb") as f, open(target / f"{i}", "wb") as out:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--photos", type=int, default=50)
    args = ap.parse_args()
    from weicha_desktop.core.backup import check_archive, create_backup
    from weicha_desktop.core.restore import restore_backup
    from weicha_desktop.core.store import Store
    from weicha_desktop.core.verify import verify

    work = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    os.environ.setdefault("WEICHA_CONFIG_DIR", str(work / "config"))
    try:
        t = time.perf_counter()
        store, admin = build(work / "data", args.cases, args.photos)
        built = time.perf_counter() - t
        db_size = (work / "data" / "weicha.db").stat().st_size
        blob_bytes = sum(p.stat().st_size for p in store.blobs_dir.rglob("*") if p.is_file())
        floor = floor_copy(store, work / "floor")

        t = time.perf_counter()
        result = create_backup(store, admin, work / "b.wcbak")
        backup_s = time.perf_counter() - t
        t = time.perf_counter()
        check_archive(result.path)
        check_s = time.perf_counter() - t

        stop, commits = threading.Event(), []

        def writer():
            with Store.open(store.data_dir, lock=False) as other:
                while not stop.is_set():
                    other.log_read(admin, "check.person", "person", None, "核查")
                    commits.append(time.perf_counter())

        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(0.5)
        t = time.perf_counter()
        busy = create_backup(store, admin, work / "busy.wcbak")
        busy_s = time.perf_counter() - t
        stop.set()
        thread.join()
        during = sum(t <= c <= t + busy_s for c in commits)
        store.close()

        t = time.perf_counter()
        restore_backup(busy.path, work / "restored")
        restore_s = time.perf_counter() - t
        with Store.open(work / "restored", readonly=True) as copy:
            t = time.perf_counter()
            report = verify(copy)
            verify_s = time.perf_counter() - t
        numbers = {
            "cases": args.cases, "photos": args.photos, "build_s": round(built, 1),
            "db_mb": round(db_size / 1e6, 1), "originals_mb": round(blob_bytes / 1e6, 1),
            "backup_mb": round(result.size / 1e6, 1), "backup_s": round(backup_s, 2),
            "read_back_check_s": round(check_s, 2), "floor_copy_sha256_s": round(floor, 2),
            "backup_vs_floor": round(backup_s / floor, 2),
            "backup_while_writing_s": round(busy_s, 2), "writer_commits_during_backup": during,
            "writer_commits_per_s": round(during / busy_s, 1),
            "restore_s": round(restore_s, 2), "verify_after_restore_s": round(verify_s, 2),
            "verify_ok": report.ok,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    width = max(map(len, numbers))
    for key, value in numbers.items():
        print(f"{key:<{width}}  {value}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "backup.json").write_text(json.dumps(numbers, indent=2) + "\n", encoding="utf-8")
    return 0 if numbers["verify_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
