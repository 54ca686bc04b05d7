"""The Store protocol every backend (SQLite now, PostgreSQL later) implements, and the records it returns."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from incitewatch.types import AnalyzedDoc, RawDocument


@dataclass(frozen=True, slots=True)
class SaveResult:
    """``created``: a new article; ``replaced``: an existing one re-analysed by another pipeline version (or by the
    same one, when forced)."""

    article_id: str
    created: bool
    replaced: bool = False


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One full-text match. ``snippet`` is plain text; ``highlights`` are (start, end) offsets into it."""

    article_id: str
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    score: float  # higher is better (negated bm25)


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    article_id: str
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    language: str
    pipeline_version: str
    analysed_at: str


@dataclass(frozen=True, slots=True)
class EntityHit:
    """An entity whose canonical name or one of its aliases matched; ``matched`` is the name that did."""

    entity_id: str
    type: str
    name: str
    matched: str
    article_count: int


@dataclass(frozen=True, slots=True)
class StoredRaw:
    sha256: str
    raw: RawDocument
    received_at: str


IngestOutcome = Literal[
    "stored", "reanalysed", "not_relevant", "non_english", "duplicate", "near_duplicate", "failed"
]
TriageStatus = Literal["analysed", "not_relevant", "non_english"]
CopyKind = Literal["exact", "near"]


@dataclass(frozen=True, slots=True)
class ArticleCopy:
    """Another copy of a stored article: where and when it ran. ``copy_id`` is the id of the copy's own
    canonical text (the article's own id for an exact copy)."""

    article_id: str
    copy_id: str
    kind: CopyKind
    similarity: float
    raw_sha256: str | None
    uri: str | None
    outlet: str | None = None
    published: str | None = None
    title: str | None = None


@runtime_checkable
class Store(Protocol):
    """Persistent home of raw inputs, articles and their analyses. Every write is one transaction."""

    def add_raw(self, raw: RawDocument) -> str: ...

    def get_raw(self, sha256: str) -> RawDocument | None: ...

    def iter_raw(
        self, *, stale_for: tuple[str, ...] | None = None, batch_size: int = 100
    ) -> Iterator[StoredRaw]: ...

    def save_analysis(
        self,
        doc: AnalyzedDoc,
        analysis: Mapping[str, Any],
        raw_sha256: str | None,
        uri: str | None,
        pipeline_version: str,
        *,
        force: bool = False,
    ) -> SaveResult: ...

    def get_article(self, article_id: str) -> dict[str, Any] | None: ...

    def article_uris(self, article_id: str) -> list[str]: ...

    def articles_of_raw(self, sha256: str) -> dict[str, str | None]: ...

    def search(self, query: str, limit: int = 20, offset: int = 0) -> list[SearchHit]: ...

    def search_entities(self, query: str, limit: int = 20) -> list[EntityHit]: ...

    def list_articles(self, limit: int = 50, offset: int = 0) -> list[ArticleSummary]: ...

    def counts(self) -> dict[str, int]: ...

    # -- ingest (resumable, deduplicated, triaged) ---------------------------------------------------------

    def transaction(self) -> AbstractContextManager[None]:
        """Group writes into one atomic transaction; the store's own write methods join it."""
        ...

    def article_pipeline_version(self, article_id: str) -> str | None: ...

    def article_triage_reason(self, article_id: str) -> str | None: ...

    def is_input_done(self, uri: str, raw_sha256: str) -> bool: ...

    def record_input(
        self, uri: str, raw_sha256: str, outcome: IngestOutcome, article_id: str | None, reason: str | None
    ) -> None: ...

    def journal_counts(self) -> dict[str, int]: ...

    def label_article(
        self, article_id: str, status: TriageStatus, score: float | None, reason: str
    ) -> None: ...

    def save_signature(
        self, article_id: str, scheme: str, signature: bytes, band_keys: Sequence[int]
    ) -> None: ...

    def near_duplicate_candidates(self, scheme: str, band_keys: Sequence[int]) -> list[tuple[str, bytes]]: ...

    def record_copy(self, copy: ArticleCopy) -> None: ...

    def article_copies(self, article_id: str) -> list[ArticleCopy]: ...

    def close(self) -> None: ...
