"""Reader for WikiEvents (Li, Ji & Han, NAACL 2021), its KAIROS ontology, coreference and BART-Gen's outputs.

All spans are token offsets into a document's ``tokens`` list, end-exclusive, as in the dataset files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incitewatch.evaluation import PredictedArgument

WIKIEVENTS_SPLITS: tuple[str, ...] = ("dev", "test")
_TEMPLATE_SLOT = re.compile(r"<(arg\d+)>")
_EMPTY_SLOT = "<arg>"


@dataclass(frozen=True, slots=True)
class EntityMention:
    id: str
    start: int
    end: int
    entity_type: str
    text: str


@dataclass(frozen=True, slots=True)
class GoldArgument:
    entity_id: str
    role: str
    text: str


@dataclass(frozen=True, slots=True)
class EventMention:
    id: str
    event_type: str
    trigger_start: int
    trigger_end: int
    trigger_text: str
    arguments: tuple[GoldArgument, ...]


@dataclass(frozen=True, slots=True)
class WikiEventsDocument:
    doc_id: str
    tokens: tuple[str, ...]
    text: str
    entity_mentions: tuple[EntityMention, ...]
    events: tuple[EventMention, ...]

    def entity_span(self, entity_id: str) -> tuple[int, int]:
        """Token span of the first entity mention with this id (the scorer's ``get_entity_span``)."""
        for mention in self.entity_mentions:
            if mention.id == entity_id:
                return mention.start, mention.end
        raise KeyError(f"{self.doc_id}: no entity mention {entity_id!r}")


@dataclass(frozen=True, slots=True)
class EventTemplate:
    """One KAIROS event type: its natural-language template with ``<argN>`` slots and the role per slot."""

    template: str
    roles: tuple[str, ...]

    def role_of_slot(self, slot: str) -> str:
        return self.roles[int(slot.removeprefix("arg")) - 1]


def load_wikievents(root: Path, split: str = "test", informative: bool = False) -> list[WikiEventsDocument]:
    """Read ``{split}.jsonl`` (or ``{split}_info.jsonl``, arguments pointing to informative mentions)."""
    if split not in WIKIEVENTS_SPLITS:
        raise ValueError(f"unknown WikiEvents split {split!r}; expected one of {WIKIEVENTS_SPLITS}")
    path = root / f"{split}{'_info' if informative else ''}.jsonl"
    return [_parse_document(record) for record in _read_jsonl(path)]


def load_coref_clusters(root: Path, split: str = "test") -> dict[str, list[list[str]]]:
    """Coreference clusters (lists of entity-mention ids) per document from ``coref/{split}.jsonlines``."""
    return {
        record["doc_key"]: record["clusters"] for record in _read_jsonl(root / "coref" / f"{split}.jsonlines")
    }


def load_ontology(path: Path) -> dict[str, EventTemplate]:
    with path.open(encoding="utf-8") as handle:
        raw = json.load(handle)
    return {
        event_type: EventTemplate(template=entry["template"], roles=tuple(entry["roles"]))
        for event_type, entry in raw.items()
    }


# The event families of our target figure: attacks and the deaths and injuries they cause.
ATTACK_FAMILIES: tuple[str, ...] = ("Conflict.Attack", "Life.Die", "Life.Injure")


def attack_event_types(ontology: Mapping[str, EventTemplate]) -> frozenset[str]:
    """The ontology's event types in :data:`ATTACK_FAMILIES` (with all their subtypes)."""
    return frozenset(t for t in ontology if ".".join(t.split(".")[:2]) in ATTACK_FAMILIES)


def load_bartgen_predictions(
    path: Path, documents: Sequence[WikiEventsDocument], ontology: Mapping[str, EventTemplate]
) -> list[PredictedArgument]:
    """Turn BART-Gen's filled templates (``predictions.jsonl``) into argument spans, as gen-arg's scorer does.

    The k-th line of a document belongs to its k-th event. Each filler's words are located in the document
    tokens (occurrence closest to the trigger); a filler not found verbatim is split on "and" and each part
    located separately; parts still not found (hallucinations) are dropped. Events whose type has no template
    are skipped, as in the original scorer.
    """
    by_id = {doc.doc_id: doc for doc in documents}
    next_event: dict[str, int] = {}
    arguments: list[PredictedArgument] = []
    for record in _read_jsonl(path):
        doc = by_id[record["doc_key"]]
        index = next_event.get(doc.doc_id, 0)
        next_event[doc.doc_id] = index + 1
        event = doc.events[index]
        if event.event_type not in ontology:
            continue
        fillers = fillers_from_template(record["predicted"], ontology[event.event_type])
        arguments.extend(_locate_fillers(doc, event, fillers))
    return arguments


def fillers_from_template(predicted: str, template: EventTemplate) -> list[tuple[str, list[str]]]:
    """(role, words) pairs read off a generated template by aligning it word by word with its template."""
    template_words = template.template.strip().split()
    predicted_words = predicted.strip().split()
    fillers: list[tuple[str, list[str]]] = []
    t_ptr = p_ptr = 0
    while t_ptr < len(template_words) and p_ptr < len(predicted_words):
        slot = _TEMPLATE_SLOT.match(template_words[t_ptr])
        if slot is None:
            t_ptr += 1
            p_ptr += 1
            continue
        if predicted_words[p_ptr] != _EMPTY_SLOT:
            start = p_ptr
            is_last_slot = t_ptr == len(template_words) - 1
            while p_ptr < len(predicted_words) and (
                is_last_slot or predicted_words[p_ptr] != template_words[t_ptr + 1]
            ):
                p_ptr += 1
            fillers.append((template.role_of_slot(slot.group(1)), predicted_words[start:p_ptr]))
        else:
            p_ptr += 1
        t_ptr += 1
    return fillers


def closest_occurrence(
    words: Sequence[str], tokens: Sequence[str], trigger_start: int, trigger_end: int
) -> tuple[int, int] | None:
    """End-exclusive span of the occurrence of ``words`` closest to the trigger, or None (gen-arg rules)."""
    length = len(words)
    match: tuple[int, int] | None = None
    min_distance = len(tokens)
    for i in range(len(tokens)):
        if list(tokens[i : i + length]) != list(words):
            continue
        distance = abs(trigger_start - i - length) if i < trigger_start else abs(i - trigger_end)
        if distance < min_distance:
            match, min_distance = (i, i + length), distance
    return match


def _locate_fillers(
    doc: WikiEventsDocument, event: EventMention, fillers: Sequence[tuple[str, list[str]]]
) -> Iterator[PredictedArgument]:
    for role, words in fillers:
        for part in _parts_to_locate(doc, event, words):
            span = closest_occurrence(part, doc.tokens, event.trigger_start, event.trigger_end)
            if span is not None:
                yield PredictedArgument(
                    doc_id=doc.doc_id,
                    trigger_start=event.trigger_start,
                    trigger_end=event.trigger_end,
                    role=role,
                    start=span[0],
                    end=span[1],
                )


def _parts_to_locate(doc: WikiEventsDocument, event: EventMention, words: list[str]) -> list[list[str]]:
    """The whole filler if it occurs verbatim, else its "and"-separated parts (a leading "and" is kept)."""
    if closest_occurrence(words, doc.tokens, event.trigger_start, event.trigger_end) is not None:
        return [words]
    parts: list[list[str]] = []
    current: list[str] = []
    for word in words:
        if word == "and" and current:
            parts.append(current)
            current = []
        else:
            current.append(word)
    if current:
        parts.append(current)
    return parts


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _parse_document(record: Mapping[str, Any]) -> WikiEventsDocument:
    mentions = tuple(
        EntityMention(
            id=m["id"], start=m["start"], end=m["end"], entity_type=m["entity_type"], text=m["text"]
        )
        for m in record["entity_mentions"]
    )
    events = tuple(
        EventMention(
            id=e["id"],
            event_type=e["event_type"],
            trigger_start=e["trigger"]["start"],
            trigger_end=e["trigger"]["end"],
            trigger_text=e["trigger"]["text"],
            arguments=tuple(
                GoldArgument(entity_id=a["entity_id"], role=a["role"], text=a["text"]) for a in e["arguments"]
            ),
        )
        for e in record["event_mentions"]
    )
    return WikiEventsDocument(
        doc_id=record["doc_id"],
        tokens=tuple(record["tokens"]),
        text=record["text"],
        entity_mentions=mentions,
        events=events,
    )
