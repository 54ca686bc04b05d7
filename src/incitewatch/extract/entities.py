"""Groups, persons and other organisations with canonical ids, from a parsed ``Doc``.

The entity ruler (patterns from ``ruler_patterns``) runs before the statistical NER, so listed groups and
persons arrive with ``ent.ent_id_`` set; the model adds names nobody listed. ``extract_entities`` then repairs
the known failure modes of the small English model (split Arabic names, "lone wolf" as a person, spans across
paragraph breaks), resolves partial person mentions within the document, and reads role appositives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any

from spacy.tokens import Doc, Span

from incitewatch.extract.names import (
    NameParts,
    full_names_compatible,
    lead_letters,
    name_key,
    name_slug,
    parse_name,
    same_person,
)
from incitewatch.extract.places import named_as_place
from incitewatch.resources import (
    GroupRecord,
    alias_match_key,
    groups_by_id,
    load_groups,
    load_persons,
    persons_by_id,
)
from incitewatch.types import Entity, EntityType, Mention

GROUP_LABEL = "ORG"
PERSON_LABEL = "PERSON"

# Places the small model labels ORG or PERSON ("Tal Afar" a person, "Mozambique" and "Idlib" organisations).
_MISLABELLED_PLACES = (
    "Tal Afar", "Mozambique", "Idlib", "Raqqa", "Mosul", "Deir ez-Zor", "Deir al-Zour", "Deir Ezzor",
    "Hasakah", "al-Hol", "Marawi", "Cabo Delgado", "Mocimboa da Praia", "Borno", "Maiduguri", "Menaka",
    "Kidal", "Gao", "Timbuktu", "Tillaberi", "Diffa", "Nangarhar", "Kunar", "Jalalabad", "Kandahar",
    "Helmand", "Khost", "Waziristan", "North Waziristan", "Peshawar", "Quetta", "Mogadishu", "Kismayo",
    "Jubaland", "Puntland", "Benghazi", "Derna", "Sirte", "Fallujah", "Ramadi", "Tikrit", "Samarra",
    "Kirkuk", "Anbar", "Diyala", "Aleppo", "Daraa", "Atmeh", "Barisha", "Jarabulus", "al-Bab", "Manbij",
    "Kobani", "Baghuz", "Hajin",
)  # fmt: skip
_MISLABELLED_REGIONS = ("Sahel", "Sinai", "Mindanao", "Lake Chad")
KNOWN_PLACES: tuple[tuple[str, str], ...] = (
    *((name, "GPE") for name in _MISLABELLED_PLACES),
    *((name, "LOC") for name in _MISLABELLED_REGIONS),
)


def _word_tuple(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Organisation names that contain a group alias ("Global Coalition To Defeat Isis") are one organisation.
_ORG_HEADS = _word_tuple(
    "coalition bureau office center centre committee task force unit alliance campaign commission "
    "department ministry program programme initiative network institute project fund forum council "
    "envoy mission operation strategy"
)
_ORG_CONNECTORS = ("to", "against", "for", "on", "countering")
_ORG_VERBS = _word_tuple("defeat counter countering combat combating combatting fight fighting destroy")
_NAME_STOPWORDS = ("the", "for", "of", "to", "and", "on", "against", "in", "a", "an")

# Acronyms that are English words: in an all-capitals sentence ("THE FMLN IS ...") they are not group names.
AMBIGUOUS_ACRONYMS = frozenset({"IS", "ETA", "RIM", "AS", "IT", "US"})
NOT_PERSONS = frozenset(
    {"lone wolf", "lone wolves", "lone-wolf", "lone-wolves", "brexit", "allah", "god", "prophet"}
)

_KUNYA_TOKENS = frozenset({"abu", "abi", "abou", "abul", "umm"})
_PATRONYMIC_TOKENS = frozenset({"bin", "ibn", "bint"})
_ARTICLE_TOKENS = frozenset({"al", "el"})
_HYPHEN_ARTICLE_TOKENS = frozenset({"ad", "ar", "as", "at", "az", "an", "ash", "adh", "ath"})

_ROLE_WORDS = (
    r"spokes(?:man|person|woman|men|people)|leader|emir|chief|commander|founder|co-founder|head|deputy|envoy|"
    r"minister|secretary|director|president|ambassador|official|analyst|expert|researcher|professor|reporter|"
    r"journalist|correspondent|editor|governor|mufti|preacher|ideologue|caliph|chairman|cleric|imam|general|"
    r"coordinator|adviser|advisor|prosecutor|judge|mayor|senator|propagandist|strategist|recruiter|financier|"
    r"attacker|gunman|bomber|assailant|suspect|perpetrator"
)
_ROLE_RE = re.compile(rf"\b(?:{_ROLE_WORDS})\b", re.IGNORECASE)
# "the militant group's official spokesman, NAME": a determiner, at most three words, the role, then the name.
_ROLE_BEFORE_RE = re.compile(
    rf"(?:\b(?:the|a|an|its|his|her|their)\s+(?:[\w’'-]+\s+){{0,3}}?)?\b(?P<role>{_ROLE_WORDS})\s*,?\s*[‘'\"“]?$",
    re.IGNORECASE,
)
_APPOSITIVE_RE = re.compile(r"\s*,\s+(?P<app>[^,;:.!?\n“”\"(]{2,160})")
_APPOSITIVE_MAX_WORDS_TO_ROLE = 6
_TITLE_CONNECTORS = frozenset({"for", "of", "to", "the", "and", "on", "in", "at"})


# ------------------------------------------------------------------------------------------------ patterns


def _spelling_variants(alias: str) -> set[str]:
    """The alias with curly/no apostrophe and "al-" with a space: tokens differ, so each needs a pattern."""
    variants = {alias}
    if "'" in alias:
        variants |= {alias.replace("'", "’"), alias.replace("'", "")}
    variants |= {re.sub(r"\b([Aa]l)-(?=\w)", r"\1 ", v) for v in list(variants)}
    return variants


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    import spacy

    return spacy.blank("en").tokenizer


def _case_sensitive_token_pattern(alias: str) -> list[dict[str, Any]]:
    """Exact-case tokens, except function words ("the Base" also matches "The Base")."""
    pattern: list[dict[str, Any]] = []
    for token in _tokenizer()(alias):
        if token.lower_ in ("the", "of", "and", "al", "-"):
            pattern.append({"LOWER": token.lower_})
        else:
            pattern.append({"ORTH": token.text})
    return pattern


def _group_patterns(group: GroupRecord) -> list[dict[str, Any]]:
    patterns: list[dict[str, Any]] = []
    case_sensitive = set(group.case_sensitive_aliases)
    for name in group.all_names:
        for variant in sorted(_spelling_variants(name)):
            if name in case_sensitive:
                patterns.append(
                    {"label": GROUP_LABEL, "pattern": _case_sensitive_token_pattern(variant), "id": group.id}
                )
            else:
                patterns.append({"label": GROUP_LABEL, "pattern": variant, "id": group.id})
    return patterns


def _person_patterns() -> list[dict[str, Any]]:
    return [
        {"label": PERSON_LABEL, "pattern": variant, "id": person.id}
        for person in load_persons()
        for name in person.all_names
        if len(name.split()) >= 2  # a lone word ("Apo") is too ambiguous to tag everywhere
        for variant in sorted(_spelling_variants(name))
    ]


def _embedded_alias_org_patterns() -> list[dict[str, Any]]:
    """ "[Global] Coalition To Defeat ISIS": an organisation whose name ends in a group alias."""
    single_token_aliases = sorted(
        {
            alias.lower()
            for group in load_groups()
            for alias in group.all_names
            if len(_tokenizer()(alias)) == 1 and alias not in group.case_sensitive_aliases
        }
    )
    leading_words = {"IS_TITLE": True, "LOWER": {"NOT_IN": list(_NAME_STOPWORDS)}, "OP": "*"}
    head = {"IS_TITLE": True, "LOWER": {"IN": list(_ORG_HEADS)}}
    alias = {"LOWER": {"IN": single_token_aliases}}
    connector = {"LOWER": {"IN": list(_ORG_CONNECTORS)}}
    # A verb ("to Defeat ISIS") or a capitalised connector ("Coalition Against Daesh") marks a proper name;
    # "the coalition against ISIS was ..." still mentions the group.
    with_verb = [leading_words, head, connector, {"LOWER": {"IN": list(_ORG_VERBS)}}, alias]
    titled = [leading_words, head, {**connector, "IS_TITLE": True}, alias]
    global_coalition = [{"LOWER": "global"}, {"LOWER": "coalition"}, connector, alias]
    return [{"label": GROUP_LABEL, "pattern": p} for p in (with_verb, titled, global_coalition)]


def _place_patterns() -> list[dict[str, Any]]:
    return [{"label": label, "pattern": name} for name, label in KNOWN_PLACES]


@lru_cache(maxsize=1)
def _ruler_patterns_cached() -> tuple[dict[str, Any], ...]:
    patterns: list[dict[str, Any]] = []
    for group in load_groups():
        patterns.extend(_group_patterns(group))
    patterns.extend(_person_patterns())
    patterns.extend(_embedded_alias_org_patterns())
    patterns.extend(_place_patterns())
    return tuple(patterns)


def ruler_patterns() -> list[dict[str, Any]]:
    """spaCy EntityRuler patterns: groups (ORG, id ``group:...``), persons (PERSON, id ``person:...``),
    organisation names that contain a group alias (ORG, no id), places the model mislabels (GPE/LOC, no id).

    Aliases that groups.json marks case-sensitive (ambiguous acronyms such as ``IS``, ordinary words such as
    "the Base") are exact-case token patterns, so the verb "is" never matches; every other alias is a phrase
    pattern for a ruler configured with ``phrase_matcher_attr="LOWER"``, so lower- or upper-case text matches.
    """
    return list(_ruler_patterns_cached())


# ------------------------------------------------------------------------------------------------ lookups


@lru_cache(maxsize=1)
def _group_alias_index() -> Mapping[str, str]:
    index: dict[str, str] = {}
    for group in load_groups():
        for alias in group.all_names:
            if alias not in group.case_sensitive_aliases:
                index.setdefault(alias_match_key(alias), group.id)
    return index


@lru_cache(maxsize=1)
def _person_key_index() -> Mapping[str, str]:
    # A listed partial name ("Mullah Omar" keys to "umar") would claim every "Omar": the ruler handles those.
    return {
        name_key(name): person.id
        for person in load_persons()
        for name in person.all_names
        if not parse_name(name).is_partial
    }


@lru_cache(maxsize=1)
def _person_names() -> Mapping[str, tuple[str, ...]]:
    return {person.id: person.all_names for person in load_persons()}


@lru_cache(maxsize=4096)
def known_person_id(name: str, allow_partial: bool = False) -> str | None:
    """The persons.json id for a name: exact key first, then the one listed person whose names are compatible.

    Partial references ("al-Adnani") resolve only with ``allow_partial``, and only by surname.
    """
    exact = _person_key_index().get(name_key(name))
    if exact is not None:
        return exact
    parts = parse_name(name)
    if parts.is_partial and (not allow_partial or (not parts.surname_words and not parts.solo)):
        return None
    candidates = _partial_owners(parts) if parts.is_partial else _full_name_owners(parts)
    return candidates.pop() if len(candidates) == 1 else None


def _full_name_owners(parts: NameParts) -> set[str]:
    """Listed persons with a full name compatible with ``parts``: only names sharing a lead letter can be."""
    index = _full_names_by_lead_letter()
    return {
        person_id
        for letter in lead_letters(parts)
        for person_id, known in index.get(letter, ())
        if full_names_compatible(parts, known)
    }


def _partial_owners(parts: NameParts) -> set[str]:
    """Listed persons with a name carrying every word of a partial reference as an "al-" or "bin" surname.

    A lone word resolves only to an Arabic nisba or patronymic ("Zawahiri", "al-Adnani", "bin Laden"), never
    to a Western-order family name: a lone "Omar" is not Mullah Mohammed Omar.
    """
    words = parts.reference_words
    if not words:
        return set()
    return {person_id for person_id, surnames in _particle_surnames() if words <= surnames}


@lru_cache(maxsize=1)
def _full_names_by_lead_letter() -> Mapping[str, tuple[tuple[str, NameParts], ...]]:
    """The listed full names (parsed), by each first letter of their kunya or first given name."""
    index: dict[str, list[tuple[str, NameParts]]] = {}
    for person_id, names in _person_names().items():
        for known in names:
            parts = parse_name(known)
            if not parts.is_partial:
                for letter in lead_letters(parts):
                    index.setdefault(letter, []).append((person_id, parts))
    return {letter: tuple(found) for letter, found in index.items()}


@lru_cache(maxsize=1)
def _particle_surnames() -> tuple[tuple[str, frozenset[str]], ...]:
    """(person id, the words that follow "al" or "bin" in one of its name keys), for every listed name."""
    found = []
    for person_id, names in _person_names().items():
        for known in names:
            words = name_key(known).split(" ")
            surnames = frozenset(nxt for word, nxt in pairwise(words) if word in ("al", "bin"))
            found.append((person_id, surnames))
    return tuple(found)


def is_listed(entity_id: str) -> bool:
    """Whether an id comes from groups.json/persons.json (unlisted ids are slugs of the name in the text)."""
    return entity_id in groups_by_id() or entity_id in persons_by_id()


def _group_id_for_text(text: str) -> str | None:
    return _group_alias_index().get(alias_match_key(_strip_possessive(text)))


def _strip_possessive(text: str) -> str:
    return re.sub(r"\s*['’]s$", "", text)


# ------------------------------------------------------------------------------------------------ span repair


@dataclass(slots=True)
class _Candidate:
    start: int  # token offsets into the doc
    end: int
    label: str
    ent_id: str
    from_ruler: bool


def _particle_unit_length(doc: Doc, i: int) -> int:
    """Tokens in an article unit at ``i``: "al-Muhajer" (3), "al Muhajer" (2), otherwise 0."""
    if i >= len(doc):
        return 0
    word = doc[i].lower_
    hyphenated = (
        i + 2 < len(doc) and doc[i + 1].text == "-" and not doc[i].whitespace_ and not doc[i + 1].whitespace_
    )
    if (
        (word in _ARTICLE_TOKENS or word in _HYPHEN_ARTICLE_TOKENS)
        and hyphenated
        and doc[i + 2].text[:1].isupper()
    ):
        return 3
    if word in _ARTICLE_TOKENS and i + 1 < len(doc) and doc[i + 1].is_title and doc[i].whitespace_:
        return 2
    return 0


def _extend_left(doc: Doc, start: int, blocked: set[int]) -> int:
    while start > 0 and start - 1 not in blocked:
        before = doc[start - 1]
        if before.lower_ in _KUNYA_TOKENS | _PATRONYMIC_TOKENS:
            start -= 1
        elif (
            start >= 3 and not blocked & {start - 3, start - 2} and _particle_unit_length(doc, start - 3) == 3
        ):
            start -= 3
        elif (
            before.is_title
            and start >= 2
            and doc[start - 2].lower_ in _KUNYA_TOKENS
            and start - 2 not in blocked
        ):
            start -= 2  # "Abu Omar" + "al-Muhajir"
        else:
            break
    return start


def _extend_right(doc: Doc, end: int, blocked: set[int]) -> int:
    while end < len(doc) and end not in blocked:
        unit = _particle_unit_length(doc, end)
        last = doc[end - 1].lower_
        if unit and not blocked & set(range(end, end + unit)):
            end += unit
        elif doc[end].lower_ in _PATRONYMIC_TOKENS and end + 1 < len(doc) and doc[end + 1].is_title:
            end += 2
        elif last in _KUNYA_TOKENS | _PATRONYMIC_TOKENS and doc[end].is_title:
            end += 1
        else:
            break
    return end


def _split_at_paragraph(doc: Doc, cand: _Candidate) -> _Candidate | None:
    """Spans across a line break are model errors ("Ahmad\\n\\nTraveller"): keep a person's first line."""
    span = doc[cand.start : cand.end]
    if "\n" not in span.text:
        return cand
    if cand.label != PERSON_LABEL:
        return None
    end = cand.start
    while end < cand.end and "\n" not in doc[end].text and "\n" not in doc[end].whitespace_:
        end += 1
    if end < cand.end and "\n" in doc[end].whitespace_:
        end += 1
    return _Candidate(cand.start, end, cand.label, cand.ent_id, cand.from_ruler) if end > cand.start else None


