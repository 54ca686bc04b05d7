"""Small builders the extraction tests share: entities with every mention found, and the seed reports."""

from __future__ import annotations

import pytest

from incitewatch.types import Entity, Mention
from tests.shared_paths import SEEDS


def entity(text: str, entity_id: str, *names: str, type_: str = "person", **attributes: str) -> Entity:
    """An entity with a mention at every occurrence of each name, as the entity extractor would give."""
    mentions = []
    for name in names:
        start = text.find(name)
        while start >= 0:
            mentions.append(Mention(start, start + len(name), name))
            start = text.find(name, start + 1)
    mentions.sort(key=lambda m: m.start)
    return Entity(entity_id, type_, names[0], names[1:], tuple(mentions), attributes)  # type: ignore[arg-type]


def seed(prefix: str) -> str:
    """The text of the seed report whose file name starts with ``prefix``; skips when the seeds are absent."""
    found = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip(f"seed {prefix} not available under {SEEDS}")
    return found[0].read_text(encoding="utf-8")
