"""Reader for the geoparsing corpora of Gritta et al. (GeoWebNews, LGL, GeoVirus, TR-News).

The four files use three XML layouts; this reader turns each article into one :class:`GeoDocument` whose gold
toponyms carry character offsets into the article's ``<text>`` and, where annotated, gold coordinates.

The published offsets are not always exact: GeoVirus offsets are mostly one character too high and some
TR-News ones are off by one or two. Where ``text[start:end]`` differs from the annotated name, the nearest
occurrence of the name within :data:`OFFSET_REPAIR_WINDOW` characters is used instead; toponyms that cannot be
located that way (e.g. negative offsets in GWN) are left out and counted in ``GeoDocument.unlocated``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

GEO_CORPORA: dict[str, str] = {
    "gwn": "GWN.xml",
    "lgl": "lgl.xml",
    "geovirus": "GeoVirus.xml",
    "trnews": "TR-News.xml",
}
OFFSET_REPAIR_WINDOW = 5
_ANNOTATION_TAGS = frozenset({"toponym", "location"})


@dataclass(frozen=True, slots=True)
class GoldToponym:
    start: int
    end: int
    name: str
    lat: float | None
    lon: float | None
    geonames_id: str | None = None
    toponym_type: str | None = None  # GWN's pragmatic type (Literal, Associative, Demonym, ...)


@dataclass(frozen=True, slots=True)
class GeoDocument:
    doc_id: str
    text: str
    toponyms: tuple[GoldToponym, ...]
    unlocated: int = 0

    @property
    def geocoded(self) -> tuple[GoldToponym, ...]:
        return tuple(t for t in self.toponyms if t.lat is not None and t.lon is not None)


def load_geoparsing(root: Path, corpus: str) -> list[GeoDocument]:
    """Read one corpus (a key of :data:`GEO_CORPORA`) from ``root`` (the ``geoparsing`` folder)."""
    if corpus not in GEO_CORPORA:
        raise ValueError(f"unknown geoparsing corpus {corpus!r}; expected one of {sorted(GEO_CORPORA)}")
    articles = ElementTree.parse(root / GEO_CORPORA[corpus]).getroot()
    return [_parse_article(article, index) for index, article in enumerate(articles.iter("article"))]


def _parse_article(article: Element, index: int) -> GeoDocument:
    doc_id = article.get("docid") or article.get("file") or str(index)
    text = _child_text(article, "text") or ""
    located: list[GoldToponym] = []
    unlocated = 0
    # Some GeoVirus articles hold more than one <locations> block, so collect annotations anywhere inside.
    for annotation in (e for e in article.iter() if e.tag in _ANNOTATION_TAGS):
        toponym = _parse_toponym(annotation, text)
        if toponym is None:
            unlocated += 1
        else:
            located.append(toponym)
    return GeoDocument(doc_id=doc_id, text=text, toponyms=tuple(located), unlocated=unlocated)


def _parse_toponym(annotation: Element, text: str) -> GoldToponym | None:
    name = _first_text(annotation, ("extractedName", "phrase", "name")) or ""
    span = locate(
        text, name, int(_child_text(annotation, "start") or -1), int(_child_text(annotation, "end") or -1)
    )
    if span is None:
        return None
    gaztag = annotation.find("gaztag")
    coordinate_source = gaztag if gaztag is not None else annotation
    lat = _float_or_none(_first_text(coordinate_source, ("lat", "latitude")))
    lon = _float_or_none(_first_text(coordinate_source, ("lon", "longitude")))
    geonames_id = gaztag.get("geonameid") if gaztag is not None else _child_text(annotation, "geonamesID")
    return GoldToponym(
        start=span[0],
        end=span[1],
        name=name,
        lat=lat,
        lon=lon,
        geonames_id=geonames_id or None,
        toponym_type=_child_text(annotation, "type"),
    )


def locate(text: str, name: str, start: int, end: int) -> tuple[int, int] | None:
    """The annotated span if it holds ``name``, else the nearest occurrence within the repair window."""
    if not name or start < 0:
        return None
    if text[start:end] == name:
        return start, end
    candidates = [
        s
        for s in range(max(0, start - OFFSET_REPAIR_WINDOW), start + OFFSET_REPAIR_WINDOW + 1)
        if text.startswith(name, s)
    ]
    if not candidates:
        return None
    best = min(candidates, key=lambda s: abs(s - start))
    return best, best + len(name)


def _child_text(element: Element, tag: str) -> str | None:
    child = element.find(tag)
    if child is None or child.text is None:
        return None
    return child.text if tag == "text" else child.text.strip()


def _first_text(element: Element, tags: tuple[str, ...]) -> str | None:
    for tag in tags:
        value = _child_text(element, tag)
        if value:
            return value
    return None


def _float_or_none(value: str | None) -> float | None:
    return float(value) if value else None
