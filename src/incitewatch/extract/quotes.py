"""Direct quotes with their speakers.

:func:`extract_quotes` pairs quotation marks paragraph by paragraph: curly “ ” and ‘ ’, and straight " and '.
A ’ (or ') between two letters is an apostrophe ("group’s"), never a closing mark; marks of the other kind
nested inside a quote ("just how ‘normal’ they believe") belong to its content. As in English typography, a
paragraph that opens a quote without closing it continues into the next paragraph when that one opens with the
same mark; each paragraph of such a quote is returned as its own :class:`Quote` (so every content span is free
of quotation marks), all with the same speaker and cue. The content span excludes the marks, surrounding
spaces and the comma that English places before a closing mark ("…with buses,” he said" → "…with buses").

Speakers. The speech verb (``Quote.cue``: "said", "told the Mail") is looked for after the quote ("“…,” he
said", "“…,” said al-Muhajer") and before it ("The recording said: “…", "Aisha told the Mail: “…"). The words
in subject position (``Quote.speaker_span``) are then resolved against the entities found so far:

1. a person mention among them → that person;
2. a pronoun (he, she) → the most recent person mentioned before the quote (skipping a mismatching
   ``attributes["gender"]``); "it"/"they" → the most recent group or organisation;
3. a role noun ("the ISIS spokesperson") → the person whose ``attributes["role"]`` is that role, else the
   person named with that role nearest before the quote ("Hudhayfah al-Ansari, the new ISIS spokesperson");
4. a recording, message, audio clip, voice or statement → the person the text attributes it to ("The voice on
   the recording has been attributed to … spokesman, Abi al-Hassan al-Muhajer");
5. a group, organisation or outlet mention → that entity; otherwise ``speaker`` is None.

Scare quotes. A quoted fragment of one to four words (“lone wolves”, ‘Aisha’, the “sisters”) is a scare quote
or a name, not something a speaker said: it yields NO Quote unless a speech verb governs it directly ("he said
“never”", "“Never,” he said"). Longer fragments are quotes even inside a sentence ("called upon militants to
“move operations into major cities”"), with the speaker of the sentence's speech verb.

Everything is regex over the canonical text, compiled once, linear in its length; the ``doc`` argument is
accepted for a uniform extractor signature (quote punctuation confuses parsed sentence boundaries, so
punctuation-based ones are used).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from incitewatch.extract.attribution import (
    MAX_LOOKBACK,
    IndexedMention,
    MentionIndex,
    SentenceIndex,
    with_outlets,
)
from incitewatch.extract.names import is_relation_reference
from incitewatch.types import Entity, Quote, Span

MAX_SCARE_QUOTE_WORDS = 4

_OPENERS = {"“": "”", "‘": "’", '"': '"', "'": "'"}
_DOUBLE = frozenset('“”"')
_MARKS = re.compile("[“”\"‘’']")
_OPENING_CONTEXT = frozenset(" \t([{—–-/“‘")

_SPEECH_VERB = (
    r"(?:said|says|say|saying|told(?:\s+(?:the\s+)?[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*|\s+reporters|\s+journalists)?"
    r"|tells|telling|added|adds|adding|stated|states|wrote|writes|warned|warns|warning|urged|urges|urging"
    r"|declared|declares|announced|announces|claimed|claims|insisted|insists|explained|explains|noted|notes"
    r"|continued|continues|asked|asks|replied|replies|vowed|vows|threatened|threatens|boasted|boasts"
    r"|proclaimed|proclaims|exhorted|stressed|reads?(?=\s*:)|commented|remarked|recalled|admitted|argued|shouted"
    r"|chanted|screamed|tweeted|posted|calls?\s+(?:on|upon|for)|called\s+(?:on|upon|for)|went\s+on)"
)
_VERB = re.compile(r"(?<![\w-])" + _SPEECH_VERB + r"(?![\w-])")
_ADVERBS = r"(?:(?:also|then|later|had|has|have|once|further|simply|recently|reportedly|allegedly)\s+)?"
# After the closing mark: "“…,” he said" / "“…,” said al-Muhajer". No sentence punctuation inside the speaker.
_AFTER = re.compile(
    r"[ \t]*,?[ \t]*(?:"
    r"(?P<subject>(?:[\w’'.-]+,?[ \t]+){0,8}?[\w’'.-]+,?)[ \t]+"
    + _ADVERBS
    + r"(?P<verb_after>"
    + _SPEECH_VERB
    + r")"
    r"|(?P<verb_first>" + _SPEECH_VERB + r")[ \t]+(?P<object>[^,.;:!?\n“”\"‘]{1,80})"
    r")(?![\w-])"
)
# Where a post-verb speaker ends: "said the group’s spokesman in a statement".
_NP_END = re.compile(r"\s(?:in|on|at|during|after|before|via|while|when|to|from|as|who|adding|according)\s")
# Between a speech verb and the opening mark: nothing, "that", or a short phrase ending in a colon or comma.
_ADJACENT_GAP = re.compile(r"\s*(?:that\s+)?|\s*[:,]\s*|\s+[^.!?“”\"\n]{1,80}?[:,]\s*")
# A short fragment is speech only right after a verb of saying ("he said “never”"), not after "called upon".
_TIGHT_GAP = re.compile(r"\s*[:,]?\s*")
_NOT_SAYING = re.compile(r"call")
_PRONOUN = re.compile(r"(?i)(?P<pronoun>he|she|it|they)(?:\s+(?:also|then|later|added|further))?")
_PERSON_PRONOUNS = {"he": "male", "she": "female"}
_ROLES = {
    "spokesman": "spokesman",
    "spokesperson": "spokesman",
    "spokeswoman": "spokesman",
    "spokesmen": "spokesman",
    "mouthpiece": "spokesman",
    "leader": "leader",
    "emir": "leader",
    "amir": "leader",
    "caliph": "leader",
    "chief": "leader",
    "commander": "commander",
    "envoy": "envoy",
    "minister": "minister",
    "official": "official",
    "president": "president",
    "preacher": "preacher",
    "cleric": "preacher",
    "imam": "preacher",
}
_DEFINITE = re.compile(r"(?i)(?:the|this|that)\s")
_ROLE_WORD = re.compile(r"(?i)(?<![\w-])(?:" + "|".join(_ROLES) + r")(?![\w-])")
_MEDIA_NOUN = re.compile(
    r"(?i)(?<![\w-])(?:recording|message|audio|clip|video|tape|voice|statement|speech|footage|broadcast|narrator"
    r"|narration|transcript|letter|communiqu[eé]|release|post|address|sermon|nasheed)s?(?![\w-])"
)
# "attributed to … <person>", "believed to have come from … <person>", "purported to be from … <person>".
_ATTRIBUTED_TO = re.compile(
    r"(?i)(?:attributed\s+to|(?:believed|thought|said|claimed|understood)\s+to\s+(?:have\s+)?(?:come|be|been)"
    r"(?:\s+from|\s+by)|purport\w*\s+to\s+be(?:\s+from|\s+by)?|(?:came|comes|come)\s+from|(?:delivered|voiced"
    r"|narrated|read|recorded|issued|released)\s+by)\b[^.!?\n]*\Z"
)
# "<person> released a message": the person issued the recording a later quote comes from.
_ISSUED = re.compile(
    r"[^.!?\n]{0,40}?(?<![\w-])(?:released|issued|posted|delivered|recorded|published|gave|broadcast|sent)"
    r"\s[^.!?\n]{0,40}?" + _MEDIA_NOUN.pattern.removeprefix("(?i)"),
    re.IGNORECASE,
)
_SPEAKER_TYPES = ("person", "group", "organisation", "outlet")


@dataclass(frozen=True, slots=True)
class _Segment:
    """One paragraph's part of a quote: its mark positions (``close`` is the paragraph end if open)."""

    open: int
    close: int
    closed: bool


