"""Compiled views of ``resources/event_lexicon.json``: phrase matchers that return spans in the canonical text."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class LexiconHit:
    start: int
    end: int
    text: str
    label: str  # the category (method name, medium, channel id, target label) or the phrase itself


class PhraseLexicon:
    """Whole-word, case-insensitive phrase matching; longer phrases win where phrases overlap."""

    def __init__(self, phrases_by_label: Mapping[str, list[str]]) -> None:
        self._label_of: dict[str, str] = {}
        for label, phrases in phrases_by_label.items():
            for phrase in phrases:
                self._label_of.setdefault(phrase.lower(), label)
        alternatives = sorted(self._label_of, key=len, reverse=True)
        body = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in alternatives) if alternatives else "(?!)"
        self._pattern = re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)

    def finditer(self, text: str, start: int = 0, end: int | None = None) -> Iterator[LexiconHit]:
        stop = len(text) if end is None else end
        for match in self._pattern.finditer(text, start, stop):
            key = re.sub(r"\s+", " ", match.group(0).lower())
            yield LexiconHit(match.start(), match.end(), match.group(0), self._label_of[key])

    def first(self, text: str, start: int = 0, end: int | None = None) -> LexiconHit | None:
        return next(self.finditer(text, start, end), None)

    def fullmatch(self, text: str) -> bool:
        """Whether the whole of ``text`` is one of the phrases."""
        return self._pattern.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class EventLexicon:
    methods: PhraseLexicon
    media: PhraseLexicon
    release_nouns: PhraseLexicon
    release_verbs: PhraseLexicon
    call_verbs: PhraseLexicon
    call_objects: PhraseLexicon
    targets: PhraseLexicon
    attack_nouns: PhraseLexicon
    attack_verbs: PhraseLexicon  # with the ones below
    attack_verbs_needing_attacker: frozenset[str]  # attack verbs only with an attacker as their subject
    perpetrator_nouns: PhraseLexicon
    perpetrator_groups: PhraseLexicon  # armed organisations found as perpetrators in text without capitals too
    arrest_words: PhraseLexicon
    statement_verbs: PhraseLexicon


def _flat(words: list[str]) -> dict[str, list[str]]:
    return {word: [word] for word in words}


@lru_cache(maxsize=1)
def event_lexicon() -> EventLexicon:
    raw: dict[str, Any] = json.loads(
        resources.files("incitewatch.resources").joinpath("event_lexicon.json").read_text("utf-8")
    )
    return EventLexicon(
        methods=PhraseLexicon(raw["methods"]),
        media=PhraseLexicon(raw["media"]),
        release_nouns=PhraseLexicon(_flat(raw["release_nouns"])),
        release_verbs=PhraseLexicon(_flat(raw["release_verbs"])),
        call_verbs=PhraseLexicon(_flat(raw["call_verbs"])),
        call_objects=PhraseLexicon(_flat(raw["call_objects"])),
        targets=PhraseLexicon(raw["targets"]),
        attack_nouns=PhraseLexicon(_flat(raw["attack_nouns"])),
        attack_verbs=PhraseLexicon(_flat([*raw["attack_verbs"], *raw["attack_verbs_needing_attacker"]])),
        attack_verbs_needing_attacker=frozenset(raw["attack_verbs_needing_attacker"]),
        perpetrator_nouns=PhraseLexicon(_flat(raw["perpetrator_nouns"])),
        perpetrator_groups=PhraseLexicon(_flat(raw.get("perpetrator_groups", []))),
        arrest_words=PhraseLexicon(_flat(raw["arrest_words"])),
        statement_verbs=PhraseLexicon(_flat(raw["statement_verbs"])),
    )
