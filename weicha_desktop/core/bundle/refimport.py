"""``weicha reference import FILE``: a reference bundle (.wcref) from the enrolled server —
code tables, form versions, users, watch lists — verified with the server's pinned key and
applied through core/sync/reference.py ``apply_rows`` in ONE change (all tables or none).

The bundle's ``version`` (the server's change counter when it was written) is kept per server
(meta ``reference_version:<server id>``): an older one is refused, the same one again changes
nothing and says so. ``apply_tables`` is shared with the offline enrollment file, which
carries the same tables."""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weicha_desktop.core.bundle.container import BundleError, open_container
from weicha_desktop.core.bundle.laptop_key import required_key
from weicha_desktop.core.bundle.keys import pinned
from weicha_desktop.core.bundle.refusal import refused_logged, server_sender
from weicha_desktop.core.store import Actor, Change, Store
from weicha_desktop.core.sync.envelope import is_count
from weicha_desktop.core.sync.pull import NAMES, REFERENCE
from weicha_desktop.core.sync.reference import PullRefused, apply_rows

VERSION_KEY = "reference_version:"


@dataclass
class ReferenceResult:
    bundle_id: str
    version: int
    applied: dict[str, int] = field(default_factory=dict)  # table → rows that changed something
    rows: dict[str, int] = field(default_factory=dict)
    same: bool = False  # this version was imported before: nothing done

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def held_version(store: Store, server_id: str) -> int:
    value = store.meta(VERSION_KEY + server_id)
    return int(value) if value and value.isdigit() else 0


def read_tables(opened: Any) -> dict[str, list[dict[str, Any]]]:
    """The reference tables an opened bundle carries (``<table>.json``: a list of rows)."""
    paths = {e["path"] for e in opened.manifest["entries"]}
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in REFERENCE:
        if f"{table}.json" not in paths:
            continue
        try:
            rows = json.loads(opened.entry_path(f"{table}.json").read_bytes())
        except (ValueError, UnicodeDecodeError, RecursionError):
            rows = None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise BundleError("manifest_mismatch", f"数据包中的{NAMES[table]}不是有效的列表，未导入任何内容。请让管理员重新导出。")
        tables[table] = rows
    return tables


def apply_tables(ch: Change, tables: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Every table, in the pull's order, inside ``ch``; a refused row refuses them all
    (BundleError ``manifest_mismatch``: the change rolls back)."""
    applied = {}
    for table in REFERENCE:
        if table in tables:
            try:
                applied[table] = apply_rows(ch, table, tables[table])
            except PullRefused as e:
                raise BundleError("manifest_mismatch", f"{e}（整个数据包未导入）") from None
            except (KeyError, TypeError, ValueError, AttributeError):
                raise BundleError("manifest_mismatch", f"数据包中的{NAMES[table]}有缺少字段或格式不对的条目，"
                                                       "整个数据包未导入。请让管理员重新导出，或升级桌面程序。") from None
    return applied


def import_reference(store: Store, actor: Actor, src: str | Path, *, config: Any) -> ReferenceResult:
    src = Path(src)
    with refused_logged(store, actor, src, "reference"):
        enrollment, keys = pinned(config)
        server_id = enrollment.server_id
        with tempfile.TemporaryDirectory(prefix="weicha-reference-") as staging:
            with open_container(src, sender_key=server_sender(keys, server_id, "基础数据包"),
                                decrypt_with=required_key(store, "基础数据包"),
                                clock=store.clock, staging_dir=Path(staging)) as opened:
                h, m = opened.header, opened.manifest
                if h.kind != "reference":
                    raise BundleError("bad_header", f"{src.name} 不是基础数据包（.wcref）。请选择服务器“导出基础数据”得到的文件。")
                if h.recipient not in (("device", "*"), ("device", store.meta("device_id"))):
                    raise BundleError("wrong_recipient", f"这份基础数据包是发给设备 {h.recipient[1]} 的，不是本机的，未导入。")
                version = m.get("version")
                if not is_count(version) or m.get("server_id") != server_id:
                    raise BundleError("manifest_mismatch", "基础数据包的清单缺少版本或服务器编号与本机登记的不符，未导入。")
                unit = m.get("unit_code")
                if unit is not None and unit != store.meta("unit_code"):
                    raise BundleError("wrong_recipient", f"这份基础数据包属于单位 {unit}，不是本机的单位，未导入。")
                result = ReferenceResult(h.bundle_id, version)
                held = held_version(store, server_id)
                if version < held:
                    raise BundleError("older", f"这份基础数据包是第 {version} 版，比本机已有的第 {held} 版旧，未导入。"
                                                 "请让管理员导出最新的基础数据包。")
                if version == held:
                    result.same = True
                    return result
                tables = read_tables(opened)
                with store.change(actor) as ch:
                    result.applied = apply_tables(ch, tables)
                    result.rows = {t: len(rows) for t, rows in tables.items()}
                    ch.set_meta(VERSION_KEY + server_id, str(version))
                    got = "，".join(f"{NAMES[t]} {n} 条" for t, n in result.rows.items()) or "无内容"
                    ch.log("reference.import", "bundle", h.bundle_id,
                           f"导入基础数据包 {src.name}（第 {version} 版）：{got}",
                           {"version": version, "previous": held, "server_id": server_id, "rows": result.rows,
                            "changed": result.applied, "file": src.name})
    return result