def _mostly_upper(span: Span) -> bool:
    letters = [ch for ch in span.sent.text if ch.isalpha()] if span.doc.has_annotation("SENT_START") else []
    if not letters:
        letters = [
            ch for ch in span.doc.text[max(0, span.start_char - 200) : span.end_char + 200] if ch.isalpha()
        ]
    return sum(ch.isupper() for ch in letters) > 0.8 * len(letters)


def _doc_is_lowercase(doc: Doc) -> bool:
    letters = [ch for ch in doc.text[:5000] if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) < 0.01 * len(letters)


def _keep_group_mention(doc: Doc, cand: _Candidate) -> bool:
    span = doc[cand.start : cand.end]
    if span.text in AMBIGUOUS_ACRONYMS and _mostly_upper(span):
        return False
    group = groups_by_id().get(cand.ent_id)
    if group is not None and " " in span.text and span.text in _case_sensitive_names(group):
        # "National Action Plan" is not National Action: an ordinary-word alias must not run into a name.
        nxt = doc[cand.end] if cand.end < len(doc) else None
        if nxt is not None and nxt.is_title and not nxt.is_sent_start:
            return False
    return True


@lru_cache(maxsize=256)
def _case_sensitive_names(group: GroupRecord) -> frozenset[str]:
    return frozenset(
        v for alias in group.case_sensitive_aliases for v in _spelling_variants(alias)
    ) | frozenset(alias.replace("the ", "The ") for alias in group.case_sensitive_aliases)


