"""Enrollment without a network (docs/server.md, "Bundles"; docs/bundles.md, "enroll-request"
and "enrollment"): ``weicha-server enroll-import REQ.wcq -o ENROLL.wce``.

The laptop writes an enrollment request (kind ``enroll-request``, signed by the very device
key it registers, which its manifest carries). The server:

1. peeks the manifest for the key, then opens the file with it (``open_container``: the
   signature over the whole file, the expiry) and compares the verified manifest, and
   ``request.json``, with what it peeked;
2. shows the administrator the device's name, id, unit and key fingerprint, and asks (or
   ``--yes``);
3. registers the device exactly as ``POST /v1/enroll`` would — through a one-time code made
   for it and used at once (auth.py: the same checks, a revoked or already enrolled device
   refused, the number block, the audit entries; ``--reenroll`` as ``enroll-code
   --reenroll``). The token that makes is never shown: the laptop syncs by USB (enrolling
   over the network later takes a re-enrollment code);
4. answers with an enrollment file (kind ``enrollment``, signed by the server's key, to the
   device): ``enrollment.json`` — device id, server id, unit, the server's bundle keys, the
   enroll answer's numbers — and the reference tables of the unit (refexport.py: users,
   forms, code tables, watch lists), written beside its target before the commit and renamed
   into place after it;
5. one ``device.enroll_offline`` entry in the audit chain with both files' bundle ids."""
from __future__ import annotations

import base64
import binascii
import json
import re
import sys
from pathlib import Path
from typing import Any, Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from sqlalchemy.engine import Engine

from weicha_desktop.core.bundle.container import (BundleError, Entry, fingerprint, open_container, peek_manifest,
                                                  write_container)
from weicha_desktop.core.canonical import canonical_json
from weicha_desktop.core.clock import Clock
from weicha_desktop.core.errors import WeichaError
from weicha_server import audit, auth
from weicha_server.config import ServerConfig
from weicha_server.db import meta, read
from weicha_server.errors import ApiError
from weicha_server.bundles import pending_beside
from weicha_server.keys import ServerKeys
from weicha_server.refexport import reference_entries

ENROLL_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z._:-]{0,63}$"  # a device id, as POST /v1/enroll takes it


class Request(dict):
    """A verified enrollment request: device_id, device_name, public_key, bundle_public (the
    laptop's X25519 key: the enrollment file is encrypted to it), unit_code, issued, bundle_id."""

    @property
    def fingerprint(self) -> str:
        return fingerprint(base64.b64decode(self["public_key"]))


def read_request(src: Path, server_id: str, staging: Path, clock: Clock) -> Request:
    """The request at ``src``, verified (BundleError / WeichaError in Chinese otherwise)."""
    header, peeked = peek_manifest(src)
    if header.kind != "enroll-request":
        raise WeichaError(f"{src.name} 不是登记申请（.wcq）：请选择笔记本上 weicha enroll --request 写出的文件。")
    if header.recipient not in (("server", "*"), ("server", server_id)):
        raise BundleError("wrong_recipient", f"这份登记申请是给另一台服务器（{header.recipient[1]}）的，未登记。")
    device_id, key = peeked.get("device_id"), _key(peeked.get("public_key"))
    if header.sender != ("device", device_id) or not isinstance(device_id, str):
        raise BundleError("manifest_mismatch", "登记申请的清单与文件头中的设备不同，未登记。请在笔记本上重新生成申请。")
    with open_container(src, sender_key=lambda h: key if h.sender == ("device", device_id) else None,
                        decrypt_with=None, clock=clock, staging_dir=staging) as opened:
        try:
            body = json.loads(opened.entry_path("request.json").read_bytes())
        except (KeyError, ValueError, UnicodeDecodeError, RecursionError):
            body = None
        manifest = opened.manifest
    fields = ("device_id", "device_name", "public_key", "bundle_public", "unit_code")
    if manifest != peeked or not isinstance(body, dict) or any(body.get(f) != manifest.get(f) for f in fields):
        raise BundleError("manifest_mismatch", "登记申请的内容前后不一致，未登记。请在笔记本上重新生成申请。")
    name = manifest.get("device_name")
    if not re.match(ENROLL_PATTERN, device_id) or not isinstance(name, str) or not name.isprintable() \
            or len(name) > 200 or not (manifest.get("unit_code") is None or (
                isinstance(manifest["unit_code"], str) and len(manifest["unit_code"]) <= 32
                and manifest["unit_code"].isprintable())):
        raise BundleError("manifest_mismatch", "登记申请中的设备编号、名称或单位代码无效，未登记。")
    try:
        auth.check_bundle_key(manifest.get("bundle_public"))
    except ApiError:
        raise BundleError("manifest_mismatch", "登记申请中没有有效的数据包公钥（可能由较早版本的程序写出），未登记："
                                               "登记文件要加密给它。请在笔记本上升级程序后重新写出登记申请。") from None
    return Request(device_id=device_id, device_name=name, public_key=manifest["public_key"],
                   bundle_public=manifest["bundle_public"],
                   unit_code=manifest.get("unit_code"), issued=body.get("issued"), bundle_id=header.bundle_id)


