"""Plain text → article body: headline, section line, byline, dateline, promotion lines and bio taken out.

The text is read as lines. Only a bounded header (the first few lines) and a bounded trailer (the last few)
are examined for title, section, byline, dateline and author bio; every other line is only tested against the
boilerplate patterns of ``resources/boilerplate.json``, so the work stays linear in the text length. Rules are
deliberately conservative: a line is removed only when it is short and matches a pattern that real sentences
do not, so quotes, one-line paragraphs and names in the body survive.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

MAX_HEADER_LINES = 8  # title, kicker/section, repeated title, byline, dateline, promo: never more in practice
MAX_TRAILER_LINES = 4  # name line + bio paragraphs + credit/dateline lines at the end
SECTION_MAX_WORDS = 6  # a short line above a repeated (so certain) headline
SECTION_LABEL_MAX_WORDS = 4  # a short line above an unrepeated headline: stricter, it may be the title itself
HEADLINE_MAX_WORDS = 25
HEADLINE_MAX_CHARS = 200
BYLINE_MAX_WORDS = 20
PIPE_BYLINE_REST_MAX_WORDS = 6
BIO_MAX_WORDS = 250
LAST_PARAGRAPH_BIO_MAX_WORDS = 50
TITLE_CASE_RATIO = 0.75

# English function words left lower-case in title-case headlines.
TITLE_SMALL_WORDS = frozenset((
    "a", "an", "the", "and", "or", "but", "nor", "for", "so", "yet", "of", "in", "on", "at", "to", "by",
    "with", "from", "as", "into", "onto", "via", "vs", "vs.", "over", "after", "amid", "against", "up", "out",
    "off", "per", "than", "about", "upon", "under",
))
SENTENCE_END = (".", "!", ";", ":", ",", ".”", ".\"", ".’", "!”", ",”", ".)", "…”")
OPENING_PUNCTUATION = "\"'“‘«([–—-"
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|me|my|myself)\b")
_PRONOUN_START = re.compile(r"^(?:He|She|They)\b")

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DATE = (rf"(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{_MONTH}),?\s+(?P<y1>\d{{4}})"
         rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}})"
         rf"|(?P<y3>\d{{4}})-(?P<mo3>\d{{2}})-(?P<d3>\d{{2}}))")
_TIME = (r"(?:T?\d{1,2}[:.]\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[ap]\.?m\.?)?"
         r"\s*(?:Z|[+-]\d{2}:?\d{2}|\(?[A-Z]{2,5}\)?)?)")
# A line that is nothing but an (optionally labelled) date with an optional time: clearly a dateline.
_DATELINE = re.compile(
    r"(?:(?:published|updated|posted|last updated|first published|date|dated)(?:\s+on)?\s*:?\s*)?"
    rf"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?{_DATE}"
    rf"(?:\s*(?:,|\||-|–|at|@)?\s*{_TIME})?"
    r"(?:\s*[|•·]\s*.{0,80})?",
    re.IGNORECASE,
)
_MONTH_NUMBERS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}

_BYLINE_BY = re.compile(r"(?:(?:written|words|story|reported|text)\s+)?by\s*:?\s+(?P<names>.+)", re.I)
_BYLINE_PIPE = re.compile(r"(?P<names>[^|]{3,80}?)\s*(?:\||\s[-–—]\s)\s*(?P<rest>.{1,100})")
_BYLINE_REST = re.compile(r"\s*(?:[|;•·]|\s[-–—]\s)\s*")
_NAME_SEPARATOR = re.compile(r"\s*(?:,|&|\band\b)\s*")
_CREDIT_LINE = re.compile(
    r"(?:additional\s+)?(?P<role>reporting|writing|editing|compiled|produced|written)\s+by\s+(?P<names>[^;.]+)",
    re.IGNORECASE,
)
_LAST_PARAGRAPH_BIO = re.compile(r"(?P<subject>.{3,60}?)\s+(?:is|was)\s+(?:a|an|the)\b")
_NAME_TOKEN = re.compile(r"[^\W\d_](?:[^\W\d_]|['’.\-](?=[^\W\d_]))*\.?")
_KEY_JUNK = re.compile(r"[\W_]+")
_HORIZONTAL_SPACE = re.compile(r"[ \t]+")


@dataclass(frozen=True, slots=True)
class CleanText:
    """The article body and what was taken out of the text around it."""

    text: str
    title: str | None = None
    author: str | None = None
    section: str | None = None
    published: date | None = None


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    blank_before: bool  # kept so the body keeps its paragraph layout ("\n\n" vs "\n")


@dataclass(frozen=True, slots=True)
class _Header:
    dropped: frozenset[int]
    title: str | None
    section: str | None
    author: str | None
    published: date | None


@dataclass(frozen=True, slots=True)
class _Trailer:
    kept: int  # number of body lines before the trailer
    author: str | None
    published: date | None


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    promo: tuple[tuple[re.Pattern[str], int], ...]
    share_row: re.Pattern[str]
    bio_cue: re.Pattern[str]
    bio_blocker: re.Pattern[str]
    non_name_words: frozenset[str]
    name_particles: frozenset[str]
    max_promo_words: int


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    raw = json.loads(resources.files("incitewatch.resources").joinpath("boilerplate.json").read_text("utf-8"))
    promo = tuple((re.compile(item["pattern"], re.IGNORECASE), int(item["max_words"]))
                  for item in raw["promo_patterns"])
    share_words = "|".join(re.escape(word) for word in sorted(raw["share_words"], key=len, reverse=True))
    bio_cues = "|".join(re.escape(cue) for cue in raw["bio_cues"])
    bio_blockers = "|".join(re.escape(word) for word in raw["bio_blockers"])
    return _Vocabulary(
        promo=promo,
        share_row=re.compile(rf"(?:(?:{share_words})\b[\s|/·•,:-]*){{2,}}", re.IGNORECASE),
        bio_cue=re.compile(rf"\b(?:{bio_cues})\b", re.IGNORECASE),
        bio_blocker=re.compile(rf"\b(?:{bio_blockers})\b", re.IGNORECASE),
        non_name_words=frozenset(word.casefold() for word in raw["non_name_words"]),
        name_particles=frozenset(word.casefold() for word in raw["name_particles"]),
        max_promo_words=max(limit for _, limit in promo),
    )


def clean_plain_text(text: str, *, known_title: str | None = None) -> CleanText:
    """Split ``text`` into body and metadata; ``known_title`` (from HTML or the source) replaces guessing."""
    lines = [line for line in _split_lines(text) if not is_promo_line(line.text)]
    header = _read_header(lines, known_title)
    body = [line for index, line in enumerate(lines) if index not in header.dropped]
    trailer = _read_trailer(body)
    body = body[:trailer.kept]
    title = known_title or header.title
    title_key = _key(title) if title else ""
    if title_key:
        body = [line for line in body if _key(line.text) != title_key]
    if not body:  # everything looked like furniture: keep the text rather than lose the article
        body = lines or _split_lines(text)
    return CleanText(
        text=_join(body),
        title=title,
        author=header.author or trailer.author,
        section=header.section,
        published=header.published or trailer.published,
    )


def is_promo_line(line: str) -> bool:
    """A short line of site furniture: channel promotion, share buttons, read-more, advertising, copyright."""
    words = len(line.split())
    vocabulary = _vocabulary()
    if words == 0 or words > vocabulary.max_promo_words:
        return False
    if vocabulary.share_row.fullmatch(line):
        return True
    return any(words <= limit and pattern.search(line) for pattern, limit in vocabulary.promo)


def parse_dateline(line: str) -> date | None:
    """The date of a line that is only a dateline ("Published: 30 March 2024", "March 30, 2024 10:02 IST")."""
    found = _DATELINE.fullmatch(line.strip())
    if found is None:
        return None
    groups = found.groupdict()
    try:
        if groups["y3"]:
            return date(int(groups["y3"]), int(groups["mo3"]), int(groups["d3"]))
        day, month, year = ((groups["d1"], groups["m1"], groups["y1"]) if groups["y1"]
                            else (groups["d2"], groups["m2"], groups["y2"]))
        return date(int(year), _MONTH_NUMBERS[month[:3].casefold()], int(day))
    except (ValueError, KeyError):
        return None


def parse_byline(line: str) -> tuple[str | None, date | None] | None:
    """(author, date) of a byline ("By Jane Doe", "By Jane Doe and John Roe | 30 March 2024",
    "Jane Doe | Reuters"), or None when the line is not a byline."""
    if len(line.split()) > BYLINE_MAX_WORDS:
        return None
    by = _BYLINE_BY.fullmatch(line)
    if by is not None:
        names_part, *rest = _BYLINE_REST.split(by.group("names"), maxsplit=1)
        names = _leading_names(names_part)
        if not names:
            return None
        return "; ".join(names), _date_in(rest)
    pipe = _BYLINE_PIPE.fullmatch(line)
    # "Name | Outlet": the tail is short; a long tail makes it a headline ("Name – how ...").
    if pipe is not None and len(pipe.group("rest").split()) <= PIPE_BYLINE_REST_MAX_WORDS:
        name = person_name(pipe.group("names"))
        if name is not None:
            return name, _date_in([pipe.group("rest")])
    return None


def person_name(text: str, *, max_tokens: int = 4) -> str | None:
    """``text`` as a personal name (2 to ``max_tokens`` capitalised tokens, particles allowed), else None."""
    tokens = text.split()
    if not 2 <= len(tokens) <= max_tokens:
        return None
    vocabulary = _vocabulary()
    for position, token in enumerate(tokens):
        folded = token.casefold()
        if position > 0 and (folded in vocabulary.name_particles
                             or ("-" in folded and folded.split("-", 1)[0] in vocabulary.name_particles)):
            continue
        if folded.strip(".") in vocabulary.non_name_words:
            return None
        if not (token[0].isupper() and _NAME_TOKEN.fullmatch(token)):
            return None
    if tokens[-1].casefold() in vocabulary.name_particles:
        return None
    name = " ".join(tokens)
    # "JANE DOE" → "Jane Doe"; mixed-case names ("McCary") are left as written.
    return name.title() if name.isupper() and len(name) > 3 else name


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    blank = False
    for raw_line in text.split("\n"):
        stripped = _HORIZONTAL_SPACE.sub(" ", raw_line).strip()
        if not stripped:
            blank = True
            continue
        lines.append(_Line(stripped, blank))
        blank = False
    return lines


def _join(lines: list[_Line]) -> str:
    parts: list[str] = []
    for index, line in enumerate(lines):
        if index:
            parts.append("\n\n" if line.blank_before else "\n")
        parts.append(line.text)
    return "".join(parts)


def _key(text: str) -> str:
    """Comparison key for repeated headlines: case, punctuation and spacing ignored."""
    return _KEY_JUNK.sub(" ", text.casefold()).strip()


def _read_header(lines: list[_Line], known_title: str | None) -> _Header:
    candidates: list[int] = []
    dropped: set[int] = set()
    author: str | None = None
    published: date | None = None
    for index, line in enumerate(lines[:MAX_HEADER_LINES]):
        byline = parse_byline(line.text)
        if byline is not None:
            author = author or byline[0]
            published = published or byline[1]
            dropped.add(index)
            continue
        when = parse_dateline(line.text)
        if when is not None:
            published = published or when
            dropped.add(index)
            continue
        following = lines[index + 1] if index + 1 < len(lines) else None
        if following is not None and following.text[:1].islower():
            break  # the sentence runs on into the next line: body text
        followed_by_blank = following is None or following.blank_before
        # Headline-like lines after the byline/dateline are subheadings of the body, not the title.
        if (candidates and dropped) or not _is_headline_like(line.text, followed_by_blank):
            break
        candidates.append(index)
    title, section, title_lines = _choose_title(lines, candidates, known_title)
    return _Header(frozenset(dropped | title_lines), title, section, author, published)


def _choose_title(
    lines: list[_Line], candidates: list[int], known_title: str | None
) -> tuple[str | None, str | None, set[int]]:
    """(title, section, header lines to drop) from the headline-like lines at the top."""
    if not candidates:
        return None, None, set()
    keys = [_key(lines[index].text) for index in candidates]
    if known_title:
        title_key = _key(known_title)
        position = keys.index(title_key) if title_key in keys else None
    elif any(keys.count(key) > 1 for key in keys):  # a repeated headline is the headline
        position = next(i for i, key in enumerate(keys) if keys.count(key) > 1)
    else:
        position = _unrepeated_title_position(lines, candidates)
    if position is None:
        return known_title, None, set()
    title_key = keys[position]
    to_drop = {index for index, key in zip(candidates, keys, strict=True) if key == title_key}
    # Short lines above the headline are the site or section name ("World", "South Asia and Beyond").
    section_lines = [i for i in candidates[:position] if _words(lines[i].text) <= SECTION_MAX_WORDS]
    to_drop.update(section_lines)
    section = lines[section_lines[0]].text if section_lines else None
    title = known_title or lines[candidates[position]].text
    return title, section, to_drop


def _unrepeated_title_position(lines: list[_Line], candidates: list[int]) -> int | None:
    first_words = _words(lines[candidates[0]].text)
    if (len(candidates) > 1 and candidates[1] == candidates[0] + 1
            and first_words <= SECTION_LABEL_MAX_WORDS < _words(lines[candidates[1]].text)):
        return 1  # "Section\n\nA longer headline"
    if first_words < 2:
        return None  # one word ("Exclusive", "World") is a label, not a headline
    return 0


def _is_headline_like(text: str, followed_by_blank: bool) -> bool:
    """Short, no sentence-final punctuation, capitalised, and in title case or set apart by a blank line."""
    words = text.split()
    if len(words) > HEADLINE_MAX_WORDS or len(text) > HEADLINE_MAX_CHARS or text.endswith(SENTENCE_END):
        return False
    first = text.lstrip(OPENING_PUNCTUATION)[:1]
    if not (first.isupper() or first.isdigit()):
        return False
    return followed_by_blank or _is_title_case(words)


def _is_title_case(words: list[str]) -> bool:
    content = [word.lstrip(OPENING_PUNCTUATION) for word in words if word.casefold() not in TITLE_SMALL_WORDS]
    content = [word for word in content if word[:1].isalnum()]
    if len(content) < 2:
        return False
    capitalised = sum(1 for word in content if word[0].isupper() or word[0].isdigit())
    return capitalised >= TITLE_CASE_RATIO * len(content)


def _read_trailer(body: list[_Line]) -> _Trailer:
    """Author and date from the end: credit lines, datelines, a name line with a bio, a bio paragraph."""
    end = len(body)
    author: str | None = None
    published: date | None = None
    while end > 1:
        line = body[end - 1].text
        when = parse_dateline(line)
        credit = _credit_author(line) if when is None else None
        if when is None and credit is None:
            break
        published = published or when
        author = author or (credit or None)
        end -= 1
    signed = _signed_bio(body, end)
    if signed is not None:
        return _Trailer(signed[0], author or signed[1], published)
    if end > 1:
        bio_author = _last_paragraph_bio(body[end - 1].text)
        if bio_author is not None:
            return _Trailer(end - 1, author or bio_author or None, published)
    return _Trailer(end, author, published)


def _credit_author(line: str) -> str | None:
    """The reporter of a credit line ("Reporting by ..."), "" when it names none, None for other lines."""
    if len(line.split()) > BYLINE_MAX_WORDS:
        return None
    found = _CREDIT_LINE.match(line)
    if found is None:
        return None
    if found.group("role").casefold() in {"reporting", "writing", "written"}:
        return "; ".join(_leading_names(found.group("names"))) or ""
    return ""


def _signed_bio(body: list[_Line], end: int) -> tuple[int, str] | None:
    """(body length, author) when the text ends with a name-only line, optionally followed by their bio."""
    for index in range(end - 1, max(0, end - 1 - MAX_TRAILER_LINES), -1):
        name = person_name(body[index].text)
        if name is None:
            continue
        tail = [line.text for line in body[index + 1:end]]
        if tail and _is_bio(" ".join(tail), name):
            return index, name
        if not tail and body[index - 1].text.endswith((*SENTENCE_END, "?", "”", '"')):
            return index, name
        return None
    return None


def _is_bio(paragraph: str, name: str) -> bool:
    if len(paragraph.split()) > BIO_MAX_WORDS or not _reads_like_bio(paragraph):
        return False
    surname = name.split()[-1]
    return (surname.casefold() in paragraph.casefold() or _FIRST_PERSON.search(paragraph) is not None
            or _PRONOUN_START.match(paragraph) is not None)


def _last_paragraph_bio(paragraph: str) -> str | None:
    """The author when the last paragraph is a bio ("Jane Doe is a journalist based in ...", "" for "The
    writer is a ..."), or None when it is body text."""
    if len(paragraph.split()) > LAST_PARAGRAPH_BIO_MAX_WORDS or not _reads_like_bio(paragraph):
        return None
    found = _LAST_PARAGRAPH_BIO.match(paragraph)
    if found is None:
        return None
    subject = found.group("subject")
    if subject.casefold() in {"the writer", "the author", "the columnist", "the reporter"}:
        return ""
    return person_name(subject)


def _reads_like_bio(paragraph: str) -> bool:
    """Names the writer's trade ("journalist", "writes about") and reports no news ("said", "arrested")."""
    vocabulary = _vocabulary()
    return bool(vocabulary.bio_cue.search(paragraph)) and not vocabulary.bio_blocker.search(paragraph)


def _leading_names(text: str) -> list[str]:
    names: list[str] = []
    for part in _NAME_SEPARATOR.split(text.strip()):
        name = person_name(part, max_tokens=5)
        if name is None:
            break
        names.append(name)
    return names


def _date_in(parts: list[str]) -> date | None:
    for part in parts:
        for piece in _BYLINE_REST.split(part):
            when = parse_dateline(piece)
            if when is not None:
                return when
    return None


def _words(text: str) -> int:
    return len(text.split())
