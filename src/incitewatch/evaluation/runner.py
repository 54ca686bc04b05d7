"""Run the pipeline over a benchmark split and score it: dataset → articles → records → predictions → report.

One function per benchmark, all of the same shape: read the split with the benchmark's reader, turn each
document into an :class:`~incitewatch.types.Article` whose text is exactly the benchmark's text (so that our
character offsets are the benchmark's), analyse them in batches with :meth:`Pipeline.pipe`, map the records
with :mod:`incitewatch.evaluation.mapping` and score them with the benchmark's faithful scorer.

Splits. MUC-4 and WikiEvents have their own ``dev`` and ``test`` files. TempEval-3 platinum, GeoWebNews and LGL
have no split: ``test`` is the whole corpus (the published protocol) and ``dev`` is the fixed half of it with
even positions in file order (:func:`dev_half`), which is what the quality gate pins. Tuning on that half makes
the whole-corpus figure optimistic; docs/accuracy.md says so next to the figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from incitewatch.evaluation import (
    PredictedArgument,
    PredictedTemplate,
    PredictedTimex,
    PredictedToponym,
    argf1,
    geo,
    geoparsing,
    gtt,
    muc4,
    tempeval3,
    timex,
    wikievents,
)
from incitewatch.evaluation.mapping import (
    Trigger,
    muc4_templates,
    tempeval_timexes,
    text_from_sentences,
    toponyms,
    wikievents_arguments,
)
from incitewatch.evaluation.report import BenchmarkResults, build_report
from incitewatch.nlp import model_available
from incitewatch.pipeline import Pipeline
from incitewatch.types import AnalyzedDoc, Article

DATASETS: tuple[str, ...] = ("muc4", "tempeval3", "geowebnews", "lgl", "wikievents", "gold")
SPLITS: tuple[str, ...] = ("dev", "test")
_GEO_CORPUS = {"geowebnews": "gwn", "lgl": "lgl"}

T = TypeVar("T")


def dev_half(items: Sequence[T], split: str) -> list[T]:
    """``dev``: the items at even positions; ``test``: all of them (for corpora published without a split)."""
    return list(items[::2]) if split == "dev" else list(items)


def _limited(items: Sequence[T], limit: int | None) -> list[T]:
    return list(items[:limit]) if limit is not None else list(items)


def analyse(pipeline: Pipeline, articles: Iterable[Article]) -> Iterator[AnalyzedDoc]:
    """Our records for each article, in order (batched through spaCy)."""
    return pipeline.pipe(articles)


def evaluate_muc4(pipeline: Pipeline, root: Path, split: str, limit: int | None) -> dict[str, Any]:
    documents = _limited(muc4.load_muc4(root, split), limit)
    articles = [Article(id=d.doc_id, text=d.text) for d in documents]
    predictions: dict[str, list[PredictedTemplate]] = {
        article.id: muc4_templates(analysed)
        for article, analysed in zip(articles, analyse(pipeline, articles), strict=True)
    }
    score = gtt.score_gtt(predictions, muc4.gold_by_doc(documents))
    return build_report(BenchmarkResults(muc4=score))


def _dct_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def evaluate_tempeval3(pipeline: Pipeline, root: Path, split: str, limit: int | None) -> dict[str, Any]:
    documents = _limited(dev_half(tempeval3.load_tempeval3(root), split), limit)
    articles = [Article(id=d.doc_id, text=d.text, published=_dct_date(d.dct)) for d in documents]
    predictions: list[PredictedTimex] = []
    for article, analysed in zip(articles, analyse(pipeline, articles), strict=True):
        predictions.extend(tempeval_timexes(article.id, analysed))
    return build_report(BenchmarkResults(tempeval3=timex.score_timexes(predictions, documents)))


def _geo_root(data: Path) -> Path:
    """``--data`` may name the geoparsing folder or one of its XML files."""
    return data.parent if data.is_file() else data


def evaluate_geo(pipeline: Pipeline, data: Path, split: str, limit: int | None, corpus: str) -> dict[str, Any]:
    documents = _limited(dev_half(geoparsing.load_geoparsing(_geo_root(data), corpus), split), limit)
    articles = [Article(id=d.doc_id, text=d.text) for d in documents]
    predictions: list[PredictedToponym] = []
    for article, analysed in zip(articles, analyse(pipeline, articles), strict=True):
        predictions.extend(toponyms(article.id, analysed))
    score = geo.score_geocoding(predictions, documents)
    return build_report(BenchmarkResults(geocoding={corpus: score}))


def _wikievents_head_finder(pipeline: Pipeline) -> argf1.HeadFinder | None:
    """Head matching (the mode PAIE and BART-Gen report) needs a dependency parser.

    The pipeline itself runs without one, so the installed model is loaded once more with its parser; rules-only
    runs (no model) score exact spans instead.
    """
    model = model_available() if pipeline.options.use_model else None
    return argf1.spacy_head_finder(model) if model is not None else None


def evaluate_wikievents(pipeline: Pipeline, root: Path, split: str, limit: int | None) -> dict[str, Any]:
    documents = _limited(wikievents.load_wikievents(root, split), limit)
    sentences = {d.doc_id: _sentences_of(root, split, d.doc_id) for d in documents}
    tokenized = {d.doc_id: text_from_sentences(sentences[d.doc_id]) for d in documents}
    articles = [Article(id=d.doc_id, text=tokenized[d.doc_id].text) for d in documents]
    predictions: list[PredictedArgument] = []
    for document, analysed in zip(documents, analyse(pipeline, articles), strict=True):
        triggers = [Trigger(e.event_type, e.trigger_start, e.trigger_end) for e in document.events]
        predictions.extend(wikievents_arguments(document.doc_id, tokenized[document.doc_id], triggers, analysed))
    ontology = wikievents.load_ontology(root / "event_role_KAIROS.json")
    head_finder = _wikievents_head_finder(pipeline)
    score = argf1.score_arguments(predictions, documents, event_types=ontology, head_finder=head_finder)
    attack_types = wikievents.attack_event_types(ontology)
    attack = argf1.score_arguments(predictions, documents, event_types=attack_types, head_finder=head_finder)
    mode = "head" if head_finder is not None else "span"
    return build_report(BenchmarkResults(wikievents=score, wikievents_attack=attack, wikievents_mode=mode))


def _sentences_of(root: Path, split: str, doc_id: str) -> list[tuple[list[str], str]]:
    """(tokens, sentence text) pairs; the reader keeps the joined text only, so read them from the file."""
    return _sentence_table(root, split)[doc_id]


def _sentence_table(root: Path, split: str) -> dict[str, list[tuple[list[str], str]]]:
    import json

    table: dict[str, list[tuple[list[str], str]]] = {}
    with (root / f"{split}.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                table[record["doc_id"]] = [
                    ([token for token, _, _ in tokens], sentence) for tokens, sentence in record["sentences"]
                ]
    return table


Evaluator = Callable[[Pipeline, Path, str, int | None], dict[str, Any]]


def evaluate(
    dataset: str, data: Path, *, split: str = "dev", limit: int | None = None, pipeline: Pipeline | None = None
) -> dict[str, Any]:
    """Run ``dataset`` (one of :data:`DATASETS`) from ``data`` and return the JSON report.

    The report is :func:`incitewatch.evaluation.report.build_report`'s, plus ``dataset``, ``split`` and
    ``documents`` keys saying what was run.
    """
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {', '.join(DATASETS)}")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    if not data.exists():
        raise FileNotFoundError(f"no data at {data}")
    pipeline = pipeline or Pipeline()
    report = _evaluator(dataset)(pipeline, data, split, limit)
    return {"dataset": dataset, "split": split, "limit": limit} | report


def _evaluator(dataset: str) -> Evaluator:
    if dataset in _GEO_CORPUS:
        corpus = _GEO_CORPUS[dataset]
        return lambda pipeline, data, split, limit: evaluate_geo(pipeline, data, split, limit, corpus)
    if dataset == "gold":
        from incitewatch.evaluation.owngold import evaluate_gold

        return evaluate_gold
    evaluators: dict[str, Evaluator] = {
        "muc4": evaluate_muc4,
        "tempeval3": evaluate_tempeval3,
        "wikievents": evaluate_wikievents,
    }
    return evaluators[dataset]


# The headline figure each dataset is gated on: (dataset, key in the report's ``overall``).
HEADLINE: dict[str, str] = {
    "muc4": "f1",
    "tempeval3": "value_f1",
    "geowebnews": "acc_161km",
    "lgl": "acc_161km",
    "wikievents": "arg_c_f1",
    "gold": "f1",
}


def headline(report: dict[str, Any]) -> float | None:
    """The gated figure of a report from :func:`evaluate` (a fraction in [0, 1])."""
    value = report["overall"].get(HEADLINE[report["dataset"]])
    return float(value) if value is not None else None
