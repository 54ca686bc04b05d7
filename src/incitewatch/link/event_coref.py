"""Cross-document event-mention clustering: documents first, then mentions within each document cluster.

The two stages follow Barhom et al. (2019) and Cattan et al. (2021): a topic pre-clustering of whole documents
(TF-IDF cosine, average-link agglomerative) keeps unrelated reports apart, then the event mentions inside each
document cluster are clustered agglomeratively on a hand-built pairwise similarity:

* **trigger**: 1 for the same head lemma, a smaller score for related lemmas (a shared stem such as
  ``injure``/``injury``, or a lemma pair that annotators linked often in training data, passed in as
  ``related_lemmas``);
* **arguments** from the mention's sentence: participants (PERSON, ORG, NORP), places (GPE, LOC, FAC) and
  times (DATE, TIME, reduced to simple year/month/day/weekday keys). Shared arguments add to the score, times
  that disagree subtract from it.

Everything is computed from what our records carry (a trigger span and the entities of its sentence), so the
same code links the pipeline's events across outlets. Thresholds are chosen on development data only
(``benchmarks/ecbplus_eval.py`` tunes them on the ECB+ dev topics, where the argument bonuses gave no gain and
are therefore off in :data:`DEV_TUNED_WEIGHTS`). The same-lemma baseline of the literature is
:func:`lemma_baseline`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from spacy.tokens import Doc, Span

PARTICIPANT_LABELS = frozenset({"PERSON", "ORG", "NORP"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
TIME_LABELS = frozenset({"DATE", "TIME"})

_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_DAY = re.compile(r"\b([12]?\d|3[01])(?:st|nd|rd|th)?\b")
_WORD = re.compile(r"[a-z][a-z'-]+")
_NAME_OR_YEAR = re.compile(r"\b[A-Z][a-z]+\b|\b(?:19|20)\d\d\b")
# Function words and reporting clutter that say nothing about which story a document tells.
_STOPWORD_TEXT = """
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most my
myself no nor not now of off on once only or other our ours ourselves out over own said same says she
should so some such than that the their theirs them themselves then there these they this those through
to too under until up very was we were what when where which while who whom why will with would you your
yours yourself
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True, slots=True)
class EventMentionRecord:
    """What the linker needs from one event mention: its trigger and the arguments found in its sentence."""

    mention_id: str
    doc_id: str
    trigger_lemma: str
    trigger_text: str
    participants: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    times: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SimilarityWeights:
    """Pairwise score = trigger similarity + bonuses for shared arguments − a penalty for clashing times."""

    related_lemma: float = 0.6
    shared_participant: float = 0.15
    shared_place: float = 0.1
    shared_time: float = 0.15
    time_conflict: float = 0.3


# The values benchmarks/ecbplus_eval.py picks on the ECB+ dev topics: argument bonuses brought no dev gain there
# (sentence-level arguments are sparse and same-lemma matches dominate), so they are off by default.
DEV_TUNED_WEIGHTS = SimilarityWeights(
    related_lemma=0.7, shared_participant=0.0, shared_place=0.0, shared_time=0.0, time_conflict=0.0
)


@dataclass(frozen=True, slots=True)
class LinkerConfig:
    """Thresholds of both stages (higher merges less); defaults are the ECB+ dev-tuned values."""

    document_similarity: float = 0.2
    mention_similarity: float = 0.6
    weights: SimilarityWeights = DEV_TUNED_WEIGHTS


# ---------------------------------------------------------------- document pre-clustering


def document_words(text: str) -> list[str]:
    """Lower-cased content words of a text, for the topic pre-clustering; names and years count twice.

    Names and years are what tell two reports of the same kind of event apart (two different earthquakes),
    so capitalised words and four-digit years are added a second time (tuned on ECB+ dev and train topics).
    """
    words = [word for word in _WORD.findall(text.lower()) if word not in _STOPWORDS]
    names = [word.lower() for word in _NAME_OR_YEAR.findall(text)]
    return words + [word for word in names if word not in _STOPWORDS]