def _key(text: Any) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(text, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (TypeError, ValueError, binascii.Error):
        raise BundleError("manifest_mismatch", "登记申请中的设备公钥无效，未登记。请在笔记本上重新生成申请。") from None


def enroll(cfg: ServerConfig, engine: Engine, keys: ServerKeys, src: Path, dst: Path, *, unit: str | None,
           reenroll: bool, confirm: Callable[[Request], bool], actor: str, clock: Clock | None = None) -> dict[str, Any] | None:
    """Register the device of the request at ``src`` and write its enrollment file to ``dst``;
    None when the administrator said no."""
    clock = clock or Clock()
    with read(engine) as conn:
        server_id = meta(conn, "server_id")
    try:
        req = read_request(Path(src), server_id, cfg.data_dir / "bundles" / "staging", clock)
    except WeichaError as e:
        _log_refusal(engine, actor, src, getattr(e, "code", "not_a_request"), str(e))
        raise
    if not confirm(req):
        return None
    try:
        return _register(cfg, engine, keys, req, Path(dst), unit, reenroll, actor, clock, server_id)
    except ApiError as e:
        _log_refusal(engine, actor, src, e.error, e.message, req["bundle_id"], req["device_id"])
        raise WeichaError(f"{e.message}（离线登记未完成）") from None


def _enroll(conn, code: str, req: Request, unit: str | None, slots: int) -> auth.Enrolled:
    return auth.enroll_device(conn, code=code, device_id=req["device_id"], device_name=req["device_name"],
                              public_key=req["public_key"], unit_code=unit or req["unit_code"], issued=req["issued"],
                              slots=slots, bundle_public=req["bundle_public"])


def _log_refusal(engine: Engine, actor: str, src: Path, code: str, message: str, bundle_id: str | None = None,
                 device_id: str | None = None) -> None:
    with engine.begin() as conn:
        audit.append(conn, actor, "bundle.refused", {"kind": "enroll-request", "bundle_id": bundle_id,
                                                     "device_id": device_id, "file": Path(src).name,
                                                     "code": code, "message": message})


def _register(cfg: ServerConfig, engine: Engine, keys: ServerKeys, req: Request, dst: Path, unit: str | None,
              reenroll: bool, actor: str, clock: Clock, server_id: str) -> dict[str, Any]:
    pending = pending_beside(dst)
    try:
        with engine.begin() as conn:
            code, _ = auth.make_code(conn, req["device_name"], unit, 1.0, actor=actor,
                                     **({"reenroll": req["device_id"]} if reenroll else {}))
            done = _enroll(conn, code, req, unit, cfg.number_slots)
            version, entries, counts = reference_entries(conn, done.unit or None)
            answer = {"device_id": req["device_id"], "server_id": server_id, "unit_code": done.unit,
                      "bundle_keys": keys.public(), **done.answer}
            header = write_container(
                pending, kind="enrollment", sender=("server", server_id), recipient=("device", req["device_id"]),
                signer=keys.signing, clock=clock, expires_at=None,
                encrypt_to=X25519PublicKey.from_public_bytes(base64.b64decode(req["bundle_public"])),
                entries=[Entry.of_bytes("enrollment.json", canonical_json(answer)), *entries],
                manifest_extra={"server_id": server_id, "device_id": req["device_id"], "request_id": req["bundle_id"],
                                "device_public_key": req["public_key"], "version": version, **keys.public()})
            audit.append(conn, actor, "device.enroll_offline", {
                "bundle_id": header.bundle_id, "request_id": req["bundle_id"], "device_id": req["device_id"],
                "device_name": req["device_name"], "unit_code": done.unit, "key_fingerprint": req.fingerprint,
                "reenrolled": bool(done.answer.get("reenrolled"))})
        pending.replace(dst)
    finally:
        pending.unlink(missing_ok=True)
    return {"device_id": req["device_id"], "unit_code": done.unit, "bundle_id": header.bundle_id, "rows": counts,
            "answer": answer}


def cli_enroll(cli, args) -> int:
    from weicha_server.users import check_unit

    unit = check_unit(args.unit) if args.unit else None
    cfg = cli._config(args)
    engine = cli._engine(args, cfg)
    keys = ServerKeys.load(cfg.data_dir)

    def confirm(req: Request) -> bool:
        print(f"登记申请：设备“{req['device_name']}”（编号 {req['device_id']}，单位 {unit or req['unit_code'] or '—'}）")
        print(f"设备密钥指纹：{req.fingerprint}")
        print("请与笔记本上显示的指纹逐字核对。")
        if args.yes:
            return True
        if not sys.stdin.isatty():
            raise WeichaError("请核对上面的设备名称与密钥指纹，然后加 --yes 再运行一次。")
        return input("确认登记这台设备？[y/N] ").strip().lower() in ("y", "yes", "是")

    try:
        done = enroll(cfg, engine, keys, args.file, args.output, unit=unit, reenroll=args.reenroll,
                      confirm=confirm, actor=cli.ADMIN)
    finally:
        engine.dispose()
    if done is None:
        print("未登记。")
        return 1
    print(f"已登记设备 {done['device_id']}（单位 {done['unit_code'] or '—'}），登记文件：{args.output}")
    fp = keys.fingerprints()
    print(f"本服务器的签名公钥指纹：{fp['signing']}（笔记本导入登记文件时会显示，请核对）")
    return 0
