"""Analysts' corrections: merge two records, split reports off a record, undo either.

Every decision is stored with who, when and why, pins the reports it touched to the record it chose (pins win
over the machine on re-analysis and relink), and can be undone: the undo marks it undone and links its reports
afresh (other live pins first, then the machine).
"""

from __future__ import annotations

from collections.abc import Sequence

from incitewatch.errors import IncitewatchError
from incitewatch.link import engine
from incitewatch.link.records import Decision
from incitewatch.store.links import DecisionRow, LinkStore, ReportRow
from incitewatch.store.sqlite import SQLiteStore


class LinkDecisionError(IncitewatchError):
    """A merge, split or undo that cannot be done as asked (unknown record, no reason...); nothing changed."""


def _as_decision(row: DecisionRow) -> Decision:
    return Decision(
        id=row.id,
        kind=row.kind,  # type: ignore[arg-type]  # the table's CHECK constraint allows only RecordKind values
        action=row.action,  # type: ignore[arg-type]
        record_ids=row.record_ids,
        article_ids=row.article_ids,
        reason=row.reason,
        user=row.user,
        created_at=row.created_at,
        undone_by=row.undone_by,
        details={key: str(value) for key, value in row.details.items()},
    )


def _require_reason(reason: str) -> str:
    if not reason.strip():
        raise LinkDecisionError("a decision needs a reason (--reason)")
    return reason.strip()


def _reports(links: LinkStore, kind: str, record_id: str) -> list[ReportRow]:
    reports = links.reports_of_record(kind, record_id)
    if not reports:
        raise LinkDecisionError(f"no {kind} record {record_id!r}")
    return reports


def _refresh_speakers(links: LinkStore, actor_reports: Sequence[ReportRow]) -> None:
    """After actor reports moved, releases of the same articles that name that speaker follow them."""
    spec = engine.spec_for("release")
    for actor in actor_reports:
        current = links.report("actor", actor.article_id, actor.item_id)
        if current is None:
            continue
        stale = [
            r
            for r in links.reports_of_article(actor.article_id, "release")
            if r.features.get("speaker_entity") == actor.item_id and r.features.get("speaker") != current.record_id
        ]
        for release in stale:
            release.features["speaker"] = current.record_id
        if stale:
            engine.relink_reports(links, spec, stale)


def merge(store: SQLiteStore, kind: str, keep_id: str, other_id: str, reason: str, user: str = "analyst") -> Decision:
    """Fold record ``other_id`` into ``keep_id``; every report of both is pinned to ``keep_id``."""
    spec, links, reason = engine.spec_for(kind), LinkStore(store), _require_reason(reason)
    if keep_id == other_id:
        raise LinkDecisionError("merge needs two different records")
    with links.transaction():
        kept, other = _reports(links, kind, keep_id), _reports(links, kind, other_id)
        articles = sorted({r.article_id for r in kept + other})
        decision_id = links.add_decision(
            kind, "merge", [keep_id, other_id], articles, reason, user, {"merged_from": other_id}
        )
        links.add_pins(decision_id, kind, [(r.article_id, r.item_id, keep_id) for r in kept + other])
        if kind == "actor":
            entity_ids = sorted({r.item_id for r in other})
            links.add_pins(decision_id, kind, [(engine.ANY_ARTICLE, entity_id, keep_id) for entity_id in entity_ids])
        engine.move_reports(links, spec, other, keep_id, f"merged from {other_id} by decision #{decision_id}: {reason}")
        links.log(user, "merge", reason, kind=kind, record_id=keep_id)
        links.log(user, "merged-away", f"merged into {keep_id}: {reason}", kind=kind, record_id=other_id)
        if kind == "actor":
            _refresh_speakers(links, other)
        row = links.decision(decision_id)
    assert row is not None
    return _as_decision(row)


