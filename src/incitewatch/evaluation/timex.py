"""TempEval-3 timex scores as defined by the official scorer (``evaluation-entities/evaluate_entities.py``).

* The document creation time is not scored (the official scorer skips ``tid="t0"``).
* Relaxed match: system and gold TIMEX3 overlap. The official toolkit aligns entities with TimeML-Normalizer,
  which gives overlapping annotations the same id; here overlap pairs are formed one-to-one, each gold timex
  (in text order) taking the first still-unpaired overlapping system timex.
* Strict match: a relaxed pair with exactly the same extent.
* P = matches / system timexes, R = matches / gold timexes, F1 their harmonic mean, micro over documents.
* Attribute F1 (``type``, ``value``): attribute accuracy over relaxed matches times relaxed F1, i.e.
  ``value_f1 = value_matches / relaxed_matches * relaxed_f1`` (the figure TempEval-3 ranks systems by).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from incitewatch.evaluation import PredictedTimex
from incitewatch.evaluation.tempeval3 import GoldTimex, TimexDocument


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(slots=True)
class TimexScore:
    system: int = 0
    gold: int = 0
    strict: int = 0
    relaxed: int = 0
    type_matches: int = 0
    value_matches: int = 0

    def _prf(self, matched: int) -> tuple[float, float, float]:
        precision = matched / self.system if self.system else 0.0
        recall = matched / self.gold if self.gold else 0.0
        return precision, recall, _f1(precision, recall)

    @property
    def strict_f1(self) -> float:
        return self._prf(self.strict)[2]

    @property
    def relaxed_f1(self) -> float:
        return self._prf(self.relaxed)[2]

    @property
    def type_accuracy(self) -> float:
        return self.type_matches / self.relaxed if self.relaxed else 0.0

    @property
    def value_accuracy(self) -> float:
        return self.value_matches / self.relaxed if self.relaxed else 0.0

    @property
    def type_f1(self) -> float:
        return self.type_accuracy * self.relaxed_f1

    @property
    def value_f1(self) -> float:
        return self.value_accuracy * self.relaxed_f1

    def as_dict(self) -> dict[str, float]:
        strict_p, strict_r, strict_f = self._prf(self.strict)
        relaxed_p, relaxed_r, relaxed_f = self._prf(self.relaxed)
        return {
            "strict_p": strict_p,
            "strict_r": strict_r,
            "strict_f1": strict_f,
            "relaxed_p": relaxed_p,
            "relaxed_r": relaxed_r,
            "relaxed_f1": relaxed_f,
            "type_accuracy": self.type_accuracy,
            "value_accuracy": self.value_accuracy,
            "type_f1": self.type_f1,
            "value_f1": self.value_f1,
            "system": self.system,
            "gold": self.gold,
            "strict": self.strict,
            "relaxed": self.relaxed,
            "type_matches": self.type_matches,
            "value_matches": self.value_matches,
        }


def score_timexes(predictions: Iterable[PredictedTimex], documents: Sequence[TimexDocument]) -> TimexScore:
    """Score predicted timexes over ``documents``; predictions for other doc ids are ignored."""
    by_doc: dict[str, list[PredictedTimex]] = defaultdict(list)
    for timex in predictions:
        by_doc[timex.doc_id].append(timex)
    score = TimexScore()
    for document in documents:
        _score_document(score, document.timexes, sorted(by_doc.get(document.doc_id, []), key=_span))
    return score


def _span(timex: PredictedTimex) -> tuple[int, int]:
    return timex.start, timex.end


def _overlaps(gold: GoldTimex, system: PredictedTimex) -> bool:
    return gold.start < system.end and system.start < gold.end


def _score_document(score: TimexScore, gold: Sequence[GoldTimex], system: Sequence[PredictedTimex]) -> None:
    score.system += len(system)
    score.gold += len(gold)
    paired: set[int] = set()
    for gold_timex in sorted(gold, key=lambda g: (g.start, g.end)):
        match = next((i for i, s in enumerate(system) if i not in paired and _overlaps(gold_timex, s)), None)
        if match is None:
            continue
        paired.add(match)
        system_timex = system[match]
        score.relaxed += 1
        score.strict += (system_timex.start, system_timex.end) == (gold_timex.start, gold_timex.end)
        score.type_matches += system_timex.type == gold_timex.type
        score.value_matches += system_timex.value == gold_timex.value
