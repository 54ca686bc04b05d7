"""Triage: a fast first pass deciding whether a text concerns terrorism, extremism or political violence.

A linear scorer over hand-chosen terms (``resources/triage_lexicon.json``): the text is lower-cased (MUC-style
all-lower-case and all-upper-case texts score like mixed-case ones), split into ASCII words by one compiled
regex, and each distinct word's term is looked up once (prefix terms such as ``terror*`` are expanded per
distinct word and memoised). Consecutive-word phrases ("car bomb", "heart attack") add their own weight.
Score = sum of weight * min(occurrences, max_count) per term. The terms and their prior weights are chosen
by hand; ``scripts/train_triage.py`` fits the weights (logistic regression shrunk towards the priors) and the
threshold; ``scripts/triage_eval.py`` measures recall on MUC-4 and false positives on everyday news. No model
file, no spaCy: millions of words per second, so everything is triaged and only the relevant few percent go
through the costly analysis.
"""

from __future__ import annotations

import json
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
# Memoised prefix expansions per scorer: bounded so a stream of odd tokens cannot grow memory without end.
_MAX_MEMO = 200_000


@dataclass(frozen=True, slots=True)
class TriageLexicon:
    """Weights by term as written in the JSON: ``"bomb"`` (a word), ``"terror*"`` (words starting with
    "terror"), ``"car bomb"`` (two consecutive words)."""

    weights: Mapping[str, float]
    threshold: float
    max_count: int

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
    if not isinstance(threshold, int | float) or not isinstance(max_count, int):
        raise ValueError("triage lexicon: 'threshold' must be a number and 'max_count' an integer")
    return TriageLexicon(MappingProxyType(weights), float(threshold), max_count)


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

    def features(self, text: str) -> Counter[str]:
        """How often each lexicon term occurs (uncapped); the scorer's only view of a text."""
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
        return found

    def score(self, text: str) -> TriageResult:
        weights = self.lexicon.weights
        cap = self.lexicon.max_count
        contributions = {term: weights[term] * min(count, cap) for term, count in self.features(text).items()}
        total = sum(contributions.values())
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
