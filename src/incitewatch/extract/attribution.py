"""Cited outlets and agencies ("according to Reuters", "told the Mail") and hedges ("could not be verified").

Three public functions:

* :func:`extract_outlets` finds outlet entities (``outlet:reuters``) from ``resources/outlets.json``. Names
  are matched case-sensitively, so "the Mail" is the newspaper and "mail" the common noun; common-word names
  ("the Mirror") are only accepted when no other capitalised word follows ("the Guardian Council" is not the
  paper); web domains ("express.co.uk") match in any case.
* :func:`extract_channels` finds the platforms propaganda is posted on (Telegram is a channel, not an outlet).
* :func:`extract_attributions` returns one :class:`Attribution` per cited source and per hedge cue. A
  citation's span runs from its cue to the end of the source's name ("according to Reuters", "A report in the
  Mirror stated"); a hedge's span is the cue phrase alone ("believed to have come from").

Everything is regex over the canonical text, compiled once per process, so the functions work without a spaCy
``Doc``; when one is given it supplies sentence boundaries.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, cast

from spacy.tokens import Doc

from incitewatch.types import Attribution, Entity, Hedge, Mention

# ----------------------------------------------------------------------------------------------------
# Resources


@dataclass(frozen=True, slots=True)
class _GazetteerEntry:
    id: str
    type: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]


# Candidate starts of a name: the first word character not glued to a longer word, host name or handle.
_WORD_START = re.compile(r"(?<![\w@.-])\w")


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    """Alternations bucketed by first character, so each word start tries only the names that can begin there.

    Group ``g<i>`` matched means ``group_to_entry["g<i>"]``. Within a bucket longer names come first, so
    "Daily Mail" beats "Mail" and "claimed responsibility" beats "claimed".
    """

    by_first: dict[str, re.Pattern[str]]
    group_to_entry: dict[str, _GazetteerEntry]
    # The word starts (as ``_WORD_START``) whose character opens some name: the others cannot match, so the
    # regex engine skips them rather than this loop.
    word_start: re.Pattern[str]

    def finditer(self, text: str) -> Iterator[tuple[re.Match[str], _GazetteerEntry]]:
        """Non-overlapping matches, left to right; linear in the text for a fixed gazetteer."""
        last_end = 0
        for start in self.word_start.finditer(text):
            if start.start() < last_end:
                continue
            pattern = self.by_first.get(start.group())
            match = pattern.match(text, start.start()) if pattern else None
            if match:
                last_end = match.end()
                yield match, self.group_to_entry[cast(str, match.lastgroup)]


def _first_chars(alias: str, case_insensitive: bool) -> set[str]:
    first = alias[0]
    if case_insensitive or alias.split()[0].lower() == "the":
        return {first.lower(), first.upper()}
    return {first}


def _compile_gazetteer(items: Iterable[tuple[str, str, bool, _GazetteerEntry]]) -> _Gazetteer:
    """items: (regex, literal name, case-insensitive?, entry)."""
    buckets: dict[str, list[tuple[str, str, _GazetteerEntry]]] = {}
    for regex, literal, case_insensitive, entry in items:
        for char in _first_chars(literal, case_insensitive):
            buckets.setdefault(char, []).append((regex, literal, entry))
    by_first: dict[str, re.Pattern[str]] = {}
    group_to_entry: dict[str, _GazetteerEntry] = {}
    for char, bucket in buckets.items():
        alternatives = []
        for regex, _literal, entry in sorted(bucket, key=lambda item: -len(item[1])):
            group = f"g{len(group_to_entry)}"
            group_to_entry[group] = entry
            alternatives.append(f"(?P<{group}>{regex})")
        by_first[char] = re.compile("(?:" + "|".join(alternatives) + r")(?![\w-])")
    return _Gazetteer(by_first, group_to_entry, _word_start_among(by_first))


def _word_start_among(first_chars: Iterable[str]) -> re.Pattern[str]:
    """``_WORD_START`` restricted to the given characters."""
    word_chars = sorted(char for char in first_chars if _WORD_START.fullmatch(char))
    if not word_chars:
        return re.compile(r"(?!)")
    return re.compile(r"(?<![\w@.-])[" + "".join(re.escape(char) for char in word_chars) + "]")


def _read_resource(name: str) -> dict[str, Any]:
    text = resources.files("incitewatch.resources").joinpath(name).read_text(encoding="utf-8")
    return cast(dict[str, Any], json.loads(text))


def _name_regex(alias: str) -> str:
    """A case-sensitive name; a leading article may take either case; any run of spaces separates words."""
    words = alias.split()
    head = ""
    if words[0].lower() == "the" and len(words) > 1:
        head, words = r"[Tt]he\s+", words[1:]
    return head + r"\s+".join(re.escape(w) for w in words)


def _domain_regex(domain: str) -> str:
    # "express.co.uk." ends a sentence; "express.co.uk.example" is another host.
    return r"(?i:" + re.escape(domain) + r")(?!\.\w)"


@lru_cache(maxsize=1)
def _outlet_data() -> dict[str, Any]:
    return _read_resource("outlets.json")


def _entry(record: dict[str, Any], entity_type: str, aliases: Sequence[str]) -> _GazetteerEntry:
    return _GazetteerEntry(
        id=record["id"],
        type=entity_type,
        name=record["name"],
        kind=record.get("kind", ""),
        aliases=tuple(aliases),
        domains=tuple(record.get("domains", ())),
    )


def _with_www(record: dict[str, Any]) -> list[str]:
    domains = list(record.get("domains", ()))
    return domains + ["www." + d for d in domains]


@lru_cache(maxsize=1)
def _outlet_gazetteer() -> _Gazetteer:
    data = _outlet_data()
    items: list[tuple[str, str, bool, _GazetteerEntry]] = []
    for record in data["outlets"]:
        aliases = [*record.get("aliases", ()), *record.get("context_aliases", ())]
        entry = _entry(record, "outlet", aliases)
        items += [(_name_regex(a), a, False, entry) for a in record.get("aliases", ())]
        # A common word as a name: refuse it when it heads a longer proper name ("the Guardian Council").
        items += [
            (_name_regex(a) + r"(?!\s+[A-Z])", a, False, entry) for a in record.get("context_aliases", ())
        ]
        items += [(_domain_regex(d), d, True, entry) for d in _with_www(record)]
    for record in data.get("generic", ()):
        entry = _entry(record, "outlet", record["phrases"])
        items += [("(?i:" + _name_regex(p) + ")", p, True, entry) for p in record["phrases"]]
    return _compile_gazetteer(items)


@lru_cache(maxsize=1)
def _channel_gazetteer() -> _Gazetteer:
    items: list[tuple[str, str, bool, _GazetteerEntry]] = []
    for record in _outlet_data().get("channels", ()):
        entry = _entry(record, "channel", record.get("aliases", ()))
        items += [(_name_regex(a), a, False, entry) for a in record.get("aliases", ())]
        items += [(_domain_regex(d), d, True, entry) for d in _with_www(record)]
    return _compile_gazetteer(items)


@lru_cache(maxsize=1)
def _hedge_lexicon() -> _Gazetteer:
    """Hedge forms as a gazetteer whose entries carry the hedge level in ``kind``."""
    items: list[tuple[str, str, bool, _GazetteerEntry]] = []
    for cue in _read_resource("hedges.json")["cues"]:
        entry = _GazetteerEntry(
            id=cue["cue"], type="hedge", name=cue["cue"], kind=cue["hedge"], aliases=(), domains=()
        )
        for form in cue["forms"]:
            regex = "(?i:" + r"\s+".join(re.escape(w).replace("'", "['’]") for w in form.split()) + ")"
            items.append((regex, form, True, entry))
    return _compile_gazetteer(items)


# ----------------------------------------------------------------------------------------------------
# Entities from the gazetteers


# (start, end, surface, entry) of each gazetteer match.
_Hit = tuple[int, int, str, _GazetteerEntry]


@lru_cache(maxsize=4)
def _outlet_hits(text: str) -> tuple[_Hit, ...]:
    """The outlet gazetteer's matches in ``text``, memoised for the last few texts: the pipeline, the
    attributions and the quotes each ask for the outlets of the same article. Immutable, so safe to share."""
    return _hits(_outlet_gazetteer(), text)


def _hits(gazetteer: _Gazetteer, text: str) -> tuple[_Hit, ...]:
    return tuple((m.start(), m.end(), m.group(), entry) for m, entry in gazetteer.finditer(text))


def _entities_from(hits: Iterable[_Hit]) -> tuple[Entity, ...]:
    mentions: dict[str, list[Mention]] = {}
    entries: dict[str, _GazetteerEntry] = {}
    for start, end, surface, entry in hits:
        entries[entry.id] = entry
        mentions.setdefault(entry.id, []).append(Mention(start, end, surface))
    entities = []
    for entity_id, found in mentions.items():
        entry = entries[entity_id]
        attributes = {"kind": entry.kind}
        if entry.domains:
            attributes["domain"] = entry.domains[0]
        entities.append(
            Entity(
                id=entity_id,
                type=cast(Any, entry.type),
                name=entry.name,
                aliases=entry.aliases,
                mentions=tuple(found),
                attributes=attributes,
            )
        )
    return tuple(sorted(entities, key=lambda e: e.mentions[0].start))


def extract_outlets(text: str, doc: Doc | None = None) -> tuple[Entity, ...]:
    """Outlet and agency entities (``type="outlet"``) with every mention, in order of first mention.

    ``attributes["kind"]`` says what it is: news_agency, newspaper, broadcaster, magazine, propaganda_agency,
    monitoring_group, or generic (unnamed "local media", id ``outlet:local-media``). ``doc`` is not needed.
    """
    del doc  # the gazetteer works on the canonical text; the argument keeps the extractor signature uniform
    return _entities_from(_outlet_hits(text))


def extract_channels(text: str, doc: Doc | None = None) -> tuple[Entity, ...]:
    """Platform entities (``type="channel"``, e.g. ``channel:telegram``) where material is posted."""
    del doc
    return _entities_from(_hits(_channel_gazetteer(), text))


# ----------------------------------------------------------------------------------------------------
# Shared helpers (also used by quotes.py)

# A sentence ends at . ! ? (optionally followed by a closing quote) before whitespace, unless the period
# closes a single capital initial ("Ian J. Mccary") or a common abbreviation of a title or month ("Col. Smith",
# "Aug. 7"). Python's look-behinds have a fixed width, so there is one per length.
_SENTENCE_END = re.compile(
    r"(?<!\b[A-Z])(?<!\b(?:Mr|Ms|Dr|St|vs|No|Lt|Jr|Sr))"
    r"(?<!\b(?:Mrs|Rev|Col|Gen|Maj|Sgt|Gov|Sen|Rep|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec))"
    r"(?<!\b(?:Capt|Prof|Sept))[.!?][\"”’']?(?=\s)|\n"
)


# How far back a sentence is searched for a subject or a speech verb: keeps run-on text without any
# punctuation linear.
MAX_LOOKBACK = 600


class SentenceIndex:
    """Sentence boundaries of the text: from the Doc when given, else from punctuation."""

    def __init__(self, text: str, doc: Doc | None) -> None:
        self.text = text
        if doc is not None and doc.text == text and doc.has_annotation("SENT_START"):
            starts = [sent.start_char for sent in doc.sents]
            # Paragraph breaks always end a sentence, whatever the parser thinks.
            starts += [m.end() for m in re.finditer(r"\n", text)]
        else:
            starts = [m.end() for m in _SENTENCE_END.finditer(text)]
        self.starts = sorted({0, *starts})

    def start_of(self, position: int) -> int:
        return self.starts[bisect.bisect_right(self.starts, position) - 1]

    def end_of(self, position: int) -> int:
        index = bisect.bisect_right(self.starts, position)
        return self.starts[index] if index < len(self.starts) else len(self.text)


@dataclass(frozen=True, slots=True)
class IndexedMention:
    start: int
    end: int
    entity: Entity


class MentionIndex:
    """All mentions of the given entities, sorted by start, for range look-ups by bisection."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        found = [IndexedMention(m.start, m.end, e) for e in entities for m in e.mentions]
        found.sort(key=lambda m: (m.start, -m.end))
        self.mentions = found
        self.starts = [m.start for m in found]

    def starting_in(self, start: int, end: int) -> list[IndexedMention]:
        """Mentions that start in [start, end), in text order."""
        low = bisect.bisect_left(self.starts, start)
        high = bisect.bisect_left(self.starts, end)
        return self.mentions[low:high]

    def inside(self, start: int, end: int) -> list[IndexedMention]:
        return [m for m in self.starting_in(start, end) if m.end <= end]

    def before(self, position: int, limit: int = 3000) -> list[IndexedMention]:
        """Mentions ending at or before ``position`` (within ``limit`` characters), nearest first."""
        found = [m for m in self.starting_in(max(0, position - limit), position) if m.end <= position]
        return found[::-1]


