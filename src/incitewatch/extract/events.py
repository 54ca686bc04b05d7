"""Events from the annotations of one article: propaganda releases, calls to action, attacks, arrests, statements.

Rules over sentences and clauses, reading what earlier stages found (entities with ids, times, places, quotes,
attributions) and the trigger/role lexicons in ``resources/event_lexicon.json``. Every role filler is a span of the
canonical text; fillers that are entities carry the entity id, counts carry integers.

Within one article, mentions of the same release ("an audio message", "the audio clip", "the recording") become one
release unless their media conflict (a video vs an audio address); mentions of the same attack (same place) become
one attack whose roles gather what each mention says.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from spacy.tokens import Doc

from incitewatch.extract.entities import is_listed
from incitewatch.extract.lexicon import EventLexicon, LexiconHit, event_lexicon
from incitewatch.extract.names import is_relation_reference
from incitewatch.extract.numbers import find_counts
from incitewatch.resources import persons_by_id
from incitewatch.types import AnalyzedDoc, Entity, Event, Mention, RoleFiller, Span, TimeExpr, Verification

_DOUBT_ORDER: dict[str, int] = {"confirmed": 0, "claimed": 1, "unverified": 2, "disputed": 3}
_EARLIER = re.compile(r"\b(?:previous|earlier|prior|past|old|older|another)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
# Material someone watched, kept or shared: the reports are about them, not about a release.
_CONSUMED = re.compile(
    r"\b(?:watch(?:ed|ing)?|view(?:ed|ing)?|saw|seen|inspired\s+by|influenced\s+by|radicali[sz]ed\s+by|"
    r"download(?:ed|ing)?|possess(?:ed|ing|ion\s+of)?|found|stored|consum(?:ed|ing))\s+"
    r"(?:[\w’'-]+\s+){0,4}$",
    re.IGNORECASE,
)
_FOUND_AFTER = re.compile(
    r"\s+(?:(?:was|were)\s+)?(?:found|seized|stored|discovered|kept)\s+(?:on|in|at)\b", re.IGNORECASE
)
# "to investigate the murder of ...": an attack that is the object of an inquiry or a protest happened.
_LOOKING_INTO = r"\bto\s+(?:investigate|probe|protest|condemn|denounce|clarify|solve|avenge|mourn)\b"
_LOOKS_INTO = re.compile(_LOOKING_INTO, re.IGNORECASE)
_HYPOTHETICAL = re.compile(
    rf"\b(?:(?!{_LOOKING_INTO})to|could|would|will|may|might|should|can|plan(?:s|ned)?\s+to|prevent(?:ing)?|"
    r"launch|carry\s+out|conduct|double|against\s+the\s+threat|threat\s+of|threaten(?:s|ed|ing)?|vow(?:s|ed|ing)?|warn(?:s|ed|ing)?\s+of|"
    r"call(?:s|ed|ing)?\s+for|urg(?:e|es|ed|ing)|promis(?:e|es|ed|ing)|pledg(?:e|es|ed|ing)|planning|plotting|plotted|"
    r"preparing)\s+(?:[\w’'-]+\s+){0,3}$",
    re.IGNORECASE,
)
# "have carried out similar attacks", "such attacks", "future attacks": attacks in general, not one that happened.
_GENERIC_ATTACKS = re.compile(
    r"\b(?:similar|such|future|further|possible|potential|any|more|new|fresh)\s+(?:[\w-]+\s+)?$", re.IGNORECASE
)
_ONLOOKER_VERB = re.compile(
    r"\b(?:prais\w*|hail\w*|welcom\w*|celebrat\w*|laud\w*|applaud\w*|glorif\w*|commend\w*|condemn\w*|"
    r"denounc\w*|mourn\w*|recall\w*|mention\w*|cit(?:e|ed|es|ing)|refer\w*|invok\w*|vow\w*|retaliat\w*|"
    r"aveng\w*|revenge|ask(?:s|ed|ing)?|wonder\w*)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(
    r"\s[–—]\s|;\s|\s-\s|,\s+in\s+which\s+|,\s+and\s+(?=the\b)|\s+and\s+(?=the\s+\w+(?:\s+\w+)?\s+attack)"
)
_BY_AGENT = re.compile(r"\b(?:at\s+the\s+hands\s+of|by|carried\s+out\s+by)\s+$", re.IGNORECASE)
_AGAINST = re.compile(r"\b(?:against|fighting|defeat|combat(?:ting)?|on)\s+(?:the\s+)?$", re.IGNORECASE)
# "the 10-minute speech, titled “We Are All Osama”", "a video entitled 'Flames of War'": the release's own title.
_TITLED = re.compile(
    r"\b(?:titled|entitled|called|named|under\s+the\s+(?:title|name))\s*:?\s+[“\"‘'](?P<title>[^“”\"\n]{3,120}?)[,.]?[”\"’']",
    re.IGNORECASE,
)
_OCCASION = re.compile(
    r"\b(?:the\s+)?(?:[\w-]+\s+)?(?:anniversary|occasion|eve)\s+of\s+[^.;:,“”\"]+|\bcoincid\w*\s+with\s+(?P<what>[^.;:,“”\"]+)",
    re.IGNORECASE,
)
_IMPERATIVE = re.compile(
    r"\b(?:kill|fight|attack|strike|charge|blow|burn|shoot|slaughter|run\s+them\s+over|stab|target|do\s+as)\b",
    re.IGNORECASE,
)
_PERIOD_NAMES = re.compile(
    r"ramadan|eid|muharram|ashura|hajj|dhu\s*al|christmas|easter|new\s+year|passover|hanukkah|diwali|holy\s+month",
    re.IGNORECASE,
)
_SPEAKER_ROLES = ("spokesman", "spokesperson", "leader", "emir", "caliph", "commander", "preacher")


@dataclass(frozen=True, slots=True)
class _Tokens:
    """Character spans and coarse POS tags of the article's tokens (empty without a tagged spaCy doc)."""

    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()
    pos: tuple[str, ...] = ()


@dataclass(slots=True)
class _Ctx:
    """Read-only views over one article's annotations, built once per article."""

    text: str
    doc: AnalyzedDoc
    lex: EventLexicon
    sentences: list[tuple[int, int]]
    mentions: list[tuple[Mention, Entity]]
    quoted: list[tuple[int, int]]
    tokens: _Tokens = field(default_factory=_Tokens)

    def sentence_of(self, offset: int) -> tuple[int, int]:
        for start, end in self.sentences:
            if start <= offset < end:
                return start, end
        return 0, len(self.text)

    def entities_in(self, start: int, end: int, *types: str) -> list[tuple[Mention, Entity]]:
        return [
            (m, e) for m, e in self.mentions if start <= m.start and m.end <= end and (not types or e.type in types)
        ]

    def times_in(self, start: int, end: int) -> list[TimeExpr]:
        return [t for t in self.doc.times if start <= t.start and t.end <= end]

    def in_quote(self, start: int, end: int) -> bool:
        return any(qs <= start and end <= qe for qs, qe in self.quoted)

    def hedges_in(self, start: int, end: int) -> list[str]:
        return [a.hedge for a in self.doc.attributions if a.hedge and start <= a.start and a.end <= end]


# "A day later", "two weeks afterwards", "the next day": a date counted from the last calendar day named before it.
_COUNTED_FROM = re.compile(r"\s+(?P<dir>later|afterwards|after\s+that|earlier|before(?:\s+that)?)\b", re.IGNORECASE)
_DAYS_OR_WEEKS = re.compile(r"^P(?P<n>\d+)(?P<unit>[DW])$")
_NEXT_DAY = re.compile(
    r"\b(?:the\s+)?(?:(?P<next>next|following)\s+day|day\s+after|(?P<prev>previous|preceding)\s+day|day\s+before)\b",
    re.IGNORECASE,
)
_ANCHOR_REACH = 800  # how far back (characters) the day a relative date counts from may be named


def _anchor_day(ctx: _Ctx, position: int) -> date | None:
    for t in reversed(ctx.doc.times):
        if t.end <= position and position - t.end <= _ANCHOR_REACH and _is_calendar_date(t) and len(t.value) == 10:
            try:
                return date.fromisoformat(t.value)
            except ValueError:
                return None
    return None


def _counted_dates(ctx: _Ctx, start: int, end: int) -> list[TimeExpr]:
    """Dates told relative to an earlier one in the same report: "On Tuesday, al-Qaeda published …. A day later,
    Islamic State released …" dates the second release to Wednesday."""
    found: list[TimeExpr] = []
    for t in ctx.times_in(start, end):
        count = _DAYS_OR_WEEKS.match(t.value) if t.type == "DURATION" else None
        direction = _COUNTED_FROM.match(ctx.text, t.end) if count else None
        anchor = _anchor_day(ctx, t.start) if count and direction else None
        if count and direction and anchor:
            days = int(count.group("n")) * (7 if count.group("unit") == "W" else 1)
            sign = -1 if direction.group("dir").lower().startswith(("earlier", "before")) else 1
            value = (anchor + timedelta(days=sign * days)).isoformat()
            found.append(TimeExpr(t.start, direction.end(), ctx.text[t.start : direction.end()], value))
    for match in _NEXT_DAY.finditer(ctx.text, start, end):
        anchor = _anchor_day(ctx, match.start())
        if anchor:
            day = anchor + timedelta(days=-1 if match.group("prev") or "before" in match.group(0).lower() else 1)
            found.append(TimeExpr(match.start(), match.end(), match.group(0), day.isoformat()))
    return found


def _is_calendar_date(t: TimeExpr) -> bool:
    """A point or month on the calendar: not a duration, a range or an unresolved reference ("recently")."""
    return t.type in ("DATE", "TIME") and not t.begin and not t.value.endswith("_REF")


def _filler(
    text: str, start: int, end: int, *, entity: str | None = None, value: str | int | None = None
) -> RoleFiller:
    return RoleFiller(start, end, text[start:end], entity, value)


def _entity_filler(m: Mention, e: Entity) -> RoleFiller:
    return RoleFiller(m.start, m.end, m.text, e.id, None)


def _most_doubtful(hedges: Iterable[str], default: Verification = "confirmed") -> Verification:
    worst: Verification = default
    for hedge in hedges:
        if _DOUBT_ORDER.get(hedge, 0) > _DOUBT_ORDER[worst]:
            worst = hedge  # type: ignore[assignment]
    return worst


def _confidence(roles: dict[str, list[RoleFiller]], core: Sequence[str]) -> float:
    filled = sum(1 for role in core if roles.get(role))
    return round(min(0.95, 0.4 + 0.55 * filled / max(1, len(core))), 3)


def _add(roles: dict[str, list[RoleFiller]], role: str, filler: RoleFiller) -> None:
    """Add a filler unless the role already holds the same entity/value (first evidence wins)."""
    existing = roles.setdefault(role, [])
    key = filler.entity or filler.value
    if any((f.entity or f.value) == key and key is not None for f in existing):
        return
    if any(f.start == filler.start and f.end == filler.end for f in existing):
        return
    existing.append(filler)


def _frozen_roles(roles: dict[str, list[RoleFiller]]) -> dict[str, tuple[RoleFiller, ...]]:
    return {role: tuple(sorted(fillers, key=lambda f: f.start)) for role, fillers in roles.items() if fillers}


def _event_id(doc: AnalyzedDoc, kind: str, start: int) -> str:
    return f"{doc.article.id}/{kind}/{start}"


# ------------------------------------------------------------------------------------------------- releases


@dataclass(slots=True)
class _Release:
    sentences: list[tuple[int, int]] = field(default_factory=list)
    triggers: list[LexiconHit] = field(default_factory=list)
    medium: str | None = None
    # Trigger words of the article's other releases: a sentence two releases share gives each the words nearest it.
    others: list[LexiconHit] = field(default_factory=list)

    def owns(self, position: int) -> bool:
        """Whether the words at ``position`` belong to this release rather than to another one in its sentence."""
        def distance(hit: LexiconHit) -> int:
            return hit.start - position if hit.start >= position else position - hit.end

        own = [distance(h) for h in self.triggers]
        other = [distance(h) for h in self.others]
        return not other or not own or min(own) <= min(other)