def _keep_person(doc: Doc, cand: _Candidate) -> bool:
    text = doc[cand.start : cand.end].text.strip()
    if text.lower() in NOT_PERSONS or _strip_possessive(text).lower() in NOT_PERSONS:
        return False
    return any(ch.isupper() for ch in text) or _doc_is_lowercase(doc)


def _repair_candidates(doc: Doc) -> list[_Candidate]:
    raw = [
        _Candidate(
            ent.start, ent.end, ent.label_, ent.ent_id_, bool(ent.ent_id_) or ent.label_ != PERSON_LABEL
        )
        for ent in doc.ents
        if ent.label_ in (GROUP_LABEL, PERSON_LABEL)
    ]
    # Ruler ents (with ids) are fixed; statistical spans may not grow into them.
    blocked = {
        i
        for ent in doc.ents
        if ent.ent_id_ or ent.label_ not in (GROUP_LABEL, PERSON_LABEL)
        for i in range(ent.start, ent.end)
    }
    repaired: list[_Candidate] = []
    for cand in raw:
        fixed = _split_at_paragraph(doc, cand)
        if fixed is None:
            continue
        if fixed.label == PERSON_LABEL:
            own = set(range(fixed.start, fixed.end))
            fixed.start = _extend_left(doc, fixed.start, blocked - own)
            fixed.end = _extend_right(doc, fixed.end, blocked - own)
            fixed = _relabel_statistical_person(doc, fixed)
        repaired.append(fixed)
    return _drop_overlaps(repaired)


