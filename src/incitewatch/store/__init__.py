"""Persistence: Store protocol, the default SQLite store, and ``open_store`` (pick one by path or URL)."""

from __future__ import annotations

from pathlib import Path

from incitewatch.errors import StoreError
from incitewatch.store.base import ArticleSummary, EntityHit, SaveResult, SearchHit, Store, StoredRaw
from incitewatch.store.sqlite import SQLiteStore, default_db_path

__all__ = [
    "ArticleSummary",
    "EntityHit",
    "SQLiteStore",
    "SaveResult",
    "SearchHit",
    "Store",
    "StoredRaw",
    "default_db_path",
    "open_store",
]

_SQLITE_URL_PREFIX = "sqlite:///"
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(target: str | Path) -> Store:
    """Open (creating and migrating as needed) the store at a path, ``sqlite:///PATH`` or ``:memory:``."""
    if isinstance(target, Path):
        return SQLiteStore(target)
    if target.startswith(_SQLITE_URL_PREFIX):
        return SQLiteStore(target.removeprefix(_SQLITE_URL_PREFIX))
    if target.startswith(_POSTGRES_SCHEMES):
        raise StoreError(
            f"{_redact(target)}: PostgreSQL stores are not supported yet; use a SQLite file path"
        )
    if "://" in target:
        raise StoreError(f"{_redact(target)}: unknown store URL scheme; use a file path or sqlite:///PATH")
    return SQLiteStore(target)


def _redact(url: str) -> str:
    """Never echo a password from a connection URL into an error message."""
    scheme, _, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    return f"{scheme}://***@{host}" if at and credentials else url