def _medium_of(ctx: _Ctx, hit: LexiconHit) -> str | None:
    medium = ctx.lex.media.first(ctx.text, hit.start, hit.end)
    return medium.label if medium else None


def _channels_in(ctx: _Ctx, start: int, end: int) -> list[tuple[Mention, Entity]]:
    """Where material was posted: platforms (Telegram) and the groups' own media outlets (Amaq, al-Furqan)."""
    return [
        (m, e)
        for m, e in ctx.entities_in(start, end, "channel", "outlet")
        if e.type == "channel" or e.attributes.get("kind") == "propaganda_agency"
    ]


def _anchored(ctx: _Ctx, start: int, end: int) -> bool:
    """A sentence that ties a message to a producer: a group, a speaker role, a channel or a release verb."""
    sentence = ctx.text[start:end]
    return bool(
        ctx.entities_in(start, end, "group")
        or _channels_in(ctx, start, end)
        or ctx.lex.release_verbs.first(ctx.text, start, end)
        or any(role in sentence.lower() for role in _SPEAKER_ROLES)
    )


def _release_mentions(ctx: _Ctx) -> list[_Release]:
    releases: list[_Release] = []
    for hit in ctx.lex.release_nouns.finditer(ctx.text):
        if ctx.in_quote(hit.start, hit.end):
            continue
        s_start, s_end = ctx.sentence_of(hit.start)
        if _EARLIER.search(ctx.text[max(s_start, hit.start - 40) : hit.start]):
            continue  # "a previous audio message" is another release, only mentioned for comparison
        watched = _CONSUMED.search(ctx.text[max(s_start, hit.start - 50) : hit.start])
        if watched or _FOUND_AFTER.match(ctx.text, hit.end):
            continue  # "after watching a propaganda video", "a video found on his phone": not a release being reported
        medium = _medium_of(ctx, hit)
        compatible = [r for r in releases if r.medium is None or medium is None or r.medium == medium]
        if compatible:
            target = compatible[-1]
        elif _anchored(ctx, s_start, s_end):
            target = _Release()
            releases.append(target)
        else:
            continue
        target.triggers.append(hit)
        target.medium = target.medium or medium
        if (s_start, s_end) not in target.sentences:
            target.sentences.append((s_start, s_end))
    return [r for r in releases if any(_anchored(ctx, s, e) for s, e in r.sentences)]


def _is_voice(entity: Entity) -> bool:
    role = entity.attributes.get("role", "").lower()
    return any(word in role for word in _SPEAKER_ROLES) or is_listed(entity.id)


def _speaker_fillers(ctx: _Ctx, release: _Release, roles: dict[str, list[RoleFiller]]) -> None:
    candidates = [
        (m, e)
        for s, end in release.sentences
        for m, e in ctx.entities_in(s, end, "person")
        if not is_relation_reference(ctx.text, m.start, m.end) and release.owns(m.start)
    ]
    # A person described as a group's voice (spokesman, leader…) outranks anyone else named near the message,
    # such as an official commenting on it "in a speech".
    voices = [(m, e) for m, e in candidates if _is_voice(e)]
    for m, e in voices or candidates:
        _add(roles, "speaker", _entity_filler(m, e))
    speakers = {f.entity for f in roles.get("speaker", ())}
    for s_start, s_end in release.sentences:
        for _m, e in ctx.entities_in(s_start, s_end, "person"):
            role = e.attributes.get("role")
            if role and not roles.get("speaker_role") and e.id in speakers:
                word = re.search(re.escape(role), ctx.text[s_start:s_end], re.IGNORECASE)
                if word:
                    _add(
                        roles,
                        "speaker_role",
                        _filler(ctx.text, s_start + word.start(), s_start + word.end(), value=role),
                    )
        for match in re.finditer(r"\b(" + "|".join(_SPEAKER_ROLES) + r")\b", ctx.text[s_start:s_end], re.IGNORECASE):
            owned = release.owns(s_start + match.start()) and not roles.get("speaker_role")
            if owned and not _names_someone_else(ctx, s_start + match.end(), speakers):
                value = "spokesman" if match.group(1).lower().startswith("spokes") else match.group(1).lower()
                start = s_start + match.start()
                _add(roles, "speaker_role", _filler(ctx.text, start, start + len(match.group(1)), value=value))
    if not roles.get("speaker"):
        # Reports often name the voice only next to the quotes: "The recording said: …" → its speaker.
        for quote in ctx.doc.quotes:
            if quote.speaker and quote.cue and any(s <= quote.cue.start < e for s, e in release.sentences):
                entity = next((e for _, e in ctx.mentions if e.id == quote.speaker), None)
                if entity and entity.type == "person" and entity.mentions:
                    _add(roles, "speaker", _entity_filler(entity.mentions[0], entity))
    if not roles.get("speaker"):
        voice = _article_voice(ctx, roles)
        if voice is not None:
            _add(roles, "speaker", _entity_filler(*voice))


def _names_someone_else(ctx: _Ctx, position: int, speakers: set[str | None]) -> bool:
    """ "the late al Qaeda founder Osama bin Laden": the role word is the title of the person named right after it,
    who is not the speaker."""
    _, s_end = ctx.sentence_of(position)
    following = ctx.entities_in(position, min(s_end, position + 40), "person")
    return bool(following) and following[0][1].id not in speakers


def _article_voice(ctx: _Ctx, roles: dict[str, list[RoleFiller]]) -> tuple[Mention, Entity] | None:
    """ "A spokesman for Daesh has called on …" and, a sentence later, "Abu Huthaifa al-Ansari, who became the
    group's official spokesman, told followers …": the first person the article gives the release's speaker role
    (or who held that role in the release's group, by persons.json), else nobody."""
    wanted = next((str(f.value) for f in roles.get("speaker_role", ()) if f.value), None)
    if wanted is None:
        return None
    group = next((f.entity for f in roles.get("group", ()) if f.entity), None)
    for mention, entity in ctx.mentions:
        if entity.type != "person" or ctx.in_quote(mention.start, mention.end):
            continue
        if is_relation_reference(ctx.text, mention.start, mention.end):
            continue
        if entity.attributes.get("role", "").lower() == wanted or _listed_role(entity.id, wanted, group):
            return mention, entity
    return None


def _listed_role(person_id: str, role: str, group: str | None) -> bool:
    person = persons_by_id().get(person_id)
    return person is not None and any(
        r.role.lower() == role and (group is None or r.group == group) for r in person.roles
    )


def _group_fillers(ctx: _Ctx, release: _Release, roles: dict[str, list[RoleFiller]]) -> None:
    counts: dict[str, list[tuple[Mention, Entity]]] = {}
    for s_start, s_end in release.sentences:
        for m, e in ctx.entities_in(s_start, s_end, "group"):
            if not _AGAINST.search(ctx.text[max(s_start, m.start - 20) : m.start]):
                counts.setdefault(e.id, []).append((m, e))
    if counts:
        best = max(counts.values(), key=len)
        _add(roles, "group", _entity_filler(*best[0]))
        return
    # "In a statement posted on its Shahada news agency, the group said …": with one group in the whole report,
    # "the group" is that one; its mention nearest before the release is the evidence.
    groups = {e.id: e for _, e in ctx.mentions if e.type == "group"}
    first = release.sentences[0][0]
    if len(groups) == 1 and _THE_GROUP.search(" ".join(ctx.text[s:e] for s, e in release.sentences)):
        before = [(m, e) for m, e in ctx.mentions if e.type == "group" and m.end <= first]
        if before:
            _add(roles, "group", _entity_filler(*before[-1]))


# "Oct 18 (Reuters) -", "LONDON, June 13 —": a dateline's date is the report's, not the release's.
_DATELINE_AFTER = re.compile(r"\s*(?:\([^)\n]{2,40}\)\s*)?[-–—]\s")


def _release_date(ctx: _Ctx, release: _Release) -> TimeExpr | None:
    """The calendar date of a release sentence nearest a release verb ("released on Oct. 17"), datelines aside."""
    best: tuple[int, TimeExpr] | None = None
    for s_start, s_end in release.sentences:
        verbs = list(ctx.lex.release_verbs.finditer(ctx.text, s_start, s_end))
        if not verbs:
            continue
        for t in [*ctx.times_in(s_start, s_end), *_counted_dates(ctx, s_start, s_end)]:
            if not _is_calendar_date(t) or _DATELINE_AFTER.match(ctx.text, t.end):
                continue
            distance = min(t.start - v.end if t.start >= v.end else 2 * (v.start - t.end) for v in verbs)
            if best is None or distance < best[0]:
                best = (distance, t)
    return best[1] if best else None


_THE_GROUP = re.compile(
    r"\b(?:the|its)\s+(?:militant\s+|terror\s+|jihadist\s+|extremist\s+)?(?:group|movement|organi[sz]ation)\b|\bits\b",
    re.IGNORECASE,
)


def _release_event(ctx: _Ctx, release: _Release) -> Event:
    text = ctx.text
    roles: dict[str, list[RoleFiller]] = {}
    _group_fillers(ctx, release, roles)
    _speaker_fillers(ctx, release, roles)
    for trigger in release.triggers:
        medium = ctx.lex.media.first(text, trigger.start, trigger.end)
        if medium:
            _add(roles, "medium", _filler(text, medium.start, medium.end, value=medium.label))
    time_value: str | None = None
    released = _release_date(ctx, release)
    if released is not None:
        time_value = released.value
        _add(roles, "date", _filler(text, released.start, released.end, value=released.value))
    for s_start, s_end in release.sentences:
        for m, e in _channels_in(ctx, s_start, s_end):
            _add(roles, "channel", _entity_filler(m, e))
        for titled in _TITLED.finditer(text, s_start, s_end):
            t_start, t_end = titled.span("title")
            _add(roles, "title", _filler(text, t_start, t_end, value=text[t_start:t_end]))
        for occasion in _OCCASION.finditer(text, s_start, s_end):
            o_start = occasion.start("what") if occasion.group("what") else occasion.start()
            _add(
                roles,
                "occasion",
                _filler(text, o_start, occasion.end(), value=text[o_start : occasion.end()]),
            )
        for t in ctx.times_in(s_start, s_end):
            if t.type == "DURATION" and t.value.startswith("PT") and "X" not in t.value:  # a length, not "minutes"
                _add(roles, "duration", _filler(text, t.start, t.end, value=t.value))
    first = release.sentences[0]
    hedges = [h for s, e in release.sentences for h in ctx.hedges_in(s, e)]
    return Event(
        id=_event_id(ctx.doc, "propaganda_release", release.triggers[0].start),
        type="propaganda_release",
        evidence=Span(first[0], first[1], text[first[0] : first[1]]),
        roles=_frozen_roles(roles),
        time=time_value,
        verification=_most_doubtful(hedges),
        confidence=_confidence(roles, ("group", "speaker", "medium", "channel", "date")),
    )


# ------------------------------------------------------------------------------------------------- calls


# "urging Muslims to attack", "called on Muslims in Europe to rise up": the people a call addresses.
_ADDRESSED = re.compile(r"(?:\s+(?:in|across|of)\s+(?:the\s+)?[\w-]+(?:\s+[A-Z][\w-]+)?)?\s+to\s+\w", re.IGNORECASE)


