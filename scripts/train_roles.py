"""Fit the learned attack-role model and write ``src/incitewatch/resources/role_model.json``.

    .venv/bin/python scripts/train_roles.py --data ../shared/data/muc4 [--min-count 3] [--l2 1.0] [--cache DIR]

Data: the MUC-4 train split (``muc4/processed/train.json``: Du, Rush & Cardie's GTT conversion of the MUC-3/4
DEV-MUC3-0001..1300 texts and answer keys; see shared/data/muc4/README.md). The pipeline runs over every train
text with the learned stage off; for each report with at least one attack event, every candidate string of
:func:`incitewatch.extract.roles.role_candidates` is a positive for a role when it equals (normalised as GTT
does) a gold mention of that role in any template of the report, else a negative. One L2-regularised logistic
regression per role (PerpInd, PerpOrg, Target, Victim, Weapon) is fitted with L-BFGS over features seen in at
least ``--min-count`` candidates.

Per-role thresholds and the number of strings a role may take per report are then chosen by coordinate ascent
on the GTT micro F1 of the MUC-4 DEV split (never test), with spaCy and the rules run once over dev. With
``--cache DIR`` the analysed splits are kept in DIR and read back on the next run.
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import minimize

from incitewatch.evaluation import gtt, muc4
from incitewatch.evaluation.mapping import muc4_templates
from incitewatch.extract import roles
from incitewatch.extract.incidents import score_attacks
from incitewatch.pipeline import Pipeline, analyze_doc
from incitewatch.types import AnalyzedDoc, Article

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "src" / "incitewatch" / "resources" / "role_model.json"
COMMAND = ".venv/bin/python scripts/train_roles.py --data ../shared/data/muc4"
Analysed = list[tuple[AnalyzedDoc, list[roles.Candidate]]]


def analyse(pipeline: Pipeline, documents: Sequence[muc4.MucDocument]) -> Analysed:
    """Rules-only analysis and candidates of every report that has an attack event."""
    out: Analysed = []
    stream = ((d.text, Article(id=d.doc_id, text=d.text)) for d in documents)
    for spacy_doc, article in pipeline.nlp.pipe(stream, as_tuples=True, batch_size=32):
        doc = analyze_doc(article, spacy_doc, learned_roles=False)
        if any(e.type == "attack" for e in doc.events):
            out.append((doc, roles.role_candidates(doc, spacy_doc)))
        else:
            out.append((doc, []))
    return out


def cached(pipeline: Pipeline, documents: Sequence[muc4.MucDocument], split: str, cache: Path | None) -> Analysed:
    path = cache / f"roles-{split}.pkl" if cache else None
    if path and path.exists():
        with path.open("rb") as handle:
            loaded: Analysed = pickle.load(handle)
            return loaded
    found = analyse(pipeline, documents)
    if path:
        with path.open("wb") as handle:
            pickle.dump(found, handle)
    return found


def gold_strings(document: muc4.MucDocument) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {role: set() for role in roles.ROLES}
    for template in document.templates:
        for role in roles.ROLES:
            for entity in template.roles.get(role, ()):
                found[role].update(roles.candidate_key(m.text) for m in entity)
    return found


def design(feature_sets: Sequence[Sequence[str]], min_count: int) -> tuple[list[str], sparse.csr_matrix]:
    counts = Counter(f for feats in feature_sets for f in feats)
    vocab = sorted(f for f, n in counts.items() if n >= min_count)
    index = {f: i for i, f in enumerate(vocab)}
    rows, cols = [], []
    for r, feats in enumerate(feature_sets):
        for c in {index[f] for f in feats if f in index}:
            rows.append(r)
            cols.append(c)
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(feature_sets), len(vocab)))
    return vocab, matrix


def fit(x: sparse.csr_matrix, y: np.ndarray, l2: float) -> np.ndarray:
    """Weights of an L2-regularised logistic regression; the "bias" feature (always on) is the intercept."""

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ theta
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        nll = np.sum(np.logaddexp(0.0, z) - y * z)
        grad = x.T @ (p - y) + l2 * theta
        return float(nll + 0.5 * l2 * theta @ theta), grad

    result = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 800})
    weights: np.ndarray = result.x
    return weights


_FOLDS = 5
_SMALLEST = 0.1  # features whose weights all stay under this are left out (a small file, the same scores)


def _compact(weight: float) -> float | int:
    """A weight rounded to two decimals, and written as 0 when that is what it rounds to."""
    rounded = round(float(weight), 2)
    return rounded if abs(rounded) >= 0.01 else 0


def train_document_model(
    train_set: Analysed, golds: Mapping[str, dict[str, set[str]]], l2: float
) -> tuple[dict[str, Any], dict[str, float]]:
    """The report-level model (does the report fill any template?) over reports with an attack, and the
    probability each train report gets from a model fitted without it (``_FOLDS``-fold), so that the role models
    learn from document features as noisy as they will be on unseen reports."""
    reports = [doc for doc, candidates in train_set if candidates]
    words = [sorted(roles.document_words(doc.article.text)) for doc in reports]
    y = np.array([1.0 if any(golds[doc.article.id].values()) else 0.0 for doc in reports])
    held_out: dict[str, float] = {}
    for fold in range(_FOLDS):
        inside = [i for i in range(len(reports)) if i % _FOLDS != fold]
        vocab, x = design([["bias", *words[i]] for i in inside], 5)
        weights = fit(x, y[inside], l2)
        index = {f: i for i, f in enumerate(vocab)}
        for i in range(fold, len(reports), _FOLDS):
            total = weights[index["bias"]] + sum(weights[index[w]] for w in words[i] if w in index)
            held_out[reports[i].article.id] = float(1.0 / (1.0 + np.exp(-total)))
    vocab, x = design([["bias", *w] for w in words], 5)
    weights = fit(x, y, l2)
    model = {
        "bias": round(float(weights[vocab.index("bias")]), 3),
        "weights": {
            f: round(float(w), 2) for f, w in zip(vocab, weights, strict=True) if f != "bias" and abs(w) >= 0.05
        },
    }
    print(f"document model: {int(y.sum())} of {len(y)} reports with an attack fill a template", flush=True)
    return model, held_out


def train(train_set: Analysed, golds: Mapping[str, dict[str, set[str]]], min_count: int, l2: float) -> dict[str, Any]:
    document, held_out = train_document_model(train_set, golds, l2)
    samples = [(doc.article.id, c) for doc, candidates in train_set for c in candidates]
    features = [[*c.features, roles.document_feature(held_out[doc_id])] for doc_id, c in samples]
    vocab, x = design(features, min_count)
    columns = []
    for role in roles.ROLES:
        y = np.array([1.0 if c.key in golds[doc_id][role] else 0.0 for doc_id, c in samples])
        columns.append(fit(x, y, l2))
        print(f"{role}: {int(y.sum())} positives of {len(y)}", flush=True)
    matrix = np.vstack(columns).T
    bias_row = vocab.index("bias")
    weights = {
        f: [_compact(w) for w in row]
        for i, (f, row) in enumerate(zip(vocab, matrix, strict=True))
        if i != bias_row and np.abs(row).max() >= _SMALLEST
    }
    return {
        "roles": list(roles.ROLES),
        "bias": [round(float(b), 3) for b in matrix[bias_row]],
        "weights": weights,
        "document": document,
    }


Scored = Sequence[Sequence[tuple[roles.Candidate, Mapping[str, float]]]]


def dev_predictions(dev: Analysed, scored: Scored, settings: Mapping[str, Any]) -> dict[str, Any]:
    predictions = {}
    for (doc, _), doc_scored in zip(dev, scored, strict=True):
        choices = roles.select(doc_scored, settings["thresholds"], settings["max_per_role"])
        events = roles.apply_choices(doc, choices)
        # As the pipeline does after this stage: attacks take their learned focus, which the mapping reads.
        with_roles = replace(doc, events=events)
        predictions[doc.article.id] = muc4_templates(replace(with_roles, events=score_attacks(with_roles)))
    return predictions


def dev_score(dev: Analysed, scored: Scored, gold: Any, settings: Mapping[str, Any]) -> float:
    return float(gtt.score_gtt(dev_predictions(dev, scored, settings), gold).micro.f1)


_GRID: tuple[float, ...] = (0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7, 1.1)


def tune(dev: Analysed, gold: Any, raw: dict[str, Any]) -> dict[str, Any]:
    """Per-role thresholds and the per-role limit by coordinate ascent on dev GTT micro F1."""
    model = roles.parse_model({**raw, "thresholds": {}})
    scored = [model.score_all(doc.article.text, candidates) for doc, candidates in dev]
    settings: dict[str, Any] = {"thresholds": dict.fromkeys(roles.ROLES, 1.1), "max_per_role": 2}
    best = dev_score(dev, scored, gold, settings)
    print(f"dev rules only: {100 * best:.2f}", flush=True)
    for _round in range(2):
        for role in roles.ROLES:
            for value in _GRID:
                trial = {**settings, "thresholds": {**settings["thresholds"], role: value}}
                score = dev_score(dev, scored, gold, trial)
                if score > best:
                    settings, best = trial, score
            print(f"  {role}: {settings['thresholds'][role]} → {100 * best:.2f}", flush=True)
        for limit in (1, 2, 3, 4):
            score = dev_score(dev, scored, gold, {**settings, "max_per_role": limit})
            if score > best:
                settings, best = {**settings, "max_per_role": limit}, score
        print(f"round {_round}: {settings}: dev {100 * best:.2f}", flush=True)
    return settings


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "muc4")
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--cache", type=Path, default=None, help="folder to keep the analysed splits in")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    started = time.time()
    pipeline = Pipeline()
    train_documents = muc4.load_muc4(args.data, "train")
    train_set = cached(pipeline, train_documents, "train", args.cache)
    golds = {d.doc_id: gold_strings(d) for d in train_documents}
    print(f"train analysed ({time.time() - started:.0f}s)", flush=True)
    raw = train(train_set, golds, args.min_count, args.l2)
    dev_documents = muc4.load_muc4(args.data, "dev")
    dev = cached(pipeline, dev_documents, "dev", args.cache)
    gold = muc4.gold_by_doc(dev_documents)
    settings = tune(dev, gold, raw)
    out = {
        "sources": [
            "MUC-4 train split (DEV-MUC3-0001..1300 texts and answer keys, NOSC/NRaD; Sundheim 1992) in the GTT "
            "conversion of Du, Rush & Cardie (NAACL 2021): https://github.com/xinyadu/gtt "
            "(data/muc/processed/train.json); thresholds chosen on its dev split"
        ],
        "command": COMMAND,
        "note": "One logistic regression per role over the features of incitewatch.extract.roles; weights under "
        "0.1 in every role and features seen in fewer than min_count train candidates are left out.",
        "min_count": args.min_count,
        "l2": args.l2,
        **settings,
        **raw,
    }
    args.output.write_text(json.dumps(out, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.output} ({args.output.stat().st_size // 1024} KiB, {len(raw['weights'])} features)")


if __name__ == "__main__":
    main()
