"""The desk's door to cross-document records (actors, releases, attacks) and analysts' decisions.

Linking lives in ``incitewatch.link.linker`` (``list_*``, ``get_*``, ``merge``, ``split``, ``undo``,
``record_sources``, ``relink``). Should that module be missing (a trimmed install), every call here raises
:class:`RecordsUnavailable`, which the API turns into 503 and the pages into a notice, while everything built on
per-article data keeps working.
"""

from __future__ import annotations

import dataclasses
import importlib
from types import ModuleType
from typing import Any

from incitewatch.api.queries import ReadModel
from incitewatch.link.records import RecordKind
from incitewatch.store.base import Store

LINKER_MODULE = "incitewatch.link.linker"


class RecordsUnavailable(RuntimeError):
    """Cross-document linking is not installed (or lacks the function asked for)."""


def linker_module() -> ModuleType | None:
    try:
        return importlib.import_module(LINKER_MODULE)
    except ImportError:
        return None


def to_jsonable(value: Any) -> Any:
    """Records are frozen dataclasses; the API speaks JSON."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: to_jsonable(getattr(value, item.name)) for item in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    return value


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
        get = self._function(f"get_{kind}")
        records = (get(self.store, record_id) for record_id in self.reads.newest_record_ids(kind, limit, offset))
        return [record for record in records if record is not None]

    def get(self, kind: RecordKind, record_id: str) -> Any | None:
        return self._function(f"get_{kind}")(self.store, record_id)

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

