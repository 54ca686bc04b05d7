"""incitewatch: evidence-linked records from news reports about terrorist propaganda.

The public API: ``analyze`` one text, or build a ``Pipeline`` once and reuse it; ``open_store`` for persistence.
Imports are lazy so that ``import incitewatch`` loads no model and opens nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "AnalyzedDoc",
    "Article",
    "Attribution",
    "Entity",
    "Event",
    "IncitewatchError",
    "InputError",
    "Mention",
    "Pipeline",
    "PipelineOptions",
    "Place",
    "Quote",
    "RawDocument",
    "RoleFiller",
    "Span",
    "Store",
    "TimeExpr",
    "analysis_to_dict",
    "analyze",
    "open_store",
]

_LOCATIONS = {
    "analyze": "incitewatch.pipeline",
    "Pipeline": "incitewatch.pipeline",
    "PipelineOptions": "incitewatch.pipeline",
    "Store": "incitewatch.store",
    "open_store": "incitewatch.store",
    "analysis_to_dict": "incitewatch.serialize",
    "InputError": "incitewatch.errors",
    "IncitewatchError": "incitewatch.errors",
}

if TYPE_CHECKING:
    from incitewatch.errors import IncitewatchError, InputError
    from incitewatch.pipeline import Pipeline, PipelineOptions, analyze
    from incitewatch.serialize import analysis_to_dict
    from incitewatch.store import Store, open_store
    from incitewatch.types import (
        AnalyzedDoc,
        Article,
        Attribution,
        Entity,
        Event,
        Mention,
        Place,
        Quote,
        RawDocument,
        RoleFiller,
        Span,
        TimeExpr,
    )


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LOCATIONS:
        return getattr(importlib.import_module(_LOCATIONS[name]), name)
    if name in __all__:
        return getattr(importlib.import_module("incitewatch.types"), name)
    raise AttributeError(f"module 'incitewatch' has no attribute {name!r}")
