"""TempEval-3 timex scorer and platinum reader."""

from __future__ import annotations

import pytest

from incitewatch.evaluation import PredictedTimex
from incitewatch.evaluation.tempeval3 import GoldTimex, TimexDocument, load_tempeval3, read_tml
from incitewatch.evaluation.timex import score_timexes
from tests.shared_paths import SHARED_DATA

PLATINUM = SHARED_DATA / "tempeval3-platinum"

TEXT = "Talks resumed on Monday morning and will last two weeks, officials said in March."
DOC = TimexDocument(
    doc_id="toy",
    text=TEXT,
    dct="2024-03-20",
    timexes=(
        GoldTimex("t1", 17, 31, "Monday morning", "TIME", "2024-03-18TMO"),
        GoldTimex("t2", 47, 56, "two weeks", "DURATION", "P2W"),
        GoldTimex("t3", 77, 82, "March", "DATE", "2024-03"),
    ),
)


def timex(start: int, end: int, kind: str, value: str) -> PredictedTimex:
    return PredictedTimex("toy", start, end, kind, value)


def test_strict_relaxed_and_attribute_f1() -> None:
    predictions = [
        timex(17, 23, "DATE", "2024-03-18"),  # "Monday": relaxed only, wrong type and value
        timex(47, 56, "DURATION", "P2W"),  # exact
        timex(0, 5, "DATE", "XXXX"),  # spurious
    ]
    score = score_timexes(predictions, [DOC])
    assert (score.system, score.gold, score.strict, score.relaxed) == (3, 3, 1, 2)
    assert score.strict_f1 == pytest.approx(1 / 3)
    assert score.relaxed_f1 == pytest.approx(2 / 3)
    assert score.value_f1 == pytest.approx(0.5 * 2 / 3)
    assert score.type_f1 == pytest.approx(0.5 * 2 / 3)


def test_one_system_timex_pairs_with_one_gold_only() -> None:
    score = score_timexes([timex(17, 56, "DATE", "x")], [DOC])
    assert score.relaxed == 1 and score.strict == 0


def test_predictions_for_other_documents_are_ignored() -> None:
    score = score_timexes([PredictedTimex("other", 17, 31, "TIME", "2024-03-18TMO")], [DOC])
    assert score.system == 0 and score.relaxed_f1 == 0.0


@pytest.fixture(scope="module")
def platinum() -> list[TimexDocument]:
    if not PLATINUM.is_dir():
        pytest.skip(f"shared TempEval-3 data not found at {PLATINUM}")
    return load_tempeval3(PLATINUM)


@pytest.mark.shared_data
def test_platinum_reader_counts_and_offsets(platinum: list[TimexDocument]) -> None:
    assert len(platinum) == 20
    assert sum(len(d.timexes) for d in platinum) == 138  # 158 TIMEX3 minus the 20 DCTs
    for document in platinum:
        assert document.dct
        for gold in document.timexes:
            assert document.text[gold.start : gold.end] == gold.text


@pytest.mark.shared_data
def test_platinum_text_equals_system_input(platinum: list[TimexDocument]) -> None:
    source = read_tml(PLATINUM / "input" / "AP_20130322.tml.TE3input")
    gold = next(d for d in platinum if d.doc_id == "AP_20130322")
    assert source.text == gold.text and source.timexes == ()


@pytest.mark.shared_data
def test_gold_scored_as_system_is_perfect(platinum: list[TimexDocument]) -> None:
    predictions = [
        PredictedTimex(d.doc_id, t.start, t.end, t.type, t.value) for d in platinum for t in d.timexes
    ]
    score = score_timexes(predictions, platinum)
    assert score.strict_f1 == score.value_f1 == score.type_f1 == 1.0