def _relabel_statistical_person(doc: Doc, cand: _Candidate) -> _Candidate:
    """The model sometimes calls a group a person ("Tahrir al-Sham"); a listed group name wins."""
    if cand.ent_id:
        return cand
    group_id = _group_id_for_text(doc[cand.start : cand.end].text)
    if group_id is not None:
        return _Candidate(cand.start, cand.end, GROUP_LABEL, group_id, False)
    return cand


def _drop_overlaps(cands: list[_Candidate]) -> list[_Candidate]:
    """Keep ruler spans, then the longest statistical spans; an extended name swallows what it covers."""
    ordered = sorted(cands, key=lambda c: (not c.ent_id, -(c.end - c.start), c.start))
    taken: set[int] = set()
    kept: list[_Candidate] = []
    for cand in ordered:
        tokens = set(range(cand.start, cand.end))
        if tokens & taken:
            continue
        taken |= tokens
        kept.append(cand)
    return sorted(kept, key=lambda c: c.start)


# ------------------------------------------------------------------------------------------------ entities


@dataclass(slots=True)
class _Cluster:
    id: str
    type: EntityType
    mentions: list[Mention] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    full_names: list[str] = field(default_factory=list)

    def add(self, mention: Mention) -> None:
        self.mentions.append(mention)
        if not parse_name(mention.text).is_partial:
            self.full_names.append(mention.text)


