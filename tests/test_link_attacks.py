"""Attacks across reports: one record per attack, each report's toll side by side, the reconciled toll says how
it was chosen; different cities or months stay apart."""

from __future__ import annotations

from typing import Any

from incitewatch.link.attacks import attack_features, attack_interval
from incitewatch.link.linker import list_attacks
from tests.test_link_fixtures import Report, _shabaab, corpus, linked_store


def _kabul(article_id: str, published: str, when: str, value: str, killed: int) -> dict[str, Any]:
    r = Report(
        article_id,
        published,
        "Kabul Daily",
        f"Blast in Kabul\n\nA bomb at a Kabul checkpoint {when} killed {killed} people, officials said.",
    )
    kabul = r.place("place:geonames:1138958", "Kabul", "AF")
    r.event(
        "attack",
        f"A bomb at a Kabul checkpoint {when}",
        value,
        place=[("Kabul", kabul, None)],
        killed=[(f"killed {killed} people", None, killed)],
        date=[(when, None, value)],
    )
    return r.to_dict()


def _country_only() -> dict[str, Any]:
    r = Report(
        "a-somalia",
        "2025-04-14",
        "Horn Review",
        "Somalia attack\n\nThe hotel attack in Somalia last Friday killed 19 people, a minister said.",
    )
    somalia = r.place("place:geonames:51537", "Somalia", "SO", "country")
    r.event(
        "attack",
        "The hotel attack in Somalia last Friday",
        "2025-04-11",
        place=[("Somalia", somalia, None)],
        killed=[("killed 19 people", None, 19)],
        date=[("last Friday", None, "2025-04-11")],
    )
    return r.to_dict()


def test_mogadishu_reports_form_one_attack_with_latest_toll() -> None:
    store = linked_store(corpus())
    (attack,) = [a for a in list_attacks(store) if a.place_name == "Mogadishu"]
    assert [r.killed for r in attack.reports] == [14, 17]
    assert attack.killed == 17 and attack.killed_spread == (14, 17)
    assert "latest report (2025-04-13) of 2: 14, 17" in attack.reconciliation
    assert attack.wounded == 32 and attack.wounded_spread == (30, 32)
    assert attack.date == "2025-04-11" and attack.country == "SO"
    assert attack.perpetrator == "group:al-shabaab"


def test_a_report_s_attack_carries_the_focus_of_its_records() -> None:
    scored = _kabul("a-k1", "2025-03-02", "on Saturday", "2025-03-01", 9)
    ((_, unscored),) = attack_features(scored)
    assert unscored["focus"] is None
    for event in scored["events"]:
        event["focus"] = 0.42
    ((_, features),) = attack_features(scored)
    assert features["focus"] == 0.42


def test_a_later_report_only_referring_to_the_attack_does_not_set_its_toll() -> None:
    own = [*corpus()]
    for report in own:
        for event in report["events"]:
            if event["type"] == "attack":
                event["focus"] = 0.8
    # A release a week later praises the siege and quotes the first toll: it refers to the attack, its own
    # incident is the release.
    praising = _shabaab("a-praise", "2025-04-20", "Release Monitor", 14, 30, dated=False).to_dict()
    for event in praising["events"]:
        if event["type"] == "attack":
            event["focus"] = 0.1
    (attack,) = [a for a in list_attacks(linked_store([*own, praising])) if a.place_name == "Mogadishu"]
    assert "a-praise" in {r.article_id for r in attack.reports}
    assert attack.killed == 17 and attack.wounded == 32
    assert "latest report (2025-04-13) of 2: 14, 17" in attack.reconciliation
    assert "passed over, 1 report(s) only referring to the attack: 14" in attack.reconciliation
    assert attack.killed_spread == (14, 17)
    # Had no report told of it as its own incident, the latest would still decide.
    for event in praising["events"]:
        if event["type"] == "attack":
            event["focus"] = None
    (unscored,) = [a for a in list_attacks(linked_store([*own, praising])) if a.place_name == "Mogadishu"]
    assert unscored.killed == 14 and "passed over" not in unscored.reconciliation


def test_country_only_report_joins_city_record_of_that_country() -> None:
    store = linked_store([*corpus(), _country_only()])
    (attack,) = [a for a in list_attacks(store) if a.country == "SO"]
    assert {r.article_id for r in attack.reports} == {"a-coast", "a-wire-east", "a-somalia"}
    assert attack.place_name == "Mogadishu"


def test_other_month_or_city_is_another_attack() -> None:
    store = linked_store(
        [
            _kabul("k1", "2025-01-05", "on Saturday", "2025-01-04", 6),
            _kabul("k2", "2025-01-06", "at the weekend", "2025-01", 7),
            _kabul("k3", "2025-02-20", "on Wednesday", "2025-02-19", 3),
        ]
    )
    groups = sorted(sorted(r.article_id for r in a.reports) for a in list_attacks(store))
    assert groups == [["k1", "k2"], ["k3"]]


def test_attack_intervals() -> None:
    assert attack_interval("2025-04-11") == ("2025-04-10", "2025-04-12")
    assert attack_interval("2024-02") == ("2024-02-01", "2024-02-29")
    assert attack_interval("XXXX-03") is None and attack_interval(None) is None
