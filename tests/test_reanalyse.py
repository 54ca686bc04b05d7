"""Re-analysis of the stored inputs after an upgrade (``reanalyse_stored``, ``incitewatch reanalyse``), on a real
SQLite store: stale articles are analysed again in place (same ids, nothing doubled), records are relinked with
the analysts' decisions and corrections holding, a second run does nothing, and one bad document fails alone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from incitewatch import service
from incitewatch.clean.article import article_id
from incitewatch.cli import app
from incitewatch.ingest.triage import TriageResult
from incitewatch.link import corrections, linker
from incitewatch.pipeline import PIPELINE_VERSION, Pipeline
from incitewatch.service import IngestOptions, IngestReport, ingest_raw, reanalyse_stored
from incitewatch.store import SQLiteStore
from incitewatch.store.links import LinkStore
from incitewatch.types import AnalyzedDoc, Article, RawDocument

OLD = "0.0.1-old"

COURIER = (
    "Islamic State spokesman urges attacks in new audio message\n\n"
    "An audio message attributed to the Islamic State spokesman Abu Yusuf al-Tahiri was released on Sunday on "
    "Telegram, urging supporters to attack Christians in Europe during Ramadan. The 12-minute recording was "
    "published by the group's al-Furqan media outlet.\n"
)
HERALD = (
    "New audio from Islamic State spokesman\n\n"
    "The Islamic State group released a new audio message by its spokesman Abu Yusuf al-Tahiri on Sunday, calling "
    "on followers to carry out attacks in Europe during Ramadan, according to a copy posted on Telegram.\n"
)
BLAST = (
    "Car bomb kills nine in Mogadishu\n\n"
    "A car bomb exploded outside a hotel near the port in Mogadishu on Friday, killing nine people and wounding "
    "14 others, police said. Al-Shabaab claimed responsibility for the attack in a statement read on its Andalus "
    "radio station. Witnesses said the vehicle was driven at the hotel gate shortly after midday prayers, when "
    "the street outside was crowded with traders, taxi drivers and guests arriving for a wedding. Ambulances "
    "took the wounded to the city's main hospital, where doctors appealed for blood donors. The government "
    "condemned the bombing and promised to hunt down those who planned it.\n"
)
HARVEST = (
    "Grape harvest starts early\n\n"
    "Farmers in the valley began the grape harvest two weeks earlier than usual after a hot summer, and "
    "cooperatives expect a smaller but sweeter crop. Several wineries have hired extra pickers from nearby towns.\n"
)


class Versioned(Pipeline):
    """The rules pipeline (its spaCy frame shared) under another version; records what it analyses and fails on
    the articles whose text contains ``fail_on``."""

    def __init__(self, inner: Pipeline, version: str, fail_on: str | None = None) -> None:
        super().__init__(inner.options)
        self._nlp = inner.nlp
        self._version = version
        self.fail_on = fail_on
        self.analysed: list[str] = []

    @property
    def version(self) -> str:
        return self._version

    def analyze_article(self, article: Article) -> AnalyzedDoc:
        self.analysed.append(article.id)
        if self.fail_on is not None and self.fail_on in article.text:
            raise RuntimeError("an extractor tripped")
        return super().analyze_article(article)


def _raw(text: str | bytes, uri: str, outlet: str) -> RawDocument:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return RawDocument(
        data, uri, source="test", media_type="text/plain", declared_published=date(2025, 3, 3), declared_outlet=outlet
    )


def _inputs() -> list[RawDocument]:
    syndicated = BLAST.replace("planned it.", "planned it, officials said.")
    return [
        _raw(COURIER, "https://courier.example/audio", "Daily Courier"),
        _raw(HERALD, "https://herald.example/isis-audio", "Harbour Herald"),
        _raw(BLAST, "https://wire.example/mogadishu", "Wire East"),
        # The same text in other bytes (Windows line ends) from another address: an exact copy with its own input.
        _raw(BLAST.replace("\n", "\r\n"), "https://mirror.example/mogadishu", "Mirror"),
        _raw(syndicated, "https://paper.example/mogadishu", "Coast Observer"),  # a near copy
        _raw(HARVEST, "https://farm.example/harvest", "Farm News"),
    ]


def _ingest(store: SQLiteStore, pipeline: Pipeline, inputs: list[RawDocument] | None = None) -> IngestReport:
    report = ingest_raw(inputs if inputs is not None else _inputs(), store, pipeline)
    assert not report.failed, report.failed
    return report


def _versions(store: SQLiteStore) -> dict[str, str]:
    with store.reading("read versions") as connection:
        rows = connection.execute("SELECT id, pipeline_version FROM articles ORDER BY id").fetchall()
    return {str(article_id): str(version) for article_id, version in rows}


def _records(store: SQLiteStore) -> dict[str, list[tuple[str, list[str]]]]:
    """Every record by kind, with the articles reporting it."""
    return {
        "release": sorted((r.id, sorted(x.article_id for x in r.reports)) for r in linker.list_releases(store)),
        "attack": sorted((a.id, sorted(x.article_id for x in a.reports)) for a in linker.list_attacks(store)),
        "actor": sorted((a.id, sorted(a.article_ids)) for a in linker.list_actors(store)),
    }


def _snapshot(store: SQLiteStore) -> dict[str, Any]:
    ids = sorted(_versions(store))
    with store.reading("read labels") as connection:
        labels = connection.execute("SELECT article_id, status FROM article_triage ORDER BY article_id").fetchall()
    return {
        "counts": store.counts(),
        "journal": store.journal_counts(),
        "ids": ids,
        "labels": labels,
        "records": _records(store),
        "copies": {article_id: store.article_copies(article_id) for article_id in ids},
        "sources": {article_id: store.article_uris(article_id) for article_id in ids},
        "analyses": {article_id: store.get_article(article_id) for article_id in ids},
    }


@pytest.fixture
def stale_store(tmp_path: Path, rules_pipeline: Pipeline) -> Iterator[SQLiteStore]:
    """A store every input of which was ingested by an older pipeline version."""
    with SQLiteStore(tmp_path / "store.sqlite") as store:
        _ingest(store, Versioned(rules_pipeline, OLD))
        yield store


def test_the_fixture_holds_linked_articles_copies_and_a_skipped_one(stale_store: SQLiteStore) -> None:
    """The premise of the other tests: what the inputs became when they were ingested."""
    journal = stale_store.journal_counts()
    assert journal == {"stored": 3, "duplicate": 1, "near_duplicate": 1, "not_relevant": 1}
    assert set(_versions(stale_store).values()) == {OLD}
    records = _records(stale_store)
    assert any(len(articles) == 2 for _, articles in records["release"]), "courier and herald share a release"
    assert records["attack"], "the blast is an attack record"


def test_stale_articles_are_reanalysed_in_place_and_nothing_is_lost_or_doubled(
    stale_store: SQLiteStore, rules_pipeline: Pipeline
) -> None:
    before = _snapshot(stale_store)
    current = Versioned(rules_pipeline, PIPELINE_VERSION)
    report = reanalyse_stored(stale_store, current)
    after = _snapshot(stale_store)

    analysed_ids = sorted(a for a, status in before["labels"] if status == "analysed")
    (harvest_id,) = (a for a, status in before["labels"] if status == "not_relevant")
    assert sorted(report.reanalysed) == analysed_ids and len(analysed_ids) == 3
    assert [s.article_id for s in report.not_relevant] == [harvest_id]  # triaged again, still not relevant
    assert report.failed == [] and report.stored == []
    assert len(report.duplicates) == 1 and len(report.near_duplicates) == 1  # copies are not analysed again
    assert sorted(current.analysed) == analysed_ids, "each story analysed once, from its own input"
    assert _versions(stale_store) == {article_id: PIPELINE_VERSION for article_id in before["ids"]}
    for key in ("counts", "journal", "ids", "labels", "records", "copies", "sources", "analyses"):
        assert after[key] == before[key], key


def test_a_second_run_finds_nothing_to_do(stale_store: SQLiteStore, rules_pipeline: Pipeline) -> None:
    reanalyse_stored(stale_store, Versioned(rules_pipeline, PIPELINE_VERSION))
    again = Versioned(rules_pipeline, PIPELINE_VERSION)
    report = reanalyse_stored(stale_store, again)
    assert report.seen == 0 and report.reanalysed == [] and again.analysed == []


def test_only_the_articles_of_an_older_version_are_reanalysed(tmp_path: Path, rules_pipeline: Pipeline) -> None:
    current = Versioned(rules_pipeline, PIPELINE_VERSION)
    with SQLiteStore(tmp_path / "mixed.sqlite") as store:
        old = _ingest(store, Versioned(rules_pipeline, OLD), _inputs()[:1])
        _ingest(store, current, _inputs()[1:])
        current.analysed.clear()
        report = reanalyse_stored(store, current)
        versions = _versions(store)
    assert report.reanalysed == old.stored and current.analysed == old.stored
    assert report.seen == 1
    assert set(versions.values()) == {PIPELINE_VERSION}


def test_all_reanalyses_every_article_once_even_when_up_to_date(
    stale_store: SQLiteStore, rules_pipeline: Pipeline
) -> None:
    reanalyse_stored(stale_store, Versioned(rules_pipeline, PIPELINE_VERSION))
    before = _snapshot(stale_store)
    current = Versioned(rules_pipeline, PIPELINE_VERSION)
    report = reanalyse_stored(stale_store, current, everything=True)
    analysed_ids = sorted(a for a, status in before["labels"] if status == "analysed")
    assert sorted(report.reanalysed) == analysed_ids
    assert sorted(current.analysed) == analysed_ids
    assert len(report.not_relevant) == 1 and report.failed == []
    assert report.seen == before["counts"]["raw_documents"]
    after = _snapshot(stale_store)
    for key in ("counts", "ids", "records", "copies", "analyses"):
        assert after[key] == before[key], key


def test_analysts_decisions_and_corrections_survive_reanalysis(
    stale_store: SQLiteStore, rules_pipeline: Pipeline
) -> None:
    (release_id, (kept, moved)) = next((r, a) for r, a in _records(stale_store)["release"] if len(a) == 2)
    linker.split(stale_store, "release", release_id, [moved], reason="two different recordings", user="dana")
    (attack_id, _), *_ = _records(stale_store)["attack"]
    corrections.correct(stale_store, "attack", attack_id, "killed", "11", "hospital's final toll", "ana")
    split_records = _records(stale_store)

    reanalyse_stored(stale_store, Versioned(rules_pipeline, PIPELINE_VERSION), everything=True)

    assert _records(stale_store) == split_records, "the split holds"
    releases = {r.id: sorted(x.article_id for x in r.reports) for r in linker.list_releases(stale_store)}
    assert releases[release_id] == [kept] and [moved] in releases.values()
    attack = corrections.get_attack(stale_store, attack_id)
    assert attack is not None and attack.killed == 11
    assert attack.live_corrections["killed"].original == 9


def test_a_failing_document_is_named_and_the_others_complete(
    stale_store: SQLiteStore, rules_pipeline: Pipeline
) -> None:
    before = _snapshot(stale_store)
    failing = Versioned(rules_pipeline, PIPELINE_VERSION, fail_on="Mogadishu")
    report = reanalyse_stored(stale_store, failing)

    (failure,) = report.failed
    assert failure.input_name == "https://wire.example/mogadishu"
    assert "analysis failed: RuntimeError: an extractor tripped" in failure.reason
    assert str(failure).startswith("https://wire.example/mogadishu: ")
    assert len(report.reanalysed) == 2
    versions = _versions(stale_store)
    blast_id = next(a for a, analysis in before["analyses"].items() if "Mogadishu" in analysis["article"]["text"])
    assert versions.pop(blast_id) == OLD, "the failed story keeps its old analysis"
    assert set(versions.values()) == {PIPELINE_VERSION}
    assert stale_store.get_article(blast_id) == before["analyses"][blast_id]
    assert _snapshot(stale_store)["counts"] == before["counts"]
    # The next run tries only the story still to do (its copies were left for it), and succeeds.
    retry = Versioned(rules_pipeline, PIPELINE_VERSION)
    again = reanalyse_stored(stale_store, retry)
    assert again.reanalysed == [blast_id] and retry.analysed == [blast_id] and again.failed == []


def test_an_undecodable_stored_input_fails_alone_and_an_unanalysed_one_is_stored(
    tmp_path: Path, rules_pipeline: Pipeline
) -> None:
    with SQLiteStore(tmp_path / "raw.sqlite") as store:
        # Inputs kept without an article (as an older ingest could leave them): one unreadable, one good.
        store.add_raw(_raw(b"\x81\x8d\x8f\x90\x9d" * 300, "file:///garbled.txt", "?"))
        store.add_raw(_raw(HERALD, "https://herald.example/isis-audio", "Harbour Herald"))
        report = reanalyse_stored(store, Versioned(rules_pipeline, PIPELINE_VERSION))
        counts = store.counts()
        second = reanalyse_stored(store, Versioned(rules_pipeline, PIPELINE_VERSION))
    (failure,) = report.failed
    assert failure.input_name == "file:///garbled.txt" and str(failure).startswith("/garbled.txt: ")
    assert len(report.stored) == 1 and counts["articles"] == 1
    assert [f.input_name for f in second.failed] == ["file:///garbled.txt"] and second.stored == []


def test_an_input_that_now_cleans_to_another_text_is_reported_not_stored_twice(
    stale_store: SQLiteStore, rules_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_to_article = service.to_article

    def changed_cleaning(raw: RawDocument, *, max_bytes: int) -> Article:
        article = real_to_article(raw, max_bytes=max_bytes)
        if raw.uri != "https://courier.example/audio":
            return article
        text = article.text + " (updated)"
        return Article(article_id(text), text, article.title, raw_sha256=article.raw_sha256)

    monkeypatch.setattr(service, "to_article", changed_cleaning)
    articles = stale_store.counts()["articles"]
    report = reanalyse_stored(stale_store, Versioned(rules_pipeline, PIPELINE_VERSION))
    (failure,) = report.failed
    assert failure.input_name == "https://courier.example/audio"
    assert "cleaning now gives this input another text" in failure.reason
    assert stale_store.counts()["articles"] == articles


class _NothingIsRelevant:
    def score(self, text: str) -> TriageResult:
        return TriageResult(relevant=False, score=-99.0, threshold=0.0, top_terms=())


def test_an_article_no_longer_analysed_leaves_its_records(
    stale_store: SQLiteStore, rules_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert LinkStore(stale_store).report_count("attack") > 0
    monkeypatch.setattr(service, "TriageScorer", _NothingIsRelevant)
    report = reanalyse_stored(stale_store, Versioned(rules_pipeline, PIPELINE_VERSION), options=IngestOptions())
    assert report.reanalysed == [] and len(report.not_relevant) == 4
    assert _records(stale_store) == {"release": [], "attack": [], "actor": []}


def test_cli_reanalyse_prints_the_summary_and_a_second_run_does_nothing(
    tmp_path: Path, rules_pipeline: Pipeline
) -> None:
    db = tmp_path / "cli.sqlite"
    with SQLiteStore(db) as store:
        _ingest(store, Versioned(rules_pipeline, OLD))
    runner = CliRunner()

    first = runner.invoke(app, ["reanalyse", "--db", str(db), "--no-model"])
    assert first.exit_code == 0, first.output
    assert f"pipeline {PIPELINE_VERSION}+rules: 6 stored inputs in" in first.output
    assert _row(first.output, "re-analysed") == 3
    assert _row(first.output, "skipped: not relevant") == 1
    assert _row(first.output, "copies, left as they are") == 2
    assert _row(first.output, "failed") == 0

    second = runner.invoke(app, ["reanalyse", "--db", str(db), "--no-model"])
    assert second.exit_code == 0, second.output
    assert _row(second.output, "re-analysed") == 0

    everything = runner.invoke(app, ["reanalyse", "--db", str(db), "--no-model", "--all"])
    assert everything.exit_code == 0, everything.output
    assert _row(everything.output, "re-analysed") == 3
    with SQLiteStore(db) as store:
        assert set(_versions(store).values()) == {f"{PIPELINE_VERSION}+rules"} and store.counts()["articles"] == 4


def test_cli_reanalyse_names_a_failing_document_and_exits_non_zero(
    tmp_path: Path, rules_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "cli.sqlite"
    with SQLiteStore(db) as store:
        _ingest(store, Versioned(rules_pipeline, OLD))
    import incitewatch.cli as cli

    monkeypatch.setattr(cli, "_pipeline", lambda no_model: Versioned(rules_pipeline, PIPELINE_VERSION, "Mogadishu"))
    result = CliRunner().invoke(app, ["reanalyse", "--db", str(db)])
    assert result.exit_code == 1
    assert "incitewatch: error: https://wire.example/mogadishu: analysis failed: RuntimeError" in result.output
    assert _row(result.output, "re-analysed") == 2 and _row(result.output, "failed") == 1


def _row(output: str, label: str) -> int:
    (line,) = (line for line in output.splitlines() if line.strip().startswith(label))
    return int(line.split()[-1])


def test_an_analysis_made_without_the_model_is_redone_by_the_full_pipeline(
    tmp_path: Path, rules_pipeline: Pipeline, pipeline: Pipeline
) -> None:
    if not pipeline.uses_model:
        pytest.skip("the spaCy model is not installed")
    assert rules_pipeline.version == f"{PIPELINE_VERSION}+rules" and pipeline.version == PIPELINE_VERSION
    with SQLiteStore(tmp_path / "rules.sqlite") as store:
        _ingest(store, rules_pipeline)
        rules_made = _versions(store)
        assert set(rules_made.values()) == {rules_pipeline.version}
        assert not reanalyse_stored(store, rules_pipeline).reanalysed  # current for the rules pipeline
        report = reanalyse_stored(store, pipeline)
        assert len(report.reanalysed) == 3
        assert _versions(store) == dict.fromkeys(rules_made, PIPELINE_VERSION)
        # ... and never the other way round: the rules pipeline keeps what the model read.
        assert not reanalyse_stored(store, rules_pipeline).reanalysed
        again = replace(_inputs()[0], uri="https://mirror.example/same-story")  # a new input of a stored story
        assert not ingest_raw([again], store, rules_pipeline).reanalysed
        assert not reanalyse_stored(store, rules_pipeline, everything=True).reanalysed  # --all --no-model too
        assert _versions(store) == dict.fromkeys(rules_made, PIPELINE_VERSION)


def test_an_article_ingested_without_triage_stays_analysed(tmp_path: Path, rules_pipeline: Pipeline) -> None:
    harvest = _raw(HARVEST, "https://farm.example/harvest", "Farm News")
    with SQLiteStore(tmp_path / "kept.sqlite") as store:
        first = ingest_raw([harvest], store, Versioned(rules_pipeline, OLD), options=IngestOptions(triage=False))
        (article_id,) = first.stored
        report = reanalyse_stored(store, Versioned(rules_pipeline, PIPELINE_VERSION))
        assert report.reanalysed == [article_id] and report.not_relevant == []
        assert store.article_triage_reason(article_id) == "triage off"


def test_asking_for_the_version_does_not_load_spacy() -> None:
    fresh = Pipeline()
    predicted = fresh.uses_model
    assert fresh.version in (PIPELINE_VERSION, f"{PIPELINE_VERSION}+rules")
    assert fresh._nlp is None  # the version is read before any analysis, e.g. by reanalyse's stale query
    assert predicted == ("ner" in fresh.nlp.pipe_names)  # and what it said before loading is what loading gives
