"""Sample scene photos for the screenshots (``make screenshots``): eight camera-like JPEGs
(drawn, with EXIF time, camera, GPS and one lying on its side with orientation 6), imported
into a draft case of a demo data folder, described (class, caption) and two of them linked
to the case's evidence items. Prints the case number.

    .venv/bin/python tools/sample_photos.py --data-dir build/shots [--case K…]

Not for real data: it writes to the folder as its first administrator."""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService
from weicha_desktop.resources import forms_dir

SIZE = (1600, 1200)
# (class, caption, evidence row to link or None, drawing)
SHOTS = [
    ("方位", "现场所在小区入口，由东向西拍摄", None, "street"),
    ("概貌", "客厅全貌，由门口向内拍摄", None, "room"),
    ("概貌", "入户门内侧，门锁完好", None, "door"),
    ("重点部位", "主卧床头柜，抽屉被拉出", None, "drawer"),
    ("细目", "抽屉边缘撬压痕迹（加比例尺）", None, "marks"),
    ("物证照片", "抽屉面板上的指纹（粉末显现）", 0, "print"),
    ("物证照片", "客厅地面足迹（静电吸附前）", 1, "shoe"),
    ("细目", "主卧窗户插销，未见破坏", None, "window"),
]


EVIDENCE = [
    {"name": "右手拇指指纹", "category": "手印", "features": "斗形纹，纹线清晰", "quantity": 1,
     "location": "主卧床头柜抽屉面板", "method": "粉末显现", "comparison_status": "比中",
     "compared_on": "2026-12-02", "comparison_result": "比中前科人员韦某右手拇指"},
    {"name": "运动鞋足迹", "category": "足迹", "features": "波浪花纹，长约 27 cm", "quantity": 2,
     "location": "客厅地面", "method": "静电吸附", "comparison_status": "已送检"},
    {"name": "撬压痕迹", "category": "工具痕迹", "features": "一字形刃口，宽约 8 mm", "quantity": 1,
     "location": "主卧床头柜抽屉边缘", "method": "硅胶/胶带提取", "comparison_status": "未送检"},
]
GPS = (21.9503, 108.6231, 6.0)


def _gps(block: Image.Exif) -> None:
    from PIL.TiffImagePlugin import IFDRational

    def dms(v: float) -> tuple:
        d, m = int(v), int((v - int(v)) * 60)
        return IFDRational(d), IFDRational(m), IFDRational(round(((v - d) * 60 - m) * 60 * 100), 100)

    g = block.get_ifd(0x8825)
    g[1], g[2], g[3], g[4] = "N", dms(GPS[0]), "E", dms(GPS[1])
    g[5], g[6] = b"\x00", IFDRational(round(GPS[2] * 10), 10)


def _ruler(d: ImageDraw.ImageDraw, x: int, y: int, length: int = 500) -> None:
    d.rectangle([x, y, x + length, y + 40], fill=(245, 240, 200), outline=(40, 40, 40), width=3)
    for i in range(0, length + 1, 25):
        d.line([x + i, y, x + i, y + (22 if i % 100 == 0 else 12)], fill=(20, 20, 20), width=3)


def draw(kind: str) -> Image.Image:
    w, h = (SIZE[1], SIZE[0]) if kind == "door" else SIZE  # the door: taken upright
    img = Image.new("RGB", (w, h), (200, 200, 195))
    d = ImageDraw.Draw(img)
    if kind == "street":
        d.rectangle([0, 0, w, h * 0.45], fill=(150, 190, 230))
        for x, top, color in ((80, 160, 0xC8B496), (520, 90, 0xB4A58C), (1020, 200, 0xD2C3A5)):
            d.rectangle([x, top, x + 420, h * 0.7], fill=f"#{color:06x}")
            for wx in range(x + 40, x + 400, 90):
                for wy in range(int(top) + 40, int(h * 0.65), 110):
                    d.rectangle([wx, wy, wx + 50, wy + 60], fill=(90, 120, 150))
        d.rectangle([0, h * 0.7, w, h], fill=(90, 90, 95))
        d.line([0, h * 0.85, w, h * 0.85], fill=(240, 240, 240), width=8)
        d.rectangle([640, 560, 960, 640], fill=(20, 70, 150))
    elif kind in ("room", "door", "window"):
        d.rectangle([0, h * 0.72, w, h], fill=(160, 120, 80))
        if kind == "room":
            d.rectangle([150, 520, 800, 860], fill=(110, 90, 140))
            d.rectangle([1000, 300, 1400, 880], fill=(140, 100, 60))
            for y in (420, 560, 700):
                d.rectangle([1040, y, 1360, y + 110], outline=(60, 40, 20), width=5)
            d.rectangle([1090, 580, 1310, 650], fill=(200, 170, 120))  # a drawer pulled out
        elif kind == "door":
            d.rectangle([300, 160, 900, 1160], fill=(120, 80, 50), outline=(60, 40, 20), width=8)
            d.ellipse([790, 640, 850, 700], fill=(210, 190, 90))
        else:
            d.rectangle([350, 150, 1250, 760], fill=(170, 210, 240), outline=(230, 230, 230), width=24)
            d.line([800, 150, 800, 760], fill=(230, 230, 230), width=20)
            d.rectangle([770, 430, 860, 470], fill=(120, 120, 120))
    elif kind in ("drawer", "marks"):
        d.rectangle([0, 0, w, h], fill=(150, 110, 70))
        d.rectangle([200, 300, 1400, 900], fill=(185, 145, 95), outline=(90, 60, 30), width=10)
        d.rectangle([650, 520, 950, 600], fill=(120, 90, 55))
        if kind == "marks":
            for x in (420, 470, 520, 1120):
                d.polygon([(x, 300), (x + 26, 300), (x + 14, 360)], fill=(70, 45, 25))
            _ruler(d, 300, 980)
    elif kind == "print":
        d.rectangle([0, 0, w, h], fill=(60, 55, 50))
        for i in range(24):
            d.ellipse([800 - 18 * i - 60, 560 - 22 * i - 80, 800 + 18 * i + 60, 560 + 22 * i + 80],
                      outline=(225, 225, 215), width=5)
        _ruler(d, 300, 1060, 700)
    elif kind == "shoe":
        d.rectangle([0, 0, w, h], fill=(175, 170, 160))
        d.ellipse([560, 140, 1040, 700], fill=(95, 90, 85))
        d.ellipse([620, 620, 980, 1040], fill=(95, 90, 85))
        for y in range(180, 1000, 40):
            d.line([600, y, 1010, y], fill=(140, 135, 125), width=10)
        _ruler(d, 1150, 200, 420)
    return img


