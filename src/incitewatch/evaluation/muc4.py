"""Reader for MUC-4 as processed by Du et al. (2021) for GTT, plus loaders for published system outputs.

The gold lives in ``muc4/processed/{train,dev,test}.json`` (JSON Lines): ``docid``, lower-cased ``doctext``
and ``templates``; each template has ``incident_type`` and five role slots whose entities are lists of
coreferent ``[mention, char_offset]`` pairs. Document ids are kept in their raw form (``TST3-MUC4-0001``);
GTT's numeric ids (``30001``) are converted with :func:`raw_doc_id`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incitewatch.evaluation import MUC4_ROLES, Entity, PredictedTemplate

MUC4_SPLITS: tuple[str, ...] = ("train", "dev", "test")


@dataclass(frozen=True, slots=True)
class GoldMention:
    text: str
    offset: int


@dataclass(frozen=True, slots=True)
class GoldTemplate:
    incident_type: str
    roles: dict[str, tuple[tuple[GoldMention, ...], ...]]


@dataclass(frozen=True, slots=True)
class MucDocument:
    doc_id: str
    text: str
    templates: tuple[GoldTemplate, ...]


def load_muc4(root: Path, split: str = "test") -> list[MucDocument]:
    """Read one split from ``root`` (the ``muc4`` data folder), in file order."""
    if split not in MUC4_SPLITS:
        raise ValueError(f"unknown MUC-4 split {split!r}; expected one of {MUC4_SPLITS}")
    path = root / "processed" / f"{split}.json"
    with path.open(encoding="utf-8") as handle:
        return [_parse_document(json.loads(line)) for line in handle if line.strip()]


def _parse_document(record: Mapping[str, Any]) -> MucDocument:
    templates = tuple(_parse_template(raw) for raw in record["templates"])
    return MucDocument(doc_id=record["docid"], text=record["doctext"], templates=templates)


def _parse_template(raw: Mapping[str, Any]) -> GoldTemplate:
    roles = {
        role: tuple(
            tuple(GoldMention(text=mention, offset=int(offset)) for mention, offset in entity)
            for entity in raw.get(role, [])
        )
        for role in MUC4_ROLES
    }
    return GoldTemplate(incident_type=raw["incident_type"], roles=roles)


def gold_for_scoring(document: MucDocument) -> list[PredictedTemplate]:
    """The gold templates the way GTT's ``eval.py`` prepares them before scoring.

    Offsets are dropped, entities left without mentions are dropped, and templates that become identical are
    kept once (209 test templates become 201). String normalisation happens later, in the scorer, so templates
    differing only in punctuation stay distinct, exactly as in GTT.
    """
    kept: list[PredictedTemplate] = []
    for template in document.templates:
        roles = {
            role: tuple(tuple(m.text for m in entity) for entity in template.roles[role] if entity)
            for role in MUC4_ROLES
        }
        candidate = PredictedTemplate(incident_type=template.incident_type, roles=roles)
        if candidate not in kept:
            kept.append(candidate)
    return kept


def gold_by_doc(documents: Iterable[MucDocument]) -> dict[str, list[PredictedTemplate]]:
    return {doc.doc_id: gold_for_scoring(doc) for doc in documents}


def raw_doc_id(numeric_id: str) -> str:
    """GTT's numeric id (``30001`` = test set 3, document 1) back to the MUC id ``TST3-MUC4-0001``.

    Only the TST3/TST4 ids are unambiguous (GTT's id drops the MUC3/MUC4 distinction), which is all the
    published test outputs use.
    """
    number = int(numeric_id)
    test_set, doc_number = divmod(number, 10000)
    if test_set not in (3, 4):
        raise ValueError(f"cannot map GTT id {numeric_id!r} back to a MUC-4 test document")
    return f"TST{test_set}-MUC4-{doc_number:04d}"


def load_gtt_predictions(path: Path) -> dict[str, list[PredictedTemplate]]:
    """Read GTT's ``preds_gtt.out`` (one JSON object keyed by numeric doc id; ``pred_templates`` per doc)."""
    with path.open(encoding="utf-8") as handle:
        outputs = json.load(handle)
    return {
        raw_doc_id(numeric_id): [_template_from_json(t) for t in value["pred_templates"]]
        for numeric_id, value in outputs.items()
    }


def load_iterx_predictions(path: Path) -> dict[str, list[PredictedTemplate]]:
    """Read IterX's ``preds.test.jsonlines``: one line per (document, incident type), concatenated per doc.

    Role names are accepted in GTT spelling or lower-case, as IterX's own loader does.
    """
    by_doc: dict[str, list[PredictedTemplate]] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            ((doc_id, templates),) = json.loads(line).items()
            by_doc.setdefault(doc_id, []).extend(_template_from_json(t) for t in templates)
    return by_doc


def _template_from_json(raw: Mapping[str, Any]) -> PredictedTemplate:
    incident_type = raw.get("incident_type")
    roles: dict[str, tuple[Entity, ...]] = {}
    for role in MUC4_ROLES:
        entities: Sequence[Sequence[str]] = raw.get(role, raw.get(role.lower(), []))
        roles[role] = tuple(tuple(entity) for entity in entities)
    # GTT replaces a non-string incident type (a decoding failure) by "attack"; keep that rule here.
    return PredictedTemplate(
        incident_type=incident_type if isinstance(incident_type, str) else "attack", roles=roles
    )
