"""Every form version under ``forms/`` (older ones live in ``forms/archive/``)."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Sequence

from weicha_desktop.core.errors import NotFound

from .check import FormReading
from .spec import Choice, FormError, FormSpec
from .templates import TEMPLATES_DIR, NarrativeTemplate, TemplateShelf


class FormNotFound(NotFound):
    """No form with that id (and version)."""


class FormRegistry:
    """Loads every form file under ``forms_dir``; raises :class:`FormError` if any is broken.

    With ``older_later`` only the choice lists and each form's current version are read at
    once (the window's start: the older versions are most of the parsing, ~15 ms, and no
    first paint needs them); the older versions (``archive/``) are read by ``load_older`` or
    by the first call that needs one (``get`` of an older version, ``versions``,
    ``number_prefixes``), raising :class:`FormError` then if one is broken. ``ids``,
    ``latest``, ``kinds`` and ``form_for`` never need them (forms check: the current version
    is the newest)."""

    def __init__(self, forms_dir: str | Path, extra_forms: Sequence[tuple[str, str]] = (),
                 extra_choices: Sequence[tuple[str, str]] = (), *, older_later: bool = False):
        """``extra_forms`` / ``extra_choices``: ``(name.yaml, text)`` read beside the folder's
        (the sync server's form versions and code tables: core/sync/reference.local_forms)."""
        self.forms_dir = Path(forms_dir)
        self.extra = (tuple(extra_forms), tuple(extra_choices))
        self._reading = FormReading(self.forms_dir, extra_forms, extra_choices)
        self._lock = threading.Lock()  # one reading of the older versions, whichever thread asks
        self._broken: FormError | None = None
        self._templates = TemplateShelf(self.forms_dir / TEMPLATES_DIR)
        if not older_later:
            self._reading.read_older()
        problems = self._reading.problems()
        if problems:
            raise FormError(problems)

    def replace_extra(self, extra_forms: Sequence[tuple[str, str]],
                      extra_choices: Sequence[tuple[str, str]] = ()) -> bool:
        """Read these extra forms and code tables instead of the ones given before (new form
        versions pulled from the sync server, for a window that stays open:
        core/sync/reference.refresh_forms); False if they are the same. FormError, and nothing
        changes, if they do not load. A FormSpec handed out before stays as it was."""
        extra = (tuple(extra_forms), tuple(extra_choices))
        if extra == self.extra:
            return False
        reading = FormReading(self.forms_dir, *extra)
        if self._reading.older_read:
            reading.read_older()
        problems = reading.problems()
        if problems:
            raise FormError(problems)
        with self._lock:
            self._reading, self.extra, self._broken = reading, extra, None
        return True

    @property
    def _specs(self) -> dict[tuple[str, int], FormSpec]:
        return self._reading.specs

    def load_older(self) -> bool:
        """Read the older form versions if they are not yet; True if this call read them.
        FormError if one is broken (again at every later call)."""
        if not self._reading.older_read:
            with self._lock:
                if not self._reading.older_read:
                    self._reading.read_older()
                    problems = self._reading.problems()
                    self._broken = FormError(problems) if problems else None
                    if self._broken is None:
                        return True
        if self._broken is not None:
            raise self._broken
        return False

    @property
    def older_loaded(self) -> bool:
        return self._reading.older_read and self._broken is None

    def choices(self, list_id: str) -> tuple[Choice, ...]:
        """A shared choice list of these forms (forms/choices/<list_id>.yaml); () if none."""
        return self._reading.choices.get(list_id, ())

    def ids(self) -> list[str]:
        return sorted({form_id for form_id, _ in self._specs})

    def versions(self, form_id: str) -> list[int]:
        """Versions of ``form_id``, oldest first (empty if there is no such form)."""
        self.load_older()
        return sorted(v for i, v in self._specs if i == form_id)

    def get(self, form_id: str, version: int) -> FormSpec:
        if (form_id, version) not in self._reading.current:
            self.load_older()  # an older version (FormError if one of them is broken)
        spec = self._specs.get((form_id, version))
        if spec is None:
            raise FormNotFound(f"找不到表单“{form_id}”第{version}版")
        return spec

    def latest(self, form_id: str) -> FormSpec:
        """The newest version: a current one, read at once (see the class's doc)."""
        versions = sorted(v for i, v in self._specs if i == form_id)
        if not versions:
            raise FormNotFound(f"找不到表单“{form_id}”")
        return self._specs[(form_id, versions[-1])]

    def narrative_templates(self, spec: FormSpec) -> list[NarrativeTemplate]:
        """The narrative templates (``forms/templates/``) for ``spec``'s form, sorted by id:
        read once, again only when the files change (templates.TemplateShelf). FormError if
        one of them is broken."""
        return self._templates.templates(spec)

    # ---- record kinds (core/record_service.py) -------------------------------------------
    def kinds(self) -> dict[str, str]:
        """Every record kind a form declares (``record_kind``) → that form's id."""
        return {spec.record_kind: form_id for form_id in self.ids()
                if (spec := self.latest(form_id)).record_kind}

    def form_for(self, kind: str) -> str:
        """The id of the form that captures records of ``kind``."""
        form_id = self.kinds().get(kind)
        if form_id is None:
            raise FormNotFound(f"没有表单声明记录类型“{kind}”（record_kind）")
        return form_id

    def number_prefixes(self) -> dict[str, str]:
        """Every letter of an issued number the forms declare → what it numbers (the label of
        the number field, 勘验号; a numbered group's label + 编号, 痕迹物证编号)."""
        names: dict[str, str] = {}
        self.load_older()
        for spec in sorted(self._specs.values(), key=lambda s: (s.id, -s.version)):
            if spec.number_prefix:
                field = spec.number_field and spec.field(spec.number_field)
                names.setdefault(spec.number_prefix, field.label.zh if field else f"{spec.title.zh}编号")
            for group, prefix in spec.numbered_rows.items():
                names.setdefault(prefix, f"{spec.field(group).label.zh}编号")
        return names
