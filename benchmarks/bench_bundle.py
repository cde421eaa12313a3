"""Benchmark: a USB bundle of a real laptop's ops and photo originals, exported and imported,
against a plain file copy of the same bytes in the same run (issue 12; target ≥ 50 %).

The laptop is bench_sync's photo laptop (``benchmarks/data/sync/photos-200``: 200
twelve-megapixel JPEGs, ~480 MB, in 20 demo cases, made once by the desktop's own code);
each round works on a copy (originals hard-linked) and a fresh server data folder (SQLite;
PostgreSQL too with WEICHA_TEST_PG_URL):

- **export**: ``weicha bundle export``'s ``export_ops`` (the laptop enrolled by file first):
  the outstanding ops, the audit entries and the originals they name, encrypted to the
  server, fsynced, read back and verified, renamed;
- **import**: ``weicha-server bundle import``'s ``Importer.import_file`` — the container's one
  read (signature, decryption, every hash), the originals into the blob store, the ops
  through push in one transaction, the receipt written;
- **copy**: the bundle file copied to another file of the same folder and fsynced (read in
  1 MiB pieces, as shutil does), before and after the two (their mean: a shared machine
  drifts).

MB/s = the bundle file's bytes / wall time; CPU seconds per GB of bundle too (process time:
the machine is shared, the wall time drifts with its load); the medians and the spread (min,
max) over the rounds. Run:

    .venv/bin/python benchmarks/bench_bundle.py [--photos 200] [--rounds 2]

Output: ``results/bundle.json``."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
MB = 1024 * 1024
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"


def timed(fn, *args, **kw) -> tuple[Any, float, float]:
    cpu0, t0 = time.process_time(), time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0, time.process_time() - cpu0


def copy_file(src: Path, dst: Path) -> None:
    with open(src, "rb") as a, open(dst, "wb") as b:
        shutil.copyfileobj(a, b, MB)
        b.flush()
        os.fsync(b.fileno())


def enroll_by_file(store, actor, server, usb: Path):
    """The laptop enrolled with the server by file (weicha enroll --request / --file); its config."""
    from weicha_desktop.core.bundle.container import fingerprint
    from weicha_desktop.core.bundle.offline_enroll import apply_enrollment, write_request
    from weicha_desktop.core.sync.enrollment import SyncConfig
    from weicha_server.enroll_offline import enroll

    req = write_request(store, actor, usb / "req.wcq")
    enroll(server.config(), server.engine, server.keys, req.path, usb / "e.wce", unit=None, reenroll=False,
           confirm=lambda _r: True, actor="bench")
    config = SyncConfig.of(store)
    apply_enrollment(store, actor, usb / "e.wce", config=config,
                     expected_fingerprint=fingerprint(server.keys.signing.public_key()))
    return config


@contextmanager
def database(backend: str) -> Iterator[str | None]:
    from tests.server_support import backend_db

    with backend_db(backend) as url:
        yield url


def one_round(template: Path, work: Path, backend: str) -> dict[str, Any]:
    from benchmarks.bench_sync import copy_laptop
    from tests.server_bundle_support import BundleServer
    from weicha_desktop.core.bundle.export import export_ops
    from weicha_desktop.core.demo import DEMO_PASSWORD
    from weicha_desktop.core.store import Store
    from weicha_desktop.core.users import UserService
    from weicha_server.bundles import Importer

    folder = copy_laptop(template, work / "laptop")
    os.environ["WEICHA_CONFIG_DIR"] = str(folder / "config")
    store = Store.open(folder / "data")
    actor = UserService(store).authenticate("admin", DEMO_PASSWORD)
    with database(backend) as url:
        server = BundleServer.make(work / "server", url)
        usb = work / "out"
        usb.mkdir()
        config = enroll_by_file(store, actor, server, usb)
        bundle = usb / "laptop.wcb"
        done, ex_wall, ex_cpu = timed(export_ops, store, actor, bundle, config=config)
        ops, size = done.ops, bundle.stat().st_size
        _, w1, c1 = timed(copy_file, bundle, usb / "copy1")
        importer = Importer(server.config(), server.engine)
        outcome, im_wall, im_cpu = timed(importer.import_file, bundle)
        _, w2, c2 = timed(copy_file, bundle, usb / "copy2")
        assert outcome.status == "imported" and outcome.counts["applied"] == ops, outcome.counts
        server.engine.dispose()
    store.close()
    copy_wall, copy_cpu = (w1 + w2) / 2, (c1 + c2) / 2
    mb = size / MB
    gb = mb / 1024
    return {"backend": backend, "ops": ops, "bundle_mb": round(mb, 1), "blobs": outcome.counts["blobs"],
            "export_cpu_s_per_gb": round(ex_cpu / gb, 2), "import_cpu_s_per_gb": round(im_cpu / gb, 2),
            "copy_cpu_s_per_gb": round(copy_cpu / gb, 2),
            "export_mb_s": round(mb / ex_wall, 1), "import_mb_s": round(mb / im_wall, 1),
            "copy_mb_s": round(mb / copy_wall, 1),
            "export_vs_copy": round(copy_wall / ex_wall, 3), "import_vs_copy": round(copy_wall / im_wall, 3),
            "export_cpu_s": round(ex_cpu, 2), "import_cpu_s": round(im_cpu, 2), "copy_cpu_s": round(copy_cpu, 2),
            "export_s": round(ex_wall, 2), "import_s": round(im_wall, 2), "copy_s": round(copy_wall, 2)}


def main(argv: list[str] | None = None) -> int:
    from benchmarks.bench_sync import template

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--photos", type=int, default=200)
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args(argv)
    laptop = template("photos", args.photos, False)
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("WEICHA_TEST_PG_URL") else [])
    runs = []
    for _ in range(args.rounds):
        for backend in backends:
            with tempfile.TemporaryDirectory(prefix="bench-bundle-") as tmp:
                run = one_round(laptop, Path(tmp), backend)
            print(json.dumps(run, ensure_ascii=False), flush=True)
            runs.append(run)
    keys = ("export_vs_copy", "import_vs_copy", "export_cpu_s_per_gb", "import_cpu_s_per_gb", "copy_cpu_s_per_gb",
            "export_mb_s", "import_mb_s", "copy_mb_s")
    summary = {b: {k: round(statistics.median(r[k] for r in runs if r["backend"] == b), 3) for k in keys}
               for b in backends}
    spread = {b: {k: [min(r[k] for r in runs if r["backend"] == b), max(r[k] for r in runs if r["backend"] == b)]
                  for k in keys} for b in backends}
    RESULTS.mkdir(exist_ok=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    (RESULTS / "bundle.json").write_text(json.dumps({"args": vars(args), "load_avg_1min": load, "runs": runs,
                                                     "median": summary, "min_max": spread},
                                                    ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"median": summary, "min_max": spread}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
