"""YAML reading that keeps line numbers, so form errors can say ``file:line``.

Files are parsed by libyaml (``yaml.CSafeLoader``, about 7× faster than PyYAML's pure-Python
parser: most of a start's form loading) when PyYAML has it; a file it cannot read is parsed
again by the pure-Python loader, so a syntax error is reported with that loader's message and
line, as it always was. Both build the same :class:`LineDict` mappings."""
from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml


class LineDict(dict):
    """A YAML mapping that knows its 1-based start line, each key's line and repeated keys."""

    def __init__(self, line: int):
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}
        self.duplicates: list[tuple[Any, int]] = []

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings are :class:`LineDict`."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode):
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


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

if getattr(yaml, "__with_libyaml__", False):
    class _FastLineLoader(yaml.CSafeLoader):
        """libyaml's parser, the same line-keeping mappings."""

    _FastLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                    _construct_mapping)
    _LOADERS: tuple[type, ...] = (_FastLineLoader, _LineLoader)
else:  # pragma: no cover - PyYAML built without libyaml
    _LOADERS = (_LineLoader,)


class YamlError(Exception):
    """A file that is not readable YAML; ``line`` is 1-based."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; raise :class:`YamlError` with the line of the fault."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlError(1, f"无法读取文件：{exc}") from exc
    return parse_yaml(text)


def parse_yaml(text: str, loaders: tuple[type, ...] = _LOADERS) -> Any:
    """Parse YAML text with the first of ``loaders`` that can; an error is the last one's."""
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
