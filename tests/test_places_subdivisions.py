"""First-level ISO 3166-2 subdivisions: found when named as such or when the document's country supports them,
never at the expense of a same-named country, region or city."""

from __future__ import annotations

import pytest

from incitewatch.extract.places import extract_places, resolve_toponym
from incitewatch.types import Place


def _found(text: str) -> dict[str, Place]:
    return {place.text: place for place in extract_places(text, None)}


@pytest.mark.parametrize(
    ("text", "surface", "entity_id"),
    [
        ("Gunmen attacked a village in Zamfara state, killing 30 people.", "Zamfara state", "place:iso:NG-ZA"),
        ("A bomb exploded in Diyala province.", "Diyala province", "place:iso:IQ-DI"),
        ("Al-Shabaab attacked a base in Lower Shabelle region.", "Lower Shabelle region", "place:iso:SO-SH"),
        ("Jihadists killed 12 soldiers in the Tillaberi region.", "Tillaberi region", "place:iso:NE-6"),
        ("The attack in Salahuddin province killed four soldiers.", "Salahuddin province", "place:iso:IQ-SD"),
        ("Police in Punjab province arrested two men.", "Punjab province", "place:iso:PK-PB"),
        ("Fighting continued in Darfur.", "Darfur", "place:region:darfur"),
        ("Kano state officials met in Kano.", "Kano state", "place:iso:NG-KN"),
    ],
)
def test_named_subdivisions_are_found_without_context(text: str, surface: str, entity_id: str) -> None:
    found = _found(text)
    assert surface in found, sorted(found)
    assert found[surface].entity_id == entity_id and found[surface].kind in {"admin", "region"}


def test_bare_subdivision_needs_its_country_in_context() -> None:
    assert _found("Iraqi forces raided a village in Diyala, Iraq.")["Diyala"].entity_id == "place:iso:IQ-DI"
    assert "Diyala" not in _found("Forces raided a village in Diyala.")  # the scan alone is strict
    pakistan = _found("Police in Punjab arrested two men, Pakistan said.")
    india = _found("Police in Punjab arrested two men, India said.")
    assert (pakistan["Punjab"].country, india["Punjab"].country) == ("PK", "IN")
    assert resolve_toponym("Punjab") is None  # India or Pakistan: nothing says which


def test_points_come_from_data() -> None:
    kano = _found("Kano state officials met in Kano.")
    assert kano["Kano state"].lat == kano["Kano"].lat  # the same-named city of the same country
    darfur = resolve_toponym("Darfur")
    assert darfur is not None and (darfur.lat, darfur.lon, darfur.geonames_id) == (13.0, 25.0, 376731)


@pytest.mark.parametrize(
    ("text", "surface", "entity_id"),
    [
        ("He studied in Bari, Italy.", "Bari", "place:geonames:3182351"),  # not the Somali region
        ("Israeli strikes hit Gaza on Monday.", "Gaza", "place:geonames:281133"),  # not Mozambique's province
        ("Bomb in Kabul. Afghanistan mourned.", "Kabul", "place:geonames:1138958"),  # the city, not the province
        ("Flights from Lagos to Abuja resumed in Nigeria.", "Lagos", "place:geonames:2332459"),
        ("Attack in Idlib, Syria.", "Idlib", "place:geonames:169389"),
        ("The junta in Niger met, Nigeria said.", "Niger", "place:geonames:2440476"),  # not the Nigerian state
        ("The Sahel is in crisis, Burkina Faso said.", "Sahel", "place:region:sahel"),  # not BF's Sahel region
    ],
)
def test_same_named_country_region_or_city_wins(text: str, surface: str, entity_id: str) -> None:
    assert _found(text)[surface].entity_id == entity_id


@pytest.mark.parametrize(
    "text",
    [
        "Ships in the Red Sea were attacked near Sudan.",
        "The delta flooded and the plateau was quiet in Nigeria; the rivers rose.",
        "Burkina Faso: the Centre was calm and Nord was quiet; the Est too.",
        "Somali forces said the bay was calm.",
        "National unity matters in South Sudan.",
        "He flew Delta Air Lines.",
    ],
)
def test_common_words_are_not_subdivisions(text: str) -> None:
    assert not [place for place in extract_places(text, None) if place.entity_id.startswith("place:iso:")]


def test_generic_names_need_a_capitalised_suffix_and_their_country() -> None:
    assert _found("Militants attacked Delta State oil facilities, Nigeria said.")["Delta State"].country == "NG"
    assert _found("Rivers State police in Nigeria said so.")["Rivers State"].entity_id == "place:iso:NG-RI"
    assert "Plateau State" not in _found("Plateau State is a band.")  # no Nigeria in the text
    assert "Red Sea state" not in _found("Sudan's Red Sea state is calm.")
    assert "Northern Region" not in _found("The Northern Region was calm.")  # Ghana, Sudan, ...: which one?


def test_suffixed_name_in_context_beats_a_foreign_city() -> None:
    found = _found("Insurgents attacked Gaza province, Mozambique said.")
    assert found["Gaza province"].entity_id == "place:iso:MZ-G"
    assert _found("Al-Shabaab fighters in Bari, Somalia.")["Bari"].entity_id == "place:iso:SO-BR"
