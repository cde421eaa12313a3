"""New form versions pulled from the sync server, in a window that stays open: after a commit
that pulled (``sync.pull``), the window's form registry reads what the store now holds from the
server (core/sync/reference.refresh_forms), so a new record takes the pulled version without a
restart. The registry is changed in place and the records already open keep the version (and
the FormSpec) they were opened with: an open draft is not touched."""
from __future__ import annotations

import logging
from typing import Any

from weicha_desktop.core.forms import FormError
from weicha_desktop.core.store import Store
from weicha_desktop.core.store.events import ChangeSummary
from weicha_desktop.core.sync.reference import refresh_forms
from weicha_desktop.gui.common.store_events import StoreEvents

log = logging.getLogger("weicha.gui.sync")


def follow_pulled_forms(events: StoreEvents, store: Store, forms: Any) -> None:
    """Keep ``forms`` (the window's registry) up to the server's form versions ``store``
    holds, after every pull that ``events`` reports."""

    def changed(summary: ChangeSummary) -> None:
        if "sync.pull" not in summary.actions:
            return
        try:
            if refresh_forms(store, forms):
                log.info("form registry refreshed after a pull from the sync server")
        except FormError as e:  # the pull checked they load: keep what the window has
            log.warning("pulled form versions do not load here, the window keeps its forms: %s", e)

    events.changed.connect(changed)
