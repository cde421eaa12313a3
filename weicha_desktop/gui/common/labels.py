"""The words for the core's codes (roles, case states, case types) in the window's language:
core/labels.py defines them once, in Chinese and English; the window shows them in the
language installed (``current_language``)."""
from __future__ import annotations

from collections.abc import Iterable

from weicha_desktop.core import labels
from weicha_desktop.core.cases import CaseRecord
from weicha_desktop.core.forms import Choice
from weicha_desktop.gui.common.i18n import current_language


def role_name(role: str) -> str:
    return labels.role_label(role, current_language())


def status_name(case: CaseRecord) -> str:
    """草稿 / 已定稿 / 已审核, or 退回补正 for a draft a reviewer returned."""
    return labels.status_label(case.status, bool(case.returned_comment), current_language())


def list_status_name(status: str, returned: bool = False) -> str:
    """A status of the case list (``returned`` for 退回补正) in the window's language."""
    return labels.status_label(status, returned, current_language())


def code_name(choices: Iterable[Choice], code: str | None) -> str:
    """The words of a choice code (a case type in the list) in the window's language."""
    return labels.code_label(choices, code, current_language())
