"""Reference data down by USB (docs/server.md, "Bundles"; docs/bundles.md, "reference"):
``weicha-server reference export --device ID -o FILE.wcref [--unit UNIT]``.

A reference bundle (kind ``reference``, signed by the server's key, recipient ``("device",
ID)``, ENCRYPTED to that laptop's X25519 bundle key — it names the unit's staff and the watch
lists' ID numbers: a lost stick must not; a device whose key the server lacks, unknown or
revoked is refused: the key comes with its enrollment or its next ops bundle) holds
the tables a laptop pulls: ``code_tables.json``, ``forms.json``, ``users.json``,
``watch_lists.json``, each a JSON list of rows exactly as ``GET /v1/pull/{table}`` pages give
them (pull.py: one code path for both ways down), and in the manifest ``version`` — the
server's ``change_seq`` when it was read — by which a laptop refuses one older than what it
holds. The rows are read in one snapshot (REPEATABLE READ on PostgreSQL; a SQLite read
transaction is one), so the version covers exactly them. Users: of ``--unit`` (default: all).
Each export is a ``reference.export`` entry of the server's audit chain with the bundle id."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from weicha_desktop.core.bundle.container import Entry, write_container
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.canonical import canonical_json
from weicha_desktop.core.clock import Clock
from weicha_server import audit, pull
from weicha_server.auth import Device
from weicha_server.db import counters, devices, is_sqlite, meta, read
from weicha_server.keys import ServerKeys

TABLES = ("code_tables", "forms", "users", "watch_lists")  # the order a laptop applies them (forms need the tables)


def reference_entries(conn: Connection, unit_code: str | None) -> tuple[int, list[Entry], dict[str, int]]:
    """``(version, entries, rows per table)`` of the reference tables as ``conn`` sees them."""
    version = conn.execute(sa.select(counters.c.value).where(counters.c.name == "change_seq")).scalar() or 0
    reader = Device(id="", name="", unit_code=unit_code or "", through_seq=0, anchored_seq=None, anchored_hash=None)
    entries, counts = [], {}
    for table in TABLES:
        rows: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = pull.pull(conn, reader, table, cursor)
            rows += page["rows"]
            cursor = page["cursor"]
            if page["complete"]:
                break
        entries.append(Entry.of_bytes(f"{table}.json", canonical_json(rows)))
        counts[table] = len(rows)
    return version, entries, counts


def snapshot(engine: Engine) -> Connection:
    """A read connection whose reads all see one snapshot (see the module's doc)."""
    conn = read(engine)
    return conn if is_sqlite(conn) else conn.execution_options(isolation_level="REPEATABLE READ")


def device_key(conn: Connection, device_id: str) -> X25519PublicKey:
    """The bundle key of ``device_id`` (WeichaError in Chinese: unknown, revoked, or none yet)."""
    import base64

    row = conn.execute(sa.select(devices.c.bundle_public, devices.c.revoked_at, devices.c.name)
                       .where(devices.c.id == device_id)).first()
    if row is None:
        raise WeichaError(f"没有登记编号为 {device_id} 的设备：请用 weicha-server devices 查看设备编号。")
    if row.revoked_at is not None:
        raise WeichaError(f"设备 {row.name}（{device_id}）已被吊销，不为它导出参考数据。")
    if not row.bundle_public:
        raise WeichaError(f"本服务器还没有设备 {row.name}（{device_id}）的数据包公钥，无法为它加密参考数据：该笔记本"
                          "在本版本之前登记。请让它先导出并交来一个数据包（weicha bundle export，数据包会带上它的公钥），"
                          "导入后再导出参考数据。")
    return X25519PublicKey.from_public_bytes(base64.b64decode(row.bundle_public))


def export(engine: Engine, keys: ServerKeys, dst: Path, unit_code: str | None, *, device_id: str, actor: str,
           clock: Clock | None = None) -> dict[str, Any]:
    """Write the reference bundle for ``device_id`` (encrypted to its bundle key) to ``dst``;
    what it holds (``bundle_id``, ``version``, counts)."""
    with snapshot(engine) as conn:
        server_id = meta(conn, "server_id")
        to = device_key(conn, device_id)
        version, entries, counts = reference_entries(conn, unit_code)
    header = write_container(Path(dst), kind="reference", sender=("server", server_id), recipient=("device", device_id),
                             signer=keys.signing, encrypt_to=to,
                             manifest_extra={"server_id": server_id, "unit_code": unit_code, "version": version},
                             entries=entries, expires_at=None, clock=clock or Clock())
    done = {"bundle_id": header.bundle_id, "version": version, "unit_code": unit_code, "rows": counts,
            "device_id": device_id}
    try:
        with engine.begin() as conn:
            audit.append(conn, actor, "reference.export", {**done, "file": Path(dst).name})
    except BaseException:
        Path(dst).unlink(missing_ok=True)  # not in the audit chain: not handed out
        raise
    return done


def cli_export(cli, args) -> int:
    from weicha_server.users import check_unit

    unit = check_unit(args.unit) if args.unit else None
    cfg = cli._config(args)
    engine = cli._engine(args, cfg)
    try:
        done = export(engine, ServerKeys.load(cfg.data_dir), args.output, unit, device_id=args.device, actor=cli.ADMIN)
    finally:
        engine.dispose()
    r = done["rows"]
    print(f"已导出参考数据包 {args.output}（版本 {done['version']}，加密给设备 {args.device}）：用户 {r['users']} 人"
          f"{f'（单位 {unit}）' if unit else ''}，表单版本 {r['forms']} 个，代码表 {r['code_tables']} 个，"
          f"核查名单 {r['watch_lists']} 条。")
    print("在笔记本上运行：weicha reference import 该文件（较旧的版本会被拒绝）。")
    return 0