def _audience_fillers(ctx: _Ctx, start: int, end: int, roles: dict[str, list[RoleFiller]]) -> None:
    text = ctx.text
    places = {(p.start): p for p in ctx.doc.places}
    targets = [(t.start, t.end) for t in ctx.lex.targets.finditer(text, start, end)]
    for hit in ctx.lex.call_objects.finditer(text, start, end):
        named_as_target = any(s < hit.end and hit.start <= e + 1 for s, e in targets)
        if named_as_target and not _ADDRESSED.match(text, hit.end):
            continue  # "attack Shia Muslims": whom the call names as targets, not whom it addresses
        a_end = hit.end
        # "“members” in Mozambique": the audience is qualified by the place that follows it.
        tail = re.match(r"[”’\"']?\s+in\s+(?:the\s+)?", text[a_end : a_end + 12])
        if tail and (a_end + tail.end()) in places:
            a_end = places[a_end + tail.end()].end
        _add(roles, "audience", _filler(text, hit.start, a_end, value=text[hit.start : a_end].replace("”", "")))


def _target_fillers(ctx: _Ctx, start: int, end: int, roles: dict[str, list[RoleFiller]]) -> None:
    text = ctx.text
    for hit in ctx.lex.targets.finditer(text, start, end):
        if ctx.lex.call_objects.first(text, hit.start, hit.end) and _ADDRESSED.match(text, hit.end):
            continue  # "urging Muslims to attack …": the audience, not a target
        t_start = hit.start
        # Qualify forces/soldiers by the nationality before them: "American forces".
        before = re.search(r"\b([A-Z][a-z]+)\s+$", text[max(start, t_start - 20) : t_start])
        if hit.label in ("military", "police", "civilians", "diplomatic missions") and before:
            t_start = t_start - len(before.group(0))
        label = text[t_start : hit.end] if t_start != hit.start else hit.label
        _add(roles, "target", _filler(text, t_start, hit.end, value=label))


def _method_fillers(ctx: _Ctx, start: int, end: int, roles: dict[str, list[RoleFiller]]) -> None:
    for hit in ctx.lex.methods.finditer(ctx.text, start, end):
        _add(roles, "method", _filler(ctx.text, hit.start, hit.end, value=hit.label))


# "during the Christmas holidays", "on New Year's Eve", "ahead of the World Cup": when a call asks for action.
_WINDOW_CUE = re.compile(
    r"\b(?:during|over|throughout|ahead\s+of|in\s+the\s+run-up\s+to|on|at)\s+(?:the\s+)?$", re.IGNORECASE
)


def _windows(ctx: _Ctx, times: list[TimeExpr]) -> list[TimeExpr]:
    """The period a call asks action in: a named season ("during Ramadan") wins over incidental ranges ("late May");
    without a range, the named holidays the call sets ("during the Christmas holidays", "on New Year's Eve")."""
    ranges = [t for t in times if t.begin and t.end_date]
    named = [t for t in ranges if _PERIOD_NAMES.search(t.text)]
    if named or ranges:
        return named or ranges[:1]
    return [
        t
        for t in times
        if _PERIOD_NAMES.search(t.text) and _WINDOW_CUE.search(ctx.text[max(0, t.start - 25) : t.start])
    ]


def _call_event(ctx: _Ctx, start: int, end: int, trigger: int, verification: Verification) -> Event | None:
    text = ctx.text
    roles: dict[str, list[RoleFiller]] = {}
    _audience_fillers(ctx, start, end, roles)
    _target_fillers(ctx, start, end, roles)
    _method_fillers(ctx, start, end, roles)
    for p in ctx.doc.places:
        if start <= p.start and p.end <= end:
            _add(roles, "place", _filler(text, p.start, p.end, entity=p.entity_id))
    for t in _windows(ctx, ctx.times_in(start, end)):
        _add(roles, "window", _filler(text, t.start, t.end, value=t.value))
    if not (roles.get("target") or roles.get("method") or roles.get("place") or roles.get("audience")):
        return None
    return Event(
        id=_event_id(ctx.doc, "call_to_action", trigger),
        type="call_to_action",
        evidence=Span(start, end, text[start:end]),
        roles=_frozen_roles(roles),
        time=None,
        verification=_most_doubtful(ctx.hedges_in(start, end), verification),
        confidence=_confidence(roles, ("audience", "target", "method", "place")),
    )


def _tells_of_earlier_release(ctx: _Ctx, start: int, end: int) -> bool:
    """ "In a previous speech in August, al-Ansari had urged attacks on …": a call of another, older release."""
    return any(
        _EARLIER.search(ctx.text[max(start, hit.start - 40) : hit.start])
        for hit in ctx.lex.release_nouns.finditer(ctx.text, start, end)
    )


def _release_speakers(releases: Sequence[Event]) -> set[str]:
    return {f.entity for r in releases for f in r.roles.get("speaker", ()) if f.entity}


def _calls(ctx: _Ctx, releases: Sequence[Event]) -> list[Event]:
    verification = releases[0].verification if releases else "confirmed"
    events: list[Event] = []
    used: set[tuple[int, int]] = set()
    for hit in ctx.lex.call_verbs.finditer(ctx.text):
        if ctx.in_quote(hit.start, hit.end):
            continue
        s_start, s_end = ctx.sentence_of(hit.start)
        if (s_start, s_end) in used or _tells_of_earlier_release(ctx, s_start, s_end):
            continue
        event = _call_event(ctx, hit.start, s_end, hit.start, verification)
        if event:
            used.add((s_start, s_end))
            events.append(replace(event, evidence=Span(s_start, s_end, ctx.text[s_start:s_end])))
    # The message's own words: imperative passages quoted from the release ("Blow them up with explosives…").
    speakers = _release_speakers(releases)
    for quote in ctx.doc.quotes:
        cue = (quote.cue.text.lower() if quote.cue else "") + ctx.text[max(0, quote.start - 60) : quote.start].lower()
        from_release = quote.speaker in speakers or any(w in cue for w in ("recording", "message", "audio", "video"))
        if releases and from_release and _IMPERATIVE.search(quote.text):
            event = _call_event(ctx, quote.start, quote.end, quote.start, verification)
            if event:
                events.append(event)
    return events


# ------------------------------------------------------------------------------------------------- noun phrases


def _tokens_of(spacy_doc: Doc | None) -> _Tokens:
    """One pass over the tagged tokens: their spans and POS, for noun-phrase lookups next to trigger words."""
    if spacy_doc is None or not spacy_doc.has_annotation("POS"):
        return _Tokens()
    spans = [(t.idx, t.idx + len(t.text), t.pos_) for t in spacy_doc]
    return _Tokens(tuple(s for s, _, _ in spans), tuple(e for _, e, _ in spans), tuple(p for _, _, p in spans))


# A noun phrase is a run of these tags ending in a noun; quotes and hyphens may sit inside ("the "la eminencia" farm").
_NP_TAGS = frozenset({"ADJ", "NOUN", "PROPN", "NUM"})
_NP_INNER = frozenset({'"', "-", "'s", "’s"})
_NP_HEADS = frozenset({"NOUN", "PROPN"})
# Words a tagger reads as nouns that never head a target or victim ("killed yesterday", "on sunday night").
_NOT_HEADS = re.compile(
    r"^(?:yesterday|today|tonight|tomorrow|night|morning|afternoon|evening|week|weekend|month|year|time|day|days|"
    r"minutes?|hours?|ages|decades?|moments?|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"area|place|attack|attacks|incident|action|operation|way|part|number|one|dead|wounded|responsibility)$",
    re.IGNORECASE,
)
# "candidate luis carlos galan today issued ...": in case-less text the tagger reads a time word as part of the name.
_TIME_WORD = re.compile(
    r"^(?:yesterday|today|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday)$", re.IGNORECASE
)
_MAX_NP_TOKENS = 7


def _after_hyphen(ctx: _Ctx, i: int) -> bool:
    """ "state-owned", "self-styled": the tagger splits the word at its hyphen and reads its second part as a
    verb, which would end the noun phrase at "state"."""
    toks = ctx.tokens
    return (
        i >= 2
        and toks.starts[i] == toks.ends[i - 1]
        and toks.starts[i - 1] == toks.ends[i - 2]
        and ctx.text[toks.starts[i - 1] : toks.ends[i - 1]] == "-"
    )


def _np_tail(ctx: _Ctx, first: int, limit: int) -> tuple[int, int] | None:
    """The token index range of the noun phrase starting at token ``first``, ending on its last noun."""
    toks = ctx.tokens
    last_head = None
    i = first
    while i < len(toks.pos) and toks.ends[i] <= limit and i - first < _MAX_NP_TOKENS:
        word = ctx.text[toks.starts[i] : toks.ends[i]]
        if word.islower() and _TIME_WORD.match(word):
            break
        if toks.pos[i] in _NP_TAGS:
            if toks.pos[i] in _NP_HEADS:
                last_head = i
        elif word not in _NP_INNER and not _after_hyphen(ctx, i):
            break
        i += 1
    if last_head is None:
        return None
    return first, last_head


def _np_span(ctx: _Ctx, first: int, last: int) -> tuple[int, int] | None:
    toks = ctx.tokens
    start, end = toks.starts[first], toks.ends[last]
    if ctx.text[start] in "\"'":
        start += 1
    if _NOT_HEADS.match(ctx.text[toks.starts[last] : end]):
        return None
    return (start, end) if start < end else None


def np_after(ctx: _Ctx, offset: int, limit: int) -> tuple[int, int] | None:
    """Character span of the noun phrase right after ``offset`` (determiners skipped), within ``limit``."""
    toks = ctx.tokens
    i = bisect_left(toks.starts, offset)
    while (
        i < len(toks.pos)
        and toks.ends[i] <= limit
        and (toks.pos[i] in ("DET", "PRON") or ctx.text[toks.starts[i] : toks.ends[i]] in ('"', "'"))
    ):
        i += 1  # "the", "a", "his", "two": the scorer and readers drop them
    found = _np_tail(ctx, i, limit)
    return _np_span(ctx, *found) if found else None


def np_before(ctx: _Ctx, offset: int, floor: int) -> tuple[int, int] | None:
    """Character span of the noun phrase ending right before ``offset``, not reaching before ``floor``."""
    toks = ctx.tokens
    last = bisect_right(toks.ends, offset) - 1
    if last < 0 or toks.pos[last] not in _NP_HEADS or toks.starts[last] < floor:
        return None
    first = last
    while first - 1 >= 0 and toks.starts[first - 1] >= floor and last - first < _MAX_NP_TOKENS - 1:
        prev = first - 1
        inner = ctx.text[toks.starts[prev] : toks.ends[prev]] in _NP_INNER or _after_hyphen(ctx, prev)
        if toks.pos[prev] not in _NP_TAGS and not inner:
            break
        first = prev
    return _np_span(ctx, first, last)


def _proper_tail(ctx: _Ctx, span: tuple[int, int]) -> tuple[int, int]:
    """ "presidential candidate luis carlos galan" → "luis carlos galan": a victim's name without the title."""
    toks = ctx.tokens
    first, last = bisect_left(toks.starts, span[0]), bisect_right(toks.ends, span[1]) - 1
    i = last
    while i > first and toks.pos[i - 1] == "PROPN":
        i -= 1
    if toks.pos[last] == "PROPN" and last - i >= 1 and i > first:
        span = toks.starts[i], span[1]
    # Taggers read lower-case titles as names too ("mayor carlos ortega"): drop leading titles before a name.
    # The name follows the last title: "antioquia department governor antonio roldan betancur".
    titles = list(_TITLES.finditer(ctx.text, span[0], span[1]))
    if titles and len(ctx.text[titles[-1].end() : span[1]].split()) >= 2:
        return titles[-1].end(), span[1]
    return span


_TITLES = re.compile(
    r"\b(?:candidate|mayor|col|colonel|gen|general|president|minister|judge|father|archbishop|bishop|senator|"
    r"governor|journalist|dr|doctor|captain|capt|lieutenant|lt|sergeant|major|commander|congressman|councilman|"
    r"attorney|prosecutor|priest|mr|mrs|ms|leader|director|rector|chief|ambassador|official|secretary|"
    r"spokesman|colleague|citizen|citizens|businessman|jesuit|msgr|monsignor|professor|deputy)\b\.?\s+",
    re.IGNORECASE,
)


