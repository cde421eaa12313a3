"""The photo log of a record (``photos.record_id``: a case, or a record of any kind): import
(originals kept byte for byte), numbering and order, classes, captions, links to evidence
items. Every change goes through the one write path.

Import runs the per-file work (copy + hash + EXIF + decode + thumbnail) in worker processes
(media/pool.py) and does the database writes here, one change per photo, in input order."""
from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from weicha_desktop.core import applog, duties
from weicha_desktop.core.errors import InvalidState, NotFound, WeichaError
from weicha_desktop.core.fileio import os_error_message
from weicha_desktop.core.forms import Choice, FormRegistry
from weicha_desktop.core.ids import new_id
from weicha_desktop.core.media.analyse import THUMB_SIZE, thumbnail_path
from weicha_desktop.core.media.blobs import BlobStore, Staged
from weicha_desktop.core.media.pool import WorkerPool, WorkerStartError
from weicha_desktop.core.store import Actor, Store

ANALYSE = "weicha_desktop.core.media.analyse:analyse"  # what the import's workers run
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".heic", ".heif", ".hif"}
REQUIRED_CLASSES = ("方位", "概貌", "重点部位", "细目")
EDITABLE = ("photo_class", "caption", "photographer", "evidence_number")
EDITABLE_WORDS = {"photo_class": "分类", "caption": "说明", "photographer": "照相人",
                  "evidence_number": "关联物证"}  # what a refusal calls them
_COLUMNS = ("id", "record_id", "position", "sha256", "original_name", "size", "format", "width",
            "height", "orientation", "taken_at", "time_source", "make", "model", "gps_lat",
            "gps_lon", "gps_alt", "photo_class", "caption", "photographer", "evidence_number",
            "derived_from", "edits", "imported_at", "imported_by")


@dataclass(frozen=True)
class Photo:
    id: str
    record_id: str
    position: int
    sha256: str
    original_name: str
    size: int
    format: str
    width: int
    height: int
    orientation: int | None
    taken_at: str | None
    time_source: str | None
    make: str | None
    model: str | None
    gps_lat: float | None
    gps_lon: float | None
    gps_alt: float | None
    photo_class: str | None
    caption: str
    photographer: str | None
    evidence_number: str | None
    derived_from: str | None
    edits: list | None
    imported_at: str
    imported_by: str

    @property
    def gps(self) -> dict[str, float | None] | None:
        if self.gps_lat is None:
            return None
        return {"lat": self.gps_lat, "lon": self.gps_lon, "alt": self.gps_alt}


@dataclass
class ImportResult:
    """One line of the import report (the JSON of ``weicha photos import``)."""

    file: str
    status: str                      # imported | duplicate | rejected
    reason: str | None = None
    sha256: str | None = None
    taken_at: str | None = None
    time_source: str | None = None
    make: str | None = None
    model: str | None = None
    orientation: int | None = None
    width: int | None = None
    height: int | None = None
    gps: dict[str, float | None] | None = None
    photo_id: str | None = field(default=None, repr=False)
    # rejected not for the file's content but because its worker died twice, timed out or
    # could not start ("crash", "timeout", "start"; media/pool.py): worth importing again
    failure: str | None = field(default=None, repr=False)

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("photo_id")
        d.pop("failure")
        return d


def not_editable(keys: set[str]) -> WeichaError:
    """A refusal saying what can be set on a photo, in words (never the program's keys)."""
    return WeichaError(f"照片有 {len(keys)} 项不能设置：可改的只有{'、'.join(EDITABLE_WORDS.values())}。")


def saving_reason(error: BaseException) -> str:
    """Why a photo could not be saved, in plain Chinese: a disk's reason, the service's own
    refusal, or the database (never SQLite's English words; its code goes to the log)."""
    if isinstance(error, OSError):
        return os_error_message(error)
    if isinstance(error, WeichaError):
        return str(error)
    applog.log.warning("photo import: not saved: %s", applog.describe(error))
    return "数据库写入失败，该照片未导入。请稍后重新导入；仍不行请运行“校验数据”并告知技术支持。"


def photo_log(conn, record_id: str) -> list[dict[str, Any]]:
    """The record's photos in order, ``[{id, position}]``: what its ops carry after a removal,
    a restore or a reorder (the renumbered log)."""
    return [{"id": r[0], "position": r[1]} for r in conn.execute(
        "SELECT id, position FROM photos WHERE record_id = ? AND removed_at IS NULL "
        "ORDER BY position", (record_id,))]


