"""The CSV files an administrator imports (users, watch lists): read as UTF-8 (a BOM allowed),
the header's columns named in Chinese or English, every error a Chinese sentence naming the
file and line. Each importer checks its rows itself and refuses the whole file on any problem
(``refusal``)."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from weicha_desktop.core.errors import WeichaError

ACTIVE_WORDS = {"1": True, "0": False, "是": True, "否": False, "true": True, "false": False, "": True}


def read_text(path: Path, limit: int | None = None) -> str:
    """The file's text; refused when unreadable, not UTF-8 or longer than ``limit`` bytes."""
    try:
        with open(path, "rb") as f:
            data = f.read() if limit is None else f.read(limit + 1)
    except OSError as e:
        raise WeichaError(f"无法读取文件 {path}（{e.strerror or e}）。") from e
    if limit is not None and len(data) > limit:
        raise WeichaError(f"文件 {path} 过大（超过 {limit // 1024 // 1024} MB）。")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise WeichaError(f"文件 {path} 不是 UTF-8 编码：请用 UTF-8 另存后再导入。") from e


def table(path: Path, text: str, columns: dict[str, str], needed: tuple[tuple[str, str], ...], *,
          example: str, available: str) -> tuple[list[str | None], Iterator[tuple[int, dict[str, str]]]]:
    """The header's column keys (``columns`` maps a header word to one) and the non-blank rows
    as (line number, {key: stripped cell}), read as they are asked for (a row CSV cannot read
    is refused when reached). ``needed``: (key, the word a user knows it by); ``example``
    shows a first line, ``available`` the columns there may be."""
    reader = csv.reader(io.StringIO(text))
    header = _next(reader, path)
    if not header:
        raise WeichaError(f"文件 {path} 是空的：第一行须为列名（{example}）。")
    names = [columns.get(h.strip()) for h in header]
    unknown = [h for h, n in zip(header, names) if n is None]
    if unknown:
        raise WeichaError(f"列名不认识：{'、'.join(unknown)}。可用的列：{available}。")
    for key, word in needed:
        if key not in names:
            raise WeichaError(f"缺少“{word}”列。")
    return names, _rows(reader, names, path)


def _rows(reader, names: list[str | None], path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    line = 1
    while (values := _next(reader, path)) is not None:
        line += 1
        if any(v.strip() for v in values):
            yield line, dict(zip(names, (v.strip() for v in values)))


def _next(reader, path: Path) -> list[str] | None:
    try:
        return next(reader, None)
    except csv.Error as e:  # a NUL, an unclosed quote at the end, a field past the limit …
        raise WeichaError(f"文件 {path} 第 {reader.line_num} 行无法按 CSV 读取（{e}）：请改正后再导入。") from e


def refusal(problems: list[str], what: str) -> WeichaError:
    """The whole file refused: its problems (the first 20, and how many more)."""
    shown = problems[:20] + ([f"……另有 {len(problems) - 20} 处"] if len(problems) > 20 else [])
    return WeichaError(f"文件有误，未导入{what}：\n" + "\n".join(shown))
