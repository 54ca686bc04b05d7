"""How wire and newspaper reports commonly word a release, a threat and an attack's toll: texts written for these
tests, in the phrasings real reporting uses, through the whole pipeline."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from incitewatch.pipeline import Pipeline
from incitewatch.serialize import analysis_to_dict


def _run(pipeline: Pipeline, text: str, published: str = "2024-10-18") -> dict[str, Any]:
    return analysis_to_dict(pipeline.analyze_text(text, published=date.fromisoformat(published)))


def _of(analysis: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in analysis["events"] if e["type"] == kind]


def _values(event: dict[str, Any], role: str) -> set[Any]:
    return {f.get("value", f.get("entity")) for f in event["roles"].get(role, [])}


def _person_ids(analysis: dict[str, Any]) -> set[str]:
    return {e["id"] for e in analysis["entities"] if e["type"] == "person"}


SPEAKER_NAMED_LATER = (
    "A spokesman for Daesh has urged so-called lone wolves to target churches during the holidays, in an audio "
    "clip posted online late on Thursday.\n"
    "Abu Huthaifa al-Ansari, who became the group's official spokesman last year, told followers to use "
    "knives and vehicles.\n"
    "Security officials said they were assessing the authenticity of the recording.\n"
)


@pytest.fixture(scope="module")
def speaker_named_later(pipeline: Pipeline) -> dict[str, Any]:
    return _run(pipeline, SPEAKER_NAMED_LATER)


def test_the_spokesman_named_a_sentence_later_is_the_release_speaker(speaker_named_later: dict[str, Any]) -> None:
    (release,) = _of(speaker_named_later, "propaganda_release")
    assert _values(release, "speaker") == {"person:abu-hudhayfah-al-ansari"}
    assert _values(release, "speaker_role") == {"spokesman"}
    # The speaker of the release is not also reported as making a separate statement.
    assert not _of(speaker_named_later, "statement")


def test_an_adjective_before_the_role_word_is_not_the_role(speaker_named_later: dict[str, Any]) -> None:
    (ansari,) = [e for e in speaker_named_later["entities"] if e["id"] == "person:abu-hudhayfah-al-ansari"]
    assert ansari["attributes"]["role"] == "spokesman"  # "official spokesman", not "official"


def test_officials_assessing_authenticity_leave_the_release_unverified(speaker_named_later: dict[str, Any]) -> None:
    (release,) = _of(speaker_named_later, "propaganda_release")
    assert release["verification"] == "unverified"


def test_a_threat_of_attacks_is_not_an_attack(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "The militant group published a video on Monday in which its leader threatened fresh attacks in Nairobi "
        "and vowed more bombings against foreign troops.\n",
    )
    assert not _of(analysis, "attack")
    assert _of(analysis, "propaganda_release")


def test_a_toll_in_a_relative_clause_belongs_to_the_attack_before_it(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "The footage shows the 2019 attack on a hotel complex in Nairobi, in which 21 people were killed.\n",
    )
    (attack,) = _of(analysis, "attack")
    assert _values(attack, "killed") == {21}
    assert _values(attack, "place") == {"place:geonames:184745"}


def test_a_media_wing_is_the_release_channel(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "Al-Shabaab released a video on Monday through its al-Kataib media wing, threatening Kenya.\n",
    )
    (release,) = _of(analysis, "propaganda_release")
    assert _values(release, "channel") == {"outlet:al-kataib"}


def test_also_known_as_joins_two_names_of_one_person(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "The video features the al-Shabaab leader Ahmed Diriye, also known as Abu Ubaidah, who spoke for twenty "
        "minutes.\n",
    )
    persons = [e for e in analysis["entities"] if e["type"] == "person"]
    assert [p["id"] for p in persons] == ["person:ahmed-diriye"]
    assert {m["text"] for m in persons[0]["mentions"]} == {"Ahmed Diriye", "Abu Ubaidah"}


def test_a_bare_kunya_names_a_listed_person_only_beside_his_group(pipeline: Pipeline) -> None:
    # Abu Obaida is listed as the Qassam Brigades' (Hamas) spokesman; many others carry the same kunya.
    elsewhere = _run(pipeline, "A commander known by his kunya Abu Ubaida addressed fighters in the video.\n")
    assert "person:abu-obaida" not in _person_ids(elsewhere)
    beside = _run(pipeline, "Hamas released a speech by Abu Ubaida, the spokesman of its armed wing.\n")
    assert "person:abu-obaida" in _person_ids(beside)


def test_the_group_an_attack_was_claimed_by_is_its_perpetrator(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "The message praised the attack on a concert hall near Moscow in March that killed 140 people, which was "
        "claimed by the group's Afghan affiliate, Islamic State Khorasan Province.\n",
    )
    (attack,) = _of(analysis, "attack")
    assert _values(attack, "perpetrator") == {"group:islamic-state-khorasan"}
    assert attack["verification"] == "claimed"


def test_a_plot_and_attacks_in_general_are_not_attacks_that_happened(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "Police arrested a 19-year-old man in Dresden on Tuesday on suspicion of planning an attack on a "
        "Christmas market, prosecutors said.\n"
        "Both groups have carried out similar attacks in the region before.\n",
    )
    assert not _of(analysis, "attack")
    (arrest,) = _of(analysis, "arrest")
    assert _values(arrest, "place") == {"place:geonames:2935022"}


def test_nobody_claiming_an_attack_names_no_claimant(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "A car bomb killed nine people at a checkpoint in Mogadishu on Sunday, police said.\n"
        "Al-Shabaab, which often targets checkpoints, has not claimed responsibility.\n",
    )
    (attack,) = _of(analysis, "attack")
    assert "group:al-shabaab" not in _values(attack, "perpetrator")
    assert _values(attack, "killed") == {9}


def test_an_official_named_after_the_role_makes_a_statement(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline, "Germany's interior minister, Nancy Faeser, said the threat level remained high after the video.\n"
    )
    (statement,) = _of(analysis, "statement")
    assert _values(statement, "speaker") == {"person:nancy-faeser"}
    (role,) = statement["roles"]["role"]
    assert role["text"] == "Germany's interior minister"


def test_the_release_date_is_the_one_by_the_release_verb_not_the_dateline(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "Oct 18 (Reuters) - Islamic State's spokesman urged followers to attack Jews in an audio recording "
        "released on Oct. 15, the SITE monitoring group said.\n"
        "Reuters could not verify the recording.\n",
    )
    (release,) = _of(analysis, "propaganda_release")
    assert release["time"] == "2024-10-15"
    assert release["verification"] == "unverified"
    sources = {a["source"] for a in analysis["attributions"]}
    assert "outlet:site-intelligence-group" in sources


def test_who_praises_an_attack_is_not_its_perpetrator(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "In the 61-minute video, released by As-Sahab on Saturday to mark the anniversary of the September 11 "
        "attacks, Ayman al-Zawahiri praised a January attack on Russian troops in Syria and said “Jerusalem will "
        "never be Judaised”.\n",
        published="2021-09-12",
    )
    (attack,) = _of(analysis, "attack")
    assert "person:ayman-al-zawahiri" not in _values(attack, "perpetrator")
    assert _values(attack, "place") == {"place:geonames:163843"}  # Syria; Jerusalem is only in the quote
    (release,) = _of(analysis, "propaganda_release")
    (occasion,) = release["roles"]["occasion"]
    assert occasion["value"].endswith("September 11 attacks")


def test_a_video_someone_watched_is_not_a_release(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "Police in Vienna arrested two teenagers on Sunday who had sworn allegiance to the Islamic State group "
        "after watching a propaganda video, the interior ministry said.\n",
        published="2023-06-19",
    )
    assert not _of(analysis, "propaganda_release")
    assert _of(analysis, "arrest")


def test_a_title_before_the_name_is_the_statement_role(pipeline: Pipeline) -> None:
    analysis = _run(pipeline, 'Interior Minister Gerhard Karner said the arrests had "prevented a bloodbath".\n')
    (statement,) = _of(analysis, "statement")
    assert [f["text"] for f in statement["roles"]["role"]] == ["Interior Minister"]
    assert "organisation" not in statement["roles"]


def test_a_later_report_of_the_toll_and_the_claim_make_one_attack(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "The death toll from Sunday's attack on a Catholic church in Essakane, in northern Burkina Faso, has "
        "risen to 15, a local official told AFP on Monday.\n"
        "The attack was claimed on Tuesday by JNIM, al-Qaeda's affiliate in the Sahel.\n",
        published="2024-02-27",
    )
    (attack,) = _of(analysis, "attack")
    assert _values(attack, "killed") == {15}
    assert _values(attack, "perpetrator") == {"group:jnim"}
    assert attack["time"] == "2024-02-25"
    assert _values(attack, "date") == {"2024-02-25"}  # Tuesday is when it was claimed
    assert "place:region:sahel" not in _values(attack, "place")
    assert {f["text"] for f in attack["roles"]["target"]} == {"Catholic church"}


def test_a_relative_named_in_apposition_is_neither_speaker_nor_quoted(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "Hamza bin Laden, the son of the late al Qaeda founder Osama bin Laden, has called on followers to attack "
        "Americans in an audio message released on Friday.\n"
        '"We will continue striking you in your country and abroad," he said in the 10-minute speech.\n',
        published="2017-05-14",
    )
    (release,) = _of(analysis, "propaganda_release")
    assert _values(release, "speaker") == {"person:hamza-bin-laden"}
    assert "founder" not in _values(release, "speaker_role")
    assert [q["speaker"] for q in analysis["quotes"]] == ["person:hamza-bin-laden"]


def test_a_call_sets_holiday_windows_and_its_targets_are_not_its_audience(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "The group's weekly urged supporters to attack Christians and Shia Muslims in Europe during the Christmas "
        "holidays and on New Year's Eve.\n",
        published="2023-12-20",
    )
    (call,) = _of(analysis, "call_to_action")
    assert _values(call, "window") == {"2023-12-25", "2023-12-31"}
    assert _values(call, "audience") == {"supporters"}


def test_the_release_title_is_a_role(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "Hamza bin Laden urged attacks on Americans in a 10-minute audio speech, titled “We Are All Osama”, that "
        "was released online on Friday.\n",
        published="2017-05-14",
    )
    (release,) = _of(analysis, "propaganda_release")
    (title,) = release["roles"]["title"]
    assert title["value"] == title["text"] == "We Are All Osama"


@pytest.mark.parametrize(
    "background",
    [
        "No group has claimed the attack, but jihadists linked to al-Qaeda and the Islamic State group are active "
        "in the region.",
        "The Pakistani Taliban and the regional affiliate of the Islamic State group have carried out similar "
        "attacks in the area.",
    ],
)
def test_groups_named_only_as_background_are_not_perpetrators(pipeline: Pipeline, background: str) -> None:
    analysis = _run(
        pipeline,
        f"Gunmen killed at least 12 worshippers in an attack on a church in Peshawar on Sunday, police said.\n"
        f"{background}\n",
    )
    (attack,) = _of(analysis, "attack")
    assert not {"group:islamic-state", "group:al-qaeda", "group:ttp"} & _values(attack, "perpetrator")
    assert _values(attack, "killed") == {12}


def test_a_poster_shared_on_telegram_is_an_image_release(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "ISIS has called for attacks on Christmas markets in a new propaganda poster shared on its Telegram "
        "channels.\n"
        "The image, which appeared online on Sunday, shows a knife above a crowded square.\n",
        published="2023-12-04",
    )
    (release,) = _of(analysis, "propaganda_release")
    assert _values(release, "medium") == {"image"}
    assert release["time"] == "2023-12-03"
    assert _values(release, "channel") == {"channel:telegram"}


def test_two_releases_in_one_report_and_a_day_later(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "On Tuesday, al-Qaeda published a statement through As-Sahab urging Muslims to attack Israeli embassies.\n"
        "A day later, Islamic State spokesman Abu Hudhayfah al-Ansari released an audio speech on Telegram calling "
        "on supporters to kill Jews in Europe.\n"
        "In a previous speech in August, al-Ansari had urged attacks on Russian forces in Syria.\n",
        published="2023-10-20",
    )
    releases = {r["time"]: r for r in _of(analysis, "propaganda_release")}
    assert set(releases) == {"2023-10-17", "2023-10-18"}
    assert _values(releases["2023-10-18"], "speaker") == {"person:abu-hudhayfah-al-ansari"}
    assert _values(releases["2023-10-17"], "group") == {"group:al-qaeda"}
    targets = {v for call in _of(analysis, "call_to_action") for v in _values(call, "target")}
    assert "Israeli embassies" in targets
    assert not any("Russian" in str(v) for v in targets)  # the call of the earlier speech is not this week's


def test_a_city_the_model_takes_for_an_organisation_is_the_attack_place(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "Islamic State claimed a knife attack at a festival in the German city of Solingen that killed three "
        "people, in a statement on its Amaq news agency.\n"
        "The claim could not be independently verified.\n",
        published="2024-08-25",
    )
    (attack,) = _of(analysis, "attack")
    assert {f["text"] for f in attack["roles"]["place"]} == {"Solingen"}
    assert not [e for e in analysis["entities"] if e["type"] == "organisation" and e["name"] == "Solingen"]
    (release,) = _of(analysis, "propaganda_release")
    assert release["verification"] == "unverified"


def test_a_leader_the_faction_is_loyal_to_is_not_the_speaker_and_the_attack_keeps_its_own_date(
    pipeline: Pipeline,
) -> None:
    analysis = _run(
        pipeline,
        "A faction of Boko Haram loyal to Abubakar Shekau released a video on Sunday showing about 50 girls it said "
        "were abducted from a school in Kankara, Katsina state, last week.\n",
        published="2020-12-18",
    )
    (release,) = _of(analysis, "propaganda_release")
    assert "person:abubakar-shekau" not in _values(release, "speaker")
    assert release["time"] == "2020-12-13"
    (attack,) = _of(analysis, "attack")
    assert attack["time"] == "2020-W50"  # "last week", not the Sunday the video came out


def test_the_spokesman_denying_a_video_is_the_voice_of_the_denial_not_of_the_video(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "A video purportedly released by the Pakistani Taliban on Wednesday threatening attacks in India has been "
        "dismissed as fake by the group.\n"
        "A spokesman for Tehrik-i-Taliban Pakistan, Mohammad Khurasani, said in a statement that the group had "
        "nothing to do with the video.\n",
        published="2023-05-12",
    )
    by_medium = {next(iter(_values(r, "medium"))): r for r in _of(analysis, "propaganda_release")}
    assert by_medium["video"]["verification"] == "disputed"
    assert not _values(by_medium["video"], "speaker")
    assert _values(by_medium["text"], "speaker") == {"person:muhammad-khurasani"}


def test_a_convoy_hitting_a_roadside_bomb_is_an_attack_with_its_tolls(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline, "At least seven soldiers died and four were hurt when their convoy hit a roadside bomb near Kabul.\n"
    )
    (attack,) = _of(analysis, "attack")
    assert _values(attack, "killed") == {7} and _values(attack, "wounded") == {4}
    assert _values(attack, "method") == {"explosives"}


def test_the_minister_announcing_an_arrest_is_not_the_one_arrested(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "French anti-terrorism police arrested a 24-year-old man in Strasbourg on Tuesday on suspicion of planning "
        "an attack on the city's Christmas market, Interior Minister Gérald Darmanin said.\n"
        "The suspect had pledged allegiance to the Islamic State group in a video found on his phone.\n",
        published="2023-12-06",
    )
    (arrest,) = _of(analysis, "arrest")
    assert [f["text"] for f in arrest["roles"]["person"]] == ["a 24-year-old man"]
    assert not _of(analysis, "propaganda_release")  # a video found on a phone is evidence, not a release
    (statement,) = _of(analysis, "statement")
    assert _values(statement, "speaker") == {"person:gerald-darmanin"}
    assert not [e for e in analysis["entities"] if e["type"] == "organisation" and e["name"] == "Interior"]


def test_tabloid_epithets_and_congo(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        'Abu Hudhayfah al-Ansari, the group\'s mouthpiece, said in the audio message: "Kill them in their churches."\n'
        'The terror chief warned: "Your blood is our target."\n'
        "He also called on followers in Africa to step up attacks, singling out Mozambique and Congo.\n",
        published="2024-01-08",
    )
    assert {q["speaker"] for q in analysis["quotes"]} == {"person:abu-hudhayfah-al-ansari"}
    countries = {p["country"] for p in analysis["places"]}
    assert {"MZ", "CD"} <= countries and "CG" not in countries


def test_officials_condemning_or_briefing_make_statements_with_their_titles(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "UN Secretary-General António Guterres condemned the attack in a statement on Saturday.\n"
        "Pakistan's Foreign Office spokesperson, Mumtaz Zahra Baloch, told reporters the claims were baseless.\n",
        published="2024-03-24",
    )
    roles = {f["text"] for s in _of(analysis, "statement") for f in s["roles"].get("role", [])}
    assert roles == {"UN Secretary-General", "Foreign Office spokesperson"}


def test_who_vows_to_avenge_a_strike_did_not_carry_it_out_and_its_victim_does_not_speak(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "Hezbollah leader Hassan Nasrallah vowed on Wednesday to retaliate for an Israeli strike in Beirut that "
        "killed senior commander Fuad Shukr, in a televised speech broadcast by the group's Al-Manar television.\n",
        published="2024-08-08",
    )
    attack = next(a for a in _of(analysis, "attack") if "place:geonames:276781" in _values(a, "place"))
    assert "group:hezbollah" not in _values(attack, "perpetrator")
    (release,) = _of(analysis, "propaganda_release")
    assert _values(release, "speaker") == {"person:hassan-nasrallah"}
    assert _values(release, "medium") == {"video"}
    assert _values(release, "channel") == {"outlet:al-manar"}


def test_a_manifesto_is_a_release_whose_call_targets_muslims_and_immigrants(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "A gunman who killed 51 people at two mosques in Christchurch on Friday posted a manifesto online minutes "
        "before the attack.\n"
        "The document, shared on the 8chan message board, called on followers to attack Muslims and immigrants in "
        "Europe.\n",
        published="2019-03-16",
    )
    (release,) = _of(analysis, "propaganda_release")
    assert _values(release, "medium") == {"text"}
    assert "channel:8chan" in _values(release, "channel")
    assert not release["roles"].get("duration")  # "minutes before the attack" is no length
    (call,) = _of(analysis, "call_to_action")
    assert _values(call, "audience") == {"followers"}
    assert _values(call, "target") == {"Muslims", "immigrants"}


def test_muslims_urged_to_act_are_the_audience(pipeline: Pipeline) -> None:
    analysis = _run(pipeline, "The statement urged Muslims to attack Israeli embassies around the world.\n")
    (call,) = _of(analysis, "call_to_action")
    assert _values(call, "audience") == {"Muslims"}
    assert "Muslims" not in _values(call, "target")


def test_the_day_a_video_of_an_attack_came_out_does_not_date_the_attack_and_kyiv_is_a_place(
    pipeline: Pipeline,
) -> None:
    analysis = _run(
        pipeline,
        "Islamic State's Amaq news agency on Saturday published a 90-second video apparently filmed during the "
        "attack on Crocus City Hall near Moscow, in which at least 133 people were killed.\n"
        "Putin said the attackers had tried to flee to Ukraine, an accusation Kyiv denied.\n",
        published="2024-03-24",
    )
    (attack,) = _of(analysis, "attack")
    assert attack["time"] is None and not attack["roles"].get("date")
    (release,) = _of(analysis, "propaganda_release")
    assert release["time"] == "2024-03-23"
    assert "UA" in {p["country"] for p in analysis["places"] if p["text"] == "Kyiv"}
    assert "person:kyiv" not in {e["id"] for e in analysis["entities"]}


def test_place_modifiers_users_of_a_target_and_sources_are_not_roles(pipeline: Pipeline) -> None:
    analysis = _run(
        pipeline,
        "Somalia-based al-Shabaab militants attacked a military base used by US and Kenyan forces early on Sunday, "
        "killing three Americans, the US Africa Command said.\n"
        "In a statement posted on its news agency, the group said its fighters had destroyed seven aircraft.\n",
        published="2020-01-06",
    )
    attack = _of(analysis, "attack")[0]
    assert not _values(attack, "place") & {"place:geonames:51537", "place:geonames:6252001"}
    assert "Kenyan forces" not in {f["text"] for f in attack["roles"].get("perpetrator", [])}
    assert "US Africa Command" not in {f["text"] for f in attack["roles"].get("victim", [])}
    (release,) = _of(analysis, "propaganda_release")
    assert _values(release, "group") == {"group:al-shabaab"}


def _victims(event: dict[str, Any]) -> set[str]:
    return {f["text"] for f in event["roles"].get("victim", [])}


@pytest.mark.parametrize(
    ("text", "victim"),
    [
        # A noun with "of" names who was killed, singular or plural.
        ("Prosecutors reopened the file on the killing of two aid workers near Gao.", "two aid workers"),
        ("Parliament held a minute of silence for the murders of three reporters.", "three reporters"),
        # Verbs that tell how someone was killed.
        ("Two traffic wardens were shot to death outside a bakery in Peshawar.", "Two traffic wardens"),
        ("A shopkeeper was stabbed to death by a man shouting slogans.", "shopkeeper"),
        # Hostages are victims of a kidnapping.
        ("Four engineers are still being held hostage by the kidnappers.", "Four engineers"),
        # A relative clause tells who was hit.
        ("Maria Ocampo, who was kidnapped near the border last year, spoke to reporters.", "Maria Ocampo"),
    ],
)
def test_killing_murders_of_shot_to_death_and_held_hostage_are_attacks_with_their_victims(
    pipeline: Pipeline, text: str, victim: str
) -> None:
    (attack,) = _of(_run(pipeline, text), "attack")
    assert victim in _victims(attack)


def test_an_inquiry_a_court_orders_into_a_murder_is_not_a_call_for_one(pipeline: Pipeline) -> None:
    analysis = _run(pipeline, "A judge ordered the police to investigate the murder of Amina Yusuf, a local teacher.")
    (attack,) = _of(analysis, "attack")
    assert "Amina Yusuf" in _victims(attack)
    # A call for an attack is still no attack that happened.
    assert not _of(_run(pipeline, "The preacher urged followers to murder police officers."), "attack")


def test_a_device_that_went_off_is_an_attack_but_a_gas_tank_that_exploded_is_not(pipeline: Pipeline) -> None:
    (attack,) = _of(_run(pipeline, "Two of the five bombs exploded, causing damage but no casualties."), "attack")
    assert _values(attack, "method") == {"explosives"}
    assert not _of(_run(pipeline, "A gas tank exploded, causing damage but no casualties."), "attack")


def test_who_was_kidnapped_is_no_perpetrator_and_what_was_blown_up_is_the_target(pipeline: Pipeline) -> None:
    (kidnapping,) = _of(_run(pipeline, "the letter was signed by maria ocampo, who was kidnapped in march."), "attack")
    assert "maria ocampo" in _victims(kidnapping)
    assert not kidnapping["roles"].get("perpetrator")
    (bombing,) = _of(_run(pipeline, "A radio station was blown up in Quetta on Sunday."), "attack")
    assert {f["text"] for f in bombing["roles"]["target"]} == {"radio station"}


@pytest.mark.parametrize(
    "text",
    [
        "Two men on a motorbike threw a grenade at a police checkpoint in Quetta.",
        "A bomb destroyed the front of a bank branch in Karachi overnight.",
        "A kiosk in Lahore was damaged by a bomb on Friday.",
        "Unknown men planted two explosive devices under a bridge near Mosul.",
    ],
)
def test_what_is_done_with_a_device_is_an_attack_without_an_attack_word(pipeline: Pipeline, text: str) -> None:
    (attack,) = _of(_run(pipeline, text), "attack")
    assert _values(attack, "method") == {"explosives"}
    # The device is the means, never the one who attacked.
    assert not any("bomb" in f["text"] for f in attack["roles"].get("perpetrator", []))


def test_a_plumber_who_placed_tools_did_not_attack(pipeline: Pipeline) -> None:
    assert not _of(_run(pipeline, "A plumber placed the tools in the van and left the site in Leeds."), "attack")


@pytest.mark.parametrize(
    ("text", "role", "filler"),
    [
        ("The checkpoint was attacked on Tuesday by gunmen.", "perpetrator", "gunmen"),
        ("Gunmen opened fire on worshippers leaving a mosque.", "perpetrator", "Gunmen"),
        ("A journalist was shot outside his home.", "victim", "journalist"),
    ],
)
def test_passive_attacks_and_opening_fire_are_attacks(
    pipeline: Pipeline, text: str, role: str, filler: str
) -> None:
    (attack,) = _of(_run(pipeline, text), "attack")
    assert filler in {f["text"] for f in attack["roles"].get(role, [])}


def test_new_attacks_promised_or_feared_are_none_and_a_country_before_citizen_is_no_place(pipeline: Pipeline) -> None:
    assert not _of(_run(pipeline, "The rebels promised new attacks on the pipeline."), "attack")
    assert not _of(_run(pipeline, "Officials fear a new attack on the embassy in Kabul."), "attack")
    (attack,) = _of(_run(pipeline, "A U.S. citizen was shot last night by unidentified men."), "attack")
    assert "place" not in attack["roles"]


@pytest.mark.parametrize(
    ("text", "victim"),
    [
        # A time word after a case-less name does not swallow it.
        ("police are investigating the assassination of mayor karim haddad today, officials said.", "karim haddad"),
        # The subject of a passive verb sits before its apposition.
        ("Karim Bello, one of the best-known mayors in the region, was assassinated.", "Karim Bello"),
    ],
)
def test_a_victim_named_before_a_time_word_or_an_apposition(pipeline: Pipeline, text: str, victim: str) -> None:
    (attack,) = _of(_run(pipeline, text), "attack")
    assert victim in _victims(attack)


def test_who_asks_who_killed_someone_neither_calls_for_nor_did_the_killing(pipeline: Pipeline) -> None:
    (attack,) = _of(_run(pipeline, "The ambassador, Lena Fischer, asked who had killed the two aid workers."), "attack")
    assert "two aid workers" in _victims(attack)
    assert not attack["roles"].get("perpetrator")


def test_a_murder_committed_by_guerrillas_is_an_attack_by_them(pipeline: Pipeline) -> None:
    (attack,) = _of(_run(pipeline, "The army condemned the treacherous murder committed by guerrillas."), "attack")
    assert "guerrillas" in {f["text"] for f in attack["roles"]["perpetrator"]}


@pytest.mark.parametrize(
    "text",
    [
        # Harm with no attacker: disasters and metaphors.
        "Floods swept through the region on Monday, killing 20 people.",
        "A heatwave is killing crops across southern Spain.",
        "The economy is held hostage by politicians in Washington.",
        # Burning with no arsonist, or none who did the burning.
        "A forest fire burned 2,000 hectares near the town of Viseu.",
        "The cook burned his hand on the stove at the restaurant in Leeds.",
        "The cook set fire to the kitchen by accident.",
        "Protesters burned tyres outside the parliament in Nairobi.",
        "The rebels' camp burned for hours after lightning struck the hill.",
        "ISIS militants were burned to death in the air strike near Raqqa.",
        "Hamas said the settlers burned olive trees near Nablus.",
        "The militants set fire to their own truck to avoid capture near Gao.",
        # A passive burning whose agent is no attacker, or whose things are the burners' own.
        "The flags were burned by supporters of the rebels in Kano.",
        "Houses were burned by people who said the gunmen had fled.",
        "Their own trucks were burned by the fighters as they retreated.",
        # What is shot without a gun.
        "The film was shot in Morocco last year.",
        "The photo was shot by a Reuters photographer in Gaza.",
        "The company's plan was shot down by regulators in Brussels.",
        # Device words that name no device used.
        "He left a bomb threat note on the desk in Leeds.",
        "He threw a grenade party for his friends.",
        "The company placed a bomb-detection unit at the airport in Lagos.",
        "The minister left a bomb in the budget for his successor.",
        # Demolition.
        "Soldiers set off explosives to clear the minefield.",
        "The sappers placed explosives under the bridge to demolish it.",
        # Striking and stabbing with no attacker, or no assault.
        "An earthquake struck the region on Monday, killing 40 people.",
        "Hamas struck a deal with Fatah in Cairo on Monday.",
        "The militants struck a truce with the army near Idlib.",
        "The rebels' leader was stabbed in the back by his allies, the newspaper wrote.",
        # Idioms of striking, and participles: the group was struck, or struck nothing (a review found each).
        "The Taliban struck a more conciliatory tone in talks with US envoys in Doha.",
        "Islamic State struck fear into residents of Mosul.",
        "The militants struck gold in the desert.",
        "The rebels struck camp and moved north before dawn.",
        "Rebels targeted for sanctions by the European Union include three commanders.",
        "Militants targeted in drone strikes fled to Afghanistan.",
        "The bombing hit the headlines around the world.",
        # Shooting a film or oneself.
        "The militants shot a propaganda video in the desert.",
        "The gunman then shot himself.",
        "The footage was shot by militants near Raqqa.",
        # A call whose words run into "protest": still a call, not an attack.
        "The cleric urged supporters to march into protest camps and attack police stations in Lahore.",
    ],
)
def test_ordinary_news_with_harm_or_device_words_is_no_attack(pipeline: Pipeline, text: str) -> None:
    assert not _of(_run(pipeline, text), "attack")


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("Militants burned a village school in Borno state on Sunday.", "village school"),
        ("guerrillas killed a peasant in flores and burned a tank truck.", "tank truck"),
        # "their" alone is whose homes they were, not the burners'; "her own" is as often the victim's.
        ("Militants set fire to their homes in Dara on Friday.", "homes"),
        ("Militants set fire to her own house, the widow told reporters.", "own house"),
        # A passive names its attacker after "by".
        ("Two schools in Borno were burned by militants.", "schools"),
    ],
)
def test_burning_by_attackers_is_an_arson_attack(pipeline: Pipeline, text: str, target: str) -> None:
    attacks = _of(_run(pipeline, text), "attack")
    assert any(target in {f["text"] for f in a["roles"].get("target", [])} for a in attacks)


def test_a_burning_no_attacker_did_leaves_the_clause_s_later_attack_word(pipeline: Pipeline) -> None:
    text = "Mourners burned tyres as a suicide bombing killed 12 people at the market in Kano."
    (attack,) = _of(_run(pipeline, text), "attack")
    assert [f["value"] for f in attack["roles"]["killed"]] == [12]


def test_a_shot_down_aircraft_is_an_attack_and_a_time_word_in_a_cased_name_stays(pipeline: Pipeline) -> None:
    assert _of(_run(pipeline, "A helicopter was shot down near Kunduz."), "attack")
    (attack,) = _of(_run(pipeline, "Gunmen killed a Sunday Times journalist in Lagos."), "attack")
    assert "Sunday Times journalist" in _victims(attack)


def test_a_stretch_of_time_after_killed_is_no_victim(pipeline: Pipeline) -> None:
    # Without a publication date "the past weekend" is no date the attack record could take instead.
    text = "unidentified men killed the past weekend a peasant leader in morazan."
    (attack,) = _of(analysis_to_dict(pipeline.analyze_text(text)), "attack")
    assert not any("weekend" in victim for victim in _victims(attack))


def test_a_phrase_modifying_the_struck_thing_is_no_target(pipeline: Pipeline) -> None:
    (attack,) = _of(_run(pipeline, "A hotel popular with foreigners in Kabul was attacked by gunmen."), "attack")
    assert "foreigners" not in {f["text"] for f in attack["roles"].get("target", [])}


@pytest.mark.parametrize(
    ("text", "target"),
    [
        # A premises noun keeps whose it is, the attack word before it or the passive after it.
        ("Rebels attacked the headquarters of the air force in Ilopango.", "headquarters of the air force"),
        ("The residence of the honorary consul was destroyed by a bomb.", "residence of the honorary consul"),
        # A part gives way to its whole.
        ("Gunmen attacked the windows of the bank.", "bank"),
        ("Rebels blew up a stretch of the oil pipeline near Arauca.", "oil pipeline"),
        # The narrower phrase when the wider one holds the place: the owner is no target.
        ("Gunmen attacked the embassy of Turkey in Mogadishu, killing a guard.", "embassy"),
        # A hyphenated word the tagger splits ("state-owned") stays inside the phrase.
        ("A bomb destroyed a branch of the state-owned bank in Bogota.", "branch of the state-owned bank"),
        # A capitalised "Front" is a name, not a part.
        ("The army attacked the National Liberation Front of Tripura in the hills.", "National Liberation Front"),
        # A passive target is found past the place named after it.
        ("The embassy in Kabul was attacked on Monday.", "embassy"),
        ("A checkpoint near Mosul was bombed on Friday.", "checkpoint"),
        ("The home of the mayor in Lahore was attacked by gunmen.", "home of the mayor"),
    ],
)
def test_the_struck_thing_is_the_target(pipeline: Pipeline, text: str, target: str) -> None:
    (attack,) = _of(_run(pipeline, text), "attack")
    targets = {f["text"] for f in attack["roles"].get("target", [])}
    assert target in targets
    assert not targets & {"honorary consul", "windows", "stretch"}  # no person, no part alone


@pytest.mark.parametrize(
    ("model", "text"),
    [
        ("pipeline", "Two policemen were killed in a terrorist attack on a checkpoint near Kirkuk on Monday."),
        ("pipeline", "A guerrilla attack on the power station left the town without electricity."),
        # Without POS tags only an attack noun after the word makes it a modifier.
        ("rules_pipeline", "Two policemen were killed in a terrorist attack on a checkpoint near Kirkuk on Monday."),
    ],
)
def test_an_attacker_word_as_a_modifier_names_no_perpetrator(
    request: pytest.FixtureRequest, model: str, text: str
) -> None:
    attacks = _of(_run(request.getfixturevalue(model), text), "attack")
    assert attacks, "the attack itself is still found"
    perpetrators = {f["text"].lower() for a in attacks for f in a["roles"].get("perpetrator", [])}
    assert not perpetrators & {"terrorist", "guerrilla"}


@pytest.mark.parametrize(
    ("model", "text", "perpetrator"),
    [
        ("pipeline", "A terrorist opened fire on worshippers outside the mosque.", "terrorist"),
        ("pipeline", "Guerrilla units attacked the army post at dawn.", "Guerrilla units"),
        # A day name after the attacker is no noun it modifies; "gunman" is never a modifier.
        ("pipeline", "A gunman Sunday killed five people at a nightclub in Colorado Springs.", "gunman"),
        ("pipeline", "GUNMEN ATTACKED A BRANCH OF THE STATE-OWNED BANK IN KIRKUK.", "GUNMEN"),
        # A headline drops the article, and the tagger reads its verb as a noun.
        ("pipeline", "Terrorist attacks bus in Jerusalem, killing five passengers.", "Terrorist"),
        ("rules_pipeline", "Gunmen attack a police station in Zamfara, killing three officers.", "Gunmen"),
        # The whole hyphenated word before the attacker, not "old gunman".
        ("pipeline", "A 20-year-old gunman killed 19 children at a school in Texas.", "20-year-old gunman"),
    ],
)
def test_an_attacker_word_that_is_no_modifier_is_still_the_perpetrator(
    request: pytest.FixtureRequest, model: str, text: str, perpetrator: str
) -> None:
    (attack,) = _of(_run(request.getfixturevalue(model), text), "attack")
    assert perpetrator in {f["text"] for f in attack["roles"].get("perpetrator", [])}


@pytest.mark.parametrize(
    ("text", "role", "filler"),
    [
        ("A suicide bomber struck a NATO convoy near Kabul on Monday.", "target", "NATO convoy"),
        ("The convoy was struck by a suicide bomber near Kabul.", "target", "convoy"),
        ("Militants targeted a checkpoint in Sinai, killing five policemen.", "target", "checkpoint"),
        # "attacker" is the subject of the verb, not the clause's trigger that needs a name after it.
        ("An attacker stabbed two people at a train station in Hamburg.", "victim", "two people"),
        ("An attacker burned a school in Borno.", "target", "school"),
        ("The assailant stabbed a teacher to death in Arras.", "perpetrator", "assailant"),
        ("A suicide bomber rammed an explosives-laden truck into an army convoy near Gao.", "target", "army convoy"),
        ("Militants attacked Camp Shorabak in Helmand Province.", "target", "Camp Shorabak"),
        ("Insurgents struck in Kabul on Monday, killing five.", "perpetrator", "Insurgents"),
        ("A gunman shot three people at a mall in Texas.", "victim", "three people"),
        # An idiom's noun as a modifier is no idiom ("struck gold" is one).
        ("Militants struck a gold mine in Burkina Faso, killing 12 guards.", "target", "gold mine"),
        ("Militants shot two policemen in Peshawar.", "victim", "two policemen"),
    ],
)
def test_an_attacker_striking_targeting_or_stabbing_makes_an_attack(
    pipeline: Pipeline, text: str, role: str, filler: str
) -> None:
    (attack,) = _of(_run(pipeline, text), "attack")
    assert filler in {f["text"] for f in attack["roles"].get(role, [])}


def test_an_attacker_word_before_a_participle_with_its_agent_did_not_strike(pipeline: Pipeline) -> None:
    # "burned by the explosion": the militants were burned; they burned nothing.
    attacks = _of(_run(pipeline, "Militants burned by the explosion were taken to hospital."), "attack")
    perpetrators = {f["text"] for a in attacks for f in a["roles"].get("perpetrator", [])}
    assert "Militants" not in perpetrators


def test_the_shooting_or_stabbing_suspect_is_no_victim(pipeline: Pipeline) -> None:
    analysis = _run(pipeline, "Police arrested the stabbing suspect after the attack in Hamburg.")
    victims = {f["text"] for a in _of(analysis, "attack") for f in a["roles"].get("victim", [])}
    assert "suspect" not in victims


@pytest.mark.parametrize(
    ("text", "perpetrator"),
    [
        ("The attacker, who stabbed two passers-by, was shot dead by police.", "attacker"),
        ("The gunman, who killed five people, was shot dead by police.", "gunman"),
    ],
)
def test_who_stopped_the_attacker_is_not_the_perpetrator(pipeline: Pipeline, text: str, perpetrator: str) -> None:
    (attack,) = _of(_run(pipeline, text), "attack")
    perpetrators = {f["text"] for f in attack["roles"].get("perpetrator", [])}
    assert perpetrator in perpetrators
    assert "police" not in perpetrators


@pytest.mark.parametrize(
    ("text", "victim", "perpetrator"),
    [
        # The attacker noun is the agent of the participle ("targeted by gunmen"), not fighters who died.
        ("Villagers targeted by gunmen were killed in Zamfara on Friday.", "Villagers", "gunmen"),
        # The phrase before "were killed" ends the participle phrase: how they were hit, not who was hit.
        ("Soldiers targeted by the bombing were killed near Kabul.", "Soldiers", None),
        ("Two policemen caught in the blast were wounded in Quetta.", "Two policemen", None),
    ],
)
def test_the_subject_of_a_passive_harm_lies_before_a_participle_phrase(
    pipeline: Pipeline, text: str, victim: str, perpetrator: str | None
) -> None:
    (attack,) = _of(_run(pipeline, text), "attack")
    assert victim in {f["text"] for f in attack["roles"].get("victim", [])}
    perpetrators = {f["text"] for f in attack["roles"].get("perpetrator", [])}
    assert perpetrators == ({perpetrator} if perpetrator else set())


def test_fighters_killed_after_a_participle_phrase_are_no_attack_they_carried_out(pipeline: Pipeline) -> None:
    # As "five militants were killed in an air strike": fighters dying, not an attack by them.
    analysis = _run(pipeline, "The militants targeted by the air strike were killed in Helmand.")
    perpetrators = {f["text"] for a in _of(analysis, "attack") for f in a["roles"].get("perpetrator", [])}
    assert "militants" not in {p.lower() for p in perpetrators}


@pytest.mark.parametrize(
    ("text", "role", "filler"),
    [
        ("Bandits attacked a village in Zamfara, killing 30 people.", "perpetrator", "Bandits"),
        ("Militiamen stormed a camp for displaced people in Ituri on Sunday.", "perpetrator", "Militiamen"),
        ("The shooter opened fire at a school in Texas.", "perpetrator", "shooter"),
        ("A suicide bomber blew himself up outside a mosque in Peshawar.", "perpetrator", "suicide bomber"),
        ("The bomber blew himself up outside a mosque in Peshawar, killing 12.", "method", "blew himself up"),
    ],
)
def test_attackers_of_todays_reporting_and_a_bomber_blowing_himself_up(
    pipeline: Pipeline, text: str, role: str, filler: str
) -> None:
    (attack,) = _of(_run(pipeline, text), "attack")
    assert filler in {f["text"] for f in attack["roles"].get(role, [])}
