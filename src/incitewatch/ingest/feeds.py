"""Feeds and feed lists: RSS 2.0 / RSS 1.0 / Atom (feedparser), JSON Feed, OPML → items → RawDocument.

XML from the internet is screened before any parser sees it: a document that declares entities (``<!ENTITY``,
the vehicle of billion-laughs expansion and XXE file/URL reads) is refused with an :class:`InputError`, and
the document is also parsed once by defusedxml, which refuses entity declarations and external references at
the parser level. Feed bytes are handed to feedparser as a stream, never as a string: feedparser treats a
string as a URL or file name to open.
"""

from __future__ import annotations

import dataclasses
import html
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree
import feedparser

from incitewatch.errors import InputError
from incitewatch.types import RawDocument

# Feed content with fewer characters of text than this is treated as a teaser: the article is fetched instead.
FULL_TEXT_MIN_CHARS = 1000
_TEASER_ENDINGS = ("…", "...", "[…]", "[...]", "read more", "continue reading", "read the full story")
_TAG = re.compile(r"<[^>]*>")
_JSON_FEED_VERSION = "https://jsonfeed.org/version/"

# Fetches one URL; ``SafeFetcher.fetch`` fits, and any callable raising InputError does.
Fetch = Callable[[str], RawDocument]


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a feed as the feed declares it; ``content`` is the full body when the feed carries one."""

    title: str | None
    link: str | None
    published: datetime | None
    summary: str | None
    content: str | None
    id: str | None
    content_type: str = "text/html"  # of ``content`` (and ``summary``): "text/html" or "text/plain"
    feed_url: str = ""
    feed_title: str | None = None

    @property
    def body(self) -> str | None:
        """The longest text the feed gives for this item: its content, else its summary."""
        candidates = [text for text in (self.content, self.summary) if text]
        return max(candidates, key=len) if candidates else None


def parse_feed(data: bytes, url: str) -> list[FeedItem]:
    """Parse an RSS, Atom or JSON Feed fetched from ``url`` (relative links resolve against ``url``)."""
    if _looks_like_json(data):
        return _parse_json_feed(data, url)
    _screen_xml(data, url)
    parsed = feedparser.parse(
        io.BytesIO(data),
        response_headers={"content-location": url},
        resolve_relative_uris=True,
        sanitize_html=True,
    )
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        raise InputError(url, f"not an RSS or Atom feed{f' ({problem})' if problem else ''}")
    feed_title = _clean(parsed.feed.get("title"))
    return [_item_from_entry(entry, url, feed_title) for entry in parsed.entries]


def parse_opml(data: bytes, name: str = "opml") -> list[str]:
    """The http(s) feed URLs (``xmlUrl``) listed in an OPML document, in order, without duplicates."""
    _screen_xml(data, name)
    try:
        root = defusedxml.ElementTree.fromstring(data)
    except ParseError as err:
        raise InputError(name, f"not well-formed OPML: {err}") from None
    urls = (_xml_url(outline) for outline in root.iter("outline"))
    return list(dict.fromkeys(url for url in urls if url))


def is_full(item: FeedItem, min_chars: int = FULL_TEXT_MIN_CHARS) -> bool:
    """Whether the feed carries the whole article (long enough, and not cut off with "…" or "Read more")."""
    body = item.body
    if body is None:
        return False
    text = " ".join(html.unescape(_TAG.sub(" ", body)).split())
    return len(text) >= min_chars and not text.lower().endswith(_TEASER_ENDINGS)


def items_to_raw(items: Iterable[FeedItem], min_chars: int = FULL_TEXT_MIN_CHARS) -> Iterator[RawDocument]:
    """RawDocuments for the items whose full text is in the feed; the others need their link fetched."""
    for item in items:
        if is_full(item, min_chars):
            yield _item_document(item)


def fetch_items(
    items: Iterable[FeedItem], fetch: Fetch, min_chars: int = FULL_TEXT_MIN_CHARS
) -> Iterator[RawDocument | InputError]:
    """Every item as a RawDocument: from the feed when full, else by fetching its link (errors yielded)."""
    for item in items:
        if is_full(item, min_chars):
            yield _item_document(item)
        elif item.link is None:
            yield InputError(item.id or item.feed_url, "feed item has neither full content nor a link")
        else:
            try:
                fetched = fetch(item.link)
            except InputError as err:
                yield err
                continue
            yield dataclasses.replace(
                fetched,
                source="feed",
                declared_title=fetched.declared_title or item.title,
                declared_published=fetched.declared_published or _date(item.published),
                declared_outlet=fetched.declared_outlet or item.feed_title,
            )


def _item_document(item: FeedItem) -> RawDocument:
    body = item.body or ""
    return RawDocument(
        data=body.encode("utf-8"),
        uri=item.link or item.id or item.feed_url,
        source="feed",
        media_type=f"{item.content_type}; charset=utf-8",
        declared_published=_date(item.published),
        declared_title=item.title,
        declared_outlet=item.feed_title,
    )


def _date(moment: datetime | None) -> date | None:
    return moment.date() if moment is not None else None


# --- XML screening ---


def _screen_xml(data: bytes, name: str) -> None:
    """Refuse entity declarations before any expanding parser runs; let defusedxml double-check."""
    if any("<!ENTITY" in text.upper() for text in _screening_texts(data)):
        raise InputError(
            name,
            "XML declares entities (<!ENTITY>); refused because entity expansion (billion laughs) and "
            "external entities (XXE) are attacks, and real feeds do not need them",
        )
    try:
        defusedxml.ElementTree.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as err:
        raise InputError(name, f"unsafe XML refused: {err!r}") from None
    except ParseError:
        pass  # not well-formed; feedparser's lenient parser may still read it, and the screen above ran


def _screening_texts(data: bytes) -> list[str]:
    """The document as text in every plausible encoding, so "<!ENTITY" cannot hide in UTF-16 or EBCDIC."""
    head = data[:4]
    texts = [data.decode("latin-1")]  # every ASCII-compatible encoding keeps "<!ENTITY" as these bytes
    encodings = []
    if b"\x00" in head or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encodings = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]
    elif head == b"\x4c\x6f\xa7\x94":  # "<?xm" in EBCDIC
        encodings = ["cp037"]
    for encoding in encodings:
        try:
            texts.append(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    return texts


# --- RSS / Atom ---


def _item_from_entry(entry: Any, feed_url: str, feed_title: str | None) -> FeedItem:
    content, content_type = _entry_content(entry)
    summary = entry.get("summary") or None
    if summary is not None and summary == content:
        summary = None  # feedparser copies Atom content into summary when there is no summary
    return FeedItem(
        title=_clean(entry.get("title")),
        link=_http_url(entry.get("link")),
        published=_struct_time(entry.get("published_parsed") or entry.get("updated_parsed")),
        summary=summary,
        content=content,
        id=entry.get("id") or None,
        content_type=content_type,
        feed_url=feed_url,
        feed_title=feed_title,
    )


def _entry_content(entry: Any) -> tuple[str | None, str]:
    parts = [part for part in entry.get("content", []) if part.get("value")]
    if not parts:
        detail = entry.get("summary_detail") or {}
        return None, "text/plain" if detail.get("type") == "text/plain" else "text/html"
    best = max(parts, key=lambda part: len(part["value"]))
    return best["value"], "text/plain" if best.get("type") == "text/plain" else "text/html"


def _struct_time(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        year, month, day, hour, minute, second = value[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)  # feedparser normalises to UTC
    except (TypeError, ValueError):
        return None


# --- JSON Feed ---


def _looks_like_json(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _parse_json_feed(data: bytes, url: str) -> list[FeedItem]:
    try:
        feed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(url, f"not valid JSON: {err}") from None
    if not isinstance(feed, dict) or not str(feed.get("version", "")).startswith(_JSON_FEED_VERSION):
        raise InputError(url, f"not a JSON Feed (no version starting with {_JSON_FEED_VERSION})")
    items = feed.get("items")
    if not isinstance(items, list):
        raise InputError(url, "JSON Feed has no list of items")
    title = _clean(feed.get("title"))
    return [_json_item(item, url, title) for item in items if isinstance(item, dict)]


def _json_item(item: dict[str, Any], feed_url: str, feed_title: str | None) -> FeedItem:
    link = item.get("url") or item.get("external_url")
    html_body, text_body = _text(item.get("content_html")), _text(item.get("content_text"))
    return FeedItem(
        title=_clean(item.get("title")),
        link=_http_url(urljoin(feed_url, link)) if isinstance(link, str) else None,
        published=_iso_datetime(item.get("date_published") or item.get("date_modified")),
        summary=_text(item.get("summary")),
        content=html_body or text_body,
        id=str(item["id"]) if item.get("id") is not None else None,
        content_type="text/html" if html_body or not text_body else "text/plain",
        feed_url=feed_url,
        feed_title=feed_title,
    )


def _iso_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# --- small helpers ---


def _xml_url(outline: Element) -> str | None:
    for key, value in outline.attrib.items():
        if key.lower() == "xmlurl":
            return _http_url(value.strip())
    return None


def _http_url(value: Any) -> str | None:
    if not isinstance(value, str) or urlsplit(value).scheme.lower() not in ("http", "https"):
        return None
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _clean(value: Any) -> str | None:
    """Whitespace-normalised text, or None for anything empty or not a string."""
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None
