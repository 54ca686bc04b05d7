"""The nouns of incitewatch: frozen, slotted dataclasses that flow one way through the pipeline.

source → RawDocument → Article → AnalyzedDoc → cross-document records → store.

Every annotation is stand-off: ``start``/``end`` are character offsets into ``Article.text`` (the one canonical
text of an article) and ``text`` is always ``article.text[start:end]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

EntityType = Literal["group", "person", "place", "outlet", "organisation", "channel"]
Verification = Literal["confirmed", "claimed", "unverified", "disputed"]
Hedge = Literal["confirmed", "claimed", "unverified", "disputed"]
EventType = Literal["propaganda_release", "call_to_action", "attack", "arrest", "statement"]


@dataclass(frozen=True, slots=True)
class RawDocument:
    """Bytes exactly as received, and where they came from. Nothing is decoded or cleaned here."""

    data: bytes
    uri: str
    source: str = "file"
    media_type: str | None = None
    declared_published: date | None = None
    fetched_at: datetime | None = None
    declared_title: str | None = None
    declared_outlet: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One canonical text with its metadata. ``id`` is derived from the canonical text, so it is stable."""

    id: str
    text: str
    title: str | None = None
    author: str | None = None
    published: date | None = None
    url: str | None = None
    outlet: str | None = None
    language: str = "en"
    raw_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Entity:
    """A canonical thing mentioned in the article: ``id`` is stable across documents (``group:islamic-state``)."""

    id: str
    type: EntityType
    name: str
    aliases: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()
    # Related entities, e.g. {"parent": "group:islamic-state"} for ISIS-K; {"role": "spokesman"} for a person.
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TimeExpr:
    """A date expression normalised against the publication date (TIMEX3-like ``value``)."""

    start: int
    end: int
    text: str
    value: str  # "2017-06-12", "2017-06", "2023-09", "2017-W24", "P2Y", "2017-05-27/2017-06-25", "PAST_REF"
    type: Literal["DATE", "TIME", "DURATION", "SET"] = "DATE"
    # For ranges (religious periods, "late May"): ISO dates of the first and last day covered.
    begin: str | None = None
    end_date: str | None = None


@dataclass(frozen=True, slots=True)
class Place:
    start: int
    end: int
    text: str
    entity_id: str  # place:geonames:524901, place:region:europe
    name: str
    geonames_id: int | None
    country: str | None  # ISO 3166-1 alpha-2, None for regions spanning countries
    lat: float | None
    lon: float | None
    kind: Literal["city", "country", "region", "admin"] = "city"


@dataclass(frozen=True, slots=True)
class Quote:
    start: int  # the quoted content, without the quotation marks
    end: int
    text: str
    speaker: str | None  # entity id, or None when nobody can be named
    speaker_span: Span | None = None
    cue: Span | None = None  # "said", "told the Mail:", "The recording said:"


@dataclass(frozen=True, slots=True)
class Attribution:
    """A cited outlet/agency ("according to Reuters") or a hedge ("could not be independently verified")."""

    start: int
    end: int
    text: str
    source: str | None  # entity id of the cited outlet/agency/person, None for a bare hedge
    hedge: Hedge | None


@dataclass(frozen=True, slots=True)
class RoleFiller:
    start: int
    end: int
    text: str
    entity: str | None = None  # entity id when the filler is an entity
    value: str | int | None = None  # for values: killed/wounded counts, methods, media, time values


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    type: EventType
    evidence: Span
    roles: Mapping[str, tuple[RoleFiller, ...]]
    time: str | None = None
    verification: Verification = "confirmed"
    confidence: float = 0.5
    # Attacks only: how likely this is the incident the report itself tells of, not one it refers to in passing
    # (learned: incitewatch.extract.incidents); None where not scored.
    focus: float | None = None


# Where an attack's focus reads as the report's own incident rather than one it refers to in passing: what the
# pages label "own incident" and what toll reconciliation trusts (the MUC-4 mapping keeps its own tuned cut).
OWN_INCIDENT_FOCUS = 0.5


def is_own_incident(focus: float | None) -> bool:
    """Whether a report's attack with this focus is its own incident; unscored (``None``) ones are given the benefit."""
    return focus is None or focus >= OWN_INCIDENT_FOCUS


@dataclass(frozen=True, slots=True)
class AnalyzedDoc:
    article: Article
    entities: tuple[Entity, ...] = ()
    times: tuple[TimeExpr, ...] = ()
    places: tuple[Place, ...] = ()
    quotes: tuple[Quote, ...] = ()
    attributions: tuple[Attribution, ...] = ()
    events: tuple[Event, ...] = ()
