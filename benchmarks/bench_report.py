"""Benchmark: the full printed case — 笔录 + 附件1 + 附件3 with 50 twelve-megapixel photos.

Target (issue 5): ≤ 5 s and ≤ 20 MB on this machine. Also reported as a ratio to a floor
measured in the same run: decoding the same 50 originals at reduced scale (JPEG draft mode)
to the size they are printed at, one after another — the work no report can skip.
Run:  .venv/bin/python benchmarks/bench_report.py [--photos 50] [--per-page 2]"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--photos", type=int, default=50)
    ap.add_argument("--per-page", type=int, default=2, choices=[1, 2, 4])
    args = ap.parse_args()

    from bench_photo_import import make_corpus
    from tests.support import PASSWORD, new_store
    from weicha_desktop.core.cases import CaseService
    from weicha_desktop.core.demo import scene_values
    from weicha_desktop.core.forms import FormRegistry
    from weicha_desktop.core.media.analyse import render_upright
    from weicha_desktop.core.photos import PhotoService
    from weicha_desktop.core.reports.photosheets import LAYOUTS, _box
    from weicha_desktop.core.reports.service import ReportService
    from weicha_desktop.resources import forms_dir

    files = make_corpus(args.photos)
    tmp = Path(tempfile.mkdtemp(prefix="weicha-bench-report-"))
    try:
        store = new_store(tmp / "data")
        from weicha_desktop.core.users import UserService

        actor = UserService(store).authenticate("admin", PASSWORD)
        cases = CaseService(store, FormRegistry(forms_dir()), actor)
        photos = PhotoService(store, actor)
        case = cases.new_case(scene_values(5))
        photos.import_files(case.id, files)
        listed = photos.list(case.id)
        for i, p in enumerate(listed):
            photos.update(p.id, photo_class=["方位", "概貌", "重点部位", "细目"][i % 4],
                          caption=f"第{i + 1}张现场照片说明")

        box_w, box_h = _box(args.per_page)
        t = time.perf_counter()
        for p in listed:
            scale = min(box_w / p.width, box_h / p.height)
            render_upright(photos.original_path(p), p.orientation,
                           round(max(p.width, p.height) * scale / 72 * 300))
        floor = time.perf_counter() - t

        out = tmp / "report.pdf"
        t = time.perf_counter()
        result = ReportService(cases, photos).render(case.id, out, parts=["note", "register", "photos"],
                                                    photos_per_page=args.per_page)
        wall = time.perf_counter() - t
        store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report = {"photos": len(files), "per_page": args.per_page, "pages": result.pages,
              "seconds": round(wall, 2), "megabytes": round(result.size / 1e6, 2),
              "floor_seconds": round(floor, 2), "ratio_to_floor": round(wall / floor, 2),
              "target": {"seconds": 5, "megabytes": 20}}
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / f"report_{args.per_page}pp.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"{len(files)} photos of 12 MP, {args.per_page} per page: {result.pages} pages")
    print(f"report: {wall:.2f} s, {result.size / 1e6:.1f} MB   (target ≤ 5 s, ≤ 20 MB)")
    print(f"floor (draft decode to print size, sequential): {floor:.2f} s → ratio {wall / floor:.2f}")
    return 0 if wall <= 5 and result.size <= 20e6 else 1


if __name__ == "__main__":
    sys.exit(main())
