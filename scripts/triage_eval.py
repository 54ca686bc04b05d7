"""Measure the triage pass: recall on MUC-4 documents that have templates, false positives on everyday news.

    .venv/bin/python scripts/triage_eval.py [--data ../shared/data] [--show-errors]

Everyday news = LGL, TR-News and GeoWebNews, minus the articles listed in
``resources/triage_news_exclusions.json`` (they really are about political violence). The news articles are
split in two halves by position in their file: even positions tune the weights (scripts/train_triage.py),
odd positions are held out; both halves and the total are reported. MUC-4: train tunes, dev and test report.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from incitewatch.evaluation.geoparsing import load_geoparsing
from incitewatch.evaluation.muc4 import load_muc4
from incitewatch.ingest.triage import TriageScorer

NEWS_CORPORA = ("lgl", "trnews", "gwn")
EXTRA_NEGATIVES = ("geovirus",)  # used for tuning only, never counted in the reported false positives


@dataclass(frozen=True, slots=True)
class Doc:
    key: str
    text: str


def default_data_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "shared" / "data"


def excluded_news() -> dict[str, str]:
    path = resources.files("incitewatch.resources").joinpath("triage_news_exclusions.json")
    reasons: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))["political_violence"]
    return reasons


def muc_relevant(data: Path, split: str) -> list[Doc]:
    return [Doc(d.doc_id, d.text) for d in load_muc4(data / "muc4", split) if d.templates]


def news(data: Path, corpora: tuple[str, ...], half: int | None) -> list[Doc]:
    """Everyday news of ``corpora``; ``half`` 0 = even positions (tuning), 1 = odd (held out), None = all."""
    excluded = excluded_news()
    docs = []
    for corpus in corpora:
        for position, doc in enumerate(load_geoparsing(data / "geoparsing", corpus)):
            key = f"{corpus}:{doc.doc_id}"
            if key not in excluded and (half is None or position % 2 == half):
                docs.append(Doc(key, doc.text))
    return docs


def recall(scorer: TriageScorer, docs: list[Doc]) -> tuple[float, list[Doc]]:
    missed = [d for d in docs if not scorer.score(d.text).relevant]
    return 1 - len(missed) / len(docs), missed


def flagged(scorer: TriageScorer, docs: list[Doc]) -> tuple[float, list[Doc]]:
    hits = [d for d in docs if scorer.score(d.text).relevant]
    return len(hits) / len(docs), hits


def words_per_second(scorer: TriageScorer, docs: list[Doc], repeats: int = 3) -> float:
    words = sum(len(d.text.split()) for d in docs) * repeats
    started = time.perf_counter()
    for _ in range(repeats):
        for doc in docs:
            scorer.score(doc.text)
    return words / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument(
        "--show-errors", action="store_true", help="list missed MUC-4 train and flagged tuning-half news docs"
    )
    args = parser.parse_args(argv)
    scorer = TriageScorer()
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"threshold {scorer.lexicon.threshold:g}, {len(scorer.lexicon.weights)} weighted terms")
    for split in ("train", "dev", "test"):
        docs = muc_relevant(args.data, split)
        value, missed = recall(scorer, docs)
        role = "tuning" if split == "train" else "reported"
        found = len(docs) - len(missed)
        print(f"MUC-4 {split:<5} ({role}): recall {value:.3f} ({found}/{len(docs)} with templates)")
        if args.show_errors and split == "train":  # errors of reported splits are not for reading
            for doc in missed:
                print(f"    missed {doc.key}: {scorer.score(doc.text).reason}")
    print(f"everyday news: {len(excluded_news())} political-violence articles left out (resource file)")
    for label, half in (("tuning half", 0), ("held-out half", 1), ("all", None)):
        docs = news(args.data, NEWS_CORPORA, half)
        rate, hits = flagged(scorer, docs)
        print(f"news {label:<13}: false positives {rate:.3f} ({len(hits)}/{len(docs)})")
        if args.show_errors and half == 0:  # the tuning half only: the held-out half stays unread
            for doc in hits:
                print(f"    flagged {doc.key}: {scorer.score(doc.text).reason} | {doc.text[:80]!r}")
    sample = news(args.data, NEWS_CORPORA, None)
    print(f"speed: {words_per_second(scorer, sample):,.0f} words/s on one core")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
