"""Property: every annotation's ``text`` is the article text at its offsets, whatever the input looks like."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incitewatch.pipeline import Pipeline
from incitewatch.serialize import analysis_to_dict

# Fragments written for this test: names with particles, quotes, dates, places, counts, hedges, odd spacing.
FRAGMENTS = [
    "An audio message attributed to Abu Omar al-Muhajir was posted on Telegram on Monday.",
    "“Strike them with knives,” the spokesman said.",
    "The bombing in Kabul killed 12 people and wounded 30, according to Reuters.",
    "ISIS-K claimed the attack, but the claim could not be independently verified.",
    "Police in Mosul arrested two men last month.",
    "The group urged followers in Europe to act during Ramadan.",
    "Hay'at Tahrir al-Sham controls Idlib.",
    "  Extra   spaces\tand tabs  ",
    "Émigrés in Zürich read the Mail’s report.",
    "THE ARMY SAID GUERRILLAS ATTACKED A POWER STATION IN SAN SALVADOR.",
    "the death toll rose to 17 on sunday.",
    "Abi al-Hassan al-Muhajer's voice appears on the recording.",
    "A report in the Mirror stated that Daesh released a video.",
    "\u200bZero-width\u200b characters and emoji 🙂 appear here.",
]


def _spans(analysis: dict[str, Any]) -> list[dict[str, Any]]:
    spans: list[dict[str, Any]] = [m for e in analysis["entities"] for m in e["mentions"]]
    for key in ("times", "places", "quotes", "attributions"):
        spans.extend(analysis[key])
    for event in analysis["events"]:
        spans.append(event["evidence"])
        spans.extend(f for fillers in event["roles"].values() for f in fillers)
    return spans


texts = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8).flatmap(
    lambda parts: st.lists(st.sampled_from([" ", "\n", "\n\n", "  "]), min_size=len(parts), max_size=len(parts)).map(
        lambda seps: "".join(p + s for p, s in zip(parts, seps, strict=True))
    )
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
def test_offsets_hold_for_generated_reports(pipeline: Pipeline, text: str) -> None:
    analysis = analysis_to_dict(pipeline.analyze_text(text))
    article_text = analysis["article"]["text"]
    for span in _spans(analysis):
        assert 0 <= span["start"] <= span["end"] <= len(article_text)
        assert article_text[span["start"] : span["end"]] == span["text"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
def test_offsets_hold_without_the_model(rules_pipeline: Pipeline, text: str) -> None:
    analysis = analysis_to_dict(rules_pipeline.analyze_text(text))
    article_text = analysis["article"]["text"]
    for span in _spans(analysis):
        assert article_text[span["start"] : span["end"]] == span["text"]