def is_perpetrator_group(text: str) -> bool:
    """Whether ``text`` is a listed armed organisation ("FMLN", "Shining Path"), however it is cased."""
    return event_lexicon().perpetrator_groups.fullmatch(text.strip())


def perpetrator_group_mentions(text: str) -> list[tuple[int, int]]:
    """Character spans of the listed armed organisations named in ``text``, in order."""
    return [(hit.start, hit.end) for hit in event_lexicon().perpetrator_groups.finditer(text)]


# What was hit: "attacked the embassy", "the bombing of a power substation", "a bomb exploded at the bank".
_TARGET_CUE = re.compile(
    r"\b(?:attack(?:s|ed)?\s+(?:on|against)|attacked|bomb(?:s|ed|ing|ings)?\s+(?:of|at|against|on)|bombed|"
    r"dynamited|dynamite\s+attack\s+(?:on|against)|blew\s+up|blown\s+up|destroyed|damaged|set\s+fire\s+to|"
    r"struck|hit|targeted|rammed(?:\s+[\w-]+){0,4}\s+into|"
    r"sabotaged|(?:attacks?|explosions?|blasts?)\s+(?:affected|hit|damaged|destroyed)|(?:thrown|hurled)\s+at|"
    r"set\s+on\s+fire|burned(?:\s+down)?|torched|raided|machinegunned|machine-gunned|fired\s+(?:on|at)|"
    r"(?:explod\w*|went\s+off|placed|planted|hurled\s+\w+\s+at)\s+(?:at|in\s+front\s+of|outside|inside|near|"
    r"against|on|in)(?:\s+(?:the|a|an))?)\s+",
    re.IGNORECASE,
)
_TARGET_PASSIVE = re.compile(
    r"\s+(?:was|were|had\s+been|has\s+been|have\s+been)\s+(?:\w+\s+)?(?:destroyed|damaged|dynamited|bombed|"
    r"attacked|set\s+on\s+fire|burned|blown\s+up|struck|hit|targeted)\b",
    re.IGNORECASE,
)
# Who was hit: "killed a peasant", "the murder of six jesuit priests", "the mayor was kidnapped".
_VICTIM_CUE = re.compile(
    r"\b(?:(?:murders?|assassinations?|killings?|kidnappings?|kidnaping|abductions?|deaths?|massacres?|"
    r"stabbings?)\s+of|"
    r"(?:killed|killing|murdered|murdering|assassinated|assassinating|kidnapped|kidnaped|kidnapping|"
    r"abducted|abducting|wounded|wounding|injured|injuring|executed|massacred|shot|stabbed|"
    # "the shooting suspect", "a stabbing spree": the act's noun before another noun hits no one
    r"(?:shooting|stabbing)(?!\s+(?:suspects?|attacks?|spree|incidents?|rampage)\b)))\s+",
    re.IGNORECASE,
)
_VICTIM_PASSIVE = re.compile(
    r"\s+(?:was|were|had\s+been|has\s+been|have\s+been)\s+(?:\w+\s+)?(?:killed|murdered|assassinated|"
    r"kidnapped|kidnaped|abducted|wounded|injured|shot|stabbed|beaten|hacked|executed|gunned\s+down)\b|"
    r"\s+(?:are|is|were|was|been|being)\s+(?:\w+\s+){0,2}?(?:held|taken)\s+hostage\b|"
    r"(?:'s|’s)\s+(?:murder|assassination|killing|kidnapping|abduction|death)\b",
    re.IGNORECASE,
)


_WHO_BEFORE = re.compile(r",?\s+who$", re.IGNORECASE)


def _subject_end(text: str, floor: int, verb: int) -> int:
    """Where the subject of a passive verb at ``verb`` ends: before "who" ("X, who was kidnapped") or before an
    apposition between commas ("Galan, one of the country's leaders, was assassinated")."""
    relative = _WHO_BEFORE.search(text, floor, verb)
    if relative:
        return relative.start()
    if text[floor:verb].endswith(","):
        opening = text.rfind(",", floor, verb - 1)
        if opening > floor:
            return opening
    return verb


# Participles of being hit that open a phrase between a passive verb's subject and the verb ("soldiers targeted by
# the bombing were killed", "villagers caught in the crossfire were wounded").
_HIT_PARTICIPLES = r"targeted|hit|struck|caught|trapped|surrounded"
_REDUCED_RELATIVE_BEFORE = re.compile(
    rf"\b(?:{_HIT_PARTICIPLES}|ambushed|attacked|seized|abducted|kidnapped)\s+(?:by|in)\s+(?:the\s+|a\s+|an\s+)?$",
    re.IGNORECASE,
)


def _past_reduced_relative(ctx: _Ctx, span: tuple[int, int], floor: int) -> tuple[int, int]:
    """The subject of a passive verb when the phrase just before the verb ends a participle phrase: "the bombing"
    in "soldiers targeted by the bombing were killed" is how they were hit; the soldiers were killed."""
    participle = _REDUCED_RELATIVE_BEFORE.search(ctx.text, max(floor, span[0] - 30), span[0])
    subject = np_before(ctx, participle.start(), floor) if participle else None
    return subject or span


def _overlaps(roles: dict[str, list[RoleFiller]], span: tuple[int, int], *names: str) -> bool:
    return any(f.start < span[1] and span[0] < f.end for name in names for f in roles.get(name, ()))


def _is_agent(ctx: _Ctx, span: tuple[int, int]) -> bool:
    phrase = ctx.text[span[0] : span[1]]
    return bool(ctx.lex.perpetrator_nouns.first(phrase) or is_perpetrator_group(phrase))


_CONJUNCT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+", re.IGNORECASE)
_MAX_CONJUNCTS = 4
# Heads that name an area or an abstraction, not a struck object ("the outskirts", "important targets").
_NOT_TARGETS = re.compile(
    r"\b(?:neighbou?rhoods?|outskirts|targets?|places?|sectors?|department|nation|freedom|objectives?|"
    r"positions?|others|areas?|zones?|region|city|town|village|country|path|population)$",
    re.IGNORECASE,
)


def _np_list_after(ctx: _Ctx, offset: int, limit: int) -> list[tuple[int, int]]:
    """ "blew up a power substation and a power pylon": each noun phrase of a list after ``offset``."""
    spans: list[tuple[int, int]] = []
    span = np_after(ctx, offset, limit)
    while span and len(spans) < _MAX_CONJUNCTS:
        spans.append(span)
        joint = _CONJUNCT.match(ctx.text, span[1], limit)
        span = np_after(ctx, joint.end(), limit) if joint else None
    return spans


# Buildings and premises named by whose they are: "the residence of the vice president", "the offices of radio
# mineria", "the headquarters of the air force". The owner belongs to the target.
_OWNED_PREMISES = re.compile(
    r"\b(?:residences?|homes?|houses?|offices?|headquarters|branch(?:es)?|installations|facilities|premises|"
    r"buildings?|studios|warehouses?|plants?|farms?|estates?|embassy|consulate|mansion|apartments?|properties)$",
    re.IGNORECASE,
)
_OF = re.compile(r"\s+of\s+", re.IGNORECASE)


# A part of the struck thing stands for the whole: "a stretch of the oil pipeline", "the windows of the bank".
# Lower case only: "the National Liberation Front of Tripura" is a name, not a part.
_PART_OF_WHOLE = re.compile(
    r"\b(?:stretch|section|segment|part|portion|windows?|doors?|fa[cç]ade|walls?|roof|entrance|gates?|front|"
    r"bathroom|lobby|basement|floor)$"
)


def _with_owner(ctx: _Ctx, span: tuple[int, int], limit: int) -> tuple[int, int]:
    """ "the residence" + " of vice president-elect francisco merino": a premises noun keeps whose it is; a part
    ("the windows of the bank") gives way to its whole."""
    of = _OF.match(ctx.text, span[1], limit)
    if not of:
        return span
    owned, part = _OWNED_PREMISES.search(ctx.text, span[0], span[1]), _PART_OF_WHOLE.search(ctx.text, span[0], span[1])
    whole = np_after(ctx, of.end(), limit) if owned or part else None
    if whole is None:
        return span
    return (span[0], whole[1]) if owned else whole


_PREMISES_OF_BEFORE = re.compile(r"\b(?P<premises>[\w-]+)\s+of\s+(?:the\s+|a\s+|an\s+)?$", re.IGNORECASE)


def _owner_of(ctx: _Ctx, span: tuple[int, int], floor: int) -> tuple[int, int]:
    """ "the residence of the honorary consul was destroyed": the struck thing is the residence, with its owner."""
    before = _PREMISES_OF_BEFORE.search(ctx.text, max(floor, span[0] - 40), span[0])
    if before and _OWNED_PREMISES.search(before["premises"]):
        return before.start("premises"), span[1]
    return span


def _object_fillers(ctx: _Ctx, start: int, end: int, roles: dict[str, list[RoleFiller]]) -> None:
    """Targets and victims: the noun phrases next to attack and harm words (needs POS tags; none without them)."""
    if not ctx.tokens.pos:
        return
    text = ctx.text
    # Each phrase with the narrower one to fall back on when the wider one fails the checks below ("the embassy of
    # Turkey": the owner is a place, so the target is "embassy").
    found: list[tuple[str, tuple[int, int], tuple[int, int]]] = []
    for match in _TARGET_CUE.finditer(text, start, end):
        if match.group().split()[0].lower() in ("struck", "hit") and _NO_ASSAULT_AFTER.match(text, match.end()):
            continue  # "the bombing hit the headlines"
        found.extend(("target", _with_owner(ctx, span, end), span) for span in _np_list_after(ctx, match.end(), end))
    for match in _TARGET_PASSIVE.finditer(text, start, end):
        span = _struck_before(ctx, match.start(), start)
        if span:
            found.append(("target", _owner_of(ctx, span, start), span))
    victims = [
        span
        for cue in _VICTIM_CUE.finditer(text, start, end)
        # "shot footage of the raid", "shot himself"
        if not (cue.group().lower().startswith("shot") and _NO_ASSAULT_AFTER.match(text, cue.end()))
        for span in _np_list_after(ctx, cue.end(), end)
    ]
    for match in _VICTIM_PASSIVE.finditer(text, start, end):
        span = np_before(ctx, _subject_end(text, start, match.start()), start)
        victims += [_past_reduced_relative(ctx, span, start)] if span else []
    found.extend(("victim", named, named) for named in (_proper_tail(ctx, span) for span in victims))
    for role, wide, narrow in found:
        span = next((s for s in (wide, narrow) if _object_fits(ctx, roles, role, s)), None)
        if span is not None:
            _add(roles, role, _filler(text, span[0], span[1], value=text[span[0] : span[1]]))


# "the embassy in Kabul was attacked": the place between the struck thing and its verb.
_WHERE_BEFORE = re.compile(r"\b(?:in|at|near|outside|inside|on)\s+(?:the\s+)?$", re.IGNORECASE)
_MODIFIER_BEFORE = re.compile(
    r"\b(?:with|by|to|for|from|\w+ed|\w+ing)\s+(?:the\s+|a\s+|an\s+|its\s+|their\s+)?$", re.IGNORECASE
)


