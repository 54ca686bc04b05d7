"""Triage: a fast first pass deciding whether a text concerns terrorism, extremism or political violence.

A linear scorer over hand-chosen terms (``resources/triage_lexicon.json``): the text is lower-cased (MUC-style
all-lower-case and all-upper-case texts score like mixed-case ones), split into ASCII words by one compiled
regex, and each distinct word's term is looked up once (prefix terms such as ``terror*`` are expanded per
distinct word and memoised). Consecutive-word phrases ("car bomb", "heart attack") add their own weight.
Score = sum of weight * f(min(occurrences, max_count)) per term + length_weight * log(1 + max(words,
length_floor)), where f is log(1 + n) (``"saturation": "log"``: the first mention counts most, repeats in a
long feature article add little) or the identity (``"cap"``). The length term (fitted, negative) keeps long
everyday articles, which mention "police", "shot" or "attack" somewhere, from outscoring short wire reports;
the floor keeps a short text with no such terms from scoring high merely for being short. The terms and their
prior weights are chosen by hand; ``scripts/train_triage.py`` fits the weights (logistic regression shrunk
towards the priors, its strength chosen by cross-validation on the tuning data) and the threshold;
``scripts/triage_eval.py`` measures recall on MUC-4 and false positives on everyday news. No model file, no
spaCy: millions of words per second, so everything is triaged and only the relevant few percent go through the
costly analysis.

Figures (``.venv/bin/python scripts/triage_eval.py``; MUC-4 train and the even-position news half tune, the
rest is reported): MUC-4 recall train 0.999, dev 0.983, test 0.984; everyday-news false positives 1.6 % on the
tuning half, 1.6 % on the held-out half (7/428), 1.6 % overall; about 2 M words/s on one core.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import MappingProxyType

LEXICON_FILE = "triage_lexicon.json"
_WORD = re.compile(r"[a-z]+")
_TOP_TERMS_IN_REASON = 5
SATURATIONS = ("cap", "log")
# Memoised prefix expansions per scorer: bounded so a stream of odd tokens cannot grow memory without end.
_MAX_MEMO = 200_000


@dataclass(frozen=True, slots=True)
class TriageLexicon:
    """Weights by term as written in the JSON: ``"bomb"`` (a word), ``"terror*"`` (words starting with
    "terror"), ``"car bomb"`` (two consecutive words)."""

    weights: Mapping[str, float]
    threshold: float
    max_count: int
    saturation: str = "cap"  # "cap": weight * capped count; "log": weight * log(1 + capped count)
    length_weight: float = 0.0  # times log(1 + number of words)
    length_floor: int = 0  # shorter texts count as this long, so brevity alone never makes a text relevant

    def length_value(self, words: int) -> float:
        return math.log1p(max(words, self.length_floor))

    def term_value(self, count: int) -> float:
        """What ``count`` occurrences of one term are worth, before its weight."""
        capped = min(count, self.max_count)
        return math.log1p(capped) if self.saturation == "log" else float(capped)

    @property
    def words(self) -> frozenset[str]:
        return frozenset(term for term in self.weights if " " not in term and not term.endswith("*"))

    @property
    def prefixes(self) -> frozenset[str]:
        return frozenset(term[:-1] for term in self.weights if term.endswith("*"))

    @property
    def phrases(self) -> frozenset[tuple[str, str]]:
        pairs = (term.split() for term in self.weights if " " in term)
        return frozenset((pair[0], pair[1]) for pair in pairs)


@dataclass(frozen=True, slots=True)
class TriageResult:
    relevant: bool
    score: float
    threshold: float
    top_terms: tuple[str, ...]  # the heaviest contributing terms, for the reason

    @property
    def reason(self) -> str:
        terms = ", ".join(self.top_terms) if self.top_terms else "no terrorism or political-violence terms"
        verdict = "relevant" if self.relevant else "not relevant"
        comparison = ">=" if self.relevant else "<"
        return f"{verdict}: score {self.score:.1f} {comparison} {self.threshold:g} ({terms})"


def parse_lexicon(data: Mapping[str, object]) -> TriageLexicon:
    """Build a lexicon from the JSON layout of ``triage_lexicon.json`` (also used by tests and tuning)."""
    weights: dict[str, float] = {}
    for section in ("terms", "phrases"):
        entries = data.get(section, {})
        if not isinstance(entries, Mapping):
            raise ValueError(f"triage lexicon: {section!r} must be an object")
        for term, weight in entries.items():
            if section == "phrases" and len(term.split()) != 2:
                raise ValueError(f"triage lexicon: phrase {term!r} must be two words")
            weights[term] = float(weight)
    threshold = data["threshold"]
    max_count = data["max_count"]
    saturation = data.get("saturation", "cap")
    length_weight = data.get("length_weight", 0.0)
    length_floor = data.get("length_floor", 0)
    if not isinstance(threshold, int | float) or not isinstance(max_count, int):
        raise ValueError("triage lexicon: 'threshold' must be a number and 'max_count' an integer")
    if saturation not in SATURATIONS or not isinstance(length_weight, int | float):
        raise ValueError(f"triage lexicon: 'saturation' must be one of {SATURATIONS}, 'length_weight' a number")
    if not isinstance(length_floor, int):
        raise ValueError("triage lexicon: 'length_floor' must be an integer")
    return TriageLexicon(
        MappingProxyType(weights),
        float(threshold),
        max_count,
        str(saturation),
        float(length_weight),
        length_floor,
    )


@lru_cache(maxsize=1)
def load_lexicon() -> TriageLexicon:
    text = resources.files("incitewatch.resources").joinpath(LEXICON_FILE).read_text(encoding="utf-8")
    return parse_lexicon(json.loads(text))


class TriageScorer:
    """Scores texts against one lexicon. Reuse one instance: it memoises the term of each distinct word."""

    def __init__(self, lexicon: TriageLexicon | None = None) -> None:
        self.lexicon = lexicon or load_lexicon()
        self._words = self.lexicon.words
        self._prefixes = self.lexicon.prefixes
        self._phrases = self.lexicon.phrases
        self._phrase_starters = frozenset(first for first, _ in self._phrases)
        self._prefix_lengths = sorted({len(prefix) for prefix in self._prefixes})
        self._terms: dict[str, str | None] = {}

    def _term(self, word: str) -> str | None:
        """The lexicon term a word counts for: itself when listed, else its longest listed prefix."""
        if word in self._terms:
            return self._terms[word]
        term: str | None = word if word in self._words else None
        if term is None:
            for length in self._prefix_lengths:
                if length > len(word):
                    break
                if word[:length] in self._prefixes:
                    term = word[:length] + "*"
        if len(self._terms) >= _MAX_MEMO:
            self._terms.clear()
        self._terms[word] = term
        return term

    def features_and_length(self, text: str) -> tuple[Counter[str], int]:
        """Term occurrences (uncapped) and the number of words: the scorer's only view of a text."""
        words = _WORD.findall(text.lower())
        found: Counter[str] = Counter()
        for word, count in Counter(words).items():
            term = self._term(word)
            if term is not None:
                found[term] += count
        starters = self._phrase_starters
        for index, word in enumerate(words[:-1]):
            if word in starters and (word, words[index + 1]) in self._phrases:
                found[f"{word} {words[index + 1]}"] += 1
        return found, len(words)

    def score(self, text: str) -> TriageResult:
        lexicon = self.lexicon
        weights = lexicon.weights
        found, length = self.features_and_length(text)
        contributions = {term: weights[term] * lexicon.term_value(count) for term, count in found.items()}
        total = sum(contributions.values()) + lexicon.length_weight * lexicon.length_value(length)
        top = sorted((c for c in contributions.items() if c[1] > 0), key=lambda item: (-item[1], item[0]))
        return TriageResult(
            relevant=total >= self.lexicon.threshold,
            score=total,
            threshold=self.lexicon.threshold,
            top_terms=tuple(term for term, _ in top[:_TOP_TERMS_IN_REASON]),
        )


def triage(text: str, scorer: TriageScorer | None = None) -> TriageResult:
    """Convenience wrapper; pass a long-lived scorer when triaging many texts."""
    return (scorer or TriageScorer()).score(text)
