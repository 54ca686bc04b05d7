"""Fit the triage weights and threshold, and write them into ``resources/triage_lexicon.json``.

    .venv/bin/python scripts/train_triage.py [--data ../shared/data] [--recall 0.985] [--strength S] [--dry-run]

A logistic regression over the lexicon's terms (features: log(1 + occurrences capped at ``max_count``), plus
log(1 + max(words, length_floor)) whose weight starts at 0), with an L2 penalty that shrinks each weight
towards its hand-set prior instead of towards zero: terms the training data never shows (jihadist group names
in 1989 Latin-American wires) keep their prior. Training data: MUC-4 train documents with templates (relevant)
against the tuning half of the everyday news (LGL, TR-News, GeoWebNews, political-violence articles left out)
and GeoVirus (not relevant). The penalty strength is chosen by 5-fold cross-validation (3 seeds) on that data
only: the strength whose out-of-fold scores give the fewest everyday-news false positives at ``--recall`` of
the out-of-fold MUC-4 positives. The threshold is the cross-validated one too: the out-of-fold score keeping
``--recall`` of the positives (in-sample scores flatter the positives the fit has seen and gave lower recall
on unseen documents). Report with scripts/triage_eval.py.
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


STRENGTHS = (0.5, 1.0, 2.0, 4.0, 8.0)
FOLDS = 5
SEEDS = 3


def feature_matrix(scorer: TriageScorer, terms: list[str], docs: list[Doc]) -> np.ndarray:
    """One row per document: the value of each term (the scorer's saturation), then log(1 + words)."""
    index = {term: i for i, term in enumerate(terms)}
    matrix = np.zeros((len(docs), len(terms) + 1))
    for row, doc in enumerate(docs):
        found, length = scorer.features_and_length(doc.text)
        for term, count in found.items():
            matrix[row, index[term]] = scorer.lexicon.term_value(count)
        matrix[row, -1] = scorer.lexicon.length_value(length)
    return matrix


def out_of_fold_scores(x: np.ndarray, y: np.ndarray, prior: np.ndarray, strength: float, seed: int) -> np.ndarray:
    """Each document's score (intercept included, so 0 is each fold model's boundary) by the model fitted
    without its fold: what the scorer will do on documents it was not tuned on."""
    folds = np.random.default_rng(seed).integers(0, FOLDS, len(y))
    scores = np.zeros(len(y))
    for fold in range(FOLDS):
        train = folds != fold
        weights, intercept = fit(x[train], y[train], prior, strength)
        scores[~train] = x[~train] @ weights + intercept
    return scores


def cross_validate(
    x: np.ndarray, y: np.ndarray, counted: np.ndarray, prior: np.ndarray, strength: float, recall: float
) -> tuple[float, float]:
    """Mean over seeds of (out-of-fold false-positive rate on ``counted`` negatives, out-of-fold score
    threshold) when the threshold keeps ``recall`` of the out-of-fold positives."""
    rates, thresholds = [], []
    for seed in range(SEEDS):
        scores = out_of_fold_scores(x, y, prior, strength, seed)
        threshold = float(np.quantile(scores[y == 1], 1 - recall, method="lower"))
        rates.append(float(np.mean(scores[counted] >= threshold)))
        thresholds.append(threshold)
    return float(np.mean(rates)), float(np.mean(thresholds))


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
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--recall", type=float, default=0.985, help="out-of-fold recall kept on MUC-4 train positives")
    parser.add_argument("--strength", type=float, help="pull of the hand-set priors (default: cross-validated)")
    parser.add_argument("--dry-run", action="store_true", help="print, do not write the lexicon")
    args = parser.parse_args(argv)

    data = json.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    settings = {key: data[key] for key in ("max_count", "saturation", "length_floor") if key in data}
    settings["threshold"] = 0
    prior_lexicon = parse_lexicon({**data["prior"], **settings})
    scorer = TriageScorer(prior_lexicon)
    terms = sorted(prior_lexicon.weights)
    positives = muc_relevant(args.data, "train")
    everyday = news(args.data, NEWS_CORPORA, 0)
    negatives = everyday + news(args.data, EXTRA_NEGATIVES, None)
    x = feature_matrix(scorer, terms, positives + negatives)
    y = np.array([1] * len(positives) + [0] * len(negatives))
    counted = np.arange(len(y)) >= len(positives)
    counted[len(positives) + len(everyday) :] = False  # GeoVirus tunes but is not what the target counts
    prior = np.append([prior_lexicon.weights[t] for t in terms], 0.0)  # no prior on the length weight
    candidates = STRENGTHS if args.strength is None else (args.strength,)
    results = {s: cross_validate(x, y, counted, prior, s, args.recall) for s in candidates}
    print(
        "cross-validated news false positives by strength: "
        + ", ".join(f"{s:g}: {rate:.3f}" for s, (rate, _) in results.items())
    )
    strength = min(results, key=lambda s: (results[s][0], -s))  # ties: the stronger pull to the priors
    weights, intercept = fit(x, y, prior, strength)
    data["length_weight"] = round(float(weights[-1]), 3)
    weights = np.append(weights[:-1], data["length_weight"])
    scores = x[: len(positives)] @ weights
    # In-sample scores flatter the positives (the fit has seen them); the out-of-fold threshold does not.
    threshold = results[strength][1] - intercept
    print(
        f"{len(positives)} positives, {len(negatives)} negatives; strength {strength:g};"
        f" intercept {intercept:.2f}; length weight {data['length_weight']:g};"
        f" threshold {threshold:.2f} keeps {np.mean(scores >= threshold):.3f} of train positives"
    )
    print(f"tuning news false positives at that threshold: {np.mean(x[counted] @ weights >= threshold):.3f}")
    fitted = {t: round(float(w), 2) for t, w in zip(terms, weights[:-1], strict=True)}
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
