"""The layout that shows the modules (issue 9): `weicha_desktop/cli/` is one module per command
group over the public helpers of context.py, and `weicha_desktop/gui/` one package per module
of the program; the frame (shell/) imports the modules, they import common/, never the frame,
and common/ imports none of them. Read from the source (ast), so nothing needs Qt."""
from __future__ import annotations

import ast
from pathlib import Path

import weicha_desktop

from tests.support import ast_index, parsed

PACKAGE = Path(weicha_desktop.__file__).resolve().parent
CLI = PACKAGE / "cli"
GUI = PACKAGE / "gui"


def _nodes(source: str | Path) -> dict[type, list[ast.AST]]:
    """The nodes of a module's source (text) or file (parsed once per test process) by type,
    each in ast.walk's order (tests/support.py)."""
    return parsed(source) if isinstance(source, Path) else ast_index(ast.parse(source))


def private_imports(source: str | Path, package: str = "weicha_desktop.cli") -> list[str]:
    """Private names (``_name``) that ``source`` takes from ``package`` or its modules: by
    ``from … import _name`` or as ``module._name`` of a module imported from it."""
    nodes = _nodes(source)
    found, modules = [], set()
    for node in nodes.get(ast.ImportFrom, ()):
        if (node.module or "").startswith(package):
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{node.module}.{alias.name}")
                else:
                    modules.add(alias.asname or alias.name)
    for node in nodes.get(ast.Import, ()):
        modules.update(a.asname or a.name for a in node.names if a.name.startswith(package))
    for node in nodes.get(ast.Attribute, ()):
        if node.attr.startswith("_") and ast.unparse(node.value) in modules:
            found.append(f"{ast.unparse(node.value)}.{node.attr}")
    return found


def gui_imports(source: str | Path) -> set[str]:
    """The packages of weicha_desktop.gui that ``source`` imports from (``shell``, ``common``…)."""
    found = set()
    nodes = _nodes(source)
    for node in [*nodes.get(ast.ImportFrom, ()), *nodes.get(ast.Import, ())]:
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[:2] == ["weicha_desktop", "gui"] and len(parts) > 2:
                found.add(parts[2])
    return found


def test_the_command_modules_take_no_private_helper_of_each_other():
    modules = sorted(CLI.glob("*.py"))
    assert {p.stem for p in modules} >= {"__init__", "context", "users", "cases", "photos", "backup"}
    offenders = {p.name: found for p in modules
                 if (found := private_imports(p))}
    assert offenders == {}, "a helper two command modules share belongs, public, in cli/context.py"


def test_private_imports_are_found():
    # what cli_photos.py did before cli/ was a package
    assert private_imports("def f():\n    from weicha_desktop.cli import _cases, _open\n") == [
        "weicha_desktop.cli._cases", "weicha_desktop.cli._open"]
    assert private_imports("from weicha_desktop.cli import context\ncontext._login(a, s)\n") == [
        "context._login"]
    assert private_imports("import weicha_desktop.cli.context\nweicha_desktop.cli.context._x\n") == [
        "weicha_desktop.cli.context._x"]
    assert private_imports("from weicha_desktop.cli.context import login\nlogin(a, s)._user\n") == []
    assert private_imports("from weicha_desktop.core.store import _x\n") == []


def test_the_gui_packages_depend_inwards_only():
    packages = sorted(p.name for p in GUI.iterdir() if (p / "__init__.py").exists())
    assert {"shell", "common", "cases", "forms", "photos", "evidence", "reports"} <= set(packages)
    assert [p.name for p in GUI.glob("*.py")] == ["__init__.py"]  # every module in a package
    wrong = []
    imports = {path: gui_imports(path) for package in packages for path in sorted((GUI / package).rglob("*.py"))}
    for package in packages:
        for path in sorted((GUI / package).rglob("*.py")):
            used = imports[path] - {package}
            if package != "shell" and "shell" in used:
                wrong.append(f"{package}/{path.name} imports the frame (shell/)")
            if package == "common" and used:
                wrong.append(f"common/{path.name} imports {sorted(used)}")
    assert wrong == []


def test_gui_imports_are_found():
    assert gui_imports("from weicha_desktop.gui.shell.app import make_app\n") == {"shell"}
    assert gui_imports("def f():\n    from weicha_desktop.gui.common import i18n\n") == {"common"}
    assert gui_imports("import weicha_desktop.gui.photos.log\nfrom weicha_desktop.core import x\n") == {
        "photos"}
