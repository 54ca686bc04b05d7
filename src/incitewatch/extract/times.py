"""Date expressions in an article, normalised against its publication date (TIMEX3-like values).

A small grammar of regular expressions finds candidates (explicit dates, weekdays, months, relative phrases,
durations, religious periods); each rule resolves its match against the publication date with the pure
resolvers below (``resolve_weekday``, ``resolve_month`` ...). spaCy DATE entities the grammar missed go to
dateparser, which is slow, so it only ever sees those short strings and numeric dates, and its answers are
cached. Each rule scans only the text around its anchor words (month names, units, ...), which keeps the whole
pass at a few per cent of spaCy's time.

Values follow TIMEX3: "2017-06-12", "2017-06", "2017", "2017-W24", "2017-SU", "199" (the 1990s), "19" (the
20th century), "P2Y"/"PT40M" for durations, "XXXX-09" or "PAST_REF" when no publication date anchors a
relative phrase. Ranges (religious periods, "late May") also carry ``begin``/``end_date``; a range value reads
"begin/end". Plain months, years and weeks do not: their value says it all.

News is written about the past, so an unanchored "on Monday" or "in September" is the most recent one (the
same day or month counts); a future cue in the same clause ("will", "scheduled") flips that to the next one.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

from incitewatch.extract.numbers import CARDINALS, TENS
from incitewatch.types import TimeExpr

if TYPE_CHECKING:
    from spacy.tokens import Doc

Direction = Literal["past", "future", "last", "next", "this"]
TimeType = Literal["DATE", "TIME", "DURATION", "SET"]
Grain = Literal["day", "week", "month", "season", "quarter", "year", "decade", "century", "period", "none"]

RELIGIOUS_PERIODS_FILE = "religious_periods.json"
# A holiday that starts this many days after publication is "the coming one" rather than last year's.
HOLIDAY_LEAD_DAYS = 45

# ----------------------------------------------------------------------------------------------------------
# Vocabulary
# ----------------------------------------------------------------------------------------------------------

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
_SEASON_FIRST_MONTH = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}

# Durations also count in "a", "a couple of" and "half an" ("half an hour").
_SMALL_NUMBERS: dict[str, float] = {
    **CARDINALS, "a": 1, "an": 1, "a dozen": 12, "dozen": 12, "a hundred": 100, "hundred": 100, "a couple of": 2,
    "couple of": 2, "half a": 0.5, "half an": 0.5,
}  # fmt: skip
_VAGUE_NUMBERS = frozenset({"several", "a few", "few", "many", "some", "dozens of", "hundreds of"})
_ORDINAL_CENTURIES = {
    "seventh": 7, "eighth": 8, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "twenty first": 21
}  # fmt: skip

# unit -> (ISO designator, multiplier, whether it sits after "T")
_UNITS: dict[str, tuple[str, int, bool]] = {
    "second": ("S", 1, True), "minute": ("M", 1, True), "hour": ("H", 1, True), "day": ("D", 1, False),
    "week": ("W", 1, False), "fortnight": ("W", 2, False), "month": ("M", 1, False), "year": ("Y", 1, False),
    "decade": ("Y", 10, False), "century": ("Y", 100, False),
}  # fmt: skip
_UNIT_ALIASES = {
    "mins": "minute", "min": "minute", "hrs": "hour", "hr": "hour", "yrs": "year", "centuries": "century"
}  # fmt: skip
# A fraction of a unit reads better one unit down: half an hour is PT30M.
_FINER_UNIT = {"hour": ("minute", 60), "day": ("hour", 24), "year": ("month", 12), "week": ("day", 7)}
# Vague amounts of decades and centuries keep TIMEX3's own designators.
_VAGUE_DESIGNATOR = {"decade": "DE", "century": "CE"}

# ----------------------------------------------------------------------------------------------------------
# Pure resolvers (public, tested on their own)
# ----------------------------------------------------------------------------------------------------------


def resolve_weekday(published: date, weekday: int, direction: Direction = "past") -> date:
    """The date of ``weekday`` (Monday = 0) relative to ``published``.

    "past": the most recent one, publication day included (news "on Monday"); "future": the next one,
    publication day included; "last"/"next": strictly before/after; "this": the one in the publication's
    ISO week.
    """
    back = (published.weekday() - weekday) % 7
    ahead = (weekday - published.weekday()) % 7
    if direction == "past":
        return published - timedelta(days=back)
    if direction == "future":
        return published + timedelta(days=ahead)
    if direction == "last":
        return published - timedelta(days=back or 7)
    if direction == "next":
        return published + timedelta(days=ahead or 7)
    return published + timedelta(days=weekday - published.weekday())


def resolve_month(published: date, month: int, direction: Direction = "past") -> tuple[int, int]:
    """(year, month) of a month named without a year.

    "past": this year unless the month is after the publication month, then last year; "future": this year
    unless already before the publication month; "last"/"next": strictly before/after the publication month;
    "this": the publication year.
    """
    year = published.year
    if direction == "past":
        return (year if month <= published.month else year - 1), month
    if direction == "future":
        return (year if month >= published.month else year + 1), month
    if direction == "last":
        return (year if month < published.month else year - 1), month
    if direction == "next":
        return (year if month > published.month else year + 1), month
    return year, month


def resolve_month_day(published: date, month: int, day: int, direction: Direction = "past") -> date | None:
    """The date of "March 22" without a year, chosen like ``resolve_month`` by day; None if invalid."""
    here = (month, day)
    now = (published.month, published.day)
    year = published.year
    if direction == "past":
        year = year if here <= now else year - 1
    elif direction == "future":
        year = year if here >= now else year + 1
    elif direction == "last":
        year = year if here < now else year - 1
    elif direction == "next":
        year = year if here > now else year + 1
    try:
        return date(year, month, day)
    except ValueError:
        return None


def shift_value(published: date, amount: int, unit: str) -> str:
    """The calendar value ``amount`` units before (negative: after) ``published``, at that unit's precision.

    "two years ago" -> shift_value(d, 2, "year") -> "2015"; weeks give ISO weeks, hours and smaller the day.
    """
    unit = normalise_unit(unit)
    if unit in ("year", "decade", "century"):
        return f"{published.year - amount * _UNITS[unit][1]:04d}"
    if unit == "month":
        index = published.year * 12 + published.month - 1 - amount
        return month_value(index // 12, index % 12 + 1)
    if unit in ("week", "fortnight"):
        return week_value(published - timedelta(weeks=amount * _UNITS[unit][1]))
    if unit == "day":
        return (published - timedelta(days=amount)).isoformat()
    return published.isoformat()


def normalise_unit(word: str) -> str:
    """The key of ``_UNITS`` for a unit word: "Years" -> "year", "hrs" -> "hour"."""
    word = word.lower().rstrip(".")
    word = _UNIT_ALIASES.get(word, word)
    if word not in _UNITS and word.endswith("s"):
        word = word[:-1]
    return word


def parse_number(words: str) -> float | None:
    """A count in digits or words ("40", "1,000", "nine", "twenty-five", "a dozen"); None when vague."""
    key = re.sub(r"[\s-]+", " ", words.strip().lower())
    if key in _VAGUE_NUMBERS:
        return None
    digits = key.replace(",", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", digits):
        return float(digits)
    if key in _SMALL_NUMBERS:
        return float(_SMALL_NUMBERS[key])
    tens, _, ones = key.partition(" ")
    if tens in TENS:
        return float(TENS[tens] + (_SMALL_NUMBERS.get(ones, 0) if ones else 0))
    return None


def duration_value(amount: float | None, unit: str) -> str:
    """ISO-8601 duration of an amount of a unit.

    (40, "minute") -> "PT40M", (9, "years") -> "P9Y", (None, "years") -> "PXY" (a vague amount).
    """
    unit = normalise_unit(unit)
    if amount is not None and amount != int(amount) and unit in _FINER_UNIT:
        finer, factor = _FINER_UNIT[unit]
        if amount * factor == int(amount * factor):
            amount, unit = amount * factor, finer
    designator, multiplier, is_time = _UNITS[unit]
    prefix = "PT" if is_time else "P"
    if amount is None:
        return prefix + "X" + _VAGUE_DESIGNATOR.get(unit, designator)
    total = amount * multiplier
    number = str(int(total)) if total == int(total) else f"{total:g}"
    return f"{prefix}{number}{designator}"


def month_value(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def week_value(day: date) -> str:
    """The ISO week containing ``day``: "2013-W11"."""
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def season_bounds(year: int, code: str) -> tuple[date, date]:
    """First and last day of a meteorological season; winter "2012-WI" runs December 2012 to February 2013."""
    first = _SEASON_FIRST_MONTH[code]
    last_index = year * 12 + first - 1 + 2
    last_year, last_month = last_index // 12, last_index % 12 + 1
    return date(year, first, 1), month_bounds(last_year, last_month)[1]


def pick_occurrence(
    occurrences: Iterable[tuple[date, date]],
    published: date,
    direction: Direction = "past",
    lead_days: int = 0,
) -> tuple[date, date] | None:
    """Which of a recurring period's occurrences a text means, given its publication date.

    "past": the one under way, else one starting within ``lead_days`` after publication, else the latest
    that has ended; "future": the one under way or the next; "last"/"next": strictly before/after; "this":
    the one under way, else the one starting in the publication year.
    """
    spans = sorted(occurrences)
    current = [span for span in spans if span[0] <= published <= span[1]]
    before = [span for span in spans if span[1] < published]
    after = [span for span in spans if span[0] > published]
    if direction == "last":
        return before[-1] if before else None
    if direction == "next":
        return after[0] if after else None
    if current:
        return current[0]
    if direction == "future":
        return after[0] if after else None
    if direction == "this":
        same_year = [span for span in after + before if span[0].year == published.year]
        if same_year:
            return same_year[0]
    if after and (after[0][0] - published).days <= lead_days:
        return after[0]
    return before[-1] if before else None


def hijri_occurrences(
    month: int, first_day: int, last_day: int | None, years: Iterable[int]
) -> list[tuple[date, date]]:
    """Gregorian (first, last) days of a Hijri period in each Hijri year (Umm al-Qura, via hijridate).

    ``last_day`` None means the month's last day (29 or 30). Years outside the calendar's range are skipped.
    """
    from hijridate import Hijri

    spans = []
    for year in years:
        try:
            end_day = last_day if last_day is not None else Hijri(year, month, 1).month_length()
            first = Hijri(year, month, first_day).to_gregorian()
            last = Hijri(year, month, end_day).to_gregorian()
        except (OverflowError, ValueError):
            continue
        spans.append((date(first.year, first.month, first.day), date(last.year, last.month, last.day)))
    return spans


def hijri_years_around(gregorian_year: int) -> range:
    """Hijri years that overlap a Gregorian year and its neighbours (a Hijri year is about 354 days)."""
    approx = round((gregorian_year - 622) * 33 / 32)
    return range(approx - 2, approx + 3)


def easter_sunday(year: int) -> date:
    """Western Easter Sunday (dateutil's algorithm)."""
    from dateutil.easter import easter

    return easter(year)


def narrow_period(
    begin: date, last: date, grain: Grain, position: str, published: date | None = None
) -> tuple[date, date]:
    """The part of a period an "early"/"mid"/"late" (or "earlier"/"later", "first half of") phrase picks.

    Months split at days 10 and 20 ("late May" = 21-31 May), years into four-month thirds, decades into
    0-3/4-6/7-9, anything else into thirds by day count. "earlier"/"later" cut at the publication date.
    """
    if position in ("earlier", "later") and published is not None and begin <= published <= last:
        if position == "earlier":
            return begin, max(begin, published - timedelta(days=1))
        return min(last, published + timedelta(days=1)), last
    part = {"earlier": "early", "later": "late"}.get(position, position)
    if grain == "month":
        cut = {
            "early": (1, 10),
            "mid": (11, 20),
            "late": (21, last.day),
            "first_half": (1, 15),
            "second_half": (16, last.day),
        }[part]
        return begin.replace(day=cut[0]), begin.replace(day=cut[1])
    if grain == "year":
        months = {
            "early": (1, 4),
            "mid": (5, 8),
            "late": (9, 12),
            "first_half": (1, 6),
            "second_half": (7, 12),
        }
        first_month, last_month = months[part]
        return date(begin.year, first_month, 1), month_bounds(begin.year, last_month)[1]
    if grain == "decade":
        years = {"early": (0, 3), "mid": (4, 6), "late": (7, 9), "first_half": (0, 4), "second_half": (5, 9)}[
            part
        ]
        return date(begin.year + years[0], 1, 1), date(begin.year + years[1], 12, 31)
    days = (last - begin).days + 1
    if part in ("first_half", "second_half"):
        half = days // 2
        return (
            (begin, begin + timedelta(days=half - 1))
            if part == "first_half"
            else (begin + timedelta(days=half), last)
        )
    third = max(days // 3, 1)
    if part == "early":
        return begin, begin + timedelta(days=third - 1)
    if part == "late":
        return last - timedelta(days=third - 1), last
    return begin + timedelta(days=third), last - timedelta(days=third)


# ----------------------------------------------------------------------------------------------------------
# Religious and public holidays (data in resources/religious_periods.json)
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Holiday:
    """A named recurring period: Hijri month/day range, fixed Gregorian day, or offset from Easter."""

    key: str
    aliases: tuple[str, ...]
    calendar: Literal["hijri", "gregorian", "easter"]
    month: int = 0
    first_day: int = 0
    last_day: int | None = None
    first_offset: int = 0
    last_offset: int = 0
    members: tuple[str, ...] = ()  # for a group like "Eid": the holidays it may mean

    def occurrences(self, gregorian_years: Iterable[int]) -> list[tuple[date, date]]:
        """(first, last) day of every occurrence that starts in one of ``gregorian_years``."""
        wanted = sorted(set(gregorian_years))
        if self.members:
            by_key = holidays_by_key()
            return sorted(span for key in self.members for span in by_key[key].occurrences(wanted))
        if self.calendar == "gregorian":
            days = [date(y, self.month, self.first_day) for y in wanted]
            return [(day, day) for day in days]
        if self.calendar == "easter":
            spans = []
            for year in wanted:
                sunday = easter_sunday(year)
                spans.append(
                    (sunday + timedelta(days=self.first_offset), sunday + timedelta(days=self.last_offset))
                )
            return spans
        hijri_years = sorted({h for y in wanted for h in hijri_years_around(y)})
        spans = hijri_occurrences(self.month, self.first_day, self.last_day, hijri_years)
        return [span for span in spans if span[0].year in wanted]


def _read_religious_periods() -> Any:
    package = resources.files("incitewatch.resources")
    return json.loads(package.joinpath(RELIGIOUS_PERIODS_FILE).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def load_holidays() -> tuple[Holiday, ...]:
    """Every holiday and religious period in the packaged resource file."""
    raw = _read_religious_periods()
    found: list[Holiday] = []
    for item in raw["hijri"]:
        found.append(
            Holiday(
                item["key"],
                tuple(item["aliases"]),
                "hijri",
                item["month"],
                item["first_day"],
                item["last_day"],
            )
        )
    for item in raw["hijri_groups"]:
        found.append(Holiday(item["key"], tuple(item["aliases"]), "hijri", members=tuple(item["members"])))
    for item in raw["gregorian_fixed"]:
        found.append(
            Holiday(item["key"], tuple(item["aliases"]), "gregorian", item["month"], item["day"], item["day"])
        )
    for item in raw["easter_relative"]:
        found.append(
            Holiday(
                item["key"],
                tuple(item["aliases"]),
                "easter",
                first_offset=item["first_offset"],
                last_offset=item["last_offset"],
            )
        )
    return tuple(found)


@lru_cache(maxsize=1)
def holidays_by_key() -> dict[str, Holiday]:
    return {holiday.key: holiday for holiday in load_holidays()}


def _alias_key(text: str) -> str:
    return re.sub(r"[\s\-‐‑]+", " ", text.lower().replace("’", "'"))


@lru_cache(maxsize=1)
def _holiday_by_alias() -> dict[str, Holiday]:
    return {_alias_key(alias): holiday for holiday in load_holidays() for alias in holiday.aliases}


def _alias_pattern(alias: str) -> str:
    pieces = [re.escape(part).replace("'", "['’]") for part in re.split(r"[\s-]+", alias)]
    return r"[\s\-‐‑]+".join(pieces)


def _aliases_pattern(calendars: Sequence[str]) -> str:
    aliases = [a for h in load_holidays() if h.calendar in calendars for a in h.aliases]
    return "|".join(_alias_pattern(a) for a in sorted(set(aliases), key=len, reverse=True))


@lru_cache(maxsize=1024)
def resolve_holiday(
    key: str, published: date | None, direction: Direction = "past", year: int | None = None
) -> tuple[date, date] | None:
    """(first, last) day of the occurrence of a holiday a text means (see ``pick_occurrence``).

    With an explicit ``year`` ("Ramadan 2016") the occurrence starting in that year; without a publication
    date or year, None.
    """
    holiday = holidays_by_key()[key]
    if year is not None:
        spans = holiday.occurrences([year])
        return spans[0] if spans else None
    if published is None:
        return None
    spans = holiday.occurrences(range(published.year - 1, published.year + 2))
    return pick_occurrence(spans, published, direction, HOLIDAY_LEAD_DAYS)


# ----------------------------------------------------------------------------------------------------------
# Matching machinery
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    text: str
    published: date | None
    single_case: bool  # all upper- or all lower-case text: capitalisation says nothing


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    value: str
    type: TimeType = "DATE"
    grain: Grain = "none"
    bounds: tuple[date, date] | None = None  # the days the value covers, for narrowing by "early"/"late"
    is_range: bool = False  # report ``bounds`` as begin/end (religious periods, narrowed periods)


Handler = Callable[[re.Match[str], _Context], "_Found | None"]

_FLAGS = re.IGNORECASE
_FULL_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_ABBR_MONTHS = "jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
_WEEKDAY_ALT = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_YEAR = r"(?:1[6-9]\d\d|20\d\d)(?!\d)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_ORDINAL = r"(?:st|nd|rd|th)"
_NUM = (
    r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine)(?!\w))?|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|eleven|twelve|ten|one|two|three|four|five|six|seven|eight|nine|"
    r"a\s+dozen|dozens\s+of|a\s+hundred|hundreds\s+of|a\s+couple\s+of|couple\s+of|a\s+few|few|several|many|"
    r"some|half\s+an?|an?)"
)
_UNIT_WORDS = (
    r"seconds?|minutes?|mins|hours?|hrs|days?|weeks?|fortnights?|months?|years?|yrs|decades?|"
    r"centuries|century"
)
_MOD = (
    r"(?:(?:more\s+than|less\s+than|fewer\s+than|just\s+over|just\s+under|at\s+least|at\s+most|up\s+to|over|"
    r"under|nearly|almost|about|around|approximately|roughly|some|barely)\s+)"
)


def _month(name: str) -> str:
    return rf"(?P<{name}>(?:{_FULL_MONTHS})(?!\w)|(?:{_ABBR_MONTHS})(?:\.|(?!\w)))"


def _month_number(word: str) -> int:
    return MONTHS[word.lower().rstrip(".")]


# Words after a number that make it a count, not a day or a year: "in March 12 people died".
_COUNTED_AFTER = re.compile(
    r"\s+(?:people|persons|civilians|soldiers|troops|fighters|militants|members|supporters|followers|police|"
    r"policemen|officers|men|women|children|killed|dead|deaths|casualties|victims|refugees|families|homes|houses|"
    r"buildings|vehicles|cars|rounds|bullets|times|votes|cases|km|kilometres|kilometers|miles|metres|meters|feet|"
    r"tonnes|tons|dollars|euros|pounds|rupees|pages|words|messages|videos|accounts|posts|users|arrests|attacks|"
    r"suspects|others|hostages|worshippers|pilgrims|tourists|students)\b",
    _FLAGS,
)
_FUTURE_CUE = re.compile(
    r"\b(?:will|shall|won['’]t|going\s+to|scheduled|due\s+to|set\s+to|plans?\s+to|planning\s+to|expected\s+to|"
    r"upcoming)\b|\w['’]ll\b",
    _FLAGS,
)
_CLAUSE_TAIL = re.compile(r"[^.;:!?\n\"“”,—–]*$")
_POSITION_BEFORE = re.compile(
    r"(?:(?:\bthe\s+)?\b(?P<pos>early|earlier|mid|middle|late|later)[\s-]*"
    r"|\b(?:the\s+)?(?:very\s+)?(?P<part>start|beginning|end|middle|first\s+half|second\s+half)\s+of\s+)$",
    _FLAGS,
)
_POSITION_WORDS = {
    "early": "early",
    "earlier": "earlier",
    "mid": "mid",
    "middle": "mid",
    "late": "late",
    "later": "later",
    "start": "early",
    "beginning": "early",
    "end": "late",
    "first half": "first_half",
    "second half": "second_half",
}
# What may precede a bare month that is also an English word ("in May", not "Theresa May"/"may be").
_STRONG_MONTH_CUE = re.compile(
    r"\b(?:in|since|until|till|by|during|early|mid|late|last|this|next|of|before|after|through|throughout|"
    r"from|between)[\s-]*$",
    _FLAGS,
)
_WEAK_MONTH_CUE = re.compile(r"\b(?:and|or|to)\s+$", _FLAGS)
_VERB_AFTER_AMBIGUOUS_MONTH = re.compile(
    r"\s+(?:be|have|not|also|well|never|still|soon|only|even|yet|on|to|through|into|against|toward|towards)\b",
    _FLAGS,
)


def _tail_before(ctx: _Context, start: int, width: int = 40) -> str:
    return ctx.text[max(0, start - width) : start]


def _looks_future(ctx: _Context, start: int) -> bool:
    """A future cue ("will", "scheduled to") earlier in the same clause: "will speak on Monday"."""
    clause = _CLAUSE_TAIL.search(_tail_before(ctx, start, 80))
    return bool(clause and _FUTURE_CUE.search(clause.group(0)))


def _default_direction(ctx: _Context, start: int) -> Direction:
    return "future" if _looks_future(ctx, start) else "past"


def _relative_direction(word: str | None) -> Direction | None:
    if not word:
        return None
    key = re.sub(r"\s+", " ", word.lower())
    if key in ("last", "past", "previous", "this past"):
        return "last"
    if key in ("next", "coming", "this coming", "the coming", "upcoming"):
        return "next"
    return "this"


def _capitalised(ctx: _Context, word: str) -> bool:
    return ctx.single_case or word[:1].isupper()


def _counted_after(ctx: _Context, end: int) -> bool:
    return bool(_COUNTED_AFTER.match(ctx.text, end))


def _unresolved(m: re.Match[str], value: str, kind: TimeType = "DATE", grain: Grain = "none") -> _Found:
    return _Found(m.start(), m.end(), value, kind, grain)


def _day_found(start: int, end: int, day: date, part_of_day: str | None = None) -> _Found:
    if part_of_day:
        return _Found(start, end, f"{day.isoformat()}T{PARTS_OF_DAY[part_of_day.lower()]}", "TIME", "day")
    return _Found(start, end, day.isoformat(), "DATE", "day", (day, day))


def _month_found(start: int, end: int, year: int, month: int) -> _Found:
    return _Found(start, end, month_value(year, month), "DATE", "month", month_bounds(year, month))


def _year_found(start: int, end: int, year: int) -> _Found:
    return _Found(start, end, f"{year:04d}", "DATE", "year", (date(year, 1, 1), date(year, 12, 31)))


def _range_found(start: int, end: int, span: tuple[date, date]) -> _Found:
    first, last = span
    value = first.isoformat() if first == last else f"{first.isoformat()}/{last.isoformat()}"
    return _Found(start, end, value, "DATE", "day" if first == last else "period", span, first != last)


# ----------------------------------------------------------------------------------------------------------
# Rules: each pattern with the handler that resolves its match (None rejects it)
# ----------------------------------------------------------------------------------------------------------

_ISO_DATE = re.compile(
    rf"\b(?P<year>{_YEAR})(?P<sep>[-/])(?P<month>0[1-9]|1[0-2])(?P=sep)(?P<day>0[1-9]|[12]\d|3[01])(?!\d)"
)


def _on_iso_date(m: re.Match[str], ctx: _Context) -> _Found | None:
    try:
        day = date(int(m["year"]), int(m["month"]), int(m["day"]))
    except ValueError:
        return None
    return _day_found(m.start(), m.end(), day)


_NUMERIC_DATE = re.compile(r"\b\d{1,2}(?P<sep>[/.])\d{1,2}(?P=sep)(?P<year>\d{4}|\d{2})(?![\d.]\d|\d)")


def _on_numeric_date(m: re.Match[str], ctx: _Context) -> _Found | None:
    if m["sep"] == "." and len(m["year"]) == 2:
        return None  # "3.5.17" is as likely a version number as a date
    parsed = _dateparser_value(m.group(0), ctx.published.isoformat() if ctx.published else None)
    if parsed is None:
        return None
    return _Found(m.start(), m.end(), parsed[0], "DATE", parsed[1])


_MONTH_DAY = re.compile(
    rf"\b(?:(?P<wd>{_WEEKDAY_ALT}),?\s+)?{_month('m')}\s*(?P<day>{_DAY}){_ORDINAL}?(?![\d:])"
    rf"(?:\s*[-–]\s*(?P<last_day>{_DAY}){_ORDINAL}?(?![\d:]))?(?:(?:\s*,\s*|\s+)(?P<year>{_YEAR}))?",
    _FLAGS,
)
_DAY_MONTH = re.compile(
    rf"\b(?:(?P<wd>{_WEEKDAY_ALT}),?\s+)?(?:the\s+)?(?:(?P<first_day>{_DAY}){_ORDINAL}?\s*(?:[-–]|to)\s*)?"
    rf"(?P<day>{_DAY})(?P<ord>{_ORDINAL})?\s+(?:of\s+)?{_month('m')}(?:\s*,?\s*(?P<year>{_YEAR}))?",
    _FLAGS,
)


def _on_day_and_month(m: re.Match[str], ctx: _Context) -> _Found | None:
    """Day and month: "March 22, 2024", "22nd of March", "Sept. 12", "Monday, 12 June 2017", "22-24 March"."""
    word = m["m"]
    month, day = _month_number(word), int(m["day"])
    if not _capitalised(ctx, word) or day > calendar.monthrange(2000, month)[1]:
        return None
    groups = m.groupdict()
    anchored = bool(m["year"] or m["wd"] or re.search(r"\bon\s+$", _tail_before(ctx, m.start(), 4), _FLAGS))
    if not anchored and _counted_after(ctx, m.end()):
        return None  # "in March 12 people died"
    if (
        m.re is _DAY_MONTH
        and word.lower() in ("may", "march")
        and ctx.single_case
        and not (anchored or m["ord"])
    ):
        return None  # "5 may be", "20 march on"
    first = _month_day_date(ctx, m, month, day)
    if first is None or isinstance(first, _Found):
        return first
    other = groups.get("first_day") or groups.get("last_day")
    if other is None:
        return _day_found(m.start(), m.end(), first)
    try:
        second = first.replace(day=int(other))
    except ValueError:
        return None
    span = (min(first, second), max(first, second))
    return (
        _range_found(m.start(), m.end(), span)
        if span[0] != span[1]
        else _day_found(m.start(), m.end(), first)
    )


def _month_day_date(ctx: _Context, m: re.Match[str], month: int, day: int) -> date | _Found | None:
    """The date a day and month name mean; an unresolved ``_Found`` without a year or publication date."""
    if m["year"]:
        try:
            return date(int(m["year"]), month, day)
        except ValueError:
            return None
    if ctx.published is None:
        return _unresolved(m, f"XXXX-{month:02d}-{day:02d}", grain="day")
    resolved = resolve_month_day(ctx.published, month, day, _default_direction(ctx, m.start()))
    if m["wd"] and resolved is not None:
        return _year_matching_weekday(resolved, WEEKDAYS[m["wd"].lower()], ctx.published)
    return resolved


def _year_matching_weekday(resolved: date, weekday: int, published: date) -> date:
    """The year next to publication in which a weekday-named date ("Saturday, 19 May") falls on it."""
    if resolved.weekday() == weekday:
        return resolved
    options = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            options.append(resolved.replace(year=year))
        except ValueError:
            continue  # 29 February
    fitting = [d for d in options if d.weekday() == weekday]
    return min(fitting, key=lambda d: abs((d - published).days)) if fitting else resolved


_MONTH_YEAR = re.compile(rf"\b{_month('m')}\s*,?\s+(?:of\s+)?(?P<year>{_YEAR})", _FLAGS)


def _on_month_year(m: re.Match[str], ctx: _Context) -> _Found | None:
    if not _capitalised(ctx, m["m"]) or _counted_after(ctx, m.end()):
        return None
    return _month_found(m.start(), m.end(), int(m["year"]), _month_number(m["m"]))


_MONTH_OF_RELATIVE_YEAR = re.compile(
    rf"\b{_month('m')}\s+(?:of\s+)?(?P<rel>last|this|next)\s+year(?!\w)", _FLAGS
)
_RELATIVE_YEAR_IN_MONTH = re.compile(rf"\b(?P<rel>last|this|next)\s+year\s*,?\s+in\s+{_month('m')}", _FLAGS)


def _on_month_of_relative_year(m: re.Match[str], ctx: _Context) -> _Found | None:
    if not _capitalised(ctx, m["m"]):
        return None
    month = _month_number(m["m"])
    if ctx.published is None:
        return _unresolved(m, f"XXXX-{month:02d}", grain="month")
    year = ctx.published.year + {"last": -1, "this": 0, "next": 1}[m["rel"].lower()]
    return _month_found(m.start(), m.end(), year, month)


_RELATIVE_MONTH = re.compile(
    rf"\b(?P<rel>this\s+past|this\s+coming|last|this|next|past|coming)\s+{_month('m')}", _FLAGS
)


def _on_relative_month(m: re.Match[str], ctx: _Context) -> _Found | None:
    word = m["m"]
    if not _capitalised(ctx, word) or (len(word.rstrip(".")) <= 3 and word.lower() != "may"):
        return None
    if word.lower() in ("may", "march") and (
        re.search(r"\bthe\s+$", _tail_before(ctx, m.start(), 5))
        or _VERB_AFTER_AMBIGUOUS_MONTH.match(ctx.text, m.end())
    ):
        return None  # "the last may be", "next march on"
    month = _month_number(word)
    if ctx.published is None:
        return _unresolved(m, f"XXXX-{month:02d}", grain="month")
    direction = _relative_direction(m["rel"]) or "this"
    year, month = resolve_month(ctx.published, month, direction)
    return _month_found(m.start(), m.end(), year, month)


_BARE_MONTH = re.compile(rf"\b{_month('m')}", _FLAGS)


def _on_bare_month(m: re.Match[str], ctx: _Context) -> _Found | None:
    word = m["m"]
    key = word.lower().rstrip(".")
    if (len(key) <= 3 and key != "may") or not _capitalised(ctx, word):
        return None  # abbreviations only with a day or year
    before = _tail_before(ctx, m.start(), 20)
    if re.search(r"\bblack\s+$", before, _FLAGS):
        return None  # "Black September", a group
    if key in ("may", "march") and not _is_month_cue(ctx, m):
        return None
    month = MONTHS[key]
    if ctx.published is None:
        return _unresolved(m, f"XXXX-{month:02d}", grain="month")
    year, month = resolve_month(ctx.published, month, _default_direction(ctx, m.start()))
    return _month_found(m.start(), m.end(), year, month)


def _is_month_cue(ctx: _Context, m: re.Match[str]) -> bool:
    """Whether "May"/"March" is the month: after "in", "since", "late" ... and not followed by a verb."""
    before = _tail_before(ctx, m.start(), 20)
    if _VERB_AFTER_AMBIGUOUS_MONTH.match(ctx.text, m.end()):
        return False
    if _STRONG_MONTH_CUE.search(before):
        return True
    return not ctx.single_case and bool(_WEAK_MONTH_CUE.search(before))


_YEAR_ALONE = re.compile(rf"(?<![\w$£€#])(?P<year>{_YEAR})(?!\w|\s*%|[.,]\d)", _FLAGS)


# Four digits that are a clock time ("at 2030", "1630 hours") or part of a code ("MI-1630").
_NOT_A_YEAR_BEFORE = re.compile(r"(?:\bat\s+|[A-Za-z]-|\d[,.])$")
_NOT_A_YEAR_AFTER = re.compile(r"\s*(?:hours|hrs|h\b|gmt|utc|local\s+time)", _FLAGS)


def _on_year(m: re.Match[str], ctx: _Context) -> _Found | None:
    start = m.start()
    if _NOT_A_YEAR_BEFORE.search(_tail_before(ctx, start, 6)) or _NOT_A_YEAR_AFTER.match(ctx.text, m.end()):
        return None
    if _counted_after(ctx, m.end()):
        return None  # "2000 people"
    return _year_found(start, m.end(), int(m["year"]))


_DECADE = re.compile(
    r"(?:\bthe\s+)?(?:\b(?P<full>(?:1[0-9]|20)\d)0s|['’‘](?P<short>\d)0s|\b(?P<bare>[2-9])0s)(?!\w)", _FLAGS
)


def _on_decade(m: re.Match[str], ctx: _Context) -> _Found | None:
    if m["full"]:
        value = m["full"]
    else:
        digit = m["short"] or m["bare"]
        if m["bare"] and not re.search(
            r"\b(?:the|early|mid|late)[\s-]+$", _tail_before(ctx, m.start("bare"), 10), _FLAGS
        ):
            return None  # "in his 90s" is an age
        reference_year = ctx.published.year if ctx.published else 2000
        century = 20 if 2000 + int(digit) * 10 <= reference_year else 19
        value = f"{century}{digit}"
    first_year = int(value) * 10
    return _Found(
        m.start(), m.end(), value, "DATE", "decade", (date(first_year, 1, 1), date(first_year + 9, 12, 31))
    )


_CENTURY = re.compile(
    r"\b(?:the\s+)?(?:(?P<num>\d{1,2})(?:st|nd|rd|th)|(?P<word>seventh|eighth|eighteenth|nineteenth|twentieth|"
    r"twenty[\s-]first))[\s-]+century(?!\w)",
    _FLAGS,
)


def _on_century(m: re.Match[str], ctx: _Context) -> _Found | None:
    number = int(m["num"]) if m["num"] else _ORDINAL_CENTURIES[re.sub(r"[\s-]+", " ", m["word"].lower())]
    if not 1 <= number <= 22:
        return None
    first_year = (number - 1) * 100
    return _Found(
        m.start(),
        m.end(),
        f"{number - 1:02d}",
        "DATE",
        "century",
        (date(max(first_year, 1), 1, 1), date(first_year + 99, 12, 31)),
    )


_WEEKDAY = re.compile(
    rf"\b(?:(?P<rel>this\s+past|this\s+coming|last|this|next|past|coming)\s+)?(?P<wd>{_WEEKDAY_ALT})(?P<plural>s)?"
    r"(?!\w)(?:\s+(?P<pod>morning|afternoon|evening|night)\b)?",
    _FLAGS,
)
_NOT_A_WEEKDAY_BEFORE = re.compile(
    r"\b(?:good|black|bloody|ash|palm|holy|maundy|cyber|super|easter|whit)\s+$", _FLAGS
)
_NOT_A_WEEKDAY_AFTER = re.compile(
    r"\s+(?:times|telegraph|express|mirror|mail|post|herald|independent|observer|star|tribune|sun|agreement)\b",
    _FLAGS,
)


def _on_weekday(m: re.Match[str], ctx: _Context) -> _Found | None:
    if _NOT_A_WEEKDAY_BEFORE.search(_tail_before(ctx, m.start(), 12)):
        return None
    if not m["pod"] and _NOT_A_WEEKDAY_AFTER.match(ctx.text, m.end()):
        return None  # "the Sunday Times"
    weekday = WEEKDAYS[m["wd"].lower()]
    if m["plural"]:
        return _Found(m.start(), m.end(), f"XXXX-WXX-{weekday + 1}", "SET")
    pod = m["pod"]
    if ctx.published is None:
        value = f"XXXX-WXX-{weekday + 1}" + (f"T{PARTS_OF_DAY[pod.lower()]}" if pod else "")
        return _unresolved(m, value, "TIME" if pod else "DATE", "day")
    direction = _relative_direction(m["rel"]) or _default_direction(ctx, m.start())
    return _day_found(m.start(), m.end(), resolve_weekday(ctx.published, weekday, direction), pod)


_RELATIVE_DAY = re.compile(
    r"\b(?P<word>the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|yesterday|today|tomorrow|tonight)"
    r"(?!\w)(?:\s+(?P<pod>morning|afternoon|evening|night)\b)?",
    _FLAGS,
)
_DAY_OFFSETS = {
    "the day before yesterday": -2,
    "yesterday": -1,
    "today": 0,
    "tonight": 0,
    "tomorrow": 1,
    "the day after tomorrow": 2,
}


def _on_relative_day(m: re.Match[str], ctx: _Context) -> _Found | None:
    word = re.sub(r"\s+", " ", m["word"].lower())
    if word == "today" and re.search(r"\busa\s+$", _tail_before(ctx, m.start(), 5), _FLAGS):
        return None  # the newspaper
    offset = _DAY_OFFSETS[word]
    pod = m["pod"] or ("night" if word == "tonight" else None)
    if ctx.published is None:
        ref = "PAST_REF" if offset < 0 else "FUTURE_REF" if offset > 0 else "PRESENT_REF"
        return _unresolved(m, ref, "TIME" if pod else "DATE")
    return _day_found(m.start(), m.end(), ctx.published + timedelta(days=offset), pod)


_PART_OF_DAY = re.compile(r"\b(?P<rel>this|last)\s+(?P<pod>morning|afternoon|evening|night)\b", _FLAGS)


def _on_part_of_day(m: re.Match[str], ctx: _Context) -> _Found | None:
    offset = -1 if m["rel"].lower() == "last" else 0
    if ctx.published is None:
        return _unresolved(m, "PAST_REF" if offset else "PRESENT_REF", "TIME")
    return _day_found(m.start(), m.end(), ctx.published + timedelta(days=offset), m["pod"])


_RELATIVE_UNIT = re.compile(
    r"\b(?P<rel>this\s+past|this\s+coming|last|this|next|current|coming|previous|past)\s+"
    r"(?:fiscal\s+|financial\s+)?(?P<unit>week|weekend|month|year|quarter|decade|century|summer|winter|spring|autumn|"
    r"fall)(?!\w)",
    _FLAGS,
)


def _on_relative_unit(m: re.Match[str], ctx: _Context) -> _Found | None:
    unit = m["unit"].lower()
    direction = _relative_direction(m["rel"]) or "this"
    step = {"last": -1, "next": 1}.get(direction, 0)
    published = ctx.published
    if published is None:
        return _unresolved(m, {-1: "PAST_REF", 0: "PRESENT_REF", 1: "FUTURE_REF"}[step])
    if unit in SEASONS:
        return _season_occurrence(m.start(), m.end(), published, SEASONS[unit], direction)
    return _calendar_unit(m.start(), m.end(), published, unit, step)


def _calendar_unit(start: int, end: int, published: date, unit: str, step: int) -> _Found:
    """The week/month/year/... ``step`` units from the one containing ``published``."""
    if unit in ("week", "weekend"):
        day = published + timedelta(weeks=step)
        monday = day - timedelta(days=day.weekday())
        if unit == "weekend":
            return _Found(
                start,
                end,
                week_value(day) + "-WE",
                "DATE",
                "week",
                (monday + timedelta(days=5), monday + timedelta(days=6)),
            )
        return _Found(start, end, week_value(day), "DATE", "week", (monday, monday + timedelta(days=6)))
    if unit == "month":
        index = published.year * 12 + published.month - 1 + step
        return _month_found(start, end, index // 12, index % 12 + 1)
    if unit == "quarter":
        index = published.year * 4 + (published.month - 1) // 3 + step
        year, quarter = index // 4, index % 4 + 1
        return _Found(
            start,
            end,
            f"{year:04d}-Q{quarter}",
            "DATE",
            "quarter",
            (date(year, quarter * 3 - 2, 1), month_bounds(year, quarter * 3)[1]),
        )
    if unit == "decade":
        decade = published.year // 10 + step
        return _Found(
            start,
            end,
            str(decade),
            "DATE",
            "decade",
            (date(decade * 10, 1, 1), date(decade * 10 + 9, 12, 31)),
        )
    if unit == "century":
        century = published.year // 100 + step
        return _Found(
            start,
            end,
            f"{century:02d}",
            "DATE",
            "century",
            (date(century * 100, 1, 1), date(century * 100 + 99, 12, 31)),
        )
    return _year_found(start, end, published.year + step)


def _season_occurrence(
    start: int, end: int, published: date, code: str, direction: Direction
) -> _Found | None:
    spans = {season_bounds(y, code): y for y in range(published.year - 2, published.year + 2)}
    chosen = pick_occurrence(spans, published, direction)
    if chosen is None:
        return None
    return _Found(start, end, f"{spans[chosen]:04d}-{code}", "DATE", "season", chosen)


_SEASON = re.compile(
    rf"\b(?:(?P<the>the)\s+)?(?P<season>summer|winter|spring|autumn|fall)(?!\w)(?:\s*,?\s+(?:of\s+)?(?P<year>{_YEAR}))?",
    _FLAGS,
)
_SEASON_CUE = re.compile(
    r"\b(?:in|during|since|until|till|by|over|through|throughout|before|after|early|late|mid|this\s+past)[\s-]+$",
    _FLAGS,
)
_NOT_A_SEASON_AFTER = re.compile(
    r"\s+(?:of\b(?!\s+\d)|offensive|session|olympics|games|term|semester|school|camp|break|holidays?|heat|"
    r"months?|collection|fashion|sales?|solstice)",
    _FLAGS,
)


def _on_season(m: re.Match[str], ctx: _Context) -> _Found | None:
    code = SEASONS[m["season"].lower()]
    if m["year"]:
        year = int(m["year"])
        return _Found(m.start(), m.end(), f"{year:04d}-{code}", "DATE", "season", season_bounds(year, code))
    if m["season"].lower() == "fall" and not m["the"]:
        return None
    if not _SEASON_CUE.search(_tail_before(ctx, m.start(), 20)) or _NOT_A_SEASON_AFTER.match(
        ctx.text, m.end()
    ):
        return None
    if ctx.published is None:
        return _unresolved(m, f"XXXX-{code}", grain="season")
    return _season_occurrence(m.start(), m.end(), ctx.published, code, _default_direction(ctx, m.start()))


_THE_UNIT = re.compile(r"\b(?:the\s+)?(?P<unit>week|month|year)(?!\w)", _FLAGS)


def _on_the_unit(m: re.Match[str], ctx: _Context) -> _Found | None:
    """The current year/month/week, only inside "the end of the year" and kin."""
    if not re.search(
        r"\b(?:start|beginning|end|middle|half)\s+of\s+$", _tail_before(ctx, m.start(), 20), _FLAGS
    ):
        return None
    if ctx.published is None:
        return _unresolved(m, "PRESENT_REF")
    return _calendar_unit(m.start(), m.end(), ctx.published, m["unit"].lower(), 0)


_AGO = re.compile(
    rf"\b{_MOD}?(?:(?P<num>{_NUM})\s+)?(?P<unit>{_UNIT_WORDS})\s+(?P<dir>ago|from\s+now|hence)\b", _FLAGS
)


_AGO_GRAIN: dict[str, Grain] = {
    "year": "year", "decade": "year", "century": "year",
    "month": "month", "week": "week", "fortnight": "week",
}  # fmt: skip


def _on_ago(m: re.Match[str], ctx: _Context) -> _Found | None:
    future = m["dir"].lower() != "ago"
    amount = parse_number(m["num"]) if m["num"] else None
    if m["num"] is None and not m["unit"].lower().endswith("s"):
        return None  # "year ago" without a number is not a phrase
    if ctx.published is None or amount is None:
        return _unresolved(m, "FUTURE_REF" if future else "PAST_REF")
    unit = normalise_unit(m["unit"])
    steps = round(amount)
    value = shift_value(ctx.published, -steps if future else steps, unit)
    grain = _AGO_GRAIN.get(unit, "day")
    return _Found(m.start(), m.end(), value, "DATE", grain)


_DURATION = re.compile(rf"\b{_MOD}?\b(?P<num>{_NUM})\s+(?P<unit>{_UNIT_WORDS})(?!\w)(?![-\s]+old\b)", _FLAGS)
_HYPHEN_DURATION = re.compile(
    rf"\b{_MOD}?\b(?P<num>\d+|{_NUM})[-‐‑](?P<unit>second|minute|hour|day|week|month|year|decade|century)"
    r"(?:[-‐‑]long)?(?!\w)(?![-‐‑]olds?\b)",
    _FLAGS,
)


_ANNIVERSARY_AFTER = re.compile(r"\s+(?:anniversary|anniversaries|commemoration|jubilee)\b", _FLAGS)


def _on_duration(m: re.Match[str], ctx: _Context) -> _Found | None:
    number = m["num"].lower()
    unit = normalise_unit(m["unit"])
    if unit == "second" and not m["unit"].lower().endswith("s") and not number[:1].isdigit():
        return None  # "a second attack"
    if number in ("a", "an", "some", "many") and m.re is _HYPHEN_DURATION:
        return None
    if unit == "hour" and re.fullmatch(r"(?:[01]\d|2[0-3])[0-5]\d", number):
        # military clock time, "1630 hours": which day is not said
        return _Found(m.start(), m.end(), f"XXXX-XX-XXT{number[:2]}:{number[2:]}", "TIME")
    if _ANNIVERSARY_AFTER.match(ctx.text, m.end()):
        # "the 10-year anniversary" names a day whose anchor event we do not know, and lasts nothing:
        # as a duration it would be read as the length of whatever the sentence reports.
        return None
    return _Found(m.start(), m.end(), duration_value(parse_number(number), unit), "DURATION")


_SPAN_OF_UNITS = re.compile(
    rf"\b(?P<the>the\s+)?(?P<rel>past|last|previous|next|coming|following|first|recent|upcoming)\s+"
    rf"(?:(?P<num>{_NUM})\s+)?(?P<unit>{_UNIT_WORDS})(?!\w)",
    _FLAGS,
)


def _on_span_of_units(m: re.Match[str], ctx: _Context) -> _Found | None:
    """Spans like "the past nine years" (P9Y), "recent weeks" (PXW); not "last year" (a date)."""
    unit_word = m["unit"].lower()
    plural = (unit_word.endswith("s") and unit_word != "mins") or unit_word == "centuries"
    unit = normalise_unit(unit_word)
    if m["num"]:
        amount = parse_number(m["num"])
    elif plural:
        amount = None
    elif (
        m["the"]
        and unit != "day"
        and m["rel"].lower() in ("past", "last", "previous", "next", "coming", "upcoming")
    ):
        amount = 1.0
    else:
        return None
    return _Found(m.start(), m.end(), duration_value(amount, unit), "DURATION")


_BARE_UNITS = re.compile(
    r"\b(?:for|over|within|after)\s+(?P<unit>years|months|weeks|days|decades|hours)\b"
    r"|\b(?P<unit_first>years|months|weeks|days|hours|minutes|decades)\s+(?:before|after|later|earlier)\b",
    _FLAGS,
)


def _on_bare_units(m: re.Match[str], ctx: _Context) -> _Found | None:
    """Bare plural units: "for years", "days before" -> "years", "days" (PXY, PXD), as TIMEX3 marks them."""
    group = "unit" if m["unit"] else "unit_first"
    return _Found(m.start(group), m.end(group), duration_value(None, m[group]), "DURATION")


_SET = re.compile(
    rf"\b(?:every|each)\s+(?P<unit>day|week|month|year|morning|afternoon|evening|night|{_WEEKDAY_ALT})(?!\w)",
    _FLAGS,
)


def _on_set(m: re.Match[str], ctx: _Context) -> _Found | None:
    unit = m["unit"].lower()
    if unit in WEEKDAYS:
        value = f"XXXX-WXX-{WEEKDAYS[unit] + 1}"
    elif unit in PARTS_OF_DAY:
        value = f"XXXX-XX-XXT{PARTS_OF_DAY[unit]}"
    else:
        value = duration_value(1, unit)
    return _Found(m.start(), m.end(), value, "SET")


_DEICTIC = re.compile(
    r"\b(?P<present>now|currently|nowadays|at\s+present|at\s+the\s+moment|these\s+days)(?![\w-])"
    r"|\b(?P<past>recently|lately)\b|(?<=in\s)the\s+(?P<pastfut>past|future)\b",
    _FLAGS,
)


def _on_deictic(m: re.Match[str], ctx: _Context) -> _Found | None:
    if m["present"]:
        return _unresolved(m, "PRESENT_REF")
    if m["past"] or (m["pastfut"] or "").lower() == "past":
        return _unresolved(m, "PAST_REF")
    return _unresolved(m, "FUTURE_REF")


@lru_cache(maxsize=1)
def _islamic_holiday_pattern() -> re.Pattern[str]:
    return re.compile(
        r"\b(?:(?P<rel>the\s+coming|this\s+year['’]s|last\s+year['’]s|next\s+year['’]s|last|this|next|coming|"
        r"upcoming)\s+)?(?:the\s+(?=(?:islamic|muslim|holy|fasting|sacred|month|festival|feast|holiday|day|celebrations?)\s))?"
        r"(?:(?:islamic|muslim|holy|fasting|sacred)\s+)*"
        r"(?:(?:month|festival|feast|holiday|day|celebrations?)\s+of\s+)?"
        rf"(?P<name>{_aliases_pattern(['hijri'])})(?!\w)(?:\s*,?\s*(?:of\s+)?(?P<year>{_YEAR}))?",
        _FLAGS,
    )


@lru_cache(maxsize=1)
def _public_holiday_pattern() -> re.Pattern[str]:
    # Other calendars' new years and Easters are not these days.
    not_after = "".join(
        rf"(?<!{word}\s)"
        for word in (
            "lunar",
            "hijri",
            "islamic",
            "muslim",
            "chinese",
            "persian",
            "jewish",
            "orthodox",
            "iranian",
            "kurdish",
            "thai",
        )
    )
    return re.compile(
        r"\b(?:(?P<rel>the\s+coming|this\s+year['’]s|last\s+year['’]s|next\s+year['’]s|last|this|next|coming|"
        rf"upcoming)\s+)?{not_after}(?P<name>{_aliases_pattern(['gregorian', 'easter'])})(?!\w)"
        r"(?!\s+(?:markets?|island|rising|trees?|cards?|part(?:y|ies)|shopping|message|address|speech|"
        rf"resolutions?|honours)\b)(?:\s*,?\s*(?:of\s+)?(?P<year>{_YEAR}))?",
        _FLAGS,
    )


def _holiday_capitalised(ctx: _Context, name: str) -> bool:
    """Capitals on the first word ("Easter weekend") and on both of "New Year" ("New Year's Eve")."""
    words = re.findall(r"[^\W\d_]+", name)
    must = [words[0], *(w for w in words if w.lower() in ("new", "year", "years"))]
    return ctx.single_case or all(w[:1].isupper() for w in must)


_CAPITALISED_WORD_AFTER = re.compile(r" [A-Z][a-z]")
_CAPITALISED_WORD_BEFORE = re.compile(r"(?:^|[^.!?\n\"“:]\s)(?P<word>[A-Z][a-z]+) $")
# Capitalised words that may stand right before a holiday's name without being part of a person's name.
_ALLOWED_BEFORE_HOLIDAY = frozenset(
    {"during", "in", "since", "before", "after", "until", "by", "of", "the", "this", "last", "next", "on",
     "at", "holy", "islamic", "muslim", "ahead", "for", "from", "through", "throughout", "and", "or"}
)  # fmt: skip


def _inside_a_name(ctx: _Context, m: re.Match[str]) -> bool:
    """A Hijri month name as part of a person's name: a capitalised neighbour that is not sentence-initial."""
    if ctx.single_case:
        return False
    if _CAPITALISED_WORD_AFTER.match(ctx.text, m.end()) and not m["year"]:
        return True
    if m.start() != m.start("name"):
        return False  # "the holy month of Ramadan"
    before = _CAPITALISED_WORD_BEFORE.search(_tail_before(ctx, m.start(), 30))
    return bool(before and before["word"].lower() not in _ALLOWED_BEFORE_HOLIDAY)


def _on_holiday(m: re.Match[str], ctx: _Context) -> _Found | None:
    name = m["name"]
    holiday = _holiday_by_alias().get(_alias_key(name))
    if holiday is None:
        return None
    if holiday.calendar != "hijri" and not _holiday_capitalised(ctx, name):
        return None  # "the new year" is next year, not New Year's Day
    if holiday.calendar == "hijri" and _inside_a_name(ctx, m):
        return None  # "Ramzan Kadyrov", "Tariq Ramadan", "Muharram Ince"
    rel = (m["rel"] or "").lower()
    year = int(m["year"]) if m["year"] else None
    if rel.endswith("year's") or rel.endswith("year’s"):
        if ctx.published is None:
            return _unresolved(m, "XXXX")
        year = ctx.published.year + {"last": -1, "this": 0, "next": 1}[rel.split()[0]]
        rel = ""
    direction = _relative_direction(rel) or _default_direction(ctx, m.start())
    span = resolve_holiday(holiday.key, ctx.published, direction, year)
    if span is None:
        if holiday.calendar == "gregorian":
            return _unresolved(m, f"XXXX-{holiday.month:02d}-{holiday.first_day:02d}", grain="day")
        return _unresolved(m, "XXXX")
    return _range_found(m.start(), m.end(), span)


@dataclass(frozen=True, slots=True)
class _Rule:
    """A pattern, its handler, and the words every match contains (anchors): only text near them is scanned.

    ``lookback``: how many characters a match may start before its anchor word; ``anchors`` None scans it all.
    """

    pattern: Callable[[], re.Pattern[str]]
    handle: Handler
    anchors: Callable[[], frozenset[str]] | None = None
    lookback: int = 0


def _fixed(pattern: re.Pattern[str]) -> Callable[[], re.Pattern[str]]:
    return lambda: pattern


def _words(*words: str) -> Callable[[], frozenset[str]]:
    vocabulary = frozenset(words)
    return lambda: vocabulary


_MONTH_WORDS = _words(*MONTHS)
_UNIT_WORD_SET = _words(
    "second",
    "seconds",
    "minute",
    "minutes",
    "mins",
    "hour",
    "hours",
    "hrs",
    "day",
    "days",
    "week",
    "weeks",
    "fortnight",
    "fortnights",
    "month",
    "months",
    "year",
    "years",
    "yrs",
    "decade",
    "decades",
    "century",
    "centuries",
)
_CALENDAR_UNIT_WORDS = _words(
    "week",
    "weekend",
    "month",
    "year",
    "quarter",
    "decade",
    "century",
    "summer",
    "winter",
    "spring",
    "autumn",
    "fall",
)
_WEEKDAY_WORDS = _words(*WEEKDAYS, *(day + "s" for day in WEEKDAYS))


@lru_cache(maxsize=1)
def _holiday_anchor_words() -> frozenset[str]:
    """The longest word of each holiday alias: every holiday match contains one."""
    return frozenset(
        max(re.findall(r"[a-z]+", alias.lower()), key=len)
        for holiday in load_holidays()
        for alias in holiday.aliases
    )


# Order breaks ties between equally long matches: earlier rules win.
_RULES: tuple[_Rule, ...] = (
    _Rule(_islamic_holiday_pattern, _on_holiday, _holiday_anchor_words, 80),
    _Rule(_public_holiday_pattern, _on_holiday, _holiday_anchor_words, 40),
    _Rule(_fixed(_ISO_DATE), _on_iso_date),
    _Rule(_fixed(_NUMERIC_DATE), _on_numeric_date),
    _Rule(_fixed(_MONTH_DAY), _on_day_and_month, _MONTH_WORDS, 12),
    _Rule(_fixed(_DAY_MONTH), _on_day_and_month, _MONTH_WORDS, 40),
    _Rule(_fixed(_MONTH_YEAR), _on_month_year, _MONTH_WORDS),
    _Rule(_fixed(_RELATIVE_YEAR_IN_MONTH), _on_month_of_relative_year, _MONTH_WORDS, 30),
    _Rule(_fixed(_MONTH_OF_RELATIVE_YEAR), _on_month_of_relative_year, _MONTH_WORDS),
    _Rule(_fixed(_RELATIVE_MONTH), _on_relative_month, _MONTH_WORDS, 16),
    _Rule(_fixed(_AGO), _on_ago, _words("ago", "now", "hence"), 70),
    _Rule(_fixed(_RELATIVE_UNIT), _on_relative_unit, _CALENDAR_UNIT_WORDS, 30),
    _Rule(_fixed(_SPAN_OF_UNITS), _on_span_of_units, _UNIT_WORD_SET, 60),
    _Rule(_fixed(_WEEKDAY), _on_weekday, _WEEKDAY_WORDS, 16),
    _Rule(_fixed(_RELATIVE_DAY), _on_relative_day, _words("yesterday", "today", "tomorrow", "tonight"), 20),
    _Rule(_fixed(_PART_OF_DAY), _on_part_of_day, _words(*PARTS_OF_DAY), 10),
    _Rule(_fixed(_DECADE), _on_decade),
    _Rule(_fixed(_CENTURY), _on_century, _words("century"), 30),
    _Rule(_fixed(_SEASON), _on_season, _words(*SEASONS), 6),
    _Rule(_fixed(_THE_UNIT), _on_the_unit, _words("week", "month", "year"), 6),
    _Rule(_fixed(_SET), _on_set, _words("every", "each")),
    _Rule(_fixed(_HYPHEN_DURATION), _on_duration, _UNIT_WORD_SET, 50),
    _Rule(_fixed(_DURATION), _on_duration, _UNIT_WORD_SET, 50),
    _Rule(_fixed(_BARE_UNITS), _on_bare_units, _UNIT_WORD_SET, 10),
    _Rule(_fixed(_BARE_MONTH), _on_bare_month, _MONTH_WORDS),
    _Rule(_fixed(_YEAR_ALONE), _on_year),
)
_DEICTIC_RULE = _Rule(
    _fixed(_DEICTIC),
    _on_deictic,
    _words(
        "now", "currently", "nowadays", "present", "moment", "days", "recently", "lately", "past", "future"
    ),
    10,
)
# How far past its anchor word a match may run ("March 22, 2024", "Ramadan of 2016").
_LOOKAHEAD = 60


def _word_index(text: str, vocabulary: frozenset[str]) -> tuple[dict[str, list[tuple[int, int]]], bool]:
    """Spans of the anchor words in ``text`` (lower-cased), and whether the text is single-case.

    Single-case text (news wires and MUC-4 in capitals, or all lower case) cannot tell names from words by
    capitalisation: most of its words are capitals, or almost none starts with one.
    """
    index: dict[str, list[tuple[int, int]]] = {}
    total = lower = upper = 0
    for match in re.finditer(r"[A-Za-z]+", text):
        word = match.group()
        total += 1
        if word.islower():
            lower += 1
        elif word.isupper():
            upper += 1
        key = word.lower()
        if key in vocabulary:
            index.setdefault(key, []).append(match.span())
    single_case = total > 0 and (upper > 0.5 * total or lower > 0.99 * total)
    return index, single_case


def _anchored_matches(
    pattern: re.Pattern[str], text: str, anchors: list[tuple[int, int]], lookback: int
) -> Iterator[re.Match[str]]:
    """Matches of ``pattern`` that contain an anchor, scanning only a window around each anchor."""
    resume = 0
    for a_start, a_end in anchors:
        if a_start < resume:
            continue
        end = min(len(text), a_end + _LOOKAHEAD)
        while end < len(text) and text[end].isalnum():
            end += 1  # never cut a word: a lookahead at the window's edge would misread it
        for m in pattern.finditer(text, max(resume, a_start - lookback), end):
            if m.start() > a_start:
                break
            if m.end() >= a_end:
                yield m
                resume = m.end()
                break


def _rule_matches(rule: _Rule, text: str, index: dict[str, list[tuple[int, int]]]) -> Iterator[re.Match[str]]:
    if rule.anchors is None:
        yield from rule.pattern().finditer(text)
        return
    vocabulary = rule.anchors()
    # The text's anchor words are few and a rule's vocabulary can be long (holiday names): walk the former.
    anchors = sorted(span for word, spans in index.items() if word in vocabulary for span in spans)
    if anchors:
        yield from _anchored_matches(rule.pattern(), text, anchors, rule.lookback)


@lru_cache(maxsize=2)
def _anchor_vocabulary(include_deictic: bool) -> frozenset[str]:
    rules = (*_RULES, _DEICTIC_RULE) if include_deictic else _RULES
    return frozenset(word for rule in rules if rule.anchors is not None for word in rule.anchors())


# ----------------------------------------------------------------------------------------------------------
# "early", "late", "the end of": widen the span leftwards and narrow the period
# ----------------------------------------------------------------------------------------------------------


def _with_position(found: _Found, ctx: _Context) -> _Found:
    if found.type != "DATE" or found.grain in ("none", "day"):
        return found
    m = _POSITION_BEFORE.search(_tail_before(ctx, found.start, 40))
    if m is None:
        return found
    word = re.sub(r"\s+", " ", (m["pos"] or m["part"]).lower())
    position = _POSITION_WORDS[word]
    if position in ("earlier", "later") and not re.match(
        r"this\b", ctx.text[found.start : found.end], _FLAGS
    ):
        return found  # "earlier this year", but not "later May"
    start = found.start - (len(m.group(0)))
    if found.bounds is None:
        return replace(found, start=start)
    first, last = narrow_period(found.bounds[0], found.bounds[1], found.grain, position, ctx.published)
    return replace(found, start=start, bounds=(first, last), is_range=True)


# ----------------------------------------------------------------------------------------------------------
# spaCy entities and dateparser, for what the grammar missed
# ----------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _dateparser_value(candidate: str, published_iso: str | None) -> tuple[str, Grain] | None:
    """(value, grain) of a short date string by dateparser, or None. Cached: dateparser is slow."""
    from dateparser.date import DateDataParser

    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    if published_iso:
        settings["RELATIVE_BASE"] = datetime.fromisoformat(published_iso)
    else:
        settings["REQUIRE_PARTS"] = ["year"]  # never let today's date fill in what the text did not say
    data = DateDataParser(languages=["en"], settings=settings).get_date_data(candidate)
    parsed = data.date_obj
    if parsed is None:
        return None
    if data.period == "year":
        return f"{parsed.year:04d}", "year"
    if data.period == "month":
        return month_value(parsed.year, parsed.month), "month"
    if data.period == "week":
        return week_value(parsed.date()), "week"
    return parsed.date().isoformat(), "day"


# dateparser fills whatever a string leaves out from its base date (or today): only strings that name a month
# with a number, or write a full numeric date, say enough to be worth parsing.
_WORTH_PARSING = re.compile(
    rf"(?=.*\d)(?:.*\b(?:{_FULL_MONTHS}|{_ABBR_MONTHS})\b|.*\b\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{1,4}}\b)",
    _FLAGS,
)


def _entity_spans(doc: Doc | None, ctx: _Context) -> list[tuple[int, int, str]]:
    """(start, end, text) of the spaCy DATE entities with a month name or numeric date, not yet parsed."""
    if doc is None or doc.text != ctx.text:
        return []
    return [
        (ent.start_char, ent.end_char, ent.text)
        for ent in doc.ents
        if ent.label_ == "DATE" and len(ent.text) <= 40 and _WORTH_PARSING.match(ent.text)
    ]


def _parsed_entity(span: tuple[int, int, str], ctx: _Context) -> _Found | None:
    """An entity date parsed by dateparser, or None when it cannot read it."""
    start, end, surface = span
    parsed = _dateparser_value(surface, ctx.published.isoformat() if ctx.published else None)
    return None if parsed is None else _Found(start, end, parsed[0], "DATE", parsed[1])


def _choose(candidates: Iterable[tuple[int, _Found]]) -> list[_Found]:
    """Longest match first (ties: rule order, then position); drop any that overlaps one already chosen."""
    chosen: list[_Found] = []
    for _, found in sorted(candidates, key=lambda c: (-(c[1].end - c[1].start), c[0], c[1].start)):
        if all(found.end <= other.start or found.start >= other.end for other in chosen):
            chosen.append(found)
    return sorted(chosen, key=lambda f: f.start)


def _merge_entities(chosen: list[_Found], spans: Iterable[tuple[int, int, str]], ctx: _Context) -> list[_Found]:
    """Entity dates (spaCy DATE spans, parsed by dateparser) fill gaps the grammar left, or replace coarser
    pieces they contain.

    "March the 22nd, 2024" is one day, not the grammar's "March" and "2024". dateparser is slow, so a span is
    parsed only when its reading could matter: where it fills a gap or covers only coarser pieces.
    """
    merged = list(chosen)
    for span in sorted(spans, key=lambda s: s[0] - s[1]):
        start, end = span[0], span[1]
        inside = [f for f in merged if f.start < end and start < f.end]
        coarser = all(
            start <= f.start and f.end <= end and f.type == "DATE" and f.grain not in ("day", "period")
            for f in inside
        )
        if inside and not coarser:
            continue
        entity = _parsed_entity(span, ctx)
        if entity is not None and (not inside or entity.grain == "day"):
            merged = [f for f in merged if f not in inside] + [entity]
    return sorted(merged, key=lambda f: f.start)


def _to_time_expr(found: _Found, text: str) -> TimeExpr:
    begin = end_date = None
    value = found.value
    if found.is_range and found.bounds is not None:
        begin, end_date = found.bounds[0].isoformat(), found.bounds[1].isoformat()
    return TimeExpr(found.start, found.end, text[found.start : found.end], value, found.type, begin, end_date)


def extract_times(
    text: str,
    published: date | None,
    doc: Doc | None = None,
    *,
    include_deictic: bool = False,
) -> tuple[TimeExpr, ...]:
    """Every date expression in ``text``, resolved against ``published``; sorted, non-overlapping spans.

    ``doc`` (a spaCy Doc over the same text) adds DATE entities the grammar missed. ``include_deictic``
    also returns "now", "currently", "recently", "in the past/future" as PRESENT_REF/PAST_REF/FUTURE_REF
    (TIMEX3 marks them; event extraction does not want them as dates, so they are off by default).
    """
    if isinstance(published, datetime):
        published = published.date()
    index, single_case = _word_index(text, _anchor_vocabulary(include_deictic))
    ctx = _Context(text, published, single_case)
    rules = (*_RULES, _DEICTIC_RULE) if include_deictic else _RULES
    candidates: list[tuple[int, _Found]] = []
    for rank, rule in enumerate(rules):
        for match in _rule_matches(rule, text, index):
            found = rule.handle(match, ctx)
            if found is not None:
                candidates.append((rank, _with_position(found, ctx)))
    chosen = _merge_entities(_choose(candidates), _entity_spans(doc, ctx), ctx)
    return tuple(_to_time_expr(found, text) for found in chosen)
