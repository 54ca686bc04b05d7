"""Packaged reference data (groups, persons) as typed, cached records, and a refresher from official lists.

The JSON files next to this module are data, not code; each names its public sources in a top-level "sources"
field. Loaders read them once (``functools.lru_cache``) and return frozen records, never loose dicts.
"""

from __future__ import annotations

import csv
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from incitewatch.errors import InputError

GROUPS_FILE = "groups.json"
PERSONS_FILE = "persons.json"


@dataclass(frozen=True, slots=True)
class Designation:
    """One public list that designates a group ("US-FTO", "UN-1267", "UK-proscribed", ...)."""

    list: str
    date: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class DatedName:
    """A name a group used between two dates (ISO, possibly partial: "2012", "2016-07")."""

    name: str
    valid_from: str | None = None
    valid_to: str | None = None


@dataclass(frozen=True, slots=True)
class GroupRecord:
    id: str
    name: str
    aliases: tuple[str, ...]
    parent: str | None = None
    ideology: str | None = None
    designations: tuple[Designation, ...] = ()
    name_history: tuple[DatedName, ...] = ()
    # Aliases that are ordinary words in lower case ("the Base", "National Action"): matched by exact case.
    case_sensitive_aliases: tuple[str, ...] = ()

    @property
    def all_names(self) -> tuple[str, ...]:
        """The canonical name, every alias and every historical name, without duplicates, in that order."""
        names = [self.name, *self.aliases, *(h.name for h in self.name_history)]
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True, slots=True)
class PersonRole:
    role: str
    group: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: str
    name: str
    aliases: tuple[str, ...]
    roles: tuple[PersonRole, ...] = ()
    note: str | None = None

    @property
    def all_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([self.name, *self.aliases]))


def _read_packaged_json(filename: str) -> Any:
    return json.loads(resources.files(__name__).joinpath(filename).read_text(encoding="utf-8"))


def optional_packaged_json(filename: str) -> Any | None:
    """A packaged JSON file's content, or None when it is not installed (the learned models are optional)."""
    path = resources.files(__name__).joinpath(filename)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _group_from_json(raw: Mapping[str, Any]) -> GroupRecord:
    return GroupRecord(
        id=raw["id"],
        name=raw["name"],
        aliases=tuple(raw.get("aliases", ())),
        parent=raw.get("parent"),
        ideology=raw.get("ideology"),
        designations=tuple(
            Designation(d["list"], d.get("date"), d.get("note")) for d in raw.get("designations", ())
        ),
        name_history=tuple(
            DatedName(h["name"], h.get("valid_from"), h.get("valid_to")) for h in raw.get("name_history", ())
        ),
        case_sensitive_aliases=tuple(raw.get("case_sensitive_aliases", ())),
    )


def _person_from_json(raw: Mapping[str, Any]) -> PersonRecord:
    roles = tuple(
        PersonRole(r["role"], r.get("group"), r.get("valid_from"), r.get("valid_to"), r.get("source"))
        for r in raw.get("roles", ())
    )
    return PersonRecord(raw["id"], raw["name"], tuple(raw.get("aliases", ())), roles, raw.get("note"))


@lru_cache(maxsize=1)
def load_groups() -> tuple[GroupRecord, ...]:
    """Every group in the packaged groups.json."""
    return tuple(_group_from_json(raw) for raw in _read_packaged_json(GROUPS_FILE)["groups"])


@lru_cache(maxsize=1)
def load_persons() -> tuple[PersonRecord, ...]:
    """Every person in the packaged persons.json."""
    return tuple(_person_from_json(raw) for raw in _read_packaged_json(PERSONS_FILE)["persons"])


@lru_cache(maxsize=1)
def groups_by_id() -> Mapping[str, GroupRecord]:
    return {group.id: group for group in load_groups()}


@lru_cache(maxsize=1)
def persons_by_id() -> Mapping[str, PersonRecord]:
    return {person.id: person for person in load_persons()}


@lru_cache(maxsize=1)
def resource_sources() -> Mapping[str, tuple[str, ...]]:
    """The names of the public sources each resource file cites."""
    return {
        filename: tuple(source["name"] for source in _read_packaged_json(filename)["sources"])
        for filename in (GROUPS_FILE, PERSONS_FILE)
    }


# Refresh group aliases from official designation files a user supplies (OFAC SDN CSVs, UN consolidated XML)

# Aliases naming a group's media arm or front company, not the group itself: an "Amaq" mention is an outlet.
_NON_GROUP_ALIAS = re.compile(
    r"\b(agency|media|foundation|establishment|center|centre|production|news|magazine|bank|company|"
    r"charity|exchange|trust|office|committee|newspaper|radio|tv|television)\b",
    re.IGNORECASE,
)
_MIN_ALIAS_CHARS = 3


