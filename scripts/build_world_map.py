"""Write resources/world_countries.json: country outlines for the desk's world map, from Natural Earth via world-atlas.

The source is ``countries-110m.json`` of the npm package world-atlas 2.0.2 (ISC licence), a TopoJSON redistribution
of Natural Earth 4.1.0 Admin 0 countries at 1:110m (public domain). Fetch and check it by hand, once, at dev time:

    curl -sO https://registry.npmjs.org/world-atlas/-/world-atlas-2.0.2.tgz
    sha1sum world-atlas-2.0.2.tgz   # 4bca4a578f3a413bd409c3f07f2054fe7375824f
    tar xzf world-atlas-2.0.2.tgz package/countries-110m.json
    .venv/bin/python scripts/build_world_map.py package/countries-110m.json

The script decodes the topology (quantized, delta-encoded arcs; ``~i`` for an arc walked backwards), stitches each
country's rings, maps the ISO 3166-1 numeric id to alpha-2 with pycountry, and rounds every point to a tenth of a
degree: finer than one pixel of the desk's 720-pixel-wide map, and it keeps the file small.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import pycountry

OUT = Path(__file__).resolve().parents[1] / "src" / "incitewatch" / "resources" / "world_countries.json"
DECIMALS = 1  # 0.1 degree
SOURCES = [
    "Natural Earth 4.1.0, Admin 0 countries, 1:110m (https://www.naturalearthdata.com, public domain),",
    "as redistributed in TopoJSON by the npm package world-atlas 2.0.2 (ISC licence, Copyright 2013-2019 Michael",
    "Bostock): https://registry.npmjs.org/world-atlas/-/world-atlas-2.0.2.tgz,",
    "sha1 4bca4a578f3a413bd409c3f07f2054fe7375824f, file package/countries-110m.json.",
    "Country ids are ISO 3166-1 numeric, mapped to alpha-2 with pycountry; features without an ISO code",
    "(Kosovo, N. Cyprus, Somaliland) keep Natural Earth's name under an 'x-' key.",
    "Regenerate: .venv/bin/python scripts/build_world_map.py package/countries-110m.json",
]

Point = tuple[int, int]  # quantized TopoJSON coordinates
Degrees = tuple[float, float]  # lon, lat


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Undo the delta encoding of every arc; positions stay quantized integers until the very end."""
    arcs = []
    for encoded in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in encoded:
            x, y = x + dx, y + dy
            points.append((x, y))
        arcs.append(points)
    return arcs


def stitch_ring(arc_indexes: list[int], arcs: list[list[Point]]) -> list[Point]:
    """One closed ring from its arcs; ``~i`` (that is, -i-1) walks arc i backwards. Consecutive arcs share an
    end point, which is kept once."""
    ring: list[Point] = []
    for index in arc_indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points[1:] if ring else points)
    return ring


