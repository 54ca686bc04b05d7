"""Entry points of cross-document linking: ``link_article`` after each save, ``relink`` to rebuild everything,
the record views (``get_release``...), and the analysts' ``merge``/``split``/``undo`` (from ``decisions``).

``link_article(store, analysis)`` attaches one stored report's actors, releases and attacks to existing records
(only the candidate records sharing a blocking key are read) or starts new ones; linking the same article again
(a re-analysis) first takes its old reports off their records. ``relink(store)`` forgets every machine link and
links all stored analyses again, oldest first, so the result depends only on the analyses and the decisions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from incitewatch.link import engine
from incitewatch.link.actors import actor_features, build_actor
from incitewatch.link.attacks import attack_features, build_attack
from incitewatch.link.decisions import list_decisions, merge, split, undo
from incitewatch.link.records import Actor, Attack, Release
from incitewatch.link.releases import build_release, release_features
from incitewatch.link.sources import SourceChain, cited_sources, source_chain
from incitewatch.store.links import LinkStore, ReportRow
from incitewatch.store.sqlite import SQLiteStore

__all__ = [
    "LinkResult",
    "get_actor",
    "get_attack",
    "get_release",
    "link_article",
    "list_actors",
    "list_attacks",
    "list_decisions",
    "list_releases",
    "merge",
    "record_sources",
    "relink",
    "split",
    "undo",
]

MACHINE = "machine"


@dataclass(frozen=True, slots=True)
class LinkResult:
    """Where one article's reports went: entity id / event id -> record id."""

    article_id: str
    actors: dict[str, str] = field(default_factory=dict)
    releases: dict[str, str] = field(default_factory=dict)
    attacks: dict[str, str] = field(default_factory=dict)


def _unlink_article(links: LinkStore, article_id: str) -> None:
    """Take an article's previous reports off their records (it is being linked again after re-analysis)."""
    previous = links.reports_of_article(article_id)
    for kind in ("release", "attack", "actor"):
        of_kind = [report for report in previous if report.kind == kind]
        if of_kind:
            engine.detach(links, engine.spec_for(kind), of_kind)


def _link(links: LinkStore, analysis: Mapping[str, Any], *, log_changes: bool) -> LinkResult:
    article = analysis["article"]
    article_id, published = article["id"], article.get("published")
    _unlink_article(links, article_id)
    pins = links.any_pins()
    attached: list[ReportRow] = []
    actors: dict[str, str] = {}
    for entity_id, features in actor_features(analysis):
        report = engine.attach(
            links, engine.spec_for("actor"), article_id, entity_id, published, features, check_pins=pins
        )
        actors[entity_id] = report.record_id
        attached.append(report)
    attacks: dict[str, str] = {}
    for event_id, features in attack_features(analysis):
        report = engine.attach(
            links, engine.spec_for("attack"), article_id, event_id, published, features, check_pins=pins
        )
        attacks[event_id] = report.record_id
        attached.append(report)
    releases: dict[str, str] = {}
    for event_id, features in release_features(analysis, actors, sorted(set(attacks.values()))):
        report = engine.attach(
            links, engine.spec_for("release"), article_id, event_id, published, features, check_pins=pins
        )
        releases[event_id] = report.record_id
        attached.append(report)
    links.save_sources(article_id, cited_sources(analysis))
    if log_changes:
        for report in attached:
            links.log(
                MACHINE, "link", report.link_reason, kind=report.kind, record_id=report.record_id, article_id=article_id
            )
    return LinkResult(article_id, actors, releases, attacks)


def link_article(store: SQLiteStore, analysis: Mapping[str, Any]) -> LinkResult:
    """Link one stored article's analysis (the ``incitewatch.analysis/1`` dict) into the records, atomically."""
    links = LinkStore(store)
    with links.transaction():
        return _link(links, analysis, log_changes=True)


@dataclass(frozen=True, slots=True)
class RelinkSummary:
    articles: int
    actors: int
    releases: int
    attacks: int


def relink(store: SQLiteStore) -> RelinkSummary:
    """Rebuild every record from the stored analyses (oldest report first); analysts' pins still win."""
    links = LinkStore(store)
    with links.transaction():
        links.clear_machine_links()
        article_ids = links.article_ids_in_order()
        for article_id in article_ids:
            analysis = store.get_article(article_id)
            if analysis is not None:
                _link(links, analysis, log_changes=False)
        summary = RelinkSummary(
            len(article_ids), *(len(links.record_ids(kind)) for kind in ("actor", "release", "attack"))
        )
        links.log(MACHINE, "relink", f"rebuilt {summary} from the stored analyses")
    return summary


# ------------------------------------------------------------------------------------------------ views


def get_release(store: SQLiteStore, record_id: str) -> Release | None:
    links = LinkStore(store)
    with links.transaction():
        reports = links.reports_of_record("release", record_id)
    return build_release(record_id, reports) if reports else None


def get_attack(store: SQLiteStore, record_id: str) -> Attack | None:
    links = LinkStore(store)
    with links.transaction():
        reports = links.reports_of_record("attack", record_id)
    return build_attack(record_id, reports) if reports else None


def get_actor(store: SQLiteStore, record_id: str) -> Actor | None:
    links = LinkStore(store)
    with links.transaction():
        profile = links.profile("actor", record_id)
        if profile is None:
            return None
        reports = links.reports_of_record("actor", record_id)
        release_ids = links.records_citing_feature("release", "speaker", record_id)
    return build_actor(record_id, profile, reports, release_ids)


def list_releases(store: SQLiteStore) -> list[Release]:
    ids = _ids(store, "release")
    return [r for r in (get_release(store, i) for i in ids) if r is not None]


def list_attacks(store: SQLiteStore) -> list[Attack]:
    ids = _ids(store, "attack")
    return [a for a in (get_attack(store, i) for i in ids) if a is not None]


def list_actors(store: SQLiteStore) -> list[Actor]:
    ids = _ids(store, "actor")
    return [a for a in (get_actor(store, i) for i in ids) if a is not None]


def _ids(store: SQLiteStore, kind: str) -> list[str]:
    links = LinkStore(store)
    with links.transaction():
        return links.record_ids(kind)


def record_sources(store: SQLiteStore, kind: str, record_id: str) -> SourceChain:
    """Who cites whom among a record's reports, their copies, and the earliest report."""
    links = LinkStore(store)
    with links.transaction():
        article_ids = [r.article_id for r in links.reports_of_record(kind, record_id)]
        return source_chain(links, article_ids)
