"""What an expression means: the syntax tree, its evaluation, and the functions.

Unknown names are ``None``; ordering comparisons involving ``None`` or mixed types are false;
``+``/``-`` on non-numbers give ``None``; ``x in null`` is false and ``x not in null`` true.
Two ISO datetimes with offsets compare as instants. Names are dictionary look-ups only
(``protector.name`` is ``env["protector"]["name"]``); nothing reaches Python's ``eval``.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# --- syntax tree (built by expr._Parser) ----------------------------------------------

@dataclass(frozen=True)
class Lit:
    value: Any


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class ListLit:
    items: tuple


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple


@dataclass(frozen=True)
class Unary:
    op: str  # "not" or "-"
    operand: Any


@dataclass(frozen=True)
class Logic:
    op: str  # "and" or "or"
    operands: tuple


@dataclass(frozen=True)
class Sum:
    first: Any
    rest: tuple  # ((op, node), ...)


@dataclass(frozen=True)
class Compare:
    op: str
    left: Any
    right: Any


# --- evaluation ---------------------------------------------------------------------------

def is_empty(value: Any) -> bool:
    """None, blank text, an empty list, or a mapping whose values are all empty."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return not value
    if isinstance(value, Mapping):
        return all(is_empty(v) for v in value.values())
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _comparable(a: Any, b: Any) -> tuple[Any, Any] | None:
    if _is_number(a) and _is_number(b):
        return a, b
    if isinstance(a, str) and isinstance(b, str):
        ia, ib = _instant(a), _instant(b)
        return (ia, ib) if ia and ib else (a, b)
    if isinstance(a, bool) and isinstance(b, bool):
        return a, b
    return None


def _equal(a: Any, b: Any) -> bool:
    pair = _comparable(a, b)
    if pair is not None:
        return pair[0] == pair[1]
    return a is None and b is None or (
        isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
        and all(_equal(x, y) for x, y in zip(a, b)))


def _contains(container: Any, item: Any) -> bool | None:
    if container is None:
        return False
    if isinstance(container, list):
        return any(_equal(item, x) for x in container)
    if isinstance(container, str) and isinstance(item, str):
        return item in container
    return None


def _compare(op: str, a: Any, b: Any) -> bool:
    if op == "==":
        return _equal(a, b)
    if op == "!=":
        return not _equal(a, b)
    if op in ("in", "not in"):
        found = _contains(b, a)
        return False if found is None else found == (op == "in")
    pair = _comparable(a, b)
    if pair is None or isinstance(pair[0], bool):
        return False
    x, y = pair
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def _lookup(env: Mapping, name: str) -> Any:
    value: Any = env
    for part in name.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _arith(op: str, a: Any, b: Any) -> Any:
    if not (_is_number(a) and _is_number(b)):
        return None
    result = a + b if op == "+" else a - b
    return result if math.isfinite(result) else None


def evaluate(node: Any, env: Mapping) -> Any:
    match node:
        case Lit(value):
            return value
        case Name(name):
            return _lookup(env, name)
        case ListLit(items):
            return [evaluate(item, env) for item in items]
        case Call(func, args):
            return FUNCTIONS[func].impl(env, *(evaluate(a, env) for a in args))
        case Unary("not", operand):
            return not truthy(evaluate(operand, env))
        case Unary(_, operand):
            value = evaluate(operand, env)
            return -value if _is_number(value) else None
        case Logic("and", operands):
            return all(truthy(evaluate(o, env)) for o in operands)
        case Logic(_, operands):
            return any(truthy(evaluate(o, env)) for o in operands)
        case Sum(first, rest):
            value = evaluate(first, env)
            for op, operand in rest:
                value = _arith(op, value, evaluate(operand, env))
            return value
        case Compare(op, left, right):
            return _compare(op, evaluate(left, env), evaluate(right, env))
    raise AssertionError(node)  # unreachable: the parser builds only the nodes above


def truthy(value: Any) -> bool:
    return not is_empty(value) and value is not False and value != 0


# --- functions ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Function:
    arity: int
    impl: Callable[..., Any]  # impl(env, *args)


def _count(_env: Mapping, value: Any) -> int:
    return len(value) if isinstance(value, list) else 0


def _len(_env: Mapping, value: Any) -> int:
    return len(value) if isinstance(value, (str, list, Mapping)) else 0


def _selected(_env: Mapping, value: Any, choice: Any) -> bool:
    return bool(_contains(value, choice)) if isinstance(value, list) else _equal(value, choice)


def _has_photo_class(env: Mapping, photo_class: Any) -> bool:
    classes = env.get("photo_classes")
    return isinstance(classes, list) and photo_class in classes


FUNCTIONS: dict[str, _Function] = {
    "empty": _Function(1, lambda _env, value: is_empty(value)),
    "count": _Function(1, _count),
    "len": _Function(1, _len),
    "selected": _Function(2, _selected),
    "has_photo_class": _Function(1, _has_photo_class),
}
