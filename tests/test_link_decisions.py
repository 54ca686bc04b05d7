"""Analysts' merges and splits: persisted, pinned over re-analysis and relink, undoable, logged."""

from __future__ import annotations

from typing import Any

import pytest

from incitewatch.link.decisions import LinkDecisionError
from incitewatch.link.linker import (
    get_actor,
    get_release,
    link_article,
    list_decisions,
    list_releases,
    merge,
    record_sources,
    relink,
    split,
    undo,
)
from incitewatch.store.links import LinkStore
from tests.test_link_fixtures import corpus, linked_store


def _partition(store: Any) -> list[list[str]]:
    return sorted(sorted(r.article_id for r in rel.reports) for rel in list_releases(store))


def _release_of(store: Any, article_id: str) -> str:
    return next(r.id for r in list_releases(store) if article_id in {x.article_id for x in r.reports})


def test_split_is_pinned_through_relink_and_reanalysis_and_undoable() -> None:
    analyses = corpus()
    store = linked_store(analyses)
    before = _partition(store)
    ramadan = _release_of(store, "a-courier")
    decision = split(
        store, "release", ramadan, ["a-reuters"], reason="wire story is a different recording", user="dana"
    )
    new_id = decision.details["new_record"]
    assert _release_of(store, "a-reuters") == new_id
    assert get_release(store, new_id) is not None
    relink(store)
    assert _release_of(store, "a-reuters") == new_id
    assert _release_of(store, "a-courier") == ramadan
    link_article(store, next(a for a in analyses if a["article"]["id"] == "a-reuters"))  # re-analysis
    assert _release_of(store, "a-reuters") == new_id
    pinned = next(r for r in get_release(store, new_id).reports if r.article_id == "a-reuters")  # type: ignore[union-attr]
    assert pinned.pinned and f"decision #{decision.id}" in pinned.link_reason
    undone = undo(store, decision.id, reason="checked again", user="dana")
    assert _partition(store) == before
    assert [d.undone_by for d in list_decisions(store) if d.id == decision.id] == [undone.id]
    relink(store)
    assert _partition(store) == before


def test_merge_two_releases_then_undo() -> None:
    store = linked_store(corpus())
    before = _partition(store)
    keep, other = _release_of(store, "a-isk-1"), _release_of(store, "a-isk-text")
    decision = merge(store, "release", keep, other, reason="same campaign, one release", user="sam")
    assert _release_of(store, "a-isk-text") == keep
    assert get_release(store, other) is None
    relink(store)
    assert _release_of(store, "a-isk-text") == keep
    undo(store, decision.id)
    assert _partition(store) == before


def test_actor_merge_moves_the_speaker_of_releases() -> None:
    store = linked_store(corpus())
    keep = "person:abu-yusuf-al-tahiri"
    from tests.test_link_fixtures import Report

    r = Report("a-alias", "2025-03-31", "Monitor", "Report\n\nThe spokesman, known as al-Tahiri al-Iraqi, spoke.")
    r.entity("person", "Tahiri al-Iraqi", "al-Tahiri al-Iraqi", role="spokesman")
    from tests.test_link_fixtures import save_and_link

    save_and_link(store, r.to_dict())
    other = "person:tahiri-al-iraqi"
    assert get_actor(store, other) is not None
    merge(store, "actor", keep, other, reason="same man per court papers")
    actor = get_actor(store, keep)
    assert actor is not None and "a-alias" in actor.article_ids
    assert get_actor(store, other) is None
    relink(store)
    assert "a-alias" in get_actor(store, keep).article_ids  # type: ignore[union-attr]


def test_every_change_is_logged_with_who_and_why() -> None:
    store = linked_store(corpus())
    ramadan = _release_of(store, "a-courier")
    split(store, "release", ramadan, ["a-gazette"], reason="arrest report misdated", user="lee")
    links = LinkStore(store)
    with links.transaction():
        entries = links.log_entries("release", ramadan)
    assert [e.action for e in entries][-1] == "split"
    assert entries[-1].user == "lee" and "arrest report misdated" in entries[-1].reason
    assert any(e.user == "machine" and e.action == "link" for e in entries)


def test_bad_decisions_are_refused() -> None:
    store = linked_store(corpus())
    ramadan = _release_of(store, "a-courier")
    with pytest.raises(LinkDecisionError, match="reason"):
        split(store, "release", ramadan, ["a-reuters"], reason=" ")
    with pytest.raises(LinkDecisionError, match="some but not all"):
        split(store, "release", ramadan, ["a-nowhere"], reason="x")
    with pytest.raises(LinkDecisionError, match="no release record"):
        merge(store, "release", ramadan, "release:missing", reason="x")
    with pytest.raises(LinkDecisionError, match="no decision"):
        undo(store, 999)


def test_source_chain_finds_citations_and_earliest_report() -> None:
    store = linked_store(corpus())
    chain = record_sources(store, "release", _release_of(store, "a-courier"))
    assert chain.earliest_report in {"a-courier", "a-reuters"}
    assert ("a-herald", "a-reuters") in chain.edges  # the Herald cites Reuters, whose own report is linked too
    cited = next(link for link in chain.links if link.cited == "outlet:reuters")
    assert cited.evidence is not None and cited.evidence.text == "according to Reuters"


def test_pin_survives_a_reanalysis_that_renames_event_ids() -> None:
    analyses = corpus()
    store = linked_store(analyses)
    ramadan = _release_of(store, "a-courier")
    decision = split(store, "release", ramadan, ["a-gazette"], reason="separate recording")
    gazette = next(a for a in analyses if a["article"]["id"] == "a-gazette")
    for event in gazette["events"]:
        event["id"] = event["id"] + "-v2"  # a newer pipeline numbers events differently
    link_article(store, gazette)
    assert _release_of(store, "a-gazette") == decision.details["new_record"]


def test_actor_merge_also_captures_later_articles_naming_that_entity() -> None:
    from tests.test_link_fixtures import Report, save_and_link

    store = linked_store(corpus())
    keep = "person:abu-yusuf-al-tahiri"

    def alias_report(article_id: str, published: str) -> dict[str, Any]:
        r = Report(article_id, published, "Monitor", "Report\n\nThe spokesman, known as al-Tahiri al-Iraqi, spoke.")
        r.entity("person", "Tahiri al-Iraqi", "al-Tahiri al-Iraqi", role="spokesman")
        return r.to_dict()

    save_and_link(store, alias_report("a-alias-1", "2025-03-31"))
    decision = merge(store, "actor", keep, "person:tahiri-al-iraqi", reason="same man")
    save_and_link(store, alias_report("a-alias-2", "2025-04-02"))
    assert {"a-alias-1", "a-alias-2"} <= set(get_actor(store, keep).article_ids)  # type: ignore[union-attr]
    undo(store, decision.id)
    separate = get_actor(store, "person:tahiri-al-iraqi")
    assert separate is not None and set(separate.article_ids) == {"a-alias-1", "a-alias-2"}
