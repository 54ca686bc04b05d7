"""Firehose ingest benchmark: triage speed, per-stage costs and end-to-end articles/s into a SQLite store.

    .venv/bin/python benchmarks/bench_ingest.py [--articles 1000] [--relevant-share 0.05] [--no-model]
                                                [--copy-share 0.0] [--processes 2] [--data ../shared/data]

The mix is everyday news (LGL, TR-News, GeoWebNews, GeoVirus) with a share of MUC-4 dev/test documents that
have templates (the relevant few percent), shuffled with a fixed seed. Everything runs in this one process
(one core), then ``--processes`` ingest processes share one store (one per core; this machine has 2); the
projection to articles/day is the measured rate times 86,400 s.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing.queues import Queue
from pathlib import Path
from threading import Barrier as BarrierType

from incitewatch.clean.article import to_article
from incitewatch.clean.language import detect_language
from incitewatch.evaluation.geoparsing import GEO_CORPORA, load_geoparsing
from incitewatch.evaluation.muc4 import load_muc4
from incitewatch.ingest import dedup
from incitewatch.ingest.triage import TriageScorer
from incitewatch.pipeline import Pipeline, PipelineOptions
from incitewatch.service import ingest_raw
from incitewatch.store import SQLiteStore
from incitewatch.types import Article, RawDocument

SECONDS_PER_DAY = 86_400


def default_data_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "shared" / "data"


def _draw(rng: random.Random, pool: list[str], count: int) -> list[str]:
    """``count`` texts without repeats until the pool is used up (repeats are exact duplicates)."""
    drawn: list[str] = []
    while len(drawn) < count:
        drawn += rng.sample(pool, min(len(pool), count - len(drawn)))
    return drawn


def firehose(
    data: Path, total: int, relevant_share: float, copy_share: float, seed: int = 7
) -> list[RawDocument]:
    """``total`` raw documents: everyday news, MUC-4 relevant documents and, optionally, syndicated copies."""
    rng = random.Random(seed)
    news = [d.text for corpus in GEO_CORPORA for d in load_geoparsing(data / "geoparsing", corpus)]
    relevant = [d.text for split in ("dev", "test") for d in load_muc4(data / "muc4", split) if d.templates]
    n_relevant = round(total * relevant_share)
    n_copies = round(total * copy_share)
    n_news = total - n_relevant - n_copies
    originals = _draw(rng, news, n_news)
    texts = [("news", text) for text in originals]
    texts += [("muc", text) for text in _draw(rng, relevant, n_relevant)]
    copies = _draw(rng, originals, n_copies) if originals else []
    texts += [("copy", f"Via our partners.\n\n{text}\nAll rights reserved.") for text in copies]
    rng.shuffle(texts)
    return [
        RawDocument(text.encode("utf-8"), f"bench:{kind}/{i}", source="bench", media_type="text/plain")
        for i, (kind, text) in enumerate(texts)
    ]


def per_article_ms(articles: list[Article], stage: Callable[[Article], object]) -> float:
    started = time.perf_counter()
    for article in articles:
        stage(article)
    return (time.perf_counter() - started) * 1000 / max(len(articles), 1)


def stage_costs(raws: list[RawDocument], pipeline: Pipeline, scorer: TriageScorer) -> None:
    articles = [to_article(raw) for raw in raws]
    relevant = [a for a in articles if scorer.score(a.text).relevant]
    words = sum(len(a.text.split()) for a in articles)
    started = time.perf_counter()
    for article in articles:
        scorer.score(article.text)
    triage_s = time.perf_counter() - started
    print(f"triage: {words / triage_s:,.0f} words/s on one core ({words:,} words, {len(articles)} articles)")
    print("per-article cost by stage (ms):")
    stages: list[tuple[str, Callable[[Article], object]]] = [
        ("language", lambda a: detect_language(a.text)),
        ("MinHash signature", lambda a: dedup.signature(a.text)),
        ("triage", lambda a: scorer.score(a.text)),
    ]
    print(f"  {'clean (RawDocument -> Article)':<32}{_clean_ms(raws):8.2f}")
    for name, stage in stages:
        print(f"  {name:<32}{per_article_ms(articles, stage):8.2f}")
    sample = relevant[:20]
    if sample:
        pipeline.analyze_article(sample[0])  # first call loads gazetteers and lexicons
    analysis_ms = per_article_ms(sample, pipeline.analyze_article)
    print(f"  {f'analysis (relevant, n={len(sample)})':<32}{analysis_ms:8.2f}")
    print(f"triage passed {len(relevant)}/{len(articles)} articles ({len(relevant) / len(articles):.1%})")


def _clean_ms(raws: list[RawDocument]) -> float:
    started = time.perf_counter()
    for raw in raws:
        to_article(raw)
    return (time.perf_counter() - started) * 1000 / max(len(raws), 1)


def end_to_end(raws: list[RawDocument], pipeline: Pipeline) -> None:
    with tempfile.TemporaryDirectory() as folder, SQLiteStore(Path(folder) / "bench.sqlite") as store:
        started = time.perf_counter()
        report = ingest_raw(raws, store, pipeline)
        elapsed = time.perf_counter() - started
    rate = len(raws) / elapsed
    print(f"end-to-end into SQLite: {len(raws)} articles in {elapsed:.1f} s = {rate:.1f} articles/s")
    print(f"  {report.summary()}")
    print(f"  projected: {rate * SECONDS_PER_DAY:,.0f} articles/day in one process on one core")


def _worker(
    db: str, raws: list[RawDocument], use_model: bool, barrier: BarrierType, results: Queue[float]
) -> None:
    pipeline = Pipeline(PipelineOptions(use_model=use_model))
    pipeline.analyze_article(to_article(RawDocument(b"Warm-up: a bomb attack by insurgents.", "warm:up")))
    detect_language("warm up the language model once")
    barrier.wait()
    with SQLiteStore(db) as store:
        started = time.perf_counter()
        ingest_raw(raws, store, pipeline)
        results.put(time.perf_counter() - started)


def parallel_end_to_end(raws: list[RawDocument], use_model: bool, processes: int) -> None:
    """``processes`` ingest processes sharing one store, each taking every n-th input (one per core)."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes)
    results: Queue[float] = context.Queue()
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "bench.sqlite")
        SQLiteStore(db).close()  # migrate once, before the workers race for it
        workers = [
            context.Process(target=_worker, args=(db, raws[i::processes], use_model, barrier, results))
            for i in range(processes)
        ]
        for worker in workers:
            worker.start()
        elapsed = max(results.get(timeout=3600) for _ in workers)
        for worker in workers:
            worker.join()
        with SQLiteStore(db) as store:
            journal = store.journal_counts()
    rate = len(raws) / elapsed
    print(f"end-to-end with {processes} processes into one SQLite store: {elapsed:.1f} s = {rate:.1f} articles/s")
    print(f"  journal: {dict(sorted(journal.items()))}")
    print(f"  projected: {rate * SECONDS_PER_DAY:,.0f} articles/day on {processes} cores")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--relevant-share", type=float, default=0.05)
    parser.add_argument("--copy-share", type=float, default=0.0, help="share of syndicated near-copies")
    parser.add_argument("--no-model", action="store_true", help="rules only, without the statistical model")
    parser.add_argument("--processes", type=int, default=2, help="also run this many ingest processes (0: skip)")
    args = parser.parse_args(argv)
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    raws = firehose(args.data, args.articles, args.relevant_share, args.copy_share)
    pipeline = Pipeline(PipelineOptions(use_model=not args.no_model))
    started = time.perf_counter()
    _ = pipeline.nlp  # one-time load, kept out of the rates
    print(f"pipeline load: {time.perf_counter() - started:.1f} s (model: {not args.no_model})")
    detect_language("warm up the language model once")
    stage_costs(raws, pipeline, TriageScorer())
    end_to_end(raws, pipeline)
    if args.processes > 1:
        parallel_end_to_end(raws, not args.no_model, args.processes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
