"""采集: what the services of persons, vehicles and places share, on RecordService's life
(draft → finalized → reviewed, audit, outbox: core/record_service.py).

A collect record has no issued number (2 million base records a city a year would empty a
unit's 9,999 monthly serials): it is named by its id or by its natural key — a person by
身份证号, a vehicle by 号牌 or 车辆识别代号 (``resolve``). Input is normalized before it is
checked (``normalize``: the lookup keys of core/forms/plates.py, vins.py, phones.py and
identity.py), what a key says is filled (``derive``), and a new record whose key another
record of the kind already has is refused with that record (``Duplicate``) unless the
caller insists (``force_new``)."""
from __future__ import annotations

from typing import Any

from weicha_desktop.core.errors import NotFound, WeichaError
from weicha_desktop.core.forms import FormRegistry, FormSpec
from weicha_desktop.core.messages import Msg
from weicha_desktop.core.record_service import RecordService
from weicha_desktop.core.records import Record, read_record
from weicha_desktop.core.store import Actor, Store

from . import lookup


class Duplicate(WeichaError):
    """A record of the kind already has this key: ``existing`` is it (the caller offers it)."""

    def __init__(self, message: Msg, existing: Record, field: str):
        super().__init__(message)
        self.existing, self.field = existing, field


class CollectService(RecordService):
    """Records of a collect kind; a kind sets ``kind``, ``keys`` and its hooks."""

    keys: tuple[str, ...] = ()  # the fields that identify a record of the kind (lookup.KEYS)
    duplicate_msg = ""          # messages.py id: {key, value, label}

    def __init__(self, store: Store, forms: FormRegistry, actor: Actor):
        super().__init__(store, forms, actor)

    # ---- reading ---------------------------------------------------------------------------
    def resolve(self, number_or_id: str) -> str:
        """The record's id from its id, or from its natural key (身份证号, 号牌, VIN)."""
        try:
            return super().resolve(number_or_id)
        except NotFound:
            for key in self.keys:
                found = lookup.records_with(self.store.conn, self.kind, key,
                                            self.normalize({key: number_or_id}).get(key))
                if found:
                    return found[0]
            raise

    def label(self, record: Record) -> str:
        """How a record of the kind is named to a person (张三 450702…, 桂N12345)."""
        return lookup.label_of(self.kind, record.data) or record.id[:8]

    def mentions(self, record: Record) -> list[dict[str, Any]]:
        """Other records that name this one's keys inside a person or a row (a case's 见证人
        with this 身份证号, a vehicle whose 车主 it is): what the page lists beside its links."""
        found: list[dict[str, Any]] = []
        for key in self.keys:
            found += lookup.mentions(self.store.conn, record.data.get(key) or "", exclude=record.id)
        return found

    def related(self, record: Record) -> list[dict[str, Any]]:
        """What the record's page lists beside its links: the records that name it
        (``mentions``, ``names`` False) and those it names (a vehicle's 车主: ``names`` True)."""
        return [{**m, "names": False} for m in self.mentions(record)]

    def list(self, *, text: str | None = None, status: str | None = None,
             limit: int = 50) -> list[dict[str, Any]]:
        """The kind's records, last changed first: id, status, the kind's summary fields."""
        return lookup.list_records(self.store.conn, self.kind, text=text, status=status, limit=limit)

    def duplicates(self, values: dict[str, Any], exclude: str | None = None) -> list[tuple[str, Record]]:
        """(field, record) of every other record of the kind holding one of ``values``' keys."""
        values = self.normalize(values)
        found = []
        for key in self.keys:
            for rid in lookup.records_with(self.store.conn, self.kind, key, values.get(key)):
                if rid != exclude:
                    found.append((key, read_record(self.store.conn, rid)))
        return found

    # ---- changing --------------------------------------------------------------------------
    def create(self, values: dict[str, Any] | None = None, *, force_new: bool = False) -> Record:
        """A new draft; Duplicate (naming the existing record) when another record of the kind
        has one of its keys, unless ``force_new``."""
        if not force_new:
            self._refuse_duplicate(values or {}, None)
        return super().create(values)

    def update(self, number_or_id: str, values: dict[str, Any], *, force_new: bool = False) -> Record:
        record = self.get(number_or_id)
        if not force_new:
            self._refuse_duplicate(values, record.id)
        return self._update(record, values, session=False)

    def commit_session(self, number_or_id: str) -> Record:
        """The form's session (core/record_service.py), refused like ``update`` when its edits
        give the record a key another record has (the edits stay in the journal)."""
        from weicha_desktop.core import drafts

        record = self.get(number_or_id)
        found = drafts.load(self.store.conn, record.id)
        if found:
            self._refuse_duplicate(found.values, record.id)
        return super().commit_session(number_or_id)

    def _refuse_duplicate(self, values: Any, exclude: str | None) -> None:
        if not isinstance(values, dict):
            return
        for key, existing in self.duplicates(values, exclude):
            value = self.normalize(values)[key]
            raise Duplicate(Msg(self.duplicate_msg, key=self._field_label(key), value=value,
                                label=self.label(existing)), existing, key)

    def _field_label(self, key: str):
        return self.forms.latest(self.form_id).field(key).label

    # ---- hooks -----------------------------------------------------------------------------
    def normalize(self, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` with the kind's keys in their stored spelling (a copy)."""
        return dict(values)

    def derive(self, spec: FormSpec, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` with what their keys say filled in (e.g. 性别 from a 身份证号)."""
        return values

    def _checked_input(self, spec: FormSpec, values: dict[str, Any]) -> dict[str, Any]:
        if isinstance(values, dict):
            values = self.normalize(values)
        return self.derive(spec, super()._checked_input(spec, values))
