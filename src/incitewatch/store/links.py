"""Persistence of cross-document records (tables of migration 0003_links) on top of a ``SQLiteStore``.

The linker reads and writes through ``LinkStore`` only. Methods do not commit on their own: callers wrap a unit of
work in ``LinkStore.transaction()`` (the store's transaction), so one article's links are stored all or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from incitewatch.errors import StoreError
from incitewatch.store.base import ArticleCopy
from incitewatch.store.extension import StoreExtension

Profile = dict[str, Any]
Features = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One report (an event, or an actor entity, of one article) and the record it belongs to."""

    kind: str
    article_id: str
    item_id: str
    record_id: str
    published: str | None
    features: Features
    link_reason: str
    pinned: bool = False
    seq: int = 0


@dataclass(frozen=True, slots=True)
class DecisionRow:
    id: int
    kind: str
    action: str
    record_ids: tuple[str, ...]
    article_ids: tuple[str, ...]
    reason: str
    user: str
    created_at: str
    undone_by: int | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class LogRow:
    at: str
    user: str
    action: str
    kind: str | None
    record_id: str | None
    article_id: str | None
    reason: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _report_from_row(row: Sequence[Any]) -> ReportRow:
    seq, kind, article_id, item_id, record_id, published, features, reason, pinned = row
    return ReportRow(kind, article_id, item_id, record_id, published, json.loads(features), reason, bool(pinned), seq)


_REPORT_COLUMNS = "seq, kind, article_id, item_id, record_id, published, features, link_reason, pinned"


