"""Every kind of SOURCE ``incitewatch ingest`` accepts, routed to the reader that understands it.

* ``http(s)://`` URL → fetched; a feed (by Content-Type or by sniffing its first bytes) is expanded into its
  items (full-content items as they are, teasers by fetching their links), an OPML into its feeds;
* ``.warc``/``.arc`` (``.gz`` or not) → the archived pages;
* ``.json``/``.jsonl``/``.ndjson``/``.csv``/``.tsv`` (``.gz`` or not) → one document per record (a ``.json``
  file that is a JSON Feed is read as a feed);
* ``.opml`` → the feeds it lists; ``.xml``/``.rss``/``.atom``/``.rdf`` → a feed file;
* anything else (text, HTML, ``-`` for stdin) → one document per file.

Folders are walked recursively (name order, hidden entries skipped, symlinked folders inside the walk not
followed) and each file found is routed by the same rules. Problems are yielded as :class:`InputError`.
"""

from __future__ import annotations

import dataclasses
import gzip
import re
import stat
import tempfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from incitewatch.errors import InputError
from incitewatch.ingest.feeds import fetch_items as feed_items_documents
from incitewatch.ingest.feeds import parse_feed, parse_opml
from incitewatch.ingest.fetch import SafeFetcher
from incitewatch.ingest.files import STDIN_NAME, iter_raw_documents, too_large_reason
from incitewatch.ingest.records import iter_records
from incitewatch.ingest.warc import iter_warc
from incitewatch.types import RawDocument

# Fetches one URL or raises InputError; a SafeFetcher's ``fetch`` is one.
Fetch = Callable[[str], RawDocument]
Fetcher = SafeFetcher | Fetch

ARCHIVE_SUFFIXES: tuple[str, ...] = (".warc", ".warc.gz", ".arc", ".arc.gz")
RECORD_SUFFIXES: tuple[str, ...] = (".json", ".jsonl", ".ndjson", ".csv", ".tsv")
FEED_SUFFIXES: tuple[str, ...] = (".xml", ".rss", ".atom", ".rdf")
OPML_SUFFIXES: tuple[str, ...] = (".opml",)
FEED_MEDIA_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"}
)
# Media types whose bytes may be a feed or an OPML without saying so; sniffed.
_SNIFFED_MEDIA_TYPES = frozenset({"text/xml", "application/xml", "application/json", "text/plain"})
_HEAD_BYTES = 4096
# The root element of an XML document, after an optional declaration, comments, PIs and a DOCTYPE.
_XML_ROOT = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<\?[^>]*>\s*|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>\s*)*"
    rb"<(?P<root>rss|feed|rdf:RDF|opml)\b",
    re.DOTALL | re.IGNORECASE,
)
_JSON_FEED = re.compile(rb'"version"\s*:\s*"https?://jsonfeed\.org/version/')
# A decompressed record file may be this many times the per-document cap: it holds many documents.
_RECORD_FILE_FACTOR = 100


