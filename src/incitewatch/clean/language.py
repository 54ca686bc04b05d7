"""Offline language identification of an article's canonical text (py3langid and its bundled model).

Policy, because the analysis rules are English-only and a wrong "not English" silently drops a report:

- Texts with fewer than :data:`MIN_LETTERS_TO_TELL` letters are too short to tell reliably. If they are
  written mostly in Latin letters they are labelled ``"en"`` (the pipeline's language: a short English alert
  must still be analysed); otherwise the script alone is decisive enough and the model is asked anyway.
- Longer texts get the model's label, except that a non-English label with a probability below
  :data:`MIN_CONFIDENCE` falls back to ``"en"`` (mixed texts: English reports quoting Arabic or French).
- Only the first :data:`SAMPLE_CHARS` characters are read: enough for a stable answer, bounded cost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

ENGLISH = "en"
MIN_LETTERS_TO_TELL = 40
MIN_CONFIDENCE = 0.8
SAMPLE_CHARS = 1000
_LETTER = re.compile(r"[^\W\d_]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str  # ISO 639-1 code as py3langid labels it ("en", "fr", "ar")
    confidence: float  # the model's normalised probability; 0.0 when the text was too short to ask
    reason: str  # why this label: "model", "too short: assumed English", "low confidence: assumed English"


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    # Built once per process from the model file shipped inside the py3langid wheel: no download.
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _letter_counts(text: str) -> tuple[int, int]:
    """(letters, Latin letters): ASCII and Latin-1/Extended-A/B letters count as Latin."""
    return len(_LETTER.findall(text)), len(_LATIN_LETTER.findall(text))


def detect_language(text: str) -> LanguageGuess:
    """The language of ``text`` following the module's policy (never raises, never returns an empty code)."""
    sample = text[:SAMPLE_CHARS]
    letters, latin = _letter_counts(sample)
    if letters == 0:
        return LanguageGuess(ENGLISH, 0.0, "no letters: assumed English")
    if letters < MIN_LETTERS_TO_TELL and latin * 2 >= letters:
        return LanguageGuess(ENGLISH, 0.0, "too short to tell: assumed English")
    language, confidence = _identifier().classify(sample)
    if language != ENGLISH and confidence < MIN_CONFIDENCE and latin * 2 >= letters:
        return LanguageGuess(ENGLISH, confidence, f"low confidence for {language}: assumed English")
    return LanguageGuess(language, confidence, "model")
