"""Benchmark: import 200 twelve-megapixel JPEGs into a case.

Reports the per-photo wall time of the real import (copy into the content-addressed store +
SHA-256 + EXIF + draft-mode decode + thumbnail + one write-path transaction with fsync per
photo) against two floors measured in the same run on the same files:

  floor-1: SHA-256 of the file + draft-mode decode to a thumbnail, one file after another;
  floor-2: the same work spread over the same number of worker processes as the import.

Target (issue 4): import ≤ 1.3 × floor-1 per photo.
Run:  .venv/bin/python benchmarks/bench_photo_import.py [--count 200] [--workers N]"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache" / "photos12mp"
RESULTS = ROOT / "benchmarks" / "results"


def make_corpus(count: int) -> list[Path]:
    """12-megapixel camera-like JPEGs (4000×3000, quality 90, EXIF), made once and cached."""
    from tests.media_support import exif_block

    CACHE.mkdir(parents=True, exist_ok=True)
    noise = Image.effect_noise((500, 375), 40).convert("RGB")
    files = []
    for i in range(count):
        path = CACHE / f"IMG_{i:04d}.JPG"
        if not path.exists():
            base = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
            tile = noise.rotate(i % 4 * 90, expand=False)
            for x in range(0, 4000, 500):
                for y in range(0, 3000, 375):
                    if (x // 500 + y // 375 + i) % 3 == 0:
                        base.paste(tile, (x, y))
            base.save(path, "JPEG", quality=90,
                      exif=exif_block(orientation=(6 if i % 5 == 0 else 1),
                                      gps=(21.95 + i / 1e4, 108.62, 5.0)))
        files.append(path)
    return files


def floor_one(path: str) -> None:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    with Image.open(path) as img:
        img.draft("RGB", (320, 320))
        img.load()
        img.thumbnail((320, 320))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    files = make_corpus(args.count)
    size_mb = sum(f.stat().st_size for f in files) / 1e6

    for f in files:  # warm the page cache for every contender alike
        f.read_bytes()
    t = time.perf_counter()
    for f in files:
        floor_one(str(f))
    floor1 = (time.perf_counter() - t) / len(files)

    with ProcessPoolExecutor(args.workers) as ex:
        list(ex.map(floor_one, [str(files[0])] * args.workers))  # start the workers
        t = time.perf_counter()
        list(ex.map(floor_one, map(str, files)))
        floor2 = (time.perf_counter() - t) / len(files)

    from tests.support import PASSWORD, new_store
    from weicha_desktop.core.cases import CaseService
    from weicha_desktop.core.forms import FormRegistry
    from weicha_desktop.core.photos import PhotoService
    from weicha_desktop.core.users import UserService
    from weicha_desktop.resources import forms_dir

    tmp = Path(tempfile.mkdtemp(prefix="weicha-bench-"))
    try:
        store = new_store(tmp / "data")
        actor = UserService(store).authenticate("admin", PASSWORD)
        case = CaseService(store, FormRegistry(forms_dir()), actor).new_case()
        t = time.perf_counter()
        results = PhotoService(store, actor).import_files(case.id, files, workers=args.workers)
        wall = time.perf_counter() - t
        imported = sum(r.status == "imported" for r in results)
        store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    per = wall / len(files)
    report = {
        "photos": len(files), "imported": imported, "corpus_mb": round(size_mb, 1),
        "workers": args.workers, "floor1_ms": round(floor1 * 1000, 1),
        "floor2_ms": round(floor2 * 1000, 1), "import_ms": round(per * 1000, 1),
        "ratio_to_floor1": round(per / floor1, 2), "ratio_to_floor2": round(per / floor2, 2),
        "target_ratio_to_floor1": 1.3,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "photo_import.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"{len(files)} photos, {size_mb:.0f} MB, {args.workers} workers")
    print(f"floor-1 (hash + draft decode, sequential): {floor1 * 1000:7.1f} ms/photo")
    print(f"floor-2 (same, {args.workers} processes):          {floor2 * 1000:7.1f} ms/photo")
    print(f"import (everything, committed):            {per * 1000:7.1f} ms/photo")
    print(f"ratio to floor-1: {per / floor1:.2f}  (target ≤ 1.3)   ratio to floor-2: {per / floor2:.2f}")
    return 0 if imported == len(files) else 1


if __name__ == "__main__":
    sys.exit(main())
