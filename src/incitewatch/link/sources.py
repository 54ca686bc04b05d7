"""Source chains: which outlets each report cites, which report of a record cites which other report's outlet,
the earliest report, and syndicated copies recorded by ingest (table ``article_copies``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from incitewatch.link.records import Evidence, SourceLink
from incitewatch.link.releases import outlet_key
from incitewatch.store.links import LinkStore


def cited_sources(analysis: Mapping[str, Any]) -> list[tuple[str, int, int, str]]:
    """(outlet id, start, end, text) of every attribution to an outlet or agency in one analysis."""
    return [
        (a["source"], a["start"], a["end"], a["text"])
        for a in analysis.get("attributions", ())
        if (a.get("source") or "").startswith("outlet:")
    ]


@dataclass(frozen=True, slots=True)
class SourceChain:
    """How a record's reports relate: citations (with evidence), copies, and the earliest report."""

    earliest_report: str | None
    links: tuple[SourceLink, ...]
    # (citing article, cited article): a report citing the outlet of another report of the same record.
    edges: tuple[tuple[str, str], ...]


def source_chain(links: LinkStore, article_ids: Sequence[str]) -> SourceChain:
    """The source chain among the reports ``article_ids`` (the reports of one record)."""
    meta = links.article_outlets(article_ids)
    outlet_of = {aid: outlet_key(values[0]) for aid, values in meta.items()}
    found: list[SourceLink] = []
    edges: list[tuple[str, str]] = []
    for article_id in dict.fromkeys(article_ids):
        for cited, start, end, text in links.sources_of(article_id):
            found.append(SourceLink(article_id, cited=cited, evidence=Evidence(article_id, start, end, text)))
            edges.extend(
                (article_id, other) for other, outlet in outlet_of.items() if other != article_id and outlet == cited
            )
        found.extend(SourceLink(copy.copy_id, copy_of=article_id) for copy in links.copies_of(article_id))
    dated = sorted((values[1] or "9999", aid) for aid, values in meta.items())
    return SourceChain(dated[0][1] if dated else None, tuple(found), tuple(dict.fromkeys(edges)))
