"""The learned role stage: candidates and offsets, case-blind features, no-op without a model or an attack."""

from __future__ import annotations

import pytest

from incitewatch.extract import incidents, roles
from incitewatch.pipeline import Pipeline, analyze_doc
from incitewatch.types import AnalyzedDoc, Article

ATTACK = (
    "Gunmen shot dead the mayor of a small river town, Ernesto Valdivia Ruiz, as he left the town hall on Sunday. "
    "Police said the attackers fired automatic rifles at his car before fleeing in a stolen truck. "
    "Nobody has claimed responsibility for the killing of Mr. Valdivia Ruiz."
)
QUIET = "The city council approved a new budget for the public library on Tuesday after a long debate."


def _rules_only(pipeline: Pipeline, text: str) -> tuple[AnalyzedDoc, object]:
    article = Article(id="t", text=text)
    spacy_doc = pipeline.nlp(text)
    return analyze_doc(article, spacy_doc, learned_roles=False), spacy_doc


def test_candidate_key_ignores_case_articles_and_punctuation() -> None:
    assert roles.candidate_key("The  Car-Bomb") == roles.candidate_key("the carbomb") == "carbomb"
    assert roles.candidate_key("A bus") == "bus"


def test_candidates_point_at_real_occurrences(pipeline: Pipeline) -> None:
    doc, spacy_doc = _rules_only(pipeline, ATTACK)
    candidates = roles.role_candidates(doc, spacy_doc)  # type: ignore[arg-type]
    assert candidates
    keys = {c.key for c in candidates}
    assert {"town hall", "car", "ernesto valdivia ruiz"} <= keys
    for candidate in candidates:
        for start, end in candidate.occurrences:
            assert roles.candidate_key(ATTACK[start:end]) == candidate.key


def test_word_features_are_lower_case_in_cased_text(pipeline: Pipeline) -> None:
    doc, spacy_doc = _rules_only(pipeline, ATTACK)
    candidates = roles.role_candidates(doc, spacy_doc)  # type: ignore[arg-type]
    assert candidates
    for candidate in candidates:
        words = [f for f in candidate.features if f.split("=", 1)[0] in ("w", "h", "f", "p1", "n1", "trigw")]
        assert all(f == f.lower() for f in words), candidate.features


def test_same_words_same_word_features_whatever_the_case(pipeline: Pipeline) -> None:
    cased, cased_doc = _rules_only(pipeline, ATTACK)
    lower, lower_doc = _rules_only(pipeline, ATTACK.lower())
    by_key = {c.key: c for c in roles.role_candidates(lower, lower_doc)}  # type: ignore[arg-type]
    shared = [c for c in roles.role_candidates(cased, cased_doc) if c.key in by_key]  # type: ignore[arg-type]
    assert shared
    for candidate in shared:
        other = by_key[candidate.key]
        assert {f for f in candidate.features if f.startswith("w=")} == {
            f for f in other.features if f.startswith("w=")
        }


def test_no_model_or_no_attack_changes_nothing(pipeline: Pipeline) -> None:
    doc, spacy_doc = _rules_only(pipeline, QUIET)
    assert not any(e.type == "attack" for e in doc.events)
    eager = roles.RoleModel(
        bias=dict.fromkeys(roles.ROLES, 5.0), weights={}, thresholds=dict.fromkeys(roles.ROLES, 0.1)
    )
    assert roles.add_learned_roles(doc, spacy_doc, eager) is doc.events  # type: ignore[arg-type]
    attack_doc, attack_spacy = _rules_only(pipeline, ATTACK)
    never = roles.RoleModel(
        bias=dict.fromkeys(roles.ROLES, -5.0), weights={}, thresholds=dict.fromkeys(roles.ROLES, 0.5)
    )
    assert roles.add_learned_roles(attack_doc, attack_spacy, never) == attack_doc.events  # type: ignore[arg-type]


def test_eager_model_adds_fillers_at_real_offsets(pipeline: Pipeline) -> None:
    doc, spacy_doc = _rules_only(pipeline, ATTACK)
    eager = roles.RoleModel(
        bias=dict.fromkeys(roles.ROLES, 5.0), weights={}, thresholds=dict.fromkeys(roles.ROLES, 0.1), max_per_role=3
    )
    events = roles.add_learned_roles(doc, spacy_doc, eager)  # type: ignore[arg-type]
    before = sum(len(f) for e in doc.events for f in e.roles.values())
    assert sum(len(f) for e in events for f in e.roles.values()) > before
    for event in events:
        for fillers in event.roles.values():
            for filler in fillers:
                assert ATTACK[filler.start : filler.end] == filler.text


def test_packaged_model_finds_victim_or_target_of_a_plain_attack(pipeline: Pipeline) -> None:
    if roles.role_model() is None:
        pytest.skip("no packaged role model")
    for text in (ATTACK, ATTACK.lower()):
        doc = pipeline.analyze_article(Article(id="t", text=text))
        attacks = [e for e in doc.events if e.type == "attack"]
        assert attacks
        found = {roles.candidate_key(f.text) for e in attacks for r in ("victim", "target") for f in e.roles.get(r, ())}
        assert found & {"ernesto valdivia ruiz", "car", "town hall", "mayor"}, found
        for event in doc.events:
            for fillers in event.roles.values():
                assert all(text[f.start : f.end] == f.text for f in fillers)


def test_pipeline_without_model_keeps_rule_events(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roles, "role_model", lambda: None)
    monkeypatch.setattr(incidents, "attack_focus_model", lambda: None)
    article = Article(id="t", text=ATTACK)
    spacy_doc = pipeline.nlp(ATTACK)
    assert analyze_doc(article, spacy_doc) == analyze_doc(article, spacy_doc, learned_roles=False)
    assert analyze_doc(article, spacy_doc).events
