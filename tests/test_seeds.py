"""The two real seed reports: what an analyst would write down after reading them, each fact with its evidence.

Golden files hold a projection of the analysis (ids, types, offsets, values; never the seed text itself, which
stays in ../shared) so that any change in what is extracted shows up as a diff. Regenerate them deliberately with
``INCITEWATCH_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_seeds.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from incitewatch.pipeline import Pipeline
from incitewatch.serialize import analysis_to_dict
from tests.conftest import seed_path

GOLDEN = Path(__file__).parent / "golden"
SEED_002 = "002_f57f2f0fce523868.txt"
SEED_000 = "000_0fb2546fb7702a3f.txt"


def _analyse(pipeline: Pipeline, name: str, published: str) -> dict[str, Any]:
    from datetime import date

    text = seed_path(name).read_text(encoding="utf-8")
    return analysis_to_dict(pipeline.analyze_text(text, published=date.fromisoformat(published), uri=name))


@pytest.fixture(scope="module")
def seed002(pipeline: Pipeline) -> dict[str, Any]:
    return _analyse(pipeline, SEED_002, "2017-06-13")


@pytest.fixture(scope="module")
def seed000(pipeline: Pipeline) -> dict[str, Any]:
    return _analyse(pipeline, SEED_000, "2024-03-30")


def _events(analysis: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in analysis["events"] if e["type"] == kind]


def _role_entities(event: dict[str, Any], role: str) -> set[str]:
    return {f["entity"] for f in event["roles"].get(role, []) if "entity" in f}


def _role_values(event: dict[str, Any], role: str) -> set[Any]:
    return {f["value"] for f in event["roles"].get(role, []) if "value" in f}


def _entity(analysis: dict[str, Any], entity_id: str) -> dict[str, Any]:
    return next(e for e in analysis["entities"] if e["id"] == entity_id)


def _place_id(analysis: dict[str, Any], name: str) -> str:
    return next(p["id"] for p in analysis["places"] if p["name"] == name or p["text"] == name)


# ------------------------------------------------------------------------------------------------ seed 002


def test_002_release_by_islamic_state_spokesman_on_telegram(seed002: dict[str, Any]) -> None:
    (release,) = _events(seed002, "propaganda_release")
    assert _role_entities(release, "group") == {"group:islamic-state"}
    assert {f["text"] for f in release["roles"]["group"]} == {"Daesh"}
    (speaker,) = _role_entities(release, "speaker")
    person = _entity(seed002, speaker)
    assert person["type"] == "person"
    assert {m["text"] for m in person["mentions"]} == {"Abi al-Hassan al-Muhajer"}
    assert _role_values(release, "medium") == {"audio"}
    assert _role_entities(release, "channel") == {"channel:telegram"}
    assert release["time"] == "2017-06-12"
    assert release["verification"] == "unverified"


def test_002_call_to_action_places_and_ramadan_window(seed002: dict[str, Any]) -> None:
    calls = _events(seed002, "call_to_action")
    call = next(c for c in calls if _role_values(c, "window"))
    expected = {"United States", "Europe", "Russia", "Australia", "Iraq", "Syria", "Iran", "Philippines"}
    assert _role_entities(call, "place") == {_place_id(seed002, name) for name in expected}
    (window,) = call["roles"]["window"]
    begin, end = window["value"].split("/")
    assert begin == "2017-05-27"
    assert end in {"2017-06-24", "2017-06-25", "2017-06-26"}


def test_002_quotes_are_the_spokesman_s_and_sources_are_cited(seed002: dict[str, Any]) -> None:
    (release,) = _events(seed002, "propaganda_release")
    (speaker,) = _role_entities(release, "speaker")
    recording = [q for q in seed002["quotes"] if q["text"].startswith(("O lions", "To the brethren"))]
    assert len(recording) == 2 and all(q["speaker"] == speaker for q in recording)
    cited = {a["source"] for a in seed002["attributions"] if a["source"]}
    assert {"outlet:daily-express", "outlet:reuters", "outlet:daily-mail"} <= cited


# ------------------------------------------------------------------------------------------------ seed 000


def test_000_boilerplate_is_not_article_text(seed000: dict[str, Any]) -> None:
    article = seed000["article"]
    assert article["author"] == "Ashwin Ahmad"
    assert "WhatsApp" not in article["text"] and "bibliophile" not in article["text"]
    assert article["title"] is not None and article["text"].count(article["title"]) == 0


def test_000_release_by_al_ansari_of_islamic_state(seed000: dict[str, Any]) -> None:
    releases = _events(seed000, "propaganda_release")
    release = next(r for r in releases if _role_entities(r, "speaker"))
    (speaker,) = _role_entities(release, "speaker")
    assert "Hudhayfah al-Ansari" in {m["text"] for m in _entity(seed000, speaker)["mentions"]}
    assert _role_entities(release, "group") == {"group:islamic-state"}


def test_000_calls_targets_methods_audience(seed000: dict[str, Any]) -> None:
    calls = _events(seed000, "call_to_action")
    targets = {f["text"] for c in calls for f in c["roles"].get("target", [])}
    assert {"Christians", "Jews", "American forces"} <= targets
    methods = set().union(*(_role_values(c, "method") for c in calls))
    assert {"explosives", "incendiary", "firearms", "melee", "vehicle"} <= methods
    audiences = {f["text"] for c in calls for f in c["roles"].get("audience", [])}
    assert "lone wolves" in audiences


def test_000_attacks_in_moscow_and_iran_with_tolls(seed000: dict[str, Any]) -> None:
    attacks = {next(iter(_role_entities(a, "place")), None): a for a in _events(seed000, "attack")}
    moscow = attacks[_place_id(seed000, "Moscow")]
    assert _role_values(moscow, "killed") == {140} and moscow["time"] == "2024-03"
    iran = attacks[_place_id(seed000, "Iran")]
    assert _role_values(iran, "killed") == {100} and iran["time"] == "2024-01"


def test_000_arrest_of_abu_omar_by_hts_in_idlib(seed000: dict[str, Any]) -> None:
    (arrest,) = _events(seed000, "arrest")
    (person,) = _role_entities(arrest, "person")
    assert {m["text"] for m in _entity(seed000, person)["mentions"]} == {"Abu Omar al-Muhajir"}
    assert _role_entities(arrest, "by") == {"group:hayat-tahrir-al-sham"}
    assert _place_id(seed000, "Idlib") in _role_entities(arrest, "place")
    assert arrest["time"] == "2023-09"


def test_000_statement_by_mccary_and_isis_k_distinct(seed000: dict[str, Any]) -> None:
    (statement,) = _events(seed000, "statement")
    (speaker,) = _role_entities(statement, "speaker")
    assert _entity(seed000, speaker)["name"] == "Ian J. Mccary"
    isis_k = next(e for e in seed000["entities"] if "ISIS-K" in {m["text"] for m in e["mentions"]})
    assert isis_k["id"] != "group:islamic-state"
    assert isis_k["attributes"]["parent"] == "group:islamic-state"
    # "Isis" inside the coalition's name is not a mention of the group.
    isis_texts = {m["text"] for m in _entity(seed000, "group:islamic-state")["mentions"]}
    assert "Isis" not in isis_texts


# ------------------------------------------------------------------------------------------------ evidence


def _spans(analysis: dict[str, Any]) -> list[dict[str, Any]]:
    spans: list[dict[str, Any]] = []
    for entity in analysis["entities"]:
        spans.extend(entity["mentions"])
    for key in ("times", "places", "quotes", "attributions"):
        spans.extend(analysis[key])
    spans.extend(q["cue"] for q in analysis["quotes"] if q.get("cue"))
    for event in analysis["events"]:
        spans.append(event["evidence"])
        for fillers in event["roles"].values():
            spans.extend(fillers)
    return spans


@pytest.mark.parametrize("fixture", ["seed000", "seed002"])
def test_every_evidence_text_is_the_article_text_at_its_offsets(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    analysis = request.getfixturevalue(fixture)
    text = analysis["article"]["text"]
    spans = _spans(analysis)
    assert len(spans) > 50
    for span in spans:
        assert text[span["start"] : span["end"]] == span["text"]


def test_role_fillers_that_are_entities_exist_in_entities(
    seed000: dict[str, Any], seed002: dict[str, Any]
) -> None:
    for analysis in (seed000, seed002):
        known = {e["id"] for e in analysis["entities"]}
        used = {
            f["entity"]
            for ev in analysis["events"]
            for fs in ev["roles"].values()
            for f in fs
            if "entity" in f
        }
        assert used <= known


# ------------------------------------------------------------------------------------------------ golden


def _projection(analysis: dict[str, Any]) -> dict[str, Any]:
    """Everything but copied text: offsets, ids, values. Text at the offsets is checked by the property test."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "text"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    article = {k: v for k, v in analysis["article"].items() if k != "text"}
    return {
        "article": article,
        **{k: strip(v) for k, v in analysis.items() if k not in ("article", "schema")},
    }


@pytest.mark.parametrize(("fixture", "name"), [("seed000", "seed_000.json"), ("seed002", "seed_002.json")])
def test_golden_analysis(fixture: str, name: str, request: pytest.FixtureRequest) -> None:
    current = _projection(request.getfixturevalue(fixture))
    path = GOLDEN / name
    if os.environ.get("INCITEWATCH_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(current, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
        )
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert current == expected
