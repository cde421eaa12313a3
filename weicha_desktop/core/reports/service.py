"""Printing a case: the parts chosen, in one PDF, logged in the work log.

    ReportService(store, cases, photos).render(case, path, parts=("note", "register",
        "photos", "analysis"), photos_per_page=2, progress=cb(fraction, message))"""
from __future__ import annotations

import dataclasses
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from weicha_desktop.core.cases import CaseRecord, CaseService
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.forms.spec import FormSpec
from weicha_desktop.core.media.staging import REPORT_WORK, work_folder
from weicha_desktop.core.photos import Photo, PhotoService
from weicha_desktop.core.safe_output import atomic_output, check_output

PARTS = {"note": "现场勘验检查笔录", "register": "附件1 提取痕迹、物证登记表",
         "photos": "附件3 现场照片", "analysis": "附件4 现场勘验情况分析报告"}
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ReportResult:
    path: Path
    pages: int
    size: int
    parts: tuple[str, ...]
    sha256: str


def parse_parts(value: str | Iterable[str]) -> tuple[str, ...]:
    items = [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if v.strip()]
    unknown = [v for v in items if v not in PARTS]
    if unknown or not items:
        raise WeichaError(f"报告部分只能是 {', '.join(PARTS)}（收到：{', '.join(unknown) or '空'}）。")
    return tuple(p for p in PARTS if p in items)  # always in the official order


@dataclass
class ReportJob:
    """Everything a rendering needs, read from the store up front: running it touches no
    database, so it can run on a worker thread while the window goes on."""

    case: CaseRecord
    spec: FormSpec
    unit_name: str
    parts: tuple[str, ...]
    photos_per_page: int
    photos: list[Photo]
    originals: dict[str, Path]
    printed_at: str
    # where the prepared (downsampled) photos are kept while laying out: the data folder's
    # cache/tmp, held while the job runs and cleared on the next start after a crash —
    # evidence photos do not go to the shared system temp folder
    work_root: Path | None = None
    # the data folder: the target is refused inside it (core/safe_output.py)
    data_dir: Path | None = None

    def run(self, path: str | os.PathLike, progress: Progress | None = None,
            cancelled: Callable[[], bool] = lambda: False) -> ReportResult:
        check_output(path, data_dir=self.data_dir)  # a bad target fails before the photos
        if self.work_root is None:
            with tempfile.TemporaryDirectory(prefix="weicha-report-") as work:
                return self._run(Path(path), Path(work), progress, cancelled)
        with work_folder(self.work_root) as work:
            return self._run(Path(path), work, progress, cancelled)

    def _run(self, path: Path, work: Path, progress: Progress | None,
             cancelled: Callable[[], bool]) -> ReportResult:
        # the layout (reportlab: ~60 ms to import) only when a report is made, not when the
        # program starts (benchmarks/bench_startup.py; tests/test_startup_imports.py)
        from reportlab.platypus import CondPageBreak, PageBreak, Spacer

        from weicha_desktop.core.reports.analysis import build_analysis
        from weicha_desktop.core.reports.integrity import (QR_SIZE, IntegrityBlock,
                                                           integrity_payload)
        from weicha_desktop.core.reports.note import build_note
        from weicha_desktop.core.reports.pdfdoc import Part, ReportDoc
        from weicha_desktop.core.reports.photosheets import build_photo_sheets
        from weicha_desktop.core.reports.register import build_register

        report = lambda f, m: progress(f, m) if progress else None  # noqa: E731
        case = self.case
        story: list = []
        for part in self.parts:
            if story:
                story.append(PageBreak())
            story.append(Part(PARTS[part], internal=part == "analysis"))
            if part == "note":
                story += build_note(self.spec, case)
            elif part == "register":
                story += build_register(self.spec, case)
            elif part == "analysis":
                story += build_analysis(self.spec, case)
            else:
                report(0.05, f"准备照片 0/{len(self.photos)}")
                story += build_photo_sheets(
                    self.photos, lambda p: self.originals[p.id], work, self.photos_per_page,
                    progress=lambda n, t: report(0.05 + 0.8 * n / max(t, 1), f"准备照片 {n}/{t}"),
                    cancelled=cancelled)
        story += [Spacer(1, 4), CondPageBreak(QR_SIZE + 12), IntegrityBlock(case, self.printed_at)]
        if cancelled():
            raise InterruptedError("已取消")
        report(0.88, "排版")
        with atomic_output(path, data_dir=self.data_dir) as tmp:  # whole or not at all
            doc = ReportDoc(tmp, unit_name=self.unit_name, case_number=case.number,
                            draft=not case.locked, title=f"{PARTS[self.parts[0]]} {case.number}")
            doc.build_story(story)
        report(1.0, "完成")
        return ReportResult(path, doc.page, path.stat().st_size, self.parts,
                            integrity_payload(case)["sha256"])


class ReportService:
    def __init__(self, cases: CaseService, photos: PhotoService):
        self.cases = cases
        self.photos = photos
        self.store = cases.store

    def plan(self, number_or_id: str, *, parts: Iterable[str] = tuple(PARTS),
             photos_per_page: int = 2) -> ReportJob:
        parts = parse_parts(parts)
        if photos_per_page not in (1, 2, 4):
            raise WeichaError("每页照片数只能是 1、2 或 4。")
        case = self.cases.get(number_or_id)
        listed = self._by_display_name(self.photos.list(case.id)) if "photos" in parts else []
        return ReportJob(case, self.cases.spec_for(case), self.store.meta("unit_name") or "",
                         parts, photos_per_page, listed,
                         {p.id: self.photos.original_path(p) for p in listed},
                         self.store.clock.iso(), self.store.data_dir / REPORT_WORK, self.store.data_dir)

    def _by_display_name(self, photos: list[Photo]) -> list[Photo]:
        """The photos with their photographer as people know them: a user's login name
        (an import by a user, an older record) printed as that user's display name."""
        names = dict(self.store.conn.execute(
            "SELECT name, display_name FROM users WHERE display_name <> '' AND display_name <> name"))
        return [dataclasses.replace(p, photographer=names[p.photographer])
                if p.photographer in names else p for p in photos]

    def record(self, job: ReportJob, result: ReportResult, action: str = "report.print") -> None:
        """The work-log entry of a rendering (print, preview or export)."""
        case = job.case
        names = "、".join(PARTS[p] for p in result.parts)
        self.store.log_read(self.cases.actor, action, "case", case.id,
                            f"生成报告 {case.number} 第 {case.version} 版：{names}（{result.pages} 页）",
                            {"version": case.version, "parts": list(result.parts),
                             "pages": result.pages, "sha256": result.sha256,
                             "draft": not case.locked})

    def render(self, number_or_id: str, path: str | os.PathLike, *,
               parts: Iterable[str] = tuple(PARTS), photos_per_page: int = 2,
               progress: Progress | None = None,
               cancelled: Callable[[], bool] = lambda: False) -> ReportResult:
        job = self.plan(number_or_id, parts=parts, photos_per_page=photos_per_page)
        result = job.run(path, progress, cancelled)
        self.record(job, result)
        return result