class _Taken:
    """Sorted character ranges already claimed, for overlap tests by bisection."""

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        self.ranges = sorted(ranges)
        self.starts = [start for start, _end in self.ranges]
        # The furthest end among the ranges starting at or before each index, so nested ranges do not hide.
        self.reach: list[int] = []
        for _start, end in self.ranges:
            self.reach.append(max(end, self.reach[-1]) if self.reach else end)

    def overlaps(self, start: int, end: int) -> bool:
        index = bisect.bisect_left(self.starts, end) - 1
        return index >= 0 and self.reach[index] > start


def merge_entities(entities: Sequence[Entity], extra: Iterable[Entity]) -> list[Entity]:
    """``entities`` plus those of ``extra`` whose mentions do not overlap a mention already given."""
    taken = _Taken((m.start, m.end) for e in entities for m in e.mentions)
    merged = list(entities)
    for entity in extra:
        fresh = tuple(m for m in entity.mentions if not taken.overlaps(m.start, m.end))
        if fresh:
            merged.append(
                Entity(entity.id, entity.type, entity.name, entity.aliases, fresh, entity.attributes)
            )
    return merged


def with_outlets(text: str, entities: Sequence[Entity]) -> list[Entity]:
    """The entities given, with gazetteer outlets added; an outlet's name outranks an "organisation" mention.

    The statistical NER calls "Reuters" or "the Mirror" an organisation; the outlet gazetteer knows better and
    gives the canonical id (``outlet:reuters``), so organisation mentions overlapping an outlet are dropped.
    """
    outlets = extract_outlets(text)
    outlet_spans = _Taken((m.start, m.end) for e in outlets for m in e.mentions)
    kept: list[Entity] = []
    for entity in entities:
        if entity.type == "organisation":
            mentions = tuple(m for m in entity.mentions if not outlet_spans.overlaps(m.start, m.end))
            if not mentions:
                continue
            entity = Entity(entity.id, entity.type, entity.name, entity.aliases, mentions, entity.attributes)
        kept.append(entity)
    return merge_entities(kept, outlets)


