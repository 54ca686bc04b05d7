"""Exact and near-duplicate detection, persisted in the store so it works across runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from incitewatch.ingest import dedup
from incitewatch.pipeline import PipelineOptions
from incitewatch.service import ingest_raw
from incitewatch.store import SQLiteStore
from incitewatch.types import AnalyzedDoc, Article, RawDocument

WIRE_STORY = (
    "Militants loyal to an armed insurgent movement detonated a roadside bomb next to an army convoy on the "
    "highway north of the provincial capital early on Monday, killing three soldiers and wounding five, the "
    "defence ministry said. A spokesman for the movement claimed responsibility for the attack in a message "
    "sent to reporters and threatened further bombings against government forces. Officials said the "
    "explosive device had been buried under the asphalt overnight and was triggered remotely as the trucks "
    "passed. Security forces sealed off the area and began searching nearby villages for the attackers."
)
OTHER_STORY = (
    "Farmers in the valley began the grape harvest two weeks earlier than usual after a hot summer, and "
    "cooperatives expect a smaller but sweeter crop. Several wineries have hired extra pickers from nearby "
    "towns, while the regional tourism office is promoting weekend tours of the vineyards for visitors who "
    "want to join the picking and taste the first pressings at the village festival in October."
)


class CountingPipeline:
    """Stands in for the analysis pipeline: records which articles it was asked to analyse."""

    version = "test-1"
    options = PipelineOptions(use_model=False)

    def __init__(self) -> None:
        self.analysed: list[str] = []

    @property
    def current_versions(self) -> tuple[str, ...]:
        return (self.version,)

    def analyze_article(self, article: Article) -> AnalyzedDoc:
        self.analysed.append(article.id)
        return AnalyzedDoc(article)


def _raw(text: str, uri: str, outlet: str | None = None) -> RawDocument:
    return RawDocument(
        text.encode("utf-8"), uri, source="test", media_type="text/plain", declared_outlet=outlet
    )


def _syndicated(text: str) -> str:
    return "UPDATED WITH REACTION\n\n" + text + " Additional reporting by our correspondent in the capital."


def test_shingles_ignore_case_and_punctuation() -> None:
    assert dedup.shingles("One, two THREE four five!") == dedup.shingles("one two three four five")
    assert len(dedup.shingles("a b c d e f")) == 2


def test_short_texts_get_no_signature() -> None:
    assert dedup.signature("Too short to compare.") is None


def test_syndicated_copy_is_similar_and_shares_a_band() -> None:
    original, copy, other = (dedup.signature(t) for t in (WIRE_STORY, _syndicated(WIRE_STORY), OTHER_STORY))
    assert original is not None and copy is not None and other is not None
    assert dedup.similarity(original, copy) >= dedup.THRESHOLD
    assert set(original.band_keys) & set(copy.band_keys)
    assert dedup.similarity(original, other) < 0.2
    assert dedup.best_match(copy, [("a-other", other.values), ("a-orig", original.values)]) is not None
    assert dedup.best_match(other, [("a-orig", original.values)]) is None


def test_signatures_are_deterministic() -> None:
    first, second = dedup.signature(WIRE_STORY), dedup.signature(WIRE_STORY)
    assert first is not None and first == second
    assert len(first.values) == dedup.NUM_PERM * 4 and len(first.band_keys) == dedup.BANDS


def test_near_duplicate_is_recorded_as_copy_across_runs(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    pipeline = CountingPipeline()
    with SQLiteStore(db) as store:
        first = ingest_raw([_raw(WIRE_STORY, "https://wire.example/story", "Wire")], store, pipeline)
    assert len(first.stored) == 1
    original_id = first.stored[0]
    # A second run with a fresh process-level state: the index lives in the store, not in memory.
    with SQLiteStore(db) as store:
        second = ingest_raw(
            [_raw(_syndicated(WIRE_STORY), "https://paper.example/a/1", "Daily Paper")], store, pipeline
        )
        copies = store.article_copies(original_id)
        counts = store.counts()
        uris = store.article_uris(original_id)
    assert second.near_duplicates == [("https://paper.example/a/1", original_id)]
    assert pipeline.analysed == [original_id]  # analysed once
    assert counts["articles"] == 1 and counts["raw_documents"] == 2
    expected = [("near", "https://paper.example/a/1", "Daily Paper")]
    assert [(c.kind, c.uri, c.outlet) for c in copies] == expected
    assert copies[0].similarity >= dedup.THRESHOLD and copies[0].copy_id != original_id
    assert uris == ["https://wire.example/story", "https://paper.example/a/1"]


def test_exact_copy_from_another_outlet_is_a_duplicate(tmp_path: Path) -> None:
    pipeline = CountingPipeline()
    with SQLiteStore(tmp_path / "store.sqlite") as store:
        report = ingest_raw(
            [_raw(WIRE_STORY, "file:///a.txt", "A"), _raw(WIRE_STORY, "file:///b.txt", "B")], store, pipeline
        )
        copies = store.article_copies(report.stored[0])
    assert report.duplicates == [("file:///b.txt", report.stored[0])]
    assert [(c.kind, c.outlet, c.similarity) for c in copies] == [("exact", "B", 1.0)]
    assert len(pipeline.analysed) == 1


def test_unrelated_texts_are_both_kept(tmp_path: Path) -> None:
    pipeline = CountingPipeline()
    with SQLiteStore(tmp_path / "store.sqlite") as store:
        report = ingest_raw(
            [_raw(WIRE_STORY, "file:///a.txt"), _raw(OTHER_STORY, "file:///b.txt")], store, pipeline
        )
    assert len(report.stored) + len(report.not_relevant) == 2
    assert not report.near_duplicates and not report.duplicates


@pytest.mark.parametrize("near", [True, False])
def test_near_duplicate_detection_can_be_turned_off(tmp_path: Path, near: bool) -> None:
    from incitewatch.service import IngestOptions

    with SQLiteStore(tmp_path / "store.sqlite") as store:
        report = ingest_raw(
            [_raw(WIRE_STORY, "file:///a.txt"), _raw(_syndicated(WIRE_STORY), "file:///b.txt")],
            store,
            CountingPipeline(),
            options=IngestOptions(near_duplicates=near),
        )
    assert len(report.near_duplicates) == (1 if near else 0)


class RacingPipeline(CountingPipeline):
    """While it analyses its first article, another ingest (its own connection to the same store file, as a
    second process would have) stores a syndicated copy of the same story."""

    def __init__(self, db: Path, rival: RawDocument) -> None:
        super().__init__()
        self.db, self.rival = db, rival
        self.rival_report: list[str] = []

    def analyze_article(self, article: Article) -> AnalyzedDoc:
        if not self.analysed:
            with SQLiteStore(self.db) as other_store:
                self.rival_report = ingest_raw([self.rival], other_store, CountingPipeline()).stored
        return super().analyze_article(article)


def test_a_copy_stored_by_a_concurrent_ingest_during_analysis_is_not_stored_twice(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    pipeline = RacingPipeline(db, _raw(_syndicated(WIRE_STORY), "https://paper.example/a/1", "Daily Paper"))
    with SQLiteStore(db) as store:
        report = ingest_raw([_raw(WIRE_STORY, "https://wire.example/story", "Wire")], store, pipeline)
        counts = store.counts()
        copies = store.article_copies(pipeline.rival_report[0]) if pipeline.rival_report else []
    assert len(pipeline.rival_report) == 1  # the rival got there first
    assert report.stored == [] and report.near_duplicates == [("https://wire.example/story", pipeline.rival_report[0])]
    assert counts["articles"] == 1 and counts["raw_documents"] == 2
    assert [(c.kind, c.uri) for c in copies] == [("near", "https://wire.example/story")]


def test_a_new_pipeline_version_reanalyses_a_stored_story_instead_of_calling_it_its_own_copy(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    with SQLiteStore(db) as store:
        first = ingest_raw([_raw(WIRE_STORY, "https://wire.example/story", "Wire")], store, CountingPipeline())
    newer = CountingPipeline()
    newer.version = "test-2"
    with SQLiteStore(db) as store:
        # The same story from another address (the same address and bytes are a finished input, not re-read).
        second = ingest_raw([_raw(WIRE_STORY, "https://wire.example/story?amp=1", "Wire")], store, newer)
        counts = store.counts()
    assert second.reanalysed == first.stored
    assert second.near_duplicates == []
    assert newer.analysed == first.stored
    assert counts["articles"] == 1