@dataclass(frozen=True, slots=True)
class ListedEntity:
    """One entity record of an official list: its reference, primary name and aliases."""

    reference: str  # "OFAC:8759", "UN:QDe.115"
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DesignationRefresh:
    """What refreshing from an official list changed: new aliases per group id, and the updated groups."""

    source: str
    matched: Mapping[str, tuple[str, ...]]  # group id -> list references that matched it
    added: Mapping[str, tuple[str, ...]]  # group id -> aliases added
    skipped: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # group id -> aliases not added, why
    groups: tuple[GroupRecord, ...] = ()

    @property
    def changed(self) -> bool:
        return any(self.added.values())


def alias_match_key(name: str) -> str:
    """A loose key for comparing group names across lists: no case, accents, apostrophes, hyphens or "the"."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"['’‘`ʼʿʾ]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    text = re.sub(r"^the ", "", text)
    return text.replace("qaeda", "qaida")


def _display_case(alias: str) -> str:
    """OFAC writes names in capitals; keep acronyms, title-case the rest with lower-case Arabic articles."""
    alias = alias.strip().strip('"“”')
    if " " not in alias or alias != alias.upper():
        return alias
    words = alias.title().split(" ")
    text = " ".join(words)
    return re.sub(
        r"\b(Al|Ad|Ar|As|Ash|At|Az|An|Wa|Wal|Fi|Of|The|And|In|For|Li|Bi)\b(?=[- ])",
        lambda m: m.group(0).lower(),
        text,
    ).replace("'S ", "'s ")


def _ofac_weak_aliases(remarks: str) -> list[str]:
    # Weak aliases sit in Remarks as a.k.a. 'AQAP'; names may hold apostrophes, so cut at "';" or "'." only.
    return [m.group(1) for m in re.finditer(r"a\.k\.a\. '(.+?)'(?=[;.,]|$)", remarks)]


def _read_ofac(directory: Path) -> Iterator[ListedEntity]:
    sdn_path = directory / "sdn.csv"
    alt_path = directory / "alt.csv"
    aliases: dict[str, list[str]] = {}
    if alt_path.exists():
        with alt_path.open(encoding="utf-8", errors="replace", newline="") as handle:
            for row in csv.reader(handle):
                if len(row) >= 4 and row[3].strip() not in ("", "-0-"):
                    aliases.setdefault(row[0].strip(), []).append(row[3].strip())
    with sdn_path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 12 or row[2].strip() != "-0-":
                continue  # individuals, vessels and aircraft are not groups
            programs = {tag.strip() for tag in row[3].split("] [")}
            if not programs & {"FTO", "SDGT", "SDT"}:
                continue
            weak = _ofac_weak_aliases(row[11]) if row[11].strip() != "-0-" else []
            yield ListedEntity(
                f"OFAC:{row[0].strip()}", row[1].strip(), (*aliases.get(row[0].strip(), ()), *weak)
            )


def _read_un(path: Path) -> Iterator[ListedEntity]:
    from defusedxml import ElementTree

    root = ElementTree.parse(path).getroot()
    for entity in root.iter("ENTITY"):
        reference = (entity.findtext("REFERENCE_NUMBER") or "").strip()
        name = (entity.findtext("FIRST_NAME") or "").strip()
        aliases = tuple(
            text.strip()
            for alias in entity.iter("ENTITY_ALIAS")
            if (text := alias.findtext("ALIAS_NAME")) and text.strip()
        )
        if name:
            yield ListedEntity(f"UN:{reference}", name, aliases)


def read_designation_entities(path: str | Path) -> tuple[ListedEntity, ...]:
    """Entity records of an OFAC SDN folder (sdn.csv + alt.csv) or a UN consolidated list XML file."""
    source = Path(path)
    if source.is_dir():
        if (source / "sdn.csv").exists():
            return tuple(_read_ofac(source))
        if (source / "consolidated.xml").exists():
            return tuple(_read_un(source / "consolidated.xml"))
    elif source.name.lower().endswith(".xml"):
        return tuple(_read_un(source))
    elif source.name.lower() == "sdn.csv":
        return tuple(_read_ofac(source.parent))
    raise InputError(
        str(source), "not an OFAC SDN folder/sdn.csv or a UN consolidated .xml; pass one of those"
    )


def _strip_acronym_suffix(name: str) -> str:
    # UN writes "AL-QAIDA IN THE ARABIAN PENINSULA (AQAP)": match on the name without the bracket.
    return re.sub(r"\s*\([^)]*\)\s*$", "", name)


def _match_groups(
    listed: Iterable[ListedEntity], groups: tuple[GroupRecord, ...]
) -> dict[str, list[ListedEntity]]:
    """Listed entities whose primary name equals a group's name or alias (an alias alone is not unique)."""
    key_to_group: dict[str, str] = {}
    for group in groups:
        for name in group.all_names:
            key_to_group.setdefault(alias_match_key(name), group.id)
    matches: dict[str, list[ListedEntity]] = {}
    for entity in listed:
        group_id = key_to_group.get(alias_match_key(_strip_acronym_suffix(entity.name)))
        if group_id is not None:
            matches.setdefault(group_id, []).append(entity)
    return matches