def tfidf_matrix(documents: Sequence[Sequence[str]]) -> np.ndarray:
    """L2-normalised TF-IDF rows (log-scaled term frequency, smoothed IDF) over the documents' vocabulary."""
    vocabulary: dict[str, int] = {}
    counts = [Counter(words) for words in documents]
    for counter in counts:
        for word in counter:
            vocabulary.setdefault(word, len(vocabulary))
    document_frequency = np.zeros(len(vocabulary))
    for counter in counts:
        for word in counter:
            document_frequency[vocabulary[word]] += 1
    idf = np.log((1 + len(documents)) / (1 + document_frequency)) + 1
    matrix = np.zeros((len(documents), len(vocabulary)))
    for row, counter in enumerate(counts):
        for word, count in counter.items():
            matrix[row, vocabulary[word]] = (1 + math.log(count)) * idf[vocabulary[word]]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def agglomerate(similarity: np.ndarray, threshold: float) -> list[int]:
    """Average-link clustering of a square similarity matrix; groups whose mean similarity ≥ ``threshold``.

    Similarities may exceed 1 (argument bonuses on top of a same-lemma match), so distances are taken from the
    largest value instead of from 1. Returns a cluster label per row.
    """
    size = similarity.shape[0]
    if size <= 1:
        return [0] * size
    ceiling = max(1.0, float(similarity.max()))
    distance = ceiling - similarity
    np.fill_diagonal(distance, 0.0)
    distance = np.maximum(distance, distance.T)  # exact symmetry for squareform
    tree = linkage(squareform(distance, checks=False), method="average")
    if threshold > ceiling:
        return list(range(size))
    return [int(label) for label in fcluster(tree, t=ceiling - threshold, criterion="distance")]


def cluster_documents(documents: Mapping[str, Sequence[str]], threshold: float) -> list[list[str]]:
    """Group document ids whose TF-IDF cosine similarity (average link) reaches ``threshold``.

    ``documents`` maps an id to its words (see :func:`document_words`).
    """
    ids = list(documents)
    if not ids:
        return []
    vectors = tfidf_matrix([documents[doc_id] for doc_id in ids])
    labels = agglomerate(vectors @ vectors.T, threshold)
    return _groups(ids, labels)


def _groups(ids: Sequence[str], labels: Sequence[int]) -> list[list[str]]:
    groups: dict[int, list[str]] = {}
    for item, label in zip(ids, labels, strict=True):
        groups.setdefault(label, []).append(item)
    return list(groups.values())


# ---------------------------------------------------------------- mention features


def time_keys(text: str) -> frozenset[str]:
    """Simple date keys of a DATE/TIME entity: ``year:2009``, ``month:may``, ``day:3``, ``weekday:friday``."""
    lowered = text.lower()
    keys = {f"year:{year}" for year in _YEAR.findall(lowered)}
    keys |= {f"month:{month}" for month in _MONTHS if re.search(rf"\b{month[:3]}", lowered)}
    keys |= {f"weekday:{day}" for day in _WEEKDAYS if day in lowered}
    if any(key.startswith("month:") for key in keys):
        keys |= {f"day:{int(day)}" for day in _DAY.findall(_YEAR.sub(" ", lowered))}
    return frozenset(keys)


def _entity_key(span: Span) -> str:
    # The last word carries the name ("Lohan" for "Lindsay Lohan"), so short and long forms still meet.
    words = [token.text.lower() for token in span if not token.is_punct and not token.is_stop]
    return words[-1] if words else span.text.lower()


def mention_record(doc: Doc, mention_id: str, doc_id: str, start: int, end: int) -> EventMentionRecord:
    """Features of the trigger at character offsets ``start:end`` of ``doc`` (a parsed sentence or article).

    Arguments are the named entities of the trigger's sentence, excluding any overlapping the trigger itself.
    """
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        raise ValueError(f"no tokens at {start}:{end} in {doc_id}")
    head = span.root
    sentence = head.sent if doc.has_annotation("SENT_START") else doc[:]
    participants: set[str] = set()
    places: set[str] = set()
    times: set[str] = set()
    for entity in sentence.ents:
        if entity.start < span.end and span.start < entity.end:
            continue
        if entity.label_ in PARTICIPANT_LABELS:
            participants.add(_entity_key(entity))
        elif entity.label_ in PLACE_LABELS:
            places.add(_entity_key(entity))
        elif entity.label_ in TIME_LABELS:
            times |= time_keys(entity.text)
    return EventMentionRecord(
        mention_id=mention_id,
        doc_id=doc_id,
        trigger_lemma=(head.lemma_ or head.text).lower(),
        trigger_text=span.text,
        participants=frozenset(participants),
        places=frozenset(places),
        times=frozenset(times),
    )


# ---------------------------------------------------------------- mention similarity and clustering


def stem_related(first: str, second: str) -> bool:
    """Lemmas sharing a stem of at least 5 letters and most of their length (``injure``/``injury``)."""
    if first == second:
        return True
    common = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        common += 1
    return common >= 5 and common >= 0.75 * min(len(first), len(second))


def trigger_similarity(
    first: str, second: str, weights: SimilarityWeights, related_lemmas: frozenset[frozenset[str]]
) -> float:
    if first == second:
        return 1.0
    if stem_related(first, second) or frozenset((first, second)) in related_lemmas:
        return weights.related_lemma
    return 0.0


def _time_conflict(first: frozenset[str], second: frozenset[str]) -> bool:
    """Both mentions carry a year (or a month) and the values differ: likely different occurrences."""
    for kind in ("year:", "month:"):
        a = {key for key in first if key.startswith(kind)}
        b = {key for key in second if key.startswith(kind)}
        if a and b and not a & b:
            return True
    return False


