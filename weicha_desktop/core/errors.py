"""Errors the core raises. Every message is Chinese first: it is shown to a technician as is."""
from __future__ import annotations

from dataclasses import dataclass


class WeichaError(Exception):
    """Base of every error meant for the user. ``str(err)`` is the Chinese message."""


class NotInitialized(WeichaError):
    pass


class StoreLocked(WeichaError):
    pass


class AuthError(WeichaError):
    pass


class PermissionDenied(WeichaError):
    pass


class NotFound(WeichaError):
    pass


class InvalidState(WeichaError):
    pass


class NumberingExhausted(WeichaError):
    pass


def shorten(value: object, limit: int = 20) -> str:
    """A value as quoted in a message: at most ``limit`` characters, then "…"; characters
    that cannot be printed (lone surrogates) shown as "?". A 1 MB paste never floods."""
    text = str(value)
    cut = text[:limit] + "…" if len(text) > limit else text
    return cut.encode("utf-8", "replace").decode("utf-8")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a record: where (a field path such as ``witnesses[0].id_number``,
    or ``""`` for the record as a whole) and what, in Chinese."""

    path: str
    message: str
    rule: str = ""  # rule id for checker problems ("required", "bicai", ...)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ValidationFailed(WeichaError):
    def __init__(self, problems: list[Problem], message: str = "数据未通过校验"):
        self.problems = list(problems)
        super().__init__(message + "：\n" + "\n".join(f"  - {p}" for p in self.problems))


class FinalizeBlocked(ValidationFailed):
    def __init__(self, problems: list[Problem]):
        super().__init__(problems, "不能定稿，尚缺以下内容")