# ----------------------------------------------------------------------------------------------------
# Citations

_ACCORDING_TO = re.compile(r"(?<![\w-])(?:[Aa]ccording\s+to|[Cc]iting|[Aa]s\s+(?:reported|quoted)\s+by)\s+")
# The noun phrase after "according to" ends at a clause break.
_PHRASE_END = re.compile(r"[,;:.!?()\n]|\s[–—-]\s|\s(?:that|who|which)\s")
# "an undercover reporter, known only as ‘Aisha’": the appositive names the unnamed source.
_APPOSITIVE = re.compile(r"\A,\s+(?:known\s+(?:only\s+)?as|named|called|identified\s+as)\s+[‘'\"“]?")
# Cue words ending right before an outlet's name.
_CUE_BEFORE = re.compile(
    r"(?:(?<![\w-])(?:(?:[Aa]s|[Ll]ike)\s+)?(?:(?:first|originally|exclusively|also)\s+)?"
    r"(?:reported|revealed|disclosed|cited|quoted|published|broadcast|aired|obtained|seen)\s+(?:by|in|on)"
    r"|(?<![\w-])(?:[Aa]n?|[Tt]he|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir)\s+(?:[\w-]+\s+){0,2}"
    r"(?:report|reports|article|investigation|story|interview|analysis)\s+(?:in|by|from|on|with)"
    r"|(?<![\w-])(?:told|telling|tells|[Ss]peaking\s+to|[Ww]riting\s+(?:in|for)|[Ww]rote\s+in|[Vv]ia|[Ss]ource:)"
    r")(?:\s+[Tt]he)?\s*\Z"
    r"|\(\s*\Z"
)
_VERB_AFTER = re.compile(
    # "SITE Intelligence Group, which monitors jihadist media, said": one relative clause may intervene;
    # "the SITE monitoring group said": so may a descriptive noun.
    r"(?:\s+(?:monitoring|intelligence|news|media|research|watchdog)\s+"
    r"(?:group|agency|service|organi[sz]ation|firm|institute|outlet|website))?"
    r"(?:,\s+(?:which|that|who)\s[^,.;:!?\n]{1,80},)?"
    r"(?:’s|'s)?\s*(?:(?:has|had|have|also|first|later)\s+)*"
    r"(?:reported|reports|said|says|stated|states|revealed|reveals|claimed|claims|added|noted|wrote|writes"
    r"|quoted|cites|cited|learned|learnt|understands|confirmed|found|published)\b"
)
_CLOSE_PAREN = re.compile(r"\s*\)")
_REPORT_VERB = re.compile(
    r"\s+(?:(?:has|had|also)\s+)*(?:stated|said|says|states|reported|claimed|revealed|found"
    r"|added|noted|quoted|alleged)\b"
)
_SOURCE_TYPES = ("outlet", "person", "group", "organisation", "channel", "place")


