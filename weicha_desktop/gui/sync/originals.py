"""Photo originals on demand from the sync server (docs/sync-protocol.md, "Review across
laptops"). A supervisor's laptop holds the unit's records as read-only copies whose photos came
as thumbnails; the original stays on the server until someone opens the photo's preview. The
window gives its PhotoService this fetcher (``PhotoService(originals=…)``); the preview calls it
on its loader's thread, never the GUI thread: ``GET /v1/blobs/{sha}``, SHA-256 checked, kept in
blobs/ like every original (core/sync/review.fetch_original). A laptop that is not enrolled, or
a server that cannot be reached, says so in the preview (the error's Chinese message)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from weicha_desktop.core.store import Store


def original_fetcher(store: Store) -> Callable[[str], Path]:
    """A function ``sha256 → path`` that fetches an original this folder lacks from the server
    the laptop is enrolled with. It reads nothing from the database (the device id is read
    here, once): safe on a worker thread."""
    device_id, anchor = store.meta("device_id"), store.anchor

    def fetch(sha: str) -> Path:
        from weicha_desktop.core.checkpoint import Anchor
        from weicha_desktop.core.sync.enrollment import SyncConfig
        from weicha_desktop.core.sync.review import fetch_original

        where: Any = anchor or Anchor.default()
        config = SyncConfig(where.config_dir, device_id, keyring=where.keyring_backend())
        with config.client() as client:
            return Path(fetch_original(store, client, sha))

    return fetch
