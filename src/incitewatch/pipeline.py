"""The analysis pipeline: Article → AnalyzedDoc, in ordered stages over one spaCy ``Doc``.

Each stage reads the canonical text, the ``Doc`` and what earlier stages produced, and returns new stand-off
annotations; no stage rewrites another's output. The spaCy frame is built once per ``Pipeline`` and reused, and
``pipe`` batches documents through ``nlp.pipe`` so that the statistical model runs at its batched speed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from incitewatch.clean.article import to_article
from incitewatch.extract.attribution import extract_attributions, extract_channels, extract_outlets
from incitewatch.extract.entities import extract_entities, is_listed
from incitewatch.extract.events import extract_events
from incitewatch.extract.fillers import tidy_fillers
from incitewatch.extract.incidents import score_attacks
from incitewatch.extract.places import extract_places
from incitewatch.extract.quotes import extract_quotes
from incitewatch.extract.roles import add_learned_roles
from incitewatch.extract.times import extract_times
from incitewatch.nlp import build_nlp, model_available
from incitewatch.types import AnalyzedDoc, Article, Entity, Mention, Place, RawDocument

PIPELINE_VERSION = "0.2.6"


@dataclass(frozen=True, slots=True)
class PipelineOptions:
    use_model: bool = True  # False: rules and gazetteers only (what runs when the model is not installed)
    batch_size: int = 32
    max_bytes: int = 5_000_000


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _place_entities(places: Iterable[Place]) -> list[Entity]:
    """One entity per resolved place, its mentions being every place span that resolved to it."""
    by_id: dict[str, list[Place]] = {}
    for place in places:
        by_id.setdefault(place.entity_id, []).append(place)
    entities = []
    for entity_id, found in by_id.items():
        first = found[0]
        attributes = {"country": first.country} if first.country else {}
        entities.append(
            Entity(
                id=entity_id,
                type="place",
                name=first.name,
                aliases=tuple(sorted({p.text for p in found})),
                mentions=tuple(Mention(p.start, p.end, p.text) for p in found),
                attributes=attributes,
            )
        )
    return entities


def _without_mentions_inside(entities: Iterable[Entity], spans: list[tuple[int, int]]) -> list[Entity]:
    """Drop mentions that overlap stronger annotations (outlets, places); drop entities left without mentions."""
    kept = []
    for entity in entities:
        mentions = tuple(
            m for m in entity.mentions if not any(_overlaps(m.start, m.end, s, e) for s, e in spans)
        )
        if mentions:
            kept.append(
                entity if len(mentions) == len(entity.mentions) else replace(entity, mentions=mentions)
            )
    return kept


def _places_outside(places: Iterable[Place], entities: Iterable[Entity]) -> list[Place]:
    """A toponym inside a group or organisation name ("ISIS-Khorasan", "Defeat Isis Bureau") is not a place."""
    name_spans = [
        (m.start, m.end)
        for e in entities
        if e.type in ("group", "organisation", "outlet")
        for m in e.mentions
    ]
    return [p for p in places if not any(s <= p.start and p.end <= e for s, e in name_spans)]


def analyze_doc(article: Article, doc: Doc, *, learned_roles: bool = True) -> AnalyzedDoc:
    """Run every extraction stage over an article whose text has already been through spaCy.

    ``learned_roles=False`` leaves out the learned stages, roles and attack focus (the role model's training
    script reads the rules' output).
    """
    text = article.text
    found = extract_entities(text, doc)
    outlets = list(extract_outlets(text, doc))
    channels = extract_channels(text, doc)
    # Outlets and channels have their own gazetteers; the model's ORG over "Reuters" or "Telegram" gives way.
    taken = [(m.start, m.end) for o in (*outlets, *channels) for m in o.mentions]
    named = _without_mentions_inside([e for e in found if e.type != "outlet"], taken)
    places = _places_outside(extract_places(text, doc), [*named, *outlets])
    # A statistical PERSON/ORG over a resolved toponym ("Tal Afar" as a person) loses to the gazetteer,
    # but entities the resources know (groups, listed persons) keep their spans.
    place_spans = [(p.start, p.end) for p in places]
    unlisted = [e for e in named if e.type in ("person", "organisation") and not is_listed(e.id)]
    listed = [e for e in named if e not in unlisted]
    entities = (
        *listed,
        *_without_mentions_inside(unlisted, place_spans),
        *outlets,
        *channels,
        *_place_entities(places),
    )
    ordered = tuple(sorted(entities, key=lambda e: (e.mentions[0].start if e.mentions else 0, e.id)))
    # Deictic "now", "currently", "recently" are TIMEX3 references too; events only read calendar dates.
    times = extract_times(text, article.published, doc, include_deictic=True)
    attributions = extract_attributions(text, doc, ordered)
    quotes = extract_quotes(text, doc, ordered)
    partial = AnalyzedDoc(article, ordered, times, tuple(places), quotes, attributions, ())
    # The learned stage reads the rules' fillers tidied, as its training script saw them (learned_roles=False).
    analysed = replace(partial, events=tidy_fillers(extract_events(partial, doc), text))
    if not learned_roles:
        return analysed
    # Attacks take the fillers the packaged role model finds in the whole report (a no-op without the model);
    # the fillers it adds are tidied like the rules'. Then each attack takes its learned focus (is it the report's
    # own incident?), read off its final roles (None without that model).
    with_roles = replace(analysed, events=tidy_fillers(add_learned_roles(analysed, doc), text))
    return replace(with_roles, events=score_attacks(with_roles))


class Pipeline:
    """Reusable analysis pipeline. Build once (loads spaCy), then call ``analyze*`` or ``pipe`` many times."""

    def __init__(self, options: PipelineOptions | None = None) -> None:
        self.options = options or PipelineOptions()
        self._nlp: Language | None = None

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = build_nlp(self.options.use_model)
        return self._nlp

    @property
    def version(self) -> str:
        """What made an analysis: ``PIPELINE_VERSION``, with ``+rules`` when no statistical model runs (turned off
        or not installed). A stored analysis then says whether the model read it, and a rules-only analysis is
        re-done, not kept, when the same story meets the full pipeline (or ``incitewatch reanalyse``)."""
        return PIPELINE_VERSION if self.uses_model else f"{PIPELINE_VERSION}+rules"

    @property
    def current_versions(self) -> tuple[str, ...]:
        """The versions whose stored analyses this pipeline keeps rather than re-does: its own, and for a rules-only
        pipeline also the full one's (an analysis the model read is never replaced by a weaker one)."""
        return (self.version,) if self.uses_model else (self.version, PIPELINE_VERSION)

    @property
    def uses_model(self) -> bool:
        """Whether the statistical model runs: once spaCy is loaded its pipes say so; before, whether a model package
        is installed (what ``build_nlp`` will load), so asking for the version does not load the model."""
        if self._nlp is not None:
            return "ner" in self._nlp.pipe_names
        return self.options.use_model and model_available() is not None

    def analyze_article(self, article: Article) -> AnalyzedDoc:
        return analyze_doc(article, self.nlp(article.text))

    def analyze_raw(self, raw: RawDocument) -> AnalyzedDoc:
        return self.analyze_article(to_article(raw, max_bytes=self.options.max_bytes))

    def analyze_text(
        self,
        text: str,
        *,
        published: date | None = None,
        title: str | None = None,
        url: str | None = None,
        outlet: str | None = None,
        uri: str = "<text>",
    ) -> AnalyzedDoc:
        raw = RawDocument(
            data=text.encode("utf-8"),
            uri=url or uri,
            source="text",
            media_type="text/plain; charset=utf-8",
            declared_published=published,
            declared_title=title,
            declared_outlet=outlet,
        )
        return self.analyze_raw(raw)

    def pipe(self, articles: Iterable[Article]) -> Iterator[AnalyzedDoc]:
        """Analyse many articles, batching the spaCy model (the costly part) over them."""
        stream = ((a.text, a) for a in articles)
        for doc, article in self.nlp.pipe(stream, as_tuples=True, batch_size=self.options.batch_size):
            yield analyze_doc(article, doc)


def analyze(
    text: str,
    *,
    published: date | str | None = None,
    title: str | None = None,
    url: str | None = None,
    pipeline: Pipeline | None = None,
) -> AnalyzedDoc:
    """Analyse one report. ``published`` anchors relative dates ("on Monday"); pass a Pipeline to reuse it."""
    if isinstance(published, str):
        published = date.fromisoformat(published)
    return (pipeline or default_pipeline()).analyze_text(text, published=published, title=title, url=url)


@lru_cache(maxsize=1)
def default_pipeline() -> Pipeline:
    """One shared pipeline with default options, built on first use so that importing loads no model."""
    return Pipeline()
