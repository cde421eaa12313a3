"""`weicha enroll` (this laptop to a sync server, with an administrator's one-time code) and
`weicha sync` (originals and ops up, the audit head anchored: core/sync/push.py)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from weicha_desktop.cli.context import login, open_store, print_json
from weicha_desktop.core.errors import PermissionDenied

MB = 1024 * 1024


def register(sub) -> None:
    s = sub.add_parser("enroll", help="把本机登记到同步服务器（管理员；用服务器给的一次性登记码，或离线用登记文件）")
    s.add_argument("--server", help="服务器地址，如 https://sync.example:8443")
    s.add_argument("--code", help="一次性登记码（weicha-server enroll-code）")
    s.add_argument("--request", action="store_true", help="离线登记：写出登记申请（与 -o 一起），交服务器管理员办理")
    s.add_argument("-o", "--output", type=Path, metavar="REQ.wcq", help="--request：登记申请文件")
    s.add_argument("--file", type=Path, metavar="ENROLL.wce", help="离线登记：导入服务器管理员给回的登记文件")
    s.add_argument("--cert", type=Path, help="管理员给的服务器证书文件（PEM）；不给则信任首次连接时的证书并显示其指纹")
    s.add_argument("--fingerprint", help="联网登记：服务器证书的 SHA-256 指纹；离线登记（--file，必填）：服务器数据包"
                                         "签名公钥的指纹（weicha-server keys 所示）。不符则不登记")
    s.add_argument("--name", help="本机在服务器上的名称（默认：计算机名）")
    s.set_defaults(func=cmd_enroll)

    s = sub.add_parser("sync", help="与同步服务器同步：上传照片原图、同步操作与工作日志头")
    s.add_argument("--once", action="store_true", help="只同步一轮：服务器连不上时立即失败，不等待重试")
    s.add_argument("--json", action="store_true", help="以 JSON 输出同步结果")
    s.add_argument("--wait", type=float, default=600.0,
                   help="不带 --once 时：网络或服务器暂时出错后，最多等待重试多少秒（默认 600）")
    s.set_defaults(func=cmd_sync)


def cmd_enroll(args) -> int:
    from weicha_desktop.core.sync.enrollment import enroll

    offline = args.request or args.file is not None
    if offline and (args.server or args.code or (args.request and (args.file or not args.output))):
        print("用法：weicha enroll --server 地址 --code 登记码 | --request -o 申请.wcq | --file 登记文件.wce",
              file=sys.stderr)
        return 2
    if args.file is not None and not (args.fingerprint or "").strip():
        print("离线登记须同时给出服务器签名公钥的指纹：weicha enroll --file 登记文件.wce --fingerprint 指纹。"
              "指纹请当面或电话向服务器管理员索取（weicha-server keys 显示的“签名”指纹），"
              "不要用登记文件或 U 盘里的任何内容代替。", file=sys.stderr)
        return 2
    if offline:
        from weicha_desktop.cli.bundle import cmd_enroll_offline

        return cmd_enroll_offline(args)
    if not args.server or not args.code:
        print("请给出 --server 与 --code（或离线登记：--request -o 申请.wcq / --file 登记文件.wce）。", file=sys.stderr)
        return 2

    with open_store(args) as store:
        admin = login(args, store)
        if admin.role != "admin":
            raise PermissionDenied("只有管理员可以把本机登记到同步服务器。")
        done = enroll(store, args.server, args.code, args.cert, actor=admin,
                      expect_fingerprint=args.fingerprint, device_name=args.name)
    e = done.enrollment
    print(f"已登记：本机（设备 {e.device_id}）登记到同步服务器 {e.server_url}（服务器编号 {e.server_id}）。")
    if done.fingerprint:
        how = "首次连接时服务器出示、已固定" if done.trusted_on_first_use else "按给出的证书文件固定"
        print(f"服务器证书指纹（SHA-256，{how}）：{done.fingerprint}")
        if done.trusted_on_first_use:
            print("请与服务器管理员核对这个指纹；不一致时请立即联系管理员吊销本机。")
    else:
        print("注意：与本机上的服务器以 http 连接（未加密），只应用于测试。")
    return 0


def cmd_sync(args) -> int:
    from weicha_desktop.core.sync.backoff import Backoff
    from weicha_desktop.core.sync.enrollment import SyncConfig
    from weicha_desktop.core.sync.push import sync_once

    with open_store(args) as store:
        store.require_initialized()
        config = SyncConfig.of(store)
        backoff = Backoff()
        deadline = time.monotonic() + max(0.0, args.wait)
        while True:
            with config.client() as client:
                result = sync_once(store, client, config=config)
            error = result.error
            retry = error is not None and getattr(error, "retry", False)
            if args.once or not retry or time.monotonic() + backoff.failure() >= deadline:
                break
            print(f"{error}（{backoff.delay():.0f} 秒后重试）", file=sys.stderr)
            time.sleep(backoff.delay())
        pulled = _pull(store, config) if result.ok else None  # what comes down (core/sync/pull.py)
        if result.ok:
            _bundle_keys(config)
        if args.json:
            print_json({**result.to_json(), **({"pull": pulled.to_json()} if pulled else {})})
        else:
            _print(result)
            if pulled:
                _print_pull(pulled)
        if not result.ok or (pulled and pulled.error):
            print(f"错误：{result.error or pulled.error}", file=sys.stderr)
            return 1
    return 0


def _bundle_keys(config) -> None:
    """The server's USB bundle keys, asked once when this laptop has none (core/bundle/keys.py)."""
    from weicha_desktop.core.bundle.keys import fetch_if_missing
    from weicha_desktop.core.errors import WeichaError

    try:
        with config.client() as client:
            fetch_if_missing(config, client)
    except WeichaError as e:
        print(f"注意：未能取得服务器的数据包公钥（{e}）：U 盘数据包暂不能使用，下次同步再试。", file=sys.stderr)


def _pull(store, config):
    from weicha_desktop.core.sync.pull import pull_all

    with config.client() as client:
        return pull_all(store, client, server_id=config.require().server_id)


def _print_pull(p) -> None:
    from weicha_desktop.core.sync.pull import NAMES

    got = "，".join(f"{NAMES[t]} {n} 条" for t, n in p.applied.items() if n)
    print(f"从服务器获取：{got or '参考数据无变化'}；本单位记录副本 {p.copies} 项，审核决定 {p.decisions} 项。")
    for number in p.returned:
        print(f"  退回补正：{number}（已打开新的草稿版本）")
    for line in p.conflicts + p.problems:
        print(f"注意：{line}", file=sys.stderr)


def _print(r) -> None:
    print(f"同步操作：发送 {r.ops_sent} 项，服务器确认 {r.acknowledged} 项，拒收 {len(r.rejected)} 项"
          f"（{r.batches} 批）。")
    print(f"照片原图：上传 {r.photos_uploaded} 张，{r.photo_bytes / MB:.1f} MB"
          + (f"（{len(r.resumed)} 张从断点继续）" if r.resumed else "") + "。")
    if r.resent:
        print(f"服务器的同步进度退回（可能从较早的备份恢复）：已重新发送本机已确认过的 {r.resent} 项同步操作。")
    if r.anchored:
        print(f"工作日志：服务器已锚定到第 {r.anchored['seq']} 条。")
    for no in r.rejected:
        print(f"  拒收 第 {no['device_seq']} 项（{no['op']}）：{no['message']}")
    for w in r.waiting:
        print(f"  等待照片原图：操作 {w.get('op_id')} 缺 {len(w.get('missing_blobs') or [])} 张原图")
    for line in r.problems:
        print(f"注意：{line}", file=sys.stderr)