def _struck_before(ctx: _Ctx, verb: int, floor: int) -> tuple[int, int] | None:
    """The noun phrase a passive attack verb tells of, past a place said between them ("the embassy in Kabul was
    attacked", "a checkpoint near Mosul was bombed")."""
    span = np_before(ctx, verb, floor)
    if span is None or not any(p.start < span[1] and span[0] < p.end for p in ctx.doc.places):
        return span
    where = _WHERE_BEFORE.search(ctx.text, max(floor, span[0] - 12), span[0])
    struck = np_before(ctx, where.start(), floor) if where else None
    # "a hotel popular with foreigners in Kabul": a phrase after "with", "by", "for" modifies the struck thing
    if struck is None or _MODIFIER_BEFORE.search(ctx.text, max(floor, struck[0] - 20), struck[0]):
        return span
    return struck


def _object_fits(ctx: _Ctx, roles: dict[str, list[RoleFiller]], role: str, span: tuple[int, int]) -> bool:
    """Whether a phrase can be the attack's target or victim: no agent, no other role's words, no source."""
    if _is_agent(ctx, span) or _overlaps(roles, span, "killed", "wounded", "place", "date", "perpetrator"):
        return False
    if _SPEECH_AFTER.match(ctx.text, span[1]):
        return False  # "killing three Americans, the US Africa Command said": the source, not a victim
    return role != "target" or not (
        _overlaps(roles, span, "victim") or _NOT_TARGETS.search(ctx.text[span[0] : span[1]])
    )


_AGENT_TAIL = re.compile(r"\s+(?:commandos?|units?|groups?|columns?|members|squads?|cells?)\b", re.IGNORECASE)


# "murdered by two paid assassins", "shot to death last night by a group of terrorists".
_BY_HARM = re.compile(
    r"\b(?:killed|murdered|assassinated|kidnapped|kidnaped|abducted|attacked|shot|wounded|executed|bombed|"
    r"destroyed|burned|massacred|carried\s+out|perpetrated|committed)\b"
    r"(?:(?!\b(?:used|owned|run|operated|occupied|guarded|manned|frequented|visited|hosted|built)\b)[^.;:,]){0,40}?"
    r"\bby\s+",
    re.IGNORECASE,
)
# "a group of terrorists", "members of the 8th front": the agent noun phrase continues after "of".
_OF_HEAD = re.compile(r"(?:group|members|band|unit|squad|column|commando)\s+of\s+$", re.IGNORECASE)


def _agent_np(ctx: _Ctx, span: tuple[int, int], limit: int) -> tuple[int, int]:
    tail = re.match(r"\s+of\s+", ctx.text[span[1] : limit])
    if tail and _OF_HEAD.search(ctx.text[span[0] : span[1] + tail.end()]):
        inner = np_after(ctx, span[1] + tail.end(), limit)
        if inner:
            return span[0], inner[1]
    return span


def _passive_agents(ctx: _Ctx, start: int, end: int, roles: dict[str, list[RoleFiller]]) -> None:
    """The agent of a passive harm verb is a perpetrator; a listed organisation counts as such (needs POS tags)."""
    if not ctx.tokens.pos:
        return
    for match in _BY_HARM.finditer(ctx.text, start, end):
        if _attacker_is_subject(ctx, match.start()):
            continue  # "the gunman, who killed five people, was shot dead by police": who stopped him
        for span in _np_list_after(ctx, match.end(), end)[:2]:
            if _IS_DEVICE.search(ctx.text, span[0], span[1]):
                continue  # "destroyed by a bomb": the means, not the agent
            span = _agent_np(ctx, span, end)
            if _overlaps(roles, span, "place", "date", "perpetrator", "victim", "target"):
                continue
            _add(roles, "perpetrator", _filler(ctx.text, span[0], span[1], value=ctx.text[span[0] : span[1]]))


_DETERMINER_ONLY = re.compile(r"\s*(?:(?:the|a|an)\s+)?(?:[\w-]+\s+)?", re.IGNORECASE)


def _attacker_is_subject(ctx: _Ctx, offset: int) -> bool:
    """Whether the sentence holding ``offset`` opens with an attacker noun ("The attacker, who ...", "A lone
    gunman ..."): the agent of a harm done to its subject is who stopped the attacker, not the attacker."""
    sentence_start = ctx.sentence_of(offset)[0]
    first = ctx.lex.perpetrator_nouns.first(ctx.text, sentence_start, offset)
    return first is not None and _DETERMINER_ONLY.fullmatch(ctx.text, sentence_start, first.start) is not None


# "two fmln rebels were killed", "the number of guerrillas killed by troops": fighters dying in combat, which
# reports of terrorist attacks (and MUC-4) do not count as an attack on them. A participle phrase may stand between
# ("the militants targeted by the air strike were killed"), but then only with the auxiliary after it.
_FIGHTER_DEATH = re.compile(
    r"\s+(?:(?:were|was|had\s+been|have\s+been)\s+|"
    rf"(?:{_HIT_PARTICIPLES}|spotted)\s+(?:by|in)\s+(?:[\w-]+\s+){{1,4}}?"
    r"(?:were|was|had\s+been|have\s+been)\s+)?"
    r"(?:killed|wounded|captured)\b(?=\s+(?:by|in|during|and|on)\b|\s*[.,;]|\s*$)",
    re.IGNORECASE,
)


def _fighters_died(ctx: _Ctx, start: int, end: int) -> bool:
    for agent in ctx.lex.perpetrator_nouns.finditer(ctx.text, start, end):
        if _BY_AGENT.search(ctx.text, max(start, agent.start - 40), _agent_phrase(ctx, agent, start)[0]):
            continue  # "villagers targeted by gunmen were killed": the gunmen are who killed, not who died
        if _FIGHTER_DEATH.match(ctx.text, agent.end, end):
            return True
    return False


def _is_organisation(ctx: _Ctx, filler: RoleFiller) -> bool:
    """A group record or a listed armed organisation: a noun such as "gunmen" may join it as a perpetrator."""
    if filler.entity is not None:
        return any(e.id == filler.entity and e.type == "group" for e in ctx.doc.entities)
    return is_perpetrator_group(filler.text)


def _agent_phrase(ctx: _Ctx, agent: LexiconHit, floor: int) -> tuple[int, int]:
    """ "urban commando units", "fmln guerrillas", "30 terrorists": the attacker noun with its modifiers.

    Only adjectives, numbers and listed organisations extend it to the left, and only group words ("units",
    "column") to the right: on the MUC-4 dev set longer noun phrases ("last few hours terrorists", "guerrilla
    station") matched the annotation less often than the bare noun.
    """
    tail = _AGENT_TAIL.match(ctx.text, agent.end)
    end = tail.end() if tail else agent.end
    toks = ctx.tokens
    i = bisect_left(toks.starts, agent.start)
    start = agent.start
    while i > 0 and toks.starts[i - 1] >= floor and agent.start - toks.starts[i - 1] < 40:
        word = ctx.text[toks.starts[i - 1] : toks.ends[i - 1]]
        if i >= 2 and _after_hyphen(ctx, i) and toks.starts[i - 2] >= floor:
            i -= 2  # "20-year-old gunman": the whole hyphenated word, not "old gunman"
        elif toks.pos[i - 1] in ("ADJ", "NUM") or is_perpetrator_group(word):
            i -= 1
        else:
            break
        start = toks.starts[i]
    return start, end


# Attacker words English also uses as adjectives ("a terrorist attack", "the guerrilla war"); "gunman" and
# "attacker" never are: "a gunman Sunday killed five" is the attacker with the day after it.
_ADJECTIVAL_AGENTS = frozenset({"terrorist", "guerrilla"})
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n]\s*|[.!?][\"'”’]\s*)$")


def _modifies_a_noun(ctx: _Ctx, agent: LexiconHit) -> bool:
    """ "a terrorist attack", "the guerrilla offensive", "the guerrilla reports": the attacker word used as a
    modifier names no one who struck (on MUC-4 train the 30 template perpetrators this drops matched the
    annotation in none: train 48.76 to 49.01, dev 48.20 to 48.44).

    A group word after it ("guerrilla units") makes it an attacker phrase, and a day name after it is no modified
    noun. At the start of a sentence the word is left as it was read: headlines drop the article ("Terrorist
    attacks bus in Jerusalem"), where the tagger reads the verb as a noun. Without POS tags (no spaCy model) only
    an attack noun after it ("terrorist attacks") counts as the modified noun.
    """
    if agent.text.lower() not in _ADJECTIVAL_AGENTS or _AGENT_TAIL.match(ctx.text, agent.end):
        return False
    if _SENTENCE_START.search(ctx.text, max(0, agent.start - 4), agent.start):
        return False
    toks = ctx.tokens
    if toks.pos:
        i = bisect_left(toks.starts, agent.end)
        if i >= len(toks.starts) or toks.starts[i] - agent.end > 1:
            return False
        return toks.pos[i] in ("NOUN", "PROPN") and not _TIME_WORD.match(ctx.text[toks.starts[i] : toks.ends[i]])
    nxt = ctx.lex.attack_nouns.first(ctx.text, agent.end, agent.end + 20)
    return nxt is not None and not ctx.text[agent.end : nxt.start].strip()


def _group_fillers_in(ctx: _Ctx, start: int, end: int, roles: dict[str, list[RoleFiller]]) -> None:
    """Listed armed organisations named in the clause, even where no entity record was made (lower-case text)."""
    for hit in ctx.lex.perpetrator_groups.finditer(ctx.text, start, end):
        against = _AGAINST.search(ctx.text[max(start, hit.start - 25) : hit.start])
        if not against and not _overlaps(roles, (hit.start, hit.end), "perpetrator"):
            _add(roles, "perpetrator", _filler(ctx.text, hit.start, hit.end, value=hit.text))


# ------------------------------------------------------------------------------------------------- attacks


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    clauses, cursor = [], start
    for match in _CLAUSE_BREAK.finditer(text, start, end):
        clauses.append((cursor, match.start()))
        cursor = match.end()
    clauses.append((cursor, end))
    return [(s, e) for s, e in clauses if e > s]


@dataclass(slots=True)
class _AttackMention:
    start: int
    end: int
    trigger: LexiconHit
    roles: dict[str, list[RoleFiller]]


def _agent_acts(ctx: _Ctx, clause: tuple[int, int], hit: LexiconHit) -> bool:
    """ "guerrillas attacked the farm": an attack verb with an attacker before it in the same clause."""
    if ctx.lex.attack_verbs.first(ctx.text, hit.start, hit.end) is None:
        return False
    return bool(
        ctx.lex.perpetrator_nouns.first(ctx.text, clause[0], hit.start)
        or ctx.entities_in(clause[0], hit.start, "group")
    )


_WENT_OFF = re.compile(r"explo(?:ded|sions?)|blasts?|detonated|went\s+off", re.IGNORECASE)


def _device_went_off(ctx: _Ctx, clause: tuple[int, int], hit: LexiconHit) -> bool:
    """ "seven of these bombs exploded, causing damage": an explosion with its device named is an attack to report
    even when the clause names no place, casualty or target (a gas tank that exploded is not)."""
    if not _WENT_OFF.fullmatch(hit.text):
        return False
    return any(
        device.label == "explosives" and not _WENT_OFF.fullmatch(device.text)
        for device in ctx.lex.methods.finditer(ctx.text, *clause)
    )