_HEDGE_PREFIX = re.compile(r"^(?:so[- ]called|self[- ](?:declared|styled|proclaimed))\s+", re.IGNORECASE)


def _without_hedge(mention: Mention) -> Mention:
    """The alias "so-called ISIS-Khorasan" matches whole, but the mention is the name; the hedge is left to
    the attribution stage."""
    match = _HEDGE_PREFIX.match(mention.text)
    if match is None:
        return mention
    return Mention(mention.start + match.end(), mention.end, mention.text[match.end() :])


def _mention(text: str, doc: Doc, cand: _Candidate) -> Mention:
    span = doc[cand.start : cand.end]
    start, end = span.start_char, span.end_char
    stripped = _strip_possessive(text[start:end])
    end = start + len(stripped)
    return Mention(start, end, text[start:end])


_TITLE_NOUN_AFTER = re.compile(r"\s+(?:Minister|Ministry|Secretary|Commissioner|Minister's)\b")
_FAITHS = frozenset({"islam", "christianity", "judaism", "hinduism", "buddhism", "allah", "god", "sharia"})


def extract_entities(text: str, doc: Doc) -> tuple[Entity, ...]:
    """Groups, persons and organisations of one article, each with a canonical id and every mention's offsets.

    ``doc`` must be ``build_nlp()`` run over ``text`` (the article's canonical text).
    """
    if doc.text != text:
        raise ValueError("extract_entities: doc.text differs from the article text; parse the canonical text")
    groups: dict[str, _Cluster] = {}
    organisations: dict[str, _Cluster] = {}
    person_mentions: list[tuple[Mention, str | None]] = []
    org_mentions: list[Mention] = []
    for cand in _repair_candidates(doc):
        mention = _mention(text, doc, cand)
        if not mention.text.strip():
            continue
        if cand.label == PERSON_LABEL:
            if _keep_person(doc, cand):
                person_mentions.append((mention, cand.ent_id or None))
            continue
        group_id = cand.ent_id if cand.ent_id.startswith("group:") else _group_id_for_text(mention.text)
        if group_id is not None:
            if cand.ent_id != group_id or _keep_group_mention(doc, cand):
                groups.setdefault(group_id, _Cluster(group_id, "group")).add(_without_hedge(mention))
            continue
        if named_as_place(text, mention.start):
            continue  # "the German city of Solingen": a place the model took for an organisation
        if mention.text.lower() in _FAITHS:
            continue  # "to promote Islam": a faith, which the small model sometimes tags as an organisation
        if " " not in mention.text.strip() and _TITLE_NOUN_AFTER.match(text, mention.end):
            continue  # "Interior Minister Gérald Darmanin": the first word of a title, not an organisation
        org_mentions.append(mention)
    person_mentions.extend((m, None) for m in _surnames_labelled_org(org_mentions, person_mentions))
    for mention in org_mentions:
        if any(mention is m for m, _ in person_mentions):
            continue
        org_id = "org:" + (alias_match_key(mention.text).replace(" ", "-") or "unnamed")
        organisations.setdefault(org_id, _Cluster(org_id, "organisation")).add(mention)
    taken = [(m.start, m.end) for m in (*org_mentions, *(m for c in groups.values() for m in c.mentions))]
    taken += [(ent.start_char, ent.end_char) for ent in doc.ents]
    person_mentions.extend((m, None) for m in _unlabelled_nisba_mentions(text, person_mentions, taken))
    persons = _cluster_persons(sorted(person_mentions, key=lambda pair: pair[0].start))
    _unlink_bare_kunyas(text, persons, frozenset(groups))
    persons = _merge_also_known_as(text, persons)
    group_mentions = [(m, cluster.id) for cluster in groups.values() for m in cluster.mentions]
    for cluster in persons:
        cluster.attributes.update(_person_roles(text, cluster.mentions, group_mentions))
    clusters = [*groups.values(), *persons, *organisations.values()]
    entities = _merge_same_ids(_to_entity(cluster) for cluster in clusters)
    return tuple(sorted(entities, key=lambda e: e.mentions[0].start))


