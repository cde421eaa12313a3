"""Every form version under ``forms/`` (older ones live in ``forms/archive/``)."""
from __future__ import annotations

from pathlib import Path

from weicha_desktop.core.errors import NotFound

from .check import load_all
from .spec import FormError, FormSpec


class FormNotFound(NotFound):
    """No form with that id (and version)."""


class FormRegistry:
    """Loads every form file under ``forms_dir``; raises :class:`FormError` if any is broken."""

    def __init__(self, forms_dir: str | Path):
        self.forms_dir = Path(forms_dir)
        self._specs, problems = load_all(self.forms_dir)
        if problems:
            raise FormError(problems)

    def ids(self) -> list[str]:
        return sorted({form_id for form_id, _ in self._specs})

    def versions(self, form_id: str) -> list[int]:
        """Versions of ``form_id``, oldest first (empty if there is no such form)."""
        return sorted(v for i, v in self._specs if i == form_id)

    def get(self, form_id: str, version: int) -> FormSpec:
        try:
            return self._specs[(form_id, version)]
        except KeyError:
            raise FormNotFound(f"找不到表单“{form_id}”第{version}版") from None

    def latest(self, form_id: str) -> FormSpec:
        versions = self.versions(form_id)
        if not versions:
            raise FormNotFound(f"找不到表单“{form_id}”")
        return self._specs[(form_id, versions[-1])]