_DEVICE = (
    r"(?:(?:car\s+|truck\s+)?bombs?|explosives?|explosive\s+(?:devices?|charges?)|grenades?|dynamite(?:\s+(?:charges?|"
    r"sticks?))?|sticks\s+of\s+dynamite|molotov\s+cocktails?|incendiary\s+devices?)"
    # ... but not "a bomb threat", "a bomb shelter", "bomb-proof", "a grenade party"
    r"(?![\w-]|\s+(?:threats?|shelters?|squads?|disposal|scares?|part(?:y|ies)|detection|sniffing|alerts?|hoax(?:es)?|"
    r"makers?|factor(?:y|ies)|proof|-proof)\b)"
)
# "placed a bomb in a bank", "threw an explosive device at a police post", "a bomb destroyed the branch", "the booth
# was destroyed by a bomb": what was done with a device is an attack, though no attack word names it.
_DEVICE_ACT = re.compile(
    rf"\b(?:(?:placed|planted|threw|thrown|hurled|tossed|set\s+off)\s+(?:[\w-]+\s+){{0,3}}?(?:{_DEVICE})|"
    rf"(?:{_DEVICE})\s+(?:(?:was|were|had\s+been|has\s+been|have\s+been)\s+)?(?:\w+\s+)?(?:destroyed|damaged|"
    rf"wrecked|set\s+off|placed|planted|thrown|hurled)|"
    rf"(?:destroyed|damaged|wrecked)\s+by\s+(?:[\w-]+\s+){{0,2}}?(?:{_DEVICE}))",
    re.IGNORECASE,
)
_IS_DEVICE = re.compile(rf"\b(?:{_DEVICE})$", re.IGNORECASE)
DEVICE_ACT = "device act"  # the label of a trigger that is such a phrase
# The roles that say an attack hit something: with none of them, a mention needs more to count as an attack.
_HIT_ROLES = ("place", "killed", "wounded", "victim", "target")
# "set off explosives to clear the minefield", "placed explosives under the bridge to demolish it": demolition.
_DEMOLITION = re.compile(r"\bto\s+(?:clear|demolish|dismantle|open\s+up|make\s+way)\b", re.IGNORECASE)
# Where the device went: "placed a bomb in a mailbox", "threw a grenade at a police post".
_DEVICE_WHERE = re.compile(
    r"\s+(?:in|inside|outside|at|near|under|beneath|behind|on|against|into|onto|in\s+front\s+of)\b", re.IGNORECASE
)


def _names_attacker(ctx: _Ctx, start: int, end: int) -> bool:
    """Whether an attacker noun ("gunmen") or a listed armed group ("FMLN") stands between ``start`` and ``end``."""
    lex = ctx.lex
    return bool(lex.perpetrator_nouns.first(ctx.text, start, end) or lex.perpetrator_groups.first(ctx.text, start, end))


def _device_used(ctx: _Ctx, clause: tuple[int, int], hit: LexiconHit, roles: dict[str, list[RoleFiller]]) -> bool:
    """A device act is an attack when it hit something, the device went somewhere, or an attacker did it; never a
    demolition."""
    if _DEMOLITION.search(ctx.text, hit.end, clause[1]):
        return False
    if any(roles.get(r) for r in _HIT_ROLES):
        return True
    return bool(_DEVICE_WHERE.match(ctx.text, hit.end, clause[1])) or _names_attacker(ctx, *clause)


_BY_AFTER = re.compile(r"\s+(?:[\w-]+\s+){0,2}?by\s+", re.IGNORECASE)


def _attacked_by(ctx: _Ctx, clause: tuple[int, int], hit: LexiconHit) -> bool:
    """ "the police base was attacked by armed narcoterrorists", "the murder committed by fmln guerrillas": an attack
    whose agent is an attacker noun or a listed group."""
    by = _BY_AFTER.match(ctx.text, hit.end, clause[1])
    if by is None:
        return False
    return _names_attacker(ctx, by.end(), min(clause[1], by.end() + 40))


def _first_trigger(ctx: _Ctx, start: int, end: int) -> LexiconHit | None:
    """The first attack noun ("the bombing"), verb ("guerrillas attacked the farm") or act done with a device
    ("placed a bomb") of a clause. "attacker" is a trigger only where the clause has no other ("the attacker, Omar
    Mateen"): in "an attacker stabbed two people" the verb is, and the attacker its subject."""
    nouns = list(ctx.lex.attack_nouns.finditer(ctx.text, start, end))
    acts = [h for h in nouns if not h.text.lower().startswith("attacker")][:1]
    acts += [h for h in (_first_attack_verb(ctx, start, end),) if h]
    device = _DEVICE_ACT.search(ctx.text, start, end)
    if device:
        acts.append(LexiconHit(device.start(), device.end(), device.group(), DEVICE_ACT))
    hits = acts or nouns[:1]
    return min(hits, key=lambda h: h.start) if hits else None


_PASSIVE_BEFORE = re.compile(r"\b(?:was|were|been|being|is|are|get|got|gets)\s+$", re.IGNORECASE)
_SPEECH_OR_POSSESSIVE = re.compile(r"^\s*['’]|\b(?:said|says|say|told|claimed|claims|accused|alleged|reported)\b")
_MAX_WORDS_TO_VERB = 4
# What the burners say is their own is no target ("the militants set fire to their own truck"). A bare "their" is
# not enough ("militants set fire to their homes": the villagers'), nor is "his own" or "her own", which is as
# often the victim's ("militants set fire to her own house, the widow said").
_THEIR_OWN = r"\b(?:their|its)\s+own\b"
_OWN_THINGS_AFTER = re.compile(rf"\s+(?:down\s+)?{_THEIR_OWN}", re.IGNORECASE)
_OWN_BEFORE = re.compile(_THEIR_OWN, re.IGNORECASE)


# What is shot with a camera, not a gun.
_FILMED_THINGS = (
    r"films?|movies?|videos?|footage|scenes?|episodes?|photos?|photographs?|pictures?|images?|clips?|series|"
    r"documentar(?:y|ies)|commercials?|adverts?|shows?|music|selfies?"
)
# What a group "struck" or "hit" that is no assault: "Hamas struck a new peace deal with Fatah", "the Taliban struck
# a more conciliatory tone", "Islamic State struck fear into residents", "shot a propaganda video", "the rebels
# struck camp", "hit out at". The idiom's noun ends its phrase ("struck a gold mine" is an attack). Matched from
# right after the verb, so it also stops the verbs' target cue ("the bombing hit the headlines").
_NO_ASSAULT_AFTER = re.compile(
    r"\s*(?:(?:a|an|the|its|their)\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:deals?|agreements?|accords?|truce|ceasefire|cease-fire|bargain|compromise|pact|alliance|partnership|"
    rf"tone|note|balance|chord|pose|nerve|headlines?|record|jackpot|milestone|gold|fear|blow|{_FILMED_THINGS})"
    r"(?=\s*(?:[,.;:!?\"”)]|$)|\s+(?:with|into|in|on|of|for|at|to|between|over|against|after|around|and|that|as)\b)|"
    r"\s*(?:him|her|them|it|your|my)sel(?:f|ves)\b|"
    r"\s*(?:(?-i:camp)|out)\b",
    re.IGNORECASE,
)
# A participle, not a verb with its object: "militants targeted in drone strikes", "rebels targeted for sanctions",
# "militants burned by the explosion" were struck; they did not strike. "struck" only before "by": "insurgents struck
# in Kabul" and "struck at dawn" are attacks.
_PARTICIPLE_NEXT = re.compile(r"\s+(?:by|in|with|for|during|under|over|as|from)\b", re.IGNORECASE)
_BY_NEXT = re.compile(r"\s+by\b", re.IGNORECASE)


def _first_attack_verb(ctx: _Ctx, start: int, end: int) -> LexiconHit | None:
    """The first attack verb of a clause, passing over verbs of burning that no attacker did: a later attack word
    of the clause still counts ("mourners burned tyres as a suicide bombing killed 12")."""
    for hit in ctx.lex.attack_verbs.finditer(ctx.text, start, end):
        # Verbs of burning, striking or stabbing (the lexicon's attack_verbs_needing_attacker) count only when an
        # attacker did it.
        if hit.label not in ctx.lex.attack_verbs_needing_attacker or _done_by_attacker(ctx, start, hit):
            return hit
    return None


def _done_by_attacker(ctx: _Ctx, clause_start: int, hit: LexiconHit) -> bool:
    """ "Militants burned a school", "a suicide bomber struck a convoy": an attacker noun or listed group is the
    subject, a few words before the verb, with no speech verb between ("Hamas said the settlers burned ...") and not
    as a possessive ("the rebels' camp burned"); a passive only with its attacker after "by" ("militants were burned
    to death in the air strike" is none); never a forest fire, an earthquake or a cook, never the burners' own
    things ("set fire to their own truck"), never a deal struck or criticism ("hit out at")."""
    text = ctx.text
    if _NO_ASSAULT_AFTER.match(text, hit.end):
        return False
    if hit.label == "shot" and _FILMED.search(text, max(clause_start, hit.start - 40), hit.start):
        return False  # "a video apparently shot by gunmen": filmed
    participle = (_BY_NEXT if hit.label == "struck" else _PARTICIPLE_NEXT).match(text, hit.end)
    if _PASSIVE_BEFORE.search(text, max(clause_start, hit.start - 12), hit.start) or participle:
        # "two schools were burned by militants": a passive needs its attacker right after "by" (not "by supporters
        # of the rebels"), and none of the burners' own things ("their own trucks were burned by the fighters")
        by = _BY_AFTER.match(text, hit.end)
        agent = np_after(ctx, by.end(), len(text)) if by else None
        owned = _OWN_BEFORE.search(text, clause_start, hit.start)
        return agent is not None and not owned and _names_attacker(ctx, agent[0], agent[1])
    if _OWN_THINGS_AFTER.match(text, hit.end):
        return False  # the burners' own things
    lex = ctx.lex
    subjects = [
        *lex.perpetrator_nouns.finditer(text, clause_start, hit.start),
        *lex.perpetrator_groups.finditer(text, clause_start, hit.start),
    ]
    subject_ends = [h.end for h in subjects] + [m.end for m, _ in ctx.entities_in(clause_start, hit.start, "group")]
    if not subject_ends:
        return False
    between = text[max(subject_ends) : hit.start]
    return len(between.split()) <= _MAX_WORDS_TO_VERB and not _SPEECH_OR_POSSESSIVE.search(between)


# "Somalia-based militants", "US and Kenyan forces", "a US base": a place name used as a modifier says whose, not
# where.
_MODIFIER_AFTER = re.compile(
    r"(?:-based\b|\s+(?:and\s+[A-Z][\w-]+\s+)?(?:forces|troops|soldiers?|military|army|navy|base|bases|embassy|"
    r"ambassador|citizens?|nationals?|officials?|contractors?|diplomats?|government|personnel)\b)"
)


def _modifies(text: str, end: int) -> bool:
    return bool(_MODIFIER_AFTER.match(text, end))


_SHOT = re.compile(r"(?:was|were|been)\s+shot", re.IGNORECASE)
# What is shot without a gun: "the film was shot in Morocco", "the photo was shot by ...".
_FILMED = re.compile(rf"\b(?:{_FILMED_THINGS})\b", re.IGNORECASE)
_AIRCRAFT = re.compile(r"\b(?:planes?|aircraft|helicopters?|jets?|drones?|airliners?|missiles?)\b", re.IGNORECASE)
_DOWN = re.compile(r"\s+down\b", re.IGNORECASE)


def _not_a_shooting(ctx: _Ctx, clause: tuple[int, int], hit: LexiconHit) -> bool:
    """ "was shot" of a film or a photo, or "shot down" of anything but an aircraft ("the plan was shot down")."""
    if not _SHOT.fullmatch(hit.text):
        return False
    subject = ctx.text[max(clause[0], hit.start - 60) : hit.start]
    if _FILMED.search(subject):
        return True
    return bool(_DOWN.match(ctx.text, hit.end)) and not _AIRCRAFT.search(subject)


# "the killing of six priests", "the brutal killings": "killing" as a noun.
_DETERMINED = re.compile(
    r"\b(?:the|a|an|this|that|these|those|his|her|their|its|[\w-]+['’]s)\s+(?:[\w-]+\s+)?$", re.IGNORECASE
)
# "the economy is held hostage by politicians": what no one can take hostage.
_ABSTRACT_HOSTAGE = re.compile(
    r"\b(?:economy|country|nation|process|peace|talks|budget|government|state|market|agenda|reform|debate|future|"
    r"policy|bill|congress|parliament|system|industry|sector|region|city|negotiations|elections?)\s+"
    r"(?:(?:is|are|was|were|has\s+been|have\s+been|being)\s+)*(?:\w+\s+)?$",
    re.IGNORECASE,
)


