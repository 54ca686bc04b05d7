"""The desk's door to cross-document records (actors, releases, attacks) and analysts' decisions.

Linking lives in ``incitewatch.link.linker`` (``list_*``, ``get_*``, ``merge``, ``split``, ``undo``,
``record_sources``, ``relink``). Should that module be missing (a trimmed install), every call here raises
:class:`RecordsUnavailable`, which the API turns into 503 and the pages into a notice, while everything built on
per-article data keeps working.
"""

from __future__ import annotations

import dataclasses
import importlib
from functools import cache
from types import ModuleType
from typing import Any

from fastapi import HTTPException, status

from incitewatch.api.queries import ReadModel
from incitewatch.errors import IncitewatchError
from incitewatch.link.records import RecordKind
from incitewatch.store.base import Store

LINKER_MODULE = "incitewatch.link.linker"
CORRECTIONS_MODULE = "incitewatch.link.corrections"


class RecordsUnavailable(RuntimeError):
    """Cross-document linking is not installed (or lacks the function asked for)."""


def linker_module() -> ModuleType | None:
    try:
        return importlib.import_module(LINKER_MODULE)
    except ImportError:
        return None


def to_jsonable(value: Any) -> Any:
    """Records are frozen dataclasses; the API speaks JSON. A corrected record is its corrected values plus its
    ``corrections`` (each with the machine's ``original`` beside the analyst's ``value``)."""
    corrections = _corrections_module()
    if corrections is not None and isinstance(value, corrections.CorrectedRecord):
        return {**to_jsonable(value.record), "corrections": to_jsonable(value.corrections)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: to_jsonable(getattr(value, item.name)) for item in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    return value


@cache  # to_jsonable asks for it at every nested value; whether it is installed does not change
def _corrections_module() -> ModuleType | None:
    try:
        return importlib.import_module(CORRECTIONS_MODULE)
    except ImportError:
        return None


def correctable_fields(kind: RecordKind) -> tuple[str, ...]:
    """The fields analysts may correct (none when corrections are not installed)."""
    module = _corrections_module()
    fields: tuple[str, ...] = module.correctable_fields(kind) if module is not None else ()
    return fields


class Records:
    """Thin calls into the linker, typed at the edge."""

    def __init__(self, store: Store, reads: ReadModel) -> None:
        self.store = store
        self.reads = reads

    @property
    def available(self) -> bool:
        return linker_module() is not None

    def _function(self, name: str) -> Any:
        module = linker_module()
        function = getattr(module, name, None) if module is not None else None
        if function is None:
            raise RecordsUnavailable(
                f"cross-document records are not available ({LINKER_MODULE}.{name} is missing)"
            )
        return function

    def page(self, kind: RecordKind, limit: int = 20, offset: int = 0) -> list[Any]:
        """One page of records, those with the newest reports first. The linker's ``list_*`` builds every
        record (seconds at 100k), so only the page's records are built here, one ``get_*`` each."""
        records = (self.get(kind, record_id) for record_id in self.reads.newest_record_ids(kind, limit, offset))
        return [record for record in records if record is not None]

    def get(self, kind: RecordKind, record_id: str) -> Any | None:
        """The record with analysts' corrections applied (and listed in ``corrections``)."""
        return self._corrections("corrected")(self.store, kind, self._function(f"get_{kind}")(self.store, record_id))

    def _corrections(self, name: str) -> Any:
        module = _corrections_module()
        function = getattr(module, name, None) if module is not None else None
        if function is None:
            raise RecordsUnavailable(f"corrections are not available ({CORRECTIONS_MODULE}.{name} is missing)")
        return function

    def correct(self, kind: RecordKind, record_id: str, field: str, value: str | int | None, reason: str,
                user: str) -> Any:
        """Correct one value of a record (the machine value is kept); raises for unknown records and bad values."""
        return self._corrections("correct")(self.store, kind, record_id, field, value, reason, user)

    def undo_correction(self, correction_id: int, reason: str, user: str) -> Any:
        return self._corrections("undo_correction")(self.store, correction_id, reason, user)

    def correction(self, correction_id: int) -> Any | None:
        return self._corrections("correction")(self.store, correction_id)

    def sources(self, kind: RecordKind, record_id: str) -> Any:
        return self._function("record_sources")(self.store, kind, record_id)

    def merge(self, kind: RecordKind, record_ids: list[str], reason: str, user: str) -> list[Any]:
        """Fold every other record into the first, one decision each (each can be undone on its own)."""
        merge = self._function("merge")
        keep, *others = record_ids
        return [merge(self.store, kind, keep, other, reason, user) for other in others]

    def split(self, kind: RecordKind, record_id: str, article_ids: list[str], reason: str, user: str) -> Any:
        return self._function("split")(self.store, kind, record_id, article_ids, reason, user)

    def decisions(self) -> list[Any]:
        return list(self._function("list_decisions")(self.store))

    def relink(self) -> Any:
        return self._function("relink")(self.store)


def http_call(call: Any, *args: Any, **kwargs: Any) -> Any:
    """A records call from the API or the desk's forms, its failures as HTTP statuses: 503 when linking is not
    installed, 404 for an unknown record (any LookupError), 422 for a refused change."""
    try:
        return call(*args, **kwargs)
    except RecordsUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except (IncitewatchError, ValueError) as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
