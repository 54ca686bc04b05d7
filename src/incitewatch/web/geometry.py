"""Country outlines for the desk's world map: Natural Earth 1:110m (public domain) shipped in
resources/world_countries.json (built by scripts/build_world_map.py), drawn as one SVG path per country.

Rings in the resource are already cut at the antimeridian (each lies within -180..180 degrees), so a flat
projection draws them without streaks across the map.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

Projection = Callable[[float, float], tuple[float, float]]  # (lat, lon) -> (x, y) in the map's viewBox
Ring = tuple[tuple[float, float], ...]  # (lon, lat) points, the closing point left implicit
SHADES = 4  # choropleth classes above "not mentioned"


@dataclass(frozen=True, slots=True)
class CountryShape:
    key: str  # ISO 3166-1 alpha-2, or "x-<name>" for the few Natural Earth countries without an ISO code
    iso: str | None
    name: str
    rings: tuple[Ring, ...]


@dataclass(frozen=True, slots=True)
class CountryPath:
    key: str
    iso: str | None
    name: str
    d: str  # SVG path data: built from the shipped resource only, never from article data


@dataclass(frozen=True, slots=True)
class CountryTally:
    places: int  # distinct places in the country
    mentions: int  # articles per place, summed over the country's places
    shade: int  # 1..SHADES, darker for more mentions


@lru_cache(maxsize=1)
def world_countries() -> tuple[CountryShape, ...]:
    text = resources.files("incitewatch.resources").joinpath("world_countries.json").read_text(encoding="utf-8")
    return tuple(
        CountryShape(
            entry["key"], entry["iso"], entry["name"],
            tuple(tuple((float(lon), float(lat)) for lon, lat in ring) for ring in entry["rings"]),
        )
        for entry in json.loads(text)["countries"]
    )


@lru_cache(maxsize=4)
def country_paths(projection: Projection) -> tuple[CountryPath, ...]:
    """One path per country, projected with ``projection`` (which rounds to tenths of a map unit)."""
    return tuple(
        CountryPath(shape.key, shape.iso, shape.name, " ".join(_ring_path(ring, projection) for ring in shape.rings))
        for shape in world_countries()
    )


def _ring_path(ring: Ring, projection: Projection) -> str:
    """``M x y l dx dy ... z``: relative steps, in whole tenths so that rounding never drifts, keep the page
    light (a world of paths is most of the map's weight)."""
    tenths = [(round(10 * x), round(10 * y)) for x, y in (projection(lat, lon) for lon, lat in ring)]
    x, y = tenths[0]
    steps: list[int] = []
    for next_x, next_y in tenths[1:]:
        if (next_x, next_y) != (x, y):
            steps += [next_x - x, next_y - y]
            x, y = next_x, next_y
    start = f"M{_number(tenths[0][0])} {_number(tenths[0][1])}"
    return f"{start}l{_numbers(steps)}z" if steps else ""


def _number(tenths: int) -> str:
    """A tenth-unit integer as the shortest SVG number: 12 -> "1.2", -3 -> "-.3", 40 -> "4"."""
    whole, fraction = divmod(abs(tenths), 10)
    digits = (str(whole) if whole or not fraction else "") + (f".{fraction}" if fraction else "")
    return f"-{digits}" if tenths < 0 else digits


def _numbers(values: list[int]) -> str:
    """Numbers joined the way SVG path data allows: a minus sign needs no separator before it."""
    out: list[str] = []
    for value in values:
        text = _number(value)
        out.append(text if not out or text.startswith("-") else " " + text)
    return "".join(out)


def tally_by_country(mentions: Iterable[tuple[str | None, int]]) -> dict[str, CountryTally]:
    """Choropleth classes from (ISO alpha-2 country, articles) per place; places without a country are left out.
    The square root keeps one heavily reported country from washing every other one out."""
    places: dict[str, int] = {}
    totals: dict[str, int] = {}
    for country, count in mentions:
        if country:
            key = country.upper()
            places[key] = places.get(key, 0) + 1
            totals[key] = totals.get(key, 0) + count
    largest = max([*totals.values(), 1])
    return {
        key: CountryTally(places[key], total, max(1, math.ceil(SHADES * math.sqrt(max(total, 0) / largest))))
        for key, total in totals.items()
    }