def iter_sources(
    specs: Sequence[str | Path],
    *,
    max_bytes: int,
    fetcher: Fetcher | None = None,
    records_mapping: Mapping[str, str] | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[RawDocument | InputError]:
    """Every document of every SOURCE, in order; ``fetcher`` is needed only for URLs and feed teasers."""
    router = _Router(max_bytes, _fetch_function(fetcher), records_mapping, stdin)
    for spec in specs:
        yield from router.route(spec)


def is_url(spec: str | Path) -> bool:
    return isinstance(spec, str) and spec[:8].lower().startswith(("http://", "https://"))


def sniff_kind(data: bytes, media_type: str | None) -> str | None:
    """What fetched bytes are: "feed", "opml" or None (a page), by media type and first bytes."""
    declared = (media_type or "").split(";", 1)[0].strip().lower()
    head = data[:_HEAD_BYTES].lstrip(b"\xef\xbb\xbf")
    match = _XML_ROOT.match(head)
    root = match.group("root").lower() if match else None
    if root == b"opml":
        return "opml"
    if declared in FEED_MEDIA_TYPES:
        return "feed"
    sniffable = declared in _SNIFFED_MEDIA_TYPES or not declared
    looks_like_feed = root is not None or (head.lstrip()[:1] == b"{" and _JSON_FEED.search(head) is not None)
    return "feed" if sniffable and looks_like_feed else None


def _fetch_function(fetcher: Fetcher | None) -> Fetch:
    if fetcher is None:
        return _no_fetching
    return fetcher.fetch if isinstance(fetcher, SafeFetcher) else fetcher


def _no_fetching(url: str) -> RawDocument:
    raise InputError(url, "fetching URLs is not enabled here")


def _suffix_of(name: str, suffixes: tuple[str, ...]) -> str | None:
    lowered = name.lower()
    return next((suffix for suffix in sorted(suffixes, key=len, reverse=True) if lowered.endswith(suffix)), None)


class _Router:
    def __init__(self, max_bytes: int, fetch: Fetch, mapping: Mapping[str, str] | None, stdin: BinaryIO | None) -> None:
        self.max_bytes = max_bytes
        self.fetch = fetch
        self.mapping = mapping
        self.stdin = stdin

    def route(self, spec: str | Path) -> Iterator[RawDocument | InputError]:
        if is_url(spec):
            yield from self.url(str(spec))
        elif str(spec) == STDIN_NAME:
            yield from iter_raw_documents([STDIN_NAME], max_bytes=self.max_bytes, stdin=self.stdin)
        else:
            yield from self.path(Path(spec), str(spec), explicit=True)

    # --- URLs ---

    def url(self, url: str) -> Iterator[RawDocument | InputError]:
        try:
            document = self.fetch(url)
        except InputError as err:
            yield err
            return
        kind = sniff_kind(document.data, document.media_type)
        if kind == "feed":
            yield from self.feed(document.data, document.uri)
        elif kind == "opml":
            yield from self.opml(document.data, document.uri)
        else:
            yield document

    def feed(self, data: bytes, name: str) -> Iterator[RawDocument | InputError]:
        try:
            items = parse_feed(data, name)
        except InputError as err:
            yield err
            return
        yield from feed_items_documents(items, self.fetch)

    def opml(self, data: bytes, name: str) -> Iterator[RawDocument | InputError]:
        try:
            feed_urls = parse_opml(data, name)
        except InputError as err:
            yield err
            return
        for feed_url in feed_urls:
            yield from self.url(feed_url)

    # --- local paths ---

    def path(self, path: Path, name: str, *, explicit: bool) -> Iterator[RawDocument | InputError]:
        try:
            info = path.stat()
        except OSError:
            # files.py words the error (no such file, permission denied) as every other file error is worded.
            yield from iter_raw_documents([name], max_bytes=self.max_bytes)
            return
        if stat.S_ISDIR(info.st_mode):
            if explicit or not path.is_symlink():  # a link loop inside a walk cannot recurse forever
                yield from self.folder(path, name)
        elif stat.S_ISREG(info.st_mode):
            yield from self.file(path, name)
        else:
            yield InputError(name, "not a regular file or folder")

    def folder(self, folder: Path, name: str) -> Iterator[RawDocument | InputError]:
        try:
            entries = sorted(entry.name for entry in folder.iterdir() if not entry.name.startswith("."))
        except OSError as exc:
            yield InputError(name, f"cannot list folder: {(exc.strerror or str(exc)).lower()}")
            return
        for entry in entries:
            yield from self.path(folder / entry, f"{name.rstrip('/')}/{entry}", explicit=False)

    def file(self, path: Path, name: str) -> Iterator[RawDocument | InputError]:
        if _suffix_of(name, ARCHIVE_SUFFIXES):
            yield from iter_warc(path, max_bytes=self.max_bytes)
        elif suffix := _suffix_of(name, tuple(s + ".gz" for s in RECORD_SUFFIXES)):
            yield from self.gzipped_records(path, name, suffix.removesuffix(".gz"))
        elif _suffix_of(name, RECORD_SUFFIXES):
            yield from self.records_or_json_feed(path, name)
        elif _suffix_of(name, OPML_SUFFIXES):
            yield from self.small_file(path, name, self.opml)
        elif _suffix_of(name, FEED_SUFFIXES):
            yield from self.small_file(path, name, self.feed_file)
        else:
            yield from iter_raw_documents([name], max_bytes=self.max_bytes)

    def feed_file(self, data: bytes, name: str) -> Iterator[RawDocument | InputError]:
        # An .xml file may hold an OPML as well as a feed; what it is decides, not its name.
        if sniff_kind(data, None) == "opml":
            yield from self.opml(data, name)
        else:
            yield from self.feed(data, name)

    def records_or_json_feed(self, path: Path, name: str) -> Iterator[RawDocument | InputError]:
        if name.lower().endswith(".json") and self._is_json_feed(path):
            yield from self.small_file(path, name, self.feed)
        else:
            yield from self.records(path)

    @staticmethod
    def _is_json_feed(path: Path) -> bool:
        try:
            with path.open("rb") as handle:
                head = handle.read(_HEAD_BYTES)
        except OSError:
            return False
        return sniff_kind(head, "application/json") == "feed"

    def records(self, path: Path) -> Iterator[RawDocument | InputError]:
        yield from iter_records(path, self.mapping)

    def small_file(
        self, path: Path, name: str, read: Callable[[bytes, str], Iterator[RawDocument | InputError]]
    ) -> Iterator[RawDocument | InputError]:
        """Feeds and OPML are parsed whole, so they must fit the per-document cap."""
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                yield InputError(name, too_large_reason(size, self.max_bytes))
                return
            data = path.read_bytes()
        except OSError as exc:
            yield InputError(name, f"cannot read: {(exc.strerror or str(exc)).lower()}")
            return
        # Relative links in a local feed have no base; the file's URI names it in errors and documents.
        yield from read(data, path.absolute().as_uri())

    def gzipped_records(self, path: Path, name: str, inner_suffix: str) -> Iterator[RawDocument | InputError]:
        """Records read from a decompressed temporary copy; locators and URIs name the .gz file."""
        limit = self.max_bytes * _RECORD_FILE_FACTOR
        with tempfile.TemporaryDirectory(prefix="incitewatch-records-") as folder:
            copy = Path(folder) / f"records{inner_suffix}"
            problem = _gunzip(path, copy, limit)
            if problem is not None:
                yield InputError(name, problem)
                return
            for item in iter_records(copy, self.mapping):
                yield _renamed(item, str(copy), name)


def _gunzip(source: Path, target: Path, limit: int) -> str | None:
    """Decompress ``source`` into ``target``; the reason it could not, or None."""
    try:
        with gzip.open(source, "rb") as compressed, target.open("wb") as plain:
            copied = 0
            while chunk := compressed.read(1024 * 1024):
                copied += len(chunk)
                if copied > limit:
                    return f"decompresses to more than {limit} bytes"
                plain.write(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        return f"cannot decompress: {exc}"
    return None


def _renamed(item: RawDocument | InputError, temporary: str, name: str) -> RawDocument | InputError:
    if isinstance(item, InputError):
        return InputError(item.input_name.replace(temporary, name, 1), item.reason.replace(temporary, name))
    if item.uri.startswith(temporary):
        return dataclasses.replace(item, uri=name + item.uri[len(temporary) :])
    return item


__all__ = ["Fetch", "Fetcher", "is_url", "iter_sources", "sniff_kind"]