def _source_preference(mention: IndexedMention) -> int:
    return _SOURCE_TYPES.index(mention.entity.type) if mention.entity.type in _SOURCE_TYPES else 99


def _according_to(text: str, mentions: MentionIndex) -> list[Attribution]:
    found = []
    for match in _ACCORDING_TO.finditer(text):
        stop = _PHRASE_END.search(text, match.end(), match.end() + 200)
        phrase_end = stop.start() if stop else min(len(text), match.end() + 200)
        candidates = mentions.inside(match.end(), phrase_end)
        appositive = _APPOSITIVE.match(text[phrase_end : phrase_end + 40])
        if not candidates and appositive:
            name_start = phrase_end + appositive.end()
            candidates = [
                m for m in mentions.starting_in(name_start, name_start + 2) if m.entity.type == "person"
            ]
        candidates.sort(key=_source_preference)
        source = candidates[0].entity.id if candidates else None
        end = phrase_end
        if candidates and candidates[0].start < phrase_end and not _is_generic(candidates[0].entity):
            end = candidates[0].end  # "according to Reuters" – the name closes the phrase
        end = _trim_end(text, match.start(), end)
        found.append(Attribution(match.start(), end, text[match.start() : end], source, None))
    return found


def _is_generic(entity: Entity) -> bool:
    return entity.attributes.get("kind") == "generic"


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _cited_outlets(text: str, mentions: MentionIndex, taken: _Taken) -> list[Attribution]:
    """Outlet mentions with a citing cue before ("reported by", "told the") or a reporting verb after."""
    found = []
    for mention in mentions.mentions:
        if mention.entity.type != "outlet" or taken.overlaps(mention.start, mention.end):
            continue
        before = _CUE_BEFORE.search(text, max(0, mention.start - 60), mention.start)
        start, end = mention.start, mention.end
        if before and before.group().strip() == "(":
            if not _CLOSE_PAREN.match(text, mention.end):
                continue  # "(Reuters)" is a dateline credit; any other bracket is not a citation
        elif before:
            start = before.start()
            verb = _REPORT_VERB.match(text, end)
            if verb and re.search(r"report|article|investigation|story|analysis", before.group()):
                end = verb.end()  # "A report in the Mirror stated"
        else:
            after = _VERB_AFTER.match(text, end)
            if not after:
                continue
            end = after.end()
        found.append(Attribution(start, end, text[start:end], mention.entity.id, None))
    return found


