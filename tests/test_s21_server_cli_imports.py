"""The server's command line (``weicha-server init``, ``bundle import``, ``devices`` …) does not
import the web stack (FastAPI, Starlette, pydantic, uvicorn) before a command that serves:
that import was ~0.25 s of every admin command's ~0.55 s CPU. Checked on the source: the
modules ``weicha_server.cli`` reaches through module-level imports (``if TYPE_CHECKING``
blocks and imports inside functions are not run at import)."""
from __future__ import annotations

import ast
from pathlib import Path

import weicha_server

SERVER = Path(weicha_server.__file__).parent
WEB = {"fastapi", "starlette", "pydantic", "uvicorn"}


def module_level_imports(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)  # ``from weicha_server import x``
        elif isinstance(node, ast.If):
            test = node.test
            if not (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"):
                todo += node.body + node.orelse
        elif isinstance(node, ast.Try):
            todo += node.body + node.orelse + node.finalbody + [s for h in node.handlers for s in h.body]
    return found


def reached(start: str) -> dict[str, set[str]]:
    """Each weicha_server module imported when ``start`` is, with what it imports at module level."""
    seen: dict[str, set[str]] = {}
    todo = [start]
    while todo:
        name = todo.pop()
        path = SERVER / (name.split(".", 1)[1].replace(".", "/") + ".py")
        if name in seen or not path.is_file():
            continue
        seen[name] = module_level_imports(ast.parse(path.read_text(encoding="utf-8")))
        todo += [m for m in seen[name] if m.startswith("weicha_server.")]
    return seen


def test_the_command_line_imports_no_web_framework():
    modules = {**reached("weicha_server.cli"), **reached("weicha_server.bundle_cli"),  # (USB bundles: imported
               **reached("weicha_server.bundles")}  # by the parser's build and the import command)
    assert {"weicha_server.cli", "weicha_server.errors", "weicha_server.auth", "weicha_server.db"} <= set(modules)
    web = {m: sorted(i for i in imports if i.split(".")[0] in WEB) for m, imports in modules.items()}
    assert {m: i for m, i in web.items() if i} == {}
    # (the scan sees what the server's app imports: it is not reached from the command line)
    assert any(i.split(".")[0] == "fastapi" for i in reached("weicha_server.app")["weicha_server.app"])
