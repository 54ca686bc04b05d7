"""Fit the attack-focus model and write ``src/incitewatch/resources/attack_focus.json``.

    .venv/bin/python scripts/train_attack_focus.py --data ../shared/data/muc4 [--l2 10] [--min-count 5]

Data: the MUC-4 train split (Du, Rush & Cardie's GTT conversion of the DEV-MUC3-0001..1300 texts and answer keys;
see shared/data/muc4/README.md). The whole pipeline runs over every train text; its attack records become MUC-4
incident templates as the evaluation maps them (:func:`incitewatch.evaluation.mapping.muc4_incidents`), and GTT's
best alignment of those templates with the report's gold ones gives each template its own precision
(:func:`incitewatch.evaluation.gtt.template_credit`). Every record of a template whose precision is at least
``--good`` is a positive, the others negatives: under micro F1 a template is worth keeping when its precision is
above half the F1 (about 0.23 at 46). Reports with more than ``MAX_TEMPLATES`` templates on either side are left
out (GTT's exhaustive alignment would not finish). One L2-regularised logistic regression over standardised
:func:`incitewatch.extract.incidents.attack_features` (features of fewer than ``--min-count`` train records left
out) is fitted with L-BFGS; the standardisation is folded into the weights written.

The MUC-4 mapping's threshold (``muc4_threshold``) is then the one with the best GTT micro F1 on the MUC-4 DEV
split (never test), the pipeline run once over dev.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from incitewatch.evaluation import PredictedTemplate, gtt, muc4
from incitewatch.evaluation.mapping import muc4_incidents, muc4_templates
from incitewatch.extract import incidents
from incitewatch.pipeline import Pipeline
from incitewatch.types import AnalyzedDoc, Article

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "src" / "incitewatch" / "resources" / "attack_focus.json"
COMMAND = ".venv/bin/python scripts/train_attack_focus.py --data ../shared/data/muc4"
MAX_TEMPLATES = 6
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 13))


def analyse(pipeline: Pipeline, documents: Sequence[muc4.MucDocument]) -> list[AnalyzedDoc]:
    return list(pipeline.pipe(Article(id=d.doc_id, text=d.text) for d in documents))


def labelled_records(
    analysed: Sequence[AnalyzedDoc], gold: Mapping[str, Sequence[PredictedTemplate]], good: float
) -> tuple[list[dict[str, float]], list[float]]:
    """Features and label of every attack record that made a template of a report GTT can align."""
    features: list[dict[str, float]] = []
    labels: list[float] = []
    for doc in analysed:
        made = muc4_incidents(doc)
        golds = gold.get(doc.article.id, [])
        if not made or len(made) > MAX_TEMPLATES or len(golds) > MAX_TEMPLATES:
            continue
        credit = gtt.template_credit([template for template, _ in made], golds)
        for (_template, records), (credited, filled) in zip(made, credit, strict=True):
            for record in records:
                features.append(incidents.attack_features(record, doc))
                labels.append(float(credited / filled >= good))
    return features, labels


def fit(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    def objective(w: np.ndarray) -> tuple[float, np.ndarray]:
        p = 1.0 / (1.0 + np.exp(-(x @ w[:-1] + w[-1])))
        loss = -np.sum(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)) + l2 * np.sum(w[:-1] ** 2)
        gradient = np.append(x.T @ (p - y) + 2 * l2 * w[:-1], np.sum(p - y))
        return float(loss), gradient

    w = minimize(objective, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B").x
    return w[:-1], float(w[-1])


def train(
    features: Sequence[dict[str, float]], labels: Sequence[float], l2: float, min_count: int
) -> dict[str, object]:
    seen = Counter(name for row in features for name in row)
    names = sorted(name for name, count in seen.items() if count >= min_count)
    index = {name: i for i, name in enumerate(names)}
    x = np.zeros((len(features), len(names)))
    for row, found in enumerate(features):
        for name, value in found.items():
            if name in index:
                x[row, index[name]] = value
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    weights, bias = fit((x - mean) / scale, np.asarray(labels), l2)
    raw_weights = weights / scale  # folded: w·(x − mean)/scale + b = (w/scale)·x + (b − Σ w·mean/scale)
    return {
        "bias": round(bias - float(np.sum(raw_weights * mean)), 6),
        "weights": {name: round(float(w), 6) for name, w in zip(names, raw_weights, strict=True) if abs(w) > 1e-6},
    }


def dev_f1(
    dev: Sequence[AnalyzedDoc],
    gold: Mapping[str, Sequence[PredictedTemplate]],
    model: incidents.AttackFocusModel,
    keep_at: float,
) -> float:
    predictions = {
        doc.article.id: muc4_templates(replace(doc, events=incidents.score_attacks(doc, model)), keep_at=keep_at)
        for doc in dev
    }
    return gtt.score_gtt(predictions, gold).micro.f1


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "muc4")
    parser.add_argument("--l2", type=float, default=10.0)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--good", type=float, default=0.23, help="template precision that makes its records positive")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    started = time.time()
    pipeline = Pipeline()
    train_documents = muc4.load_muc4(args.data, "train")
    train_set = analyse(pipeline, train_documents)
    features, labels = labelled_records(train_set, muc4.gold_by_doc(train_documents), args.good)
    print(
        f"train analysed, {len(labels)} records, {sum(labels):.0f} positive ({time.time() - started:.0f}s)", flush=True
    )
    raw = train(features, labels, args.l2, args.min_count)
    model = incidents.parse_focus_model({**raw, "muc4_threshold": 0.0})
    dev_documents = muc4.load_muc4(args.data, "dev")
    dev = analyse(pipeline, dev_documents)
    gold = muc4.gold_by_doc(dev_documents)
    scores = {keep_at: dev_f1(dev, gold, model, keep_at) for keep_at in (0.0, *THRESHOLDS)}
    print("dev GTT micro F1 by threshold:", {k: round(100 * v, 2) for k, v in scores.items()})
    threshold = max(THRESHOLDS, key=lambda keep_at: scores[keep_at])
    out = {
        "sources": [
            "MUC-4 train split (DEV-MUC3-0001..1300 texts and answer keys, NOSC/NRaD; Sundheim 1992) in the GTT "
            "conversion of Du, Rush & Cardie (NAACL 2021): https://github.com/xinyadu/gtt "
            "(data/muc/processed/train.json); muc4_threshold chosen on its dev split"
        ],
        "command": COMMAND,
        "note": "Logistic regression over incitewatch.extract.incidents.attack_features; weights apply to the raw "
        "feature values (standardisation folded in). A record is a positive when the MUC-4 template it made has "
        f"precision >= {args.good} under GTT's best alignment.",
        "l2": args.l2,
        "min_count": args.min_count,
        "muc4_threshold": threshold,
        "dev_f1": {"without": round(100 * scores[0.0], 2), "with": round(100 * scores[threshold], 2)},
        **raw,
    }
    args.output.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output}: threshold {threshold}, dev {out['dev_f1']} ({time.time() - started:.0f}s)")


if __name__ == "__main__":
    main()
