"""YAML reading that keeps line numbers, so form errors can say ``file:line``.

Files are parsed by libyaml (``yaml.CSafeLoader``, about 7× faster than PyYAML's pure-Python
parser: most of a start's form loading) when PyYAML has it; a file it cannot read is parsed
again by the pure-Python loader, so a syntax error is reported with that loader's message and
line, as it always was. Both build the same :class:`LineDict` mappings.

What a file parsed to is kept beside it, as Python keeps compiled modules beside their source:
``__parsed__/<name>.json``, with the SHA-256 of the file's bytes, used only while the file
still has those bytes. It is written where the YAML's folder can be written (a source tree, a
per-user install) and nowhere else, so it is never easier to change than the YAML itself: a
write-protected install parses its YAML at every start, unless its build wrote the files. A
start that reads them imports no PyYAML (~8 ms) and parses nothing (~5 ms for the current
forms and the choice lists: benchmarks/bench_startup.py)."""
from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Hashable
from pathlib import Path
from typing import Any

PARSED_DIR = "__parsed__"
PARSED_FORMAT = 1  # raise when what a file parses to changes (LineDict, the loaders)


class LineDict(dict):
    """A YAML mapping that knows its 1-based start line, each key's line and repeated keys."""

    def __init__(self, line: int):
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}
        self.duplicates: list[tuple[Any, int]] = []

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


_loaders_made: dict[str, Any] = {}


def _loaders() -> dict[str, Any]:
    """PyYAML's loaders building LineDicts, made (and PyYAML imported) at the first parse."""
    if _loaders_made:
        return _loaders_made
    import yaml

    def construct_mapping(loader: Any, node: Any):
        data = LineDict(node.start_mark.line + 1)
        yield data
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                raise yaml.constructor.ConstructorError(
                    None, None, "键不能是列表或映射", key_node.start_mark)
            line = key_node.start_mark.line + 1
            if key in data:
                data.duplicates.append((key, line))
            data[key] = loader.construct_object(value_node, deep=True)
            data.key_lines[key] = line

    class _LineLoader(yaml.SafeLoader):
        """SafeLoader whose mappings are :class:`LineDict`."""

    _LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    made: dict[str, Any] = {"_LineLoader": _LineLoader}
    if getattr(yaml, "__with_libyaml__", False):
        class _FastLineLoader(yaml.CSafeLoader):
            """libyaml's parser, the same line-keeping mappings."""

        _FastLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                        construct_mapping)
        made["_FastLineLoader"] = _FastLineLoader
        made["_LOADERS"] = (_FastLineLoader, _LineLoader)
    else:  # pragma: no cover - PyYAML built without libyaml
        made["_LOADERS"] = (_LineLoader,)
    _loaders_made.update(made)
    return _loaders_made


def __getattr__(name: str) -> Any:  # _LOADERS, _LineLoader, _FastLineLoader (PEP 562)
    if name in ("_LOADERS", "_LineLoader", "_FastLineLoader") and name in _loaders():
        return _loaders()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class YamlError(Exception):
    """A file that is not readable YAML; ``line`` is 1-based."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def read_yaml(path: Path) -> Any:
    """Parse one YAML file (or take what it parsed to before: see the module's doc); raise
    :class:`YamlError` with the line of the fault."""
    path = Path(path)
    try:
        data = path.read_bytes()
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlError(1, f"无法读取文件：{exc}") from exc
    digest = hashlib.sha256(data).hexdigest()
    kept = parsed_path(path)
    try:
        with open(kept, encoding="utf-8") as f:
            found = json.load(f, object_hook=_decode)
        if found.get("format") == PARSED_FORMAT and found.get("sha256") == digest:
            return found["tree"]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        pass  # none yet, or not one this program wrote: parse the file
    tree = parse_yaml(text)
    _keep(kept, digest, tree)
    return tree


def parsed_path(path: Path) -> Path:
    """Where what ``path`` parsed to is kept."""
    return path.parent / PARSED_DIR / f"{path.name}.json"


def parse_yaml(text: str, loaders: tuple[type, ...] | None = None) -> Any:
    """Parse YAML text with the first of ``loaders`` that can; an error is the last one's."""
    import yaml

    loaders = loaders or _loaders()["_LOADERS"]
    for loader in loaders[:-1]:
        try:
            return yaml.load(text, Loader=loader)  # noqa: S506 — a SafeLoader subclass
        except yaml.YAMLError:
            pass  # the pure-Python loader says what is wrong, in its own words
    try:
        return yaml.load(text, Loader=loaders[-1])  # noqa: S506 — a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(line, f"YAML 语法错误：{exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise YamlError(1, f"YAML 语法错误：{exc}") from exc


# ---- what a file parsed to, kept as JSON ----------------------------------------------------
# A mapping is {"@": line, "kv": [[key, key line, value], ...], "dup": [[key, line], ...]}:
# keys keep their type (a YAML key may be a number), every JSON object is a mapping.
def _encode(value: Any) -> Any:
    if isinstance(value, LineDict):
        return {"@": value.line, "kv": [[k, value.key_lines.get(k), _encode(v)] for k, v in value.items()],
                "dup": [list(d) for d in value.duplicates]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode(obj: dict) -> Any:
    if "@" not in obj:
        return obj  # the envelope: format, sha256, tree
    data = LineDict(obj["@"])
    for key, line, value in obj["kv"]:
        data[key] = value
        if line is not None:
            data.key_lines[key] = line
    data.duplicates = [(key, line) for key, line in obj["dup"]]
    return data


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same types, mappings with the same lines (what JSON gives back)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, LineDict):
        return (list(a), a.line, a.key_lines, a.duplicates) == (list(b), b.line, b.key_lines, b.duplicates) \
            and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _keep(kept: Path, digest: str, tree: Any) -> None:
    """Write what a file parsed to beside it, if its folder can be written and JSON gives the
    same back (a date or a NaN cannot: that file is parsed each time)."""
    try:
        text = json.dumps({"format": PARSED_FORMAT, "sha256": digest, "tree": _encode(tree)},
                          ensure_ascii=False, allow_nan=False)
        if not _same(json.loads(text, object_hook=_decode)["tree"], tree):
            return
        kept.parent.mkdir(exist_ok=True)
        temporary = kept.with_name(f"{kept.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        try:
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, kept)
        finally:
            temporary.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError):
        pass  # a write-protected install (or a value JSON has not): parsed at every start
