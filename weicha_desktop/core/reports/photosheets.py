"""附件3 现场照片: 1, 2 or 4 photos per A4 page, each upright, downsampled for print (about
300 dpi at the size it is placed, never the original bytes), captioned with its number,
class, caption, photographer (the display name: ReportService.plan), capture time with its
source in plain words (相机时间 / 文件时间, not EXIF tag names) and the first 16 hex digits of
its SHA-256. A finalized record has no photo without a class (the checker blocks it:
RecordService.check_data), so 〔未分类〕 only ever prints on a draft."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Table, TableStyle

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.labels import time_source_label
from weicha_desktop.core.photos import Photo
from weicha_desktop.core.media.pool import WorkerPool, WorkerStartError
from weicha_desktop.core.reports.fonts import cjk_font
from weicha_desktop.core.reports.note import WIDTH
from weicha_desktop.core.reports.photo_prep import prepare_task  # also run here for ≤ 3 photos
from weicha_desktop.core.reports.styles import styles, text
from weicha_desktop.core.reports.values import fmt_datetime

DPI = 300
# per page → (columns, rows, image box height in mm, caption height in mm)
LAYOUTS = {1: (1, 1, 180.0, 30.0), 2: (1, 2, 95.0, 24.0), 4: (2, 2, 88.0, 30.0)}
Progress = Callable[[int, int], None]
PREPARE = "weicha_desktop.core.reports.photo_prep:prepare_task"  # what the workers run (light)


@dataclass
class Prepared:
    photo: Photo
    jpeg: str | None  # a prepared JPEG file in the job's work folder
    size: tuple[int, int]
    error: str | None = None


def _box(per_page: int) -> tuple[float, float]:
    cols, _, box_h, _ = LAYOUTS[per_page]
    return (WIDTH - (cols - 1) * 6 * mm) / cols, box_h * mm


def target_px(photo: Photo, per_page: int) -> int:
    """Pixels along the long side for ~300 dpi at the size the photo is placed."""
    box_w, box_h = _box(per_page)
    scale = min(box_w / photo.width, box_h / photo.height)
    return max(64, round(max(photo.width, photo.height) * scale / 72 * DPI))


def _turn(photo: Photo) -> int | None:
    return None if (photo.format == "HEIF" or photo.derived_from) else photo.orientation


def _prepare_in_workers(photos: list[Photo], tasks: list[tuple], done: Callable[[int, dict], None],
                        cancelled: Callable[[], bool]) -> None:
    """Prepare in worker processes. A photo its worker died on (twice) or timed out on, or
    workers that cannot start, fail the whole report: a report never goes out with a photo
    missing for a reason that is not the photo's own (a damaged or vanished original still
    prints as a captioned gap, as it says why)."""
    failed: dict[int, dict] = {}

    def collect(index: int, result: dict) -> None:
        if result.get("failure"):
            failed[index] = result
        done(index, result)

    try:
        finished = WorkerPool(PREPARE, timeout=lambda a: 60.0).run(tasks, collect, cancelled)
    except WorkerStartError as e:
        raise WeichaError(f"未生成报告：{e}") from None
    if not finished:
        raise InterruptedError("已取消")
    if failed:
        index = min(failed)
        raise WeichaError(f"未生成报告：准备第 {photos[index].position} 号照片时出错——"
                          f"{failed[index]['reason']}。原始照片未受影响，请重试；"
                          "如仍失败，请重新启动微察。")


class PhotoCell(Flowable):
    def __init__(self, item: Prepared, width: float, box_h: float, cap_h: float):
        super().__init__()
        self.item, self.width, self.box_h, self.cap_h = item, width, box_h, cap_h
        self.height = box_h + cap_h

    def wrap(self, *_):
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        item = self.item
        top = self.height
        if item.jpeg:
            w, h = item.size
            scale = min(self.width / w, self.box_h / h)
            dw, dh = w * scale, h * scale
            c.drawImage(item.jpeg, (self.width - dw) / 2,
                        top - self.box_h + (self.box_h - dh) / 2, dw, dh)
        else:
            c.setStrokeGray(0.6)
            c.rect(0, top - self.box_h, self.width, self.box_h)
        c.setStrokeGray(0.75)
        c.setLineWidth(0.4)
        c.rect(0, top - self.box_h, self.width, self.box_h)
        para = Paragraph(text(caption(item)), styles()["small"])
        _, ph = para.wrap(self.width, self.cap_h)
        para.drawOn(c, 0, top - self.box_h - 1.5 * mm - ph)


def caption(item: Prepared) -> str:
    p = item.photo
    lines = [f"第 {p.position} 号　〔{p.photo_class or '未分类'}〕　{p.caption or ''}".rstrip()]
    when = fmt_datetime(p.taken_at) if p.taken_at else "拍摄时间不详"
    source = f"（{time_source_label(p.time_source)}）" if p.taken_at and p.time_source else ""
    lines.append(f"照相人：{p.photographer or '/'}　拍摄时间：{when}{source}")
    extra = f"　关联物证：{p.evidence_number}" if p.evidence_number else ""
    copy = "　工作副本（原件未改动，另存）" if p.derived_from else ""
    lines.append(f"SHA-256：{p.sha256[:16]}{extra}{copy}")
    if item.error:
        lines.append(item.error)
    return "\n".join(lines)


def build_photo_sheets(photos: list[Photo], path_of: Callable[[Photo], Path], work_dir: Path,
                       per_page: int = 2,
                       progress: Progress | None = None,
                       cancelled: Callable[[], bool] = lambda: False) -> list:
    if per_page not in LAYOUTS:
        raise ValueError("每页照片数只能是 1、2 或 4")
    cols, rows, box_h, cap_h = LAYOUTS[per_page]
    tasks = [(str(path_of(p)), _turn(p), target_px(p, per_page), str(Path(work_dir) / f"{i}.jpg"))
             for i, p in enumerate(photos)]
    results: dict[int, dict] = {}

    def done(index: int, result: dict) -> None:
        results[index] = result
        if progress:
            progress(len(results), len(photos))

    if len(tasks) <= 3:  # not worth starting worker processes
        for i, task in enumerate(tasks):
            if cancelled():
                raise InterruptedError("已取消")
            done(i, prepare_task(*task))
    else:
        _prepare_in_workers(photos, tasks, done, cancelled)
    prepared = [Prepared(p, r.get("jpeg"), tuple(r.get("size") or (0, 0)), r.get("reason"))
                for p, r in ((p, results.get(i, {})) for i, p in enumerate(photos))]
    cell_w = _box(per_page)[0]
    story: list = []
    per = cols * rows
    for start in range(0, len(prepared), per):
        chunk = prepared[start:start + per]
        cells = [PhotoCell(item, cell_w, box_h * mm, cap_h * mm) for item in chunk]
        cells += [""] * (per - len(cells))
        table = Table([cells[r * cols:(r + 1) * cols] for r in range(rows)],
                      colWidths=[cell_w + (6 * mm if cols > 1 else 0)] * cols)
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), cjk_font()),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                   ("TOPPADDING", (0, 0), (-1, -1), 0),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 4 * mm),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(table)
        if start + per < len(prepared):
            story.append(PageBreak())
    return story