class LinkStore(StoreExtension):
    """Records, report assignments, blocking keys, decisions, pins, log and cited sources of one store."""


    # -- records and blocking ----------------------------------------------------------------------------

    def candidates(self, kind: str, keys: Iterable[str]) -> list[tuple[str, Profile]]:
        """(record id, profile) of every record sharing at least one blocking key, in id order."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return []
        marks = ", ".join("?" for _ in wanted)
        rows = self._db.execute(
            "SELECT id, profile FROM link_records WHERE kind = ? AND id IN (SELECT record_id FROM link_blocks"
            f" WHERE kind = ? AND block_key IN ({marks})) ORDER BY id",
            (kind, kind, *wanted),
        ).fetchall()
        return [(record_id, json.loads(profile)) for record_id, profile in rows]

    def profile(self, kind: str, record_id: str) -> Profile | None:
        row = self._db.execute(
            "SELECT profile FROM link_records WHERE kind = ? AND id = ?", (kind, record_id)
        ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def profiles(self, kind: str) -> Iterator[tuple[str, Profile]]:
        rows = self._db.execute("SELECT id, profile FROM link_records WHERE kind = ? ORDER BY id", (kind,))
        for record_id, profile in rows.fetchall():
            yield record_id, json.loads(profile)

    def save_record(self, kind: str, record_id: str, profile: Profile, keys: Iterable[str]) -> None:
        self._db.execute(
            "INSERT INTO link_records (kind, id, profile, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (kind, id) DO UPDATE SET profile = excluded.profile, updated_at = excluded.updated_at",
            (kind, record_id, json.dumps(profile, ensure_ascii=False, sort_keys=True), _now()),
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO link_blocks (kind, block_key, record_id) VALUES (?, ?, ?)",
            [(kind, key, record_id) for key in dict.fromkeys(keys)],
        )

    def clear_blocks(self, kind: str, record_id: str) -> None:
        self._db.execute("DELETE FROM link_blocks WHERE kind = ? AND record_id = ?", (kind, record_id))

    def delete_record(self, kind: str, record_id: str) -> None:
        self.clear_blocks(kind, record_id)
        self._db.execute("DELETE FROM link_records WHERE kind = ? AND id = ?", (kind, record_id))

    def record_ids(self, kind: str) -> list[str]:
        rows = self._db.execute("SELECT id FROM link_records WHERE kind = ? ORDER BY id", (kind,)).fetchall()
        return [row[0] for row in rows]

    # -- reports -------------------------------------------------------------------------------------------

    def add_report(self, report: ReportRow) -> None:
        self._db.execute(
            "INSERT INTO link_reports (kind, article_id, item_id, record_id, published, features, link_reason,"
            " pinned) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, article_id, item_id) DO UPDATE SET"
            " record_id = excluded.record_id, published = excluded.published, features = excluded.features,"
            " link_reason = excluded.link_reason, pinned = excluded.pinned",
            (
                report.kind,
                report.article_id,
                report.item_id,
                report.record_id,
                report.published,
                json.dumps(report.features, ensure_ascii=False, sort_keys=True),
                report.link_reason,
                int(report.pinned),
            ),
        )

    def reports_of_record(self, kind: str, record_id: str) -> list[ReportRow]:
        rows = self._db.execute(
            f"SELECT {_REPORT_COLUMNS} FROM link_reports WHERE kind = ? AND record_id = ? ORDER BY seq",
            (kind, record_id),
        ).fetchall()
        return [_report_from_row(row) for row in rows]

    def reports_of_article(self, article_id: str, kind: str | None = None) -> list[ReportRow]:
        sql = f"SELECT {_REPORT_COLUMNS} FROM link_reports WHERE article_id = ?"
        params: tuple[str, ...] = (article_id,)
        if kind is not None:
            sql += " AND kind = ?"
            params = (article_id, kind)
        return [_report_from_row(row) for row in self._db.execute(sql + " ORDER BY seq", params).fetchall()]

    def report(self, kind: str, article_id: str, item_id: str) -> ReportRow | None:
        row = self._db.execute(
            f"SELECT {_REPORT_COLUMNS} FROM link_reports WHERE kind = ? AND article_id = ? AND item_id = ?",
            (kind, article_id, item_id),
        ).fetchone()
        return None if row is None else _report_from_row(row)

    def delete_report(self, kind: str, article_id: str, item_id: str) -> None:
        self._db.execute(
            "DELETE FROM link_reports WHERE kind = ? AND article_id = ? AND item_id = ?", (kind, article_id, item_id)
        )

    def records_citing_feature(self, kind: str, field: str, value: str) -> list[str]:
        """Ids of records whose profile field equals ``value`` (e.g. the releases of one speaker)."""
        rows = self._db.execute(
            "SELECT id FROM link_records WHERE kind = ? AND json_extract(profile, ?) = ? ORDER BY id",
            (kind, f"$.{field}", value),
        ).fetchall()
        return [row[0] for row in rows]

    def report_count(self, kind: str) -> int:
        count: int = self._db.execute("SELECT count(*) FROM link_reports WHERE kind = ?", (kind,)).fetchone()[0]
        return count

    def clear_machine_links(self) -> None:
        """Forget every record and assignment (decisions, pins and the log stay): the start of a relink."""
        for table in ("link_records", "link_reports", "link_blocks", "link_sources"):
            self._db.execute(f"DELETE FROM {table}")

    # -- articles of the store ---------------------------------------------------------------------------

    def article_ids_in_order(self) -> list[str]:
        """Every stored article, oldest report first (undated last), then in storage order: relink's order."""
        rows = self._db.execute("SELECT id FROM articles ORDER BY published IS NULL, published, seq").fetchall()
        return [row[0] for row in rows]

    def article_outlets(self, article_ids: Iterable[str]) -> dict[str, tuple[str | None, str | None, str | None]]:
        """article id -> (outlet, published, title) from the articles table."""
        out: dict[str, tuple[str | None, str | None, str | None]] = {}
        for article_id in dict.fromkeys(article_ids):
            row = self._db.execute(
                "SELECT outlet, published, title FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            if row is not None:
                out[article_id] = (row[0], row[1], row[2])
        return out

    def copies_of(self, article_id: str) -> list[ArticleCopy]:
        """Syndicated/identical copies recorded by ingest (empty when the store predates that table)."""
        try:
            return self.store.article_copies(article_id)
        except StoreError:  # a store without the copies table: no copies known
            return []

    # -- cited sources -------------------------------------------------------------------------------------

    def save_sources(self, article_id: str, cited: Iterable[tuple[str, int, int, str]]) -> None:
        self._db.execute("DELETE FROM link_sources WHERE article_id = ?", (article_id,))
        self._db.executemany(
            "INSERT OR IGNORE INTO link_sources (article_id, cited, start_char, end_char, text) VALUES (?, ?, ?, ?, ?)",
            [(article_id, source, start, end, text) for source, start, end, text in cited],
        )

    def sources_of(self, article_id: str) -> list[tuple[str, int, int, str]]:
        rows = self._db.execute(
            "SELECT cited, start_char, end_char, text FROM link_sources WHERE article_id = ? ORDER BY start_char",
            (article_id,),
        ).fetchall()
        return [(row[0], row[1], row[2], row[3]) for row in rows]

    # -- decisions, pins, log ------------------------------------------------------------------------------

    def add_decision(
        self,
        kind: str,
        action: str,
        record_ids: Sequence[str],
        article_ids: Sequence[str],
        reason: str,
        user: str,
        details: dict[str, Any] | None = None,
    ) -> int:
        cursor = self._db.execute(
            "INSERT INTO link_decisions (kind, action, record_ids, article_ids, reason, user, created_at, details)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                kind,
                action,
                json.dumps(list(record_ids)),
                json.dumps(list(article_ids)),
                reason,
                user,
                _now(),
                json.dumps(details or {}),
            ),
        )
        decision_id = cursor.lastrowid
        assert decision_id is not None  # an INSERT into a rowid table always yields one
        return decision_id

    def update_decision_details(self, decision_id: int, details: dict[str, Any]) -> None:
        self._db.execute("UPDATE link_decisions SET details = ? WHERE id = ?", (json.dumps(details), decision_id))

    def decision(self, decision_id: int) -> DecisionRow | None:
        row = self._db.execute(
            "SELECT id, kind, action, record_ids, article_ids, reason, user, created_at, undone_by, details"
            " FROM link_decisions WHERE id = ?",
            (decision_id,),
        ).fetchone()
        if row is None:
            return None
        return DecisionRow(
            row[0],
            row[1],
            row[2],
            tuple(json.loads(row[3])),
            tuple(json.loads(row[4])),
            row[5],
            row[6],
            row[7],
            row[8],
            json.loads(row[9]),
        )

    def decisions(self) -> list[DecisionRow]:
        ids = [row[0] for row in self._db.execute("SELECT id FROM link_decisions ORDER BY id").fetchall()]
        return [d for d in (self.decision(i) for i in ids) if d is not None]

    def mark_undone(self, decision_id: int, undone_by: int) -> None:
        self._db.execute("UPDATE link_decisions SET undone_by = ? WHERE id = ?", (undone_by, decision_id))

    def add_pins(self, decision_id: int, kind: str, pins: Iterable[tuple[str, str, str]]) -> None:
        """Pin (article id, item id) reports to record ids."""
        self._db.executemany(
            "INSERT OR REPLACE INTO link_pins (decision_id, kind, article_id, item_id, record_id)"
            " VALUES (?, ?, ?, ?, ?)",
            [(decision_id, kind, article_id, item_id, record_id) for article_id, item_id, record_id in pins],
        )

    def any_pins(self) -> bool:
        """Whether any decision ever pinned a report (most stores: none, and linking skips pin lookups)."""
        return self._db.execute("SELECT EXISTS (SELECT 1 FROM link_pins)").fetchone()[0] == 1

    def pins_of_decision(self, decision_id: int) -> list[tuple[str, str, str]]:
        rows = self._db.execute(
            "SELECT article_id, item_id, record_id FROM link_pins WHERE decision_id = ? ORDER BY rowid",
            (decision_id,),
        ).fetchall()
        return [(row[0], row[1], row[2]) for row in rows]

    def effective_pin(self, kind: str, article_id: str, item_id: str) -> tuple[str, int] | None:
        """(record id, decision id) of the latest live decision pinning this report, else None."""
        row = self._db.execute(
            "SELECT p.record_id, p.decision_id FROM link_pins p JOIN link_decisions d ON d.id = p.decision_id"
            " WHERE p.kind = ? AND p.article_id = ? AND p.item_id = ? AND d.undone_by IS NULL"
            " ORDER BY p.decision_id DESC LIMIT 1",
            (kind, article_id, item_id),
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def article_pins(self, kind: str, article_id: str) -> list[tuple[str, str, int]]:
        """(item id, record id, decision id) of live pins on one article's reports, latest decision first."""
        rows = self._db.execute(
            "SELECT p.item_id, p.record_id, p.decision_id FROM link_pins p JOIN link_decisions d"
            " ON d.id = p.decision_id WHERE p.kind = ? AND p.article_id = ? AND d.undone_by IS NULL"
            " ORDER BY p.decision_id DESC",
            (kind, article_id),
        ).fetchall()
        return [(row[0], row[1], row[2]) for row in rows]

    def log(
        self,
        user: str,
        action: str,
        reason: str,
        *,
        kind: str | None = None,
        record_id: str | None = None,
        article_id: str | None = None,
    ) -> None:
        self._db.execute(
            "INSERT INTO link_log (at, user, action, kind, record_id, article_id, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (_now(), user, action, kind, record_id, article_id, reason),
        )

    def log_entries(self, kind: str | None = None, record_id: str | None = None) -> list[LogRow]:
        sql = "SELECT at, user, action, kind, record_id, article_id, reason FROM link_log"
        params: list[str] = []
        if kind is not None and record_id is not None:
            sql += " WHERE kind = ? AND record_id = ?"
            params = [kind, record_id]
        rows = self._db.execute(sql + " ORDER BY id", params).fetchall()
        return [LogRow(*row) for row in rows]
