"""Shared fixtures: one pipeline per test session (loading spaCy is the slow part), paths to shared data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from incitewatch.pipeline import Pipeline, PipelineOptions

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """``../shared`` beside the repository (override with INCITEWATCH_SHARED)."""
    return Path(os.environ.get("INCITEWATCH_SHARED", REPO.parent / "shared"))


def seed_path(name: str) -> Path:
    path = shared_dir() / "seeds" / name
    if not path.exists():
        pytest.skip(f"seed {name} not available under {path.parent}")
    return path


@pytest.fixture(scope="session")
def pipeline() -> Iterator[Pipeline]:
    yield Pipeline(PipelineOptions())


@pytest.fixture(scope="session")
def rules_pipeline() -> Iterator[Pipeline]:
    """The pipeline as it runs when the statistical model is not installed."""
    yield Pipeline(PipelineOptions(use_model=False))
