"""The desk's world map: shipped Natural Earth outlines, their SVG paths, and the choropleth of reported places."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from datetime import date
from importlib import resources
from typing import Any

import pycountry
import pytest
from markupsafe import escape

from incitewatch.api import Settings, create_app
from incitewatch.store import SQLiteStore
from incitewatch.types import AnalyzedDoc, Article, Place
from incitewatch.web.geometry import CountryShape, country_paths, tally_by_country, world_countries
from incitewatch.web.pages import MAP_HEIGHT, MAP_WIDTH, project
from tests import test_api

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

HOSTILE_PLACE = "\"><script>alert('place')</script>Lutetia"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_PATH = re.compile(r'<path(?: class="(shade\d)")? d="([^"]+)"><title>([^<]*)</title></path>')
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")


def _shape(key: str) -> CountryShape:
    return next(shape for shape in world_countries() if shape.key == key)


def _inside(lon: float, lat: float, shape: CountryShape) -> bool:
    """Even-odd ray casting over every ring of the country, so holes (Lesotho in South Africa) count as outside."""
    crossings = 0
    for ring in shape.rings:
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
                crossings += 1
    return crossings % 2 == 1


# -- the shipped resource -------------------------------------------------------------------------------------


def test_resource_names_its_public_source() -> None:
    text = resources.files("incitewatch.resources").joinpath("world_countries.json").read_text(encoding="utf-8")
    sources = " ".join(json.loads(text)["sources"])
    assert "Natural Earth 4.1.0" in sources and "public domain" in sources
    assert "world-atlas-2.0.2.tgz" in sources and "4bca4a578f3a413bd409c3f07f2054fe7375824f" in sources
    assert len(text.encode()) <= 150_000


def test_every_country_has_a_valid_iso_code_or_a_fallback_key() -> None:
    shapes = world_countries()
    assert len(shapes) >= 170
    assert len({shape.key for shape in shapes}) == len(shapes)
    for shape in shapes:
        if shape.iso is None:
            assert shape.key.startswith("x-"), shape
        else:
            assert shape.key == shape.iso and pycountry.countries.get(alpha_2=shape.iso) is not None, shape
        assert shape.rings and all(len(ring) >= 3 for ring in shape.rings), shape.key
    assert {"x-kosovo", "x-somaliland"} <= {shape.key for shape in shapes}


@pytest.mark.parametrize(("city", "lon", "lat", "home", "neighbour"), [
    ("Paris", 2.35, 48.86, "FR", "DE"),
    ("Kirkuk", 44.39, 35.47, "IQ", "IR"),
    ("Maseru", 27.48, -29.32, "LS", "ZA"),  # inside South Africa's hole
    ("Anadyr", 177.5, 64.73, "RU", "US"),  # Chukotka, next to the antimeridian cut
])
def test_a_city_falls_inside_its_own_country_only(city: str, lon: float, lat: float, home: str,
                                                 neighbour: str) -> None:
    assert _inside(lon, lat, _shape(home)), city
    assert not _inside(lon, lat, _shape(neighbour)), city


def test_rings_are_cut_at_the_antimeridian() -> None:
    """A step longer than half the map would be drawn as a streak across the world; the only long steps allowed
    run along a pole (the bottom of Antarctica)."""
    for shape in world_countries():
        for ring in shape.rings:
            assert all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in ring), shape.key
            for (lon0, lat0), (lon1, lat1) in zip(ring, ring[1:] + ring[:1], strict=True):
                assert abs(lon1 - lon0) <= 180 or abs(lat0) == abs(lat1) == 90, (shape.key, lon0, lon1)
    chukotka = [ring for ring in _shape("RU").rings if min(lon for lon, _ in ring) < -170]
    assert chukotka  # the part of Russia east of 180 degrees is kept, on the map's left edge


# -- SVG paths --------------------------------------------------------------------------------------------------


def _absolute_points(d: str) -> list[list[tuple[float, float]]]:
    """Undo the compact ``M x y l dx dy ... z`` encoding, ring by ring."""
    rings = []
    for part in re.findall(r"M([^l]+)l([^z]*)z", d):
        x, y = (float(value) for value in _NUMBER.findall(part[0]))
        steps = [float(value) for value in _NUMBER.findall(part[1])]
        points = [(x, y)]
        for dx, dy in zip(steps[::2], steps[1::2], strict=True):
            x, y = x + dx, y + dy
            points.append((x, y))
        rings.append(points)
    return rings


def test_paths_retrace_the_projected_rings() -> None:
    paths = {path.key: path for path in country_paths(project)}
    assert len(paths) == len(world_countries())
    for key in ("FR", "RU", "FJ", "AQ", "x-kosovo"):
        decoded = _absolute_points(paths[key].d)
        assert len(decoded) == len(_shape(key).rings), key
        for points, ring in zip(decoded, _shape(key).rings, strict=True):
            first = project(ring[0][1], ring[0][0])
            assert points[0] == pytest.approx(first) and points[-1] == pytest.approx(project(ring[-1][1], ring[-1][0]))
            assert all(-0.05 <= x <= MAP_WIDTH + 0.05 and -0.05 <= y <= MAP_HEIGHT + 0.05 for x, y in points), key


def test_tally_shades_countries_by_mentions() -> None:
    tallies = tally_by_country([("IQ", 8), ("iq", 1), ("FR", 1), (None, 50), ("SY", 5)])
    assert set(tallies) == {"IQ", "FR", "SY"}  # a place without a country shades nothing
    assert (tallies["IQ"].places, tallies["IQ"].mentions, tallies["IQ"].shade) == (2, 9, 4)
    assert (tallies["FR"].shade, tallies["SY"].shade) == (2, 3)  # square-root classes of 1/9 and 5/9
    assert tally_by_country([]) == {}


# -- the /map page ----------------------------------------------------------------------------------------------


def _hostile_paris_report() -> AnalyzedDoc:
    text = "Police in Paris said the message was shared widely."
    start = text.index("Paris")
    article = Article("a-worldmap0000001", text, "Message shared", None, date(2025, 3, 5), None, "Test Wire")
    place = Place(start, start + 5, "Paris", "place:geonames:2988507", HOSTILE_PLACE, 2988507, "FR", 48.86, 2.35)
    return AnalyzedDoc(article, places=(place,))


@pytest.fixture(scope="module")
def analyst(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Any]]:
    path = tmp_path_factory.mktemp("world") / "world.sqlite"
    test_api.build_desk_store(path)
    store = SQLiteStore(path)
    try:
        test_api.save_reports(store, [_hostile_paris_report()])
    finally:
        store.close()
    with TestClient(create_app(Settings(db_path=path))) as client:
        form = client.get("/login")
        token = _CSRF.search(form.text)
        assert token is not None
        response = client.post("/login", data={"csrf_token": token.group(1), "username": "analyst",
                                               "password": test_api.PASSWORD, "next": "/"}, follow_redirects=False)
        assert response.status_code == 303, response.text
        yield client, test_api


def test_map_draws_every_country_and_shades_the_reported_ones(analyst: tuple[TestClient, Any]) -> None:
    client, _ = analyst
    response = client.get("/map")
    assert response.status_code == 200
    body = response.text
    paths = {title: (shade, d) for shade, d, title in _PATH.findall(body)}
    assert len(paths) == len(world_countries())
    # Kirkuk is in both fixture reports, Paris in one: Iraq is shaded darker than France, Germany not at all.
    assert paths["Iraq (IQ): 1 place, 2 article mentions"][0] == "shade4"
    assert paths["France (FR): 1 place, 1 article mention"][0] in {"shade1", "shade2", "shade3"}
    assert paths["Germany (DE)"][0] == ""
    assert "Natural Earth 1:110m (public domain)" in body
    assert len(response.content) < 150_000  # the page weight the desk can afford inline


def test_map_escapes_a_hostile_place_name(analyst: tuple[TestClient, Any]) -> None:
    client, _ = analyst
    body = client.get("/map").text
    assert HOSTILE_PLACE not in body and "<script>alert" not in body
    assert str(escape(HOSTILE_PLACE)) in body
    # No inline script and no requests elsewhere: the map is all inline SVG from the shipped resource.
    assert re.search(r"<script(?![^>]*src=\"/static/)", body) is None
    assert "http://" not in body.replace("http://www.w3.org/", "") and "https://" not in body