@dataclass(frozen=True, slots=True)
class _CueBefore:
    subject: Span | None  # the words before the verb
    verb: Span
    gap: Span | None  # words between the verb and the opening mark ("said al-Muhajer: “")
    adjacent: bool  # nothing but a short phrase and a colon or comma between the verb and the mark


@dataclass(frozen=True, slots=True)
class _Speaker:
    entity: str | None
    span: Span | None
    cue: Span | None


# ----------------------------------------------------------------------------------------------------
# Pairing quotation marks


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in re.finditer(r"\n", text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


def _is_apostrophe(text: str, index: int) -> bool:
    before = text[index - 1] if index > 0 else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return before.isalnum() and after.isalpha()


def _opens(text: str, index: int, paragraph_start: int) -> bool:
    """Whether an ambiguous mark (" or ' or ‘) opens here: at a paragraph or word start, before a word."""
    before = text[index - 1] if index > paragraph_start else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return (before in _OPENING_CONTEXT or before.isspace()) and not after.isspace()


def _closes(text: str, index: int, mark: str, opener: str) -> bool:
    # Sloppy typing mixes curly and straight marks ("“…\""), so either kind of the same weight closes.
    if (mark in _DOUBLE) != (opener in _DOUBLE) or mark in "“‘":
        return False
    if mark in "’'":
        return not _is_apostrophe(text, index)
    return True


def _quote_groups(text: str) -> list[list[_Segment]]:
    """Quotes as lists of paragraph segments (several when a quote runs on into following paragraphs)."""
    groups: list[list[_Segment]] = []
    pending: list[_Segment] | None = None  # a quote left open at the end of the previous paragraph
    pending_mark = ""
    for start, end in _paragraphs(text):
        if not text[start:end].strip():
            continue
        continues = pending is not None and text[start:end].lstrip().startswith(pending_mark)
        if pending is not None and not continues:
            if pending_mark in _DOUBLE:
                groups.append(pending)  # an unclosed double quote ends with its paragraph
            pending = None
        carried = pending
        pending = None
        opener, opened_at = "", -1
        for match in _MARKS.finditer(text, start, end):
            index, mark = match.start(), match.group()
            if opener:
                if _closes(text, index, mark, opener):
                    segment = _Segment(opened_at, index, True)
                    if carried is not None:
                        groups.append([*carried, segment])
                        carried = None
                    else:
                        groups.append([segment])
                    opener = ""
                elif mark == "“" == opener:
                    # English nests with single marks: a second “ means the first was never closed.
                    if carried is not None:
                        groups.append(carried)
                        carried = None
                    opened_at = index
            elif mark in _OPENERS and (mark in "“" or _opens(text, index, start)):
                if mark in "‘'" and _is_apostrophe(text, index):
                    continue
                opener, opened_at = mark, index
        if opener:
            pending = [*(carried or []), _Segment(opened_at, end, False)]
            pending_mark = opener
    if pending is not None and pending_mark in _DOUBLE:
        groups.append(pending)
    return sorted(groups, key=lambda group: group[0].open)


def _content(text: str, segment: _Segment, last: bool) -> tuple[int, int]:
    start, end = segment.open + 1, segment.close
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if last and segment.closed and end > start and text[end - 1] == ",":
        end -= 1
        while end > start and text[end - 1].isspace():
            end -= 1
    return start, end


# ----------------------------------------------------------------------------------------------------
# Finding the speech verb and the words in subject position


def _cue_after(text: str, group: list[_Segment], paragraph_end: int) -> tuple[Span | None, Span] | None:
    """(speaker words, verb) written after the closing mark: "“…,” he said", "“…,” said al-Muhajer"."""
    last = group[-1]
    if not last.closed:
        return None
    inside = text[last.open + 1 : last.close].rstrip()
    match = _AFTER.match(text, last.close + 1, paragraph_end)
    if match is None or not (
        inside.endswith((",", "?", "!", "—", "–", "-", "…")) or match.group().lstrip(" \t").startswith(",")
    ):
        return None
    if match.group("verb_after"):
        return _span(text, match.start("subject"), match.end("subject")), _span(
            text, match.start("verb_after"), match.end("verb_after")
        )
    start, end = match.start("object"), match.end("object")
    np_end = _NP_END.search(text, start - 1, end)
    if np_end:
        end = np_end.start()
    verb = _span(text, match.start("verb_first"), match.end("verb_first"))
    return (_span(text, start, end) if end > start else None), verb


def _cue_before(
    text: str, group: list[_Segment], sentences: SentenceIndex, long_quote: bool
) -> _CueBefore | None:
    """(subject words, verb, words between verb and mark) for "The recording said: “…" and "said X: “…"."""
    opening = group[0].open
    sentence_start = max(sentences.start_of(opening), opening - MAX_LOOKBACK)
    verbs = list(_VERB.finditer(text, sentence_start, opening))
    if not verbs:
        return None
    verb = verbs[-1]
    gap_adjacent = _ADJACENT_GAP.fullmatch(text, verb.end(), opening)
    if not long_quote and (
        _NOT_SAYING.match(verb.group()) or not _TIGHT_GAP.fullmatch(text, verb.end(), opening)
    ):
        return None
    subject_start = _last_clause_start(text, sentence_start, verb.start())
    subject = _trimmed(text, subject_start, verb.start())
    gap = _trimmed(text, verb.end(), opening, strip=" \t:,") if gap_adjacent else None
    return _CueBefore(subject, _span(text, verb.start(), verb.end()), gap, gap_adjacent is not None)


def _last_clause_start(text: str, sentence_start: int, verb_start: int) -> int:
    """Where the subject can start: the sentence start, or just after a closing quote mark in between."""
    closing = max(text.rfind("”", sentence_start, verb_start), text.rfind('"', sentence_start, verb_start))
    return closing + 1 if closing >= 0 else sentence_start


def _trimmed(text: str, start: int, end: int, strip: str = " \t\n") -> Span | None:
    while start < end and text[start] in strip:
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return _span(text, start, end) if end > start else None


def _span(text: str, start: int, end: int) -> Span:
    return Span(start, end, text[start:end])


# ----------------------------------------------------------------------------------------------------
# Resolving the words in subject position to an entity


class _Resolver:
    def __init__(
        self, text: str, entities: Sequence[Entity], mentions: MentionIndex, sentences: SentenceIndex
    ) -> None:
        self.text = text
        self.entities = entities
        self.mentions = mentions
        self.sentences = sentences

    def resolve(self, words: Span, quote_start: int, prefer_last: bool) -> tuple[str | None, Span]:
        """The entity the words stand for, and the span that names it (a mention when one is inside)."""
        inside = [m for m in self.mentions.inside(words.start, words.end) if m.entity.type in _SPEAKER_TYPES]
        persons = [m for m in inside if m.entity.type == "person"]
        if persons:
            chosen = persons[-1] if prefer_last else persons[0]
            return chosen.entity.id, _span(self.text, chosen.start, chosen.end)
        short = self._short_phrase(words)
        pronoun = _PRONOUN.fullmatch(short.text)
        if pronoun:
            return self._antecedent(pronoun.group("pronoun").lower(), quote_start), short
        role = _ROLE_WORD.search(short.text)
        if role:
            holder = self._role_holder(_ROLES[role.group().lower()], quote_start)
            if holder is None and _DEFINITE.match(short.text):
                # "The terror chief warned:" a tabloid epithet for the person the report is about.
                holder = self._antecedent("he", quote_start)
            return holder, short
        if _MEDIA_NOUN.search(short.text):
            return self._attributed_person(quote_start), short
        if inside:
            chosen = inside[-1] if prefer_last else inside[0]
            return chosen.entity.id, _span(self.text, chosen.start, chosen.end)
        return None, short

    def _short_phrase(self, words: Span) -> Span:
        """The last clause of long subject words ("Reacting to this, the envoy" → "the envoy")."""
        comma = words.text.rfind(", ")
        start = words.start + comma + 2 if comma >= 0 else words.start
        return _trimmed(self.text, start, words.end, strip=" \t\n,") or words

    def _antecedent(self, pronoun: str, quote_start: int) -> str | None:
        wanted_types = ("person",) if pronoun in _PERSON_PRONOUNS else ("group", "organisation")
        for mention in self.mentions.before(quote_start):
            if mention.entity.type not in wanted_types or is_relation_reference(self.text, mention.start, mention.end):
                continue
            gender = mention.entity.attributes.get("gender")
            if gender and pronoun in _PERSON_PRONOUNS and gender != _PERSON_PRONOUNS[pronoun]:
                continue
            return mention.entity.id
        return None

    def _role_holder(self, role: str, quote_start: int) -> str | None:
        persons = self._persons_before(quote_start)
        for mention in persons:
            if self._role_of(mention.entity) == role:
                return mention.entity.id
        for mention in persons:
            if self._named_with_role(mention, role):
                return mention.entity.id
        # A role holder known to the entity extractor but named only later (or not at all) in the text.
        holders = [e for e in self.entities if e.type == "person" and self._role_of(e) == role]
        return holders[0].id if holders else None

    @staticmethod
    def _role_of(entity: Entity) -> str | None:
        return _ROLES.get(entity.attributes.get("role", "").lower())

    def _persons_before(self, position: int) -> list[IndexedMention]:
        return [m for m in self.mentions.before(position) if m.entity.type == "person"]

    def _named_with_role(self, mention: IndexedMention, role: str) -> bool:
        """Whether the role noun stands next to the name in its sentence ("X, the new ISIS spokesperson")."""
        start = max(self.sentences.start_of(mention.start), mention.start - 80)
        end = min(self.sentences.end_of(mention.end - 1), mention.end + 80)
        return any(_ROLES[m.group().lower()] == role for m in _ROLE_WORD.finditer(self.text, start, end))

    def _attributed_person(self, quote_start: int) -> str | None:
        """The person a recording/message is attributed to, or who issued one, earlier in the text."""
        for mention in self._persons_before(quote_start):
            sentence_start = max(self.sentences.start_of(mention.start), mention.start - MAX_LOOKBACK)
            sentence_end = self.sentences.end_of(mention.end - 1)
            attributed = _ATTRIBUTED_TO.search(
                self.text, sentence_start, mention.start
            ) and _MEDIA_NOUN.search(self.text, sentence_start, mention.start)
            if attributed or _ISSUED.match(self.text, mention.end, sentence_end):
                return mention.entity.id
        return None


# ----------------------------------------------------------------------------------------------------


def _word_count(text: str, group: list[_Segment]) -> int:
    return sum(len(text[s.open + 1 : s.close].split()) for s in group)


def _find_speaker(
    text: str, group: list[_Segment], sentences: SentenceIndex, resolver: _Resolver
) -> _Speaker | None:
    """The speaker of a quote; None when no speech verb governs it and it is short (a scare quote)."""
    long_quote = _word_count(text, group) > MAX_SCARE_QUOTE_WORDS
    quote_start = group[0].open
    paragraph_end = text.find("\n", group[-1].close)
    after = _cue_after(text, group, len(text) if paragraph_end < 0 else paragraph_end)
    before = _cue_before(text, group, sentences, long_quote)
    if before is not None and (before.adjacent or after is None):
        # "said al-Muhajer: “…" names the speaker after the verb; else the subject before it speaks.
        for words, prefer_last in ((before.gap, False), (before.subject, True)):
            if words is not None:
                entity, span = resolver.resolve(words, quote_start, prefer_last)
                if entity is not None or words is before.subject:
                    return _Speaker(entity, span, before.verb)
        return _Speaker(None, None, before.verb)
    if after is not None:
        words, verb = after
        if words is None:
            return _Speaker(None, None, verb)
        entity, span = resolver.resolve(words, quote_start, prefer_last=False)
        return _Speaker(entity, span, verb)
    return _Speaker(None, None, None) if long_quote else None


def extract_quotes(text: str, doc: Doc | None, entities: Sequence[Entity]) -> tuple[Quote, ...]:
    """Direct quotes in text order: one :class:`Quote` per paragraph of each quote (see the module doc)."""
    del doc  # see the module docstring: punctuation-based sentences are more reliable around quotation marks
    all_entities = with_outlets(text, entities)
    sentences = SentenceIndex(text, None)
    resolver = _Resolver(text, all_entities, MentionIndex(all_entities), sentences)
    quotes: list[Quote] = []
    for group in _quote_groups(text):
        speaker = _find_speaker(text, group, sentences, resolver)
        if speaker is None:
            continue  # a scare quote or a name in quotation marks
        for index, segment in enumerate(group):
            start, end = _content(text, segment, last=index == len(group) - 1)
            if end > start:
                quotes.append(Quote(start, end, text[start:end], speaker.entity, speaker.span, speaker.cue))
    return tuple(quotes)
