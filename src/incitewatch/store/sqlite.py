"""The default store: one SQLite file (WAL, foreign keys, FTS5), schema from named migrations.

Raw inputs are kept (zlib-compressed) so any article can be re-analysed; an article is stored once however
many copies produced it, with every copy recorded in ``article_sources``. Every public write is one
transaction: a failure leaves the store exactly as it was and surfaces as :class:`StoreError`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import threading
import time
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs

from incitewatch.errors import StoreError
from incitewatch.serialize import event_to_dict
from incitewatch.store.base import (
    ArticleCopy,
    ArticleSummary,
    EntityHit,
    IngestOutcome,
    SaveResult,
    SearchHit,
    StoredRaw,
    TriageStatus,
)
from incitewatch.types import AnalyzedDoc, RawDocument

DB_ENV_VAR = "INCITEWATCH_DB"
DB_FILE_NAME = "incitewatch.sqlite"
MEMORY = ":memory:"
DEFAULT_BUSY_TIMEOUT_S = 10.0
_MIGRATION_FILE = re.compile(r"^\d{4}_[a-z0-9_]+\.sql$")
_COUNTED_TABLES = (
    "raw_documents",
    "articles",
    "article_sources",
    "entities",
    "entity_mentions",
    "events",
)
# Private-use code points never occur in news text, so they can mark highlights and be stripped out again.
_HIGHLIGHT_OPEN = "\ue000"
_HIGHLIGHT_CLOSE = "\ue001"
_SNIPPET_TOKENS = 24
# Title matches count ten times as much as body matches.
_BM25_WEIGHTS = "10.0, 1.0"
_QUERY_TERM = re.compile(r'"([^"]*)"|(\S+)')


@dataclass(frozen=True, slots=True)
class Migration:
    name: str
    sql: str


def default_db_path(explicit: str | Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """``explicit`` (the CLI's ``--db``), else ``$INCITEWATCH_DB``, else the per-user data directory."""
    if explicit is not None and str(explicit):
        return Path(explicit).expanduser()
    environment = os.environ if env is None else env
    from_env = environment.get(DB_ENV_VAR, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return Path(platformdirs.user_data_dir("incitewatch")) / DB_FILE_NAME


@lru_cache(maxsize=1)
def load_migrations() -> tuple[Migration, ...]:
    """The packaged migrations, ordered by their numeric prefix."""
    folder = resources.files("incitewatch.store").joinpath("migrations")
    named = sorted(entry.name for entry in folder.iterdir() if _MIGRATION_FILE.match(entry.name))
    return tuple(
        Migration(name.removesuffix(".sql"), folder.joinpath(name).read_text(encoding="utf-8"))
        for name in named
    )


def split_sql(script: str) -> list[str]:
    """Split a script into complete statements (trigger bodies included) to run them inside our transaction.

    ``executescript`` would commit any open transaction first, which would make a migration non-atomic.
    """
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    leftover = pending.removesuffix(";").strip()
    if _strip_sql_comments(leftover):
        raise ValueError(f"incomplete SQL statement at end of script: {leftover[:80]!r}")
    return [statement for statement in statements if _strip_sql_comments(statement.removesuffix(";"))]


def _strip_sql_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines()).strip()


def fts_query(text: str) -> str | None:
    """Turn free text into a safe FTS5 query: every term becomes a quoted phrase, terms are ANDed.

    Quoted "multi word" phrases are kept as phrases and a trailing ``*`` asks for a prefix match; everything
    else (operators, parentheses, unbalanced quotes, hyphens as in ISIS-K) is searched as plain words, so FTS5
    syntax errors can never reach the user. Returns None when nothing searchable remains.
    """
    phrases: list[str] = []
    # FTS5 reads a NUL as the end of the query string, leaving a quote unterminated.
    for match in _QUERY_TERM.finditer(text.replace("\x00", " ")):
        quoted, word = match.groups()
        term = quoted if quoted is not None else word.replace('"', " ")
        prefix = quoted is None and term.endswith("*")
        term = term.strip().rstrip("*").strip()
        if not any(char.isalnum() for char in term):
            continue
        phrase = '"' + term.replace('"', '""') + '"'
        phrases.append(phrase + " *" if prefix else phrase)
    return " ".join(phrases) if phrases else None


def name_key(name: str) -> str:
    """Casefolded, accent-free form used to match entity names ("Hudhayfah" ~ "hudhayfah")."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold().strip()


def _like_contains(key: str) -> str:
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _like_prefix(key: str) -> str:
    return _like_contains(key)[1:]


def _split_highlights(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    opened_at: int | None = None
    for char in marked:
        if char == _HIGHLIGHT_OPEN:
            opened_at = length
        elif char == _HIGHLIGHT_CLOSE and opened_at is not None:
            spans.append((opened_at, length))
            opened_at = None
        else:
            plain.append(char)
            length += 1
    return "".join(plain), tuple(spans)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _drop_unmentioned_entities(connection: sqlite3.Connection, entity_ids: Iterable[str]) -> None:
    """Of ``entity_ids``, the entities no stored article mentions any more (a re-analysis stopped finding them),
    with their names: actor lists and name search would otherwise offer them, mentioned by no article."""
    connection.executemany(
        "DELETE FROM entities WHERE id = ? AND NOT EXISTS (SELECT 1 FROM article_entities WHERE entity_id = ?)"
        " AND NOT EXISTS (SELECT 1 FROM entity_mentions WHERE entity_id = ?)",
        [(entity_id, entity_id, entity_id) for entity_id in sorted(set(entity_ids))],
    )


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _configure(connection: sqlite3.Connection, busy_timeout_s: float) -> None:
    connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
    connection.execute("PRAGMA foreign_keys = ON")
    _enable_wal(connection, busy_timeout_s)
    # With WAL, NORMAL stays consistent after a crash and only risks the last commits on power loss.
    connection.execute("PRAGMA synchronous = NORMAL")


def _enable_wal(connection: sqlite3.Connection, busy_timeout_s: float) -> None:
    """Switch a new file to WAL. SQLite answers "database is locked" at once, without waiting out the busy
    timeout, when another connection opens the same new file at that moment (six stores opened together failed
    about one time in eight), so the switch is retried until the busy timeout is spent."""
    deadline = time.monotonic() + busy_timeout_s
    pause = 0.01
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def _apply_migrations(connection: sqlite3.Connection, where: str, clock: Callable[[], datetime]) -> None:
    connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    known = load_migrations()
    applied = {row[0] for row in connection.execute("SELECT name FROM schema_migrations")}
    unknown = sorted(applied - {migration.name for migration in known})
    if unknown:
        raise StoreError(
            f"{where}: the database was written by a newer incitewatch (unknown schema migrations: "
            f"{', '.join(unknown)}); upgrade incitewatch to open it"
        )
    for migration in known:
        if migration.name not in applied:
            _apply_one(connection, migration, clock)


def _apply_one(connection: sqlite3.Connection, migration: Migration, clock: Callable[[], datetime]) -> None:
    connection.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have applied it while we waited for the write lock.
        done = connection.execute(
            "SELECT 1 FROM schema_migrations WHERE name = ?", (migration.name,)
        ).fetchone()
        if done is None:
            for statement in split_sql(migration.sql):
                connection.execute(statement)
            connection.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                (migration.name, _iso(clock())),
            )
        connection.execute("COMMIT")
    except BaseException:
        _rollback(connection)
        raise


def _rollback(connection: sqlite3.Connection) -> None:
    # SQLite may already have rolled back (disk full, I/O error); a second ROLLBACK would hide the cause.
    if connection.in_transaction:
        connection.execute("ROLLBACK")


class SQLiteStore:
    """A store in one SQLite file; ``":memory:"`` gives a throwaway store (tests, one-off analyses)."""

    def __init__(
        self,
        path: str | Path,
        *,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.path = str(path) if str(path) == MEMORY else str(Path(path).expanduser())
        self._clock = clock
        self._lock = threading.RLock()
        self._in_transaction = False  # inside transaction(): the write methods join it instead of committing
        self._connection = self._open(busy_timeout_s)

    def _open(self, busy_timeout_s: float) -> sqlite3.Connection:
        if self.path != MEMORY:
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot create the store's folder: {exc.strerror}") from exc
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so each public call is one transaction.
            connection = sqlite3.connect(
                self.path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the store: {exc}") from exc
        try:
            _configure(connection, busy_timeout_s)
            _apply_migrations(connection, self.path, self._clock)
        except sqlite3.Error as exc:
            connection.close()
            raise StoreError(
                f"{self.path}: cannot open the store: {exc} (is it an incitewatch database?)"
            ) from exc
        except BaseException:
            connection.close()
            raise
        return connection

    # -- lifecycle ---------------------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"

    @contextmanager
    def _write(self, what: str) -> Iterator[sqlite3.Connection]:
        """One write transaction; any failure rolls everything back and becomes a StoreError.
        Inside :meth:`transaction` the write joins the open transaction (committed or rolled back as one)."""
        with self._lock:
            if self._in_transaction:
                try:
                    yield self._connection
                except (sqlite3.Error, TypeError, ValueError) as exc:
                    raise StoreError(f"{self.path}: could not {what}: {exc}") from exc
                return
            try:
                self._connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: could not {what}: {exc}") from exc
            try:
                yield self._connection
                self._connection.execute("COMMIT")
            except BaseException as exc:
                _rollback(self._connection)
                if isinstance(exc, sqlite3.Error | TypeError | ValueError):
                    raise StoreError(f"{self.path}: could not {what}; nothing was changed: {exc}") from exc
                raise

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything written inside is committed together or not at all (a nested call joins the outer one).
        The write lock is held until the end, so keep slow work (analysis) outside."""
        with self._lock:
            if self._in_transaction:
                yield
                return
            try:
                self._connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: could not start a transaction: {exc}") from exc
            self._in_transaction = True
            try:
                yield
                self._connection.execute("COMMIT")
            except BaseException as exc:
                _rollback(self._connection)
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(f"{self.path}: transaction failed; nothing was changed: {exc}") from exc
                raise
            finally:
                self._in_transaction = False

    @property
    def connection(self) -> sqlite3.Connection:
        """The store's one connection, for store extensions (``store/extension.py``) working inside
        ``transaction()``; anything else should use the methods above."""
        return self._connection

    def reading(self, what: str) -> AbstractContextManager[sqlite3.Connection]:
        """The connection under the store's lock for plain reads (no write transaction, so readers do not queue
        behind writers); ``what`` names the read in the error if it fails."""
        return self._read(what)

    @contextmanager
    def _read(self, what: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._connection
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: could not {what}: {exc}") from exc

    # -- raw documents -----------------------------------------------------------------------------------

    def add_raw(self, raw: RawDocument) -> str:
        """Keep the bytes (once per distinct content) and return their SHA-256."""
        sha256 = hashlib.sha256(raw.data).hexdigest()
        with self._write(f"store raw document {raw.uri}") as connection:
            connection.execute(
                "INSERT OR IGNORE INTO raw_documents (sha256, uri, source, media_type, declared_published,"
                " declared_title, declared_outlet, fetched_at, size, compression, bytes, received_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'zlib', ?, ?)",
                (
                    sha256,
                    raw.uri,
                    raw.source,
                    raw.media_type,
                    _iso(raw.declared_published),
                    raw.declared_title,
                    raw.declared_outlet,
                    _iso(raw.fetched_at),
                    len(raw.data),
                    zlib.compress(raw.data),
                    _iso(self._clock()),
                ),
            )
        return sha256

    def get_raw(self, sha256: str) -> RawDocument | None:
        with self._read(f"read raw document {sha256}") as connection:
            row = connection.execute(_RAW_COLUMNS_SQL + " WHERE sha256 = ?", (sha256,)).fetchone()
        return None if row is None else _raw_from_row(row).raw

    def iter_raw(
        self, *, stale_for: tuple[str, ...] | None = None, batch_size: int = 100
    ) -> Iterator[StoredRaw]:
        """Every stored raw document in sha256 order; with ``stale_for`` (the pipeline versions whose analyses are
        current), only those with no article analysed by one of them (what a re-analysis still has to do).
        Reads in batches, so writes may interleave."""
        current = json.dumps(list(stale_for)) if stale_for is not None else None
        after = ""
        while True:
            with self._read("list raw documents") as connection:
                rows = connection.execute(
                    _RAW_COLUMNS_SQL + " WHERE r.sha256 > ? AND (? IS NULL OR NOT EXISTS ("
                    " SELECT 1 FROM article_sources s JOIN articles a ON a.id = s.article_id"
                    " WHERE s.raw_sha256 = r.sha256 AND a.pipeline_version IN (SELECT value FROM json_each(?))))"
                    " ORDER BY r.sha256 LIMIT ?",
                    (after, current, current, batch_size),
                ).fetchall()
            for row in rows:
                yield _raw_from_row(row)
            if len(rows) < batch_size:
                return
            after = rows[-1][0]

    # -- articles ----------------------------------------------------------------------------------------

    def save_analysis(
        self,
        doc: AnalyzedDoc,
        analysis: Mapping[str, Any],
        raw_sha256: str | None,
        uri: str | None,
        pipeline_version: str,
        *,
        force: bool = False,
    ) -> SaveResult:
        """Store an analysed article once. Saving the same article again only records the extra source; saving
        it under another ``pipeline_version`` (or with ``force``) replaces its analysis and annotations in one
        transaction."""
        article_id = doc.article.id
        raw_sha256 = raw_sha256 or doc.article.raw_sha256
        uri = uri or doc.article.url
        now = _iso(self._clock())
        with self._write(f"save article {article_id}") as connection:
            row = connection.execute(
                "SELECT pipeline_version FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            if row is None:
                self._insert_article(connection, doc, analysis, raw_sha256, pipeline_version, now)
                result = SaveResult(article_id, created=True)
            elif force or row[0] != pipeline_version:
                self._replace_article(connection, doc, analysis, raw_sha256, pipeline_version, now)
                result = SaveResult(article_id, created=False, replaced=True)
            else:
                result = SaveResult(article_id, created=False)
            connection.execute(
                "INSERT OR IGNORE INTO article_sources (article_id, raw_sha256, uri, recorded_at)"
                " VALUES (?, ?, ?, ?)",
                (article_id, raw_sha256, uri, now),
            )
        return result

    def _insert_article(
        self,
        connection: sqlite3.Connection,
        doc: AnalyzedDoc,
        analysis: Mapping[str, Any],
        raw_sha256: str | None,
        pipeline_version: str,
        now: str | None,
    ) -> None:
        article = doc.article
        connection.execute(
            "INSERT INTO articles (id, raw_sha256, url, title, outlet, author, published, language, text,"
            " analysis, pipeline_version, analysed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article.id,
                raw_sha256,
                article.url,
                article.title,
                article.outlet,
                article.author,
                _iso(article.published),
                article.language,
                article.text,
                json.dumps(analysis, ensure_ascii=False),
                pipeline_version,
                now,
            ),
        )
        self._insert_annotations(connection, doc)

    def _replace_article(
        self,
        connection: sqlite3.Connection,
        doc: AnalyzedDoc,
        analysis: Mapping[str, Any],
        raw_sha256: str | None,
        pipeline_version: str,
        now: str | None,
    ) -> None:
        article = doc.article
        connection.execute(
            "UPDATE articles SET raw_sha256 = coalesce(?, raw_sha256), url = ?, title = ?, outlet = ?,"
            " author = ?, published = ?, language = ?, text = ?, analysis = ?, pipeline_version = ?,"
            " analysed_at = ? WHERE id = ?",
            (
                raw_sha256,
                article.url,
                article.title,
                article.outlet,
                article.author,
                _iso(article.published),
                article.language,
                article.text,
                json.dumps(analysis, ensure_ascii=False),
                pipeline_version,
                now,
                article.id,
            ),
        )
        had = connection.execute("SELECT entity_id FROM article_entities WHERE article_id = ?", (article.id,))
        mentioned_before = [str(row[0]) for row in had]
        for table in ("entity_mentions", "article_entities", "events"):
            connection.execute(f"DELETE FROM {table} WHERE article_id = ?", (article.id,))
        self._insert_annotations(connection, doc)
        _drop_unmentioned_entities(connection, mentioned_before)

    def _insert_annotations(self, connection: sqlite3.Connection, doc: AnalyzedDoc) -> None:
        article_id = doc.article.id
        names: dict[str, set[str]] = {}
        kinds: dict[str, tuple[str, str]] = {}
        mentions: set[tuple[str, int, int, str]] = set()
        for entity in doc.entities:
            kinds[entity.id] = (entity.type, entity.name)
            names.setdefault(entity.id, set()).update((entity.name, *entity.aliases))
            mentions.update((entity.id, m.start, m.end, m.text) for m in entity.mentions)
        for place in doc.places:
            kinds.setdefault(place.entity_id, ("place", place.name))
            names.setdefault(place.entity_id, set()).update((place.name, place.text))
            mentions.add((place.entity_id, place.start, place.end, place.text))
        connection.executemany(
            "INSERT INTO entities (id, type, name) VALUES (?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET type = excluded.type, name = excluded.name",
            [(entity_id, kind, name) for entity_id, (kind, name) in kinds.items()],
        )
        connection.executemany(
            "INSERT OR IGNORE INTO entity_names (entity_id, name, name_key) VALUES (?, ?, ?)",
            [
                (entity_id, name, name_key(name))
                for entity_id, variants in names.items()
                for name in variants
                if name
            ],
        )
        connection.executemany(
            "INSERT OR IGNORE INTO article_entities (article_id, entity_id) VALUES (?, ?)",
            [(article_id, entity_id) for entity_id in kinds],
        )
        connection.executemany(
            "INSERT INTO entity_mentions (article_id, entity_id, start_char, end_char, text)"
            " VALUES (?, ?, ?, ?, ?)",
            [(article_id, *mention) for mention in sorted(mentions, key=lambda m: (m[1], m[2], m[0]))],
        )
        self._insert_events(connection, doc)

    def _insert_events(self, connection: sqlite3.Connection, doc: AnalyzedDoc) -> None:
        # The json column holds the event exactly as the analysis contract writes it: one format for readers.
        connection.executemany(
            "INSERT INTO events (article_id, id, type, time, verification, confidence, json)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    doc.article.id,
                    event.id,
                    event.type,
                    event.time,
                    event.verification,
                    event.confidence,
                    json.dumps(event_to_dict(event), ensure_ascii=False),
                )
                for event in doc.events
            ],
        )

    def get_article(self, article_id: str) -> dict[str, Any] | None:
        """The stored analysis dict (the JSON contract), or None."""
        with self._read(f"read article {article_id}") as connection:
            row = connection.execute("SELECT analysis FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return None
        analysis: dict[str, Any] = json.loads(row[0])
        return analysis

    def article_uris(self, article_id: str) -> list[str]:
        """Every URI that produced this article, in the order they were recorded."""
        with self._read(f"read sources of article {article_id}") as connection:
            rows = connection.execute(
                "SELECT uri FROM article_sources WHERE article_id = ? AND uri IS NOT NULL ORDER BY rowid",
                (article_id,),
            ).fetchall()
        return [row[0] for row in rows]

    def articles_of_raw(self, sha256: str) -> dict[str, str | None]:
        """The articles this stored input is a source of (its own article, or the one it is a copy of), each with
        the input its stored analysis was made from (None when unknown)."""
        with self._read(f"read articles of raw document {sha256}") as connection:
            rows = connection.execute(
                "SELECT DISTINCT a.id, a.raw_sha256 FROM article_sources s JOIN articles a ON a.id = s.article_id"
                " WHERE s.raw_sha256 = ? ORDER BY a.seq",
                (sha256,),
            ).fetchall()
        return {str(article_id): raw_sha256 for article_id, raw_sha256 in rows}

    def list_articles(self, limit: int = 50, offset: int = 0) -> list[ArticleSummary]:
        """Newest publication first; undated articles last, most recently stored first."""
        with self._read("list articles") as connection:
            rows = connection.execute(
                "SELECT id, title, outlet, published, url, language, pipeline_version, analysed_at"
                " FROM articles ORDER BY published IS NULL, published DESC, seq DESC LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        return [ArticleSummary(*row) for row in rows]

    # -- search ------------------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 20, offset: int = 0) -> list[SearchHit]:
        """Full-text search over titles and texts, best first (bm25, titles weighted up)."""
        match = fts_query(query)
        if match is None:
            return []
        with self._read(f"search for {query!r}") as connection:
            rows = connection.execute(
                "SELECT a.id, a.title, a.outlet, a.published, a.url,"
                f" snippet(articles_fts, -1, ?, ?, '…', {_SNIPPET_TOKENS}),"
                f" bm25(articles_fts, {_BM25_WEIGHTS}) AS rank"
                " FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid"
                " WHERE articles_fts MATCH ? ORDER BY rank, a.seq LIMIT ? OFFSET ?",
                (_HIGHLIGHT_OPEN, _HIGHLIGHT_CLOSE, match, limit, offset),
            ).fetchall()
        hits = []
        for article_id, title, outlet, published, url, marked, rank in rows:
            snippet, highlights = _split_highlights(marked or "")
            hits.append(SearchHit(article_id, title, outlet, published, url, snippet, highlights, -rank))
        return hits

    def search_entities(self, query: str, limit: int = 20) -> list[EntityHit]:
        """Entities whose name or an alias contains the query (case- and accent-insensitive): exact matches
        first, then prefixes, then the entities that appear in the most articles."""
        key = name_key(query)
        if not key:
            return []
        with self._read(f"search entities for {query!r}") as connection:
            rows = connection.execute(
                "SELECT entity_id, type, name, matched, article_count FROM ("
                " SELECT e.id AS entity_id, e.type, e.name, n.name AS matched,"
                "  (SELECT count(*) FROM article_entities ae WHERE ae.entity_id = e.id) AS article_count,"
                "  CASE WHEN n.name_key = ? THEN 0 WHEN n.name_key LIKE ? ESCAPE '\\' THEN 1 ELSE 2 END"
                "   AS closeness,"
                "  row_number() OVER (PARTITION BY e.id ORDER BY"
                "   CASE WHEN n.name_key = ? THEN 0 WHEN n.name_key LIKE ? ESCAPE '\\' THEN 1 ELSE 2 END,"
                "   n.name = e.name DESC, n.name) AS nth"
                " FROM entity_names n JOIN entities e ON e.id = n.entity_id"
                " WHERE n.name_key LIKE ? ESCAPE '\\')"
                " WHERE nth = 1 ORDER BY closeness, article_count DESC, name LIMIT ?",
                (key, _like_prefix(key), key, _like_prefix(key), _like_contains(key), limit),
            ).fetchall()
        return [EntityHit(*row) for row in rows]

    # -- ingest journal, triage labels, near-duplicates ----------------------------------------------------

    def article_pipeline_version(self, article_id: str) -> str | None:
        """The pipeline version that analysed a stored article, or None when it is not stored."""
        with self._read(f"read article {article_id}") as connection:
            row = connection.execute(
                "SELECT pipeline_version FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
        return None if row is None else str(row[0])

    def article_triage_reason(self, article_id: str) -> str | None:
        """Why a stored article was (or was not) analysed, as recorded by ``label_article``; None when unlabelled."""
        with self._read(f"read triage of {article_id}") as connection:
            row = connection.execute("SELECT reason FROM article_triage WHERE article_id = ?", (article_id,)).fetchone()
        return None if row is None else str(row[0])

    def is_input_done(self, uri: str, raw_sha256: str) -> bool:
        """Whether this input (these bytes from this URI) was ingested already; failures count as not done."""
        with self._read(f"read ingest journal for {uri}") as connection:
            row = connection.execute(
                "SELECT 1 FROM ingest_journal WHERE uri = ? AND raw_sha256 = ? AND outcome != 'failed'",
                (uri, raw_sha256),
            ).fetchone()
        return row is not None

    def record_input(
        self, uri: str, raw_sha256: str, outcome: IngestOutcome, article_id: str | None, reason: str | None
    ) -> None:
        """Journal what happened to one input (replacing an earlier failure of the same input)."""
        with self._write(f"journal input {uri}") as connection:
            connection.execute(
                "INSERT INTO ingest_journal (uri, raw_sha256, outcome, article_id, reason, recorded_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (uri, raw_sha256) DO UPDATE SET"
                " outcome = excluded.outcome, article_id = excluded.article_id, reason = excluded.reason,"
                " recorded_at = excluded.recorded_at",
                (uri, raw_sha256, outcome, article_id, reason, _iso(self._clock())),
            )

    def journal_counts(self) -> dict[str, int]:
        """Journalled inputs by outcome."""
        with self._read("count journalled inputs") as connection:
            rows = connection.execute(
                "SELECT outcome, count(*) FROM ingest_journal GROUP BY outcome"
            ).fetchall()
        return {str(outcome): int(count) for outcome, count in rows}

    def label_article(self, article_id: str, status: TriageStatus, score: float | None, reason: str) -> None:
        """Record whether (and why not) an article was analysed."""
        with self._write(f"label article {article_id}") as connection:
            connection.execute(
                "INSERT INTO article_triage (article_id, status, score, reason, recorded_at)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (article_id) DO UPDATE SET status = excluded.status, score = excluded.score,"
                " reason = excluded.reason, recorded_at = excluded.recorded_at",
                (article_id, status, score, reason, _iso(self._clock())),
            )

    def save_signature(
        self, article_id: str, scheme: str, signature: bytes, band_keys: Sequence[int]
    ) -> None:
        """Index an original article for near-duplicate look-ups by its LSH band keys."""
        with self._write(f"index article {article_id} for near-duplicates") as connection:
            connection.execute(
                "INSERT OR REPLACE INTO article_signatures (article_id, scheme, signature) VALUES (?, ?, ?)",
                (article_id, scheme, signature),
            )
            connection.executemany(
                "INSERT OR IGNORE INTO article_bands (band_key, article_id) VALUES (?, ?)",
                [(key, article_id) for key in band_keys],
            )

    def near_duplicate_candidates(self, scheme: str, band_keys: Sequence[int]) -> list[tuple[str, bytes]]:
        """(article id, signature) of stored articles sharing a band key, in storage order."""
        if not band_keys:
            return []
        marks = ", ".join("?" for _ in band_keys)
        with self._read("look up near-duplicate candidates") as connection:
            rows = connection.execute(
                "SELECT s.article_id, s.signature FROM article_signatures s"
                " JOIN articles a ON a.id = s.article_id"
                f" WHERE s.scheme = ? AND s.article_id IN (SELECT article_id FROM article_bands"
                f" WHERE band_key IN ({marks})) ORDER BY a.seq",
                (scheme, *band_keys),
            ).fetchall()
        return [(str(article_id), bytes(signature)) for article_id, signature in rows]

    def record_copy(self, copy: ArticleCopy) -> None:
        """Keep another copy of a stored article as evidence of spread, and as one of its sources."""
        now = _iso(self._clock())
        with self._write(f"record a copy of article {copy.article_id}") as connection:
            connection.execute(
                "INSERT OR IGNORE INTO article_copies (article_id, copy_id, kind, similarity, raw_sha256,"
                " uri, outlet, published, title, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    copy.article_id,
                    copy.copy_id,
                    copy.kind,
                    copy.similarity,
                    copy.raw_sha256,
                    copy.uri,
                    copy.outlet,
                    copy.published,
                    copy.title,
                    now,
                ),
            )
            connection.execute(
                "INSERT OR IGNORE INTO article_sources (article_id, raw_sha256, uri, recorded_at)"
                " VALUES (?, ?, ?, ?)",
                (copy.article_id, copy.raw_sha256, copy.uri, now),
            )

    def article_copies(self, article_id: str) -> list[ArticleCopy]:
        """Other copies of an article, in the order they were recorded."""
        with self._read(f"read copies of article {article_id}") as connection:
            rows = connection.execute(
                "SELECT article_id, copy_id, kind, similarity, raw_sha256, uri, outlet, published, title"
                " FROM article_copies WHERE article_id = ? ORDER BY rowid",
                (article_id,),
            ).fetchall()
        return [ArticleCopy(*row) for row in rows]

    # -- statistics --------------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        with self._read("count rows") as connection:
            return {
                table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in _COUNTED_TABLES
            }

    def schema_migrations(self) -> list[str]:
        """Names of the applied migrations, in order."""
        with self._read("list schema migrations") as connection:
            return [row[0] for row in connection.execute("SELECT name FROM schema_migrations ORDER BY name")]

    def journal_mode(self) -> str:
        with self._read("read journal mode") as connection:
            mode: str = connection.execute("PRAGMA journal_mode").fetchone()[0]
            return mode


_RAW_COLUMNS_SQL = (
    "SELECT r.sha256, r.uri, r.source, r.media_type, r.declared_published, r.declared_title,"
    " r.declared_outlet, r.fetched_at, r.compression, r.bytes, r.received_at FROM raw_documents r"
)


def _raw_from_row(row: tuple[Any, ...]) -> StoredRaw:
    (
        sha256,
        uri,
        source,
        media_type,
        published,
        title,
        outlet,
        fetched_at,
        compression,
        blob,
        received_at,
    ) = row
    data = zlib.decompress(blob) if compression == "zlib" else bytes(blob)
    raw = RawDocument(
        data=data,
        uri=uri,
        source=source,
        media_type=media_type,
        declared_published=date.fromisoformat(published) if published else None,
        fetched_at=datetime.fromisoformat(fetched_at) if fetched_at else None,
        declared_title=title,
        declared_outlet=outlet,
    )
    return StoredRaw(sha256=sha256, raw=raw, received_at=received_at)
