"""Actors across reports: every person and group entity of a stored analysis resolves to one ``Actor`` record.

Names are compared with ``incitewatch.extract.names`` (transliteration-aware keys, kunya vs full name, partial
references). Two full names that disagree (another kunya, another given name) are never merged; a partial
reference ("al-Muhajir") joins a record only when context (group, role, date inside a known role's validity)
singles one candidate out. Groups are keyed by their canonical entity id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from incitewatch.extract.names import name_key, parse_name, same_person
from incitewatch.link.records import Actor, ActorName, ActorRole
from incitewatch.resources import PersonRecord, groups_by_id, load_persons, persons_by_id
from incitewatch.store.links import Features, Profile, ReportRow

KIND = "actor"
ACTOR_TYPES = frozenset({"person", "group"})
MAX_REASONS = 100
MAX_FULL_NAMES = 12  # a record's full names kept for the compatibility test (spelling variants of one man)


@lru_cache(maxsize=1)
def _resource_person_by_key() -> Mapping[str, str]:
    """name key of every listed name and alias -> the listed person's id."""
    index: dict[str, str] = {}
    for person in load_persons():
        for name in person.all_names:
            index.setdefault(name_key(name), person.id)
    return index


def resource_person(entity_id: str, name: str) -> PersonRecord | None:
    """The listed person (resources/persons.json) this entity is, by id or by a listed spelling."""
    listed = persons_by_id()
    if entity_id in listed:
        return listed[entity_id]
    person_id = _resource_person_by_key().get(name_key(name))
    return listed.get(person_id) if person_id else None


def root_group(group_id: str | None) -> str | None:
    """The top of a group's parent chain (ISIS-K -> Islamic State), for compatibility and blocking."""
    seen: set[str] = set()
    groups = groups_by_id()
    while group_id is not None and group_id in groups and group_id not in seen:
        seen.add(group_id)
        parent = groups[group_id].parent
        if parent is None:
            break
        group_id = parent
    return group_id


def _speaker_groups(analysis: Mapping[str, Any]) -> dict[str, str]:
    """person entity id -> group of a release or statement they speak in (context for the person)."""
    out: dict[str, str] = {}
    for event in analysis.get("events", ()):
        roles = event.get("roles", {})
        fillers = [*roles.get("group", ()), *roles.get("organisation", ())]
        groups = [f["entity"] for f in fillers if f.get("entity")]
        for filler in roles.get("speaker", ())[:1]:
            if filler.get("entity") and groups:
                out.setdefault(filler["entity"], groups[0])
    return out


def actor_features(analysis: Mapping[str, Any]) -> list[tuple[str, Features]]:
    """(entity id, features) of every person and group entity of one analysis."""
    published = analysis.get("article", {}).get("published")
    speaker_groups = _speaker_groups(analysis)
    out: list[tuple[str, Features]] = []
    for entity in analysis.get("entities", ()):
        if entity.get("type") not in ACTOR_TYPES:
            continue
        attributes = entity.get("attributes") or {}
        mentions = [m["text"] for m in entity.get("mentions", ())]
        first = entity["mentions"][0] if entity.get("mentions") else None
        features: Features = {
            "type": entity["type"],
            "entity_id": entity["id"],
            "name": entity["name"],
            "mentions": sorted(set(mentions)),
            "role": attributes.get("role"),
            "group": attributes.get("group") or speaker_groups.get(entity["id"]),
            "published": published,
            "evidence": [first["start"], first["end"], first["text"]] if first else None,
        }
        listed = resource_person(entity["id"], entity["name"]) if entity["type"] == "person" else None
        features["resource"] = listed.id if listed else None
        out.append((entity["id"], features))
    return out


# ------------------------------------------------------------------------------------------------ the spec


def _name_words(name: str) -> list[str]:
    parts = parse_name(name)
    words = set(parts.reference_words)
    if parts.kunya:
        words.add("abu " + parts.kunya)
    if parts.given:
        words.add(parts.given[0])
    return sorted(words)


