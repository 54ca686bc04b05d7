"""Evaluation against public benchmarks: dataset readers, faithful scorers and the prediction-side shapes.

Each scorer takes plain prediction objects defined here, so that pipeline output can be mapped onto them
without the scorers knowing anything about the pipeline:

* MUC-4 template filling (:mod:`.gtt`): ``dict[doc_id, list[PredictedTemplate]]``.
* TempEval-3 timex extraction and normalisation (:mod:`.timex`): ``list[PredictedTimex]``.
* Geocoding (:mod:`.geo`): ``list[PredictedToponym]``.
* WikiEvents argument extraction (:mod:`.argf1`): ``list[PredictedArgument]``.

Offsets are always end-exclusive. Where a benchmark is character-based (TempEval-3, geoparsing) offsets are
characters into the benchmark's own document text as returned by the matching reader; WikiEvents is
token-based, so its offsets are token indices into the dataset's ``tokens`` list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The five MUC-4 role slots in the order GTT prints them.
MUC4_ROLES: tuple[str, ...] = ("PerpInd", "PerpOrg", "Target", "Victim", "Weapon")

# A MUC-4 role filler: one entity, given as its coreferent mention strings (usually just one).
Entity = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PredictedTemplate:
    """One predicted MUC-4 incident template.

    ``incident_type`` is one of attack, bombing, kidnapping, arson, robbery, forced work stoppage.
    ``roles`` maps a name from :data:`MUC4_ROLES` to the predicted entities of that role; a missing role
    means no filler.
    """

    incident_type: str
    roles: dict[str, tuple[Entity, ...]] = field(default_factory=dict)

    def fillers(self, role: str) -> tuple[Entity, ...]:
        return self.roles.get(role, ())


@dataclass(frozen=True, slots=True)
class PredictedTimex:
    """One predicted TIMEX3: character span into the TempEval-3 document's TEXT, TimeML type and value."""

    doc_id: str
    start: int
    end: int
    type: str
    value: str


@dataclass(frozen=True, slots=True)
class PredictedToponym:
    """One resolved toponym: character span into the geoparsing article's text and its coordinates."""

    doc_id: str
    start: int
    end: int
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class PredictedArgument:
    """One predicted event argument for WikiEvents (token offsets, end-exclusive).

    The event is identified by its trigger span (``trigger_start``/``trigger_end``, tokens) in ``doc_id``;
    ``start``/``end`` is the argument span, ``role`` a KAIROS role name (e.g. ``Attacker``).
    """

    doc_id: str
    trigger_start: int
    trigger_end: int
    role: str
    start: int
    end: int