def split(
    store: SQLiteStore, kind: str, record_id: str, article_ids: Sequence[str], reason: str, user: str = "analyst"
) -> Decision:
    """Move the reports of ``article_ids`` off ``record_id`` onto a new record; both sides are pinned."""
    spec, links, reason = engine.spec_for(kind), LinkStore(store), _require_reason(reason)
    wanted = set(article_ids)
    with links.transaction():
        reports = _reports(links, kind, record_id)
        leaving = [r for r in reports if r.article_id in wanted]
        staying = [r for r in reports if r.article_id not in wanted]
        if not leaving or not staying:
            raise LinkDecisionError(
                f"split of {record_id} must move some but not all of its reports (articles: "
                f"{', '.join(sorted({r.article_id for r in reports}))})"
            )
        decision_id = links.add_decision(kind, "split", [record_id], sorted(wanted), reason, user)
        new_id = f"{record_id}~split{decision_id}"
        links.update_decision_details(decision_id, {"new_record": new_id})
        links.add_pins(decision_id, kind, [(r.article_id, r.item_id, new_id) for r in leaving])
        links.add_pins(decision_id, kind, [(r.article_id, r.item_id, record_id) for r in staying])
        engine.move_reports(
            links, spec, leaving, new_id, f"split from {record_id} by decision #{decision_id}: {reason}"
        )
        links.log(user, "split", f"{len(leaving)} report(s) to {new_id}: {reason}", kind=kind, record_id=record_id)
        links.log(user, "split-created", f"split from {record_id}: {reason}", kind=kind, record_id=new_id)
        if kind == "actor":
            _refresh_speakers(links, leaving)
        row = links.decision(decision_id)
    assert row is not None
    return _as_decision(row)


def undo(store: SQLiteStore, decision_id: int, reason: str = "undo", user: str = "analyst") -> Decision:
    """Undo a merge or split: its pins stop counting and its reports are linked afresh."""
    links = LinkStore(store)
    with links.transaction():
        row = links.decision(decision_id)
        if row is None:
            raise LinkDecisionError(f"no decision #{decision_id}")
        if row.action == "undo":
            raise LinkDecisionError(f"decision #{decision_id} is an undo; undo cannot be undone, decide again instead")
        if row.undone_by is not None:
            raise LinkDecisionError(f"decision #{decision_id} was already undone by #{row.undone_by}")
        spec = engine.spec_for(row.kind)
        undo_id = links.add_decision(
            row.kind, "undo", row.record_ids, row.article_ids, reason, user, {"undoes": decision_id}
        )
        links.mark_undone(decision_id, undo_id)
        reports = _reports_pinned_by(links, row)
        engine.relink_reports(links, spec, reports)
        for record_id in row.record_ids:
            links.log(
                user,
                "undo",
                f"undid decision #{decision_id} ({row.action}): {reason}",
                kind=row.kind,
                record_id=record_id,
            )
        if row.kind == "actor":
            _refresh_speakers(links, reports)
        done = links.decision(undo_id)
    assert done is not None
    return _as_decision(done)


def _reports_pinned_by(links: LinkStore, row: DecisionRow) -> list[ReportRow]:
    """The reports a decision placed: those it pinned, and for an actor merge the later articles that followed
    its pin on the entity id."""
    pins = links.pins_of_decision(row.id)
    pinned = sorted({(a, i) for a, i, _ in pins if a != engine.ANY_ARTICLE})
    reports = [r for r in (links.report(row.kind, a, i) for a, i in pinned) if r is not None]
    everywhere = {i for a, i, _ in pins if a == engine.ANY_ARTICLE}
    if everywhere:
        known = {(r.article_id, r.item_id) for r in reports}
        reports += [
            r
            for record_id in row.record_ids
            for r in links.reports_of_record(row.kind, record_id)
            if r.item_id in everywhere and (r.article_id, r.item_id) not in known
        ]
    return reports


def list_decisions(store: SQLiteStore) -> list[Decision]:
    links = LinkStore(store)
    with links.store.transaction():
        return [_as_decision(row) for row in links.decisions()]