class ActorSpec:
    """How actor reports are compared with actor records (see ``linker.attach``)."""

    kind = KIND
    threshold = 1.5
    # A partial reference that fits two records about equally well stays on its own record.
    ambiguity_margin: float | None = 0.75

    def new_record_id(self, article_id: str, item_id: str, features: Features) -> str:
        return str(features.get("resource") or features["entity_id"])

    def empty_profile(self) -> Profile:
        return {
            "type": None,
            "entity_ids": [],
            "names": {},
            "first_seen": {},
            "full": [],
            "partial": [],
            "resource": None,
            "groups": [],
            "roles": {},
            "first": None,
            "last": None,
            "n": 0,
        }

    def add_to_profile(self, profile: Profile, features: Features) -> Profile:
        profile["type"] = profile["type"] or features["type"]
        profile["n"] += 1
        published = features.get("published")
        _add_unique(profile["entity_ids"], features["entity_id"])
        for name in [features["name"], *features.get("mentions", ())]:
            profile["names"][name] = profile["names"].get(name, 0) + 1
            if published and (profile["first_seen"].get(name) is None or published < profile["first_seen"][name]):
                profile["first_seen"][name] = published
        if features["type"] == "person":
            key = name_key(features["name"])
            target = "partial" if parse_name(features["name"]).is_partial else "full"
            if len(profile[target]) < MAX_FULL_NAMES:
                _add_unique(profile[target], key)
        profile["resource"] = profile["resource"] or features.get("resource")
        if features.get("group"):
            _add_unique(profile["groups"], features["group"])
        if features.get("role") and published:
            first, last = profile["roles"].get(features["role"], [published, published])
            profile["roles"][features["role"]] = [min(first, published), max(last, published)]
        if published:
            profile["first"] = min(profile["first"] or published, published)
            profile["last"] = max(profile["last"] or published, published)
        return profile

    def block_keys(self, features: Features) -> list[str]:
        keys = [f"id:{features['entity_id']}"]
        if features.get("resource"):
            keys.append(f"r:{features['resource']}")
        if features["type"] == "person":
            keys.extend(f"w:{word}" for word in _name_words(features["name"]))
        return keys

    def query_keys(self, features: Features) -> list[str]:
        return self.block_keys(features)

    def first_keys(self, features: Features) -> list[str]:
        """A full name whose exact entity id (same name key) or listed person already has a record goes there;
        partial references always weigh every candidate."""
        if features["type"] == "group":
            return [f"id:{features['entity_id']}"]
        if parse_name(features["name"]).is_partial:
            return []
        keys = [f"id:{features['entity_id']}"]
        return [*keys, f"r:{features['resource']}"] if features.get("resource") else keys

    def score(self, features: Features, profile: Profile) -> tuple[float, list[str]] | None:
        if features["type"] != profile["type"]:
            return None
        if features["type"] == "group":
            return (10.0, ["same group id"]) if features["entity_id"] in profile["entity_ids"] else None
        listed, record_listed = features.get("resource"), profile.get("resource")
        if listed and record_listed and listed != record_listed:
            return None
        names = _name_score(features["name"], profile)
        if names is None:
            return None
        score, reasons = names
        if listed and listed == record_listed:
            score, reasons = score + 2.0, [*reasons, f"listed person {listed}"]
        context_score, context_reasons = _context_score(features, profile)
        return score + context_score, reasons + context_reasons


def _add_unique(values: list[Any], value: Any) -> None:
    if value not in values:
        values.append(value)