# ----------------------------------------------------------------------------------------------------
# Hedges

_NEGATION_BEFORE = re.compile(
    r"(?<![\w-])(?:not|never|n[o’']t|no\s+one|nobody)\s+(?:\w+\s+){0,2}\Z", re.IGNORECASE
)
# "the attack claimed 140 lives": claim as in "took", not as in "asserted".
_CLAIMED_LIVES = re.compile(r"\s+(?:the\s+)?(?:[\w,-]+\s+){0,3}lives\b", re.IGNORECASE)


def _hedges(text: str, mentions: MentionIndex, sentences: SentenceIndex) -> list[Attribution]:
    found = []
    for match, entry in _hedge_lexicon().finditer(text):
        level = cast(Hedge, entry.kind)
        start = match.start()
        if (
            level == "claimed"
            and match.group().lower().startswith("claim")
            and _CLAIMED_LIVES.match(text, match.end())
        ):
            continue
        negation = _NEGATION_BEFORE.search(text, max(0, start - 30), start)
        if negation:
            if level != "confirmed":
                continue  # "did not deny", "has not claimed": no hedge we can name
            level, start = "unverified", negation.start()  # "has not been officially confirmed"
        source = _hedge_source(text, start, mentions, sentences)
        found.append(Attribution(start, match.end(), text[start : match.end()], source, level))
    return found


