"""The linking loop shared by actors, releases and attacks: pins first, then blocking, scoring and attach-or-create.

A kind is described by a ``KindSpec``: how to fold a report into a record's profile, which blocking keys a report
stores and queries, and how a report scores against a record (``None`` when something rules it out). Only the
records sharing a blocking key with the report are scored, so linking one report costs the same however many
records exist.
"""

from __future__ import annotations

from typing import Protocol

from incitewatch.link.actors import ActorSpec
from incitewatch.link.attacks import AttackSpec
from incitewatch.link.releases import ReleaseSpec
from incitewatch.store.links import Features, LinkStore, Profile, ReportRow


class KindSpec(Protocol):
    kind: str
    threshold: float
    ambiguity_margin: float | None

    def new_record_id(self, article_id: str, item_id: str, features: Features) -> str: ...

    def empty_profile(self) -> Profile: ...

    def add_to_profile(self, profile: Profile, features: Features) -> Profile: ...

    def block_keys(self, features: Features) -> list[str]: ...

    def query_keys(self, features: Features) -> list[str]: ...

    def score(self, features: Features, profile: Profile) -> tuple[float, list[str]] | None: ...


ANY_ARTICLE = "*"  # the article id of a pin that holds for every article

SPECS: dict[str, KindSpec] = {"actor": ActorSpec(), "release": ReleaseSpec(), "attack": AttackSpec()}


def spec_for(kind: str) -> KindSpec:
    try:
        return SPECS[kind]
    except KeyError:
        raise ValueError(f"unknown record kind {kind!r}; expected one of {', '.join(SPECS)}") from None


def _pinned_record(links: LinkStore, kind: str, article_id: str, item_id: str) -> tuple[str, int] | None:
    """The analyst's pin for this report. After a re-analysis event ids may change: an article whose pinned
    reports of this kind all went to one record keeps sending its reports there."""
    exact = links.effective_pin(kind, article_id, item_id)
    if exact is not None:
        return exact
    if kind == "actor":  # an analyst's actor merge also sends later articles naming that entity to the record
        anywhere = links.effective_pin(kind, ANY_ARTICLE, item_id)
        if anywhere is not None:
            return anywhere
    pins = links.article_pins(kind, article_id)
    if pins and len({record for _, record, _ in pins}) == 1 and links.report(kind, article_id, pins[0][0]) is None:
        return pins[0][1], pins[0][2]
    return None


def best_record(links: LinkStore, spec: KindSpec, features: Features) -> tuple[str, float, list[str]] | None:
    """The best-scoring candidate record above the threshold, unless two fit about equally (ambiguous).
    A spec may name a few decisive keys (``first_keys``): when a record found under them fits, it is chosen
    without scoring the wider candidate set."""
    first = getattr(spec, "first_keys", None)
    if first is not None:
        keys = first(features)
        if keys:
            found = _best_of(links, spec, features, keys)
            if found is not None:
                return found
    return _best_of(links, spec, features, spec.query_keys(features))


def _best_of(
    links: LinkStore, spec: KindSpec, features: Features, keys: list[str]
) -> tuple[str, float, list[str]] | None:
    scored: list[tuple[float, str, list[str]]] = []
    for record_id, profile in links.candidates(spec.kind, keys):
        result = spec.score(features, profile)
        if result is not None and result[0] >= spec.threshold:
            scored.append((result[0], record_id, result[1]))
    if not scored:
        return None
    scored.sort(key=lambda item: (-item[0], item[1]))
    if spec.ambiguity_margin is not None and len(scored) > 1 and scored[0][0] - scored[1][0] < spec.ambiguity_margin:
        return None
    score, record_id, reasons = scored[0]
    return record_id, score, reasons


def _fresh_id(links: LinkStore, spec: KindSpec, article_id: str, item_id: str, features: Features) -> str:
    base = spec.new_record_id(article_id, item_id, features)
    candidate, number = base, 1
    while links.profile(spec.kind, candidate) is not None:
        number += 1
        candidate = f"{base}~{number}"
    return candidate


def attach(
    links: LinkStore,
    spec: KindSpec,
    article_id: str,
    item_id: str,
    published: str | None,
    features: Features,
    *,
    check_pins: bool = True,
) -> ReportRow:
    """Link one report: to its pinned record, else to the best matching record, else to a new record.
    ``check_pins=False`` when the caller knows no pin exists anywhere (saves the look-ups)."""
    pin = _pinned_record(links, spec.kind, article_id, item_id) if check_pins else None
    if pin is not None:
        record_id, reason, pinned = pin[0], f"pinned by decision #{pin[1]}", True
    else:
        pinned = False
        best = best_record(links, spec, features)
        if best is not None:
            record_id, score, reasons = best
            reason = f"{'; '.join(reasons)} (score {score:.1f})"
        else:
            record_id, reason = _fresh_id(links, spec, article_id, item_id, features), "new record"
    report = ReportRow(spec.kind, article_id, item_id, record_id, published, features, reason, pinned)
    add_report_to_record(links, spec, report)
    return report


def add_report_to_record(links: LinkStore, spec: KindSpec, report: ReportRow) -> None:
    profile = links.profile(spec.kind, report.record_id) or spec.empty_profile()
    spec.add_to_profile(profile, report.features)
    links.save_record(spec.kind, report.record_id, profile, spec.block_keys(report.features))
    links.add_report(report)


def rebuild_record(links: LinkStore, spec: KindSpec, record_id: str) -> None:
    """Refold a record's profile and blocking keys from its reports (after reports left it); drop it if empty."""
    reports = links.reports_of_record(spec.kind, record_id)
    links.delete_record(spec.kind, record_id)
    if not reports:
        return
    profile = spec.empty_profile()
    keys: list[str] = []
    for report in reports:
        spec.add_to_profile(profile, report.features)
        keys.extend(spec.block_keys(report.features))
    links.save_record(spec.kind, record_id, profile, keys)


def detach(links: LinkStore, spec: KindSpec, reports: list[ReportRow]) -> set[str]:
    """Remove reports from their records; returns the record ids that changed (already rebuilt)."""
    touched = {report.record_id for report in reports}
    for report in reports:
        links.delete_report(report.kind, report.article_id, report.item_id)
    for record_id in sorted(touched):
        rebuild_record(links, spec, record_id)
    return touched


def move_reports(links: LinkStore, spec: KindSpec, reports: list[ReportRow], record_id: str, reason: str) -> None:
    """Put reports on ``record_id`` as an analyst's decision (pinned)."""
    detach(links, spec, reports)
    for report in reports:
        moved = ReportRow(
            spec.kind, report.article_id, report.item_id, record_id, report.published, report.features, reason, True
        )
        add_report_to_record(links, spec, moved)


def relink_reports(links: LinkStore, spec: KindSpec, reports: list[ReportRow]) -> None:
    """Take reports off their records and link them afresh (pins, then the machine), oldest first."""
    detach(links, spec, reports)
    for report in sorted(reports, key=lambda r: (r.published is None, r.published or "", r.seq)):
        attach(links, spec, report.article_id, report.item_id, report.published, report.features)
