"""Library-level operations the CLI, API and UI share: analyse inputs, ingest them into a store, re-analyse.

Ingest takes every input through: read (RawDocument) → skip if the journal says it was ingested already →
clean (Article) → exact duplicate? → near duplicate (MinHash LSH)? → language → triage → analysis → save. All
that one input writes (raw bytes, article, labels, near-duplicate index, copy record, journal row) is
committed in one transaction, so a killed ingest resumes where it stopped: nothing lost, nothing stored twice.
Slow work (analysis) runs before that transaction opens. A bad input becomes one ``Failure`` with a reason;
the others go on.

Re-analysis (``reanalyse_stored``) takes the inputs already in the store back through the same steps, from the
kept bytes, for the articles an older pipeline version analysed: after an upgrade, without re-ingesting files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from incitewatch.clean.article import to_article
from incitewatch.clean.language import ENGLISH, detect_language
from incitewatch.errors import IncitewatchError, InputError
from incitewatch.ingest import dedup
from incitewatch.ingest.files import iter_raw_documents
from incitewatch.ingest.triage import TriageScorer
from incitewatch.link.linker import link_article
from incitewatch.pipeline import Pipeline
from incitewatch.serialize import analysis_to_dict
from incitewatch.store.base import ArticleCopy, CopyKind, IngestOutcome, Store, StoredRaw, TriageStatus
from incitewatch.store.sqlite import SQLiteStore
from incitewatch.types import AnalyzedDoc, Article, RawDocument


@dataclass(frozen=True, slots=True)
class Failure:
    input_name: str
    reason: str

    def __str__(self) -> str:
        return f"{display_name(self.input_name)}: {self.reason}"


def display_name(uri: str) -> str:
    """How a user named the input: a local file as its path, anything else as its URI."""
    if uri.startswith("file://"):
        from urllib.parse import unquote, urlparse

        return unquote(urlparse(uri).path)
    return uri


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input stored and labelled but not analysed (not about political violence, or not English)."""

    input_name: str
    article_id: str
    reason: str


@dataclass(slots=True)
class IngestReport:
    stored: list[str] = field(default_factory=list)  # article ids newly stored and analysed
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (input, article id it duplicates)
    reanalysed: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)  # (input, article id it copies)
    not_relevant: list[Skipped] = field(default_factory=list)
    non_english: list[Skipped] = field(default_factory=list)
    already_done: int = 0  # inputs the journal showed as ingested by an earlier run

    @property
    def seen(self) -> int:
        return (
            len(self.stored)
            + len(self.duplicates)
            + len(self.reanalysed)
            + len(self.failed)
            + len(self.near_duplicates)
            + len(self.not_relevant)
            + len(self.non_english)
            + self.already_done
        )

    @property
    def skipped(self) -> int:
        return len(self.not_relevant) + len(self.non_english)

    def summary(self) -> str:
        return (
            f"{len(self.stored)} stored, {len(self.not_relevant)} not relevant,"
            f" {len(self.non_english)} non-English, {len(self.duplicates)} duplicate,"
            f" {len(self.near_duplicates)} near-duplicate,"
            f" {len(self.reanalysed)} re-analysed, {len(self.failed)} failed,"
            f" {self.already_done} already ingested"
        )


@dataclass(frozen=True, slots=True)
class IngestOptions:
    triage: bool = True  # False: analyse every English article, relevant or not
    near_duplicates: bool = True  # False: only exact copies are recognised


