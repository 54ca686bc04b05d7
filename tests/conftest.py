"""Shared fixtures: one pipeline per test session (loading spaCy is the slow part), paths to shared data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from incitewatch.pipeline import Pipeline, PipelineOptions
from tests.shared_paths import SEEDS
from tests.test_sources import Site, serving


def seed_path(name: str) -> Path:
    path = SEEDS / name
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


@pytest.fixture
def site() -> Iterator[Site]:
    """A real HTTP server on 127.0.0.1 whose routes a test sets (tests/test_sources.py)."""
    with serving() as served:
        yield served
