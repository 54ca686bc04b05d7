"""A readable plain-text summary of one analysed article, for the terminal."""

from __future__ import annotations

from collections.abc import Iterable

from incitewatch.types import AnalyzedDoc, Entity, Event, RoleFiller

_EVENT_TITLES = {
    "propaganda_release": "Propaganda release",
    "call_to_action": "Call to action",
    "attack": "Referenced attack",
    "arrest": "Arrest",
    "statement": "Statement",
}
_ROLE_ORDER = (
    "group",
    "speaker",
    "speaker_role",
    "medium",
    "channel",
    "date",
    "occasion",
    "duration",
    "audience",
    "target",
    "place",
    "method",
    "window",
    "killed",
    "wounded",
    "perpetrator",
    "person",
    "by",
    "role",
    "organisation",
)


def _clip(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _filler_label(filler: RoleFiller, names: dict[str, str]) -> str:
    if filler.entity:
        return names.get(filler.entity, filler.entity)
    if filler.value is not None and str(filler.value) != filler.text:
        return f"{filler.value} (“{_clip(filler.text, 40)}”)"
    return _clip(filler.text, 60)


def _event_lines(event: Event, names: dict[str, str]) -> list[str]:
    title = _EVENT_TITLES.get(event.type, event.type)
    head = f"  • {title}  [{event.verification}, confidence {event.confidence:.2f}"
    head += "]" if event.focus is None else f", focus {event.focus:.2f}]"
    if event.time:
        head += f"  time {event.time}"
    lines = [head]
    ordered = sorted(
        event.roles, key=lambda r: _ROLE_ORDER.index(r) if r in _ROLE_ORDER else len(_ROLE_ORDER)
    )
    for role in ordered:
        values = ", ".join(_filler_label(f, names) for f in event.roles[role])
        lines.append(f"      {role:<13} {values}")
    lines.append(
        f"      evidence      [{event.evidence.start}:{event.evidence.end}] “{_clip(event.evidence.text)}”"
    )
    return lines


def _entity_line(entity: Entity) -> str:
    forms = sorted({m.text for m in entity.mentions} - {entity.name})
    extra = f" (as {', '.join(forms)})" if forms else ""
    return f"    {entity.name}{extra}  ‹{entity.id}›"


def _entity_lines(entities: Iterable[Entity]) -> list[str]:
    lines = []
    by_type: dict[str, list[Entity]] = {}
    for entity in entities:
        by_type.setdefault(entity.type, []).append(entity)
    for kind in ("group", "person", "organisation", "outlet", "channel", "place"):
        if kind in by_type:
            lines.append(f"  {kind}s:")
            lines.extend(_entity_line(e) for e in by_type[kind])
    return lines


def render_summary(doc: AnalyzedDoc) -> str:
    article = doc.article
    names = {e.id: e.name for e in doc.entities}
    lines = [f"Article {article.id}"]
    for label, value in (
        ("title", article.title),
        ("author", article.author),
        ("outlet", article.outlet),
        ("published", article.published),
        ("url", article.url),
    ):
        if value:
            lines.append(f"  {label}: {value}")
    lines.append(f"  {len(article.text.split())} words")
    lines.append("")
    lines.append(f"Events ({len(doc.events)}):")
    for event in doc.events:
        lines.extend(_event_lines(event, names))
    lines.append("")
    lines.append("Entities:")
    lines.extend(_entity_lines(doc.entities))
    if doc.times:
        lines.append("")
        lines.append("Times:")
        lines.extend(f"    “{t.text}” → {t.value}" for t in doc.times)
    if doc.quotes:
        lines.append("")
        lines.append("Quotes:")
        for q in doc.quotes:
            lines.append(
                f"    {names.get(q.speaker or '', q.speaker or 'unattributed')}: “{_clip(q.text, 80)}”"
            )
    if doc.attributions:
        lines.append("")
        lines.append("Sources and hedges:")
        for a in doc.attributions:
            source = names.get(a.source or "", a.source or "-")
            lines.append(f"    “{_clip(a.text, 60)}”  source {source}  hedge {a.hedge or '-'}")
    return "\n".join(lines)
