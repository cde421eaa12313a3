"""Field values handed in as a JSON file (``weicha case update --json-file``): read with a
size cap, decoded strictly, parsed, and checked for what would break later — each refusal a
Chinese :class:`WeichaError`, never a traceback, never a hang.

    read_json_object(path_or_dash, stdin=sys.stdin.buffer) -> dict

- at most ``MAX_BYTES`` (4 MiB) are read: ``/dev/zero`` or an endless pipe stops there;
- UTF-8 only (a UTF-8 BOM is allowed); UTF-16/32 (by their BOM) and bad bytes are named;
- no NaN/Infinity, no lone surrogates (``"\\ud800"``) anywhere, nesting at most ``MAX_DEPTH``;
- the top level must be an object (field id → value).
Length limits of the values themselves are the form's (``validate``)."""
from __future__ import annotations

import codecs
import json
import os
from pathlib import Path
from typing import Any, BinaryIO

from weicha_desktop.core.errors import WeichaError, shorten
from weicha_desktop.core.fileio import os_error_message

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 32  # the deepest real record: record → repeat → row → person → field is 5
_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


class JsonInputError(WeichaError):
    pass


def read_json_object(source: str | os.PathLike, stdin: BinaryIO | None = None) -> dict[str, Any]:
    """The JSON object in the file ``source`` (``-``: ``stdin``), checked as above."""
    name = "标准输入" if str(source) == "-" else str(source)
    return parse_json_object(_read_capped(source, stdin), name)


def parse_json_object(data: bytes, name: str = "输入") -> dict[str, Any]:
    text = _decode(data, name)
    if not text.strip():
        raise JsonInputError(f"{name} 是空的，不是有效的 JSON：应为 {{\"字段名\": 值, …}}，未保存。")
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise JsonInputError(f"{name} 中的 JSON 嵌套太深（最多 {MAX_DEPTH} 层），未保存。") from None
    except json.JSONDecodeError as e:
        raise JsonInputError(f"{name} 不是有效的 JSON：第 {e.lineno} 行第 {e.colno} 列附近有误："
                             f"{_syntax(e.msg)}，未保存。") from None
    except ValueError as e:  # NaN/Infinity (below), a number of thousands of digits
        why = str(e) if str(e).startswith("不支持") else "数字位数太多（整数最多 4300 位）"
        raise JsonInputError(f"{name} 不是可用的 JSON：{why}，未保存。") from None
    if not isinstance(value, dict):
        kind = {list: "数组", str: "文字", int: "数字", float: "数字", bool: "true/false"}.get(
            type(value), "null")
        raise JsonInputError(f"{name} 的最外层应为 JSON 对象（{{\"字段名\": 值, …}}），"
                             f"而不是{kind}，未保存。")
    _check_tree(value, name)
    return value


def _read_capped(source: str | os.PathLike, stdin: BinaryIO | None) -> bytes:
    if str(source) == "-":
        if stdin is None:
            raise JsonInputError("没有可读的标准输入。")
        data, name = stdin.read(MAX_BYTES + 1), "标准输入"
    else:
        name = str(source)
        try:
            with open(Path(source), "rb") as f:
                data = f.read(MAX_BYTES + 1)
        except IsADirectoryError:
            raise JsonInputError(f"{name} 是一个文件夹，不是 JSON 文件。") from None
        except FileNotFoundError:
            raise JsonInputError(f"找不到文件 {name}。") from None
        except OSError as e:
            raise JsonInputError(f"读不到文件 {name}：{os_error_message(e, reading=True)}。") from None
    if len(data) > MAX_BYTES:
        raise JsonInputError(f"{name} 太大（超过 {MAX_BYTES // (1024 * 1024)} MB），未读取："
                             "一件勘验的字段值远小于此，请检查给出的文件。")
    return data


def _decode(data: bytes, name: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            raise JsonInputError(f"{name} 是 {encoding} 编码：请另存为 UTF-8 后再试。")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        guess = "（像是 UTF-16 编码）" if b"\x00" in data[:64] else "（可能是 GBK 等其他编码）"
        raise JsonInputError(f"{name} 不是有效的 UTF-8 文本：第 {e.start + 1} 个字节无法解码{guess}，"
                             "请另存为 UTF-8 后再试。") from None


# what the json module says (English), said in Chinese; anything else: "语法错误"
_SYNTAX = {
    "Extra data": "在完整的 JSON 之后还有多余的内容（例如两个对象连在一起，或多了一个括号）",
    "Expecting value": "缺少一个值（可能多了逗号，或少了引号）",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting property name enclosed in double quotes": "字段名须用英文双引号括起（或最后一项后多了逗号）",
    "Unterminated string starting at": "文字缺少结尾的双引号",
    "Invalid control character at": "文字中有换行等控制字符（应写作 \\n）",
    "Invalid \\escape": "文字中有无效的反斜杠转义",
    "Invalid \\uXXXX escape": "文字中有无效的 \\u 转义",
}


def _syntax(msg: str) -> str:
    return _SYNTAX.get(msg, "语法错误")


def _no_constant(word: str) -> Any:
    raise ValueError(f"不支持 {word}")


def _check_tree(value: Any, name: str) -> None:
    """Depth and lone surrogates, without recursion (a deep value must not overflow)."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            raise JsonInputError(f"{name} 中的 JSON 嵌套太深（最多 {MAX_DEPTH} 层），未保存。")
        if isinstance(item, dict):
            for key, child in item.items():
                where = f"{path}.{key}" if path else key
                if _has_surrogate(key):
                    raise JsonInputError(f"{name} 中有字段名含无效字符（单独的代理码位 \\ud800–\\udfff），未保存。")
                stack.append((child, depth + 1, where))
        elif isinstance(item, list):
            stack.extend((child, depth + 1, f"{path}[{i}]") for i, child in enumerate(item))
        elif isinstance(item, str) and _has_surrogate(item):
            raise JsonInputError(f"{name} 中 {shorten(path, 40)} 的值含无效字符"
                                 "（单独的代理码位 \\ud800–\\udfff），未保存。")


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
