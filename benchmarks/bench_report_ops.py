"""Benchmark: CPU per photo import, report and verify (this process and its workers).

  import   20 test-size photos (640×480), 20 twelve-megapixel 4:3 photos (bench_photo_import's
           corpus), 12 twenty-four-megapixel 3:2 photos (a Canon EOS 90D's size);
  report   a case's whole report (笔录, 附件1, 附件3 at 2 a page) with 12 photos of each kind,
           and the note alone; also the PDF's size;
  verify   the data folder all of that made.

CPU, not wall (the host is shared): user + system of this process and of the worker processes
it waited for (RUSAGE_CHILDREN), best of 3 (5 for the short ones). ``--tree DIR``: the program
and test helpers of another checkout (a git worktree of an older commit) — run both in turn,
several times: the host's load moves every figure.
Run:  .venv/bin/python benchmarks/bench_report_ops.py [--tree DIR]"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def best_ms(fn, runs: int = 3) -> int:
    spent = []
    for k in range(runs):
        start = cpu()
        fn(k)
        spent.append(cpu() - start)
    return round(min(spent) * 1000)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose code is measured")
    args = ap.parse_args()
    tree = args.tree.resolve()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_photo_import import make_corpus  # (puts this checkout first on the path)

    sys.path.insert(0, str(tree))
    os.chdir(tree)
    from PIL import Image

    from tests.media_support import make_photo
    from tests.support import PASSWORD, forms, new_store
    from weicha_desktop.core.cases import CaseService
    from weicha_desktop.core.demo import scene_values
    from weicha_desktop.core.photos import PhotoService
    from weicha_desktop.core.reports.service import ReportService
    from weicha_desktop.core.users import UserService
    from weicha_desktop.core.verify import verify

    tmp = Path(tempfile.mkdtemp(prefix="weicha-bench-ops-"))
    os.environ["WEICHA_CONFIG_DIR"] = str(tmp / "config")
    try:
        camera = make_corpus(20)
        small = [make_photo(tmp / f"s{i}.jpg", size=(640, 480), seed=i, orientation=6 if i % 5 == 0 else 1)
                 for i in range(20)]
        wide = []
        for i, source in enumerate(camera[:12]):
            with Image.open(source) as img:
                path = tmp / f"w{i}.jpg"
                img.resize((6000, 4000)).save(path, "JPEG", quality=90, exif=img.getexif())
                wide.append(path)
        store = new_store(tmp / "data")
        actor = UserService(store).authenticate("admin", PASSWORD)
        cases = CaseService(store, forms(), actor)
        photos = PhotoService(store, actor, forms())
        reports = ReportService(cases, photos)
        out: dict[str, object] = {"tree": str(tree)}

        def importing(files):
            return lambda k: photos.import_files(cases.new_case(scene_values(k)).id, files)

        out["import_20_small_ms"] = best_ms(importing(small))
        out["import_20_12mp_ms"] = best_ms(importing(camera))
        out["import_12_24mp_ms"] = best_ms(importing(wide), 2)
        printed = {}
        for name, files in (("small", small[:12]), ("12mp", camera[:12]), ("24mp", wide)):
            case = cases.new_case(scene_values(3))
            photos.import_files(case.id, files)
            for i, p in enumerate(photos.list(case.id)):
                photos.update(p.id, photo_class=["方位", "概貌", "重点部位", "细目"][i % 4], caption=f"说明{i}")
            printed[name] = case.id
            out[f"report_12_{name}_ms"] = best_ms(
                lambda k, cid=case.id, n=name: reports.render(cid, tmp / f"{n}{k}.pdf", photos_per_page=2))
            out[f"report_12_{name}_kb"] = (tmp / f"{name}0.pdf").stat().st_size // 1024
        out["report_note_only_ms"] = best_ms(
            lambda k: reports.render(printed["small"], tmp / f"note{k}.pdf", parts=["note"]), 5)
        out["verify_ms"] = best_ms(lambda k: verify(store), 5)
        store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if tree == ROOT:
        (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
        (ROOT / "benchmarks" / "results" / "report_ops.json").write_text(json.dumps(out, indent=2) + "\n")
    for key, value in out.items():
        print(f"{key:24s} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
