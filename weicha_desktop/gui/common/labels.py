"""Translatable names for the core's codes (roles, case states). The core keeps its Chinese
labels for the CLI and the records; the GUI shows these, so English is possible
(tests/test_i18n.py keeps the two in step)."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP

from weicha_desktop.core.cases import CaseRecord

ROLE_NAMES = {
    "technician": QT_TRANSLATE_NOOP("Labels", "勘验员"),
    "supervisor": QT_TRANSLATE_NOOP("Labels", "审核人"),
    "admin": QT_TRANSLATE_NOOP("Labels", "管理员"),
}
STATUS_NAMES = {
    "draft": QT_TRANSLATE_NOOP("Labels", "草稿"),
    "finalized": QT_TRANSLATE_NOOP("Labels", "已定稿"),
    "reviewed": QT_TRANSLATE_NOOP("Labels", "已审核"),
}
RETURNED_NAME = QT_TRANSLATE_NOOP("Labels", "退回补正")


def role_name(role: str) -> str:
    return QCoreApplication.translate("Labels", ROLE_NAMES[role]) if role in ROLE_NAMES else role


def status_name(case: CaseRecord) -> str:
    """草稿 / 已定稿 / 已审核, or 退回补正 for a draft a reviewer returned."""
    if case.status == "draft" and case.returned_comment:
        return QCoreApplication.translate("Labels", RETURNED_NAME)
    name = STATUS_NAMES.get(case.status)
    return QCoreApplication.translate("Labels", name) if name else case.status