def set_positions(conn, record_id: str, order: list[str] | list[dict[str, Any]]) -> None:
    """Number the record's photos: ``order`` as ids (1, 2, … in that order) or as a photo log
    (``photo_log``: each id its position). Two passes, so the (record, position) order never
    collides mid-way."""
    pairs = [(p["position"], p["id"]) if isinstance(p, dict) else (i, p) for i, p in enumerate(order, 1)]
    for position, photo_id in pairs:
        conn.execute("UPDATE photos SET position = ? WHERE id = ? AND record_id = ?",
                     (-position, photo_id, record_id))
    conn.execute("UPDATE photos SET position = -position WHERE record_id = ? AND position < 0",
                 (record_id,))


def edits_text(ops: list[dict[str, Any]] | None) -> str | None:
    """A working copy's edit list as stored (``photos.edits``): JSON, keys sorted, so the row
    an op's payload gives back is the same text."""
    return None if ops is None else json.dumps(ops, ensure_ascii=False, sort_keys=True)


def expand_inputs(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files as given; folders (a camera card) walked for image files, in name order."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES
                          and not any(part.startswith(".") for part in f.relative_to(p).parts))
        else:
            out.append(p)
    return out


def _timeout(args: tuple) -> float:
    try:
        size = os.path.getsize(args[0])
    except OSError:
        size = 0
    return 30.0 + size / (2 * 1024 * 1024)  # generous: 2 MB/s on a slow laptop disk