def _is_bare_kunya(name: str) -> bool:
    parts = parse_name(name)
    return parts.kunya is not None and not parts.given and not parts.surnames and parts.solo is None


def _role_groups(person_id: str) -> frozenset[str]:
    person = persons_by_id().get(person_id)
    if person is None:
        return frozenset()
    groups = {role.group for role in person.roles if role.group}
    parents = {groups_by_id()[g].parent for g in groups if g in groups_by_id()}
    return frozenset(g for g in groups | parents if g)


def _unlink_bare_kunyas(text: str, persons: list[_Cluster], article_groups: frozenset[str]) -> None:
    """A bare kunya ("Abu Ubaidah") is carried by many men: it names a listed person only in an article that
    also names his group. Elsewhere it stays an unlisted name, so an al-Shabaab leader called Abu Ubaidah is not
    taken for the Qassam Brigades' spokesman Abu Obaida."""
    for cluster in persons:
        if cluster.id not in _person_names() or not all(_is_bare_kunya(m.text) for m in cluster.mentions):
            continue
        if not _role_groups(cluster.id) & article_groups:
            cluster.id = f"person:{name_slug(max((m.text for m in cluster.mentions), key=len))}"


# "Ahmed Diriye, also known as Abu Ubaidah": the name after the cue is the same person's other name.
_ALSO_KNOWN_AS = re.compile(
    r"^\s*,?\s*\(?(?:also\s+known\s+as|better\s+known\s+as|known\s+as|also\s+called|a\.?k\.?a\.?|alias|"
    r"whose\s+real\s+name\s+is|real\s+name)\s+[\"“‘']?$",
    re.IGNORECASE,
)


def _merge_also_known_as(text: str, persons: list[_Cluster]) -> list[_Cluster]:
    """Join the clusters of two names tied by "also known as" (or "aka", "whose real name is"); a listed id wins."""
    owner = {id(m): c for c in persons for m in c.mentions}
    mentions = sorted((m for c in persons for m in c.mentions), key=lambda m: m.start)
    for first, second in pairwise(mentions):
        a, b = owner[id(first)], owner[id(second)]
        if a is b or second.start - first.end > 40 or not _ALSO_KNOWN_AS.match(text[first.end : second.start]):
            continue
        keep, drop = (b, a) if b.id in _person_names() and a.id not in _person_names() else (a, b)
        for mention in drop.mentions:
            keep.add(mention)
            owner[id(mention)] = keep
        drop.mentions.clear()
    return [c for c in persons if c.mentions]


def _merge_same_ids(entities: Iterable[Entity]) -> list[Entity]:
    """Two clusters can end with one id (an unlisted name's slug); one id is one entity."""
    merged: dict[str, Entity] = {}
    for entity in entities:
        first = merged.get(entity.id)
        if first is None:
            merged[entity.id] = entity
            continue
        mentions = tuple(sorted((*first.mentions, *entity.mentions), key=lambda m: m.start))
        aliases = tuple(dict.fromkeys((*first.aliases, *entity.aliases)))
        attributes = {**entity.attributes, **first.attributes}
        merged[entity.id] = Entity(first.id, first.type, first.name, aliases, mentions, attributes)
    return list(merged.values())


