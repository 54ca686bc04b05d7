"""RawDocument → Article: the one canonical text of an article with its title, author, date, url and outlet.

Steps: size/binary/charset checks and normalisation (``decode``), main-text and metadata extraction for HTML
(``html``), boilerplate removal and header/trailer reading for the resulting text (``plaintext``). Bad input
raises ``InputError(raw.uri, reason)`` with a short reason; nothing else is expected to escape.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from incitewatch.clean.decode import (
    decode_document,
    has_markup,
    looks_like_html,
    normalise_text,
    sniff_media_type,
)
from incitewatch.clean.html import HtmlExtraction, extract_html
from incitewatch.clean.plaintext import CleanText, clean_plain_text
from incitewatch.errors import InputError
from incitewatch.types import Article, RawDocument

__all__ = ["article_id", "sniff_media_type", "to_article"]

DEFAULT_MAX_BYTES = 5_000_000
# trafilatura falls back to any text on a page; a few words (a menu entry, "Home") are no article.
MIN_HTML_ARTICLE_WORDS = 5


def to_article(raw: RawDocument, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """The article in ``raw``; raises InputError when the bytes hold no readable article."""
    media_type = sniff_media_type(raw.data, raw.uri, raw.media_type)
    text = decode_document(raw.data, raw.uri, raw.media_type, max_bytes)
    page_url = _http_url(raw.uri)
    extraction: HtmlExtraction | None = None
    if (media_type == "text/html" and has_markup(text)) or looks_like_html(text):
        extraction = extract_html(text, page_url)
        if extraction is None:
            raise InputError(raw.uri, "no article text found in HTML")
        known_title = raw.declared_title or extraction.title
        cleaned = clean_plain_text(normalise_text(extraction.text), known_title=known_title)
        if len(cleaned.text.split()) < MIN_HTML_ARTICLE_WORDS:
            raise InputError(raw.uri, "no article text found in HTML")
    else:
        cleaned = clean_plain_text(text, known_title=raw.declared_title)
    if not cleaned.text.strip():
        raise InputError(raw.uri, "empty input")
    return _assemble(raw, cleaned, extraction, page_url)


def article_id(text: str) -> str:
    """Stable id of a canonical text: the same article read twice gets the same id."""
    return "a-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _assemble(
    raw: RawDocument, cleaned: CleanText, extraction: HtmlExtraction | None, page_url: str | None
) -> Article:
    html = extraction or HtmlExtraction(text="")
    url = page_url or _http_url(html.url)
    return Article(
        id=article_id(cleaned.text),
        text=cleaned.text,
        title=raw.declared_title or html.title or cleaned.title,
        author=html.author or cleaned.author,
        published=raw.declared_published or html.published or cleaned.published,
        url=url,
        outlet=raw.declared_outlet or html.sitename or _domain(url) or cleaned.section,
        raw_sha256=hashlib.sha256(raw.data).hexdigest(),
    )


def _http_url(uri: str | None) -> str | None:
    if not uri:
        return None
    parts = urlsplit(uri)
    return uri if parts.scheme in {"http", "https"} and parts.netloc else None


def _domain(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None
