"""Plain-phrase role fillers lose the words that name no part of the thing: time adverbs, hedge tails, the crime."""

from __future__ import annotations

import pytest

from incitewatch import analyze
from incitewatch.extract.fillers import tidy_fillers, tidy_span
from incitewatch.types import Event, RoleFiller, Span


@pytest.mark.parametrize(
    ("text", "phrase", "role", "expected"),
    [
        ("police said terrorists tonight bombed two banks", "terrorists tonight", "perpetrator", "terrorists"),
        (
            "a powerful dynamite charge today exploded",
            "powerful dynamite charge today",
            "method",
            "powerful dynamite charge",
        ),
        ("attacks during which at least 10 buses were burned", "least 10 buses", "target", "10 buses"),
        ("a protest over the candidate's murder", "the candidate's murder", "victim", "the candidate"),
        ("the murder of the candidate", "the candidate", "victim", "the candidate"),
        ("the senate's murder inquiry", "the senate's murder", "target", "the senate's murder"),  # victims only
        ("they attacked today", "today", "target", "today"),  # never to nothing
    ],
)
def test_tidy_span_keeps_only_the_thing_named(text: str, phrase: str, role: str, expected: str) -> None:
    start = text.index(phrase)
    new_start, new_end = tidy_span(text, start, start + len(phrase), role)
    assert text[new_start:new_end] == expected


def test_tidied_fillers_keep_offsets_into_the_text_and_entity_fillers_stay() -> None:
    text = "Police said gunmen tonight attacked the ISIS office."
    gunmen = text.index("gunmen tonight")
    isis = text.index("ISIS")
    event = Event(
        id="e1",
        type="attack",
        evidence=Span(0, len(text), text),
        roles={
            "perpetrator": (
                RoleFiller(gunmen, gunmen + len("gunmen tonight"), "gunmen tonight", None, "gunmen tonight"),
                RoleFiller(isis, isis + 4, "ISIS", "group:islamic-state"),
            )
        },
    )
    (tidied,) = tidy_fillers([event], text)
    first, second = tidied.roles["perpetrator"]
    assert (first.text, first.value, text[first.start : first.end]) == ("gunmen", "gunmen", "gunmen")
    assert second == event.roles["perpetrator"][1]


def test_the_pipeline_tidies_what_it_reads_off_case_less_wire_text() -> None:
    doc = analyze("police have reported that terrorists tonight bombed the embassies of the prc and the soviet union.")
    perpetrators = [f for e in doc.events if e.type == "attack" for f in e.roles.get("perpetrator", ())]
    assert perpetrators, "the attack should have a perpetrator"
    assert all("tonight" not in f.text for f in perpetrators)
    assert all(doc.article.text[f.start : f.end] == f.text for f in perpetrators)


def test_two_fillers_tidied_to_one_span_become_one() -> None:
    text = "police said terrorists tonight bombed two banks"
    terrorists = text.index("terrorists")
    long, short = "terrorists tonight", "terrorists"
    both = (
        RoleFiller(terrorists, terrorists + len(long), long, value=long),
        RoleFiller(terrorists, terrorists + len(short), short, value=short),
    )
    event = Event(id="e1", type="attack", evidence=Span(0, len(text), text), roles={"perpetrator": both})
    (tidied,) = tidy_fillers([event], text)
    assert [(f.start, f.end, f.text) for f in tidied.roles["perpetrator"]] == [
        (terrorists, terrorists + len("terrorists"), "terrorists")
    ]


def test_of_two_fillers_on_one_span_the_entity_link_is_kept() -> None:
    text = "gunmen killed mayor Ana Ruiz on Monday"
    start = text.index("Ana Ruiz")
    plain = RoleFiller(start, start + len("Ana Ruiz"), "Ana Ruiz", value="Ana Ruiz")
    linked = RoleFiller(start, start + len("Ana Ruiz"), "Ana Ruiz", entity="person:ana-ruiz")
    event = Event(id="e1", type="attack", evidence=Span(0, len(text), text), roles={"victim": (plain, linked)})
    (tidied,) = tidy_fillers([event], text)
    assert [f.entity for f in tidied.roles["victim"]] == ["person:ana-ruiz"]