_NISBA_IN_NAME = re.compile(r"\b[Aa]l-([A-Z][\w’']*)")


def _unlabelled_nisba_mentions(
    text: str, person_mentions: Sequence[tuple[Mention, str | None]], taken: Sequence[tuple[int, int]]
) -> list[Mention]:
    """ "Al-Ansari also called ..." often gets no label at all: find the "al-" surnames of the article's full
    person names where no entity was found, so they can join their person as partial mentions."""
    surnames = {
        match.group(1)
        for mention, _ in person_mentions
        if not parse_name(mention.text).is_partial
        for match in _NISBA_IN_NAME.finditer(mention.text)
    }
    occupied = [*taken, *((m.start, m.end) for m, _ in person_mentions)]
    found: list[Mention] = []
    for surname in sorted(surnames):
        for match in re.finditer(rf"(?<![\w-])[Aa]l-{re.escape(surname)}\b", text):
            start, end = match.span()
            if any(start < other_end and other_start < end for other_start, other_end in occupied):
                continue
            occupied.append((start, end))
            found.append(Mention(start, end, text[start:end]))
    return found


def _surnames_labelled_org(
    org_mentions: Sequence[Mention], person_mentions: Sequence[tuple[Mention, str | None]]
) -> list[Mention]:
    """The model often calls a bare surname an organisation ("Baghdadi was killed"): when the word is the
    surname of a full person name in the same article, it is a person mention."""
    surnames = {
        word
        for mention, _ in person_mentions
        for word in parse_name(mention.text).surname_words
        if not parse_name(mention.text).is_partial
    }
    return [
        mention
        for mention in org_mentions
        if len(mention.text.split()) <= 2
        and parse_name(mention.text).is_partial
        and parse_name(mention.text).reference_words
        and parse_name(mention.text).reference_words <= surnames
    ]


def _cluster_persons(mentions: Sequence[tuple[Mention, str | None]]) -> list[_Cluster]:
    """Full names first (by listed id, else by compatible name), then partial mentions join the single
    full-name cluster they fit; with two compatible full names the partial stays on its own (ambiguous)."""
    clusters: list[_Cluster] = []
    partials: list[Mention] = []
    for mention, ruler_id in mentions:
        if parse_name(mention.text).is_partial and ruler_id is None:
            partials.append(mention)
            continue
        person_id = ruler_id or known_person_id(mention.text)
        _join_full(clusters, mention, person_id)
    for mention in partials:
        fitting = [
            c for c in clusters if c.full_names and any(same_person(mention.text, n) for n in c.full_names)
        ]
        if len(fitting) == 1:
            fitting[0].add(mention)
        else:
            # No full name fits: find its listed owner; several fit: ambiguous, so it stays on its own.
            _join_partial(clusters, mention, resolve_listed=not fitting)
    return clusters


def _join_full(clusters: list[_Cluster], mention: Mention, person_id: str | None) -> None:
    """Join the cluster with the same listed id, else the one cluster whose full names are compatible."""
    if person_id is not None:
        for cluster in clusters:
            if cluster.id == person_id:
                cluster.add(mention)
                return
    compatible = [
        cluster
        for cluster in clusters
        if (person_id is None or cluster.id not in _person_names())
        and any(same_person(mention.text, name) for name in cluster.full_names)
    ]
    if len(compatible) == 1:
        cluster = compatible[0]
        cluster.id = person_id or cluster.id
    else:
        cluster = _Cluster(person_id or f"person:{name_slug(mention.text)}", "person")
        clusters.append(cluster)
    cluster.add(mention)


def _join_partial(clusters: list[_Cluster], mention: Mention, resolve_listed: bool) -> None:
    key = name_key(mention.text)
    for cluster in clusters:
        if not cluster.full_names and any(name_key(m.text) == key for m in cluster.mentions):
            cluster.mentions.append(mention)
            return
    listed = known_person_id(mention.text, allow_partial=True) if resolve_listed else None
    person_id = listed or f"person:{name_slug(mention.text)}"
    clusters.append(_Cluster(person_id, "person", [mention]))


