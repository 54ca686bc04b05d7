"""Triage: the fast keyword pass that decides which texts are about political violence at all."""

from __future__ import annotations

import json
import math
import time
from importlib import resources

import pytest

from incitewatch.ingest.triage import TriageScorer, load_lexicon, parse_lexicon, triage
from tests.shared_paths import SHARED_DATA as DATA

ATTACK_REPORT = (
    "Gunmen from an insurgent faction detonated a car bomb outside the provincial police headquarters on "
    "Tuesday, killing four officers. The group later claimed responsibility for the attack in a statement "
    "posted on its propaganda channel, calling on supporters to carry out further bombings."
)
LOCAL_NEWS = (
    "The county fair opens on Friday with a pie contest, a tractor parade and a new petting zoo. Organisers "
    "expect record crowds after the council approved extra parking near the river. Tickets are on sale at "
    "the library and online, and children under five get in free."
)
MEDICAL_NEWS = (
    "A retired teacher who suffered a heart attack while jogging was saved by two passers-by trained in CPR. "
    "Doctors at the regional hospital said the quick response made all the difference, and the council now "
    "plans to install more defibrillators in parks."
)


@pytest.fixture(scope="module")
def scorer() -> TriageScorer:
    return TriageScorer()


def test_attack_report_is_relevant_and_reason_names_terms(scorer: TriageScorer) -> None:
    result = scorer.score(ATTACK_REPORT)
    assert result.relevant
    assert result.reason.startswith("relevant:")
    assert "car bomb" in result.top_terms or "insurgent" in result.top_terms


def test_everyday_news_is_not_relevant(scorer: TriageScorer) -> None:
    for text in (LOCAL_NEWS, MEDICAL_NEWS):
        result = scorer.score(text)
        assert not result.relevant, result.reason
        assert result.reason.startswith("not relevant:")


def test_scoring_ignores_case(scorer: TriageScorer) -> None:
    base = scorer.score(ATTACK_REPORT).score
    assert scorer.score(ATTACK_REPORT.lower()).score == pytest.approx(base)
    assert scorer.score(ATTACK_REPORT.upper()).score == pytest.approx(base)


def test_prefix_terms_phrases_and_count_cap() -> None:
    lexicon = parse_lexicon(
        {
            "threshold": 5,
            "max_count": 2,
            "terms": {"terror*": 2.0, "attack": 1.0},
            "phrases": {"heart attack": -1.0},
        }
    )
    scorer = TriageScorer(lexicon)
    # "terror*" occurs three times, capped at two: the cap is per term, across its word forms.
    assert scorer.score("terrorists terrorism terror").score == pytest.approx(4.0)
    assert scorer.score("attack attack attack attack").score == pytest.approx(2.0)  # capped at 2
    assert scorer.score("a heart attack").score == pytest.approx(0.0)  # the phrase cancels the word
    assert not scorer.score("nothing to see").top_terms


def test_empty_text_is_not_relevant() -> None:
    result = triage("")
    assert not result.relevant and not result.top_terms


def test_log_saturation_and_length_floor() -> None:
    lexicon = parse_lexicon(
        {
            "threshold": 0,
            "max_count": 20,
            "saturation": "log",
            "length_weight": -1.0,
            "length_floor": 10,
            "terms": {"bomb": 2.0},
        }
    )
    scorer = TriageScorer(lexicon)
    floor = math.log1p(10)
    # Repeats add less and less: one mention is worth 2*log(2), three 2*log(4), not three times as much.
    assert scorer.score("bomb").score == pytest.approx(2 * math.log(2) - floor)
    assert scorer.score("bomb bomb bomb").score == pytest.approx(2 * math.log(4) - floor)
    # Texts shorter than the floor count as that long: brevity alone earns nothing.
    assert scorer.score("a b c").score == pytest.approx(-floor)
    long_text = "bomb " + "word " * 29
    assert scorer.score(long_text).score == pytest.approx(2 * math.log(2) - math.log1p(30))


def test_lexicon_rejects_unknown_saturation() -> None:
    with pytest.raises(ValueError, match="saturation"):
        parse_lexicon({"threshold": 1, "max_count": 3, "saturation": "sqrt", "terms": {}})


def test_resources_name_sources_and_reasons() -> None:
    folder = resources.files("incitewatch.resources")
    lexicon = json.loads(folder.joinpath("triage_lexicon.json").read_text(encoding="utf-8"))
    exclusions = json.loads(folder.joinpath("triage_news_exclusions.json").read_text(encoding="utf-8"))
    assert lexicon["sources"] and exclusions["sources"]
    assert load_lexicon().threshold == lexicon["threshold"]
    reasons = exclusions["political_violence"]
    assert reasons
    assert all(key.split(":")[0] in {"lgl", "trnews", "gwn"} and text for key, text in reasons.items())


def test_throughput_is_far_above_firehose_needs(scorer: TriageScorer) -> None:
    # The target is 200,000 words/s on one core; assert a quarter of it so a busy shared machine cannot flake.
    text = " ".join([LOCAL_NEWS, MEDICAL_NEWS, ATTACK_REPORT] * 40)
    words = len(text.split())
    started = time.perf_counter()
    repeats = 20
    for _ in range(repeats):
        scorer.score(text)
    elapsed = time.perf_counter() - started
    assert words * repeats / elapsed > 50_000




def test_recall_and_false_positives_on_real_corpora(scorer: TriageScorer) -> None:
    """Regression guard for the numbers scripts/triage_eval.py reports (MUC-4 dev; all everyday news)."""
    if not (DATA / "muc4" / "processed").is_dir() or not (DATA / "geoparsing").is_dir():
        pytest.skip("shared evaluation data not present")
    from incitewatch.evaluation.geoparsing import load_geoparsing
    from incitewatch.evaluation.muc4 import load_muc4

    relevant = [d.text for d in load_muc4(DATA / "muc4", "dev") if d.templates]
    recall = sum(scorer.score(text).relevant for text in relevant) / len(relevant)
    folder = resources.files("incitewatch.resources")
    excluded = json.loads(folder.joinpath("triage_news_exclusions.json").read_text(encoding="utf-8"))
    news = [
        d.text
        for corpus in ("lgl", "trnews", "gwn")
        for d in load_geoparsing(DATA / "geoparsing", corpus)
        if f"{corpus}:{d.doc_id}" not in excluded["political_violence"]
    ]
    false_positive_rate = sum(scorer.score(text).relevant for text in news) / len(news)
    assert recall >= 0.97
    assert false_positive_rate <= 0.03
