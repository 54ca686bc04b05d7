"""A learned focus for attack records: how likely one record tells of the specific incident the report is about,
with details the pipeline read right, rather than one it refers to in passing ("the wave of attacks", "praised the
bombing of a market in Kirkuk in February"), an old or hypothetical one ("could attack", "in 1985") or a
misreading.

The rules of :mod:`incitewatch.extract.events` find every clause that reports an attack; a report often names many
and only some are the incident it is about. This stage describes each attack record by what the pipeline already
knows of it (:func:`attack_features`: which roles it filled and how many, whether its perpetrator is a listed
group, its attack word, where it sits in the article, words of time, doubt, speech and generality in its evidence,
how many attacks and quotes the article holds) and sets ``Event.focus`` to the probability a logistic regression
gives it. The model (``resources/attack_focus.json``, made by
``scripts/train_attack_focus.py``) learned from the MUC-4 train split which records end up in incident
templates a scorer credits; without the file ``focus`` stays ``None``. ``Event.confidence`` (the share of core roles
the rules filled) is left alone: a referenced attack is no less true for being referenced.

Records are never dropped here: analysts see every attack with its focus. The MUC-4 mapping keeps an incident
only if one of its records reaches the threshold chosen on MUC-4 dev (``muc4_threshold`` in the same file).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from incitewatch.extract.events import is_perpetrator_group, perpetrator_group_mentions
from incitewatch.extract.lexicon import event_lexicon
from incitewatch.extract.times import month_bounds
from incitewatch.resources import optional_packaged_json
from incitewatch.types import AnalyzedDoc, Event

ROLE_COUNTS: tuple[str, ...] = ("perpetrator", "target", "victim", "killed", "wounded", "method", "place", "date")
_OPENING_CHARS = 600  # about the first two sentences of a news report: where its own incident is told
# Words of the evidence clause, each family one feature: when it happened, whether it happened, who says so.
_CUES: Mapping[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in {
        "year": r"\b(?:1[89]|20)\d\d\b",
        "long_ago": r"\bago\b|\blast\s+(?:year|month)\b|\bearlier\s+this\s+year\b|"
        r"\b(?:past|last)\s+(?:\w+\s+)?(?:decades?|years)\b|\bsince\s+(?:1[89]|20)\d\d\b",
        "recent": r"\b(?:yesterday|today|tonight|last\s+night|this\s+(?:morning|afternoon|evening)|last\s+week)\b",
        "modal": r"\b(?:will|would|could|may|might|plan\w*|threat\w*|intend\w*|prepar\w*|warn\w*)\b",
        "negation": r"\b(?:not|no|never|denie[sd]|deny)\b",
        "quote": r"[\"“”]",
        "speech": r"\b(?:said|says|stated|reported|according)\b",
        "claim": r"\b(?:claim\w*|responsib\w*)\b",
        "general": r"\b(?:attacks|bombings|murders|killings|assassinations|kidnappings|crimes|actions|acts|"
        r"violence|wave|dozens|hundreds|scores|series|campaign|spate)\b",
        "number": r"\b\d+\b",
        "war": r"\b(?:war|offensive|clash\w*|combat|fighting)\b",
    }.items()
}


def _log_count(n: int) -> float:
    return math.log1p(n)


def _attack_word(event: Event) -> str | None:
    """The first attack noun or verb of the record's evidence, lower-cased."""
    lex = event_lexicon()
    text = event.evidence.text
    hits = [hit for hit in (lex.attack_nouns.first(text), lex.attack_verbs.first(text)) if hit]
    return min(hits, key=lambda hit: hit.start).text.lower() if hits else None


def _article_features(doc: AnalyzedDoc) -> dict[str, float]:
    """What the whole article says, the same for each of its attacks."""
    text = doc.article.text
    attacks = sum(1 for e in doc.events if e.type == "attack")
    attacker_nouns = sum(1 for _ in event_lexicon().perpetrator_nouns.finditer(text))
    return {
        "article_words": _log_count(len(text.split())),
        "article_attacks": _log_count(attacks),
        "article_other_events": _log_count(len(doc.events) - attacks),
        "article_quotes": _log_count(len(doc.quotes)),
        "article_names_group": float(
            any(e.type == "group" for e in doc.entities) or bool(perpetrator_group_mentions(text))
        ),
        "article_repeats_attacker": float(attacker_nouns >= 2),
    }


