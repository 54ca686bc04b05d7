"""A text built piece by piece, for the benchmarks that generate synthetic-but-realistic reports."""

from __future__ import annotations

from typing import Any


class Text:
    """Builds an article text piece by piece and hands out the spans of what it adds."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, piece: str) -> dict[str, Any]:
        start = self.length
        self.parts.append(piece)
        self.length += len(piece)
        return {"start": start, "end": start + len(piece), "text": piece}

    def __str__(self) -> str:
        return "".join(self.parts)
