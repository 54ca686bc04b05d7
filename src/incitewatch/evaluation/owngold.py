"""Our own gold format, so that users can measure incitewatch on their own articles.

A gold file is JSON Lines, one article per line::

    {"id": "a1", "text": "Gunmen attacked a market in Kabul on Monday ...", "published": "2024-03-05",
     "expected": {
        "entities": [{"text": "Kabul", "type": "place"}],
        "times":    [{"text": "Monday", "value": "2024-03-04"}],
        "places":   [{"text": "Kabul", "lat": 34.53, "lon": 69.17}],
        "events":   [{"type": "attack", "roles": {"perpetrator": [{"text": "Gunmen"}], "place": [{"text": "Kabul"}]}}]
     }}

Every span is either ``{"start": S, "end": E}`` (character offsets into ``text``, end-exclusive) or
``{"text": "..."}`` (its first occurrence; add ``"occurrence": n`` for the n-th, counting from 1). Every key of
``expected`` is optional; a missing key means "not annotated" and that part is not scored, while an empty list
means "nothing to find here" and charges every prediction as a false positive.

Scores (in the report's ``gold`` section, and ``overall``):

* ``events`` (headline ``overall.f1``): role fillers as (event type, role, span); a predicted filler is
  correct when a not yet matched gold filler of the same event type and role overlaps it. Micro P/R/F1.
* ``entities``: mentions as (span, type), exact span. Micro P/R/F1.
* ``times``: TempEval-3 attributes (:mod:`.timex`); headline ``overall.value_f1``.
* ``places``: geocoding accuracy@161 km (:mod:`.geo`) over gold places with coordinates; ``overall.acc_161km``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from incitewatch.evaluation import geo, timex
from incitewatch.evaluation.geoparsing import GeoDocument, GoldToponym
from incitewatch.evaluation.mapping import tempeval_timexes, toponyms
from incitewatch.evaluation.report import BenchmarkResults, build_report
from incitewatch.evaluation.tempeval3 import GoldTimex, TimexDocument
from incitewatch.pipeline import Pipeline
from incitewatch.types import AnalyzedDoc, Article


class GoldFormatError(ValueError):
    """A line of a gold file that does not follow the format (the message names the line)."""


@dataclass(frozen=True, slots=True)
class GoldArticle:
    id: str
    text: str
    published: date | None
    expected: Mapping[str, Any]


@dataclass(slots=True)
class PRF:
    """Matched / predicted / gold counts with precision, recall and F1."""

    matched: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float]:
        return {"p": self.precision, "r": self.recall, "f1": self.f1} | {
            "matched": self.matched,
            "predicted": self.predicted,
            "gold": self.gold,
        }


@dataclass(slots=True)
class GoldScores:
    events: PRF = field(default_factory=PRF)
    entities: PRF = field(default_factory=PRF)
    scored: set[str] = field(default_factory=set)  # which parts any article annotated


def load_gold(path: Path) -> list[GoldArticle]:
    articles: list[GoldArticle] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                articles.append(_parse_line(line, number))
    return articles


def _parse_line(line: str, number: int) -> GoldArticle:
    try:
        record = json.loads(line)
        published = record.get("published")
        return GoldArticle(
            id=str(record.get("id", number)),
            text=record["text"],
            published=date.fromisoformat(published) if published else None,
            expected=record.get("expected", {}),
        )
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise GoldFormatError(f"gold line {number}: {error}") from error


def resolve_span(text: str, spec: Mapping[str, Any]) -> tuple[int, int]:
    """Character span of a gold span spec: explicit offsets, or the n-th occurrence of ``text``."""
    if "start" in spec and "end" in spec:
        return int(spec["start"]), int(spec["end"])
    wanted = spec.get("text")
    if not wanted:
        raise GoldFormatError(f"span needs start/end or text: {dict(spec)}")
    position = -1
    for _ in range(int(spec.get("occurrence", 1))):
        position = text.find(wanted, position + 1)
        if position < 0:
            raise GoldFormatError(f"{wanted!r} does not occur often enough in the article text")
    return position, position + len(wanted)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _match_overlapping(predicted: Sequence[tuple[str, int, int]], gold: Sequence[tuple[str, int, int]]) -> int:
    """One-to-one matches: same label and overlapping spans, gold taken in text order."""
    used: set[int] = set()
    matched = 0
    for label, start, end in sorted(gold, key=lambda g: (g[1], g[2])):
        for index, (p_label, p_start, p_end) in enumerate(predicted):
            if index not in used and p_label == label and _overlap((start, end), (p_start, p_end)):
                used.add(index)
                matched += 1
                break
    return matched


def _event_fillers(analysed: AnalyzedDoc) -> list[tuple[str, int, int]]:
    return [
        (f"{event.type}/{role}", filler.start, filler.end)
        for event in analysed.events
        for role, fillers in event.roles.items()
        for filler in fillers
    ]


def _gold_event_fillers(article: GoldArticle) -> list[tuple[str, int, int]]:
    return [
        (f"{event['type']}/{role}", *resolve_span(article.text, spec))
        for event in article.expected["events"]
        for role, specs in event.get("roles", {}).items()
        for spec in specs
    ]


def _score_article(scores: GoldScores, article: GoldArticle, analysed: AnalyzedDoc) -> None:
    expected = article.expected
    if "events" in expected:
        scores.scored.add("events")
        predicted, gold = _event_fillers(analysed), _gold_event_fillers(article)
        scores.events.predicted += len(predicted)
        scores.events.gold += len(gold)
        scores.events.matched += _match_overlapping(predicted, gold)
    if "entities" in expected:
        scores.scored.add("entities")
        found = {(e.type, m.start, m.end) for e in analysed.entities for m in e.mentions}
        wanted = {(spec["type"], *resolve_span(article.text, spec)) for spec in expected["entities"]}
        scores.entities.predicted += len(found)
        scores.entities.gold += len(wanted)
        scores.entities.matched += len(found & wanted)


def _timex_document(article: GoldArticle) -> TimexDocument:
    timexes = []
    for index, spec in enumerate(article.expected["times"], start=1):
        start, end = resolve_span(article.text, spec)
        timexes.append(
            GoldTimex(f"t{index}", start, end, article.text[start:end], spec.get("type", "DATE"), spec["value"])
        )
    return TimexDocument(article.id, article.text, "", tuple(timexes))


def _geo_document(article: GoldArticle) -> GeoDocument:
    places = []
    for spec in article.expected["places"]:
        start, end = resolve_span(article.text, spec)
        places.append(GoldToponym(start, end, article.text[start:end], spec.get("lat"), spec.get("lon")))
    return GeoDocument(article.id, article.text, tuple(places))


def score_gold(articles: Sequence[GoldArticle], analysed: Iterable[AnalyzedDoc]) -> dict[str, Any]:
    """The report for ``articles`` given the pipeline's records for them (same order)."""
    scores = GoldScores()
    timex_predictions, timex_documents = [], []
    geo_predictions, geo_documents = [], []
    for article, records in zip(articles, analysed, strict=True):
        _score_article(scores, article, records)
        if "times" in article.expected:
            timex_documents.append(_timex_document(article))
            timex_predictions.extend(tempeval_timexes(article.id, records))
        if "places" in article.expected:
            geo_documents.append(_geo_document(article))
            geo_predictions.extend(toponyms(article.id, records))
    results = BenchmarkResults(
        tempeval3=timex.score_timexes(timex_predictions, timex_documents) if timex_documents else None,
        geocoding={"gold": geo.score_geocoding(geo_predictions, geo_documents)} if geo_documents else {},
    )
    report = build_report(results)
    report["overall"]["f1"] = scores.events.f1 if "events" in scores.scored else None
    report["overall"]["entity_f1"] = scores.entities.f1 if "entities" in scores.scored else None
    report["gold"] = {
        "articles": len(articles),
        "events": scores.events.as_dict() if "events" in scores.scored else None,
        "entities": scores.entities.as_dict() if "entities" in scores.scored else None,
    }
    return report


def evaluate_gold(pipeline: Pipeline, path: Path, split: str, limit: int | None) -> dict[str, Any]:
    """Run the pipeline over a gold file (``split`` is ignored: the file is what the user gives)."""
    articles = load_gold(path)[:limit] if limit is not None else load_gold(path)
    inputs = [Article(id=a.id, text=a.text, published=a.published) for a in articles]
    return score_gold(articles, pipeline.pipe(inputs))
