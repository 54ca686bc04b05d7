"""Library-level operations the CLI, API and UI share: analyse inputs, ingest them into a store, re-analyse.

Every input goes through: read (RawDocument) → keep raw bytes in the store → clean (Article) → analyse
(AnalyzedDoc) → save. A bad input becomes one ``Failure`` with a reason; the others go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from incitewatch.clean.article import to_article
from incitewatch.errors import IncitewatchError, InputError
from incitewatch.ingest.files import iter_raw_documents
from incitewatch.pipeline import Pipeline
from incitewatch.serialize import analysis_to_dict
from incitewatch.store.base import Store
from incitewatch.types import AnalyzedDoc, RawDocument


@dataclass(frozen=True, slots=True)
class Failure:
    input_name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.input_name}: {self.reason}"


@dataclass(slots=True)
class IngestReport:
    stored: list[str] = field(default_factory=list)  # article ids newly stored
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (input, article id it duplicates)
    reanalysed: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return len(self.stored) + len(self.duplicates) + len(self.reanalysed) + len(self.failed)

    def summary(self) -> str:
        return (
            f"{len(self.stored)} stored, {len(self.duplicates)} duplicate, {len(self.reanalysed)} re-analysed, "
            f"{len(self.failed)} failed"
        )


def _with_published(raw: RawDocument, published: date | None) -> RawDocument:
    if published is None or raw.declared_published is not None:
        return raw
    return RawDocument(
        raw.data, raw.uri, raw.source, raw.media_type, published, raw.fetched_at, raw.declared_title,
        raw.declared_outlet,
    )


def analyze_inputs(
    paths: Sequence[str | Path],
    pipeline: Pipeline,
    *,
    published: date | None = None,
) -> Iterator[AnalyzedDoc | Failure]:
    """Analyse files, folders or ``-`` (stdin) without storing anything; failures are yielded, not raised."""
    for item in iter_raw_documents(paths, max_bytes=pipeline.options.max_bytes):
        if isinstance(item, InputError):
            yield Failure(item.input_name, item.reason)
            continue
        try:
            yield pipeline.analyze_raw(_with_published(item, published))
        except InputError as error:
            yield Failure(error.input_name, error.reason)


def ingest_raw(
    raws: Iterable[RawDocument | InputError],
    store: Store,
    pipeline: Pipeline,
    *,
    published: date | None = None,
    on_item: Callable[[IngestReport], None] | None = None,
) -> IngestReport:
    """Keep each raw input, analyse it and save the article once; report what happened to every input."""
    report = IngestReport()
    for item in raws:
        if isinstance(item, InputError):
            report.failed.append(Failure(item.input_name, item.reason))
        else:
            _ingest_one(_with_published(item, published), store, pipeline, report)
        if on_item is not None:
            on_item(report)
    return report


def _ingest_one(raw: RawDocument, store: Store, pipeline: Pipeline, report: IngestReport) -> None:
    try:
        article = to_article(raw, max_bytes=pipeline.options.max_bytes)
    except InputError as error:
        report.failed.append(Failure(error.input_name, error.reason))
        return
    raw_sha = store.add_raw(raw)
    try:
        doc = pipeline.analyze_article(article)
        result = store.save_analysis(doc, analysis_to_dict(doc), raw_sha, raw.uri, pipeline.version)
    except IncitewatchError as error:
        report.failed.append(Failure(raw.uri, str(error)))
        return
    if result.created:
        report.stored.append(result.article_id)
    elif result.replaced:
        report.reanalysed.append(result.article_id)
    else:
        report.duplicates.append((raw.uri, result.article_id))


def ingest_paths(
    paths: Sequence[str | Path],
    store: Store,
    pipeline: Pipeline,
    *,
    published: date | None = None,
    on_item: Callable[[IngestReport], None] | None = None,
) -> IngestReport:
    raws = iter_raw_documents(paths, max_bytes=pipeline.options.max_bytes)
    return ingest_raw(raws, store, pipeline, published=published, on_item=on_item)
