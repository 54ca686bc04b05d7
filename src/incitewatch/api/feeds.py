"""The desk's door to the watched feeds (``incitewatch.store.feeds``, tables of migration 0005_feeds).

Should that module be missing (an older or trimmed install), :func:`feed_store` returns None and the admin page
says so instead of failing. Adding and removing feeds is admin-only and audited by the callers.
"""

from __future__ import annotations

import importlib
from typing import Any
from urllib.parse import urlsplit

FEEDS_MODULE = "incitewatch.store.feeds"
MAX_URL = 2000


class FeedUrlError(ValueError):
    """Not an http(s) URL a poller could fetch."""


def feed_store(store: Any) -> Any | None:
    """A ``FeedStore`` over the desk's store, or None when no feed store is installed."""
    try:
        module = importlib.import_module(FEEDS_MODULE)
    except ImportError:
        return None
    factory = getattr(module, "FeedStore", None)
    return factory(store) if factory is not None else None


def check_feed_url(url: str) -> str:
    """Only absolute http(s) URLs with a host: nothing else can be polled, and nothing else may become a link."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FeedUrlError(f"{url!r} is not a URL") from exc
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname or len(url) > MAX_URL:
        raise FeedUrlError("a feed URL is an absolute http(s) URL of at most 2000 characters")
    if any(char.isspace() or not char.isprintable() for char in url):
        raise FeedUrlError("a feed URL has no spaces or control characters")
    return url
