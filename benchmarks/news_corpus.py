"""Real news texts for benchmarks: the geoparsing corpora (LGL, GeoWebNews, TR-News, GeoVirus) and MUC-4.

The data lives outside the project (``../shared/data`` by default); nothing is copied into the repository.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from defusedxml import ElementTree

GEOPARSING_FILES = ("lgl.xml", "GWN.xml", "TR-News.xml", "GeoVirus.xml")


def default_data_dir() -> Path:
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


def geoparsing_texts(data_dir: Path) -> Iterator[tuple[str, str]]:
    """(doc id, text) for every article of the geoparsing corpora present under ``data_dir/geoparsing``."""
    for name in GEOPARSING_FILES:
        path = data_dir / "geoparsing" / name
        if not path.exists():
            continue
        root = ElementTree.parse(path).getroot()
        for number, article in enumerate(root.iter("article")):
            text = article.findtext("text") or ""
            if text.strip():
                yield f"{name}:{article.get('docid') or article.get('file') or number}", text


def muc4_texts(data_dir: Path, split: str = "dev") -> Iterator[tuple[str, str]]:
    """(doc id, text) from MUC-4's processed JSON (lower-cased texts), when present."""
    path = data_dir / "muc4" / "processed" / f"{split}.json"
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        first = handle.read(1)
        handle.seek(0)
        records = json.load(handle) if first == "[" else [json.loads(line) for line in handle if line.strip()]
    for record in records:
        text = record.get("doctext") or record.get("text") or ""
        if text:
            yield str(record.get("docid", len(text))), text


def news_texts(data_dir: Path, limit: int) -> list[tuple[str, str]]:
    """Up to ``limit`` real news texts, geoparsing corpora first, then MUC-4 dev."""
    texts: list[tuple[str, str]] = []
    for source in (geoparsing_texts(data_dir), muc4_texts(data_dir)):
        for item in source:
            texts.append(item)
            if len(texts) >= limit:
                return texts
    return texts
