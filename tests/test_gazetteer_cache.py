"""The on-disk gazetteer index: same answers as the in-memory build, and a safe cache protocol."""

from __future__ import annotations

import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from incitewatch.extract import gazetteer_cache, places
from incitewatch.extract.gazetteer_cache import CacheError, IndexData, IndexReader, open_or_build
from incitewatch.extract.places import Context, Gazetteer, GazetteerEntry, NameHit
from tests.shared_paths import SHARED

LGL = SHARED / "data" / "geoparsing" / "lgl.xml"
SEEDS = SHARED / "seeds"

# Used when the LGL corpus is absent, and always: ambiguous cities, curated names, aliases, accents, dots.
PICKED_NAMES = (
    "Paris", "Paris, Texas", "Springfield", "Georgia", "Washington", "Jordan", "Chad", "the Philippines",
    "Syria's", "U.S.", "US", "Ind.", "D.C.", "Mosul", "Raqqa", "Tal Afar", "Khorasan", "the West", "Europe",
    "Middle East", "Sao Paulo", "São Paulo", "Zürich", "Köln", "Cologne", "St. Louis", "Saint Petersburg",
    "Isle of Man", "Trinidad and Tobago", "Ivory Coast", "Côte d'Ivoire", "Bombay", "Mumbai", "Alexandria",
    "Portland", "Birmingham", "Cambridge", "Tripoli", "Homs", "Idlib", "Marawi", "Moscow", "England", "Wales",
    "Kashmir", "Gaza", "West Bank", "Sinai", "Sahel", "Xinjiang", "Nowhereville", "police", "white house",
)  # fmt: skip
CONTEXTS: tuple[frozenset[str], ...] = (
    frozenset(),
    frozenset({"US"}),
    frozenset({"GB"}),
    frozenset({"IQ", "SY"}),
)
SAMPLE_SIZE = 400
SAMPLE_ARTICLES = 25


def _lgl_articles() -> list[ET.Element]:
    if not LGL.exists():
        return []
    return list(ET.parse(LGL).getroot().iter("article"))


