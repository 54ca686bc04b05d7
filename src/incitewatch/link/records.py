"""Cross-document records: one Actor, Release or Attack however many reports mention it.

Each record keeps every report's own values side by side (``*Report``) next to the reconciled view, and says how
the reconciled value was chosen. Analysts' decisions (merge, split) are ``Decision`` rows that win over the
machine's linking on every re-analysis and can be undone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

RecordKind = Literal["actor", "release", "attack"]
DecisionAction = Literal["merge", "split", "undo"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a value came from: an article and a span of its canonical text."""

    article_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class ActorName:
    name: str
    article_count: int
    first_seen: str | None  # ISO date of the earliest report using this spelling


@dataclass(frozen=True, slots=True)
class ActorRole:
    role: str  # "spokesman"
    organisation: str | None  # entity id, e.g. group:islamic-state
    start: str | None  # ISO date: from the resources' role history or the earliest report stating the role
    end: str | None
    source: str  # "resource: persons.json" or an article id


@dataclass(frozen=True, slots=True)
class Actor:
    id: str  # stable: the canonical entity id (person:…, group:…)
    type: str
    name: str
    names: tuple[ActorName, ...] = ()
    roles: tuple[ActorRole, ...] = ()
    article_ids: tuple[str, ...] = ()
    release_ids: tuple[str, ...] = ()
    merged_from: tuple[str, ...] = ()  # ids of records folded into this one (machine or analyst)
    link_reasons: tuple[str, ...] = ()  # why each name/report was linked here


@dataclass(frozen=True, slots=True)
class ReleaseReport:
    article_id: str
    event_id: str
    outlet: str | None
    published: str | None
    release_date: str | None  # what this report says (may differ between reports)
    evidence: Evidence
    link_reason: str  # "new record" or the shared features that attached it
    pinned: bool = False  # placed here by an analyst's decision


@dataclass(frozen=True, slots=True)
class Release:
    id: str
    group: str | None  # entity id
    speaker: str | None  # actor/entity id
    medium: str | None
    release_date: str | None  # reconciled
    release_date_reason: str
    channels: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    quotes: tuple[Evidence, ...] = ()
    verification: str = "confirmed"
    reports: tuple[ReleaseReport, ...] = ()
    disagreements: tuple[str, ...] = ()  # human-readable: "release date: 2017-06-12 (2 reports) vs 2017-06-11 (1)"
    earliest_report: str | None = None  # article id
    titles: tuple[str, ...] = ()  # the release's title as reports give it ("We Are All Osama")


@dataclass(frozen=True, slots=True)
class AttackReport:
    article_id: str
    event_id: str
    outlet: str | None
    published: str | None
    killed: int | None
    wounded: int | None
    date: str | None
    perpetrator: str | None  # entity id or value
    evidence: Evidence
    link_reason: str
    pinned: bool = False
    # How likely the attack is this report's own incident, not one it refers to (Event.focus); None if unscored.
    focus: float | None = None


@dataclass(frozen=True, slots=True)
class Attack:
    id: str
    place: str | None  # entity id
    place_name: str | None
    country: str | None
    date: str | None
    killed: int | None
    wounded: int | None
    perpetrator: str | None
    reconciliation: str  # how killed/wounded/date were chosen, in words
    killed_spread: tuple[int, ...] = ()  # every distinct reported value, sorted
    wounded_spread: tuple[int, ...] = ()
    reports: tuple[AttackReport, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceLink:
    """Report ``article_id`` cites ``cited`` (an outlet id) or is a syndicated copy of ``copy_of``."""

    article_id: str
    cited: str | None = None
    copy_of: str | None = None
    evidence: Evidence | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    kind: RecordKind
    action: DecisionAction
    record_ids: tuple[str, ...]
    article_ids: tuple[str, ...]
    reason: str
    user: str
    created_at: str
    undone_by: int | None = None
    details: dict[str, str] = field(default_factory=dict)
