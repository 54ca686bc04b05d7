"""Casualty counts found in prose, with spans that point into the text."""

from __future__ import annotations

import time

import pytest

from incitewatch.extract.numbers import find_counts, parse_number


@pytest.mark.parametrize(
    ("sentence", "kind", "value"),
    [
        ("Two explosions killed 100 people near the shrine.", "killed", 100),
        ("The blast killed at least 12 and wounded dozens more.", "killed", 12),
        ("Officials said 1,200 people were wounded in the stampede.", "wounded", 1200),
        ("A bomb at the station left 7 dead.", "killed", 7),
        ("The raid, which killed twelve soldiers, lasted an hour.", "killed", 12),
        ("Fourteen civilians were killed on Friday.", "killed", 14),
        ("The attack injured 41 others.", "wounded", 41),
        # A count adding to one told before.
        ("Gunmen injured another 15 in the second blast.", "wounded", 15),
        ("One man was killed and five more were wounded.", "wounded", 5),
        # Whose people they were, between the noun and the verb.
        ("Police said 12 members of the family were killed.", "killed", 12),
        ("Three officers of the national police were wounded.", "wounded", 3),
        # "Of the" before a count is no share when no count comes before it.
        ("Of the 130 injured, 77 were women or children.", "wounded", 130),
        # Compound number words are one count, not their last or first word.
        ("The bombing killed twenty-three people.", "killed", 23),
        ("Twenty three people were killed at the market.", "killed", 23),
        ("Two dozen people were wounded.", "wounded", 24),
        ("The raid killed some two hundred and fifty villagers.", "killed", 250),
        ("The shelling killed a hundred civilians.", "killed", 100),
        # A units word that starts something else stays out of the count.
        ("The bomb killed twenty one day after the election.", "killed", 20),
        ("The blast killed forty five minutes after the rally began.", "killed", 40),
        ("Gunmen killed eighty eight-year-old women in the raid.", "killed", 80),
    ],
)
def test_counts_are_found_with_kind_and_value(sentence: str, kind: str, value: int) -> None:
    counts = list(find_counts(sentence))
    assert (counts[0].kind, counts[0].value) == (kind, value)
    assert all(sentence[c.start : c.end] == c.text for c in counts)


def test_a_further_count_and_a_share_of_a_group() -> None:
    kinds = {(c.kind, c.value) for c in find_counts("Gunmen killed 23 soldiers and injured a further 15.")}
    assert kinds == {("killed", 23), ("wounded", 15)}
    # "of whom" starts the share, not the group: 3 were hurt, not 40.
    share = "40 passengers of whom 3 were injured were taken to hospital"
    assert [(c.kind, c.value) for c in find_counts(share)] == [("wounded", 3)]
    # Nor is a share of a group the group's count.
    assert list(find_counts("Six of the 12 members of the family were killed.")) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Two members of the cartel killed a police officer.",  # the counted are the killers
        "The delay killed another 20 minutes.",
        "The closure killed another 300 jobs.",
    ],
)
def test_counted_killers_and_things_are_no_casualties(sentence: str) -> None:
    assert list(find_counts(sentence)) == []


def test_both_killed_and_wounded_in_one_sentence() -> None:
    sentence = "The siege killed 14 people and wounded 30."
    kinds = {(c.kind, c.value) for c in find_counts(sentence)}
    assert kinds == {("killed", 14), ("wounded", 30)}


@pytest.mark.parametrize(
    "sentence", ["The bus left 5 people behind.", "He killed time reading.", "Attacks on 3 fronts."]
)
def test_no_count_where_none_is_said(sentence: str) -> None:
    assert list(find_counts(sentence)) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Gunmen killed twenty-three-year-old Ahmed Khan outside his shop.",  # an age, not a count
        "The fire killed a hundred-year-old man.",
        "Troops killed tens of militants.",  # "tens" is not "ten"
    ],
)
def test_ages_and_vague_words_are_no_counts(sentence: str) -> None:
    assert list(find_counts(sentence)) == []


def test_parse_number_words_and_digits() -> None:
    assert parse_number("1,200") == 1200
    assert parse_number("twelve") == 12
    assert parse_number("banana") is None
    assert parse_number("twenty-three") == 23
    assert parse_number("two dozen") == 24
    assert parse_number("a hundred and five") == 105
    assert parse_number("two thousand five hundred") == 2500
    assert parse_number("dozens") == 24
    assert parse_number("a") is None
    assert parse_number("twenty bananas") is None


def test_death_toll_phrasing_gives_killed() -> None:
    sentence = "The death toll from Friday's attack on a hotel rose to 17 on Sunday."
    (count,) = list(find_counts(sentence))
    assert (count.kind, count.value) == ("killed", 17)


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        ("They killed 23 Afghan soldiers and injured others.", "killed 23 Afghan soldiers"),
        ("The car bomb exploded, killing two passers-by.", "killing two passers-by"),
        ("The shelling killed 13 protesters in the square.", "killed 13 protesters"),
        ("At least 9 pilgrims were killed near the shrine.", "At least 9 pilgrims were killed"),
        ("The gunman opened fire, killing 5 across the city.", "killing 5"),
        ("The blast killed 13 in September.", "killed 13"),
        ("Gunmen opened fire, killing 5 in two attacks.", "killing 5"),
    ],
)
def test_a_count_spans_the_people_it_counts_and_no_further(sentence: str, phrase: str) -> None:
    (count,) = find_counts(sentence)
    assert count.text == phrase


def test_a_long_run_of_numbers_is_read_within_a_hostile_input_bound() -> None:
    # Speed is measured in benchmarks/; this guards against a runaway pattern. The age check once scanned the
    # rest of the text from every number: 64,000 characters of "1-1-1-…" took a minute.
    text = "1-" * 32_000 + " 12 people were killed"
    started = time.perf_counter()
    counts = list(find_counts(text))
    assert time.perf_counter() - started < 5.0
    assert [(c.kind, c.value) for c in counts] == [("killed", 12)]
