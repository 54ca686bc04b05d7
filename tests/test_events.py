"""Event extraction over texts written for these tests, through the whole pipeline."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from incitewatch.pipeline import Pipeline
from incitewatch.serialize import analysis_to_dict


def _run(pipeline: Pipeline, text: str, published: str = "2025-03-04") -> dict[str, Any]:
    return analysis_to_dict(pipeline.analyze_text(text, published=date.fromisoformat(published)))


def _of(analysis: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in analysis["events"] if e["type"] == kind]


def _values(event: dict[str, Any], role: str) -> set[Any]:
    return {f.get("value", f.get("entity")) for f in event["roles"].get(role, [])}


RELEASE_REPORT = (
    "An audio message attributed to the Islamic State spokesman Abu Yusuf al-Tahiri was released on Sunday on "
    "the group's Telegram channels, urging supporters to carry out attacks on Christians in Europe during Ramadan.\n"
    "The recording could not be independently verified.\n"
    "It resembled a previous video released by the group last year.\n"
    "In the message, al-Tahiri praised the bombing of a market in Kirkuk in February that killed 23 people.\n"
)


@pytest.fixture(scope="module")
def release_report(pipeline: Pipeline) -> dict[str, Any]:
    return _run(pipeline, RELEASE_REPORT)


def test_mentions_of_one_message_become_one_release(release_report: dict[str, Any]) -> None:
    releases = _of(release_report, "propaganda_release")
    assert len(releases) == 1  # "the recording", "the message" are the same audio; "a previous video" is not
    (release,) = releases
    assert _values(release, "medium") == {"audio"}
    assert _values(release, "group") == {"group:islamic-state"}
    assert _values(release, "channel") == {"channel:telegram"}
    assert release["time"] == "2025-03-02"  # "on Sunday" before a Tuesday publication


def test_hedge_in_a_release_sentence_sets_verification(release_report: dict[str, Any]) -> None:
    (release,) = _of(release_report, "propaganda_release")
    assert release["verification"] == "unverified"


def test_call_scope_starts_at_the_call_verb(release_report: dict[str, Any]) -> None:
    (call,) = _of(release_report, "call_to_action")
    assert {f["text"] for f in call["roles"]["target"]} == {"Christians"}
    assert "Ramadan" in {f["text"] for f in call["roles"]["window"]}
    assert call["verification"] == "unverified"  # inherits the release's doubt


def test_referenced_attack_with_place_date_and_toll(release_report: dict[str, Any]) -> None:
    (attack,) = _of(release_report, "attack")
    assert _values(attack, "killed") == {23}
    assert attack["time"] == "2025-02"
    assert _values(attack, "method") == {"explosives"}


def test_attacks_a_call_asks_for_are_not_attacks(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "The group urged followers to launch attacks in France and Germany. Experts warned that supporters could "
        "carry out attacks in Belgium.",
    )
    assert _of(analysis, "attack") == []
    assert len(_of(analysis, "call_to_action")) == 1


def test_two_mentions_of_one_attack_merge_and_anaphora_joins_the_toll(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "Gunmen stormed a hotel in Mogadishu on Friday night. The siege killed at least 14 people and wounded 30.\n"
        "Al-Shabaab claimed responsibility for the attack in a statement.\n"
        "Separately, a bombing in Baghdad killed 5 people on Thursday.",
        published="2025-04-12",
    )
    attacks = _of(analysis, "attack")
    assert len(attacks) == 2
    mogadishu = next(a for a in attacks if _values(a, "killed") == {14})
    assert _values(mogadishu, "wounded") == {30}
    assert mogadishu["time"].startswith("2025-04-11")  # "on Friday night", not the claim's day
    assert _values(mogadishu, "perpetrator") >= {"group:al-shabaab"}
    baghdad = next(a for a in attacks if _values(a, "killed") == {5})
    assert baghdad["time"] == "2025-04-10"


def test_arrest_roles(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "Abu Bakr al-Baghdadi's former aide, Abu Hamza al-Qurashi, was arrested by Turkish police in Istanbul "
        "last month, officials said.",
    )
    (arrest,) = _of(analysis, "arrest")
    persons = {f["text"] for f in arrest["roles"]["person"]}
    assert "Abu Hamza al-Qurashi" in persons
    assert arrest["time"] == "2025-02"
    assert any(f["text"] == "Istanbul" for f in arrest["roles"]["place"])


def test_statement_by_an_official_with_role_and_organisation(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "Marie Dufour, a spokeswoman for the Belgian federal police, said the alert level had been raised.",
    )
    (statement,) = _of(analysis, "statement")
    assert {f["text"] for f in statement["roles"]["speaker"]} == {"Marie Dufour"}
    assert "spokeswoman" in {f["text"] for f in statement["roles"]["role"]}.pop()


def test_a_text_about_nothing_violent_has_no_events(pipeline: Pipeline) -> None:
    analysis = _run(pipeline, "The city council approved a new budget for parks and libraries on Monday.")
    assert analysis["events"] == []


def test_pipeline_without_the_model_still_finds_the_release(rules_pipeline: Pipeline) -> None:
    analysis = _run(rules_pipeline, RELEASE_REPORT)
    (release,) = _of(analysis, "propaganda_release")
    assert _values(release, "group") == {"group:islamic-state"}
    assert _values(release, "medium") == {"audio"}
    assert _of(analysis, "attack")


def _texts(event: dict[str, Any], role: str) -> set[str]:
    return {f["text"] for f in event["roles"].get(role, [])}


def test_attack_target_is_the_object_of_the_attack_verb(pipeline: Pipeline) -> None:
    analysis = _run(pipeline, "Rebels dynamited a power substation near the town of Sonsonate on Tuesday night.")
    (attack,) = _of(analysis, "attack")
    assert "power substation" in _texts(attack, "target")


def test_bombing_of_a_building_gives_its_target(pipeline: Pipeline) -> None:
    analysis = _run(pipeline, "Police said the bombing of the embassy in Lima killed two guards on Sunday.")
    (attack,) = _of(analysis, "attack")
    assert "embassy" in _texts(attack, "target")


def test_named_victim_without_title_in_lower_case_text(pipeline: Pipeline) -> None:
    analysis = _run(pipeline, "unidentified gunmen murdered mayor carlos ortega perez in the town plaza yesterday.")
    (attack,) = _of(analysis, "attack")
    assert "carlos ortega perez" in _texts(attack, "victim")
    assert "unidentified gunmen" in _texts(attack, "perpetrator")


def test_passive_victim_and_listed_organisation(pipeline: Pipeline) -> None:
    analysis = _run(pipeline, "the shining path said a village judge was kidnapped by its militia in ayacucho.")
    attacks = _of(analysis, "attack")
    assert attacks
    assert any("village judge" in _texts(a, "victim") for a in attacks)
    assert any("shining path" in _texts(a, "perpetrator") for a in attacks)


def test_victims_and_targets_never_include_the_attackers(pipeline: Pipeline) -> None:
    analysis = _run(pipeline, "Guerrillas attacked an army patrol and burned two trucks on the highway to Lima.")
    attacks = _of(analysis, "attack")
    assert attacks
    for attack in attacks:
        assert not any("uerrilla" in t for t in _texts(attack, "target") | _texts(attack, "victim"))


def test_mine_the_pronoun_is_no_weapon(pipeline: Pipeline) -> None:
    analysis = _run(pipeline, "Gunmen attacked a bus near Quetta on Monday, a friend of mine who was there said.")
    (attack,) = _of(analysis, "attack")
    assert "explosives" not in _values(attack, "method")


def test_muc4_template_from_a_lower_case_report(pipeline: Pipeline) -> None:
    from incitewatch.evaluation.mapping import muc4_templates
    from incitewatch.types import Article

    text = (
        "fmln urban guerrillas dynamited a power substation in usulutan on 3 may. "
        "the fmln also murdered mayor jose ramon castillo in the same town."
    )
    (doc,) = pipeline.pipe([Article(id="t-1", text=text)])
    templates = muc4_templates(doc)
    roles = {role: {e[0] for t in templates for e in t.roles.get(role, ())} for role in ("PerpOrg", "Target", "Victim")}
    assert "fmln" in roles["PerpOrg"]
    assert "power substation" in roles["Target"]
    assert "jose ramon castillo" in roles["Victim"]
    assert {t.incident_type for t in templates} <= {"attack", "bombing"}


def test_arrest_of_an_unnamed_suspect_later_named_is_one_arrest(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "Police in Leeds arrested a 31-year-old woman on Monday over posts sharing speeches of the group's "
        "spokesman Abu Yusuf al-Tahiri.\nThe woman, named in court as Jane Holloway, was detained at her home.",
    )
    (arrest,) = _of(analysis, "arrest")
    persons = {f["text"] for f in arrest["roles"]["person"]}
    assert persons == {"a 31-year-old woman", "Jane Holloway"}  # never the spokesman named further on