_SUBJECT_GAP = re.compile(r"\A\s*(?:(?:has|have|had|also|later|quickly|swiftly|officially|since|not)\s+)*\Z")


def _hedge_source(text: str, cue_start: int, mentions: MentionIndex, sentences: SentenceIndex) -> str | None:
    """The entity directly before a verbal cue is its subject ("ISIS claimed", "the Kremlin has denied")."""
    sentence_start = max(sentences.start_of(cue_start), cue_start - MAX_LOOKBACK)
    for mention in mentions.before(cue_start, limit=cue_start - sentence_start):
        if mention.entity.type in ("outlet", "person", "group", "organisation") and _SUBJECT_GAP.match(
            text[mention.end : cue_start]
        ):
            return mention.entity.id
        break
    return None


# ----------------------------------------------------------------------------------------------------


def extract_attributions(text: str, doc: Doc | None, entities: Sequence[Entity]) -> tuple[Attribution, ...]:
    """Cited sources (``source`` = entity id, ``hedge`` None) and hedges (``hedge`` set), in text order.

    ``entities`` are those found so far; outlets named in the text are added from the gazetteer (and replace
    overlapping "organisation" mentions, see :func:`with_outlets`).
    A citation of an unnamed source ("according to an undercover reporter") has ``source`` None unless an
    appositive names a known person; unnamed media ("local reports") cite ``outlet:local-media``. A hedge's
    ``source`` is the entity that is the subject of the cue ("ISIS claimed responsibility"), else None.
    """
    mentions = MentionIndex(with_outlets(text, entities))
    sentences = SentenceIndex(text, doc)
    citations = _according_to(text, mentions)
    citations += _cited_outlets(text, mentions, _Taken((a.start, a.end) for a in citations))
    hedges = _hedges(text, mentions, sentences)
    return tuple(sorted(citations + hedges, key=lambda a: (a.start, a.end)))
