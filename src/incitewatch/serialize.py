"""The JSON contract ``incitewatch.analysis/1`` (documented in docs/json-contract.md), both directions.

Dicts exist only at this boundary: inside the library everything is a typed dataclass from ``types.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from incitewatch.types import (
    AnalyzedDoc,
    Article,
    Attribution,
    Entity,
    Event,
    Mention,
    Place,
    Quote,
    RoleFiller,
    Span,
    TimeExpr,
)

SCHEMA = "incitewatch.analysis/1"


def _span(start: int, end: int, text: str) -> dict[str, Any]:
    return {"start": start, "end": end, "text": text}


def article_to_dict(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "outlet": article.outlet,
        "author": article.author,
        "published": article.published.isoformat() if article.published else None,
        "language": article.language,
        "text": article.text,
    }


def entity_to_dict(entity: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": entity.id,
        "type": entity.type,
        "name": entity.name,
        "aliases": list(entity.aliases),
        "mentions": [_span(m.start, m.end, m.text) for m in entity.mentions],
    }
    if entity.attributes:
        out["attributes"] = dict(entity.attributes)
    return out


def time_to_dict(t: TimeExpr) -> dict[str, Any]:
    out = {**_span(t.start, t.end, t.text), "value": t.value, "type": t.type}
    if t.begin or t.end_date:
        out["range"] = {"begin": t.begin, "end": t.end_date}
    return out


def place_to_dict(p: Place) -> dict[str, Any]:
    return {
        **_span(p.start, p.end, p.text),
        "id": p.entity_id,
        "name": p.name,
        "geonames_id": p.geonames_id,
        "country": p.country,
        "lat": p.lat,
        "lon": p.lon,
        "kind": p.kind,
    }


def quote_to_dict(q: Quote) -> dict[str, Any]:
    out: dict[str, Any] = {**_span(q.start, q.end, q.text), "speaker": q.speaker}
    if q.cue is not None:
        out["cue"] = _span(q.cue.start, q.cue.end, q.cue.text)
    return out


def attribution_to_dict(a: Attribution) -> dict[str, Any]:
    return {**_span(a.start, a.end, a.text), "source": a.source, "hedge": a.hedge}


def filler_to_dict(f: RoleFiller) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if f.entity is not None:
        out["entity"] = f.entity
    if f.value is not None:
        out["value"] = f.value
    out.update(_span(f.start, f.end, f.text))
    return out


def event_to_dict(e: Event) -> dict[str, Any]:
    return {
        "id": e.id,
        "type": e.type,
        "evidence": _span(e.evidence.start, e.evidence.end, e.evidence.text),
        "roles": {role: [filler_to_dict(f) for f in fillers] for role, fillers in e.roles.items()},
        "time": e.time,
        "verification": e.verification,
        "confidence": round(e.confidence, 3),
        "focus": None if e.focus is None else round(e.focus, 3),
    }


def analysis_to_dict(doc: AnalyzedDoc) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "article": article_to_dict(doc.article),
        "entities": [entity_to_dict(e) for e in doc.entities],
        "times": [time_to_dict(t) for t in doc.times],
        "places": [place_to_dict(p) for p in doc.places],
        "quotes": [quote_to_dict(q) for q in doc.quotes],
        "attributions": [attribution_to_dict(a) for a in doc.attributions],
        "events": [event_to_dict(e) for e in doc.events],
    }


# ---------------------------------------------------------------------------------------------- reading back


def _date_or_none(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _opt_span(d: dict[str, Any] | None) -> Span | None:
    return Span(d["start"], d["end"], d["text"]) if d else None


def analysis_from_dict(d: dict[str, Any]) -> AnalyzedDoc:
    if d.get("schema") != SCHEMA:
        raise ValueError(f"unsupported analysis schema {d.get('schema')!r} (expected {SCHEMA})")
    a = d["article"]
    article = Article(
        id=a["id"],
        text=a["text"],
        title=a.get("title"),
        author=a.get("author"),
        published=_date_or_none(a.get("published")),
        url=a.get("url"),
        outlet=a.get("outlet"),
        language=a.get("language") or "en",
    )
    entities = tuple(
        Entity(
            id=e["id"],
            type=e["type"],
            name=e["name"],
            aliases=tuple(e.get("aliases", ())),
            mentions=tuple(Mention(m["start"], m["end"], m["text"]) for m in e.get("mentions", ())),
            attributes=dict(e.get("attributes", {})),
        )
        for e in d.get("entities", ())
    )
    times = tuple(
        TimeExpr(
            t["start"],
            t["end"],
            t["text"],
            t["value"],
            t.get("type", "DATE"),
            (t.get("range") or {}).get("begin"),
            (t.get("range") or {}).get("end"),
        )
        for t in d.get("times", ())
    )
    places = tuple(
        Place(
            p["start"],
            p["end"],
            p["text"],
            p["id"],
            p["name"],
            p.get("geonames_id"),
            p.get("country"),
            p.get("lat"),
            p.get("lon"),
            p.get("kind", "city"),
        )
        for p in d.get("places", ())
    )
    quotes = tuple(
        Quote(q["start"], q["end"], q["text"], q.get("speaker"), None, _opt_span(q.get("cue")))
        for q in d.get("quotes", ())
    )
    attributions = tuple(
        Attribution(x["start"], x["end"], x["text"], x.get("source"), x.get("hedge"))
        for x in d.get("attributions", ())
    )
    events = tuple(
        Event(
            id=e["id"],
            type=e["type"],
            evidence=Span(e["evidence"]["start"], e["evidence"]["end"], e["evidence"]["text"]),
            roles={
                role: tuple(
                    RoleFiller(f["start"], f["end"], f["text"], f.get("entity"), f.get("value"))
                    for f in fillers
                )
                for role, fillers in e.get("roles", {}).items()
            },
            time=e.get("time"),
            verification=e.get("verification", "confirmed"),
            confidence=e.get("confidence", 0.5),
            focus=e.get("focus"),
        )
        for e in d.get("events", ())
    )
    return AnalyzedDoc(article, entities, times, places, quotes, attributions, events)