def _to_entity(cluster: _Cluster) -> Entity:
    mentions = tuple(sorted(cluster.mentions, key=lambda m: m.start))
    surface = [m.text for m in mentions]
    attributes = dict(cluster.attributes)
    if cluster.type == "group":
        group = groups_by_id()[cluster.id]
        name, resource_aliases = group.name, group.all_names
        if group.parent:
            attributes["parent"] = group.parent
    elif cluster.id in _person_names():
        resource_aliases = _person_names()[cluster.id]
        name = resource_aliases[0]
    else:
        resource_aliases = ()
        name = " ".join(max(surface, key=len).split())
        if cluster.type == "person":
            # An unlisted person's id comes from the fullest name the article gives, not the first mention.
            cluster.id = f"person:{name_slug(max(cluster.full_names or surface, key=len))}"
    aliases = tuple(dict.fromkeys([*surface, *resource_aliases]))
    return Entity(cluster.id, cluster.type, name, aliases, mentions, attributes)


# ------------------------------------------------------------------------------------------------ roles


def _normalise_role(role: str) -> str:
    role = " ".join(role.lower().split())
    return "spokesman" if role.startswith("spokes") else role


def _group_inside(start: int, end: int, group_mentions: Iterable[tuple[Mention, str]]) -> str | None:
    for mention, group_id in group_mentions:
        if start <= mention.start and mention.end <= end:
            return group_id
    return None


def _role_after(text: str, mention: Mention) -> tuple[str, str, int, int] | None:
    """ "Hudhayfah al-Ansari, the new ISIS spokesperson": (role, title, start, end) of the appositive."""
    match = _APPOSITIVE_RE.match(text, mention.end)
    if match is None:
        return None
    appositive = match.group("app")
    role_match = _head_role_match(appositive)
    if role_match is None or len(appositive[: role_match.start()].split()) > _APPOSITIVE_MAX_WORDS_TO_ROLE:
        return None
    app_start = match.start("app")
    title = _title_case_run(appositive) or appositive[: role_match.end()]
    role = _role_head(title, role_match) if title != appositive[: role_match.end()] else role_match.group(0)
    return _normalise_role(role), title.strip(), app_start, app_start + len(title)


# Role words that also work as adjectives: "official spokesman", "chief spokesman" are spokesmen.
_ADJECTIVAL_ROLES = frozenset({"official", "chief"})


def _head_role_match(phrase: str) -> re.Match[str] | None:
    """The first role word of ``phrase``, skipping an adjectival one directly followed by another role word."""
    first = _ROLE_RE.search(phrase)
    if first is None or first.group(0).lower() not in _ADJECTIVAL_ROLES:
        return first
    following = _ROLE_RE.match(phrase, first.end() + 1) if phrase[first.end() : first.end() + 1] == " " else None
    return following or first


def _title_case_run(appositive: str) -> str | None:
    """ "US Deputy Special Envoy For The Global Coalition ... said": the capitalised title, up to "said"."""
    words = appositive.split()
    run: list[str] = []
    for word in words:
        if word[:1].isupper() or (run and word.lower() in _TITLE_CONNECTORS and word[:1].isupper()):
            run.append(word)
        else:
            break
    if len(run) < 2 or not _ROLE_RE.search(" ".join(run)):
        return None
    return appositive[: appositive.index(run[-1]) + len(run[-1])] if run else None


def _role_head(title: str, first_role: re.Match[str]) -> str:
    """From the first role word to the first connector: "Deputy Special Envoy" of "US Deputy ..."."""
    words = title[first_role.start() :].split()
    head: list[str] = []
    for word in words:
        if word.lower() in _TITLE_CONNECTORS:
            break
        head.append(word)
    return " ".join(head)


def _role_before(text: str, mention: Mention) -> tuple[str, str, int, int] | None:
    """The role word right before the name: "the militant group's official spokesman, Abi al-Hassan ..."."""
    window_start = max(0, mention.start - 80)
    before = text[window_start : mention.start]
    match = _ROLE_BEFORE_RE.search(before)
    if match is None:
        return None
    phrase_start, phrase_end = window_start + match.start(), window_start + match.end("role")
    role_start = window_start + match.start("role")
    compound = re.search(r"[\w’']+(?:-[\w’']+)*-$", text[max(0, role_start - 30) : role_start])
    if compound:  # "Secretary-General": the role is the whole hyphenated title, not "General"
        role_start -= len(compound.group(0))
        phrase_start = min(phrase_start, role_start)
    return _normalise_role(text[role_start:phrase_end]), text[phrase_start:phrase_end], phrase_start, phrase_end


def _person_roles(
    text: str, mentions: Sequence[Mention], group_mentions: Sequence[tuple[Mention, str]]
) -> dict[str, str]:
    for mention in sorted(mentions, key=lambda m: m.start):
        found = _role_after(text, mention) or _role_before(text, mention)
        if found is None:
            continue
        role, title, start, end = found
        attributes = {"role": role}
        if title and title.lower() != role:
            attributes["title"] = title
        group_id = _group_inside(start, end, group_mentions)
        if group_id:
            attributes["group"] = group_id
        return attributes
    return {}
