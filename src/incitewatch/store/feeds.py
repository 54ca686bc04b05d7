"""Persistence of watched feeds (tables of migration 0005_feeds) on top of a ``SQLiteStore``.

Each write method is its own transaction (or joins the caller's ``FeedStore.transaction()``). Times are ISO 8601
strings in UTC, as everywhere in the store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from incitewatch.errors import StoreError
from incitewatch.store.extension import StoreExtension

_FEED_COLUMNS = (
    "url, title, etag, last_modified, added_at, last_polled, last_ok, consecutive_failures, next_poll_at,"
    " last_error, items_seen"
)


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the store knows of one feed."""

    url: str
    title: str | None
    etag: str | None
    last_modified: str | None
    added_at: str
    last_polled: str | None
    last_ok: str | None
    consecutive_failures: int
    next_poll_at: str | None
    last_error: str | None
    items_seen: int

    @property
    def failing(self) -> bool:
        return self.consecutive_failures > 0

    def due(self, now: datetime) -> bool:
        return self.next_poll_at is None or datetime.fromisoformat(self.next_poll_at) <= now


def _feed_from_row(row: Sequence[Any]) -> FeedState:
    return FeedState(*row)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class FeedStore(StoreExtension):
    """Feeds, their validators and health, and the items seen, of one store."""


    @contextmanager
    def _writing(self, what: str) -> Iterator[sqlite3.Connection]:
        try:
            with self.store.transaction():
                yield self._db
        except sqlite3.Error as exc:
            raise StoreError(f"{self.store.path}: could not {what}: {exc}") from exc

    # -- feeds ---------------------------------------------------------------------------------------------

    def add_feed(self, url: str, *, title: str | None = None, now: datetime | None = None) -> bool:
        """Start tracking ``url``; False when it was tracked already (its state is kept)."""
        with self._writing("add a feed") as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO feeds (url, title, added_at) VALUES (?, ?, ?)",
                (url, title, iso(now or datetime.now(UTC))),
            )
            return cursor.rowcount > 0

    def add_feeds(self, urls: Iterable[str], *, now: datetime | None = None) -> int:
        """Track every URL not tracked yet, in one transaction; returns how many were new."""
        with self.transaction():
            return sum(self.add_feed(url, now=now) for url in urls)

    def remove_feed(self, url: str) -> bool:
        """Forget ``url`` and the items seen in it; False when it was not tracked."""
        with self._writing("remove a feed") as db:
            return db.execute("DELETE FROM feeds WHERE url = ?", (url,)).rowcount > 0

    def get_feed(self, url: str) -> FeedState | None:
        with self._reading("read a feed") as db:
            row = db.execute(f"SELECT {_FEED_COLUMNS} FROM feeds WHERE url = ?", (url,)).fetchone()
        return None if row is None else _feed_from_row(row)

    def list_feeds(self) -> list[FeedState]:
        with self._reading("list feeds") as db:
            rows = db.execute(f"SELECT {_FEED_COLUMNS} FROM feeds ORDER BY url").fetchall()
        return [_feed_from_row(row) for row in rows]

    def feed_health(self) -> list[FeedState]:
        """Failing feeds first (most failures in a row first), then the healthy ones, by URL."""
        return sorted(self.list_feeds(), key=lambda feed: (-feed.consecutive_failures, feed.url))

    # -- poll outcomes -------------------------------------------------------------------------------------

    def record_fetched(
        self,
        url: str,
        *,
        polled_at: datetime,
        next_poll_at: datetime,
        etag: str | None,
        last_modified: str | None,
        title: str | None,
    ) -> None:
        """A successful poll whose new items were all processed: keep its validators, reset the failures."""
        with self._writing("record a feed poll") as db:
            db.execute(
                "UPDATE feeds SET etag = ?, last_modified = ?, title = coalesce(?, title), last_polled = ?,"
                " last_ok = ?, consecutive_failures = 0, next_poll_at = ?, last_error = NULL WHERE url = ?",
                (etag, last_modified, title, iso(polled_at), iso(polled_at), iso(next_poll_at), url),
            )

    def record_not_modified(self, url: str, *, polled_at: datetime, next_poll_at: datetime) -> None:
        with self._writing("record a feed poll") as db:
            db.execute(
                "UPDATE feeds SET last_polled = ?, last_ok = ?, consecutive_failures = 0, next_poll_at = ?,"
                " last_error = NULL WHERE url = ?",
                (iso(polled_at), iso(polled_at), iso(next_poll_at), url),
            )

    def record_failure(self, url: str, error: str, *, polled_at: datetime, next_poll_at: datetime) -> None:
        with self._writing("record a feed failure") as db:
            db.execute(
                "UPDATE feeds SET last_polled = ?, consecutive_failures = consecutive_failures + 1,"
                " next_poll_at = ?, last_error = ? WHERE url = ?",
                (iso(polled_at), iso(next_poll_at), error, url),
            )

    # -- items ---------------------------------------------------------------------------------------------

    def done_items(self, url: str, keys: Iterable[str]) -> set[str]:
        """Those of ``keys`` already processed for feed ``url``."""
        wanted = list(dict.fromkeys(keys))
        done: set[str] = set()
        with self._reading("read feed items") as db:
            for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
                chunk = wanted[start : start + 500]
                marks = ", ".join("?" for _ in chunk)
                rows = db.execute(
                    f"SELECT item_key FROM feed_items WHERE feed_url = ? AND done = 1 AND item_key IN ({marks})",
                    (url, *chunk),
                ).fetchall()
                done.update(row[0] for row in rows)
        return done

    def item_attempts(self, url: str, key: str) -> int:
        with self._reading("read a feed item") as db:
            row = db.execute(
                "SELECT attempts FROM feed_items WHERE feed_url = ? AND item_key = ?", (url, key)
            ).fetchone()
        return 0 if row is None else int(row[0])

    def mark_item(
        self,
        url: str,
        key: str,
        *,
        link: str | None,
        done: bool,
        error: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """One attempt at an item: ``done`` when it was processed (or given up on), else kept for a retry."""
        with self._writing("record a feed item") as db:
            newly_done = (
                done
                and db.execute(
                    "SELECT 1 FROM feed_items WHERE feed_url = ? AND item_key = ? AND done = 1", (url, key)
                ).fetchone()
                is None
            )
            db.execute(
                "INSERT INTO feed_items (feed_url, item_key, link, first_seen, attempts, done, last_error)"
                " VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT (feed_url, item_key) DO UPDATE SET"
                " attempts = attempts + 1, done = excluded.done, last_error = excluded.last_error",
                (url, key, link, iso(now or datetime.now(UTC)), int(done), error),
            )
            if newly_done:
                db.execute("UPDATE feeds SET items_seen = items_seen + 1 WHERE url = ?", (url,))
