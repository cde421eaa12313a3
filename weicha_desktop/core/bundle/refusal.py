"""A bundle this laptop refuses is an audit entry (``bundle.refused``) with its bundle id when
the header could be read, its kind, the file and the reason; and who signs what the laptop
takes from the server (its pinned key, its id)."""
from __future__ import annotations

import json
import struct
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from weicha_desktop.core.bundle.container import KIND_NAMES, MAGIC, MAX_HEADER, BundleError, Header
from weicha_desktop.core.store import Actor, Store


def claimed_id(src: Path) -> str | None:
    """The bundle id the file's header names (unverified: for the log only), or None."""
    try:
        with open(src, "rb") as f:
            if f.read(len(MAGIC)) != MAGIC:
                return None
            n = struct.unpack(">I", f.read(4))[0]
            header = json.loads(f.read(n)) if 0 < n <= MAX_HEADER else None
    except (OSError, ValueError, struct.error, UnicodeDecodeError, RecursionError):
        return None
    bid = header.get("bundle_id") if isinstance(header, dict) else None
    return bid[:64] if isinstance(bid, str) else None


@contextmanager
def refused_logged(store: Store, actor: Actor, src: Path, kind: str) -> Iterator[None]:
    """Run the block; a BundleError leaving it is logged as ``bundle.refused`` (its own change:
    whatever the block did was rolled back or never begun) and raised again."""
    try:
        yield
    except BundleError as e:
        bid = claimed_id(src)
        with store.change(actor) as ch:
            ch.log("bundle.refused", "bundle", bid, f"拒收{KIND_NAMES.get(kind, kind)} {src.name}：{e}",
                   {"kind": kind, "file": src.name, "code": e.code, "message": str(e), "bundle_id": bid})
        raise


def server_sender(keys: Any, server_id: str, what: str) -> Callable[[Header], Ed25519PublicKey | None]:
    """``sender_key`` for what the enrolled server signed: its pinned key; another server's
    file is refused saying so."""
    def key(header: Header) -> Ed25519PublicKey | None:
        if header.sender != ("server", server_id):
            raise BundleError("unknown_sender", f"这份{what}来自{'服务器 ' + header.sender[1] if header.sender[0] == 'server' else '一台设备'}，"
                                                f"不是本机登记的服务器（{server_id}），未处理。请确认选对了文件。")
        return keys.signing
    return key