def attack_features(event: Event, doc: AnalyzedDoc, article: Mapping[str, float] | None = None) -> dict[str, float]:
    """The features of one attack record of ``doc`` (``article``: :func:`_article_features`, when already known)."""
    features = dict(article if article is not None else _article_features(doc))
    length = max(len(doc.article.text), 1)
    features["position"] = event.evidence.start / length
    features["in_opening"] = float(event.evidence.start < _OPENING_CHARS)
    features["evidence_words"] = _log_count(len(event.evidence.text.split()))
    for role in ROLE_COUNTS:
        features[f"n_{role}"] = _log_count(len(event.roles.get(role, ())))
    persons = {e.id for e in doc.entities if e.type == "person"}
    groups = {e.id for e in doc.entities if e.type in ("group", "organisation")}
    features["victim_is_person"] = float(any(f.entity in persons for f in event.roles.get("victim", ())))
    features["perpetrator_is_group"] = float(
        any(f.entity in groups or is_perpetrator_group(f.text) for f in event.roles.get("perpetrator", ()))
    )
    for method in event.roles.get("method", ()):
        features[f"method={method.value}"] = 1.0
    features[f"verification={event.verification}"] = 1.0
    features["dated"] = float(bool(event.time and event.time[:4].isdigit()))
    place = event.roles.get("place", ())
    # How often the article tells of an attack at the same place: a report retells its own incident.
    features["same_place"] = (
        _log_count(sum(1 for other in doc.events if other.type == "attack" and _same_place(other, place[0].entity)))
        if place
        else 0.0
    )
    for name, pattern in _CUES.items():
        features[f"cue={name}"] = float(bool(pattern.search(event.evidence.text)))
    word = _attack_word(event)
    if word:
        features[f"word={word}"] = 1.0
    return features


def _same_place(event: Event, entity: str | None) -> bool:
    places = event.roles.get("place", ())
    return bool(places) and entity is not None and places[0].entity == entity


@dataclass(frozen=True, slots=True)
class AttackFocusModel:
    """A logistic regression over :func:`attack_features` (raw values: the training script folds its
    standardisation into the weights), and the MUC-4 mapping's threshold."""

    bias: float
    weights: Mapping[str, float]
    muc4_threshold: float

    def probability(self, features: Mapping[str, float]) -> float:
        total = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))


def parse_focus_model(raw: Mapping[str, Any]) -> AttackFocusModel:
    """A model from its JSON form: ``bias``, ``weights`` (feature → weight), ``muc4_threshold``."""
    return AttackFocusModel(
        bias=float(raw["bias"]),
        weights={str(name): float(weight) for name, weight in raw["weights"].items()},
        muc4_threshold=float(raw["muc4_threshold"]),
    )


@lru_cache(maxsize=1)
def attack_focus_model() -> AttackFocusModel | None:
    """The packaged model, or ``None`` when ``resources/attack_focus.json`` is absent."""
    raw = optional_packaged_json("attack_focus.json")
    return None if raw is None else parse_focus_model(raw)


def score_attacks(doc: AnalyzedDoc, model: AttackFocusModel | None = None) -> tuple[Event, ...]:
    """``doc``'s events, each attack with the model's focus (all unchanged without a model)."""
    model = model or attack_focus_model()
    if model is None or not any(e.type == "attack" for e in doc.events):
        return doc.events
    article = _article_features(doc)
    return tuple(
        replace(event, focus=_focus(model.probability(attack_features(event, doc, article)), event, doc))
        if event.type == "attack"
        else event
        for event in doc.events
    )


# An attack dated over a month before the report was published is one the report looks back on ("Senator X, who was
# kidnapped in 1990, spoke today"). MUC-4's texts carry no publication date, so the model cannot learn this; the
# focus of such an attack is capped by hand instead.
_LOOKED_BACK_ON = timedelta(days=31)
_LOOKED_BACK_ON_FOCUS = 0.2


def _focus(probability: float, event: Event, doc: AnalyzedDoc) -> float:
    published, ended = doc.article.published, _last_day(event.time)
    if published is not None and ended is not None and published - ended > _LOOKED_BACK_ON:
        probability = min(probability, _LOOKED_BACK_ON_FOCUS)
    return round(probability, 3)


def _last_day(value: str | None) -> date | None:
    """The last day of a calendar value ("1990", "2025-02", "2025-02-14"); None for anything else ("XXXX-02-02")."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value or "")
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        if day:
            return date(int(year), int(month), int(day))
        if month:
            return month_bounds(int(year), int(month))[1]
        return date(int(year), 12, 31)
    except ValueError:  # "2025-13", "2025-02-30"
        return None
