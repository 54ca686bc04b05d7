"""`incitewatch evaluate`: the command, our own gold format and the record → benchmark mappings."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incitewatch.cli import app
from incitewatch.evaluation.mapping import (
    Trigger,
    incident_type,
    muc4_templates,
    text_from_sentences,
    timeml_value,
    victim_phrase,
    wikievents_arguments,
)
from incitewatch.evaluation.owngold import GoldFormatError, load_gold, resolve_span, score_gold
from incitewatch.pipeline import Pipeline
from incitewatch.types import AnalyzedDoc, Article, Entity, Event, Mention, Place, RoleFiller, Span, TimeExpr
from tests.shared_paths import SHARED_DATA as DATA

REPORT_TEXT = (
    "Gunmen opened fire on a police checkpoint in Peshawar on Monday, killing three policemen. "
    "Officials said the attack was the second in the city this month."
)


def _gold_line(expected: dict[str, object]) -> str:
    return json.dumps({"id": "g1", "text": REPORT_TEXT, "published": "2024-03-06", "expected": expected})


@pytest.fixture(scope="module")
def gold_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gold") / "gold.jsonl"
    expected = {
        "times": [{"text": "Monday", "value": "2024-03-04"}],
        "places": [{"text": "Peshawar", "lat": 34.008, "lon": 71.578}],
        "events": [{"type": "attack", "roles": {"place": [{"text": "Peshawar"}]}}],
    }
    path.write_text(_gold_line(expected) + "\n", encoding="utf-8")
    return path


def test_evaluate_command_scores_a_gold_file_and_writes_json(gold_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["evaluate", "gold", "--data", str(gold_file), "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["dataset"] == "gold"
    assert report["tempeval3"]["value_matches"] == report["tempeval3"]["gold"] == 1
    assert report["overall"]["acc_161km"] == pytest.approx(1.0)
    assert report["gold"]["events"]["gold"] == 1
    assert "value F1" in result.output


def test_evaluate_command_rejects_unknown_dataset_and_missing_data(tmp_path: Path) -> None:
    unknown = CliRunner().invoke(app, ["evaluate", "squad", "--data", str(tmp_path)])
    assert unknown.exit_code != 0
    missing = CliRunner().invoke(app, ["evaluate", "muc4", "--data", str(tmp_path / "nowhere")])
    assert missing.exit_code != 0


def test_evaluate_command_runs_a_benchmark_split_with_a_limit(tmp_path: Path) -> None:
    root = DATA / "tempeval3-platinum"
    if not root.exists():
        pytest.skip("TempEval-3 data not available")
    out = tmp_path / "te3.json"
    result = CliRunner().invoke(
        app, ["evaluate", "tempeval3", "--data", str(root), "--split", "test", "--limit", "2", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["limit"] == 2 and report["tempeval3"]["gold"] > 0
    assert 0.0 < report["overall"]["value_f1"] <= 1.0


def test_gold_spans_by_offsets_text_or_occurrence() -> None:
    text = "Kabul, then Kabul again"
    assert resolve_span(text, {"start": 0, "end": 5}) == (0, 5)
    assert resolve_span(text, {"text": "Kabul", "occurrence": 2}) == (12, 17)
    with pytest.raises(GoldFormatError):
        resolve_span(text, {"text": "Herat"})


def test_gold_file_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(_gold_line({}) + "\n{not json}\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match="line 2"):
        load_gold(path)


def test_gold_scoring_counts_spurious_and_missed_fillers(gold_file: Path) -> None:
    article = load_gold(gold_file)[0]
    place = REPORT_TEXT.index("Peshawar")
    wrong = REPORT_TEXT.index("policemen")
    event = Event(
        id="e1",
        type="attack",
        evidence=Span(0, 60, REPORT_TEXT[:60]),
        roles={
            "place": (RoleFiller(place, place + 8, "Peshawar"),),
            "target": (RoleFiller(wrong, wrong + 9, "policemen"),),
        },
    )
    records = AnalyzedDoc(Article(id="g1", text=REPORT_TEXT), events=(event,))
    report = score_gold([article], [records])
    assert report["gold"]["events"]["matched"] == 1
    assert report["gold"]["events"]["predicted"] == 2
    assert report["overall"]["f1"] == pytest.approx(2 * 0.5 * 1.0 / 1.5)


def _attack(text: str, roles: dict[str, tuple[RoleFiller, ...]]) -> Event:
    return Event(id="a", type="attack", evidence=Span(0, len(text), text), roles=roles)


def test_incident_type_follows_the_evidence_words() -> None:
    assert incident_type(_attack("a car bomb exploded near the bank", {})) == "bombing"
    assert incident_type(_attack("rebels kidnapped two engineers in an attack", {})) == "kidnapping"
    assert incident_type(_attack("gunmen attacked the convoy", {})) == "attack"
    # Something blown up was bombed, with or without a bomb word (MUC-4 dev 47.45 → 47.90)
    assert incident_type(_attack("an airliner blew up in midair", {})) == "bombing"
    assert incident_type(_attack("the newspaper offices were blown up", {})) == "bombing"
    assert incident_type(_attack("protests blew up after gunmen killed a student", {})) == "attack"
    assert timeml_value("2017-05-27/2017-06-25") == "2017-05-27"


def test_muc4_templates_merge_incidents_of_one_type_and_split_perpetrators() -> None:
    text = "The Front attacked the base; gunmen later attacked it again."
    front = RoleFiller(0, 9, "The Front", entity="group:front")
    gunmen = RoleFiller(29, 35, "gunmen", value="gunmen")
    doc = AnalyzedDoc(
        Article(id="m", text=text),
        entities=(),
        events=(_attack(text[:27], {"perpetrator": (front,)}), _attack(text[29:], {"perpetrator": (gunmen,)})),
    )
    (template,) = muc4_templates(doc)
    assert template.incident_type == "attack"
    assert template.fillers("PerpInd") == (("The Front",), ("gunmen",))  # no group entity record: individual
    grouped = AnalyzedDoc(doc.article, entities=(_group("group:front"),), events=doc.events)
    (template,) = muc4_templates(grouped)
    assert template.fillers("PerpOrg") == (("The Front",),)
    assert template.fillers("PerpInd") == (("gunmen",),)


def test_muc4_individual_perpetrators_and_targets_lose_their_count() -> None:
    text = "About 30 terrorists attacked seven private bank branches."
    gunmen = RoleFiller(6, 19, "30 terrorists", value="30 terrorists")
    branches = RoleFiller(29, 56, "seven private bank branches")
    doc = AnalyzedDoc(
        Article(id="m", text=text), events=(_attack(text, {"perpetrator": (gunmen,), "target": (branches,)}),)
    )
    (template,) = muc4_templates(doc)
    assert template.fillers("PerpInd") == (("terrorists",),)
    assert template.fillers("Target") == (("private bank branches",),)


def _filler(text: str, phrase: str) -> RoleFiller:
    start = text.index(phrase)
    return RoleFiller(start, start + len(phrase), phrase)


@pytest.mark.parametrize(
    ("text", "role", "phrase", "templates"),
    [
        ("rebels ambushed an army patrol near the river", "target", "army patrol", 0),
        ("troops killed 12 guerrillas in a clash", "killed", "12 guerrillas", 0),
        ("rebels fired on a police post and a bus full of civilians", "target", "bus full of civilians", 1),
        ("gunmen attacked a bank branch", "target", "bank branch", 1),
        ("gunmen killed the wife of a soldier", "victim", "wife of a soldier", 1),
    ],
)
def test_muc4_has_no_incident_where_only_armed_forces_were_hit(
    text: str, role: str, phrase: str, templates: int
) -> None:
    roles = {role: (_filler(text, phrase),)}
    if "police post" in text:
        roles["target"] = (_filler(text, "police post"), _filler(text, phrase))
    doc = AnalyzedDoc(Article(id="m", text=text), events=(_attack(text, roles),))
    assert len(muc4_templates(doc)) == templates


def test_muc4_an_incident_is_keyed_by_its_town_before_its_province() -> None:
    text = "A bomb exploded in Antioquia, in Medellin. Another bomb exploded in Medellin."
    province, town = _filler(text, "Antioquia"), _filler(text, "Medellin")
    second = text.rindex("Medellin")
    again = RoleFiller(second, second + 8, "Medellin", entity="place:medellin")
    places = (
        Place(
            province.start,
            province.end,
            "Antioquia",
            "place:iso:CO-ANT",
            "Antioquia",
            None,
            "CO",
            None,
            None,
            kind="admin",
        ),
        Place(town.start, town.end, "Medellin", "place:medellin", "Medellin", None, "CO", 6.25, -75.56),
        Place(second, second + 8, "Medellin", "place:medellin", "Medellin", None, "CO", 6.25, -75.56),
    )
    events = (
        _attack(
            text[:43], {"place": (replace(province, entity="place:iso:CO-ANT"), replace(town, entity="place:medellin"))}
        ),
        _attack(text[44:], {"place": (again,)}),
    )
    (template,) = muc4_templates(AnalyzedDoc(Article(id="m", text=text), places=places, events=events))
    assert template.incident_type == "bombing"


def test_muc4_an_incident_told_of_without_a_place_joins_the_one_of_its_type_that_has_one() -> None:
    text = "Gunmen attacked a bank in Lima. The attackers also wounded a guard. Rebels attacked a shop in Cusco."
    lima, cusco = _filler(text, "Lima"), _filler(text, "Cusco")
    lima, cusco = replace(lima, entity="place:lima"), replace(cusco, entity="place:cusco")
    events = (
        _attack(text[:31], {"place": (lima,), "target": (_filler(text, "bank"),)}),
        _attack(text[32:66], {"victim": (_filler(text, "guard"),), "perpetrator": (_filler(text, "attackers"),)}),
        _attack(text[67:], {"place": (cusco,), "target": (_filler(text, "shop"),)}),
    )
    templates = muc4_templates(AnalyzedDoc(Article(id="m", text=text), events=events))
    assert [t.fillers("Target") for t in templates] == [(("bank",),), (("shop",),)]
    assert templates[0].fillers("PerpInd") == (("attackers",),)  # the placeless one joined Lima's


def test_muc4_weapons_are_instruments_not_the_act_or_the_attackers() -> None:
    text = "Gunmen opened fire with a rifle and set on fire a bus."
    methods = tuple(
        replace(_filler(text, phrase), value=label)
        for phrase, label in (("Gunmen", "firearms"), ("opened fire", "firearms"), ("rifle", "firearms"),
                              ("set on fire", "incendiary"))
    )
    (template,) = muc4_templates(AnalyzedDoc(Article(id="m", text=text), events=(_attack(text, {"method": methods}),)))
    assert template.fillers("Weapon") == (("rifle",),)


def _group(entity_id: str) -> Entity:
    return Entity(id=entity_id, type="group", name="Front")


def test_wikievents_arguments_map_roles_to_token_spans() -> None:
    tokens = ["Rebels", "attacked", "troops", "in", "Goma", "."]
    tokenized = text_from_sentences([(tokens, "Rebels attacked troops in Goma.")])
    text = tokenized.text
    event = _attack(
        text,
        {
            "perpetrator": (RoleFiller(0, 6, "Rebels"),),
            "place": (RoleFiller(26, 30, "Goma"),),
        },
    )
    doc = AnalyzedDoc(Article(id="w", text=text), events=(event,))
    arguments = wikievents_arguments("w", tokenized, [Trigger("Conflict.Attack.Unspecified", 1, 2)], doc)
    assert {(a.role, a.start, a.end) for a in arguments} == {("Attacker", 0, 1), ("Place", 4, 5)}
    assert wikievents_arguments("w", tokenized, [Trigger("Contact.Contact.Meet", 1, 2)], doc) == []


def test_a_records_place_must_follow_a_locative_word() -> None:
    for sentence, places in (("Rebels attacked a base in Goma .", {"Goma"}), ("Goma saw rebels attack .", set())):
        tokens = sentence.split()
        tokenized = text_from_sentences([(tokens, sentence)])
        goma = sentence.index("Goma")
        event = _attack(sentence, {"place": (RoleFiller(goma, goma + 4, "Goma"),)})
        doc = AnalyzedDoc(Article(id="w", text=sentence), events=(event,))
        at = next(i for i, token in enumerate(tokens) if token.startswith("attack"))
        found = wikievents_arguments("w", tokenized, [Trigger("Conflict.Attack.Unspecified", at, at + 1)], doc)
        assert {tokens[a.start] for a in found if a.role == "Place"} == places


def test_a_trigger_takes_arguments_from_its_own_sentence_not_the_whole_passage() -> None:
    # WikiEvents hands over passages of several sentences as one "sentence".
    found = _arguments_of("Two gunmen fled . Later a bomb exploded .", "Conflict.Attack.DetonateExplode", "exploded")
    assert found == {("ExplosiveDevice", "bomb")}  # the gunmen of the sentence before are not its attackers
    # An abbreviation ends no sentence.
    one_sentence = _arguments_of(
        "Two gunmen led by Col. Smith fled and a bomb exploded .", "Conflict.Attack.DetonateExplode", "exploded"
    )
    assert ("Attacker", "gunmen") in one_sentence


def test_an_attack_takes_the_phrase_after_on_as_its_target() -> None:
    found = _arguments_of("They condemned the attacks on innocent people .", "Conflict.Attack.Unspecified", "attacks")
    assert ("Target", "innocent people") in found
    # A time after "on" is no target: the time records say which phrases are times.
    sentence = "The attack on Friday was condemned ."
    tokens = sentence.split()
    friday = sentence.index("Friday")
    timed = AnalyzedDoc(Article(id="w", text=sentence), times=(TimeExpr(friday, friday + 6, "Friday", "2019-05-24"),))
    trigger = Trigger("Conflict.Attack.Unspecified", 1, 2)
    assert wikievents_arguments("w", text_from_sentences([(tokens, sentence)]), [trigger], timed) == []


def test_an_attack_takes_a_name_after_at_as_its_place() -> None:
    placed = _arguments_of(
        "The road was closed after explosions at Oxford Street .", "Conflict.Attack.Unspecified", "explosions"
    )
    assert ("Place", "Oxford Street") in placed
    common = _arguments_of("He was seen after the attack in this photo .", "Conflict.Attack.Unspecified", "attack")
    assert not any(role == "Place" for role, _ in common)


def test_a_name_coordinated_with_an_attacks_place_is_its_place_too() -> None:
    both = _arguments_of(
        "Fighters were killed in attacks in Badia and the Cavehill Road .", "Conflict.Attack.Unspecified", "attacks"
    )
    assert {span for role, span in both if role == "Place"} == {"Badia", "Cavehill Road"}
    common = _arguments_of(
        "Leaders after the attack in Manchester and neighbours spoke .", "Conflict.Attack.Unspecified", "attack"
    )
    assert {span for role, span in common if role == "Place"} == {"Manchester"}


def _arguments_of(
    sentence: str,
    event_type: str,
    trigger_word: str,
    doc_events: tuple[Event, ...] = (),
    entities: tuple[Entity, ...] = (),
) -> set[tuple[str, str]]:
    tokens = [*sentence.rstrip(".").split(), "."]
    tokenized = text_from_sentences([(tokens, " ".join(tokens))])
    doc = AnalyzedDoc(Article(id="w", text=tokenized.text), entities=entities, events=doc_events)
    at = tokens.index(trigger_word)
    found = wikievents_arguments("w", tokenized, [Trigger(event_type, at, at + 1)], doc)
    return {(a.role, " ".join(tokens[a.start : a.end])) for a in found}


def test_an_explosion_takes_the_device_named_beside_it_but_an_act_word_is_no_device() -> None:
    found = _arguments_of(
        "The bombing was carried out when a bomb exploded outside the bank.",
        "Conflict.Attack.DetonateExplode",
        "exploded",
    )
    assert ("ExplosiveDevice", "bomb") in found
    assert ("ExplosiveDevice", "bombing") not in found
    # Other attacks rarely name an instrument beside the trigger: none is guessed.
    shot = _arguments_of("Gunmen with rifles attacked the convoy.", "Conflict.Attack.Unspecified", "attacked")
    assert not any(role == "Instrument" for role, _ in shot)


def test_an_event_takes_one_place_the_one_nearest_its_trigger() -> None:
    sentence = "A device exploded in Lyon , France ."
    tokens = sentence.split()
    tokenized = text_from_sentences([(tokens, " ".join(tokens))])
    text = tokenized.text
    lyon, france = text.index("Lyon"), text.index("France")
    event = _attack(text, {"place": (RoleFiller(france, france + 6, "France"), RoleFiller(lyon, lyon + 4, "Lyon"))})
    doc = AnalyzedDoc(Article(id="w", text=text), events=(event,))
    at = tokens.index("exploded")
    found = wikievents_arguments("w", tokenized, [Trigger("Conflict.Attack.DetonateExplode", at, at + 1)], doc)
    assert [(a.role, tokens[a.start]) for a in found if a.role == "Place"] == [("Place", "Lyon")]


def test_a_listed_group_before_an_attack_is_its_attacker_but_any_other_organisation_is_not() -> None:
    sentence = "CCTV footage shows that ETA attacked the cafe ."
    tokens = sentence.split()
    text = " ".join(tokens)
    cctv = Entity("org:cctv", "organisation", "CCTV", mentions=(Mention(0, 4, "CCTV"),))
    eta_at = text.index("ETA")
    eta = Entity("group:eta", "group", "ETA", mentions=(Mention(eta_at, eta_at + 3, "ETA"),))
    both = _arguments_of(sentence, "Conflict.Attack.Unspecified", "attacked", entities=(cctv, eta))
    assert ("Attacker", "ETA") in both
    only_cctv = _arguments_of(sentence, "Conflict.Attack.Unspecified", "attacked", entities=(cctv,))
    assert not any(role == "Attacker" for role, _ in only_cctv)


def test_a_death_with_no_victim_record_takes_the_people_noun_nearest_it() -> None:
    found = _arguments_of(
        "Police said the protesters were killed near the ministry .", "Life.Die.Unspecified", "killed"
    )
    assert ("Victim", "protesters") in found
    assert _arguments_of("The building was destroyed .", "Life.Die.Unspecified", "destroyed") == set()
    listed = _arguments_of("Gunmen wounded employees and customers .", "Life.Injure.Unspecified", "wounded")
    assert listed == {("Victim", "employees"), ("Victim", "customers")}


def test_a_death_or_injury_takes_the_subject_of_its_passive_or_of_died_as_its_victim() -> None:
    wounded = _arguments_of(
        "Three other military personnel were also reportedly wounded .", "Life.Injure.Unspecified", "wounded"
    )
    assert wounded == {("Victim", "personnel")}
    died = _arguments_of("A thirteenth victim died in 1977 .", "Life.Die.Unspecified", "died")
    assert died == {("Victim", "victim")}
    # A participle with no auxiliary counts when no object follows it.
    reduced = _arguments_of("Two of the 12 initially killed were police .", "Life.Die.Unspecified", "killed")
    assert reduced == {("Victim", "12")}
    # The subject of an active verb is the killer, not the victim.
    active = _arguments_of("The regiment killed 13 marchers .", "Life.Die.Unspecified", "killed")
    assert ("Victim", "regiment") not in active


def test_a_death_or_injury_takes_the_object_of_its_active_verb_as_its_victim() -> None:
    found = _arguments_of("Roadside IED kills Russian major general in Syria .", "Life.Die.Unspecified", "kills")
    assert ("Victim", "Russian major general") in found
    beaten = _arguments_of("Toughs roam , beating opposition politicians .", "Life.Injure.Unspecified", "beating")
    assert ("Victim", "opposition politicians") in beaten
    # A noun trigger has no object: "injuries healed" names no victim.
    assert _arguments_of("Their injuries healed slowly .", "Life.Injure.Unspecified", "injuries") == set()


def test_an_attack_with_no_attacker_takes_the_attacker_noun_before_it() -> None:
    found = _arguments_of("Witnesses said two gunmen attacked the convoy .", "Conflict.Attack.Unspecified", "attacked")
    assert ("Attacker", "gunmen") in found
    assert _arguments_of("The convoy was attacked .", "Conflict.Attack.Unspecified", "attacked") == set()


def test_pipeline_records_map_onto_gold_offsets(gold_file: Path) -> None:
    article = load_gold(gold_file)[0]
    (records,) = Pipeline().pipe([Article(id=article.id, text=article.text, published=article.published)])
    report = score_gold([article], [records])
    assert report["tempeval3"]["value_matches"] == 1


def test_casualty_counts_are_cut_to_their_victim_phrase() -> None:
    text = "The blast, killing at least 130 people, shook the city; 12 were wounded."
    start = text.index("killing")
    count = RoleFiller(start, start + len("killing at least 130 people"), "killing at least 130 people")
    span = victim_phrase(count)
    assert text[span[0] : span[1]] == "130 people"
    tail = text.index("12 were")
    passive = RoleFiller(tail, tail + len("12 were wounded"), "12 were wounded")
    span = victim_phrase(passive)
    assert text[span[0] : span[1]] == "12"
