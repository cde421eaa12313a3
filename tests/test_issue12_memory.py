"""Issue 12, "Checked by": a bundle of photos exported (``export_ops``: the laptop's real
export, originals from its blob store) and imported (the server's ``Importer``: both passes,
the originals into its blob store, the ops through push) in bounded memory — the flows, not
only the container (tests/test_bundle_memory.py). Python's peak allocation is asserted, and
the process's resident high-water mark (Linux: /proc/self/status VmHWM, reset through
/proc/self/clear_refs) under 200 MB above where it began. The suite carries 8 MB of photos;
BUNDLE_SOAK_MB=2048 (as make soak sets it) carries 2 GB."""
from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

from weicha_desktop.core.bundle.export import export_ops
from weicha_server.bundles import Importer

from tests.media_support import make_photo
from tests.server_bundle_support import srv  # noqa: F401
from tests.server_support import closes_laptops, import_photos  # noqa: F401
from tests.test_bundle_memory import BLOCK, MB
from tests.test_issue12_bundle_seq import usb_laptop

PER_PHOTO_MB = 4


def big_photo(path: Path, mb: int, seed: int) -> Path:
    """A real JPEG with ``mb`` MiB after its end (a camera's maker data: kept, never decoded)."""
    make_photo(path, (64, 48), seed=seed)
    with open(path, "ab") as f:
        f.write(seed.to_bytes(4, "big"))  # each photo its own SHA-256
        for _ in range(mb):
            f.write(BLOCK)
    return path


def resident_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(field)


def test_photos_exported_and_imported_in_bounded_memory(srv, tmp_path):
    total = int(os.environ.get("BUNDLE_SOAK_MB", "8"))
    lt, config, usb = usb_laptop(srv, tmp_path)
    case = lt.new_case(1)
    files = [big_photo(tmp_path / f"p{i}.jpg", PER_PHOTO_MB, i) for i in range(max(1, total // PER_PHOTO_MB))]
    import_photos(lt, case, files)
    for f in files:
        f.unlink()  # only the blob store's copies remain
    importer = Importer(srv.config(), srv.engine)
    Path("/proc/self/clear_refs").write_text("5")  # the resident high-water mark starts again here
    base = resident_mb("VmRSS")
    tracemalloc.start()
    try:
        done = export_ops(lt.store, lt.actor, usb / "big.wcb", config=config)
        _, peak_export = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        outcome = importer.import_file(done.path)
        _, peak_import = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    high = resident_mb("VmHWM") - base
    assert done.blobs == len(files) and done.size > total * MB
    assert outcome.status == "imported" and outcome.counts["blobs"] == len(files)
    assert peak_export < 16 * MB and peak_import < 16 * MB, (peak_export / MB, peak_import / MB)
    assert high < 200, high
    print(f"\n{total} MB of photos: peak Python {peak_export / MB:.1f} / {peak_import / MB:.1f} MB, "
          f"resident +{high:.0f} MB")