def _with_published(raw: RawDocument, published: date | None) -> RawDocument:
    if published is None or raw.declared_published is not None:
        return raw
    return RawDocument(
        raw.data,
        raw.uri,
        raw.source,
        raw.media_type,
        published,
        raw.fetched_at,
        raw.declared_title,
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


TRIAGE_OFF = "triage off"  # the triage reason of an article analysed without triage


class _Ingester:
    """Ingests inputs one at a time into one store; holds the reusable triage scorer.

    ``journal=False`` (re-analysis of stored inputs): the ingest journal, which says what became of each input
    when it arrived, is left as it is."""

    def __init__(self, store: Store, pipeline: Pipeline, options: IngestOptions, *, journal: bool = True) -> None:
        self.store = store
        self.pipeline = pipeline
        self.options = options
        self.journal = journal
        self.scorer = TriageScorer()
        self.report = IngestReport()
        self.reanalysed_now: set[str] = set()  # articles this run re-analysed (or stored) from a stored input

    def ingest(self, raw: RawDocument) -> None:
        raw_sha = hashlib.sha256(raw.data).hexdigest()
        if self.store.is_input_done(raw.uri, raw_sha):
            self.report.already_done += 1
            return
        try:
            article = to_article(raw, max_bytes=self.pipeline.options.max_bytes)
            self._ingest_article(raw, raw_sha, article)
        except InputError as error:
            self._fail(raw.uri, raw_sha, error.reason)
        except IncitewatchError as error:
            self._fail(raw.uri, raw_sha, str(error))

    def reanalyse(self, stored: StoredRaw, *, force: bool) -> None:
        """Take one stored input through the ingest steps again (its article is analysed by this pipeline
        version, or again by it with ``force``). Each article is re-analysed from the input its analysis was made
        from; other copies of it only count as copies, so nothing is stored twice."""
        raw, raw_sha = stored.raw, stored.sha256
        try:
            article = to_article(raw, max_bytes=self.pipeline.options.max_bytes)
            owners = self.store.articles_of_raw(raw_sha)
            if article.id in self.reanalysed_now:
                self.report.duplicates.append((raw.uri, article.id))
            elif owners and article.id not in owners:
                self._stored_copy_of_another(raw, raw_sha, article, owners)
            elif owners.get(article.id) not in (None, raw_sha):  # an exact copy; its article has its own input
                self.report.duplicates.append((raw.uri, article.id))
            else:
                self._ingest_article(raw, raw_sha, article, force=force)
                self.reanalysed_now.add(article.id)
        except InputError as error:
            self.report.failed.append(Failure(raw.uri, f"{error.reason} (stored input {raw_sha[:12]})"))
        except IncitewatchError as error:
            self.report.failed.append(Failure(raw.uri, f"{error} (stored input {raw_sha[:12]})"))

    def _stored_copy_of_another(
        self, raw: RawDocument, raw_sha: str, article: Article, owners: dict[str, str | None]
    ) -> None:
        """A stored input whose text is not that of the article(s) it is a source of: a near copy (left as it
        is), or the input an article was made from, which cleaning now reads differently."""
        made = [article_id for article_id, own_sha in owners.items() if own_sha == raw_sha]
        if made:
            # Re-analysing would store a second article for one input and leave the first one stale.
            raise InputError(
                raw.uri,
                f"cleaning now gives this input another text ({article.id}) than its stored article ({made[0]});"
                " not re-analysed (ingest it under another address to store the new text as well)",
            )
        self.report.near_duplicates.append((raw.uri, next(iter(owners))))

    def _fail(self, uri: str, raw_sha: str, reason: str) -> None:
        with self.store.transaction():
            self._record_input(uri, raw_sha, "failed", None, reason)
        self.report.failed.append(Failure(uri, reason))

    def _record_input(
        self, uri: str, raw_sha: str, outcome: IngestOutcome, article_id: str | None, reason: str | None
    ) -> None:
        if self.journal:
            self.store.record_input(uri, raw_sha, outcome, article_id, reason)

    def _ingest_article(self, raw: RawDocument, raw_sha: str, article: Article, *, force: bool = False) -> None:
        """``force``: analyse the article again even when this pipeline version analysed it already."""
        stored_version = self.store.article_pipeline_version(article.id)
        # With ``force`` (reanalyse --all) the pipeline re-does its own analyses, never a better one (the model's,
        # for a rules-only pipeline).
        if stored_version in self.pipeline.current_versions and not (force and stored_version == self.pipeline.version):
            self._save_copy(raw, raw_sha, article, article.id, 1.0, "exact")
            return
        signature = dedup.signature(article.text) if self.options.near_duplicates else None
        first_time = stored_version is None
        if first_time and signature is not None:
            match = self._near_duplicate(signature)
            if match is not None:
                self._save_copy(raw, raw_sha, article, match.article_id, match.similarity, "near")
                return
        self._save_new(raw, raw_sha, article, signature, recheck=first_time, force=force)

    def _save_copy(
        self,
        raw: RawDocument,
        raw_sha: str,
        article: Article,
        original: str,
        similarity: float,
        kind: CopyKind,
    ) -> None:
        copy = _article_copy(raw, raw_sha, article, original, similarity, kind)
        with self.store.transaction():
            self.store.add_raw(raw)
            self._write_copy(raw, raw_sha, copy)
        self._count_copy(raw.uri, original, kind)

    def _write_copy(self, raw: RawDocument, raw_sha: str, copy: ArticleCopy) -> None:
        outcome: IngestOutcome = "duplicate" if copy.kind == "exact" else "near_duplicate"
        self.store.record_copy(copy)
        self._record_input(raw.uri, raw_sha, outcome, copy.article_id, None)

    def _count_copy(self, uri: str, original: str, kind: CopyKind) -> None:
        target = self.report.duplicates if kind == "exact" else self.report.near_duplicates
        target.append((uri, original))

    def _save_new(
        self,
        raw: RawDocument,
        raw_sha: str,
        article: Article,
        signature: dedup.Signature | None,
        *,
        recheck: bool,
        force: bool = False,
    ) -> None:
        """Analyse and store an article; ``recheck`` repeats the near-duplicate check inside the write lock (not
        for a re-analysis: a stored article's signature would find the article itself); ``force`` replaces a
        stored analysis made by this very pipeline version."""
        status, score, reason, article = self._triage(article)
        doc = self._analyse(raw.uri, article) if status == "analysed" else AnalyzedDoc(article)
        with self.store.transaction():
            self.store.add_raw(raw)
            # The near-duplicate check before the analysis ran outside any transaction; a concurrent ingest may
            # have stored a copy of this story since. Inside the write lock the answer is final.
            match = self._near_duplicate(signature) if recheck and signature is not None else None
            if match is None:
                outcome = self._write_new(raw, raw_sha, doc, status, score, reason, signature, force=force)
            else:
                copy = _article_copy(raw, raw_sha, article, match.article_id, match.similarity, "near")
                self._write_copy(raw, raw_sha, copy)
        if match is None:
            self._count(outcome, raw.uri, article.id, reason)
        else:
            self._count_copy(raw.uri, match.article_id, "near")

    def _near_duplicate(self, signature: dedup.Signature) -> dedup.NearMatch | None:
        candidates = self.store.near_duplicate_candidates(dedup.SIGNATURE_SCHEME, signature.band_keys)
        return dedup.best_match(signature, candidates)

    def _analyse(self, uri: str, article: Article) -> AnalyzedDoc:
        # One document that trips a bug in an extractor must not stop a firehose (and, being journalled as
        # failed, it cannot wedge a resumed run either): it fails alone, with the error as its reason.
        try:
            return self.pipeline.analyze_article(article)
        except IncitewatchError:
            raise
        except Exception as exc:
            raise InputError(uri, f"analysis failed: {type(exc).__name__}: {exc}") from exc

    def _write_new(
        self,
        raw: RawDocument,
        raw_sha: str,
        doc: AnalyzedDoc,
        status: TriageStatus,
        score: float | None,
        reason: str,
        signature: dedup.Signature | None,
        *,
        force: bool = False,
    ) -> IngestOutcome:
        """The writes of a new article, inside the input's transaction; returns what became of the input."""
        article_id = doc.article.id
        analysis = analysis_to_dict(doc)
        result = self.store.save_analysis(doc, analysis, raw_sha, raw.uri, self.pipeline.version, force=force)
        if not (result.created or result.replaced):  # stored meanwhile by a concurrent ingest
            self._record_input(raw.uri, raw_sha, "duplicate", article_id, None)
            return "duplicate"
        self.store.label_article(article_id, status, score, reason)
        if (status == "analysed" or result.replaced) and isinstance(self.store, SQLiteStore):
            # Cross-outlet records grow with each report, in the same transaction: a killed ingest never leaves an
            # article stored but unlinked. A re-analysis links the article again; one that no longer analyses it
            # (triage, language) takes its old reports off their records.
            link_article(self.store, analysis)
        if signature is not None:
            keys = signature.band_keys
            self.store.save_signature(article_id, dedup.SIGNATURE_SCHEME, signature.values, keys)
        outcome = self._outcome(status, result.replaced)
        why_skipped = None if status == "analysed" else reason
        self._record_input(raw.uri, raw_sha, outcome, article_id, why_skipped)
        return outcome

    def _kept_without_triage(self, article_id: str) -> bool:
        """A re-analysis keeps an article that was ingested with triage off: it was stored on purpose."""
        return not self.journal and self.store.article_triage_reason(article_id) == TRIAGE_OFF

    def _triage(self, article: Article) -> tuple[TriageStatus, float | None, str, Article]:
        guess = detect_language(article.text)
        article = replace(article, language=guess.language)
        if guess.language != ENGLISH:
            return "non_english", None, f"not English: {guess.language} ({guess.confidence:.2f})", article
        if not self.options.triage or self._kept_without_triage(article.id):
            return "analysed", None, TRIAGE_OFF, article
        verdict = self.scorer.score(article.text if not article.title else f"{article.title}\n{article.text}")
        status: TriageStatus = "analysed" if verdict.relevant else "not_relevant"
        return status, verdict.score, verdict.reason, article

    @staticmethod
    def _outcome(status: TriageStatus, replaced: bool) -> IngestOutcome:
        if status != "analysed":
            return status
        return "reanalysed" if replaced else "stored"

    def _count(self, outcome: IngestOutcome, uri: str, article_id: str, reason: str) -> None:
        if outcome == "stored":
            self.report.stored.append(article_id)
        elif outcome == "duplicate":
            self.report.duplicates.append((uri, article_id))
        elif outcome == "reanalysed":
            self.report.reanalysed.append(article_id)
        elif outcome == "not_relevant":
            self.report.not_relevant.append(Skipped(uri, article_id, reason))
        else:
            self.report.non_english.append(Skipped(uri, article_id, reason))


def _article_copy(
    raw: RawDocument, raw_sha: str, article: Article, original: str, similarity: float, kind: CopyKind
) -> ArticleCopy:
    return ArticleCopy(
        article_id=original,
        copy_id=article.id,
        kind=kind,
        similarity=similarity,
        raw_sha256=raw_sha,
        uri=raw.uri,
        outlet=article.outlet,
        published=article.published.isoformat() if article.published else None,
        title=article.title,
    )


def ingest_raw(
    raws: Iterable[RawDocument | InputError],
    store: Store,
    pipeline: Pipeline,
    *,
    published: date | None = None,
    on_item: Callable[[IngestReport], None] | None = None,
    options: IngestOptions | None = None,
) -> IngestReport:
    """Keep each raw input and its article once, analysing only new, English, relevant articles; inputs an
    earlier (possibly killed) run finished are skipped. Reports what happened to every input."""
    ingester = _Ingester(store, pipeline, options or IngestOptions())
    for item in raws:
        if isinstance(item, InputError):
            ingester.report.failed.append(Failure(item.input_name, item.reason))
        else:
            ingester.ingest(_with_published(item, published))
        if on_item is not None:
            on_item(ingester.report)
    return ingester.report


def ingest_paths(
    paths: Sequence[str | Path],
    store: Store,
    pipeline: Pipeline,
    *,
    published: date | None = None,
    on_item: Callable[[IngestReport], None] | None = None,
    options: IngestOptions | None = None,
) -> IngestReport:
    raws = iter_raw_documents(paths, max_bytes=pipeline.options.max_bytes)
    return ingest_raw(raws, store, pipeline, published=published, on_item=on_item, options=options)


def reanalyse_stored(
    store: Store,
    pipeline: Pipeline,
    *,
    everything: bool = False,
    on_item: Callable[[IngestReport], None] | None = None,
    options: IngestOptions | None = None,
) -> IngestReport:
    """Re-analyse, from the stored inputs, every article that an older pipeline version analysed (or that was
    never analysed), so an upgraded pipeline brings the store up to date without re-ingesting files;
    ``everything``: every stored article, whatever version analysed it.

    Each article is re-analysed in place, the way ingest re-analyses a stored story that arrives again: same
    article id, annotations replaced, triage redone (not for articles ingested with triage off), cross-document
    records relinked (analysts' merges, splits and corrections hold). Copies of a stored article are not analysed
    again. The ingest journal is left as it is. A run right after a complete one finds nothing to do. A document
    that fails is reported with the reason and the others go on. ``on_item`` is called with the report after every
    stored input."""
    ingester = _Ingester(store, pipeline, options or IngestOptions(), journal=False)
    for stored in store.iter_raw(stale_for=None if everything else pipeline.current_versions):
        ingester.reanalyse(stored, force=everything)
        if on_item is not None:
            on_item(ingester.report)
    return ingester.report
