"""Base of the modules that keep their own tables in the SQLite store (records, feeds): one connection, one lock."""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager

from incitewatch.store.sqlite import SQLiteStore


class StoreExtension:
    """Tables of one concern inside a ``SQLiteStore``, written in the store's own transactions.

    Subclasses read and write through ``_db`` only inside ``transaction()`` (or the store's read helpers), so
    that their writes commit or roll back together with the store's own (an ingested article and its links).
    """

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    @property
    def _db(self) -> sqlite3.Connection:
        return self.store.connection

    def transaction(self) -> AbstractContextManager[None]:
        return self.store.transaction()

    def _reading(self, what: str) -> AbstractContextManager[sqlite3.Connection]:
        return self.store.reading(what)
