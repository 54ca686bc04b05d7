"""Geocoding scores as in Gritta et al. (accuracy@161 km, mean/median error, AUC of the log error curve).

Evaluation follows the geocoding convention of that literature: each gold toponym with coordinates that the
system also recognised (same span, or overlapping span with ``match="overlap"``) contributes its great-circle
error. ``coverage`` says which share of geocoded gold toponyms that was. With ``penalise_missing=True`` an
unrecognised gold toponym counts with the maximal error (half the earth's circumference, 20,039 km) instead of
being left out, which makes the figures comparable across systems with different recall.

Formulas, as in Gritta's evaluation code: accuracy@161 counts errors with ``log(1 + d) < log(161)``; AUC is
the trapezoidal area under the sorted ``log(1 + d)`` curve divided by ``log(20039) * (n - 1)``
(lower is better).
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from incitewatch.evaluation import PredictedToponym
from incitewatch.evaluation.geoparsing import GeoDocument, GoldToponym

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
MAX_ERROR_KM = 20039.0  # half the equatorial circumference, the error ceiling used for AUC
ACCURACY_THRESHOLD_KM = 161.0  # 100 miles

SpanMatch = Literal["exact", "overlap"]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two WGS84 points (haversine on a sphere of mean radius)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(slots=True)
class GeoScore:
    errors_km: list[float] = field(default_factory=list)
    gold_geocoded: int = 0
    matched: int = 0

    @property
    def coverage(self) -> float:
        return self.matched / self.gold_geocoded if self.gold_geocoded else 0.0

    @property
    def acc_161km(self) -> float:
        if not self.errors_km:
            return 0.0
        hits = sum(math.log(1 + e) < math.log(ACCURACY_THRESHOLD_KM) for e in self.errors_km)
        return hits / len(self.errors_km)

    @property
    def mean_error_km(self) -> float:
        return statistics.fmean(self.errors_km) if self.errors_km else 0.0

    @property
    def median_error_km(self) -> float:
        return statistics.median(self.errors_km) if self.errors_km else 0.0

    @property
    def auc(self) -> float:
        return log_error_auc(self.errors_km)

    def as_dict(self) -> dict[str, float]:
        return {
            "acc_161km": self.acc_161km,
            "mean_error_km": self.mean_error_km,
            "median_error_km": self.median_error_km,
            "auc": self.auc,
            "coverage": self.coverage,
            "matched": self.matched,
            "gold_geocoded": self.gold_geocoded,
            "scored": len(self.errors_km),
        }


def log_error_auc(errors_km: Sequence[float]) -> float:
    """Normalised area under the sorted log(1 + error) curve; 0 is perfect, 1 every error maximal."""
    if len(errors_km) < 2:
        return 0.0 if not errors_km else math.log(1 + errors_km[0]) / math.log(MAX_ERROR_KM)
    curve = sorted(math.log(1 + e) for e in errors_km)
    area = sum((a + b) / 2 for a, b in itertools.pairwise(curve))
    return area / (math.log(MAX_ERROR_KM) * (len(curve) - 1))


def score_geocoding(
    predictions: Iterable[PredictedToponym],
    documents: Sequence[GeoDocument],
    *,
    match: SpanMatch = "exact",
    penalise_missing: bool = False,
) -> GeoScore:
    """Errors of predicted coordinates for the geocoded gold toponyms of ``documents``."""
    by_doc: dict[str, list[PredictedToponym]] = defaultdict(list)
    for prediction in predictions:
        by_doc[prediction.doc_id].append(prediction)
    score = GeoScore()
    for document in documents:
        candidates = by_doc.get(document.doc_id, [])
        used: set[int] = set()
        for gold in document.geocoded:
            score.gold_geocoded += 1
            index = _find_prediction(gold, candidates, used, match)
            if index is None:
                if penalise_missing:
                    score.errors_km.append(MAX_ERROR_KM)
                continue
            used.add(index)
            score.matched += 1
            predicted = candidates[index]
            assert gold.lat is not None and gold.lon is not None  # guaranteed by GeoDocument.geocoded
            score.errors_km.append(haversine_km(gold.lat, gold.lon, predicted.lat, predicted.lon))
    return score


def _find_prediction(
    gold: GoldToponym, candidates: Sequence[PredictedToponym], used: set[int], match: SpanMatch
) -> int | None:
    for index, candidate in enumerate(candidates):
        if index in used:
            continue
        if (candidate.start, candidate.end) == (gold.start, gold.end):
            return index
    if match == "overlap":
        for index, candidate in enumerate(candidates):
            if index not in used and candidate.start < gold.end and gold.start < candidate.end:
                return index
    return None