def mention_similarity(
    first: EventMentionRecord,
    second: EventMentionRecord,
    weights: SimilarityWeights = SimilarityWeights(),
    related_lemmas: frozenset[frozenset[str]] = frozenset(),
) -> float:
    score = trigger_similarity(first.trigger_lemma, second.trigger_lemma, weights, related_lemmas)
    if first.participants & second.participants:
        score += weights.shared_participant
    if first.places & second.places:
        score += weights.shared_place
    if first.times & second.times:
        score += weights.shared_time
    if _time_conflict(first.times, second.times):
        score -= weights.time_conflict
    return score


def similarity_matrix(
    records: Sequence[EventMentionRecord],
    weights: SimilarityWeights = SimilarityWeights(),
    related_lemmas: frozenset[frozenset[str]] = frozenset(),
) -> np.ndarray:
    size = len(records)
    matrix = np.ones((size, size))
    for i in range(size):
        for j in range(i + 1, size):
            matrix[i, j] = matrix[j, i] = mention_similarity(records[i], records[j], weights, related_lemmas)
    return matrix


def cluster_mentions(
    records: Sequence[EventMentionRecord],
    document_clusters: Iterable[Iterable[str]],
    threshold: float,
    weights: SimilarityWeights = SimilarityWeights(),
    related_lemmas: frozenset[frozenset[str]] = frozenset(),
) -> list[list[str]]:
    """Average-link clusters of mention ids, never crossing a document cluster.

    A mention whose document is in no document cluster is clustered alone with the others of its document.
    """
    clusters: list[list[str]] = []
    for group in _records_by_document_cluster(records, document_clusters):
        labels = agglomerate(similarity_matrix(group, weights, related_lemmas), threshold)
        clusters.extend(_groups([record.mention_id for record in group], labels))
    return clusters


def lemma_baseline(
    records: Sequence[EventMentionRecord], document_clusters: Iterable[Iterable[str]]
) -> list[list[str]]:
    """The same-lemma baseline: one cluster per trigger head lemma within each document cluster."""
    clusters: list[list[str]] = []
    for group in _records_by_document_cluster(records, document_clusters):
        by_lemma: dict[str, list[str]] = {}
        for record in group:
            by_lemma.setdefault(record.trigger_lemma, []).append(record.mention_id)
        clusters.extend(by_lemma.values())
    return clusters


def _records_by_document_cluster(
    records: Sequence[EventMentionRecord], document_clusters: Iterable[Iterable[str]]
) -> list[list[EventMentionRecord]]:
    cluster_of: dict[str, int] = {}
    for index, cluster in enumerate(document_clusters):
        for doc_id in cluster:
            cluster_of[doc_id] = index
    groups: dict[tuple[int, str], list[EventMentionRecord]] = {}
    for record in records:
        found = cluster_of.get(record.doc_id)
        key = (found, "") if found is not None else (-1, record.doc_id)
        groups.setdefault(key, []).append(record)
    return list(groups.values())


def learn_related_lemmas(
    records: Sequence[EventMentionRecord], gold_cluster_of: Mapping[str, str], min_support: int = 2
) -> frozenset[frozenset[str]]:
    """Pairs of different trigger lemmas that annotators often put in one gold cluster (arrest/detain).

    A pair is kept when its mentions are coreferent at least ``min_support`` times and at least half as often
    as the geometric mean of the two lemmas' frequencies, so that frequent lemmas need proportionally more
    evidence.
    """
    by_cluster: dict[str, list[str]] = {}
    for record in records:
        by_cluster.setdefault(gold_cluster_of[record.mention_id], []).append(record.trigger_lemma)
    coreferent: Counter[frozenset[str]] = Counter()
    for lemmas in by_cluster.values():
        distinct = Counter(lemmas)
        keys = sorted(distinct)
        for i, first in enumerate(keys):
            for second in keys[i + 1 :]:
                coreferent[frozenset((first, second))] += distinct[first] * distinct[second]
    lemma_counts = Counter(record.trigger_lemma for record in records)
    related = set()
    for pair, together in coreferent.items():
        first, second = sorted(pair)
        possible = lemma_counts[first] * lemma_counts[second]
        if together >= min_support and together >= 0.5 * math.sqrt(possible):
            related.add(pair)
    return frozenset(related)


def link_event_mentions(
    records: Sequence[EventMentionRecord],
    documents: Mapping[str, Sequence[str]],
    config: LinkerConfig = LinkerConfig(),
    related_lemmas: frozenset[frozenset[str]] = frozenset(),
) -> list[list[str]]:
    """Both stages: cluster ``documents`` (id → words), then the mentions within each document cluster."""
    document_clusters = cluster_documents(documents, config.document_similarity)
    return cluster_mentions(records, document_clusters, config.mention_similarity, config.weights, related_lemmas)
