"""HTML → main text and metadata with trafilatura (one parse for both)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from trafilatura import bare_extraction
from trafilatura.settings import Document

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HtmlExtraction:
    """The main text of a page (trafilatura's txt output) and the metadata found in its markup."""

    text: str
    title: str | None = None
    author: str | None = None
    published: date | None = None
    sitename: str | None = None
    url: str | None = None


def extract_html(html: str, url: str | None = None) -> HtmlExtraction | None:
    """Main text and metadata of an HTML page, or None when trafilatura finds no article text.

    ``bare_extraction`` with ``output_format="python"`` renders the body exactly as ``extract(...,
    output_format="txt")`` does, and with ``with_metadata`` also runs ``extract_metadata`` on the same tree.
    trafilatura parses with lxml's HTML parser (no DTD loading, no network, no entity expansion from files).
    """
    try:
        document = bare_extraction(
            html,
            url=url,
            favor_precision=True,
            include_comments=False,
            include_tables=True,
            with_metadata=True,
            output_format="python",
        )
    except Exception as exc:  # untrusted markup can trip any corner of lxml/trafilatura: report, never crash
        LOGGER.warning("trafilatura failed on %s: %s", url, exc)
        return None
    if not isinstance(document, Document) or not (document.text or "").strip():
        return None
    return HtmlExtraction(
        text=document.text or "",
        title=_clean_field(document.title),
        author=_clean_field(document.author),
        published=_iso_date(document.date),
        sitename=_clean_field(document.sitename),
        url=_clean_field(document.url),
    )


def _clean_field(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _iso_date(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
