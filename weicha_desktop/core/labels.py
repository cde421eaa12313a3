"""The words for the codes the program stores, defined once (zh and en).

Rows, payloads and projections hold codes: a case's status (draft, finalized, reviewed), a
user's role (technician, supervisor, admin), a review's decision, and — from form version 3
on — every choice value (``burglary``, not 入室盗窃). Words appear only when shown: the CLI and
the reports in Chinese, the window in its language. Status and role words are here; the
words of choice values are their form's (``Field.choice_label``: the choice lists in
forms/choices/, which also know the codes of the Chinese values older records hold)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from weicha_desktop.core.forms.spec import Choice, Label

STATUSES: Mapping[str, Label] = {
    "draft": Label("草稿", "Draft"),
    "finalized": Label("已定稿", "Finalized"),
    "reviewed": Label("已审核", "Reviewed"),
}
RETURNED = "returned"  # the list's status of a draft a reviewer returned (status draft + comment)
RETURNED_LABEL = Label("退回补正", "Returned")  # short: a status column's word
# the case list's statuses, in the order its filter offers them
LIST_STATUSES: Mapping[str, Label] = {
    "draft": STATUSES["draft"], RETURNED: RETURNED_LABEL,
    "finalized": STATUSES["finalized"], "reviewed": STATUSES["reviewed"],
}
ROLES: Mapping[str, Label] = {
    "technician": Label("勘验员", "Technician"),
    "supervisor": Label("审核人", "Reviewer"),
    "admin": Label("管理员", "Administrator"),
}
# who may review (approve or return) a record: supervisors, and admins of small units
REVIEWER_ROLES = frozenset({"supervisor", "admin"})
DECISIONS: Mapping[str, Label] = {
    "approved": Label("审核通过", "Approved"),
    "returned": Label("退回补正", "Returned for correction"),
}


# where a photo's capture time came from, in plain words (the photo log keeps the EXIF tags:
# "EXIF DateTimeOriginal + OffsetTimeOriginal"; a print or the window says 相机时间)
TIME_SOURCES: Mapping[str, Label] = {
    "camera": Label("相机时间", "Camera time"),
    "file": Label("文件时间", "File time"),
}


def time_source_label(source: str | None, lang: str = "zh") -> str:
    """相机时间 for a time the camera wrote (EXIF), 文件时间 for a file's own time, another
    source as it is recorded; "" when there is none."""
    text = (source or "").strip()
    lowered = text.casefold()
    if lowered.startswith("exif") or "camera" in lowered or "相机" in text:
        return TIME_SOURCES["camera"].text(lang)
    if "file" in lowered or "mtime" in lowered or "文件" in text:
        return TIME_SOURCES["file"].text(lang)
    return text


def status_label(status: str, returned: bool = False, lang: str = "zh") -> str:
    """草稿 / 已定稿 / 已审核, or 退回补正 for a draft a reviewer returned (``returned``)."""
    if status == RETURNED or (status == "draft" and returned):
        return RETURNED_LABEL.text(lang)
    label = STATUSES.get(status)
    return label.text(lang) if label else status


def role_label(role: str, lang: str = "zh") -> str:
    label = ROLES.get(role)
    return label.text(lang) if label else role


def code_label(choices: Iterable[Choice], code: str | None, lang: str = "zh") -> str:
    """The words of ``code`` in a choice list (or an old record's value: its own words);
    the code itself when no option has it, "" for None."""
    if code is None:
        return ""
    for c in choices:
        if code in (c.code, c.value):
            return c.label.text(lang)
    return code


def codes_matching(choices: Iterable[Choice], text: str) -> tuple[str, ...]:
    """The codes whose words (zh or en, case-insensitively) contain ``text``: what a search
    box means when the rows hold codes."""
    needle = (text or "").strip().casefold()
    if not needle:
        return ()
    return tuple(c.code for c in choices if c.code is not None and (
        needle in c.label.zh.casefold() or needle in (c.label.en or "").casefold()
        or needle in c.code))
