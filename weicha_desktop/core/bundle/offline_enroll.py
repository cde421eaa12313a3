"""Offline enrollment (docs/bundles.md): a laptop that never sees the network.

    write_request(store, actor, dst)   ``weicha enroll --request -o REQ.wcq``: this device's id,
                                       name, unit and Ed25519 public key (the checkpoint key,
                                       made now if there is none), signed by that key
    apply_enrollment(store, actor, src, expected_fingerprint=FP)
                                       ``weicha enroll --file ENROLL.wce --fingerprint FP``: the
                                       server's signed answer — the server key it carries must
                                       have the fingerprint the administrator read out
                                       (``weicha-server keys``) BEFORE anything is trusted (the
                                       request on the stick is not secret: anyone who finds it
                                       can sign an answer with keys of their own); verified
                                       with that key, addressed to this device and
                                       to THIS device key; the server's id and bundle keys kept
                                       beside the enrollment, the number block, the unit's
                                       users and forms applied in one change (``sync.enroll``)

A laptop enrolled with this server before (over the network) keeps its URL and token: the
file adds the bundle keys (pinned: other keys are refused). One enrolled with another server
is refused."""
from __future__ import annotations

import json
import socket
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from weicha_desktop.core.bundle.container import (BundleError, Entry, fingerprint, open_container, peek_manifest,
                                                  write_container)
from weicha_desktop.core.bundle.keys import KEYS_FIELD, ServerBundleKeys, public_b64
from weicha_desktop.core.bundle.laptop_key import bundle_public_b64, required_key
from weicha_desktop.core.bundle.refimport import VERSION_KEY, apply_tables, held_version, read_tables
from weicha_desktop.core.bundle.refusal import refused_logged
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.safe_output import check_output
from weicha_desktop.core.store import Actor, Store

EXPIRES = timedelta(days=30)
ANY_SERVER = ("server", "*")
TAKEN_KEY = "offline_enrollment:"  # meta + server id: {bundle_id, created_at} of the last enrollment file applied


@dataclass
class Requested:
    path: Path
    bundle_id: str
    device_id: str
    device_name: str
    fingerprint: str  # of the device key, for the administrator to compare


@dataclass
class OfflineEnrolled:
    bundle_id: str
    server_id: str
    unit_code: str | None
    fingerprint: str  # of the server's signing key
    tables: dict[str, int]
    kept_network: bool  # an enrollment over the network with this server was there: kept


def _device_key(store: Store):
    from weicha_desktop.core.checkpoint import Anchor, CheckpointError

    try:
        return (store.anchor or Anchor.default()).private_key(create=True)
    except CheckpointError as e:
        raise WeichaError(f"本机的设备密钥无法使用（{e}），不能登记。") from None


def write_request(store: Store, actor: Actor, dst: str | Path, *, device_name: str | None = None) -> Requested:
    store.require_initialized()
    target = check_output(dst, data_dir=store.data_dir)
    key = _device_key(store)
    device_id = store.meta("device_id")
    name = (device_name or socket.gethostname()).strip()[:200] or "笔记本"
    request = {"device_id": device_id, "device_name": name, "public_key": public_b64(key),
               "bundle_public": bundle_public_b64(store),  # the enrollment file comes back encrypted to it
               "unit_code": store.meta("unit_code"), "issued": _issued(store)}
    header = write_container(
        target, kind="enroll-request", sender=("device", device_id), recipient=ANY_SERVER, signer=key,
        encrypt_to=None, manifest_extra={k: request[k] for k in ("device_id", "device_name", "public_key",
                                                                  "bundle_public", "unit_code")},
        entries=[Entry.of_bytes("request.json", json.dumps(request, ensure_ascii=False, sort_keys=True).encode())],
        expires_at=store.clock.now() + EXPIRES, clock=store.clock)
    fp = fingerprint(key.public_key())
    with store.change(actor) as ch:
        ch.log("bundle.export", "bundle", header.bundle_id, f"写出离线登记申请 {target.name}（本机名称 {name}）",
               {"kind": "enroll-request", "file": target.name, "device_name": name, "fingerprint": fp})
    return Requested(target, header.bundle_id, device_id, name, fp)


