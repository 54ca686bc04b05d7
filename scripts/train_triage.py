"""Fit the triage weights and threshold, and write them into ``resources/triage_lexicon.json``.

    .venv/bin/python scripts/train_triage.py [--data ../shared/data] [--recall 0.99] [--dry-run]

A logistic regression over the lexicon's terms (features: occurrences capped at ``max_count``), with an L2
penalty that shrinks each weight towards its hand-set prior instead of towards zero: terms the training data
never shows (jihadist group names in 1989 Latin-American wires) keep their prior. Training data: MUC-4 train
documents with templates (relevant) against the tuning half of the everyday news (LGL, TR-News, GeoWebNews,
political-violence articles left out) and GeoVirus (not relevant). The threshold is then set to the highest
score that keeps ``--recall`` of the MUC-4 train positives. Report with scripts/triage_eval.py.
"""

from __future__ import annotations

import argparse
import json
from importlib import resources
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from triage_eval import EXTRA_NEGATIVES, NEWS_CORPORA, Doc, default_data_dir, muc_relevant, news

from incitewatch.ingest.triage import TriageScorer, parse_lexicon

LEXICON_PATH = Path(str(resources.files("incitewatch.resources").joinpath("triage_lexicon.json")))


def feature_matrix(scorer: TriageScorer, terms: list[str], docs: list[Doc]) -> np.ndarray:
    index = {term: i for i, term in enumerate(terms)}
    matrix = np.zeros((len(docs), len(terms)))
    cap = scorer.lexicon.max_count
    for row, doc in enumerate(docs):
        for term, count in scorer.features(doc.text).items():
            matrix[row, index[term]] = min(count, cap)
    return matrix


def fit(x: np.ndarray, y: np.ndarray, prior: np.ndarray, strength: float) -> tuple[np.ndarray, float]:
    """Weights and intercept minimising logistic loss + strength/2 * ||w - prior||^2."""
    signs = 2 * y - 1

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        margins = signs * (x @ w + b)
        value = np.logaddexp(0, -margins).sum() + strength / 2 * np.sum((w - prior) ** 2)
        slope = -signs / (1 + np.exp(margins))
        grad_w = x.T @ slope + strength * (w - prior)
        return float(value), np.append(grad_w, slope.sum())

    start = np.append(prior, 0.0)
    result = minimize(loss, start, jac=True, method="L-BFGS-B")
    return result.x[:-1], float(result.x[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--recall", type=float, default=0.99, help="recall kept on MUC-4 train positives")
    parser.add_argument("--strength", type=float, default=2.0, help="pull of the hand-set priors")
    parser.add_argument("--dry-run", action="store_true", help="print, do not write the lexicon")
    args = parser.parse_args(argv)

    data = json.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    prior_lexicon = parse_lexicon({**data["prior"], "threshold": 0, "max_count": data["max_count"]})
    scorer = TriageScorer(prior_lexicon)
    terms = sorted(prior_lexicon.weights)
    positives = muc_relevant(args.data, "train")
    negatives = news(args.data, NEWS_CORPORA, 0) + news(args.data, EXTRA_NEGATIVES, None)
    x = feature_matrix(scorer, terms, positives + negatives)
    y = np.array([1] * len(positives) + [0] * len(negatives))
    prior = np.array([prior_lexicon.weights[t] for t in terms])
    weights, intercept = fit(x, y, prior, args.strength)
    scores = x[: len(positives)] @ weights
    threshold = float(np.quantile(scores, 1 - args.recall, method="lower"))
    print(f"{len(positives)} positives, {len(negatives)} negatives; intercept {intercept:.2f};"
          f" threshold {threshold:.2f} keeps {np.mean(scores >= threshold):.3f} of train positives")
    fitted = {t: round(float(w), 2) for t, w in zip(terms, weights, strict=True)}
    data["terms"] = {t: fitted[t] for t in data["prior"]["terms"] if fitted[t] != 0}
    data["phrases"] = {t: fitted[t] for t in data["prior"]["phrases"] if fitted[t] != 0}
    data["threshold"] = round(threshold - 0.005, 2)  # rounding must not drop the boundary document
    moved = sorted(terms, key=lambda t: -abs(fitted[t] - prior_lexicon.weights[t]))[:15]
    print("largest changes: " + ", ".join(f"{t} {prior_lexicon.weights[t]:g}->{fitted[t]:g}" for t in moved))
    if not args.dry_run:
        LEXICON_PATH.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {LEXICON_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