def geometry_rings(geometry: dict[str, Any], arcs: list[list[Point]]) -> list[list[Point]]:
    if geometry["type"] == "Polygon":
        polygons = [geometry["arcs"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        raise ValueError(f"unexpected geometry type {geometry['type']!r}")
    return [stitch_ring(ring, arcs) for polygon in polygons for ring in polygon]


def to_degrees(ring: list[Point], transform: dict[str, list[float]]) -> list[Degrees]:
    (scale_x, scale_y), (shift_x, shift_y) = transform["scale"], transform["translate"]
    return [(x * scale_x + shift_x, y * scale_y + shift_y) for x, y in ring]


def unwrap(ring: list[Degrees]) -> list[Degrees]:
    """Shift longitudes by whole turns so that no step is longer than half a turn: world-atlas rings are meant for
    a spherical renderer and step straight from 180 to -180 (Fiji, Chukotka), which a flat map would draw as a
    streak across the world. A ring that goes once around a pole (Antarctica) is closed along that pole."""
    unwrapped = [ring[0]]
    for lon, lat in ring[1:]:
        previous = unwrapped[-1][0]
        unwrapped.append((lon + 360.0 * round((previous - lon) / 360.0), lat))
    first_lon, last_lon = unwrapped[0][0], unwrapped[-1][0]
    if abs(first_lon - last_lon) > 180.0:
        pole = -90.0 if sum(lat for _, lat in ring) < 0 else 90.0
        unwrapped += [(last_lon, pole), (first_lon, pole)]
    return unwrapped


def clip(ring: list[Degrees], bound: float, keep_below: bool) -> list[Degrees]:
    """Sutherland-Hodgman against the meridian ``lon = bound``: the part of the ring on one side of it."""
    def inside(point: Degrees) -> bool:
        return point[0] <= bound if keep_below else point[0] >= bound

    clipped: list[Degrees] = []
    for start, end in zip(ring[-1:] + ring[:-1], ring, strict=True):
        if inside(end) != inside(start):
            share = (bound - start[0]) / (end[0] - start[0])
            clipped.append((bound, start[1] + share * (end[1] - start[1])))
        if inside(end):
            clipped.append(end)
    return clipped


def cut_at_antimeridian(ring: list[Degrees]) -> list[list[Degrees]]:
    """The ring as pieces that each lie within -180..180: the unwrapped ring, and its copies a turn to either
    side, each clipped to the map."""
    unwrapped = unwrap(ring)
    pieces = []
    for turn in (-360.0, 0.0, 360.0):
        piece = [(lon + turn, lat) for lon, lat in unwrapped]
        piece = clip(clip(piece, 180.0, keep_below=True), -180.0, keep_below=False)
        if piece:
            pieces.append(piece)
    return pieces


def area(ring: list[list[float]]) -> float:
    """Shoelace area in square degrees: zero for a sliver that clipping laid along the map's edge."""
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def rounded(ring: list[Degrees]) -> list[list[float]]:
    """Lon/lat rounded to DECIMALS, without consecutive repeats and without the closing repeat of the first point
    (the map closes every ring itself)."""
    points: list[list[float]] = []
    for lon, lat in ring:
        point = [round(lon, DECIMALS) + 0.0, round(lat, DECIMALS) + 0.0]  # + 0.0: no -0.0 in the file
        if not points or point != points[-1]:
            points.append(point)
    while len(points) > 1 and points[-1] == points[0]:
        points.pop()
    return points


def country_key(numeric_id: str | None, name: str) -> tuple[str, str | None]:
    """(key, ISO alpha-2): the alpha-2 code where the numeric id is an ISO code, else a stable name-based key."""
    country = pycountry.countries.get(numeric=numeric_id) if numeric_id else None
    if country is not None:
        return country.alpha_2, country.alpha_2
    return "x-" + re.sub(r"[^a-z]+", "-", name.lower()).strip("-"), None


def build(topology: dict[str, Any]) -> dict[str, Any]:
    arcs = decode_arcs(topology)
    countries: dict[str, dict[str, Any]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry["properties"]["name"]
        key, iso = country_key(geometry.get("id"), name)
        rings = [
            rounded(piece)
            for ring in geometry_rings(geometry, arcs)
            for piece in cut_at_antimeridian(to_degrees(ring, topology["transform"]))
        ]
        entry = countries.setdefault(key, {"key": key, "iso": iso, "name": name, "rings": []})
        # A ring that rounding shrank to a line or a point (a speck of an island) would draw nothing.
        entry["rings"].extend(ring for ring in rings if len(ring) >= 3 and area(ring) > 0)
    return {"sources": SOURCES, "countries": sorted(countries.values(), key=lambda entry: entry["key"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, help="world-atlas 2.0.2 countries-110m.json")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    document = build(json.loads(args.source.read_text(encoding="utf-8")))
    # One country per line: diffs of a regenerated file stay readable.
    lines = ",\n".join(json.dumps(entry, separators=(",", ":"), ensure_ascii=False) for entry in document["countries"])
    sources = json.dumps(document["sources"], indent=2, ensure_ascii=False)
    args.out.write_text(f'{{\n"sources": {sources},\n"countries": [\n{lines}\n]}}\n', encoding="utf-8")
    print(f"{args.out}: {len(document['countries'])} countries, {args.out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
