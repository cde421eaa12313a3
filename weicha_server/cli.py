"""`weicha-server` — the central server's command line (docs/server.md).

    weicha-server --data-dir D [--db URL] init
    weicha-server --data-dir D serve [--host H] [--port P] [--workers N] [--tls-cert F --tls-key F]
    weicha-server --data-dir D enroll-code --device-name NAME [--unit UNIT] [--hours H] [--reenroll ID] [--json]
    weicha-server --data-dir D devices [--json]
    weicha-server --data-dir D revoke-device ID
    weicha-server --data-dir D users import FILE.csv [--unit UNIT]
    weicha-server --data-dir D user add --unit U --badge B --name N [--display-name D] [--role R]
    weicha-server --data-dir D forms publish FILE.yaml
    weicha-server --data-dir D code-tables import FILE.yaml
    weicha-server --data-dir D watch-list import FILE.csv
    weicha-server --data-dir D stats [--json]

Exit codes: 0 done, 1 refused or failed (the reason in Chinese on stderr), 2 usage."""
from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from weicha_desktop.core.errors import WeichaError
from weicha_server import audit, auth, reference
from weicha_server import config as settings
from weicha_server import db
from weicha_server import users as server_users
from weicha_server.errors import ApiError

ADMIN = "admin-cli"  # the actor of what the command line does (the server's audit chain)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="weicha-server", description="微察中心服务器 / WeiCha central server")
    p.add_argument("--data-dir", type=Path, required=True, help="服务器的数据文件夹（数据库、照片原图、设置）")
    p.add_argument("--db", help="数据库地址：postgresql://用户:密码@主机/库名（默认：数据文件夹中的 SQLite）")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sub.add_parser("init", help="建立或升级数据库").set_defaults(func=cmd_init)
    s = sub.add_parser("serve", help="运行 HTTP 服务")
    s.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1；对外服务用 0.0.0.0）")
    s.add_argument("--port", type=int, default=8443, help="端口（默认 8443）")
    s.add_argument("--workers", type=int, default=1, help="工作进程数（默认 1）")
    s.add_argument("--tls-cert", type=Path, help="TLS 证书（PEM）")
    s.add_argument("--tls-key", type=Path, help="TLS 私钥（PEM）")
    s.set_defaults(func=cmd_serve)
    e = sub.add_parser("enroll-code", help="为一台设备生成一次性登记码")
    e.add_argument("--device-name", required=True, help="设备名称（如 刑侦大队-笔记本3）")
    e.add_argument("--unit", help="设备所属单位代码（12 位）")
    e.add_argument("--hours", type=float, help="有效小时数（默认 24）")
    e.add_argument("--reenroll", metavar="DEVICE_ID",
                   help="让这台已登记的设备重新登记（数据文件夹从备份恢复或换了电脑）：它的旧令牌随之作废")
    e.add_argument("--json", action="store_true", help="以 JSON 输出")
    e.set_defaults(func=cmd_enroll_code)
    d = sub.add_parser("devices", help="列出已登记的设备")
    d.add_argument("--json", action="store_true", help="以 JSON 输出")
    d.set_defaults(func=cmd_devices)
    r = sub.add_parser("revoke-device", help="吊销一台设备（其令牌立即失效）")
    r.add_argument("device_id", metavar="ID")
    r.set_defaults(func=cmd_revoke)
    u = sub.add_parser("users", help="用户（参考数据）")
    usub = u.add_subparsers(dest="users_command", metavar="COMMAND", required=True)
    ui = usub.add_parser("import", help="从 CSV 文件导入用户（按单位与警号新增或更新）")
    ui.add_argument("file", type=Path, metavar="FILE.csv")
    ui.add_argument("--unit", help="文件没有“单位代码”列时，用户所属的单位代码")
    ui.set_defaults(func=cmd_users_import)
    one = sub.add_parser("user", help="单个用户")
    osub = one.add_subparsers(dest="user_command", metavar="COMMAND", required=True)
    ua = osub.add_parser("add", help="添加一个用户")
    ua.add_argument("--unit", required=True, help="单位代码（12 位）")
    ua.add_argument("--badge", required=True, help="警号")
    ua.add_argument("--name", required=True, help="姓名（登录名）")
    ua.add_argument("--display-name", default="", help="显示名（默认同姓名）")
    ua.add_argument("--role", default="technician", help="角色：technician|supervisor|admin（或 勘验员|审核人|管理员）")
    ua.set_defaults(func=cmd_user_add)
    f = sub.add_parser("forms", help="表单版本（参考数据）")
    fsub = f.add_subparsers(dest="forms_command", metavar="COMMAND", required=True)
    fp = fsub.add_parser("publish", help="发布一个表单版本（先用桌面程序的表单加载器检查）")
    fp.add_argument("file", type=Path, metavar="FILE.yaml")
    fp.set_defaults(func=cmd_forms_publish)
    c = sub.add_parser("code-tables", help="代码表（选项表，参考数据）")
    csub = c.add_subparsers(dest="code_tables_command", metavar="COMMAND", required=True)
    ci = csub.add_parser("import", help="导入或更新一个代码表（forms/choices/*.yaml 的格式）")
    ci.add_argument("file", type=Path, metavar="FILE.yaml")
    ci.set_defaults(func=cmd_code_table_import)
    w = sub.add_parser("watch-list", help="核查名单（人员按身份证号，车辆按号牌）")
    wsub = w.add_subparsers(dest="watch_command", metavar="COMMAND", required=True)
    wi = wsub.add_parser("import", help="从 CSV 文件导入核查名单（新增或更新；在用=0 撤下）")
    wi.add_argument("file", type=Path, metavar="FILE.csv")
    wi.set_defaults(func=cmd_watch_import)
    st = sub.add_parser("stats", help="服务器的统计")
    st.add_argument("--json", action="store_true", help="以 JSON 输出")
    st.set_defaults(func=cmd_stats)
    from weicha_server import bundle_cli  # USB bundles: keys, bundle import/watch, reference export, enroll-import

    bundle_cli.add_commands(sub)
    return p


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """The parser, built once per process (a build is ~5-10 ms, half of it argparse's gettext
    look-ups); it has no list defaults a command could change."""
    return build_parser()


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    args = _parser().parse_args(argv)  # a fresh namespace each call
    func = getattr(sys.modules.get(args.func.__module__), args.func.__name__, args.func)  # as patched now
    try:
        return func(args)
    except WeichaError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    except sa.exc.OperationalError as e:
        print(f"错误：无法连接或使用数据库（{_first_line(e)}）：请检查 --db 地址与数据库服务。", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _first_line(e: Exception) -> str:
    text = str(getattr(e, "orig", None) or e)
    return text.strip().splitlines()[0][:200] if text.strip() else type(e).__name__


def _config(args) -> settings.ServerConfig:
    return settings.load(args.data_dir, args.db)


def _engine(args, cfg: settings.ServerConfig | None = None, *, pool_size: int = 1):
    cfg = cfg or _config(args)
    if not cfg.data_dir.is_dir():
        raise WeichaError(f"数据文件夹 {cfg.data_dir} 不存在：请先运行 init。")
    engine = db.make_engine(cfg.db_url, pool_size=pool_size)
    db.require_current(engine)
    return engine


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


# ---- commands ------------------------------------------------------------------------------
def cmd_init(args) -> int:
    data_dir = args.data_dir.expanduser().resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise WeichaError(f"无法建立数据文件夹 {data_dir}（{e.strerror or e}）。") from e
    cfg = settings.load(data_dir, args.db)
    engine = db.make_engine(cfg.db_url, pool_size=1)
    applied = db.migrate(engine)
    if args.db:
        stored = settings.read_settings(data_dir)
        settings.write_settings(data_dir, {**stored, "db_url": cfg.db_url})
    cfg.blob_dir.mkdir(exist_ok=True)
    from weicha_server.keys import ServerKeys

    ServerKeys.load(data_dir)  # the bundle keys (kept as they are once made)
    with db.read(engine) as conn:
        server_id = db.meta(conn, "server_id")
    engine.dispose()
    if applied:
        print(f"已初始化服务器数据库（结构第 {db.LATEST} 版）：{cfg.shown_db()}")
    else:
        print(f"数据库已是最新（结构第 {db.LATEST} 版），未改动：{cfg.shown_db()}")
    print(f"服务器编号：{server_id}；数据文件夹：{data_dir}")
    return 0


def cmd_serve(args) -> int:
    import uvicorn

    from weicha_server.gate import setup_logging

    cfg = _config(args)
    if (args.tls_cert is None) != (args.tls_key is None):
        print("错误：--tls-cert 与 --tls-key 须同时给出。", file=sys.stderr)
        return 2
    for path in (args.tls_cert, args.tls_key):
        if path is not None and not path.is_file():
            raise WeichaError(f"找不到 TLS 文件 {path}。")
    if args.workers < 1 or not 0 <= args.port <= 65535:
        print("错误：--workers 须至少为 1，--port 须在 0–65535 之间。", file=sys.stderr)
        return 2
    # refuse a database init has not made, before listening; one worker's app serves with this
    # engine and its connection (a PostgreSQL connection is ~10 ms of a start's CPU and the cluster's)
    engine = _engine(args, cfg, pool_size=5)
    setup_logging()
    tls = {"ssl_certfile": str(args.tls_cert), "ssl_keyfile": str(args.tls_key)} if args.tls_cert else {}
    common = dict(host=args.host, port=args.port, log_config=None, access_log=False,
                  server_header=False, timeout_graceful_shutdown=5, **tls)
    if args.workers == 1:
        from weicha_server.app import create_app

        uvicorn.run(create_app(cfg, engine), **common)
    else:  # each worker builds the app from the environment (never the password on a command line)
        engine.dispose()  # (no connection inherited by the workers uvicorn starts)
        os.environ[settings.ENV_DATA_DIR] = str(cfg.data_dir)
        os.environ[settings.ENV_DB] = cfg.db_url
        uvicorn.run("weicha_server.app:app_from_env", factory=True, workers=args.workers, **common)
    return 0


def cmd_enroll_code(args) -> int:
    cfg = _config(args)
    hours = cfg.code_hours if args.hours is None else args.hours
    if not 0 < hours <= 24 * 30:
        print("错误：--hours 须大于 0、不超过 720（30 天）。", file=sys.stderr)
        return 2
    name = args.device_name.strip()
    if not name or len(name) > 200:
        raise WeichaError("设备名称不能为空，最多 200 个字。")
    unit = server_users.check_unit(args.unit) if args.unit else None
    engine = _engine(args, cfg)
    with engine.begin() as conn:
        try:
            code, expires = auth.make_code(conn, name, unit, hours, actor=ADMIN, reenroll=args.reenroll)
        except ApiError as e:
            raise WeichaError(e.message) from None
    if args.json:
        _print_json({"code": code, "device_name": name, "unit_code": unit, "expires_at": expires})
    else:
        print(f"登记码：{code}")
        print(f"设备：{name}{f'（单位 {unit}）' if unit else ''}；有效至 {expires}（UTC），只能使用一次。")
        print("在该设备上运行：weicha enroll --server https://本服务器地址:端口 --code 登记码")
    return 0


def _device_rows(conn) -> list[dict[str, Any]]:
    cols = [c for c in db.devices.c if c.name not in ("token_hash", "public_key")]
    return [dict(r._mapping) for r in conn.execute(sa.select(*cols).order_by(db.devices.c.enrolled_at))]


def cmd_devices(args) -> int:
    with db.read(_engine(args)) as conn:
        rows = _device_rows(conn)
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print("尚无已登记的设备。用 enroll-code 生成登记码。")
    for r in rows:
        state = f"已吊销（{r['revoked_at']}）" if r["revoked_at"] else "有效"
        print(f"{r['id']}\t{r['name']}\t单位 {r['unit_code'] or '—'}\t{state}\t已收到第 {r['through_seq']} 项"
              f"\t登记于 {r['enrolled_at']}")
    return 0


def cmd_revoke(args) -> int:
    with _engine(args).begin() as conn:
        known = conn.execute(sa.select(db.devices.c.revoked_at).where(db.devices.c.id == args.device_id)).first()
        if known is None:
            raise WeichaError(f"没有编号为 {args.device_id} 的设备：用 devices 查看已登记的设备。")
        if known.revoked_at is not None:
            raise WeichaError(f"设备 {args.device_id} 已于 {known.revoked_at} 吊销。")
        auth.revoke(conn, args.device_id, actor=ADMIN)
    print(f"已吊销设备 {args.device_id}：它的令牌立即失效，不能再同步。")
    return 0


def cmd_users_import(args) -> int:
    with _engine(args).begin() as conn:
        counts = server_users.import_csv(conn, args.file, args.unit, actor=ADMIN)
    print(f"已导入 {args.file.name}：新增 {counts['added']} 人，更新 {counts['changed']} 人，"
          f"未变 {counts['unchanged']} 人。")
    return 0


def cmd_user_add(args) -> int:
    row = server_users.make_row(unit_code=args.unit, badge_no=args.badge, name=args.name,
                                display_name=args.display_name, role=args.role)
    with _engine(args).begin() as conn:
        server_users.add(conn, row, actor=ADMIN)
    print(f"已添加用户 {row.display_name}（警号 {row.badge_no}，单位 {row.unit_code}，用户编号 {row.id}）。")
    return 0


def cmd_forms_publish(args) -> int:
    with _engine(args).begin() as conn:
        done = reference.publish_form(conn, args.file, actor=ADMIN)
    what = f"表单 {done['form_id']} 第 {done['version']} 版（{done['title']}）"
    print(f"已发布{what}：各笔记本同步后用于新建的记录，已有记录保留原来的版本。" if done["changed"]
          else f"{what}已发布过，内容相同，未改动。")
    return 0


def cmd_code_table_import(args) -> int:
    with _engine(args).begin() as conn:
        done = reference.import_code_table(conn, args.file, actor=ADMIN)
    print(f"已导入代码表 {done['id']}（{done['codes']} 个代码）。" if done["changed"]
          else f"代码表 {done['id']} 内容相同，未改动。")
    return 0


def cmd_watch_import(args) -> int:
    with _engine(args).begin() as conn:
        counts = reference.import_watch_list(conn, args.file, actor=ADMIN)
    print(f"已导入 {args.file.name}：新增 {counts['added']} 条，更新 {counts['changed']} 条，"
          f"未变 {counts['unchanged']} 条。")
    return 0


def stats(conn, cfg: settings.ServerConfig) -> dict[str, Any]:
    def count(table, *where):
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()

    ops_by = dict(conn.execute(sa.select(db.ops.c.status, sa.func.count()).group_by(db.ops.c.status)).all())
    problem = audit.check(conn)
    return {
        "server_id": db.meta(conn, "server_id"), "database": cfg.shown_db(), "schema_version": db.LATEST,
        "devices": {"enrolled": count(db.devices), "revoked": count(db.devices, db.devices.c.revoked_at.isnot(None))},
        "ops": {k: ops_by.get(k, 0) for k in ("applied", "rejected", "waiting")},
        "records": count(db.records), "reviews": count(db.reviews),
        "blobs": {"count": count(db.blobs),
                  "bytes": int(conn.execute(sa.select(sa.func.coalesce(sa.func.sum(db.blobs.c.size), 0))).scalar_one()),
                  "uploads_in_progress": count(db.uploads)},
        "users": count(db.users),
        "reference": {"form_versions": count(db.form_versions), "code_tables": count(db.code_tables),
                      "watch_lists": count(db.watch_lists, db.watch_lists.c.active.is_(True))},
        "audit": {"entries": count(db.server_audit), "intact": problem is None, "problem": problem},
        "bundles": bundle_stats(conn, count),
    }


def bundle_stats(conn, count) -> dict[str, Any]:
    """USB bundles (weicha_server/bundles.py): the ops bundles imported, the devices that
    sent them, the last one's time, and the bundle files refused (the audit chain keeps each)."""
    b = db.bundle_imports.c
    devices, last = conn.execute(sa.select(sa.func.count(sa.distinct(b.device_id)), sa.func.max(b.imported_at))).one()
    return {"imported": count(db.bundle_imports), "devices": devices, "last_imported_at": last,
            "refused": count(db.server_audit, db.server_audit.c.action == "bundle.refused")}


def cmd_stats(args) -> int:
    cfg = _config(args)
    with db.read(_engine(args, cfg)) as conn:
        out = stats(conn, cfg)
    if args.json:
        _print_json(out)
        return 0
    print(f"服务器 {out['server_id']}（{out['database']}，结构第 {out['schema_version']} 版）")
    print(f"设备：已登记 {out['devices']['enrolled']} 台，其中已吊销 {out['devices']['revoked']} 台")
    o = out["ops"]
    print(f"同步操作：已应用 {o['applied']} 项，拒收 {o['rejected']} 项，等待照片 {o['waiting']} 项")
    print(f"记录 {out['records']} 条，审核决定 {out['reviews']} 条，用户 {out['users']} 人")
    b = out["blobs"]
    print(f"照片原图 {b['count']} 个（{b['bytes'] / 1048576:.1f} MB），上传中 {b['uploads_in_progress']} 个")
    u = out["bundles"]
    print(f"U 盘数据包：已导入 {u['imported']} 个（{u['devices']} 台设备），拒收 {u['refused']} 个"
          + (f"，最近一次导入于 {u['last_imported_at']}" if u["last_imported_at"] else ""))
    a = out["audit"]
    print(f"服务器审计日志 {a['entries']} 条：{'完整' if a['intact'] else a['problem']}")
    return 0
