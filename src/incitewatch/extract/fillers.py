"""Tidy the plain-phrase role fillers of events: the words a noun-phrase reading drags in that are no part of the
thing named.

Rules and the learned role stage read fillers off noun chunks, and in case-less or wire text the tagger often
runs a chunk on into a time adverb ("terrorists tonight bombed", "a dynamite charge today exploded"), keeps the
tail of a hedge ("least 10 buses" out of "at least 10 buses") or names a victim through the crime ("bernardo
jaramillo ossa's murder"). The filler keeps its place in the canonical text; only its span shrinks. Entity fillers
are left alone: their spans are the entity's mentions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from incitewatch.types import Event, RoleFiller

# Roles whose fillers are noun phrases naming people or things.
PHRASE_ROLES = frozenset({"perpetrator", "target", "victim", "method"})

_TRAILING_TIME = re.compile(
    r"(?:\s+(?:today|tonight|yesterday|this\s+(?:morning|afternoon|evening)|last\s+night|earlier|recently))+$",
    re.IGNORECASE,
)
_LEADING_HEDGE = re.compile(r"^(?:at\s+)?least\s+", re.IGNORECASE)
_CRIME_OF = re.compile(r"['’]s?\s+(?:murder|killing|assassination|death|kidnapping|abduction|slaying)$", re.IGNORECASE)


def tidy_span(text: str, start: int, end: int, role: str) -> tuple[int, int]:
    """The span [start, end) of ``text`` less the words that name no part of the filler."""
    phrase = text[start:end]
    trailing = _TRAILING_TIME.search(phrase)
    if trailing and trailing.start() > 0:
        end = start + trailing.start()
    leading = _LEADING_HEDGE.match(text[start:end])
    if leading and leading.end() < end - start:
        start += leading.end()
    crime = _CRIME_OF.search(text[start:end]) if role == "victim" else None
    if crime and crime.start() > 0:
        end = start + crime.start()
    return start, end


def tidy_fillers(events: Iterable[Event], text: str) -> tuple[Event, ...]:
    """The events with their plain-phrase fillers tidied (see the module docstring)."""
    return tuple(_tidied(event, text) for event in events)


def _tidied(event: Event, text: str) -> Event:
    roles: dict[str, tuple[RoleFiller, ...]] = {}
    changed = False
    for role, fillers in event.roles.items():
        if role not in PHRASE_ROLES:
            roles[role] = fillers
            continue
        tidied = _one_per_span(_tidy_filler(f, text, role) for f in fillers)
        changed = changed or tidied != fillers
        roles[role] = tidied
    return replace(event, roles=roles) if changed else event


def _one_per_span(fillers: Iterable[RoleFiller]) -> tuple[RoleFiller, ...]:
    """Two fillers tidied to one span ("candidate luis carlos galan" and "luis carlos galan") are one filler: the
    first, unless a later one links an entity."""
    kept: dict[tuple[int, int], RoleFiller] = {}
    for filler in fillers:
        span = (filler.start, filler.end)
        if span not in kept or (filler.entity is not None and kept[span].entity is None):
            kept[span] = filler
    return tuple(kept.values())


def _tidy_filler(filler: RoleFiller, text: str, role: str) -> RoleFiller:
    if filler.entity is not None:
        return filler
    start, end = tidy_span(text, filler.start, filler.end, role)
    if (start, end) == (filler.start, filler.end):
        return filler
    phrase = text[start:end]
    # A value that only repeats the phrase (as written, or lower-cased for perpetrators) follows it; a label
    # ("explosives") stays.
    value = filler.value
    if value == filler.text:
        value = phrase
    elif value == filler.text.lower():
        value = phrase.lower()
    return RoleFiller(start, end, phrase, None, value)