def _sample_names() -> list[str]:
    """Every k-th LGL toponym phrase (deterministic), plus the picked names."""
    phrases = sorted({el.text or "" for el in ET.parse(LGL).getroot().iter("phrase")}) if LGL.exists() else []
    step = max(1, len(phrases) // SAMPLE_SIZE)
    return [*phrases[::step], *PICKED_NAMES]


@pytest.fixture(scope="module")
def full() -> Gazetteer:
    """The reference: the in-memory build (the slow part of this module, once)."""
    return places.build_gazetteer()


@pytest.fixture(scope="module")
def cached(full: Gazetteer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gazetteer]:
    """The index written from ``full`` into a fresh directory and read back the way every process reads it."""
    directory = tmp_path_factory.mktemp("gazetteer")
    key = places.gazetteer_fingerprint()
    gazetteer_cache.write_index(gazetteer_cache.index_path(directory, key), places.index_data(full), key)
    yield places.open_cached_gazetteer(directory)


def _by_id(hits: tuple[NameHit, ...] | None) -> dict[str, NameHit]:
    return {hit.entry.entity_id: hit for hit in hits or ()}


def test_index_answers_every_sampled_name_like_the_full_build(full: Gazetteer, cached: Gazetteer) -> None:
    names = _sample_names()
    assert len(names) >= len(PICKED_NAMES)
    for name in names:
        key = places.normalize_name(places._clean_surface(name))
        assert _by_id(cached.by_key.get(key)) == _by_id(full.by_key.get(key)), name
        assert _by_id(cached.scan_by_key.get(key)) == _by_id(full.scan_by_key.get(key)), name
        for countries in CONTEXTS:
            context = places.Context(countries)
            expected = places._best(places._hits_for(name, full), context)
            actual = places._best(places._hits_for(name, cached), context)
            assert actual == expected, (name, countries)


def test_resolutions_through_the_public_api_match(
    full: Gazetteer, cached: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def resolve_all() -> list[tuple[GazetteerEntry | None, Context]]:
        return [
            (places.resolve_toponym(name, countries), places.context_from_names(PICKED_NAMES[:20]))
            for name in _sample_names()
            for countries in CONTEXTS[:2]
        ]

    monkeypatch.setattr(places, "load_gazetteer", lambda: full)
    expected = resolve_all()
    monkeypatch.setattr(places, "load_gazetteer", lambda: cached)
    assert resolve_all() == expected
    assert any(entry is not None for entry, _ in expected)


def test_extracted_places_of_articles_match(
    full: Gazetteer, cached: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [el.findtext("text") or "" for el in _lgl_articles()[:: max(1, 588 // SAMPLE_ARTICLES)]]
    texts += [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    texts.append("FIGHTING IN MOSUL AND RAQQA; the mayor of springfield, illinois, met envoys from the U.S.")
    monkeypatch.setattr(places, "load_gazetteer", lambda: full)
    expected = [places.extract_places(text) for text in texts]
    monkeypatch.setattr(places, "load_gazetteer", lambda: cached)
    assert [places.extract_places(text) for text in texts] == expected
    assert sum(len(found) for found in expected) > 0


def test_index_has_the_same_keys_ids_and_word_sets(full: Gazetteer, cached: Gazetteer) -> None:
    assert len(cached.by_key) == len(full.by_key)
    assert set(cached.scan_by_key) == set(full.scan_by_key)
    assert len(cached.by_entity_id) == len(full.by_entity_id)
    for entity_id in list(full.by_entity_id)[:: max(1, len(full.by_entity_id) // SAMPLE_SIZE)]:
        assert cached.by_entity_id[entity_id] == full.by_entity_id[entity_id]
    assert cached.by_entity_id.get("place:geonames:0") is None
    for name in ("needs_capital", "keep_article", "common_words", "dotted", "stop_words"):
        assert getattr(cached, name) == getattr(full, name), name
    assert cached.stop_words  # the scan needs them without importing spaCy


# ------------------------------------------------------------------------------------------------------------
# Cache protocol, on a tiny index


def _tiny(tag: str = "a") -> IndexData:
    entries = [("place:x:1", f"Alpha {tag}", "city", 1, "XX", None, 1.5, 2, 10, False, False)]
    return IndexData(
        entries=entries,
        hits_by_key={"alpha": [(0, True, None, True)]},
        entry_by_id={"place:x:1": 0},
        scan_keys=["alpha"],
        word_sets={"stop_words": ["the"]},
    )


class _Builder:
    def __init__(self, tag: str = "a", delay: float = 0.0) -> None:
        self.calls = 0
        self.tag = tag
        self.delay = delay

    def __call__(self) -> IndexData:
        self.calls += 1
        time.sleep(self.delay)
        return _tiny(self.tag)


def test_index_is_built_once_then_reused(tmp_path: Path) -> None:
    build = _Builder()
    first = open_or_build("k" * 64, build, tmp_path)
    second = open_or_build("k" * 64, build, tmp_path)
    assert build.calls == 1
    assert first.hits("alpha") == second.hits("alpha") == ((0, True, None, True),)
    assert first.entry(0)[6:8] == (1.5, 2)  # int and float survive as written
    assert isinstance(first.entry(0)[7], int)
    assert first.hits("beta") is None and first.entry_index("place:x:1") == 0
    assert first.scan_keys == frozenset({"alpha"}) and first.word_set("stop_words") == frozenset({"the"})
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")], "temporary files left behind"


def test_corrupt_or_foreign_index_is_rebuilt(tmp_path: Path) -> None:
    key = "c" * 64
    path = gazetteer_cache.index_path(tmp_path, key)
    tmp_path.mkdir(exist_ok=True)
    path.write_bytes(b"not a database at all" * 100)
    build = _Builder()
    assert open_or_build(key, build, tmp_path).hits("alpha") is not None
    assert build.calls == 1
    # A valid file that says it was built for another fingerprint is not trusted either.
    gazetteer_cache.write_index(path, _tiny("old"), "d" * 64)
    with pytest.raises(CacheError):
        IndexReader(path, key)
    reader = open_or_build(key, _Builder("new"), tmp_path)
    assert reader.entry(0)[1] == "Alpha new"


def test_new_fingerprint_gets_a_new_file(tmp_path: Path) -> None:
    open_or_build("1" * 64, _Builder("one"), tmp_path)
    reader = open_or_build("2" * 64, _Builder("two"), tmp_path)
    assert reader.entry(0)[1] == "Alpha two"
    assert len(list(tmp_path.glob("places-*.sqlite3"))) == 2  # the other is recent: left for its process


def test_concurrent_openers_build_once(tmp_path: Path) -> None:
    build = _Builder(delay=0.3)
    readers: list[IndexReader] = []
    threads = [
        threading.Thread(target=lambda: readers.append(open_or_build("t" * 64, build, tmp_path))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert build.calls == 1
    assert [reader.hits("alpha") for reader in readers] == [((0, True, None, True),)] * 3


def test_unwritable_directory_raises_cache_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the directory should be")
    with pytest.raises(CacheError):
        open_or_build("u" * 64, _Builder(), blocker / "cache")


def test_cache_dir_honours_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(gazetteer_cache.CACHE_DIR_ENV, str(tmp_path))
    assert gazetteer_cache.cache_dir() == tmp_path
    monkeypatch.delenv(gazetteer_cache.CACHE_DIR_ENV)
    assert re.search("incitewatch", str(gazetteer_cache.cache_dir()))


def test_fingerprint_changes_with_any_part() -> None:
    base = gazetteer_cache.fingerprint({"a": "1", "b": b"x"})
    assert base == gazetteer_cache.fingerprint({"b": b"x", "a": "1"})
    assert base != gazetteer_cache.fingerprint({"a": "2", "b": b"x"})
    assert base != gazetteer_cache.fingerprint({"a": "1", "b": b"y"})
    assert places.gazetteer_fingerprint() == places.gazetteer_fingerprint()


def test_discard_removes_the_file_for_the_next_process(tmp_path: Path) -> None:
    reader = open_or_build("x" * 64, _Builder(), tmp_path)
    reader.hits("alpha")
    reader.discard()
    assert not reader.path.exists()
    build = _Builder()
    open_or_build("x" * 64, build, tmp_path)
    assert build.calls == 1
