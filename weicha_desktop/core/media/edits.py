"""Working copies: rotate, crop and annotate a photo without touching its original.

An edit is data — a list of operations applied in order to the upright original:

    {"op": "rotate", "degrees": 90}                       # clockwise, 90/180/270
    {"op": "crop", "box": [x0, y0, x1, y1]}               # fractions 0–1 of the current image
    {"op": "arrow", "from": [x, y], "to": [x, y]}         # fractions; red arrow
    {"op": "marker", "at": [x, y], "label": "1"}          # numbered circle
    {"op": "note", "at": [x, y], "text": "比例尺 1:1"}    # text (scale note, caption)

The result is a new JPEG (a derived image, stored content-addressed like any original and
linked to it); the list is kept with it, so the copy can be explained and made again."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.media.analyse import open_image
from weicha_desktop.core.media.pil import TRANSPOSE
from weicha_desktop.resources import CJK_FONT_SUBFONT_INDEX, cjk_font_path

RED = (220, 20, 30)
OPS = {"rotate", "crop", "arrow", "marker", "note"}


def check_ops(ops: list[dict[str, Any]]) -> None:
    """Refuse a malformed edit list with a Chinese message (before any pixel is touched)."""
    if not isinstance(ops, list) or not ops:
        raise WeichaError("编辑操作须为非空列表。")
    for i, op in enumerate(ops, 1):
        kind = op.get("op") if isinstance(op, dict) else None
        if kind not in OPS:
            raise WeichaError(f"第 {i} 步：未知的编辑操作“{kind}”。")
        if kind == "rotate" and op.get("degrees") not in (90, 180, 270):
            raise WeichaError(f"第 {i} 步：旋转角度只能是 90、180 或 270 度。")
        if kind == "crop":
            box = op.get("box")
            if not (_points(box, 4) and box[0] < box[2] and box[1] < box[3]):
                raise WeichaError(f"第 {i} 步：裁剪范围须为 0–1 之间的 [左, 上, 右, 下]。")
        if kind == "arrow" and not (_points(op.get("from"), 2) and _points(op.get("to"), 2)):
            raise WeichaError(f"第 {i} 步：箭头须给出起点和终点（0–1 之间）。")
        if kind in ("marker", "note") and not _points(op.get("at"), 2):
            raise WeichaError(f"第 {i} 步：须给出位置（0–1 之间）。")
        if kind == "note" and not str(op.get("text", "")).strip():
            raise WeichaError(f"第 {i} 步：文字标注不能为空。")


def _points(value: Any, n: int) -> bool:
    return (isinstance(value, (list, tuple)) and len(value) == n
            and all(isinstance(v, (int, float)) and 0 <= v <= 1 for v in value))


def render_edit(original: Path, orientation: int | None, ops: list[dict[str, Any]],
                upright_already: bool = False) -> Image.Image:
    check_ops(ops)
    img = open_image(original)
    try:
        img.load()
        out = img.convert("RGB")
    finally:
        img.close()
    if not upright_already and orientation in TRANSPOSE:
        out = out.transpose(TRANSPOSE[orientation])
    for op in ops:
        out = _apply(out, op)
    return out


def _apply(img: Image.Image, op: dict[str, Any]) -> Image.Image:
    w, h = img.size
    kind = op["op"]
    if kind == "rotate":
        return img.rotate(-op["degrees"], expand=True)
    if kind == "crop":
        x0, y0, x1, y1 = op["box"]
        return img.crop((round(x0 * w), round(y0 * h), round(x1 * w), round(y1 * h)))
    draw = ImageDraw.Draw(img)
    stroke = max(2, round(min(w, h) / 200))
    if kind == "arrow":
        (ax, ay), (bx, by) = op["from"], op["to"]
        a, b = (ax * w, ay * h), (bx * w, by * h)
        draw.line([a, b], fill=RED, width=stroke)
        angle = math.atan2(b[1] - a[1], b[0] - a[0])
        head = stroke * 6
        for side in (-0.45, 0.45):
            draw.line([b, (b[0] - head * math.cos(angle + side), b[1] - head * math.sin(angle + side))],
                      fill=RED, width=stroke)
        return img
    x, y = op["at"][0] * w, op["at"][1] * h
    size = max(14, round(min(w, h) / 30))
    font = ImageFont.truetype(str(cjk_font_path()), size, index=CJK_FONT_SUBFONT_INDEX)
    if kind == "marker":
        r = size * 0.9
        draw.ellipse([x - r, y - r, x + r, y + r], outline=RED, width=stroke, fill=(255, 255, 255))
        draw.text((x, y), str(op.get("label", "")), fill=RED, font=font, anchor="mm")
    else:  # note
        text = str(op["text"])
        box = draw.textbbox((x, y), text, font=font)
        draw.rectangle([box[0] - 4, box[1] - 4, box[2] + 4, box[3] + 4], fill=(255, 255, 255))
        draw.text((x, y), text, fill=RED, font=font)
    return img
