"""verify asks SQLite for the schema once per run: which tables there are, and each table's
columns, are read once inside its one read transaction (the schema cannot change in it), not
once per check that needs them (~20 of a run's ~80 statements)."""
from __future__ import annotations

import re
from collections import Counter

from tests.support import PASSWORD, forms, new_store
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import verify
from weicha_desktop.core.verify.log import has_table, table_columns


def test_verify_reads_the_tables_and_each_tables_columns_once(tmp_path):
    store = new_store(tmp_path / "data")
    try:
        actor = UserService(store).authenticate("admin", PASSWORD)
        CaseService(store, forms(), actor).new_case()
        statements = []
        store.conn.set_trace_callback(statements.append)
        try:
            report = verify(store)
        finally:
            store.conn.set_trace_callback(None)
        assert report.ok, report.faults
        schema = Counter("tables" if "FROM sqlite_master WHERE type = 'table'" in s else m.group(1)
                         for s in statements
                         for m in [re.search(r"PRAGMA table_info\((\w+)\)", s)]
                         if m or "FROM sqlite_master WHERE type = 'table'" in s)
        assert schema["tables"] == 1 and schema["photos"] == 1 and schema["record_versions"] == 1, schema
        assert max(schema.values()) == 1, schema
        # outside a verify run the helpers ask each time (the schema may have changed)
        statements.clear()
        store.conn.set_trace_callback(statements.append)
        assert has_table(store.conn, "photos") and has_table(store.conn, "photos")
        assert table_columns(store.conn, "photos") == table_columns(store.conn, "photos") != []
        store.conn.set_trace_callback(None)
        assert len(statements) == 4
    finally:
        store.close()
