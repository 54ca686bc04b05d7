"""The learned attack focus: features read off the record, a model that ranks, the MUC-4 mapping's cut."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from incitewatch.evaluation.mapping import muc4_incidents, muc4_templates
from incitewatch.extract import incidents
from incitewatch.pipeline import Pipeline
from incitewatch.serialize import analysis_from_dict, analysis_to_dict
from incitewatch.summary import render_summary
from incitewatch.types import AnalyzedDoc, Article, Event, RoleFiller, Span

SPECIFIC = (
    "Gunmen shot dead the mayor of a small river town, Ernesto Valdivia Ruiz, in Cartagena yesterday. "
    "Police said the attackers fired automatic rifles at his car before fleeing in a stolen truck."
)
# Attacks told of in passing: a tally over years, a retelling from a memoir.
PASSING = (
    "Guerrillas have carried out dozens of attacks on power lines over the past decade, the report said.",
    "In 1985 a bomb exploded at a market in the capital, a retired general recalled in his memoirs, which will be "
    "published next year.",
)


def _attack(text: str, start: int, end: int, **roles: tuple[RoleFiller, ...]) -> Event:
    return Event(id=f"a{start}", type="attack", evidence=Span(start, end, text[start:end]), roles=roles)


def _filler(text: str, phrase: str, entity: str | None = None) -> RoleFiller:
    start = text.index(phrase)
    return RoleFiller(start, start + len(phrase), phrase, entity=entity)


def test_features_read_roles_place_and_words_of_the_evidence() -> None:
    text = "Rebels bombed a bus in Lima yesterday. Officials fear they could attack again."
    first = _attack(text, 0, 38, place=(_filler(text, "Lima", "place:1"),), target=(_filler(text, "a bus"),))
    second = _attack(text, 39, len(text))
    doc = AnalyzedDoc(Article(id="f", text=text), events=(first, second))
    specific, hypothetical = (incidents.attack_features(e, doc) for e in doc.events)
    assert specific["n_place"] > 0 and specific["n_target"] > 0 and hypothetical["n_place"] == 0
    assert specific["cue=recent"] == 1.0 and specific["cue=modal"] == 0.0
    assert hypothetical["cue=modal"] == 1.0 and hypothetical["cue=recent"] == 0.0
    assert specific["in_opening"] == 1.0 and specific["position"] < hypothetical["position"]
    assert specific["article_attacks"] == hypothetical["article_attacks"] > 0
    assert specific["word=bombed"] == 1.0


def test_score_attacks_sets_the_model_probability_on_attacks_only() -> None:
    text = "Rebels bombed a bus in Lima yesterday. Rebels could attack again."
    attacks = (_attack(text, 0, 38), _attack(text, 39, len(text)))
    arrest = Event(id="r", type="arrest", evidence=Span(0, 6, "Rebels"), roles={}, confidence=0.77)
    doc = AnalyzedDoc(Article(id="s", text=text), events=(*attacks, arrest))
    model = incidents.AttackFocusModel(bias=0.0, weights={"cue=modal": -3.0, "cue=recent": 2.0}, muc4_threshold=0.5)
    scored = incidents.score_attacks(doc, model)
    assert scored[0].focus == pytest.approx(0.881, abs=1e-3)  # sigmoid(2)
    assert scored[1].focus == pytest.approx(0.047, abs=1e-3)  # sigmoid(-3)
    # The rules' confidence is not the model's to change.
    assert [e.confidence for e in scored[:2]] == [e.confidence for e in attacks]
    assert scored[2] == arrest
    quiet = AnalyzedDoc(Article(id="q", text=text), events=(arrest,))
    assert incidents.score_attacks(quiet, model) is quiet.events


def test_packaged_model_is_found_and_parsed() -> None:
    model = incidents.attack_focus_model()
    assert model is not None
    assert 0.0 < model.muc4_threshold < 1.0
    assert model.weights and all(isinstance(w, float) for w in model.weights.values())


def test_packaged_model_trusts_a_fresh_report_over_attacks_told_in_passing(pipeline: Pipeline) -> None:
    (fresh,) = [e.focus for e in pipeline.analyze_text(SPECIFIC).events if e.type == "attack"]
    for text in PASSING:
        (passing,) = [e.focus for e in pipeline.analyze_text(text).events if e.type == "attack"]
        assert fresh is not None and passing is not None and fresh > passing, text


def test_an_attack_dated_long_before_publication_is_one_the_report_looks_back_on(pipeline: Pipeline) -> None:
    text = "Senator Ana Ruiz, who was kidnapped in 1990, spoke to reporters in Bogota today about the peace talks."
    (undated,) = [e.focus for e in pipeline.analyze_text(text).events if e.type == "attack"]
    (published,) = [
        e.focus for e in pipeline.analyze_text(text, published=date(2024, 5, 7)).events if e.type == "attack"
    ]
    assert undated is not None and undated > 0.2
    assert published == 0.2
    # An attack of last month's end is no look back; one of the same week neither.
    recent = "Gunmen attacked a church in Kaduna on 28 February, killing five worshippers."
    (fresh,) = [e for e in pipeline.analyze_text(recent, published=date(2025, 3, 2)).events if e.type == "attack"]
    assert fresh.time == "2025-02-28" and fresh.focus is not None and fresh.focus > 0.2


def test_muc4_mapping_keeps_an_incident_if_any_of_its_records_is_confident() -> None:
    text = "Rebels bombed a bus in Lima. The bombing in Lima killed two. Rebels burned a farm in Cusco."
    lima = _filler(text, "Lima", "place:lima")
    cusco = _filler(text, "Cusco", "place:cusco")
    bombing = _attack(text, 0, 28, place=(lima,))
    retold = _attack(text, 29, 60, place=(replace(lima, start=text.index("Lima", 30), end=text.index("Lima", 30) + 4),))
    arson = _attack(text, 61, len(text), place=(cusco,))
    doc = AnalyzedDoc(
        Article(id="m", text=text),
        events=(replace(bombing, focus=0.2), replace(retold, focus=0.6), replace(arson, focus=0.3)),
    )
    assert [len(records) for _, records in muc4_incidents(doc)] == [2, 1]
    assert [t.incident_type for t in muc4_templates(doc, keep_at=0.5)] == ["bombing"]
    assert len(muc4_templates(doc, keep_at=0.0)) == 2
    assert muc4_templates(doc, keep_at=0.7) == []
    # Records no model scored are kept.
    unscored = replace(doc, events=tuple(replace(e, focus=None) for e in doc.events))
    assert len(muc4_templates(unscored, keep_at=0.7)) == 2


def test_focus_survives_the_json_round_trip_and_shows_in_the_summary(pipeline: Pipeline) -> None:
    analysed = pipeline.analyze_text(SPECIFIC)
    (attack,) = [e for e in analysed.events if e.type == "attack"]
    assert attack.focus is not None
    back = analysis_from_dict(json.loads(json.dumps(analysis_to_dict(analysed))))
    assert back.events == analysed.events
    assert f"focus {attack.focus:.2f}" in render_summary(analysed)
    # An analysis stored before focus existed reads back with none.
    stored = analysis_to_dict(analysed)
    for event in stored["events"]:
        del event["focus"]
    assert all(e.focus is None for e in analysis_from_dict(stored).events)
    assert "focus" not in render_summary(analysis_from_dict(stored))
