"""Finalize rules declared in a form's ``rules:`` list (一长四必: 必采, 必比, 见证, ...), and
the notices (``level: notice``, 提示): checked the same way, never blocking."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from weicha_desktop.core.errors import Problem, shorten
from weicha_desktop.core.messages import Msg, Texts

from .expr import compile_expr
from .spec import BLOCK, NOTICE, FormSpec, Rule

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
ROW_NAMES = ("index", "n")  # placeholders of ``each`` rules: 0-based index, 1-based number


def check_rules(spec: FormSpec, data: Mapping[str, Any],
                facts: Mapping[str, Any] | None = None, *, level: str = BLOCK) -> list[Problem]:
    """A problem for every rule whose ``require`` fails where its ``when`` holds, of the
    rules of ``level``: by default those that block finalizing (``check_notices``: the rest).

    ``facts`` (``photo_count``, ``photo_classes``) are merged into the expression names.
    """
    env = {**data, **(facts or {})}
    problems = []
    for rule in spec.rules:
        if rule.level != level:
            continue
        if rule.each is None:
            if _fails(rule, env):
                problems.append(Problem(fill(rule.field or "", env), _message(rule, env), rule.id))
            continue
        rows = data.get(rule.each)
        for i, row in enumerate(rows if isinstance(rows, list) else []):
            if not isinstance(row, Mapping):
                continue
            row_env = {**env, **row}
            if _fails(rule, row_env):
                names = {**row_env, "index": i, "n": i + 1}
                path = fill(rule.field, names) if rule.field else f"{rule.each}[{i}]"
                problems.append(Problem(path, _message(rule, names), rule.id))
    return problems


def check_notices(spec: FormSpec, data: Mapping[str, Any],
                  facts: Mapping[str, Any] | None = None) -> list[Problem]:
    """The notices (提示) of the rules declared ``level: notice``: shown, never blocking."""
    return check_rules(spec, data, facts, level=NOTICE)


def _message(rule: Rule, names: Mapping[str, Any]) -> Msg:
    """The rule's message filled in: Chinese, and English where the form gives it."""
    return Msg("form.rule", text=Texts(fill(rule.message, names, quote=True),
                                       fill(rule.message_en or rule.message, names, quote=True)))


def _fails(rule: Rule, env: Mapping[str, Any]) -> bool:
    if rule.when and not compile_expr(rule.when).holds(env):
        return False
    return not compile_expr(rule.require).holds(env)


def fill(template: str, names: Mapping[str, Any], quote: bool = False) -> str:
    """Replace ``{name}`` placeholders with values (no ``str.format``: no attribute access);
    ``quote``: each value shortened as a message quotes it (errors.shorten)."""
    def value(match: re.Match) -> str:
        found = names.get(match.group(1))
        return "" if found is None else shorten(found) if quote else str(found)
    return PLACEHOLDER.sub(value, template)