class PhotoService:
    def __init__(self, store: Store, actor: Actor, forms: FormRegistry | None = None, *,
                 originals: Callable[[str], Path] | None = None):
        """``originals``: fetches an original this folder lacks (a read-only copy's photo) by
        its SHA-256 and returns its path (the window's: gui/sync/originals.py)."""
        self.store = store
        self.actor = actor
        self.originals = originals
        self.blobs = BlobStore(store.blobs_dir)
        self.thumbs_dir = store.data_dir / "cache" / "thumbs"
        self._forms = forms
        self._editor: duties.EditCheck | None = None

    @property
    def forms(self) -> FormRegistry | None:
        """The form registry this service was given (handed on to a worker's own service)."""
        return self._forms

    # ---- reading ---------------------------------------------------------------------------
    def list(self, record_id: str) -> list[Photo]:
        rows = self.store.conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM photos WHERE record_id = ? AND removed_at IS NULL "
            "ORDER BY position", (record_id,)).fetchall()
        return [self._photo(r) for r in rows]

    def get(self, photo_id: str) -> Photo:
        row = self.store.conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM photos WHERE id = ?", (photo_id,)).fetchone()
        if not row:
            raise NotFound("找不到这张照片（可能已被移除）：请重新打开本案的照片记录再试。")
        return self._photo(row)

    @staticmethod
    def _photo(row: tuple) -> Photo:
        values = dict(zip(_COLUMNS, row))
        values["edits"] = json.loads(values["edits"]) if values["edits"] else None
        return Photo(**values)

    def original_path(self, photo: Photo) -> Path:
        return self.blobs.path(photo.sha256)

    def original_or_fetch(self, photo: Photo) -> Path:
        """The original's path; one this folder does not hold fetched first with ``originals``
        (the sync server: network — call it from a worker thread, as the preview's loader does)."""
        path = self.original_path(photo)
        if self.originals is not None and not path.exists():
            return Path(self.originals(photo.sha256))
        return path

    def thumbnail(self, photo: Photo) -> Path:
        return thumbnail_path(self.thumbs_dir, photo.sha256, THUMB_SIZE)


    # ---- importing -------------------------------------------------------------------------
    def import_files(self, record_id: str, inputs: Iterable[str | os.PathLike], *,
                     progress: Callable[[int, int, ImportResult], None] | None = None,
                     cancelled: Callable[[], bool] = lambda: False,
                     workers: int | None = None, photo_class: str | None = None) -> list[ImportResult]:
        """Import files and folders into a draft case. Bad files are reported and skipped;
        the rest are kept. Results come back in input order, one per file (fewer only when
        cancelled). A file whose worker died twice, or that no worker could be started for,
        is ``rejected`` with the reason (media/pool.py) — never left out. ``photo_class``: the
        class new photos start with (a camera card of 细目 shots); checked before any file is
        read. A removed photo imported again keeps its own."""
        self._require_draft(record_id)
        photo_class = self._checked(record_id, {"photo_class": photo_class})["photo_class"]
        files = expand_inputs(inputs)
        results: list[ImportResult | None] = [None] * len(files)
        arrived: dict[int, dict[str, Any]] = {}
        known = {p.sha256 for p in self.list(record_id)}
        photographer = self._default_photographer(record_id)
        done = 0

        def on_result(index: int, r: dict[str, Any]) -> None:
            # workers finish out of order; photos are numbered in the order given
            nonlocal done
            arrived[index] = r
            while done in arrived:
                results[done] = self._store_one(record_id, files[done], arrived.pop(done), known,
                                                {"photographer": photographer, "photo_class": photo_class})
                done += 1
                if progress:
                    progress(done, len(files), results[done - 1])

        pool = WorkerPool(ANALYSE, workers=workers, timeout=_timeout)
        # this batch's copies only, removed when it ends (also those of files finished after
        # a cancel, or whose worker was killed); other imports go on with theirs
        with self.blobs.staging() as staging:
            tasks = [(str(f), str(self.blobs.root), str(self.thumbs_dir), str(staging)) for f in files]
            try:
                pool.run(tasks, on_result, cancelled)
            except WorkerStartError as e:  # every file without a result: said, never dropped
                for index in range(len(files)):
                    if results[index] is None and index not in arrived:
                        on_result(index, {"status": "rejected", "failure": "start",
                                          "reason": f"未处理：{e}"})
        return [r for r in results if r is not None]

    def _store_one(self, record_id: str, path: Path, r: dict[str, Any], known: set[str],
                   described: dict[str, str | None]) -> ImportResult:
        if r["status"] != "ok":
            if r.get("detail"):  # a fault of the program: said plainly, kept for support
                applog.log.warning("photo import: %s not imported: %s", path.suffix, r["detail"])
            return ImportResult(str(path), "rejected", r["reason"], failure=r.get("failure"))
        staged = Staged(r["sha256"], r["size"], Path(r["temp_path"]))
        meta = {k: r.get(k) for k in ("taken_at", "time_source", "make", "model", "orientation",
                                      "width", "height", "gps")}
        if r["sha256"] in known:
            self.blobs.discard(staged)
            return ImportResult(str(path), "duplicate", "该照片已在本案中（内容完全相同）",
                                sha256=r["sha256"], **meta)
        try:
            self.blobs.commit(staged)
            photo_id = self._restore(record_id, r["sha256"]) or \
                self._insert(record_id, path.name, r, described)
        except (OSError, WeichaError, sqlite3.Error) as e:
            self.blobs.discard(staged)
            return ImportResult(str(path), "rejected", f"保存失败：{saving_reason(e)}")
        known.add(r["sha256"])
        return ImportResult(str(path), "imported", None, sha256=r["sha256"], photo_id=photo_id, **meta)

    def _restore(self, record_id: str, sha256: str) -> str | None:
        """The same content imported again after it was removed: the old row comes back
        (one row per content and case), numbered last."""
        row = self.store.conn.execute(
            "SELECT id FROM photos WHERE record_id = ? AND sha256 = ? AND removed_at IS NOT NULL",
            (record_id, sha256)).fetchone()
        if not row:
            return None
        with self.store.change(self.actor) as ch:
            position = ch.conn.execute(
                "SELECT COALESCE(MAX(position), 0) + 1 FROM photos WHERE record_id = ? "
                "AND removed_at IS NULL", (record_id,)).fetchone()[0]
            ch.conn.execute("UPDATE photos SET removed_at = NULL, position = ? WHERE id = ?",
                            (position, row[0]))
            ch.log("photo.restore", "photo", row[0], f"重新导入已移除的照片，编为 {position} 号",
                   {"record_id": record_id, "sha256": sha256})
            ch.enqueue("photo", row[0], "photo.restore", {"id": row[0], "record_id": record_id,
                                                          "position": position,
                                                          "photos": photo_log(ch.conn, record_id)})
        return row[0]

    def _insert(self, record_id: str, name: str, r: dict[str, Any], described: dict[str, str | None]) -> str:
        """A new photo row; ``described``: its ``photographer`` and ``photo_class``."""
        photo_id = new_id()
        gps = r.get("gps") or {}
        with self.store.change(self.actor) as ch:
            position = ch.conn.execute(
                "SELECT COALESCE(MAX(position), 0) + 1 FROM photos WHERE record_id = ? "
                "AND removed_at IS NULL", (record_id,)).fetchone()[0]
            row = {
                "id": photo_id, "record_id": record_id, "position": position, "sha256": r["sha256"],
                "original_name": name, "size": r["size"], "format": r["format"],
                "width": r["width"], "height": r["height"], "orientation": r.get("orientation"),
                "taken_at": r.get("taken_at"), "time_source": r.get("time_source"),
                "make": r.get("make"), "model": r.get("model"), "gps_lat": gps.get("lat"),
                "gps_lon": gps.get("lon"), "gps_alt": gps.get("alt"),
                "photo_class": described["photo_class"], "caption": "",
                "photographer": described["photographer"], "evidence_number": None,
                "derived_from": None, "edits": None, "imported_at": ch.now,
                "imported_by": self.actor.id,
            }
            ch.insert("photos", row)
            ch.log("photo.add", "photo", photo_id, f"导入照片 {position} 号：{name}",
                   {"record_id": record_id, "sha256": r["sha256"], "size": r["size"]})
            ch.enqueue("photo", photo_id, "photo.add", row)
        return photo_id

    # ---- describing ------------------------------------------------------------------------
    def update(self, photo_id: str, **values: Any) -> Photo:
        unknown = set(values) - set(EDITABLE)
        if unknown:
            raise not_editable(unknown)
        photo = self.get(photo_id)
        self._require_draft(photo.record_id)
        values = self._checked(photo.record_id, values)
        changed = {k: v for k, v in values.items() if getattr(photo, k) != v}
        if not changed:
            return photo
        with self.store.change(self.actor) as ch:
            self._describe(ch, photo, changed, f"修改照片 {photo.position} 号：{'、'.join(changed)}")
        return self.get(photo_id)

    def describe_many(self, photo_ids: Iterable[str], *, caption_prefix: str | None = None,
                      **values: Any) -> list[Photo]:
        """Describe several photos of one record at once (several selected in the photo log):
        the same ``photo_class`` / ``photographer`` / ``evidence_number`` / ``caption`` for all,
        and ``caption_prefix`` put before each caption (not twice: a caption that already
        starts with it keeps it). ONE change: a ``photo.update`` entry and op per photo that
        changes (the op carries the photo's whole description, as ``update``'s does); nothing
        is written when none changes. The photos in the order given."""
        ids = list(dict.fromkeys(photo_ids))
        unknown = set(values) - set(EDITABLE)
        if unknown:
            raise not_editable(unknown)
        if not ids:
            raise WeichaError("没有选中照片：请先在照片记录中选择要修改的照片。")
        if caption_prefix is not None and "caption" in values:
            raise WeichaError("说明和说明前缀只能给一个。")
        photos = [self.get(i) for i in ids]
        record_id = photos[0].record_id
        if any(p.record_id != record_id for p in photos):
            raise WeichaError("一次只能修改同一勘验的照片。")
        self._require_draft(record_id)
        live = {p.id for p in self.list(record_id)}
        gone = [p.original_name for p in photos if p.id not in live]
        if gone:
            raise WeichaError(f"照片已从本案照片记录中移除，不能修改：{'、'.join(gone)}。")
        values = self._checked(record_id, values)
        prefix = (caption_prefix or "").strip()
        changes = []
        for photo in photos:
            wanted = dict(values)
            if prefix and not photo.caption.startswith(prefix):
                wanted["caption"] = prefix + photo.caption
            changed = {k: v for k, v in wanted.items() if getattr(photo, k) != v}
            if changed:
                changes.append((photo, changed))
        if changes:
            with self.store.change(self.actor) as ch:
                for photo, changed in changes:
                    self._describe(ch, photo, changed, f"修改照片 {photo.position} 号："
                                   f"{'、'.join(changed)}（一次修改 {len(changes)} 张）")
        return [self.get(i) for i in ids]

    @staticmethod
    def _describe(ch, photo: Photo, changed: dict[str, Any], summary: str) -> None:
        """One photo's description changed, in the change ``ch``: row, entry, op."""
        sets = ", ".join(f"{k} = ?" for k in changed)
        ch.conn.execute(f"UPDATE photos SET {sets} WHERE id = ?", [*changed.values(), photo.id])
        ch.log("photo.update", "photo", photo.id, summary, {"changes": changed})
        # the description as it now is, whole (not only what changed)
        ch.enqueue("photo", photo.id, "photo.update", {
            "id": photo.id, "record_id": photo.record_id,
            **{k: changed.get(k, getattr(photo, k)) for k in EDITABLE}})

    def _checked(self, record_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """Descriptions as the photo log accepts them: a known class, an issued H number."""
        values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
        if "caption" in values and values["caption"] is None:
            values["caption"] = ""
        for key in ("photo_class", "photographer", "evidence_number"):
            if values.get(key) == "":
                values[key] = None
        cls = values.get("photo_class")
        if cls is not None and cls not in self.photo_classes():
            raise WeichaError(f"照片分类“{cls}”不在分类表中，请从这些分类中选一个："
                              f"{'、'.join(self.photo_classes())}。")
        number = values.get("evidence_number")
        if number is not None and number not in self._evidence_numbers(record_id):
            raise WeichaError(f"本案没有编号为 {number} 的痕迹物证，不能关联：请填本案物证登记中"
                              "已有的编号（新登记的物证保存后才有编号）。")
        return values

    def photo_classes(self) -> tuple[str, ...]:
        """The photo classes of the forms this service was given (forms/choices/
        photo_classes.yaml), not a copy read once for the whole process."""
        return tuple(c.value for c in self.class_choices())

    def class_choices(self) -> tuple[Choice, ...]:
        """The same classes as options: the value a photo holds, its code and its words (zh,
        en) — what a view names a photo's class by."""
        return self._registry().choices("photo_classes")

    def _registry(self) -> FormRegistry:
        """The forms given; without (tools, benchmarks) the shipped ones, read for this
        service when first needed — never a registry kept for the whole process."""
        if self._forms is None:
            from weicha_desktop.resources import forms_dir

            self._forms = FormRegistry(forms_dir())
        return self._forms

    def _record_data(self, record_id: str) -> dict[str, Any]:
        """The data of the record's current version."""
        row = self.store.conn.execute(
            "SELECT v.data FROM records r JOIN record_versions v ON v.record_id = r.id "
            "AND v.version = r.current_version WHERE r.id = ?", (record_id,)).fetchone()
        return json.loads(row[0]) if row else {}

    def _evidence_numbers(self, record_id: str) -> set[str]:
        rows = self._record_data(record_id).get("evidence") or []
        return {r.get("number") for r in rows if isinstance(r, dict) and r.get("number")}

    def reorder(self, record_id: str, photo_ids: list[str]) -> list[Photo]:
        """Renumber the case's photos in the given order (drag to reorder)."""
        self._require_draft(record_id)
        current = [p.id for p in self.list(record_id)]
        if sorted(current) != sorted(photo_ids):
            raise WeichaError("照片记录刚有变动（导入或移除了照片），未调整顺序：请重新打开照片记录后再排序。")
        if current == photo_ids:
            return self.list(record_id)
        with self.store.change(self.actor) as ch:
            set_positions(ch.conn, record_id, photo_ids)
            kind = self._kind(record_id)
            ch.log("photo.reorder", kind, record_id, "调整照片顺序", {"order": photo_ids})
            ch.enqueue(kind, record_id, "photo.reorder", {"record_id": record_id,
                                                         "photos": photo_log(ch.conn, record_id)})
        return self.list(record_id)

    def remove(self, photo_id: str, reason: str) -> list[Photo]:
        """Take a photo out of a draft case's log (a wrong or doubled shot). The original stays
        in the store and the row stays in the database, marked removed; the rest renumber."""
        reason = (reason or "").strip()
        if not reason:
            raise WeichaError("移除照片须写明原因。")
        photo = self.get(photo_id)
        self._require_draft(photo.record_id)
        rest = [p.id for p in self.list(photo.record_id) if p.id != photo_id]
        with self.store.change(self.actor) as ch:
            ch.conn.execute("UPDATE photos SET removed_at = ? WHERE id = ?", (ch.now, photo_id))
            set_positions(ch.conn, photo.record_id, rest)
            ch.log("photo.remove", "photo", photo_id,
                   f"移除照片 {photo.position} 号（{photo.original_name}）：{reason}",
                   {"record_id": photo.record_id, "sha256": photo.sha256, "reason": reason})
            ch.enqueue("photo", photo_id, "photo.remove", {
                "id": photo_id, "record_id": photo.record_id, "reason": reason, "removed_at": ch.now,
                "photos": photo_log(ch.conn, photo.record_id)})  # renumbered
        return self.list(photo.record_id)

    def derive(self, photo_id: str, ops: list[dict[str, Any]]) -> Photo:
        """A working copy (rotate / crop / annotate) as a new photo linked to its source; the
        original stays untouched. The edit list is kept with the copy and logged."""
        from weicha_desktop.core.media.analyse import render_upright
        from weicha_desktop.core.media.edits import render_edit

        src = self.get(photo_id)
        self._require_draft(src.record_id)
        image = render_edit(self.original_path(src), src.orientation, ops,
                            upright_already=src.format == "HEIF" or src.derived_from is not None)
        with self.blobs.staging() as staging:
            tmp = staging / "edit.jpg"
            image.save(tmp, "JPEG", quality=92)
            staged = self.blobs.stage(tmp, into=staging)
            same = self.store.conn.execute(
                "SELECT id, position, removed_at FROM photos WHERE record_id = ? AND sha256 = ?",
                (src.record_id, staged.sha256)).fetchone()
            if same and same[2] is None:
                raise WeichaError(f"相同的工作副本已经存在：第 {same[1]} 号照片。")
            self.blobs.commit(staged)
        if same:  # the same copy was made before and removed: bring it back
            return self.get(self._restore(src.record_id, staged.sha256))
        thumb = self.thumbnail(Photo(**{**asdict(src), "sha256": staged.sha256}))
        thumb.parent.mkdir(parents=True, exist_ok=True)
        render_upright(self.blobs.path(staged.sha256), None, THUMB_SIZE).save(thumb, "JPEG", quality=85)
        new = new_id()
        with self.store.change(self.actor) as ch:
            position = ch.conn.execute(
                "SELECT COALESCE(MAX(position), 0) + 1 FROM photos WHERE record_id = ? "
                "AND removed_at IS NULL", (src.record_id,)).fetchone()[0]
            row = {**{k: getattr(src, k) for k in _COLUMNS if k != "edits"},
                   "id": new, "position": position, "sha256": staged.sha256,
                   "original_name": f"{Path(src.original_name).stem}-编辑.jpg", "size": staged.size,
                   "format": "JPEG", "width": image.width, "height": image.height,
                   "orientation": None, "derived_from": src.id,
                   "edits": edits_text(ops), "imported_at": ch.now,
                   "imported_by": self.actor.id}
            ch.insert("photos", row)
            ch.log("photo.edit", "photo", new,
                   f"由 {src.position} 号照片生成工作副本 {position} 号（{'、'.join(o['op'] for o in ops)}）",
                   {"source": src.id, "record_id": src.record_id, "sha256": staged.sha256, "ops": ops})
            ch.enqueue("photo", new, "photo.add", {**row, "edits": ops})
        return self.get(new)

    # ---- helpers ---------------------------------------------------------------------------
    def _kind(self, record_id: str) -> str:
        return self.store.conn.execute("SELECT kind FROM records WHERE id = ?", (record_id,)).fetchone()[0]

    def _require_draft(self, record_id: str) -> None:
        row = self.store.conn.execute("SELECT number, status, kind FROM records WHERE id = ?",
                                      (record_id,)).fetchone()
        if not row:
            raise NotFound("找不到该勘验（可能已被删除）：请回到勘验列表重新打开。")
        if row[1] != "draft":
            raise InvalidState(f"勘验 {row[0]} 已定稿，照片不能再改动；如需更正请先“补正”。")
        if self._editor is None:
            self._editor = duties.EditCheck(self.store, self._registry(), self.actor)
        refusal = self._editor.refusal(record_id, row[0])
        if refusal:  # only the case's investigators or a supervisor (core/duties.py)
            raise duties.refuse(self.store, self.actor, row[2], record_id,
                                f"改动勘验 {row[0]} 的照片", refusal)

    def _default_photographer(self, record_id: str) -> str | None:
        return self._record_data(record_id).get("photographer") or self.actor.display_name or self.actor.name