def _name_score(name: str, profile: Profile) -> tuple[float, list[str]] | None:
    """Compatible names score; any full name of the record that contradicts this one rules the record out."""
    key = name_key(name)
    full_names: Sequence[str] = profile["full"]
    partial = parse_name(name).is_partial
    if not all(same_person(key, other) for other in full_names):
        return None
    if full_names:
        if key in full_names:
            return 4.0, [f"same name key '{key}'"]
        if partial:
            return 1.5, [f"'{name}' is a partial reference to '{full_names[0]}'"]
        return 3.0, [f"transliteration variant of '{full_names[0]}'"]
    partials: Sequence[str] = profile["partial"]
    if partials and any(same_person(key, other) for other in partials):
        if partial:
            # A record known only by a partial reference attracts weakly: context must still decide.
            return 1.5, [f"same partial reference '{partials[0]}'"]
        return 1.5, [f"full name completing '{partials[0]}'"]
    return None


def _within(day: str, start: str | None, end: str | None) -> bool:
    """Whether an ISO date falls in a role's validity (partial ISO dates compare by their prefix)."""
    after_start = start is None or day[: len(start)] >= start
    before_end = end is None or day[: len(end)] <= end
    return after_start and before_end


def _context_score(features: Features, profile: Profile) -> tuple[float, list[str]]:
    score, reasons = 0.0, list[str]()
    group, role, published = features.get("group"), features.get("role"), features.get("published")
    if group and profile["groups"]:
        if root_group(group) in {root_group(g) for g in profile["groups"]}:
            score, reasons = score + 1.0, [*reasons, f"same group {group}"]
        else:
            score -= 1.0
    if role and role in profile["roles"]:
        score, reasons = score + 0.5, [*reasons, f"same role {role}"]
    listed = persons_by_id().get(profile.get("resource") or "")
    if listed and role and published:
        fits = [r for r in listed.roles if r.role == role and _within(published, r.valid_from, r.valid_to)]
        if fits:
            score, reasons = score + 1.0, [*reasons, f"{role} of {listed.name} on {published} (persons.json)"]
        elif any(r.role == role for r in listed.roles):
            score -= 0.5
        else:
            score -= 1.0
    return score, reasons


# ------------------------------------------------------------------------------------------------ the view


def _roles(profile: Profile) -> tuple[ActorRole, ...]:
    """Roles with dates: the resource's role history where the person is listed, else first/last reports."""
    listed = persons_by_id().get(profile.get("resource") or "")
    roles: list[ActorRole] = []
    if listed:
        roles.extend(
            ActorRole(r.role, r.group, r.valid_from, r.valid_to, f"resource: persons.json ({r.source})")
            for r in listed.roles
        )
    listed_roles = {role.role for role in roles}
    group = profile["groups"][0] if profile["groups"] else None
    for role, (first, last) in sorted(profile["roles"].items()):
        if role not in listed_roles:
            roles.append(ActorRole(role, group, first, last, "reports (first and last report dates)"))
    return tuple(roles)


def build_actor(record_id: str, profile: Profile, reports: Sequence[ReportRow], release_ids: Sequence[str]) -> Actor:
    """The ``Actor`` view of one record from its profile and reports."""
    names = tuple(
        ActorName(name, count, profile["first_seen"].get(name))
        for name, count in sorted(profile["names"].items(), key=lambda item: (-item[1], item[0]))
    )
    full_names = [n.name for n in names if not parse_name(n.name).is_partial] or [n.name for n in names]
    listed = persons_by_id().get(profile.get("resource") or "")
    display = listed.name if listed else (full_names[0] if full_names else record_id)
    merged_from = tuple(sorted({eid for eid in profile["entity_ids"] if eid != record_id}))
    # One line per spelling and reason (not per report: a group may be named in tens of thousands of reports).
    reasons = tuple(dict.fromkeys(f"{r.features['name']}: {r.link_reason}" for r in reports))[:MAX_REASONS]
    return Actor(
        id=record_id,
        type=profile["type"] or "person",
        name=display,
        names=names,
        roles=_roles(profile),
        article_ids=tuple(dict.fromkeys(r.article_id for r in reports)),
        release_ids=tuple(release_ids),
        merged_from=merged_from,
        link_reasons=reasons,
    )
