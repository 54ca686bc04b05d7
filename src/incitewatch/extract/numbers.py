"""Casualty counts in news prose: "killed 140 people", "two explosions killed 100", "at least 12 were wounded"."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Cardinal words, shared with the time expressions (``extract.times``).
CARDINALS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_MULTIPLIERS = {"dozen": 12, "hundred": 100}
# Vague plurals a casualty report uses as counts: the smallest number they can mean, doubled ("dozens" ≥ 24).
_VAGUE_COUNTS = {"dozens": 24, "scores": 40, "hundreds": 200}


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(word) for word in words), key=len, reverse=True))


# Up to ninety-nine in words: "seven", "seventeen", "twenty", "twenty-three", "twenty three". The units word joins
# the tens only when it is not the start of something else ("twenty one day after", "eighty eight-year-old women",
# "thirty three of them": 20, 80, 30).
_DIGIT_WORDS = [word for word, value in CARDINALS.items() if value < 10]
_JOINED_UNITS = (
    rf"[\s-]+(?:{_alternatives(_DIGIT_WORDS)})\b(?!-)"
    r"(?!\s+(?:of\s+(?:them|whom)|minutes?|hours?|days?|weeks?|months?|years?)\b)"
)
_BELOW_HUNDRED = rf"(?:(?:{_alternatives(TENS)})(?:{_JOINED_UNITS})?\b|(?:{_alternatives(CARDINALS)})\b)"
# "a dozen", "two dozen", "a hundred", "three hundred and twenty", "two thousand five hundred", or a vague plural
# ("dozens").
_HUNDREDS = rf"(?:a|{_BELOW_HUNDRED})\s+hundred\b(?!-)(?:\s+(?:and\s+)?{_BELOW_HUNDRED})?"
_NUMBER_WORDS = (
    rf"(?:(?:a|{_BELOW_HUNDRED})\s+thousand\b(?!-)(?:\s+(?:and\s+)?(?:{_HUNDREDS}|{_BELOW_HUNDRED}))?|{_HUNDREDS}|"
    rf"(?:a|{_BELOW_HUNDRED})\s+dozen\b(?!-)|{_BELOW_HUNDRED}|(?:{_alternatives(_VAGUE_COUNTS)})\b)"
)
# An age is no count: "killed a 23-year-old student", "a hundred-year-old shrine". The look-ahead is bounded: an
# unbounded one scanned the rest of the text from every number (quadratic on "1-1-1-…").
_NOT_AN_AGE = r"(?![\w-]{0,12}-(?:year|month|week|day)s?-old\b)"
_NUMBER = rf"(?:(?:\d{{1,3}}(?:,\d{{3}})+|\d+|{_NUMBER_WORDS}){_NOT_AN_AGE})"
_HEDGE = r"(?:at\s+least|more\s+than|over|nearly|almost|about|around|some|up\s+to|as\s+many\s+as)\s+"
_VICTIM_NOUNS = (
    r"people|persons|civilians|worshippers|soldiers|police(?:men)?|officers|children|others|men|women|concert-?goers|"
    r"students|tourists|members|troops|fighters|militants|protesters|demonstrators|workers|employees|customers|guests|"
    r"passengers|pilgrims|villagers|residents|insurgents|rebels|guards(?:men)?|victims|policemen|journalists|"
    r"shoppers|pupils|girls|boys|babies|priests|monks|nuns|bystanders|passers-?by"
)
# Before the verb a count may add to one told before ("five more were wounded").
_VICTIMS_BEFORE_VERB = rf"(?:\s+more)?(?:\s+(?:{_VICTIM_NOUNS}))?"
# A plural noun naming people a report counts as casualties ("the soldiers", "protesters"), on its own.
VICTIM_NOUN = re.compile(rf"\b(?:{_VICTIM_NOUNS})\b", re.IGNORECASE)
# After the verb a count may take up to two proper modifiers and any plural noun ("killed 23 Afghan soldiers",
# "killing two Americans"); words ending in s that are no nouns stay out ("killing 5 across the city").
_NOT_PLURAL = (
    r"(?!(?:across|besides|towards|afterwards|always|perhaps|whereas|unless|thus|this|was|has|his|its|is|as)\b)"
)
# The pattern is matched ignoring case; the modifiers' capital must not be ("killing 5 in two attacks").
_VICTIMS_AFTER_VERB = (
    rf"(?:\s+(?:(?-i:[A-Z])[\w'’-]+\s+){{0,2}}(?:{_VICTIM_NOUNS}|{_NOT_PLURAL}[A-Za-z][a-z]{{2,}}s)\b)?"
)

_VERBS_BEFORE = r"killed|killing|kills|left|leaving|claimed\s+the\s+lives\s+of|wounded|wounding|injured|injuring"
# "killed 140 people", "killing at least 12", "claimed the lives of 30"
_VERB_FIRST = re.compile(
    rf"\b(?P<verb>{_VERBS_BEFORE})"
    rf"\s+(?:{_HEDGE})?(?P<num>{_NUMBER}){_VICTIMS_AFTER_VERB}(?P<rest>\s+(?:dead|wounded|injured))?",
    re.IGNORECASE,
)
# "injured another 15", "wounded a further 12 people": a count adding to one told before, with no noun after it
# but a people noun ("killed another 20 minutes" counts nobody).
_VERB_FURTHER = re.compile(
    rf"\b(?P<verb>{_VERBS_BEFORE})\s+(?:another|a\s+further)\s+(?:{_HEDGE})?(?P<num>{_NUMBER})"
    rf"(?:\s+(?:{_VICTIM_NOUNS}))?(?=\s*(?:[,.;:)]|and\b|or\b|in\b|at\b|on\b|$))",
    re.IGNORECASE,
)
# "140 people were killed", "12 dead", "30 wounded"
_NUMBER_FIRST = re.compile(
    rf"(?:{_HEDGE})?\b(?P<num>{_NUMBER}){_VICTIMS_BEFORE_VERB}\s+"
    rf"(?:(?:were|have\s+been|had\s+been|was)\s+)?(?P<verb>killed|dead|died|wounded|injured|hurt)\b",
    re.IGNORECASE,
)
# "12 members of the family were killed", "three officers of the national police were wounded": people counted with
# whose they were, before a passive verb (an active one makes them the killers: "two members of the cartel killed").
_COUNTED_OF = re.compile(
    rf"(?:{_HEDGE})?\b(?P<num>{_NUMBER})\s+(?:{_VICTIM_NOUNS})\s+of\s+(?!whom\b|which\b)"
    rf"(?:the\s+|a\s+)?[\w'’-]+(?:\s+[\w'’-]+)?\s+"
    rf"(?:(?:were|have\s+been|had\s+been|was)\s+(?=killed|wounded|injured|hurt)|(?=died))"
    rf"(?P<verb>killed|wounded|injured|hurt|died)\b",
    re.IGNORECASE,
)


# "the death toll from Friday's attack rose to 17", "the toll stood at 30"
_TOLL = re.compile(
    rf"\b(?:death\s+)?toll\b(?:,?\s+[\w'’-]+){{0,16}}?,?\s+(?P<verb>rose|climbed|increased|jumped|stood|stands|reached|"
    rf"is|was|has\s+risen|had\s+risen|has\s+climbed)\s+(?:to\s+|at\s+)?(?:{_HEDGE})?(?P<num>{_NUMBER})\b",
    re.IGNORECASE,
)

# "six of the 12 members were killed": the 12 are the group, six its share that was hit ("Of the 130 injured, 77
# were women" still counts the 130).
_SHARE_BEFORE = re.compile(rf"\b(?:{_NUMBER}|all|some|most|many|none|several)\s+of\s+(?:the\s+)?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Count:
    kind: str  # "killed" | "wounded"
    value: int
    start: int
    end: int
    text: str


def parse_number(token: str) -> int | None:
    """An integer from digits ("1,200") or number words ("twelve", "twenty-three", "two dozen", "a hundred and
    five", "dozens"); None when it is neither."""
    cleaned = token.replace(",", "").strip().lower()
    if cleaned.isdigit():
        return int(cleaned)
    words = [word for word in re.split(r"[\s-]+", cleaned) if word and word != "and"]
    if len(words) == 1 and words[0] in _VAGUE_COUNTS:
        return _VAGUE_COUNTS[words[0]]
    thousands, group = 0, 0  # "two thousand five hundred": 2 × 1000, then the group 5 × 100
    for word in words:
        if word == "thousand":
            thousands, group = thousands + max(group, 1) * 1000, 0
        elif word in _MULTIPLIERS:
            group = max(group, 1) * _MULTIPLIERS[word]
        elif word in CARDINALS or word in TENS:
            group += CARDINALS.get(word) or TENS[word]
        elif word != "a" or thousands or group:
            return None
    return (thousands + group) or None


def _kind(verb: str, rest: str | None) -> str:
    word = (rest or verb).strip().lower()
    return "wounded" if word.startswith(("wound", "injur", "hurt")) else "killed"


def find_counts(text: str, start: int = 0, end: int | None = None) -> Iterator[Count]:
    """Every killed/wounded count in ``text[start:end]``, as spans of the canonical text, in text order."""
    stop = len(text) if end is None else end
    found: list[Count] = []
    seen: list[tuple[int, int]] = []
    for match in _TOLL.finditer(text, start, stop):
        value = parse_number(match.group("num"))
        if value is not None:
            seen.append((match.start(), match.end()))
            # A short toll phrase ("toll ... rose to 17" spans the whole clause): from the verb to the number, so the
            # words in between ("Sunday's attack on a church") stay free for the other roles.
            short = match.start("verb") if match.start("verb") - match.start() > 40 else match.start()
            found.append(Count("killed", value, short, match.end(), text[short : match.end()]))
    # The narrower readings first: a count another pattern also reads keeps the first reading.
    for pattern in (_VERB_FURTHER, _COUNTED_OF, _VERB_FIRST, _NUMBER_FIRST):
        for match in pattern.finditer(text, start, stop):
            if any(match.start() < e and s < match.end() for s, e in seen):
                continue
            if _SHARE_BEFORE.search(text, max(start, match.start() - 40), match.start()):
                continue
            value = parse_number(match.group("num"))
            if value is None:
                continue
            rest = match.groupdict().get("rest")
            if match.group("verb").lower() in ("left", "leaving") and not rest:
                continue  # "left 5 people" says nothing about what happened to them
            seen.append((match.start(), match.end()))
            found.append(Count(_kind(match.group("verb"), rest), value, match.start(), match.end(), match.group(0)))
    yield from sorted(found, key=lambda count: count.start)