def _issued(store: Store) -> Any:
    from weicha_desktop.core import numbering

    runs = getattr(numbering, "issued_runs", None)  # the number blocks (issue 13's work) when present
    return runs(store.conn) if runs is not None else []


def same_fingerprint(given: str, actual: str) -> bool:
    """``given`` (as a person typed it: any case, with or without ``:``/spaces/``-``) names
    ``actual`` (``AB:CD:…``): the 64 hex digits must all be there and equal."""
    digits = "".join(c for c in str(given or "") if c not in ": -\t\n").upper()
    return len(digits) == 64 and digits == actual.replace(":", "").upper()


def apply_enrollment(store: Store, actor: Actor, src: str | Path, *, config: Any,
                     expected_fingerprint: str) -> OfflineEnrolled:
    src = Path(src)
    store.require_initialized()
    with refused_logged(store, actor, src, "enrollment"):
        mine = required_key(store, "登记文件")
        header, peeked = peek_manifest(src, decrypt_with=mine)  # encrypted to this laptop's bundle key
        if header.kind != "enrollment":
            raise BundleError("bad_header", f"{src.name} 不是登记文件（.wce）。请选择服务器管理员导入登记申请后给出的文件。")
        try:
            keys = ServerBundleKeys.parse(peeked)
        except WeichaError:
            raise BundleError("manifest_mismatch", "登记文件中服务器的公钥无效，未登记。请让管理员重新办理。") from None
        if not same_fingerprint(expected_fingerprint, fingerprint(keys.signing)):
            raise BundleError("fingerprint_mismatch",
                              "登记文件中服务器的签名公钥与给出的指纹不符，未登记（什么也没有改）：可能是伪造的文件，"
                              "或指纹抄错了。请向服务器管理员核对指纹（weicha-server keys 显示的“签名”指纹，"
                              "64 位十六进制）后重试。")
        server_id = peeked.get("server_id")
        device_id = store.meta("device_id")
        with tempfile.TemporaryDirectory(prefix="weicha-enroll-") as staging:
            with open_container(src, sender_key=lambda h: keys.signing if h.sender == ("server", server_id) else None,
                                decrypt_with=mine, clock=store.clock, staging_dir=Path(staging),
                                recipient=("device", device_id)) as opened:
                body = _checked(opened, keys, server_id, device_id, public_b64(_device_key(store)))
                tables = read_tables(opened)
        had = config.load()
        if had is not None and had.server_id != server_id:
            raise BundleError("unknown_sender", f"本机已登记到另一台服务器（{had.server_id}），这份登记文件来自 {server_id}，"
                                                "未登记。如确需改登记，请先由管理员处理原登记。")
        if had is not None and had.extra.get(KEYS_FIELD) not in (None, keys.as_dict()):
            raise BundleError("bad_signature", "登记文件中服务器的公钥与本机已固定的不同，未登记：可能是伪造的文件，"
                                               "或服务器更换了密钥。请联系管理员核对指纹（weicha-server keys）。")
        before = _taken(store, had, server_id)
        if before.get("bundle_id") == header.bundle_id or header.created_at < str(before.get("created_at") or ""):
            raise BundleError("older", f"这份登记文件{'已经导入过' if before.get('bundle_id') == header.bundle_id else '比本机已导入的登记文件旧'}"
                                       "，未再导入（否则会退回较早的编号段）。无需处理；如需重新登记，请重新写出登记申请。")
        fp = fingerprint(keys.signing)
        details = {"offline": True, "server_id": server_id, "bundle_id": header.bundle_id,
                   "request_id": opened.manifest.get("request_id"), "signing_fingerprint": fp,
                   "file": src.name, "reenrolled": bool(body.get("reenrolled"))}
        version = opened.manifest.get("version")
        with store.change(actor) as ch:
            _numbers(ch, body, device_id, details)
            details["tables"] = apply_tables(ch, tables)
            if isinstance(version, int) and not isinstance(version, bool) and version > held_version(store, server_id):
                ch.set_meta(VERSION_KEY + server_id, str(version))  # the reference data it carried: as a .wcref's
            ch.set_meta(TAKEN_KEY + server_id, json.dumps({"bundle_id": header.bundle_id,
                                                           "created_at": header.created_at}))
            ch.log("sync.enroll", "device", device_id, f"本机离线登记到同步服务器 {server_id}（登记文件 {src.name}）",
                   details)
    _keep(config, had, body, keys, server_id, device_id, store.clock.iso(), header)
    return OfflineEnrolled(header.bundle_id, server_id, body.get("unit_code"), fp, details["tables"], had is not None)


