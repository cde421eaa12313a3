"""A small, safe expression language for ``relevant``, ``when`` and ``require``.

Hand-written tokenizer and recursive-descent parser to a tiny AST (expr_eval.py gives its
meaning). Nothing reaches Python's ``eval``: calls only reach ``expr_eval.FUNCTIONS``.

    expr    := or
    or      := and ('or' and)*
    and     := not ('and' not)*
    not     := 'not' not | compare
    compare := sum [('=='|'!='|'<'|'<='|'>'|'>='|'in'|'not' 'in') sum]
    sum     := unary (('+'|'-') unary)*
    unary   := '-' unary | primary
    primary := NUMBER | STRING | true | false | null | NAME | NAME '(' [expr (',' expr)*] ')'
             | '(' expr ')' | '[' [expr (',' expr)*] ']'
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from weicha_desktop.core.errors import WeichaError

from .expr_eval import (
    FUNCTIONS,
    Call,
    Compare,
    ListLit,
    Lit,
    Logic,
    Name,
    Sum,
    Unary,
    evaluate,
    truthy,
)

MAX_LENGTH = 2000
MAX_DEPTH = 40


class ExprError(WeichaError):
    """An expression that does not compile; ``pos`` is the 0-based character offset."""

    def __init__(self, message: str, source: str, pos: int):
        self.source, self.pos, self.reason = source, pos, message
        super().__init__(f"{message}（第 {pos + 1} 个字符）")


# --- tokens -----------------------------------------------------------------------------

_KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}
_NUMBER = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*", re.ASCII)
_OPERATORS = ("==", "!=", "<=", ">=", "<", ">", "+", "-", "(", ")", "[", "]", ",")


@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "str", "name", "kw", "op", "end"
    value: Any
    pos: int


def _tokenize(src: str) -> list[_Token]:
    tokens, i = [], 0
    while i < len(src):
        c = src[i]
        if c in " \t\r\n":
            i += 1
        elif m := _NUMBER.match(src, i):
            text = m.group()
            tokens.append(_Token("num", float(text) if "." in text else int(text), i))
            i = m.end()
        elif c in "'\"":
            value, end = _read_string(src, i)
            tokens.append(_Token("str", value, i))
            i = end
        elif m := _NAME.match(src, i):
            name = m.group()
            if any(part.startswith("_") for part in name.split(".")):
                raise ExprError(f"不允许以下划线开头的名称“{name}”", src, i)
            tokens.append(_Token("kw" if name in _KEYWORDS else "name", name, i))
            i = m.end()
        else:
            op = next((o for o in _OPERATORS if src.startswith(o, i)), None)
            if op is None:
                raise ExprError(f"无法识别的字符“{c}”", src, i)
            tokens.append(_Token("op", op, i))
            i += len(op)
    tokens.append(_Token("end", None, len(src)))
    return tokens


def _read_string(src: str, start: int) -> tuple[str, int]:
    quote, out, i = src[start], [], start + 1
    while i < len(src):
        c = src[i]
        if c == "\\" and i + 1 < len(src):
            out.append(src[i + 1])
            i += 2
        elif c == quote:
            return "".join(out), i + 1
        else:
            out.append(c)
            i += 1
    raise ExprError("字符串缺少结束引号", src, start)


_COMPARE_OPS = ("==", "!=", "<", "<=", ">", ">=")
_LITERALS = {"true": True, "false": False, "null": None}


class _Parser:
    def __init__(self, src: str):
        self.src, self.tokens, self.i, self.depth = src, _tokenize(src), 0, 0
        self.names: set[str] = set()

    def error(self, message: str, token: _Token | None = None) -> ExprError:
        return ExprError(message, self.src, (token or self.peek()).pos)

    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.peek()
        self.i += 1
        return token

    def at(self, kind: str, value: Any, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token.kind == kind and token.value == value

    def accept(self, kind: str, value: Any) -> bool:
        if self.at(kind, value):
            self.i += 1
            return True
        return False

    def expect_op(self, op: str) -> None:
        if not self.accept("op", op):
            raise self.error(f"此处应为“{op}”")

    def parse(self):
        if self.peek().kind == "end":
            raise self.error("表达式为空")
        node = self.expr()
        if self.peek().kind != "end":
            raise self.error(f"多余的内容“{self.peek().value}”")
        return node

    def expr(self):
        return self.nested(lambda: self.logic("or", self.logic_and))

    def logic_and(self):
        return self.logic("and", self.negation)

    def logic(self, op: str, operand: Callable):
        operands = [operand()]
        while self.accept("kw", op):
            operands.append(operand())
        return operands[0] if len(operands) == 1 else Logic(op, tuple(operands))

    def negation(self):
        if self.at("kw", "not") and not self.at("kw", "in", 1):
            self.take()
            return self.nested(lambda: Unary("not", self.negation()))
        return self.compare()

    def nested(self, build: Callable):
        """Build a sub-tree one level deeper; refuse past MAX_DEPTH (no RecursionError)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("嵌套过深")
        try:
            return build()
        finally:
            self.depth -= 1

    def compare(self):
        left = self.sum()
        token = self.peek()
        if token.kind == "op" and token.value in _COMPARE_OPS:
            op = self.take().value
        elif self.accept("kw", "in"):
            op = "in"
        elif self.at("kw", "not") and self.at("kw", "in", 1):
            self.i += 2
            op = "not in"
        else:
            return left
        node = Compare(op, left, self.sum())
        after = self.peek()
        if (after.kind == "op" and after.value in _COMPARE_OPS) or self.at("kw", "in"):
            raise self.error("比较不能连用，请用 and 连接", after)
        return node

    def sum(self):
        first, rest = self.unary(), []
        while self.peek().kind == "op" and self.peek().value in ("+", "-"):
            rest.append((self.take().value, self.unary()))
        return Sum(first, tuple(rest)) if rest else first

    def unary(self):
        if self.accept("op", "-"):
            return self.nested(lambda: Unary("-", self.unary()))
        return self.primary()

    def primary(self):
        token = self.take()
        if token.kind in ("num", "str"):
            return Lit(token.value)
        if token.kind == "kw" and token.value in _LITERALS:
            return Lit(_LITERALS[token.value])
        if token.kind == "name":
            if self.accept("op", "("):
                return self.call(token)
            self.names.add(token.value)
            return Name(token.value)
        if token.kind == "op" and token.value == "(":
            node = self.expr()
            self.expect_op(")")
            return node
        if token.kind == "op" and token.value == "[":
            return ListLit(self.items("]"))
        if token.kind == "end":
            raise self.error("表达式不完整", token)
        raise self.error(f"意外的“{token.value}”", token)

    def items(self, close: str) -> tuple:
        items = []
        if not self.accept("op", close):
            items.append(self.expr())
            while self.accept("op", ","):
                items.append(self.expr())
            self.expect_op(close)
        return tuple(items)

    def call(self, token: _Token) -> Call:
        func = FUNCTIONS.get(token.value)
        if func is None:
            raise self.error(f"未知函数“{token.value}”", token)
        args = self.items(")")
        if len(args) != func.arity:
            raise self.error(f"函数 {token.value} 需要 {func.arity} 个参数", token)
        return Call(token.value, args)


# --- public -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Expr:
    """A compiled expression. ``names``: every field name it reads (dotted as written)."""

    source: str
    names: frozenset[str]
    _tree: Any

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        return evaluate(self._tree, env)

    def holds(self, env: Mapping[str, Any]) -> bool:
        """True when the value is truthy (not None/false/0/blank/empty)."""
        return truthy(self.evaluate(env))


def compile_expr(source: str) -> Expr:
    """Parse ``source``; raise :class:`ExprError` (with position) if it is not valid."""
    if not isinstance(source, str):
        raise ExprError("表达式须为文字", repr(source), 0)
    return _compile(source)


@functools.lru_cache(maxsize=1024)
def _compile(source: str) -> Expr:
    if len(source) > MAX_LENGTH:
        raise ExprError(f"表达式过长（最多 {MAX_LENGTH} 个字符）", source, MAX_LENGTH)
    parser = _Parser(source)
    tree = parser.parse()
    return Expr(source, frozenset(parser.names), tree)