def _harm_told_otherwise(ctx: _Ctx, clause: tuple[int, int], hit: LexiconHit) -> bool:
    """ "floods swept the region, killing 20 people": the participle "killing" tells of an attack only beside an
    attacker or a weapon; "the economy is held hostage": a metaphor."""
    text, word = ctx.text, hit.text.lower()
    before = text[max(clause[0], hit.start - 60) : hit.start]
    if word == "held hostage":
        return bool(_ABSTRACT_HOSTAGE.search(before))
    if word not in ("killing", "killings") or _DETERMINED.search(before) or text.startswith(" of", hit.end):
        return False
    return not (
        _names_attacker(ctx, *clause)
        or ctx.lex.methods.first(text, *clause)
        or ctx.entities_in(clause[0], clause[1], "group")
    )


def _attack_mention(
    ctx: _Ctx, clause: tuple[int, int], sentence: tuple[int, int], hit: LexiconHit
) -> _AttackMention | None:
    text = ctx.text
    c_start, c_end = clause
    if _HYPOTHETICAL.search(text[max(c_start, hit.start - 50) : hit.start]) or _fighters_died(ctx, c_start, c_end):
        return None
    if _GENERIC_ATTACKS.search(text[max(c_start, hit.start - 30) : hit.start]) or _not_a_shooting(ctx, clause, hit):
        return None
    if _harm_told_otherwise(ctx, clause, hit):
        return None
    roles: dict[str, list[RoleFiller]] = {}
    for p in ctx.doc.places:
        if c_start <= p.start and p.end <= c_end and not ctx.in_quote(p.start, p.end) and not _modifies(text, p.end):
            _add(roles, "place", _filler(text, p.start, p.end, entity=p.entity_id))
    for count in find_counts(text, c_start, c_end):
        _add(roles, count.kind, _filler(text, count.start, count.end, value=count.value))
    dates = [t for t in ctx.times_in(c_start, c_end) if _is_calendar_date(t)] or _counted_dates(ctx, c_start, c_end)
    # "released a video on Sunday showing girls abducted … last week": a date that tells when something was said or
    # published is the report's, not the attack's, unless the clause has no other.
    own = [
        t
        for t in dates
        if not _REPORTING_VERB_BEFORE.search(text, max(c_start, t.start - 40), t.start)
        and not _REPORTING_VERB_AFTER.match(text, t.end)
    ]
    # A date that only tells when a video or statement came out never dates the attack it shows.
    dates = own or [t for t in dates if not _PUBLISHING_NEAR.search(text, max(c_start, t.start - 40), t.end + 20)]
    if dates:  # the date nearest the trigger: "said on Saturday that it carried out the attack on Friday"
        nearest = min(dates, key=lambda t: min(abs(t.start - hit.end), abs(hit.start - t.end)))
        _add(roles, "date", _filler(text, nearest.start, nearest.end, value=nearest.value))
    s_start, _ = sentence
    _object_fillers(ctx, c_start, c_end, roles)
    if hit.text.lower().startswith("attacker"):
        named = [(m, e) for m, e in ctx.entities_in(hit.end, c_end, "person") if m.start <= hit.end + 3]
        if not named:
            return None
        _add(roles, "perpetrator", _entity_filler(*named[0]))
    elif hit.label == DEVICE_ACT:
        if not _device_used(ctx, clause, hit, roles):
            return None
    elif not any(roles.get(r) for r in _HIT_ROLES) and not (
        _agent_acts(ctx, clause, hit)
        or _attacked_by(ctx, clause, hit)
        or _device_went_off(ctx, clause, hit)
    ):
        return None
    for m, e in ctx.entities_in(s_start, c_end, "group", "person"):
        before = text[max(s_start, m.start - 25) : m.start]
        named_before = m.start < hit.start and not _AGAINST.search(before) and not ctx.in_quote(m.start, m.end)
        if named_before and _ONLOOKER_VERB.search(text, m.end, hit.start):
            continue  # "Zawahiri praised a January attack": who praises or condemns an attack did not carry it out
        if _overlaps(roles, (m.start, m.end), "victim", "target"):
            continue  # "Umanzor, who was kidnapped": who was hit did not strike
        if named_before and (e.type == "group" or m.end >= hit.start - 40):
            _add(roles, "perpetrator", _entity_filler(m, e))
    _group_fillers_in(ctx, s_start, c_end, roles)
    _passive_agents(ctx, c_start, c_end, roles)
    for agent in ctx.lex.perpetrator_nouns.finditer(text, c_start, c_end):
        if _modifies_a_noun(ctx, agent):
            continue
        if not any(not _is_organisation(ctx, f) for f in roles.get("perpetrator", ())):
            a_start, a_end = _agent_phrase(ctx, agent, c_start)
            if not any(f.entity and f.start < a_end and a_start < f.end for f in roles.get("perpetrator", ())):
                _add(roles, "perpetrator", _filler(text, a_start, a_end, value=agent.text.lower()))
    _method_fillers(ctx, c_start, c_end, roles)
    for target in ctx.lex.targets.finditer(text, c_start, c_end):
        if target.label == "civilians":
            _add(roles, "target", _filler(text, target.start, target.end, value=target.text))
    return _AttackMention(c_start, c_end, hit, roles)


def _attack_key(mention: _AttackMention) -> str | None:
    places = mention.roles.get("place")
    return places[0].entity if places else None


_REPORTING_VERB_BEFORE = re.compile(
    r"\b(?:said|says|told|announced|released|published|posted|issued|claimed|reported|confirmed|added|stated|"
    r"vowed|pledged|promised|threatened|warned)\b"
    r"(?:\s+[\w’'-]+){0,4}\s+(?:on|late\s+on|early\s+on)?\s*$",
    re.IGNORECASE,
)
_PUBLISHING_NEAR = re.compile(r"\b(?:published|released|posted|issued|aired|broadcast)\b", re.IGNORECASE)
# "Amaq on Saturday published a video … of the attack": the date of the publishing, not of the attack.
_REPORTING_VERB_AFTER = re.compile(
    r"\s*,?\s*(?:published|released|posted|issued|said|announced|claimed|reported|aired|broadcast)\b", re.IGNORECASE
)
# "the 2019 attack on the hotel, in which 21 people were killed": the clause after the break tells of the same attack.
_RELATIVE_START = re.compile(r",\s+(?:in\s+which|during\s+which|which|where)\s+$", re.IGNORECASE)


def _continues(ctx: _Ctx, previous: _AttackMention, mention: _AttackMention) -> bool:
    """Whether ``mention`` is a relative clause hanging on ``previous`` in the same sentence."""
    same_sentence = ctx.sentence_of(previous.start) == ctx.sentence_of(mention.start)
    return same_sentence and bool(_RELATIVE_START.search(ctx.text[max(0, mention.start - 20) : mention.start]))


# "The attack was claimed on Tuesday by JNIM": a sentence opening on the definite attack it goes on to tell about.
_SENTENCE_OPENING_ANAPHOR = re.compile(r"(?:the|this|that)\s+(?:[\w-]+\s+)?$", re.IGNORECASE)
_TOLD_ABOUT = re.compile(r"\s+(?:was|were|has|have|had|is)\b", re.IGNORECASE)


def _retold(ctx: _Ctx, mention: _AttackMention) -> bool:
    s_start, _ = ctx.sentence_of(mention.trigger.start)
    opening = ctx.text[s_start : mention.trigger.start]
    return bool(_SENTENCE_OPENING_ANAPHOR.fullmatch(opening) and _TOLD_ABOUT.match(ctx.text, mention.trigger.end))


