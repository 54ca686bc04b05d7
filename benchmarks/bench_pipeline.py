"""Throughput of the whole pipeline against spaCy's small model running NER only, on the same real news texts.

    .venv/bin/python benchmarks/bench_pipeline.py [--data ../shared/data] [--docs 1000] [--repeats 3]

Each measurement runs in a fresh process (so peak RSS belongs to that run alone); the two workloads alternate and
the figures quoted are medians over the repeats, with their ratio. The machine is shared and noisy: read ratios.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from news_corpus import default_data_dir, news_texts


def _ner_only(texts: list[str], batch_size: int) -> float:
    import spacy

    from incitewatch.nlp import model_available

    name = model_available()
    if name is None:
        raise SystemExit("the spaCy model is not installed; NER-only has nothing to run")
    nlp = spacy.load(name, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer"])
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return time.perf_counter() - start


def _full_pipeline(texts: list[str], batch_size: int) -> float:
    from incitewatch.clean.article import to_article
    from incitewatch.pipeline import Pipeline, PipelineOptions
    from incitewatch.types import RawDocument

    pipeline = Pipeline(PipelineOptions(batch_size=batch_size))
    # Loading the model and opening the gazetteer index (built once per machine) are not throughput.
    pipeline.analyze_text("Warm-up: a bombing in Paris on Monday, Reuters said.")
    start = time.perf_counter()
    articles = (
        to_article(RawDocument(t.encode("utf-8"), f"bench:{i}", media_type="text/plain; charset=utf-8"))
        for i, t in enumerate(texts)
    )
    for _ in pipeline.pipe(articles):
        pass
    return time.perf_counter() - start


WORKLOADS = {"ner_only": _ner_only, "pipeline": _full_pipeline}


def _child(name: str, texts: list[str], batch_size: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    seconds = WORKLOADS[name](texts, batch_size)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((seconds, peak_kib))


def run_once(name: str, texts: list[str], batch_size: int) -> tuple[float, int]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(name, texts, batch_size, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=default_data_dir(), help="the shared data folder")
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    corpus = news_texts(args.data, args.docs)
    if len(corpus) < args.docs:
        print(
            f"only {len(corpus)} documents found under {args.data} (asked for {args.docs})", file=sys.stderr
        )
    texts = [text for _, text in corpus]
    words = sum(len(t.split()) for t in texts)
    print(f"corpus: {len(texts)} documents, {words} words (geoparsing corpora + MUC-4)")

    seconds: dict[str, list[float]] = {name: [] for name in WORKLOADS}
    peaks: dict[str, list[int]] = {name: [] for name in WORKLOADS}
    for repeat in range(args.repeats):
        for name in WORKLOADS:
            elapsed, peak = run_once(name, texts, args.batch_size)
            seconds[name].append(elapsed)
            peaks[name].append(peak)
            rate = words / elapsed
            print(f"  run {repeat + 1} {name:<9} {elapsed:7.2f} s  {rate:9.0f} words/s  peak RSS {peak / 1024:.0f} MiB")

    medians = {name: statistics.median(values) for name, values in seconds.items()}
    for name in WORKLOADS:
        print(
            f"{name:<9} median {words / medians[name]:9.0f} words/s   peak RSS {max(peaks[name]) / 1024:.0f} MiB"
        )
    ratio = medians["ner_only"] / medians["pipeline"]
    print(f"pipeline speed / NER-only speed = {ratio:.2f}x (target >= 0.5x, compass >= 1.0x)")


if __name__ == "__main__":
    main()
