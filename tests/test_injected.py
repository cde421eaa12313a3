"""Services are passed in: the core asks its clock for the time (never date.today() or
datetime.now(), outside core/clock.py), and keeps no process-wide cache of what an injected
service provides (the form registry, the store, the clock). Read from the source (ast)."""
from __future__ import annotations

import ast
from pathlib import Path

import weicha_desktop

from tests.support import ast_index, parsed

CORE = Path(weicha_desktop.__file__).parent / "core"

# Process-wide memos that are allowed, and why: none of them is what a service passed in
# provides, so no test or second data folder can see another's.
ALLOWED_CACHES = {
    # reportlab's font registry is process-wide by nature (like Qt's font database): the
    # shipped font is registered once; the glyph table and the raster font come from that file
    "reports/fonts.py": {"cjk_font", "_cmap", "_raster", "_draws"},
    "reports/styles.py": {"styles"},  # paragraph styles on that registered font
    "forms/expr.py": {"_compile"},  # a pure function's memo: expression text -> parsed tree
    "passwords.py": {"common_passwords"},  # the program's own list (resources/), no service's
    # pure memos, no service's state: the same PEM bytes give the same (immutable) key object
    # (the file itself is read at every load); a plain-http client's TLS context trusts nothing
    "keystore.py": {"_parsed_pem"},
    "sync/client.py": {"_no_tls"},
}


def _nodes(source: str | Path) -> dict[type, list[ast.AST]]:
    """The nodes of a module's source (text) or file (parsed once per test process) by type,
    each in ast.walk's order (tests/support.py)."""
    return parsed(source) if isinstance(source, Path) else ast_index(ast.parse(source))


def clock_reads(source: str | Path) -> list[str]:
    """Calls of date.today(), datetime.now(), datetime.today(), datetime.utcnow() (also as
    datetime.datetime.now() or an alias of the class)."""
    nodes = _nodes(source)
    names = {"date", "datetime"}
    for node in nodes.get(ast.ImportFrom, ()):
        if node.module == "datetime":
            names |= {a.asname for a in node.names if a.asname and a.name in ("date", "datetime")}
    found = []
    for node in nodes.get(ast.Call, ()):
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("today", "now", "utcnow"):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
            if name in names:
                found.append(f"line {node.lineno}: {name}.{node.func.attr}()")
    return found


def cached_functions(source: str | Path) -> set[str]:
    """Functions decorated with functools' lru_cache / cache (a process-wide memo)."""
    found = set()
    nodes = _nodes(source)
    for node in [*nodes.get(ast.FunctionDef, ()), *nodes.get(ast.AsyncFunctionDef, ())]:
        for deco in node.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name in ("lru_cache", "cache"):
                found.add(node.name)
    return found


def core_modules() -> dict[str, Path]:
    """The core's modules by their path in it: each file parsed once per test process."""
    return {str(p.relative_to(CORE)): p for p in sorted(CORE.rglob("*.py"))}


def test_the_scanners_find_what_they_look_for():
    assert clock_reads("from datetime import date\nx = date.today()\n") == ["line 2: date.today()"]
    assert clock_reads("import datetime\nx = datetime.datetime.now()\n") == ["line 2: datetime.now()"]
    assert clock_reads("from datetime import datetime as dt\ndt.utcnow()\n") == ["line 2: dt.utcnow()"]
    assert clock_reads("x = self.clock.now()\ny = store.clock.now().date()\n") == []
    assert cached_functions("import functools\n@functools.lru_cache(maxsize=1)\ndef f(): pass\n") == {"f"}
    assert cached_functions("from functools import cache\n@cache\ndef g(): pass\n") == {"g"}


def test_the_core_asks_its_clock_for_the_time():
    found = {name: hits for name, source in core_modules().items()
             if name != "clock.py" and (hits := clock_reads(source))}
    assert found == {}


def test_no_process_wide_cache_stands_in_for_a_service():
    found = {name: sorted(hits) for name, source in core_modules().items()
             if (hits := cached_functions(source) - ALLOWED_CACHES.get(name, set()))}
    assert found == {}
