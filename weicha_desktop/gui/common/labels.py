"""The words for the core's codes (roles, case states, case types) in the window's language:
core/labels.py defines them once, in Chinese and English; the window shows them in the
language installed (``current_language``)."""
from __future__ import annotations

from collections.abc import Iterable

from weicha_desktop.core import labels
from weicha_desktop.core.cases import CaseRecord
from weicha_desktop.core.errors import WeichaError
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


def holder_name(forms, kind: str, path: str) -> str | None:
    """Where a record of ``kind`` holds a value, in words of the window's language — a field's
    label, or for a field in a table's row the table's (``witnesses[0].id_number`` → 见证人):
    never the path itself. None when the record's form does not know the field."""
    try:
        spec = forms.latest(forms.form_for(kind))
        return spec.field(path.split(".")[0].split("[")[0]).label.text(current_language())
    except (KeyError, WeichaError):
        return None
