"""Direct quotes: pairing of quotation marks, multi-paragraph quotes, scare quotes, and speakers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from incitewatch.extract.quotes import extract_quotes
from incitewatch.types import Entity, Quote
from tests.annotations import entity, seed


def quotes(text: str, *entities: Entity) -> tuple[Quote, ...]:
    found = extract_quotes(text, None, entities)
    for quote in found:
        assert text[quote.start : quote.end] == quote.text
        for span in (quote.speaker_span, quote.cue):
            assert span is None or text[span.start : span.end] == span.text
    return found


def by_text(found: tuple[Quote, ...]) -> dict[str, str | None]:
    return {q.text: q.speaker for q in found}


# ---------------------------------------------------------------------------------------------------------
# Quotation marks


def test_content_excludes_the_marks_and_the_closing_comma() -> None:
    text = "“We will strike them in their homes and their markets,” he said."
    (quote,) = quotes(text)
    assert quote.text == "We will strike them in their homes and their markets"
    assert quote.cue is not None and quote.cue.text == "said"


def test_curly_apostrophes_do_not_close_single_quotes() -> None:
    text = "‘The group’s fighters won’t stop until the city falls,’ the commander said."
    assert [q.text for q in quotes(text)] == ["The group’s fighters won’t stop until the city falls"]


def test_nested_quotes_belong_to_the_outer_quote() -> None:
    text = "She said: “They call it ‘normal’ to say such things in front of children.”"
    assert [q.text for q in quotes(text)] == [
        "They call it ‘normal’ to say such things in front of children."
    ]


def test_straight_quotes_are_paired() -> None:
    text = 'The preacher said "the time for words is over, now is the time for deeds" and left the room.'
    assert [q.text for q in quotes(text)] == ["the time for words is over, now is the time for deeds"]


def test_a_quote_continues_into_a_paragraph_that_opens_with_a_quotation_mark() -> None:
    text = (
        "The statement said: “Our brothers in the west must rise and act alone without waiting.\n"
        "“Take knives and vehicles, for they are within reach of every one of you.”\n"
        "Analysts said the call was familiar."
    )
    found = quotes(text)
    assert [q.text for q in found] == [
        "Our brothers in the west must rise and act alone without waiting.",
        "Take knives and vehicles, for they are within reach of every one of you.",
    ]
    assert found[0].cue == found[1].cue and found[0].cue is not None and found[0].cue.text == "said"


def test_an_unclosed_quote_ends_with_its_paragraph_when_the_next_does_not_open_one() -> None:
    text = (
        "He wrote: “We will return to the city and take it back from them\nPolice said the post was removed."
    )
    assert [q.text for q in quotes(text)] == ["We will return to the city and take it back from them"]


# ---------------------------------------------------------------------------------------------------------
# Scare quotes (decision: no Quote unless a speech verb governs them)


def test_short_scare_quotes_and_names_give_no_quote() -> None:
    text = (
        "The group called on “lone wolves” to act. A reporter, known only as ‘Aisha’, met the “sisters” who "
        "praised the ‘martyrs’."
    )
    assert quotes(text) == ()


def test_a_short_quote_governed_by_a_speech_verb_is_a_quote() -> None:
    text = "Asked whether the cell was still active, Omar Saleh said: “Yes, it is.” Later, “Never,” he said."
    omar = entity(text, "person:omar-saleh", "Omar Saleh")
    assert by_text(quotes(text, omar)) == {"Yes, it is.": "person:omar-saleh", "Never": "person:omar-saleh"}


def test_a_long_fragment_inside_a_sentence_is_a_quote_of_the_sentence_speaker() -> None:
    text = "Al-Ansari urged militants in the Sahel to “move operations into the major cities now”."
    ansari = entity(text, "person:al-ansari", "Al-Ansari")
    assert by_text(quotes(text, ansari)) == {"move operations into the major cities now": "person:al-ansari"}


# ---------------------------------------------------------------------------------------------------------
# Speakers


def test_speaker_named_after_the_verb() -> None:
    text = "“Fight them with the strength of one man, wherever they are,” said Abu Hamza al-Iraqi, the emir."
    found = quotes(text, entity(text, "person:abu-hamza", "Abu Hamza al-Iraqi"))
    assert found[0].speaker == "person:abu-hamza"
    assert found[0].speaker_span is not None and found[0].speaker_span.text == "Abu Hamza al-Iraqi"


def test_pronoun_resolves_to_the_most_recent_compatible_person() -> None:
    text = (
        "Minister Lena Fischer met Karim Haddad on Monday. Karim Haddad spoke first.\n\n"
        "“We remain vigilant against every threat to our citizens,” she said."
    )
    found = quotes(
        text,
        entity(text, "person:lena-fischer", "Lena Fischer", gender="female"),
        entity(text, "person:karim-haddad", "Karim Haddad", gender="male"),
    )
    assert by_text(found) == {
        "We remain vigilant against every threat to our citizens": "person:lena-fischer"
    }


def test_told_the_outlet_before_a_colon() -> None:
    text = "Aisha told the Mail: “The women believe the group is the true caliphate.”"
    (quote,) = quotes(text, entity(text, "person:aisha", "Aisha"))
    assert quote.speaker == "person:aisha"
    assert quote.cue is not None and quote.cue.text == "told the Mail"


def test_role_noun_resolves_by_the_role_attribute() -> None:
    text = "Abu Saleh spoke after the raid. “We will avenge our brothers in every land,” the spokesman said."
    found = quotes(
        text,
        entity(text, "person:abu-saleh", "Abu Saleh"),
        entity(text, "person:abu-yusuf", "Abu Yusuf", role="spokesman"),
    )
    assert by_text(found) == {"We will avenge our brothers in every land": "person:abu-yusuf"}


def test_role_noun_resolves_to_the_person_named_with_that_role_before_the_quote() -> None:
    text = (
        "Abu Saleh, the group’s new spokesperson, released an address. Omar Idris was not mentioned.\n\n"
        "“We will avenge our brothers in every land,” the spokesperson said in his message.\n\n"
        "His predecessor, the spokesman Abu Talha, was arrested."
    )
    found = quotes(
        text,
        entity(text, "person:abu-saleh", "Abu Saleh"),
        entity(text, "person:omar-idris", "Omar Idris"),
        entity(text, "person:abu-talha", "Abu Talha"),
    )
    assert by_text(found) == {"We will avenge our brothers in every land": "person:abu-saleh"}


def test_a_recording_speaks_for_the_person_it_is_attributed_to() -> None:
    text = (
        "The voice on the tape has been attributed to the group’s leader, Abu Bakr al-Masri.\n"
        "The tape said: “Go forth, light and heavy, and strike the enemies of the faith.”"
    )
    found = quotes(text, entity(text, "person:abu-bakr-al-masri", "Abu Bakr al-Masri"))
    assert by_text(found) == {
        "Go forth, light and heavy, and strike the enemies of the faith.": "person:abu-bakr-al-masri"
    }


def test_it_said_resolves_to_the_most_recent_group() -> None:
    text = "Islamic State issued a statement. “Our soldiers struck the concert hall in the city,” it said."
    found = quotes(text, entity(text, "group:islamic-state", "Islamic State", type_="group"))
    assert by_text(found) == {"Our soldiers struck the concert hall in the city": "group:islamic-state"}


def test_an_unknown_speaker_is_none_but_keeps_its_span() -> None:
    text = "“The attack was planned for months by a small cell,” a police source said."
    (quote,) = quotes(text)
    assert quote.speaker is None
    assert quote.speaker_span is not None and quote.speaker_span.text == "a police source"


# ---------------------------------------------------------------------------------------------------------
# Seeds


def test_seed_002_recording_and_aisha() -> None:
    text = seed("002")
    spokesman = entity(text, "person:abi-al-hassan-al-muhajer", "Abi al-Hassan al-Muhajer")
    aisha = entity(text, "person:aisha", "Aisha")
    found = quotes(text, spokesman, aisha)
    assert [(q.text[:20], q.speaker) for q in found] == [
        ("O lions of Mosul, Ra", spokesman.id),
        ("To the brethren of f", spokesman.id),
        ("The women believe th", aisha.id),
        ("The casual way this ", aisha.id),
    ]
    assert found[1].text.endswith("do as they have done.")
    assert found[0].cue is not None and found[0].cue.text == "said"
    assert found[2].cue is not None and found[2].cue.text == "told the Mail"


def test_seed_000_spokesperson_and_mccary() -> None:
    text = seed("000")
    ansari = entity(text, "person:hudhayfah-al-ansari", "Hudhayfah al-Ansari", "Al-Ansari")
    muhajir = entity(text, "person:abu-omar-al-muhajir", "Abu Omar al-Muhajir", role="spokesman")
    mccary = entity(text, "person:ian-j-mccary", "Ian J. Mccary")
    isis = entity(text, "group:islamic-state", "Islamic State", "ISIS", type_="group")
    speakers = by_text(quotes(text, ansari, muhajir, mccary, isis))
    war = next(q for q in speakers if q.startswith("It is a religious ideological war"))
    assert speakers[war] == ansari.id
    vigilant = next(q for q in speakers if q.startswith("We remain vigilant"))
    assert speakers[vigilant] == mccary.id
    assert not {"lone wolves", "Lone Wolves", "members", "double attacks"} & set(speakers)


PIECES = [*"ab ,.:\n“”‘’\"'", "said", " he ", "Abu", "the spokesman", "recording"]


@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
@settings(max_examples=300, deadline=None)
def test_spans_always_point_into_the_text(text: str) -> None:
    for quote in quotes(text, entity(text, "person:abu", "Abu")):
        assert quote.end > quote.start
        assert quote.text == quote.text.strip()
        # The content starts right after an opening mark (spaces aside).
        assert text[: quote.start].rstrip()[-1] in "“‘\"'"