def _checked(opened: Any, keys: ServerBundleKeys, server_id: Any, device_id: str, my_key: str) -> dict[str, Any]:
    m = opened.manifest
    if ServerBundleKeys.parse(m) != keys or m.get("server_id") != server_id or not isinstance(server_id, str):
        raise BundleError("manifest_mismatch", "登记文件的清单前后不一致，未登记。请让管理员重新办理。")
    if m.get("device_id") != device_id:
        raise BundleError("wrong_recipient", f"这份登记文件是给设备 {m.get('device_id')} 的，不是本机的，未登记。")
    if m.get("device_public_key") != my_key:
        raise BundleError("wrong_recipient", "这份登记文件登记的设备密钥不是本机现在的密钥（可能对应本机较早的申请，"
                                             "或另一台电脑），未登记。请重新写出登记申请交管理员办理。")
    try:
        body = json.loads(opened.entry_path("enrollment.json").read_bytes())
    except (KeyError, ValueError, UnicodeDecodeError, RecursionError):
        body = None
    if not isinstance(body, dict) or body.get("device_id") != device_id or body.get("server_id") != server_id \
            or ServerBundleKeys.parse(body.get(KEYS_FIELD) or {}) != keys:
        raise BundleError("manifest_mismatch", "登记文件的内容与其清单不符，未登记。请让管理员重新办理。")
    return body


def _numbers(ch: Any, body: dict[str, Any], device_id: str, details: dict[str, Any]) -> None:
    """The number block and, for a re-enrollment, the server's mark — as the network enroll
    takes them (core/sync/enrollment.py), when this version has them."""
    from weicha_desktop.core import numbering
    from weicha_desktop.core.sync import enrollment

    adopt, catch_up = getattr(numbering, "adopt_block", None), getattr(enrollment, "catch_up", None)
    if isinstance(body.get("numbers"), dict) and adopt is not None:
        plan = adopt(ch, body["numbers"])
        details["numbers"] = {"slot": plan.slot, "slots": plan.slots}
    if body.get("reenrolled") and catch_up is not None:
        details["server_through"] = catch_up(ch, device_id, body.get("through_seq"))


def _taken(store: Store, had: Any, server_id: str) -> dict[str, Any]:
    """The last enrollment file applied from ``server_id``: the data folder's record (it
    outlives the enrollment's file, which a network re-enrollment rewrites), else the one kept
    beside the enrollment (files applied before the folder kept its own)."""
    try:
        kept = json.loads(store.meta(TAKEN_KEY + server_id) or "{}")
    except ValueError:
        kept = {}
    beside = (had.extra.get("offline_enrollment") or {}) if had is not None else {}
    both = [x for x in (kept, beside) if isinstance(x, dict) and x.get("created_at")]
    return max(both, key=lambda x: str(x["created_at"]), default={})


def _keep(config: Any, had: Any, body: dict[str, Any], keys: ServerBundleKeys, server_id: str, device_id: str,
          now: str, header: Any) -> None:
    from dataclasses import replace

    from weicha_desktop.core.sync.enrollment import Enrollment

    extra = {KEYS_FIELD: keys.as_dict(),
             "offline_enrollment": {"bundle_id": header.bundle_id, "created_at": header.created_at, "at": now}}
    if had is not None:
        config.save(replace(had, extra={**had.extra, **extra}))
        return
    config.save(Enrollment(server_url="", server_id=server_id, device_id=device_id, unit_code=body.get("unit_code"),
                           cert_pem=None, fingerprint=None, enrolled_at=now, extra=extra))
