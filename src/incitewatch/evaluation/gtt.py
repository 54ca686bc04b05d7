"""MUC-4 template-filling score as computed by GTT's ``eval.py`` (Du, Rush & Cardie, NAACL 2021).

The metric, re-implemented rule for rule (see ``shared/data/muc4/reference_outputs/README.md``):

1. Mentions on both sides are normalised: lower-case, ASCII punctuation removed, the words a/an/the removed,
   whitespace collapsed.
2. A predicted entity matches a gold entity when every one of its mentions equals some mention of the gold
   entity's coreference chain. Matching is not one-to-one inside a role.
3. Per document, every injective mapping of predicted templates to gold templates (or to nothing) is tried, in
   the order GTT's ``itertools.product`` enumerates them, and the first one with the highest document micro F1
   is kept. A pair only counts as aligned when the predicted incident type is a substring of the gold one
   (``attack`` aligns with ``attack / bombing``).
4. ``incident_type`` is scored as a sixth key: +1 to both numerators for an aligned pair, +1 to a denominator
   for every template. Fillers of unaligned templates count only in the denominators.
5. Counts are summed over documents; ``micro_avg`` sums the six keys' counts.

Denominators do not depend on the alignment, so each candidate mapping is scored from per-pair numerators
computed once; that keeps the exhaustive search fast without changing which mapping wins.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from incitewatch.evaluation import MUC4_ROLES, PredictedTemplate

INCIDENT_TYPE_KEY = "incident_type"
SCORE_KEYS: tuple[str, ...] = (INCIDENT_TYPE_KEY, *MUC4_ROLES)
MICRO_KEY = "micro_avg"

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCTUATION = frozenset(string.punctuation)

# A template after normalisation: its type and, per role, each entity's mention strings.
_NormTemplate = tuple[str, dict[str, list[list[str]]]]


def normalize_mention(text: str) -> str:
    """GTT/SQuAD-style normalisation: lower-case, drop punctuation, drop articles, collapse whitespace."""
    lowered = text.lower()
    without_punctuation = "".join(ch for ch in lowered if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", without_punctuation).split())


def gtt_f1(p_num: int, p_den: int, r_num: int, r_den: int) -> float:
    """F1 exactly as GTT computes it (same float operations, so ties are decided the same way)."""
    precision = 0 if p_den == 0 else p_num / float(p_den)
    recall = 0 if r_den == 0 else r_num / float(r_den)
    return 0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


@dataclass(slots=True)
class Counts:
    p_num: int = 0
    p_den: int = 0
    r_num: int = 0
    r_den: int = 0

    @property
    def precision(self) -> float:
        return self.p_num / self.p_den if self.p_den else 0.0

    @property
    def recall(self) -> float:
        return self.r_num / self.r_den if self.r_den else 0.0

    @property
    def f1(self) -> float:
        return float(gtt_f1(self.p_num, self.p_den, self.r_num, self.r_den))

    def add(self, other: Counts) -> None:
        self.p_num += other.p_num
        self.p_den += other.p_den
        self.r_num += other.r_num
        self.r_den += other.r_den

    def as_dict(self) -> dict[str, float]:
        return {
            "p": self.precision,
            "r": self.recall,
            "f1": self.f1,
            "p_num": self.p_num,
            "p_den": self.p_den,
            "r_num": self.r_num,
            "r_den": self.r_den,
        }


@dataclass(slots=True)
class GttScore:
    """Counts per key (``incident_type`` and the five roles) and their micro average."""

    per_key: dict[str, Counts] = field(default_factory=lambda: {key: Counts() for key in SCORE_KEYS})
    documents: int = 0

    @property
    def micro(self) -> Counts:
        total = Counts()
        for counts in self.per_key.values():
            total.add(counts)
        return total

    def as_dict(self) -> dict[str, dict[str, float]]:
        table = {key: counts.as_dict() for key, counts in self.per_key.items()}
        table[MICRO_KEY] = self.micro.as_dict()
        return table


def score_gtt(
    predictions: Mapping[str, Sequence[PredictedTemplate]],
    gold: Mapping[str, Sequence[PredictedTemplate]],
    doc_ids: Sequence[str] | None = None,
) -> GttScore:
    """Score predicted templates against gold, both keyed by doc id, over ``doc_ids`` (default: all gold).

    A document absent from ``predictions`` counts as having no predicted template.
    """
    result = GttScore()
    for doc_id in doc_ids if doc_ids is not None else list(gold):
        doc_counts = score_document(predictions.get(doc_id, ()), gold.get(doc_id, ()))
        for key in SCORE_KEYS:
            result.per_key[key].add(doc_counts[key])
        result.documents += 1
    return result


def score_document(
    predicted: Sequence[PredictedTemplate], gold: Sequence[PredictedTemplate]
) -> dict[str, Counts]:
    """Counts per key for one document under GTT's best template alignment."""
    alignment = _best_alignment(predicted, gold)
    return {
        key: Counts(
            p_num=alignment.numerators[key][0],
            p_den=alignment.denominators[key].p_den,
            r_num=alignment.numerators[key][1],
            r_den=alignment.denominators[key].r_den,
        )
        for key in SCORE_KEYS
    }


