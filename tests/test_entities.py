"""Entities with canonical ids: the resources, the ruler patterns, span repair, partial names and roles."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from spacy.language import Language
from spacy.tokens import Doc, Span

from incitewatch.extract.entities import extract_entities, is_listed, known_person_id, ruler_patterns
from incitewatch.nlp import build_nlp
from incitewatch.resources import (
    groups_by_id,
    load_groups,
    load_persons,
    persons_by_id,
    refresh_groups_from_designations,
    resource_sources,
)
from incitewatch.types import Entity
from tests.annotations import seed
from tests.shared_paths import DESIGNATIONS


@pytest.fixture(scope="module")
def nlp() -> Iterator[Language]:
    yield build_nlp()


def entities_of(nlp: Language, text: str) -> tuple[Entity, ...]:
    found = extract_entities(text, nlp(text))
    for entity in found:
        for mention in entity.mentions:
            assert text[mention.start : mention.end] == mention.text
    return found


def by_id(entities: tuple[Entity, ...], entity_id: str) -> Entity:
    matches = [e for e in entities if e.id == entity_id]
    assert len(matches) == 1, (entity_id, [e.id for e in entities])
    return matches[0]


def mention_texts(entities: tuple[Entity, ...], entity_id: str) -> list[str]:
    return [m.text for m in by_id(entities, entity_id).mentions]


# ------------------------------------------------------------------------------------------------ resources


def test_group_resource_shape() -> None:
    groups = load_groups()
    assert len(groups) >= 60
    ids = [g.id for g in groups]
    assert len(ids) == len(set(ids))
    assert all(g.id.startswith("group:") and g.id == g.id.lower() for g in groups)
    assert all(g.parent is None or g.parent in groups_by_id() for g in groups)
    assert groups_by_id()["group:islamic-state-khorasan"].parent == "group:islamic-state"
    assert groups_by_id()["group:islamic-state-west-africa"].parent == "group:islamic-state"
    assert groups_by_id()["group:boko-haram"].parent is None
    hts = groups_by_id()["group:hayat-tahrir-al-sham"]
    assert "Jabhat al-Nusra" in hts.all_names
    assert any(h.name == "Jabhat al-Nusra" and h.valid_to for h in hts.name_history)
    assert any(d.list == "CA-listed" for d in groups_by_id()["group:proud-boys"].designations)
    assert "US Department of State, Foreign Terrorist Organizations list" in resource_sources()["groups.json"]


def test_person_resource_shape() -> None:
    persons = load_persons()
    assert len({p.id for p in persons}) == len(persons)
    for person in persons:
        for role in person.roles:
            assert role.group is None or role.group in groups_by_id(), (person.id, role.group)
    spokesmen = [
        p.id for p in persons for r in p.roles if r.role == "spokesman" and r.group == "group:islamic-state"
    ]
    assert "person:abu-hudhayfah-al-ansari" in spokesmen
    assert "person:abu-omar-al-muhajir" in spokesmen
    assert persons_by_id()["person:abu-omar-al-baghdadi"].roles[0].valid_to == "2010-04-18"
    assert resource_sources()["persons.json"]


def test_known_person_lookup_by_variant() -> None:
    assert known_person_id("Abi al-Hassan al-Muhajer") == "person:abu-al-hassan-al-muhajir"
    assert known_person_id("Huthaifa al-Ansari") == "person:abu-hudhayfah-al-ansari"
    assert known_person_id("Baghdadi") is None  # ambiguous between two listed leaders
    assert known_person_id("al-Adnani", allow_partial=True) == "person:abu-muhammad-al-adnani"
    assert known_person_id("al-Adnani") is None
    assert known_person_id("Zawahiri", allow_partial=True) == "person:ayman-al-zawahiri"
    assert known_person_id("Omar", allow_partial=True) is None
    assert is_listed("person:abu-omar-al-muhajir") and is_listed("group:taliban")
    assert not is_listed("person:khuram-butt")
    assert known_person_id("Omar") is None  # "Mullah Omar" is listed, but a lone "Omar" is anybody


@pytest.mark.shared_data
def test_refresh_from_ofac_adds_aliases_and_reports_collisions() -> None:
    if not (DESIGNATIONS / "ofac_sdn" / "sdn.csv").exists():
        pytest.skip("designation data absent")
    report = refresh_groups_from_designations(DESIGNATIONS / "ofac_sdn")
    assert report.changed
    assert "OFAC:8759" in report.matched["group:islamic-state"]
    assert any("Qassim" in alias for alias in report.added["group:hamas"])
    # "Ansar Allah" is listed under Hizballah but is our Houthi alias: reported, not moved.
    assert any(s.startswith("Ansar Allah") for s in report.skipped["group:hezbollah"])
    # Media arms are not group aliases.
    assert not any("Amaq" in a for a in report.added.get("group:islamic-state", ()))
    refreshed = {g.id: g for g in report.groups}
    assert set(report.added["group:hamas"]) <= set(refreshed["group:hamas"].aliases)
    assert load_groups() != report.groups  # the packaged data is untouched


@pytest.mark.shared_data
def test_refresh_from_un_list() -> None:
    xml = DESIGNATIONS / "un_consolidated" / "consolidated.xml"
    if not xml.exists():
        pytest.skip("designation data absent")
    report = refresh_groups_from_designations(xml)
    assert "UN:QDe.115" in report.matched["group:islamic-state"]
    assert "UN:QDe.129" in report.matched["group:aqap"]


# ------------------------------------------------------------------------------------------------ patterns


def test_short_aliases_are_case_sensitive_token_patterns() -> None:
    patterns = ruler_patterns()
    phrase_texts = {p["pattern"].lower() for p in patterns if isinstance(p["pattern"], str)}
    assert "is" not in phrase_texts
    assert "the base" not in phrase_texts
    assert {"label": "ORG", "pattern": [{"ORTH": "IS"}], "id": "group:islamic-state"} in patterns
    assert any(p["label"] == "GPE" and p["pattern"] == "Tal Afar" for p in patterns)
    assert ruler_patterns() == patterns  # built once, same result each call


def test_verb_is_never_a_group(nlp: Language) -> None:
    text = "The Islamic State (IS) said the attack is over. It is unclear who is next, the IS statement said."
    found = entities_of(nlp, text)
    assert mention_texts(found, "group:islamic-state") == ["Islamic State", "IS", "IS"]


def test_all_capitals_text_keeps_acronyms_but_not_the_word_is(nlp: Language) -> None:
    text = "THE FMLN IS RESPONSIBLE FOR THE BOMBING IN SAN SALVADOR, THE ARMY SAID ON MONDAY."
    found = entities_of(nlp, text)
    assert by_id(found, "group:fmln").mentions[0].text == "FMLN"
    assert not [e for e in found if e.id == "group:islamic-state"]


def test_long_aliases_match_in_any_case(nlp: Language) -> None:
    text = (
        "police said fighters loyal to the islamic state and to AL-QAEDA IN THE ARABIAN PENINSULA were held."
    )
    found = entities_of(nlp, text)
    assert mention_texts(found, "group:islamic-state") == ["islamic state"]
    assert mention_texts(found, "group:aqap") == ["AL-QAEDA IN THE ARABIAN PENINSULA"]


def test_lowercase_wire_text_matches_acronyms_but_not_the_verb(nlp: Language) -> None:
    text = (
        "the fmln, or farabundo marti national liberation front, said it is not to blame. "
        "the eln and the shining path denied it too, and isis is absent."
    )
    found = entities_of(nlp, text)
    assert mention_texts(found, "group:fmln") == ["fmln", "farabundo marti national liberation front"]
    assert mention_texts(found, "group:eln") == ["eln"]
    assert mention_texts(found, "group:shining-path") == ["shining path"]
    assert mention_texts(found, "group:islamic-state") == ["isis"]


def test_ordinary_word_aliases_need_their_case(nlp: Language) -> None:
    text = "Troops returned to the base at dawn. The Base, a neo-Nazi network, was listed in Canada."
    found = entities_of(nlp, text)
    assert mention_texts(found, "group:the-base") == ["The Base"]
    text = "Ministers agreed a National Action Plan on knife crime."
    assert not [e for e in entities_of(nlp, text) if e.id == "group:national-action"]


def test_org_name_containing_an_alias_is_one_organisation(nlp: Language) -> None:
    text = (
        "Jane Roe, Director Of The Global Coalition To Defeat Isis Office, spoke on Tuesday about the threat."
    )
    found = entities_of(nlp, text)
    assert not [e for e in found if e.id == "group:islamic-state"]
    orgs = [e for e in found if e.type == "organisation"]
    assert any("Global Coalition To Defeat Isis" in e.name for e in orgs)
    text = "The Global Coalition against Daesh met in Rome, and a coalition against ISIS fighters formed."
    found = entities_of(nlp, text)
    assert mention_texts(found, "group:islamic-state") == ["ISIS"]
    assert "Global Coalition against Daesh" in [e.name for e in found if e.type == "organisation"]


def test_isis_k_is_its_own_group_with_a_parent(nlp: Language) -> None:
    text = (
        "ISIS-K’s cells grew after the Islamic State's defeat. Analysts said ISIS-K, also called "
        "Islamic State Khorasan Province, recruits online, and that Daesh still funds it."
    )
    found = entities_of(nlp, text)
    isk = by_id(found, "group:islamic-state-khorasan")
    assert [m.text for m in isk.mentions] == ["ISIS-K", "ISIS-K", "Islamic State Khorasan Province"]
    assert isk.attributes == {"parent": "group:islamic-state"}
    assert isk.name == "Islamic State Khorasan Province"
    assert mention_texts(found, "group:islamic-state") == ["Islamic State", "Daesh"]
    state = by_id(found, "group:islamic-state")
    assert "ISIL" in state.aliases and state.aliases[0] == "Islamic State"


def test_the_ira_and_its_splinters_are_different_groups(nlp: Language) -> None:
    text = (
        "The Provisional IRA bombed a pub in Birmingham in 1974. Decades later a Real IRA bomb exploded in Derry, "
        "and the Continuity IRA and the IRA itself were blamed in turn. Ira Glass reported on the UVF."
    )
    found = entities_of(nlp, text)
    assert mention_texts(found, "group:ira") == ["Provisional IRA", "IRA"]
    assert mention_texts(found, "group:new-ira") == ["Real IRA"]
    assert mention_texts(found, "group:continuity-ira") == ["Continuity IRA"]
    assert mention_texts(found, "group:uvf") == ["UVF"]
    assert by_id(found, "group:ira").name == "Irish Republican Army"


def test_hts_names_are_one_whole_group(nlp: Language) -> None:
    text = "Hay'at Tahrir al-Sham, once Jabhat al-Nusra, runs Idlib. Hayat Tahrir al-Sham (HTS) denied it."
    found = entities_of(nlp, text)
    assert mention_texts(found, "group:hayat-tahrir-al-sham") == [
        "Hay'at Tahrir al-Sham",
        "Jabhat al-Nusra",
        "Hayat Tahrir al-Sham",
        "HTS",
    ]


def test_model_place_errors_are_places(nlp: Language) -> None:
    doc = nlp("Fighters moved from Tal Afar to Mosul, and others went to Mozambique.")
    labels = {ent.text: ent.label_ for ent in doc.ents}
    assert labels["Tal Afar"] == "GPE"
    assert labels["Mozambique"] == "GPE"
    assert not [e for e in extract_entities(doc.text, doc) if "Afar" in e.name]


# ------------------------------------------------------------------------------------------------ persons


def test_lone_wolf_is_never_a_person(nlp: Language) -> None:
    text = "Experts warned of lone wolf attacks. The group urged lone wolves to strike. Lone Wolves, it said."
    assert not [e for e in entities_of(nlp, text) if e.type == "person"]


def test_partial_mention_joins_the_one_compatible_full_name(nlp: Language) -> None:
    text = (
        "The group named Abu Hudhayfah al-Ansari as its voice. Separately, Abu Omar al-Muhajir was detained. "
        "Al-Ansari urged attacks in the recording."
    )
    found = entities_of(nlp, text)
    ansari = by_id(found, "person:abu-hudhayfah-al-ansari")
    assert [m.text for m in ansari.mentions] == ["Abu Hudhayfah al-Ansari", "Al-Ansari"]
    assert "Al-Ansari" in ansari.aliases and "Abu Huthaifa al-Ansari" in ansari.aliases
    assert by_id(found, "person:abu-omar-al-muhajir").mentions[0].text == "Abu Omar al-Muhajir"


def test_ambiguous_partial_mention_stays_separate(nlp: Language) -> None:
    text = (
        "Abu Bakr al-Baghdadi succeeded Abu Omar al-Baghdadi in 2010. Later, Baghdadi was killed in Idlib. "
        "Baghdadi had led the group for years."
    )
    found = entities_of(nlp, text)
    assert mention_texts(found, "person:abu-bakr-al-baghdadi") == ["Abu Bakr al-Baghdadi"]
    assert mention_texts(found, "person:abu-omar-al-baghdadi") == ["Abu Omar al-Baghdadi"]
    assert mention_texts(found, "person:baghdadi") == ["Baghdadi", "Baghdadi"]


def test_unlisted_person_gets_a_name_key_slug(nlp: Language) -> None:
    text = "Prosecutors said Abou Zaid el-Tunisi, who was arrested on Friday, denied the charges."
    found = entities_of(nlp, text)
    persons = [e for e in found if e.type == "person"]
    assert [p.id for p in persons] == ["person:abu-zaid-al-tunisi"]
    assert persons[0].name == "Abou Zaid el-Tunisi"


def test_unlisted_person_id_comes_from_the_fullest_name(nlp: Language) -> None:
    text = "Karim Haddad was charged. Prosecutors said Karim Y. Haddad had sent money. Haddad denied it."
    doc = nlp.make_doc(text)
    words = [t.text for t in doc]
    second = words.index("Karim", 1)
    last = words.index("Haddad", second + 3)
    doc.ents = [
        Span(doc, 0, 2, label="PERSON"),
        Span(doc, second, second + 3, label="PERSON"),
        Span(doc, last, last + 1, label="PERSON"),
    ]
    found = extract_entities(text, doc)
    assert [(e.id, e.name, len(e.mentions)) for e in found] == [
        ("person:karim-y-haddad", "Karim Y. Haddad", 3)
    ]


def test_split_and_truncated_arabic_names_are_one_mention(nlp: Language) -> None:
    text = "Officials said Abu Omar al-Muhajer met Abi al-Hassan al-Muhajir there."
    doc = nlp.make_doc(text)
    # Simulate the model's errors: "Abu Omar" and "al-Muhajer" split; "Abi" left out of the second name.
    words = [t.text for t in doc]
    first = words.index("Abu")
    second = words.index("Abi")
    doc.ents = [
        Span(doc, first, first + 2, label="PERSON"),
        Span(doc, first + 2, first + 5, label="ORG"),
        Span(doc, second + 1, second + 7, label="PERSON"),
    ]
    found = extract_entities(text, doc)
    persons = [e for e in found if e.type == "person"]
    assert [[m.text for m in p.mentions] for p in persons] == [
        ["Abu Omar al-Muhajer"],
        ["Abi al-Hassan al-Muhajir"],
    ]
    assert [p.id for p in persons] == ["person:abu-omar-al-muhajir", "person:abu-al-hassan-al-muhajir"]
    assert not [e for e in found if e.type == "organisation"]


def test_unlabelled_nisba_joins_its_person(nlp: Language) -> None:
    text = "Abu Hudhayfah al-Ansari spoke for an hour. Later al-Ansari urged attacks."
    doc = nlp.make_doc(text)  # only the full name is labelled, as when the model misses the surname
    doc.ents = [Span(doc, 0, 5, label="PERSON")]
    found = extract_entities(text, doc)
    assert [[m.text for m in e.mentions] for e in found] == [["Abu Hudhayfah al-Ansari", "al-Ansari"]]


def test_hedge_is_not_part_of_a_group_mention(nlp: Language) -> None:
    text = "The so-called Islamic State and the so-called ISIS-Khorasan both claimed it."
    found = entities_of(nlp, text)
    assert mention_texts(found, "group:islamic-state") == ["Islamic State"]
    assert mention_texts(found, "group:islamic-state-khorasan") == ["ISIS-Khorasan"]


def test_span_across_a_paragraph_break_keeps_the_first_line(nlp: Language) -> None:
    text = "Written by Jane Roe\n\nTraveller and writer."
    doc = nlp.make_doc(text)
    words = [t.text for t in doc]
    doc.ents = [Span(doc, words.index("Jane"), words.index("Traveller") + 1, label="PERSON")]
    found = extract_entities(text, doc)
    assert [[m.text for m in e.mentions] for e in found] == [["Jane Roe"]]


def test_possessive_is_not_part_of_a_name(nlp: Language) -> None:
    text = "The Islamic State’s media office praised Abu Omar al-Muhajir's message."
    found = entities_of(nlp, text)
    assert mention_texts(found, "group:islamic-state") == ["Islamic State"]
    assert mention_texts(found, "person:abu-omar-al-muhajir") == ["Abu Omar al-Muhajir"]


def test_role_appositives(nlp: Language) -> None:
    text = (
        "Abu Hudhayfah al-Ansari, the new ISIS spokesperson, spoke for an hour. "
        "Sarah Lindqvist, a senior analyst at a Stockholm institute, doubted it. "
        "The group's official spokesman, Abi al-Hassan al-Muhajer, was not heard. "
        "Tom Baker, UK Deputy Special Envoy For Counter Terrorism said the threat was real."
    )
    found = entities_of(nlp, text)
    ansari = by_id(found, "person:abu-hudhayfah-al-ansari")
    assert ansari.attributes["role"] == "spokesman"
    assert ansari.attributes["group"] == "group:islamic-state"
    assert by_id(found, "person:sarah-lindqvist").attributes["role"] == "analyst"
    assert by_id(found, "person:abu-al-hassan-al-muhajir").attributes["role"] == "spokesman"
    baker = by_id(found, "person:tom-baker")
    assert baker.attributes["role"] == "deputy special envoy"
    assert baker.attributes["title"] == "UK Deputy Special Envoy For Counter Terrorism"


def test_text_must_match_the_doc(nlp: Language) -> None:
    doc: Doc = nlp.make_doc("one text")
    with pytest.raises(ValueError, match="canonical"):
        extract_entities("another text", doc)


# ------------------------------------------------------------------------------------------------ seeds


def test_seed_002(nlp: Language) -> None:
    found = entities_of(nlp, seed("002"))
    muhajir = by_id(found, "person:abu-al-hassan-al-muhajir")
    assert [m.text for m in muhajir.mentions] == ["Abi al-Hassan al-Muhajer"]
    assert muhajir.attributes["role"] == "spokesman"
    state = mention_texts(found, "group:islamic-state")
    assert state[0] == "Daesh" and "Islamic State" in state and "IS" in state
    assert by_id(found, "person:aisha").type == "person"
    assert not [e for e in found if "lone" in e.name.lower()]
    assert not [e for e in found if e.name == "Tal Afar"]


def test_seed_000(nlp: Language) -> None:
    found = entities_of(nlp, seed("000"))
    ansari = by_id(found, "person:abu-hudhayfah-al-ansari")
    assert [m.text for m in ansari.mentions] == ["Hudhayfah al-Ansari", "Al-Ansari"]
    assert ansari.attributes["role"] == "spokesman"
    muhajir = by_id(found, "person:abu-omar-al-muhajir")
    assert muhajir.attributes["role"] == "spokesman"
    isk = by_id(found, "group:islamic-state-khorasan")
    assert "ISIS-K" in [m.text for m in isk.mentions]
    assert isk.attributes["parent"] == "group:islamic-state"
    assert "ISIS-K" not in mention_texts(found, "group:islamic-state")
    assert "ISIS-Khorasan" in [m.text for m in isk.mentions]
    assert mention_texts(found, "group:hayat-tahrir-al-sham") == ["Hayat Tahrir al-Sham", "HTS", "HTS"]
    mccary = by_id(found, "person:ian-j-mccary")
    assert "envoy" in mccary.attributes["role"]
    assert by_id(found, "group:taliban").type == "group"
    # "Isis" inside the coalition's name is not a mention of the group.
    text = seed("000")
    isis_in_title = text.index("Defeat Isis") + len("Defeat ")
    assert all(m.start != isis_in_title for m in by_id(found, "group:islamic-state").mentions)
    assert not [e for e in found if e.type == "person" and "lone" in e.name.lower()]