def refresh_groups_from_designations(
    path: str | Path, groups: tuple[GroupRecord, ...] | None = None
) -> DesignationRefresh:
    """Add the aliases an official list gives for groups we know; report what changed.

    Only records whose *primary* name matches one of our group names are used, because list aliases collide
    (OFAC lists "Ansar Allah" under Hizballah). An alias already used by another group, shorter than three
    characters, or naming a media arm or company, is reported under ``skipped`` instead of being added.
    """
    current = groups if groups is not None else load_groups()
    listed = read_designation_entities(path)
    owner: dict[str, str] = {}
    for group in current:
        for name in group.all_names:
            owner.setdefault(alias_match_key(name), group.id)
    matched: dict[str, tuple[str, ...]] = {}
    added: dict[str, tuple[str, ...]] = {}
    skipped: dict[str, tuple[str, ...]] = {}
    for group_id, entities in _match_groups(listed, current).items():
        matched[group_id] = tuple(entity.reference for entity in entities)
        new, rejected = _new_aliases(group_id, entities, owner)
        if new:
            added[group_id] = tuple(new)
        if rejected:
            skipped[group_id] = tuple(rejected)
    updated = tuple(
        replace(group, aliases=(*group.aliases, *added[group.id])) if group.id in added else group
        for group in current
    )
    return DesignationRefresh(str(path), matched, added, skipped, updated)


# One ordinary word, as the lists give for translated nicknames ("the Youth", "The Sentinels"): as an entity-ruler
# pattern it would tag everyday text as the group. Acronyms (all capitals) are not ordinary words.
_GENERIC_ALIAS = re.compile(r"^(?:[Tt]he\s+)?[A-Z]?[a-z]+$")


def _new_aliases(
    group_id: str, entities: list[ListedEntity], owner: dict[str, str]
) -> tuple[list[str], list[str]]:
    new: list[str] = []
    rejected: list[str] = []
    for entity in entities:
        for raw in (entity.name, *entity.aliases):
            alias = _display_case(_strip_acronym_suffix(raw))
            key = alias_match_key(alias)
            if not key or owner.get(key) == group_id:
                continue
            if key in owner:
                rejected.append(f"{alias} (alias of {owner[key]})")
            elif len(key.replace(" ", "")) < _MIN_ALIAS_CHARS or _NON_GROUP_ALIAS.search(alias):
                rejected.append(f"{alias} (too short, or names a media arm or company)")
            elif _GENERIC_ALIAS.match(alias):
                rejected.append(f"{alias} (an ordinary word: would match everyday text)")
            else:
                new.append(alias)
                owner[key] = group_id
    return new, rejected


def groups_to_json(groups: Iterable[GroupRecord]) -> list[dict[str, Any]]:
    """Groups in the groups.json shape, for writing a refreshed copy."""
    return [
        {
            "id": group.id,
            "name": group.name,
            "aliases": list(group.aliases),
            "parent": group.parent,
            "ideology": group.ideology,
            "designations": [{"list": d.list, "date": d.date, "note": d.note} for d in group.designations],
            "name_history": [
                {"name": h.name, "valid_from": h.valid_from, "valid_to": h.valid_to}
                for h in group.name_history
            ],
            "case_sensitive_aliases": list(group.case_sensitive_aliases),
        }
        for group in groups
    ]


def packaged_groups_path() -> Path:
    """Where the packaged groups.json lives (in a checkout or editable install: the source tree)."""
    return Path(str(resources.files(__name__).joinpath(GROUPS_FILE)))


def write_refreshed_groups(
    refreshes: Sequence[DesignationRefresh], destination: Path, *, refreshed_on: date, base: Path | None = None
) -> int:
    """Write ``base`` (default: the packaged groups.json) to ``destination`` with the aliases the refreshes
    added, naming each list file as a source; returns how many aliases were added.

    Everything else in the file (its other sources, group order, designations, notes) is kept as it is. The file
    is replaced atomically, so a reader never sees half of it.
    """
    raw = json.loads((base or packaged_groups_path()).read_text(encoding="utf-8"))
    added_by_group: dict[str, list[str]] = {}
    for refresh in refreshes:
        for group_id, aliases in refresh.added.items():
            added_by_group.setdefault(group_id, []).extend(aliases)
    added = 0
    for group in raw["groups"]:
        known = {alias_match_key(name) for name in (group["name"], *group.get("aliases", ()))}
        for alias in added_by_group.get(group["id"], ()):
            if alias_match_key(alias) not in known:
                group.setdefault("aliases", []).append(alias)
                known.add(alias_match_key(alias))
                added += 1
    for refresh in refreshes:
        raw["sources"].append({
            "id": f"refresh:{Path(refresh.source).name}",
            "name": f"Aliases added on {refreshed_on.isoformat()} from the official list file {refresh.source}",
        })
    temporary = destination.with_name(destination.name + ".tmp")
    temporary.write_text(json.dumps(raw, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, destination)
    return added


def groups_from_file(path: Path) -> tuple[GroupRecord, ...]:
    """The groups of a groups.json-shaped file (a refreshed copy, say), read like the packaged one."""
    return tuple(_group_from_json(raw) for raw in json.loads(path.read_text(encoding="utf-8"))["groups"])
