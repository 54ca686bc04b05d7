"""GTT template-filling metric: unit behaviour and reproduction of published MUC-4 test scores."""

from __future__ import annotations

import pytest

from incitewatch.evaluation import PredictedTemplate
from incitewatch.evaluation.gtt import normalize_mention, score_document, score_gtt, template_credit
from incitewatch.evaluation.muc4 import (
    gold_by_doc,
    load_gtt_predictions,
    load_iterx_predictions,
    load_muc4,
    raw_doc_id,
)
from tests.shared_paths import SHARED_DATA

MUC4 = SHARED_DATA / "muc4"


def template(kind: str, **roles: list[list[str]]) -> PredictedTemplate:
    return PredictedTemplate(
        kind, {role: tuple(tuple(e) for e in entities) for role, entities in roles.items()}
    )


def test_normalisation_drops_case_punctuation_and_articles() -> None:
    assert normalize_mention("The  F.M.L.N.'s guerrillas") == "fmlns guerrillas"
    assert normalize_mention("an attack on a bus") == "attack on bus"
    assert normalize_mention("theatre") == "theatre"  # articles only as whole words


def test_coreferent_gold_mention_counts_and_type_substring_aligns() -> None:
    gold = [template("attack / bombing", PerpOrg=[["farabundo marti front", "the fmln"]], Victim=[["mayor"]])]
    predicted = [template("attack", PerpOrg=[["FMLN"]], Victim=[["governor"]])]
    counts = score_document(predicted, gold)
    assert (counts["incident_type"].p_num, counts["incident_type"].r_num) == (1, 1)
    assert (counts["PerpOrg"].p_num, counts["PerpOrg"].p_den, counts["PerpOrg"].r_num) == (1, 1, 1)
    assert (counts["Victim"].p_num, counts["Victim"].p_den, counts["Victim"].r_den) == (0, 1, 1)


def test_incompatible_type_leaves_fillers_unmatched() -> None:
    gold = [template("kidnapping", Victim=[["mayor"]])]
    counts = score_document([template("arson", Victim=[["mayor"]])], gold)
    assert counts["Victim"].p_num == 0 and counts["Victim"].p_den == 1 and counts["Victim"].r_den == 1
    assert counts["incident_type"].p_den == 1 and counts["incident_type"].r_num == 0


def test_best_alignment_is_chosen_over_enumeration_order() -> None:
    gold = [template("attack", Victim=[["priest"]]), template("attack", Victim=[["judge"]])]
    predicted = [template("attack", Victim=[["judge"]]), template("attack", Victim=[["priest"]])]
    score = score_gtt({"d": predicted}, {"d": gold})
    assert score.micro.f1 == pytest.approx(1.0)


def test_template_credit_follows_the_best_alignment() -> None:
    gold = [template("attack", Victim=[["priest"]], Target=[["bus"]]), template("kidnapping", Victim=[["judge"]])]
    predicted = [
        template("kidnapping", Victim=[["judge"]], PerpInd=[["gunmen"]]),  # type, judge: 2 of 3
        template("arson", Target=[["bus"]]),  # no gold arson: nothing credited
        template("attack", Victim=[["priest"], ["mayor"]], Target=[["bus"]]),  # type, priest, bus: 3 of 4
    ]
    assert template_credit(predicted, gold) == [(2, 3), (0, 2), (3, 4)]
    assert template_credit(predicted, []) == [(0, 3), (0, 2), (0, 4)]


def test_missing_document_prediction_counts_as_no_templates() -> None:
    gold = {"d": [template("robbery", Target=[["bank"]])]}
    score = score_gtt({}, gold)
    assert score.micro.r_den == 2 and score.micro.p_den == 0 and score.micro.f1 == 0


def test_raw_doc_id_round_trip() -> None:
    assert raw_doc_id("30001") == "TST3-MUC4-0001"
    assert raw_doc_id("40100") == "TST4-MUC4-0100"
    with pytest.raises(ValueError):
        raw_doc_id("10001")


@pytest.fixture(scope="module")
def muc4_gold() -> dict[str, list[PredictedTemplate]]:
    if not MUC4.is_dir():
        pytest.skip(f"shared MUC-4 data not found at {MUC4}")
    return gold_by_doc(load_muc4(MUC4, "test"))


@pytest.mark.shared_data
def test_gold_preparation_matches_gtt(muc4_gold: dict[str, list[PredictedTemplate]]) -> None:
    assert len(muc4_gold) == 200
    assert sum(len(t) for t in muc4_gold.values()) == 201  # 209 minus GTT's duplicate removal


@pytest.mark.shared_data
def test_reproduces_published_gtt_score(muc4_gold: dict[str, list[PredictedTemplate]]) -> None:
    predictions = load_gtt_predictions(MUC4 / "reference_outputs" / "gtt" / "preds_gtt.out")
    score = score_gtt(predictions, muc4_gold)
    micro = score.micro
    # Published GTT test result: P 61.7 / R 42.4 / F1 50.2; exact counts from the repo's own eval.py.
    assert (micro.p_num, micro.p_den, micro.r_num, micro.r_den) == (343, 556, 344, 812)
    assert 100 * micro.f1 == pytest.approx(50.23, abs=0.01)
    assert 100 * micro.precision == pytest.approx(61.7, abs=0.5)
    assert 100 * micro.recall == pytest.approx(42.4, abs=0.5)
    weapon = score.per_key["Weapon"]
    assert (weapon.p_num, weapon.p_den, weapon.r_num, weapon.r_den) == (38, 62, 39, 67)


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("encoder", "expected_f1"),
    [("t5-large-enc", 53.01), ("bart-large", 52.25), ("bert-base", 51.67), ("bart-base", 47.64)],
)
def test_reproduces_iterx_gtt_metric(
    muc4_gold: dict[str, list[PredictedTemplate]], encoder: str, expected_f1: float
) -> None:
    path = MUC4 / "reference_outputs" / "iterx" / encoder / "raw" / "preds.test.jsonlines"
    score = score_gtt(load_iterx_predictions(path), muc4_gold)
    assert 100 * score.micro.f1 == pytest.approx(expected_f1, abs=0.01)
