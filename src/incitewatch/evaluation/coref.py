"""Coreference scores (MUC, B³, CEAF-m, CEAF-e, BLANC, CoNLL F1) over partitions of predicted mentions.

Implemented from the definitions in Pradhan et al. (2014), "Scoring Coreference Partitions of Predicted
Mentions: A Reference Implementation" (ACL), i.e. what the reference CoNLL scorer (``scorer.pl`` v8) computes:

* A *partition* is a collection of clusters of hashable mention ids. Key (gold) and response (system) may hold
  different mention sets: a key mention missing from the response, or a response mention missing from the key,
  simply matches nothing (no "twinless" adjustment, as in the reference scorer).
* **MUC** (Vilain et al. 1995): recall = Σ_K (|K| − |p(K)|) / Σ_K (|K| − 1), where p(K) partitions K by the
  response clusters and each key mention absent from the response forms its own part. Precision swaps the
  roles. Singletons contribute nothing; a key of singletons only scores 0 (0/0 is read as 0).
* **B³** (Bagga & Baldwin 1998): recall = Σ_K Σ_R |K∩R|² / |K| / Σ_K |K|; precision swaps the roles.
* **CEAF** (Luo 2005): the best one-to-one alignment of key and response clusters (Kuhn–Munkres) under
  φ3 = |K∩R| (mention-based, CEAF-m) or φ4 = 2|K∩R| / (|K|+|R|) (entity-based, CEAF-e); recall divides the
  total similarity by Σ_K φ(K, K), precision by Σ_R φ(R, R).
* **BLANC** (Recasens & Hovy 2011, extended to predicted mentions by Luo et al. 2014): coreference links C and
  non-coreference links N of key and response; R/P/F for each kind, averaged. A key with no non-coreference
  link (a single cluster) scores the coreference part only, a key with no coreference link (singletons only)
  the non-coreference part only. BLANC's F is the mean of the two F scores, not the harmonic mean of R and P.
* **CoNLL F1** is the unweighted mean of the MUC, B³ and CEAF-e F1 scores.

Scores are fractions in [0, 1]. The test file checks every metric against the worked cases that ship with the
reference scorer (``test/TestCases.README``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

Cluster = frozenset[Hashable]
Partition = Collection[Collection[Hashable]]


@dataclass(frozen=True, slots=True)
class PRF:
    """Recall, precision and F1 of one metric, as fractions."""

    recall: float
    precision: float
    f1: float

    @classmethod
    def from_ratios(cls, recall_num: float, recall_den: float, precision_num: float, precision_den: float) -> PRF:
        recall = recall_num / recall_den if recall_den else 0.0
        precision = precision_num / precision_den if precision_den else 0.0
        return cls(recall, precision, harmonic_mean(recall, precision))


@dataclass(frozen=True, slots=True)
class CorefScores:
    """Every metric for one key/response pair; ``conll_f1`` is the mean of MUC, B³ and CEAF-e F1."""

    muc: PRF
    b_cubed: PRF
    ceaf_e: PRF
    ceaf_m: PRF
    blanc: PRF

    @property
    def conll_f1(self) -> float:
        return (self.muc.f1 + self.b_cubed.f1 + self.ceaf_e.f1) / 3


def harmonic_mean(recall: float, precision: float) -> float:
    return 2 * recall * precision / (recall + precision) if recall + precision else 0.0


def as_partition(clusters: Partition) -> list[Cluster]:
    """Clusters as frozensets, empty ones dropped; a mention in two clusters is an error, not a merge."""
    seen: set[Hashable] = set()
    partition: list[Cluster] = []
    for cluster in clusters:
        members = frozenset(cluster)
        if not members:
            continue
        overlap = seen & members
        if overlap:
            raise ValueError(f"mention(s) {sorted(map(str, overlap))[:5]} occur in more than one cluster")
        seen |= members
        partition.append(members)
    return partition


def clusters_from_labels(labels: Mapping[Hashable, Hashable]) -> list[Cluster]:
    """Group mention ids by their cluster label (``{mention: label}`` → a partition)."""
    groups: dict[Hashable, set[Hashable]] = {}
    for mention, label in labels.items():
        groups.setdefault(label, set()).add(mention)
    return [frozenset(members) for members in groups.values()]


def _cluster_index(partition: Iterable[Cluster]) -> dict[Hashable, int]:
    return {mention: index for index, cluster in enumerate(partition) for mention in cluster}


def _overlaps(source: list[Cluster], target: list[Cluster]) -> list[Counter[int | None]]:
    """For each source cluster, how many of its mentions fall in each target cluster (None: in none)."""
    index = _cluster_index(target)
    return [Counter(index.get(mention) for mention in cluster) for cluster in source]


def _muc_side(source: list[Cluster], target: list[Cluster]) -> tuple[int, int]:
    numerator = 0
    denominator = 0
    for cluster, counts in zip(source, _overlaps(source, target), strict=True):
        # Mentions outside every target cluster each form a part of their own.
        parts = sum(1 for key in counts if key is not None) + counts.get(None, 0)
        numerator += len(cluster) - parts
        denominator += len(cluster) - 1
    return numerator, denominator


def muc(key: Partition, response: Partition) -> PRF:
    gold, system = as_partition(key), as_partition(response)
    recall_num, recall_den = _muc_side(gold, system)
    precision_num, precision_den = _muc_side(system, gold)
    return PRF.from_ratios(recall_num, recall_den, precision_num, precision_den)


def _b_cubed_side(source: list[Cluster], target: list[Cluster]) -> tuple[float, int]:
    numerator = 0.0
    for cluster, counts in zip(source, _overlaps(source, target), strict=True):
        shared = sum(count * count for target_index, count in counts.items() if target_index is not None)
        numerator += shared / len(cluster)
    return numerator, sum(len(cluster) for cluster in source)


def b_cubed(key: Partition, response: Partition) -> PRF:
    gold, system = as_partition(key), as_partition(response)
    recall_num, recall_den = _b_cubed_side(gold, system)
    precision_num, precision_den = _b_cubed_side(system, gold)
    return PRF.from_ratios(recall_num, recall_den, precision_num, precision_den)


def _ceaf(key: Partition, response: Partition, *, entity_based: bool) -> PRF:
    gold, system = as_partition(key), as_partition(response)
    similarity = np.zeros((len(gold), len(system)))
    for row, counts in enumerate(_overlaps(gold, system)):
        for column, shared in counts.items():
            if column is None:
                continue
            if entity_based:
                similarity[row, column] = 2 * shared / (len(gold[row]) + len(system[column]))
            else:
                similarity[row, column] = shared
    rows, columns = linear_sum_assignment(similarity, maximize=True)
    total = float(similarity[rows, columns].sum())
    if entity_based:
        return PRF.from_ratios(total, len(gold), total, len(system))
    return PRF.from_ratios(total, sum(map(len, gold)), total, sum(map(len, system)))


def ceaf_e(key: Partition, response: Partition) -> PRF:
    """Entity-based CEAF (φ4), the CEAF in CoNLL F1."""
    return _ceaf(key, response, entity_based=True)


def ceaf_m(key: Partition, response: Partition) -> PRF:
    """Mention-based CEAF (φ3)."""
    return _ceaf(key, response, entity_based=False)


def _pairs(size: int) -> int:
    return size * (size - 1) // 2


@dataclass(frozen=True, slots=True)
class _LinkCounts:
    key_coref: int
    key_non_coref: int
    response_coref: int
    response_non_coref: int
    common_coref: int
    common_non_coref: int


def _link_counts(gold: list[Cluster], system: list[Cluster]) -> _LinkCounts:
    """Link counts by inclusion–exclusion over cluster intersections (no O(n²) pair enumeration)."""
    gold_index, system_index = _cluster_index(gold), _cluster_index(system)
    common = gold_index.keys() & system_index.keys()
    key_coref = sum(_pairs(len(cluster)) for cluster in gold)
    response_coref = sum(_pairs(len(cluster)) for cluster in system)
    joint = Counter((gold_index[mention], system_index[mention]) for mention in common)
    same_both = sum(_pairs(count) for count in joint.values())
    same_gold = sum(_pairs(count) for count in Counter(gold_index[m] for m in common).values())
    same_system = sum(_pairs(count) for count in Counter(system_index[m] for m in common).values())
    return _LinkCounts(
        key_coref=key_coref,
        key_non_coref=_pairs(len(gold_index)) - key_coref,
        response_coref=response_coref,
        response_non_coref=_pairs(len(system_index)) - response_coref,
        common_coref=same_both,
        # Pairs of shared mentions split by both partitions.
        common_non_coref=_pairs(len(common)) - same_gold - same_system + same_both,
    )


def blanc(key: Partition, response: Partition) -> PRF:
    counts = _link_counts(as_partition(key), as_partition(response))
    coref = PRF.from_ratios(counts.common_coref, counts.key_coref, counts.common_coref, counts.response_coref)
    non_coref = PRF.from_ratios(
        counts.common_non_coref, counts.key_non_coref, counts.common_non_coref, counts.response_non_coref
    )
    if counts.key_non_coref == 0:
        return coref
    if counts.key_coref == 0:
        return non_coref
    return PRF(
        (coref.recall + non_coref.recall) / 2,
        (coref.precision + non_coref.precision) / 2,
        (coref.f1 + non_coref.f1) / 2,
    )


def score_partitions(key: Partition, response: Partition) -> CorefScores:
    """All metrics for one key/response pair (each a single partition over all documents scored together)."""
    gold, system = as_partition(key), as_partition(response)
    return CorefScores(
        muc=muc(gold, system),
        b_cubed=b_cubed(gold, system),
        ceaf_e=ceaf_e(gold, system),
        ceaf_m=ceaf_m(gold, system),
        blanc=blanc(gold, system),
    )
