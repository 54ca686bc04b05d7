"""Date expressions normalised against the publication date (incitewatch.extract.times)."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incitewatch.extract import times
from incitewatch.extract.times import (
    duration_value,
    easter_sunday,
    extract_times,
    hijri_occurrences,
    narrow_period,
    parse_number,
    pick_occurrence,
    resolve_holiday,
    resolve_month,
    resolve_month_day,
    resolve_weekday,
    shift_value,
)
from incitewatch.types import TimeExpr
from tests.annotations import seed

TUE_2017_06_13 = date(2017, 6, 13)  # a Tuesday, during Ramadan 1438
SAT_2024_03_30 = date(2024, 3, 30)


def by_text(found: tuple[TimeExpr, ...]) -> dict[str, TimeExpr]:
    return {t.text: t for t in found}


def only(text: str, published: date | None) -> TimeExpr:
    found = extract_times(text, published)
    assert len(found) == 1, found
    return found[0]


def assert_well_formed(text: str, found: tuple[TimeExpr, ...]) -> None:
    for t in found:
        assert t.text == text[t.start : t.end]
    for a, b in pairwise(found):
        assert a.end <= b.start, (a, b)


# ---------------------------------------------------------------------------------------------------------
# Small resolvers
# ---------------------------------------------------------------------------------------------------------


def test_resolve_weekday_prefers_the_most_recent_day_including_publication_day() -> None:
    assert resolve_weekday(TUE_2017_06_13, 0) == date(2017, 6, 12)  # Monday before
    assert resolve_weekday(TUE_2017_06_13, 1) == TUE_2017_06_13  # same day
    assert resolve_weekday(TUE_2017_06_13, 2) == date(2017, 6, 7)  # Wednesday a week back


def test_resolve_weekday_other_directions() -> None:
    assert resolve_weekday(TUE_2017_06_13, 1, "last") == date(2017, 6, 6)
    assert resolve_weekday(TUE_2017_06_13, 1, "next") == date(2017, 6, 20)
    assert resolve_weekday(TUE_2017_06_13, 1, "future") == TUE_2017_06_13
    assert resolve_weekday(TUE_2017_06_13, 4, "future") == date(2017, 6, 16)
    assert resolve_weekday(TUE_2017_06_13, 6, "this") == date(2017, 6, 18)


def test_resolve_month() -> None:
    assert resolve_month(SAT_2024_03_30, 1) == (2024, 1)
    assert resolve_month(SAT_2024_03_30, 3) == (2024, 3)  # the publication month is still "this year"
    assert resolve_month(SAT_2024_03_30, 9) == (2023, 9)  # after the publication month: last year
    assert resolve_month(SAT_2024_03_30, 9, "future") == (2024, 9)
    assert resolve_month(SAT_2024_03_30, 3, "last") == (2023, 3)
    assert resolve_month(SAT_2024_03_30, 3, "next") == (2025, 3)
    assert resolve_month(SAT_2024_03_30, 11, "this") == (2024, 11)


def test_resolve_month_day() -> None:
    assert resolve_month_day(TUE_2017_06_13, 9, 12) == date(2016, 9, 12)
    assert resolve_month_day(TUE_2017_06_13, 6, 13) == TUE_2017_06_13
    assert resolve_month_day(TUE_2017_06_13, 6, 1, "future") == date(2018, 6, 1)
    assert resolve_month_day(date(2023, 5, 1), 2, 29) is None  # 2023 has no 29 February


def test_shift_value_keeps_the_unit_precision() -> None:
    assert shift_value(TUE_2017_06_13, 2, "years") == "2015"
    assert shift_value(TUE_2017_06_13, 7, "months") == "2016-11"
    assert shift_value(TUE_2017_06_13, 3, "day") == "2017-06-10"
    assert shift_value(TUE_2017_06_13, 1, "week") == "2017-W23"
    assert shift_value(TUE_2017_06_13, -1, "decade") == "2027"


def test_parse_number_and_duration_value() -> None:
    assert parse_number("nine") == 9
    assert parse_number("twenty-five") == 25
    assert parse_number("1,000") == 1000
    assert parse_number("a dozen") == 12
    assert parse_number("several") is None
    assert duration_value(40, "minute") == "PT40M"
    assert duration_value(9, "years") == "P9Y"
    assert duration_value(2, "decades") == "P20Y"
    assert duration_value(0.5, "hour") == "PT30M"
    assert duration_value(None, "weeks") == "PXW"


def test_pick_occurrence() -> None:
    spans = [(date(2016, 6, 6), date(2016, 7, 5)), (date(2017, 5, 27), date(2017, 6, 24))]
    assert pick_occurrence(spans, date(2017, 6, 1)) == spans[1]  # under way
    assert pick_occurrence(spans, date(2017, 5, 1), lead_days=45) == spans[1]  # shortly before
    assert pick_occurrence(spans, date(2017, 5, 1)) == spans[0]
    assert pick_occurrence(spans, date(2017, 6, 1), "last") == spans[0]
    assert pick_occurrence(spans, date(2016, 12, 1), "next") == spans[1]


def test_narrow_period() -> None:
    may = (date(2017, 5, 1), date(2017, 5, 31))
    assert narrow_period(*may, "month", "late") == (date(2017, 5, 21), date(2017, 5, 31))
    assert narrow_period(*may, "month", "early") == (date(2017, 5, 1), date(2017, 5, 10))
    assert narrow_period(*may, "month", "mid") == (date(2017, 5, 11), date(2017, 5, 20))
    year = (date(2024, 1, 1), date(2024, 12, 31))
    assert narrow_period(*year, "year", "late") == (date(2024, 9, 1), date(2024, 12, 31))
    assert narrow_period(*year, "year", "earlier", SAT_2024_03_30) == (date(2024, 1, 1), date(2024, 3, 29))


def test_hijri_calendar_is_computed_not_tabulated() -> None:
    (ramadan_1438,) = hijri_occurrences(9, 1, None, [1438])
    assert ramadan_1438[0] == date(2017, 5, 27)
    assert abs((ramadan_1438[1] - date(2017, 6, 25)).days) <= 1
    assert hijri_occurrences(9, 1, None, [1200]) == []  # outside the Umm al-Qura range: skipped, no error
    assert easter_sunday(2024) == date(2024, 3, 31)


def test_resolve_holiday_with_an_explicit_year() -> None:
    assert resolve_holiday("ramadan", None, year=2016) == (date(2016, 6, 6), date(2016, 7, 5))
    assert resolve_holiday("christmas", None) is None


# ---------------------------------------------------------------------------------------------------------
# Relative expressions against a publication date
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "published", "span", "value"),
    [
        ("The clip was posted on Monday by the group.", TUE_2017_06_13, "Monday", "2017-06-12"),
        ("Police raided the flat on Tuesday.", TUE_2017_06_13, "Tuesday", "2017-06-13"),
        ("Two men were held yesterday.", TUE_2017_06_13, "yesterday", "2017-06-12"),
        ("The channel went dark last week.", SAT_2024_03_30, "last week", "2024-W12"),
        ("Leaflets appeared last month.", SAT_2024_03_30, "last month", "2024-02"),
        ("The trial opens next week.", SAT_2024_03_30, "next week", "2024-W14"),
        ("Raids have risen this year.", SAT_2024_03_30, "this year", "2024"),
        ("Footage filmed two years ago resurfaced.", TUE_2017_06_13, "two years ago", "2015"),
        ("The video from six months ago", SAT_2024_03_30, "six months ago", "2023-09"),
        (
            "He was seized last year in September near the border.",
            SAT_2024_03_30,
            "last year in September",
            "2023-09",
        ),
        ("He was seized in September last year.", SAT_2024_03_30, "September last year", "2023-09"),
        ("A bombing in January shook the city.", SAT_2024_03_30, "January", "2024-01"),
        ("The siege began in March.", SAT_2024_03_30, "March", "2024-03"),
        ("The cell met in October.", SAT_2024_03_30, "October", "2023-10"),
        ("The vote will be held in October.", SAT_2024_03_30, "October", "2024-10"),
        ("He said he will travel on Friday.", TUE_2017_06_13, "Friday", "2017-06-16"),
        ("A raid on Sept. 12 left three dead.", TUE_2017_06_13, "Sept. 12", "2016-09-12"),
        ("Residents fled last summer.", SAT_2024_03_30, "last summer", "2023-SU"),
        ("Shots were heard last night.", SAT_2024_03_30, "last night", "2024-03-29TNI"),
    ],
)
def test_relative_expressions(text: str, published: date, span: str, value: str) -> None:
    found = only(text, published)
    assert (found.text, found.value) == (span, value)
    assert text[found.start : found.end] == span


@pytest.mark.parametrize(
    ("text", "published", "span", "value", "begin", "end"),
    [
        ("Fighting flared in late May.", TUE_2017_06_13, "late May", "2017-05", "2017-05-21", "2017-05-31"),
        ("Talks stalled in early June.", TUE_2017_06_13, "early June", "2017-06", "2017-06-01", "2017-06-10"),
        ("Arrests peaked in mid-July.", TUE_2017_06_13, "mid-July", "2016-07", "2016-07-11", "2016-07-20"),
        ("Cells regrouped earlier this year.", SAT_2024_03_30, "earlier this year", "2024", "2024-01-01",
         "2024-03-29"),
        ("It ended at the end of March.", SAT_2024_03_30, "the end of March", "2024-03", "2024-03-21",
         "2024-03-31"),
        ("The groups formed in the early 1990s.", SAT_2024_03_30, "the early 1990s", "199", "1990-01-01",
         "1993-12-31"),
    ],
)  # fmt: skip
def test_early_mid_late_narrow_the_period(
    text: str, published: date, span: str, value: str, begin: str, end: str
) -> None:
    found = only(text, published)
    assert (found.text, found.value, found.begin, found.end_date) == (span, value, begin, end)


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("Rivals have clashed over the past nine years.", "the past nine years", "P9Y"),
        ("He gave an over 40-minute-long address.", "over 40-minute-long", "PT40M"),
        ("The siege lasted about 90 minutes.", "about 90 minutes", "PT90M"),
        ("The group has been quiet in recent weeks.", "recent weeks", "PXW"),
        ("The hostages were held for two decades.", "two decades", "P20Y"),
    ],
)
def test_durations(text: str, span: str, value: str) -> None:
    found = only(text, SAT_2024_03_30)
    assert (found.text, found.value, found.type) == (span, value, "DURATION")


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("The decree is dated March 22, 2024 in the file.", "March 22, 2024", "2024-03-22"),
        ("The decree is dated 22 March 2024 in the file.", "22 March 2024", "2024-03-22"),
        ("The decree is dated 2024-03-22 in the file.", "2024-03-22", "2024-03-22"),
        ("It was signed on Monday, 12 June 2017.", "Monday, 12 June 2017", "2017-06-12"),
        ("The group split in May 2010.", "May 2010", "2010-05"),
        ("He was born in 1989 in Mosul.", "1989", "1989"),
        ("The movement grew in the 1990s.", "the 1990s", "199"),
        ("Borders drawn in the 20th century", "the 20th century", "19"),
        ("Clashes on 22-24 March 2023 in the north", "22-24 March 2023", "2023-03-22/2023-03-24"),
    ],
)
def test_absolute_dates_resolve_with_or_without_a_publication_date(text: str, span: str, value: str) -> None:
    for published in (SAT_2024_03_30, None):
        found = only(text, published)
        assert (found.text, found.value) == (span, value)


def test_without_a_publication_date_relative_values_are_underspecified() -> None:
    text = (
        "The group struck on Monday and in late May, again last week and two years ago. "
        "It will resume next month. Arrests came in September. Ramadan ended. This year was hard."
    )
    values = {t.text: t.value for t in extract_times(text, None)}
    assert values == {
        "Monday": "XXXX-WXX-1",
        "late May": "XXXX-05",
        "last week": "PAST_REF",
        "two years ago": "PAST_REF",
        "next month": "FUTURE_REF",
        "September": "XXXX-09",
        "Ramadan": "XXXX",
        "This year": "PRESENT_REF",
    }


# ---------------------------------------------------------------------------------------------------------
# Religious periods and holidays
# ---------------------------------------------------------------------------------------------------------


def test_ramadan_under_way_at_publication_is_a_range() -> None:
    text = "Supporters were urged to strike during the Islamic holy month of Ramadan, a message said."
    found = only(text, TUE_2017_06_13)
    assert found.text == "the Islamic holy month of Ramadan"
    assert found.begin == "2017-05-27"
    assert found.end_date is not None
    assert abs((date.fromisoformat(found.end_date) - date(2017, 6, 25)).days) <= 1
    assert found.value == f"{found.begin}/{found.end_date}"


def test_ramadan_shortly_ahead_of_publication_is_the_coming_one() -> None:
    found = only("Threats rose ahead of Ramadan.", date(2024, 3, 1))
    assert found.begin == "2024-03-11"


@pytest.mark.parametrize(
    ("name", "published", "begin", "end"),
    [
        ("Eid al-Fitr", TUE_2017_06_13, "2017-06-25", "2017-06-27"),  # 12 days ahead: the coming one
        ("Eid al-Adha", SAT_2024_03_30, "2023-06-28", "2023-07-01"),
        ("Muharram", SAT_2024_03_30, "2023-07-19", "2023-08-16"),
        ("Ramadan 2016", SAT_2024_03_30, "2016-06-06", "2016-07-05"),
        ("last Ramadan", SAT_2024_03_30, "2023-03-23", "2023-04-20"),
        ("Easter weekend", SAT_2024_03_30, "2024-03-29", "2024-04-01"),
    ],
)
def test_holiday_ranges(name: str, published: date, begin: str, end: str) -> None:
    found = only(f"Security was tight over {name} in the capital.", published)
    assert (found.text, found.begin, found.end_date, found.value) == (name, begin, end, f"{begin}/{end}")


@pytest.mark.parametrize(
    ("name", "published", "value"),
    [
        ("Ashura", SAT_2024_03_30, "2023-07-28"),
        ("Christmas", TUE_2017_06_13, "2016-12-25"),
        ("Easter", SAT_2024_03_30, "2024-03-31"),  # tomorrow
        ("New Year's Eve", SAT_2024_03_30, "2023-12-31"),
        ("New Year's Day", SAT_2024_03_30, "2024-01-01"),
    ],
)
def test_single_day_holidays(name: str, published: date, value: str) -> None:
    found = only(f"Police were on alert on {name} across the country.", published)
    assert (found.text, found.value) == (name, value)


def test_anniversaries_are_not_durations() -> None:
    assert extract_times("It marks the 10-year anniversary of the caliphate.", SAT_2024_03_30) == ()


def test_not_holidays() -> None:
    text = "The Christmas market attack, the Chinese New Year parade and the new year ahead."
    assert extract_times(text, SAT_2024_03_30) == ()


# ---------------------------------------------------------------------------------------------------------
# Precision: words that only look like dates
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Theresa May said the threat was severe.",
        "Protesters may march on the embassy.",
        "A 22-year-old man was charged.",
        "A second attack followed.",
        "In a statement 2000 people were said to have fled.",
        "The Sunday Times reported it first.",
        "Black September claimed the attack.",
        "After the fall of Mosul and the Arab Spring.",
        "He is in his 90s.",
        "Chechen leader Ramzan Kadyrov praised the police.",
        "The preacher Tariq Ramadan was questioned.",
    ],
)
def test_look_alikes_are_not_dates(text: str) -> None:
    assert extract_times(text, SAT_2024_03_30) == ()


def test_clock_times_are_not_years_or_durations() -> None:
    assert extract_times("The watchmen said that at 2030 they saw a car, plates MI-1630.", None) == ()
    found = only("The attack began at 1630 hours.", None)
    assert (found.text, found.value, found.type) == ("1630 hours", "XXXX-XX-XXT16:30", "TIME")


def test_a_weekday_picks_the_year_of_a_day_and_month() -> None:
    found = only("The rally was set for Sunday, 19 May.", SAT_2024_03_30)
    assert found.value == "2024-05-19"  # 19 May 2023 was a Friday


def test_counted_number_after_a_month_is_not_a_day() -> None:
    found = only("In March 12 people died in the blasts.", SAT_2024_03_30)
    assert (found.text, found.value) == ("March", "2024-03")
    found = only("On March 12 police arrested him.", SAT_2024_03_30)
    assert (found.text, found.value) == ("March 12", "2024-03-12")


@pytest.mark.parametrize("transform", [str.upper, str.lower])
def test_case_robust(transform: object) -> None:
    assert callable(transform)
    text = transform("The audio was released on Monday, and fighting began in late May during Ramadan.")
    found = extract_times(text, TUE_2017_06_13)
    assert [t.value for t in found] == ["2017-06-12", "2017-05", "2017-05-27/2017-06-24"]
    assert_well_formed(text, found)


def test_deictic_words_only_when_asked() -> None:
    text = "The group is now weaker and has recently lost ground, as in the past."
    assert extract_times(text, SAT_2024_03_30) == ()
    values = [t.value for t in extract_times(text, SAT_2024_03_30, include_deictic=True)]
    assert values == ["PRESENT_REF", "PAST_REF", "PAST_REF"]


# ---------------------------------------------------------------------------------------------------------
# spaCy entities, dateparser, speed
# ---------------------------------------------------------------------------------------------------------


def test_doc_entities_fill_gaps_through_dateparser() -> None:
    import spacy
    from spacy.tokens import Span

    text = "The order is dated March the 22nd, 2024 and was read on Monday."
    doc = spacy.blank("en")(text)
    start = text.index("March")
    span = doc.char_span(start, start + len("March the 22nd, 2024"), label="DATE")
    monday = doc.char_span(text.index("Monday"), text.index("Monday") + 6, label="DATE")
    assert isinstance(span, Span) and isinstance(monday, Span)
    doc.ents = [span, monday]
    found = extract_times(text, SAT_2024_03_30, doc)
    assert [(t.text, t.value) for t in found] == [
        ("March the 22nd, 2024", "2024-03-22"),
        ("Monday", "2024-03-25"),
    ]
    assert [t.text for t in extract_times(text, SAT_2024_03_30)] == ["2024", "Monday"]  # grammar alone


def test_dateparser_only_sees_numeric_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(candidate: str, published_iso: str | None) -> None:
        raise AssertionError(f"dateparser called on {candidate!r}")

    monkeypatch.setattr(times, "_dateparser_value", refuse)
    text = (
        "On Monday, 12 June 2017, in late May and two years ago during Ramadan, for the past nine years. "
        * 50
    )
    assert len(extract_times(text, TUE_2017_06_13)) == 250


def test_numeric_dates_go_through_dateparser() -> None:
    found = only("The file is stamped 22/03/2024 in red.", SAT_2024_03_30)
    assert found.value == "2024-03-22"


def test_published_may_be_a_datetime() -> None:
    from datetime import datetime

    assert only("It happened yesterday.", datetime(2017, 6, 13, 9, 30)).value == "2017-06-12"


_PHRASES = st.sampled_from(
    [
        "on Monday", "in late May", "last year in September", "the past nine years", "Ramadan",
        "2024-03-22", "MARCH 22, 2024", "two years ago", "the 1990s", "over 40-minute-long", "in may",
        "Eid", " ", ", ", ".", "people", "the", "12", "mid-", "early", "\n",
    ]
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(_PHRASES, st.text(max_size=8)), max_size=12), st.sampled_from([SAT_2024_03_30, None])
)
def test_spans_are_sorted_disjoint_and_exact(pieces: list[str], published: date | None) -> None:
    text = " ".join(pieces)
    assert_well_formed(text, extract_times(text, published))


# ---------------------------------------------------------------------------------------------------------
# The seed reports
# ---------------------------------------------------------------------------------------------------------


def test_seed_002() -> None:
    text = seed("002")
    found = extract_times(text, TUE_2017_06_13)
    assert_well_formed(text, found)
    got = by_text(found)
    assert got["Monday"].value == "2017-06-12"
    ramadan = got["the Islamic holy month of Ramadan"]
    assert ramadan.begin == "2017-05-27" and ramadan.end_date in ("2017-06-24", "2017-06-25", "2017-06-26")
    assert (got["late May"].value, got["late May"].begin, got["late May"].end_date) == (
        "2017-05",
        "2017-05-21",
        "2017-05-31",
    )
    assert got["June"].value == "2017-06"
    assert (got["two years ago"].value, got["two years ago"].type) == ("2015", "DATE")


def test_seed_000() -> None:
    text = seed("000")
    found = extract_times(text, SAT_2024_03_30)
    assert_well_formed(text, found)
    got = by_text(found)
    assert got["last year in September"].value == "2023-09"
    assert got["January"].value == "2024-01"
    assert got["March"].value == "2024-03"
    assert got["this year"].value == "2024"
    assert (got["the past nine years"].value, got["the past nine years"].type) == ("P9Y", "DURATION")
    assert got["over 40-minute-long"].value == "PT40M"
    assert "10-year" not in got  # an anniversary is a day with an unknown anchor, not a duration