def exif(n: int, date: str, turned: bool) -> Image.Exif:
    block = Image.Exif()
    block[0x010F], block[0x0110], block[0x0112] = "Canon", "EOS 90D", 6 if turned else 1
    sub = block.get_ifd(0x8769)
    sub[0x9003] = f"{date} 09:{12 + 3 * n:02d}:{(17 * n) % 60:02d}"
    sub[0x9011] = "+08:00"
    if n != 6:  # one camera without a GPS fix
        _gps(block)
    return block


def write_card(folder: Path, date: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for n, (_cls, _caption, _link, kind) in enumerate(SHOTS):
        img, turned = draw(kind), kind == "door"
        if turned:  # the camera held upright: pixels stored lying, orientation 6 stands them up
            img = img.transpose(Image.Transpose.ROTATE_90)
        path = folder / f"IMG_{2301 + n:04d}.JPG"
        img.save(path, "JPEG", quality=88, exif=exif(n, date, turned))
        out.append(path)
    return out


def _as_stored(group, row: dict) -> dict:
    """EVIDENCE is written in words; a form that stores codes (v3) gets its codes."""
    out = dict(row)
    for sub in group.fields:
        if sub.choices and out.get(sub.id) is not None:
            code = sub.code_of(out[sub.id])
            out[sub.id] = (sub.value_of(code) if code else None) or out[sub.id]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--case", help="勘验号；默认物证最多的一件草稿")
    args = parser.parse_args(argv)
    with Store.open(args.data_dir) as store:
        actor = next(u for u in UserService(store).list() if u.role == "admin")
        cases = CaseService(store, FormRegistry(forms_dir()), actor)
        if args.case:
            case = cases.get(args.case)
        else:
            drafts = [cases.get(r["id"]) for r in cases.list(status="draft", limit=50)]
            case = max((c for c in drafts if not c.returned_comment),
                       key=lambda c: len(c.data.get("evidence") or []))
        # the case's own investigator does the work (only they or a supervisor may edit a draft)
        creator = store.conn.execute("SELECT created_by FROM records WHERE id = ?", (case.id,)).fetchone()[0]
        actor = next(u for u in UserService(store).list() if u.id == creator)
        cases = CaseService(store, FormRegistry(forms_dir()), actor)
        if len(case.data.get("evidence") or []) < 2:
            start = case.data.get("started_at") or "2026-11-27T09:00:00+08:00"
            crew = [r.get("name") for r in case.data.get("investigators") or [] if r.get("name")] or ["张伟"] or ["张伟"]
            group = cases.spec_for(case).field("evidence")
            rows = [_as_stored(group, {**row, "collector": crew[0],
                                       "collected_at": start[:11] + f"10:{10 * i + 5:02d}:00" + start[19:]})
                    for i, row in enumerate(EVIDENCE)]
            case = cases.update(case.id, {"evidence": (case.data.get("evidence") or []) + rows})
        date = (case.data.get("started_at") or "2026-11-27")[:10].replace("-", ":")
        crew = [r.get("name") for r in case.data.get("investigators") or [] if r.get("name")] or ["张伟"]
        photos = PhotoService(store, actor)
        with tempfile.TemporaryDirectory() as tmp:
            photos.import_files(case.id, write_card(Path(tmp) / "DCIM", date))
        numbers = [r.get("number") for r in case.data.get("evidence") or []]
        for photo, (cls, caption, link, _kind) in zip(photos.list(case.id), SHOTS):
            linked = numbers[link] if link is not None and link < len(numbers) else None
            photos.update(photo.id, photo_class=cls, caption=caption, evidence_number=linked,
                          photographer=crew[0])
    print(case.number)
    return 0


if __name__ == "__main__":
    sys.exit(main())
