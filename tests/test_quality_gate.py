"""Quality gate: the headline figure of every benchmark on its dev split (or fixed dev half) must not drop more
than half a point below the figure pinned in ``benchmarks/baseline.json``.

Runs the whole pipeline over each dev set with one shared model (about 1.5 minutes on two cores). A benchmark
whose data is absent is skipped, so the gate passes on machines without ``shared/data``. After a deliberate
improvement, re-run the commands in the baseline file and pin the new figures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from incitewatch.evaluation.runner import evaluate, headline
from incitewatch.pipeline import Pipeline
from tests.shared_paths import SHARED_DATA as DATA

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "benchmarks" / "baseline.json"
TOLERANCE_POINTS = 0.5


def _baseline() -> dict[str, Any]:
    return json.loads(BASELINE.read_text(encoding="utf-8"))


def _entries() -> list[tuple[str, dict[str, Any]]]:
    return sorted(_baseline()["datasets"].items())


def test_baseline_names_a_command_and_figure_for_each_dataset() -> None:
    entries = dict(_entries())
    assert {"muc4", "tempeval3", "geowebnews", "lgl", "wikievents"} <= set(entries)
    for name, entry in entries.items():
        assert 0.0 <= entry["value"] <= 1.0, name
        assert entry["command"].startswith(f"incitewatch evaluate {name} "), name


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.parametrize(("name", "entry"), _entries(), ids=[name for name, _ in _entries()])
def test_figure_does_not_drop_below_baseline(name: str, entry: dict[str, Any], pipeline: Pipeline) -> None:
    data = DATA / entry["data"]
    if not data.exists():
        pytest.skip(f"{name} data not available under {data}")
    report = evaluate(name, data, split=entry["split"], limit=entry.get("limit"), pipeline=pipeline)
    figure = headline(report)
    assert figure is not None
    floor = entry["value"] - TOLERANCE_POINTS / 100
    assert figure >= floor, (
        f"{name} {entry['metric']} fell to {100 * figure:.2f} (baseline {100 * entry['value']:.2f}, "
        f"allowed down to {100 * floor:.2f}); reproduce with: {entry['command']}"
    )
