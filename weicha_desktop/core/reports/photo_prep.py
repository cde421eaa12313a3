"""The report's worker-process side (core/media/pool.py): one photo decoded at reduced scale,
stood upright, fitted and written as a JPEG for 附件3 (photosheets.py lays them out).

A module of its own so that a worker imports only Pillow and the decoder helpers, not
reportlab and the store (photosheets.py): a started worker is ready for its first photo in
~0.1 s CPU instead of ~0.3 s, for every report of more than three photos."""
from __future__ import annotations

from pathlib import Path

from weicha_desktop.core.media.analyse import render_upright

JPEG_QUALITY = 80


def prepare_task(path: str, turn: int | None, long_px: int, out: str) -> dict:
    """Decode at reduced scale (JPEG draft picks a scale at or above 90 % of the target,
    i.e. ≥ 270 dpi), stand upright, fit, write a JPEG to ``out``. A file, not bytes:
    reportlab embeds a JPEG file as is, but decodes and digests every in-memory image it is
    given (50 ms each for a 1500 px photo)."""
    try:
        img = render_upright(Path(path), turn, round(long_px * 0.9))
        if max(img.size) > long_px:
            img.thumbnail((long_px, long_px))
        img.save(out, "JPEG", quality=JPEG_QUALITY)
        return {"status": "ok", "jpeg": out, "size": img.size}
    except Exception as e:  # a vanished or damaged original: print the gap and say why
        return {"status": "rejected", "reason": f"无法读取原始照片（{e}）"}