_ANAPHORIC = re.compile(r"\b(?:the|this|that|its|their)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)


def _merge_attacks(ctx: _Ctx, mentions: list[_AttackMention]) -> list[list[_AttackMention]]:
    """Same place → same attack; a placeless definite mention ("the siege killed 14") → the attack before it."""
    groups: list[list[_AttackMention]] = []
    by_key: dict[str, list[_AttackMention]] = {}
    for mention in mentions:
        key = _attack_key(mention)
        if groups and _continues(ctx, groups[-1][-1], mention):
            groups[-1].append(mention)
            continue
        if groups and _retold(ctx, mention):
            # "The attack was claimed on Tuesday by JNIM, al-Qaeda's affiliate in the Sahel": the retelling adds
            # who and how many; its dates and places are the claim's, where the attack already has its own.
            for role in ("date", "place"):
                if any(m.roles.get(role) for m in groups[-1]):
                    mention.roles.pop(role, None)
            groups[-1].append(mention)
            continue
        if key is not None and key in by_key:
            by_key[key].append(mention)
            continue
        before = ctx.text[max(mention.start, mention.trigger.start - 30) : mention.trigger.start]
        if key is None and groups and _ANAPHORIC.search(before):
            groups[-1].append(mention)
            continue
        group = [mention]
        groups.append(group)
        if key is not None:
            by_key[key] = group
    return groups


_CLAIM = re.compile(
    r"\bclaim(?:ed|s|ing)?\s+(?:responsibility|the\s+(?:attack|bombing|assault|killing))", re.IGNORECASE
)


_CLAIMED_BY = re.compile(r"\bclaimed(?:\s+(?:on|late|early|in|last)?\s*\w+){0,2}?\s+by\s+", re.IGNORECASE)


# "No group has claimed responsibility", "which nobody has yet claimed": no claimant, whoever the sentence names.
_NO_CLAIM = re.compile(r"\b(?:no|not|nobody|no\s+one|none|yet\s+to)\b(?:\s+[\w-]+){0,3}\s*$", re.IGNORECASE)


def _claimants_before(ctx: _Ctx, position: int) -> list[tuple[Mention, Entity]]:
    s_start, _ = ctx.sentence_of(position)
    if _NO_CLAIM.search(ctx.text[max(s_start, position - 40) : position]):
        return []
    return ctx.entities_in(s_start, position, "group")


def _claimants_after(ctx: _Ctx, position: int) -> list[tuple[Mention, Entity]]:
    _, s_end = ctx.sentence_of(position)
    return ctx.entities_in(position, min(s_end, position + 80), "group")


def _claimants(ctx: _Ctx, groups: list[list[_AttackMention]]) -> None:
    """ "Al-Shabaab … claimed responsibility for the attack" or "the attack, which was claimed by ISIS-K": the
    claimant is the perpetrator the group claims to be of the latest attack mentioned before, unless a report
    already names one."""
    claims = [(claim.start(), _claimants_before(ctx, claim.start())) for claim in _CLAIM.finditer(ctx.text)]
    claims += [(claim.start(), _claimants_after(ctx, claim.end())) for claim in _CLAIMED_BY.finditer(ctx.text)]
    for position, claimants in sorted(claims, key=lambda c: c[0]):
        earlier = [g for g in groups if g[0].start < position]
        if not (claimants and earlier):
            continue
        # A named claimant adds to nouns such as "gunmen", but never overrides a perpetrator a report names.
        named = [f for m in earlier[-1] for f in m.roles.get("perpetrator", []) if f.entity]
        if not named:
            earlier[-1][0].roles.setdefault("perpetrator", []).append(_entity_filler(*claimants[0]))


_QUESTION_WORD = re.compile(r"\b(?:who|whom|whose|what|whether|why|how)\b", re.IGNORECASE)


def _called_for(ctx: _Ctx, start: int, trigger: int) -> bool:
    """ "urged followers to attack": a call before the attack word asks for it, unless what it asks is to look into
    one ("ordered a judge to investigate the murder of ...")."""
    call = ctx.lex.call_verbs.first(ctx.text, start, trigger)
    if call is None:
        return False
    between = ctx.text[call.end : trigger]
    # "asked who had killed X": a question asks for no attack. (Calls that reach the attack word only many words
    # later, "ordered the arrest of the officers involved in the massacre", are read as calls still: counting them
    # as attacks cost 0.05-0.08 on MUC-4 train and dev.)
    return not (_LOOKS_INTO.search(between) or _QUESTION_WORD.search(between))


def _attacks(ctx: _Ctx) -> list[Event]:
    mentions: list[_AttackMention] = []
    for s_start, s_end in ctx.sentences:
        for clause in _clauses(ctx.text, s_start, s_end):
            if ctx.in_quote(*clause):
                continue
            hit = _first_trigger(ctx, *clause)
            if hit is None or _called_for(ctx, clause[0], hit.start):
                continue  # an attack a call asks for is not an attack that happened
            call_after = ctx.lex.call_verbs.first(ctx.text, hit.end, clause[1])
            if call_after:
                clause = (clause[0], call_after.start)
            mention = _attack_mention(ctx, clause, (s_start, s_end), hit)
            if mention:
                mentions.append(mention)
    events = []
    groups = _merge_attacks(ctx, mentions)
    _claimants(ctx, groups)
    for group in groups:
        roles: dict[str, list[RoleFiller]] = {}
        for mention in group:
            for role, fillers in mention.roles.items():
                for filler in fillers:
                    _add(roles, role, filler)
        first = group[0]
        hedges = [h for m in group for h in ctx.hedges_in(m.start, m.end)]
        dates = roles.get("date")
        events.append(
            Event(
                id=_event_id(ctx.doc, "attack", first.trigger.start),
                type="attack",
                evidence=Span(first.start, first.end, ctx.text[first.start : first.end]),
                roles=_frozen_roles(roles),
                time=str(dates[0].value) if dates else None,
                verification=_most_doubtful(hedges),
                confidence=_confidence(roles, ("place", "date", "killed", "perpetrator")),
            )
        )
    return events


# ------------------------------------------------------------------------------------------------- arrests


# "arrested a 27-year-old man", "detained two suspects": the person arrested, unnamed.
_UNNAMED_SUSPECT = re.compile(
    r"\s+(?P<who>(?:a|an|two|three|four|five|several)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:man|men|woman|women|teenager|teenagers|boy|girl|suspects?|people|persons|individuals?))\b",
    re.IGNORECASE,
)
# How far a named person may stand from the arrest word and still be the one arrested ("the arrest of the
# organization's spokesman, Abu Omar al-Muhajir"); further on, a name belongs to something else in the sentence.
_ARREST_OBJECT_WINDOW = 80
_ROLE_BEFORE = re.compile(rf"\b(?:{'|'.join(_SPEAKER_ROLES)}),?\s+$", re.IGNORECASE)


def _arrested(text: str, hit: LexiconHit, mention: Mention) -> bool:
    """Whether a person named in an arrest sentence is the one arrested: anyone up to just after the arrest word
    (subjects of "was detained", objects of "arrested"), and further on anyone not introduced by a group role."""
    if _SPEECH_AFTER.match(text, mention.end):
        return False  # "…, Interior Minister Gérald Darmanin said": who announced the arrest
    if mention.start <= hit.end + _ARREST_OBJECT_WINDOW:
        return True
    # Further on, a person introduced by a group role is someone the sentence mentions, not the one arrested
    # ("arrested a man … for sharing speeches of the group's spokesman X").
    return not _ROLE_BEFORE.search(text[max(0, mention.start - 30) : mention.start])


def _arrests(ctx: _Ctx) -> list[Event]:
    text = ctx.text
    events: list[Event] = []
    done: set[tuple[int, int]] = set()
    for hit in ctx.lex.arrest_words.finditer(text):
        s_start, s_end = ctx.sentence_of(hit.start)
        if (s_start, s_end) in done or ctx.in_quote(hit.start, hit.end):
            continue
        roles: dict[str, list[RoleFiller]] = {}
        for m, e in ctx.entities_in(s_start, s_end, "person", "group", "organisation"):
            before = text[max(s_start, m.start - 25) : m.start]
            if _BY_AGENT.search(before) or (e.type != "person" and m.start > hit.end and re.search(r"\bby\b", before)):
                _add(roles, "by", _entity_filler(m, e))
            elif e.type == "person" and _arrested(text, hit, m):
                _add(roles, "person", _entity_filler(m, e))
        if not roles.get("person"):
            unnamed = _UNNAMED_SUSPECT.match(text, hit.end)
            if unnamed is None:
                continue
            start = unnamed.start("who")
            _add(roles, "person", _filler(text, start, unnamed.end(), value=text[start : unnamed.end()]))
        for p in ctx.doc.places:
            if s_start <= p.start and p.end <= s_end:
                _add(roles, "place", _filler(text, p.start, p.end, entity=p.entity_id))
        dates = [t for t in ctx.times_in(s_start, s_end) if _is_calendar_date(t)]
        if dates:
            _add(roles, "date", _filler(text, dates[0].start, dates[0].end, value=dates[0].value))
        done.add((s_start, s_end))
        if events and _SAME_SUSPECT.match(text, s_start):
            # "The man, named in court as Daniel Okafor, was detained…" tells more of the arrest just reported.
            events[-1] = _with_more_roles(events[-1], roles)
            continue
        events.append(
            Event(
                id=_event_id(ctx.doc, "arrest", hit.start),
                type="arrest",
                evidence=Span(s_start, s_end, text[s_start:s_end]),
                roles=_frozen_roles(roles),
                time=dates[0].value if dates else None,
                verification=_most_doubtful(ctx.hedges_in(s_start, s_end)),
                confidence=_confidence(roles, ("person", "by", "place", "date")),
            )
        )
    return events


_SAME_SUSPECT = re.compile(
    r"\s*(?:(?:The|This|That)\s+(?:man|woman|suspect|teenager|boy|girl|men|women|suspects)|He|She)\b"
)


def _with_more_roles(event: Event, more: dict[str, list[RoleFiller]]) -> Event:
    roles = {role: list(fillers) for role, fillers in event.roles.items()}
    for role, fillers in more.items():
        for filler in fillers:
            _add(roles, role, filler)
    return replace(event, roles=_frozen_roles(roles), confidence=_confidence(roles, ("person", "by", "place", "date")))


# ------------------------------------------------------------------------------------------------- statements


def _appositive_role(ctx: _Ctx, mention: Mention, limit: int) -> tuple[int, int] | None:
    """ "Ian J. Mccary, US Deputy Special Envoy For … said" → the span between the name and the verb."""
    tail = ctx.text[mention.end : limit]
    match = _APPOSITIVE.match(tail)
    if not match:
        return None
    return mention.end + match.start(1), mention.end + match.end(1)


# "X, who became the group's spokesman in 2023, told …": a relative clause, not a title; only its role word is.
_RELATIVE_ROLE = re.compile(r"(?:who|whom|whose)\b", re.IGNORECASE)


def _role_word_span(text: str, start: int, phrase: str, person: Entity) -> tuple[int, int] | None:
    role = person.attributes.get("role")
    if not role:
        return None
    found = re.search(r"\b" + re.escape(role) + r"\w*", phrase, re.IGNORECASE)
    return (start + found.start(), start + found.end()) if found else None


_SPEECH_VERBS = r"said|says|stated|told|added|warned|announced|condemned|denounced|tweeted|wrote"
_APPOSITIVE = re.compile(rf",\s+([^,;“\"]{{3,160}}?)(?:,)?\s+(?=(?:{_SPEECH_VERBS})\b)")
_SPEECH_AFTER = re.compile(rf"\s*,?\s*(?:{_SPEECH_VERBS})\b", re.IGNORECASE)


def _role_before_speech(ctx: _Ctx, mention: Mention, person: Entity) -> tuple[int, int] | None:
    """ "Germany's interior minister, Nancy Faeser, said …": the role phrase before a name that speaks next."""
    role = person.attributes.get("role")
    if not role or not _SPEECH_AFTER.match(ctx.text, mention.end):
        return None
    s_start, _ = ctx.sentence_of(mention.start)
    before = ctx.text[max(s_start, mention.start - 60) : mention.start]
    word = r"spokes\w*" if role == "spokesman" else re.escape(role) + r"[\w-]*"
    found = re.search(r"((?:[\w’'-]+\s+){0,2}" + word + r")\s*,?\s*$", before, re.IGNORECASE)
    if found is None:
        return None
    start = mention.start - len(before) + found.start(1)
    return start, start + len(found.group(1))


def _statements(ctx: _Ctx, releases: Sequence[Event]) -> list[Event]:
    text = ctx.text
    speakers = _release_speakers(releases)
    events = []
    for m, e in ctx.mentions:
        if e.type != "person" or e.id in speakers or ctx.in_quote(m.start, m.end):
            continue
        s_start, s_end = ctx.sentence_of(m.start)
        line_end = ctx.text.find("\n", m.end)
        span = _appositive_role(ctx, m, line_end if line_end != -1 else len(ctx.text))
        # A title before the name ("Interior Minister Gerhard Karner said") is kept whole: its words are no body.
        title_first = span is None
        span = span or _role_before_speech(ctx, m, e)
        if span is None:
            continue
        roles: dict[str, list[RoleFiller]] = {"speaker": [_entity_filler(m, e)]}
        orgs = [] if title_first else ctx.entities_in(span[0], span[1], "organisation", "group")
        role_end = orgs[0][0].start if orgs else span[1]
        role_text = re.sub(
            r"\s+(?:for|of|at|with|to)(?:\s+the)?\s*$", "", text[span[0] : role_end], flags=re.IGNORECASE
        )
        role_span = _role_word_span(text, span[0], role_text, e) if _RELATIVE_ROLE.match(role_text) else None
        if role_span is not None:
            _add(roles, "role", _filler(text, *role_span, value=text[role_span[0] : role_span[1]]))
        elif role_text and not _RELATIVE_ROLE.match(role_text):
            _add(roles, "role", _filler(text, span[0], span[0] + len(role_text), value=role_text))
        for org_mention, org in orgs[:1]:
            _add(roles, "organisation", _entity_filler(org_mention, org))
        s_end = max(s_end, ctx.sentence_of(span[1])[1])
        events.append(
            Event(
                id=_event_id(ctx.doc, "statement", m.start),
                type="statement",
                evidence=Span(s_start, s_end, text[s_start:s_end]),
                roles=_frozen_roles(roles),
                time=None,
                verification="confirmed",
                confidence=_confidence(roles, ("speaker", "role", "organisation")),
            )
        )
    return events


# ------------------------------------------------------------------------------------------------- entry


def _context(doc: AnalyzedDoc, spacy_doc: Doc | None) -> _Ctx:
    text = doc.article.text
    if spacy_doc is not None and (spacy_doc.has_annotation("SENT_START") or spacy_doc.has_annotation("DEP")):
        sentences = [(s.start_char, s.end_char) for s in spacy_doc.sents]
    else:
        sentences = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+?(?:[.!?](?=\s)|$)", text, re.MULTILINE)]
    mentions = sorted(((m, e) for e in doc.entities for m in e.mentions), key=lambda me: me[0].start)
    quoted = [(q.start, q.end) for q in doc.quotes]
    return _Ctx(text, doc, event_lexicon(), sentences, mentions, quoted, _tokens_of(spacy_doc))


def extract_events(doc: AnalyzedDoc, spacy_doc: Doc | None = None) -> tuple[Event, ...]:
    ctx = _context(doc, spacy_doc)
    mentions = _release_mentions(ctx)
    for release in mentions:
        release.others = [h for other in mentions if other is not release for h in other.triggers]
    releases = [_release_event(ctx, r) for r in mentions]
    events = [*releases, *_calls(ctx, releases), *_attacks(ctx), *_arrests(ctx), *_statements(ctx, releases)]
    return tuple(sorted(events, key=lambda e: (e.evidence.start, e.type)))