def template_credit(
    predicted: Sequence[PredictedTemplate], gold: Sequence[PredictedTemplate]
) -> list[tuple[int, int]]:
    """Per predicted template, under GTT's best alignment: (keys it gets credited for, keys it fills).

    A template's incident type and each of its fillers count once in the precision denominator; the credited ones
    are those of its aligned gold template that match. Their ratio is the template's own precision, what a model
    learning which templates to keep is trained on (``scripts/train_attack_focus.py``).
    """
    alignment = _best_alignment(predicted, gold)
    credit = []
    for index, (_kind, roles) in enumerate(alignment.predicted):
        filled = 1 + sum(len(entities) for entities in roles.values())
        gold_index = alignment.mapping[index]
        pair = alignment.pairs[(index, gold_index)] if gold_index >= 0 else None
        credit.append((sum(p_num for p_num, _r_num in pair.values()) if pair else 0, filled))
    return credit


@dataclass(frozen=True, slots=True)
class _Alignment:
    predicted: list[_NormTemplate]
    mapping: tuple[int, ...]
    pairs: dict[tuple[int, int], dict[str, tuple[int, int]] | None]
    numerators: dict[str, tuple[int, int]]
    denominators: dict[str, Counts]


def _best_alignment(predicted: Sequence[PredictedTemplate], gold: Sequence[PredictedTemplate]) -> _Alignment:
    pred_norm = [_normalise(t) for t in predicted]
    gold_norm = [_normalise(t) for t in gold]
    denominators = _denominators(pred_norm, gold_norm)
    pair_numerators = {
        (p, g): _pair_numerators(pred_norm[p], gold_norm[g])
        for p in range(len(pred_norm))
        for g in range(len(gold_norm))
    }
    best: tuple[tuple[int, ...], dict[str, tuple[int, int]]] | None = None
    best_f1 = 0.0
    for mapping in _injective_mappings(len(pred_norm), len(gold_norm)):
        numerators = _sum_numerators(mapping, pair_numerators)
        candidate_f1 = gtt_f1(
            sum(n[0] for n in numerators.values()),
            sum(d.p_den for d in denominators.values()),
            sum(n[1] for n in numerators.values()),
            sum(d.r_den for d in denominators.values()),
        )
        # Strictly greater: the first mapping in enumeration order wins ties, as in GTT.
        if best is None or candidate_f1 > best_f1:
            best, best_f1 = (mapping, numerators), candidate_f1
    assert best is not None  # the all-unmatched mapping always exists
    return _Alignment(pred_norm, best[0], pair_numerators, best[1], denominators)


def _normalise(template: PredictedTemplate) -> _NormTemplate:
    roles = {
        role: [[normalize_mention(m) for m in entity] for entity in template.fillers(role)]
        for role in MUC4_ROLES
    }
    return template.incident_type, roles


def _denominators(pred: Sequence[_NormTemplate], gold: Sequence[_NormTemplate]) -> dict[str, Counts]:
    """Every template and every filler counts once in its side's denominator, aligned or not."""
    dens = {key: Counts() for key in SCORE_KEYS}
    dens[INCIDENT_TYPE_KEY].p_den = len(pred)
    dens[INCIDENT_TYPE_KEY].r_den = len(gold)
    for role in MUC4_ROLES:
        dens[role].p_den = sum(len(t[1][role]) for t in pred)
        dens[role].r_den = sum(len(t[1][role]) for t in gold)
    return dens


def _entity_matches(gold_entity: list[str], pred_entity: list[str]) -> bool:
    return all(mention in gold_entity for mention in pred_entity)


def _pair_numerators(pred: _NormTemplate, gold: _NormTemplate) -> dict[str, tuple[int, int]] | None:
    """(precision numerator, recall numerator) per key if the pair aligns, else None."""
    if pred[0] not in gold[0]:
        return None
    numerators = {INCIDENT_TYPE_KEY: (1, 1)}
    for role in MUC4_ROLES:
        pred_entities, gold_entities = pred[1][role], gold[1][role]
        correct_pred = sum(any(_entity_matches(g, p) for g in gold_entities) for p in pred_entities)
        found_gold = sum(any(_entity_matches(g, p) for p in pred_entities) for g in gold_entities)
        numerators[role] = (correct_pred, found_gold)
    return numerators


def _sum_numerators(
    mapping: Sequence[int], pair_numerators: Mapping[tuple[int, int], dict[str, tuple[int, int]] | None]
) -> dict[str, tuple[int, int]]:
    totals = dict.fromkeys(SCORE_KEYS, (0, 0))
    for pred_index, gold_index in enumerate(mapping):
        if gold_index < 0:
            continue
        pair = pair_numerators[(pred_index, gold_index)]
        if pair is None:
            continue
        for key, (p_num, r_num) in pair.items():
            totals[key] = (totals[key][0] + p_num, totals[key][1] + r_num)
    return totals


def _injective_mappings(n_pred: int, n_gold: int) -> Iterator[tuple[int, ...]]:
    """Mappings pred index -> gold index or -1, no gold used twice, in ``itertools.product`` order.

    GTT enumerates ``product([0, ..., n_gold - 1, -1], repeat=n_pred)`` and skips invalid mappings; a
    depth-first walk over the same value order yields the valid ones in the same sequence without
    materialising the invalid ones.
    """
    values = [*range(n_gold), -1]

    def extend(prefix: tuple[int, ...], used: frozenset[int]) -> Iterator[tuple[int, ...]]:
        if len(prefix) == n_pred:
            yield prefix
            return
        for value in values:
            if value >= 0 and value in used:
                continue
            yield from extend((*prefix, value), used | {value} if value >= 0 else used)

    yield from extend((), frozenset())
