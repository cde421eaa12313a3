"""Local store: SQLite through sqlite-utils, migrations, the one write path, the audit chain."""
from weicha_desktop.core.store.audit import AuditEntry, ChainFault, verify_chain
from weicha_desktop.core.store.migrations import LATEST as SCHEMA_VERSION
from weicha_desktop.core.store.store import DB_NAME, SYSTEM, Actor, Change, Store

__all__ = ["Actor", "AuditEntry", "Change", "ChainFault", "DB_NAME", "SCHEMA_VERSION", "SYSTEM",
           "Store", "verify_chain"]
