"""Watch feeds: poll each on a schedule, ingest only the items not seen before, and keep going through failures.

* Conditional requests: the ETag / Last-Modified of the last poll go back as If-None-Match / If-Modified-Since,
  and a 304 costs nothing more. The validators are saved only after every new item of the poll was processed,
  so a watcher stopped mid-feed fetches the whole feed again on restart (and the seen items filter it).
* Only new items: each processed item's guid (else link, else a hash of its text) is kept per feed in the store.
  An item whose link cannot be fetched is retried on later polls, up to ``max_item_attempts`` times.
* A failing feed (network error, HTTP error, not a feed, hostile XML) waits ``every × 2^(failures-1)`` (capped)
  before its next try, and is reported with its error and next retry; the other feeds go on.
* Stopping (SIGINT/SIGTERM via :func:`stop_on_signals`) sets an event checked between items, so the item being
  ingested is finished and committed first. Everything lives in the store: a restarted watcher goes on.
"""

from __future__ import annotations

import hashlib
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Literal

import httpx

from incitewatch.errors import ConfigError, InputError
from incitewatch.ingest.feeds import FeedItem, fetch_items, parse_feed, parse_opml
from incitewatch.ingest.fetch import FetchConfig, Resolver, SafeFetcher
from incitewatch.ingest.sources import is_url, sniff_kind
from incitewatch.pipeline import Pipeline
from incitewatch.service import IngestOptions, IngestReport, ingest_raw
from incitewatch.store.feeds import FeedState, FeedStore, iso
from incitewatch.store.sqlite import SQLiteStore
from incitewatch.types import RawDocument

DEFAULT_EVERY_S = 600.0
MAX_BACKOFF_S = 24 * 3600.0
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """Seconds in "90", "90s", "10m", "1h30m", "2d"; ConfigError when it is none of these or not positive."""
    cleaned = text.strip().lower()
    total, number = 0.0, ""
    try:
        for char in cleaned:
            if char.isdigit() or char == ".":
                number += char
            elif char in _DURATION_UNITS and number:
                total += float(number) * _DURATION_UNITS[char]
                number = ""
            else:
                raise ValueError(char)
        total += float(number) if number else 0.0
    except ValueError:
        raise ConfigError(f"{text!r} is not a duration like 90s, 10m, 1h or 1h30m") from None
    if total <= 0:
        raise ConfigError(f"{text!r}: the interval must be positive")
    return total


def load_feed_list(path: Path) -> list[str]:
    """Feed URLs from an OPML file, or from a text file with one URL a line (blank lines and # comments skipped)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the feed list: {exc.strerror or exc}") from exc
    if path.suffix.lower() == ".opml" or sniff_kind(data, None) == "opml":
        try:
            return parse_opml(data, str(path))
        except InputError as err:
            raise ConfigError(str(err)) from None
    urls: list[str] = []
    for number, line in enumerate(data.decode("utf-8-sig", "replace").splitlines(), start=1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if not is_url(entry):
            raise ConfigError(f"{path}:{number}: not an http(s) feed URL: {entry!r}")
        urls.append(entry)
    return list(dict.fromkeys(urls))


# --- conditional fetching ---


@dataclass(frozen=True, slots=True)
class FeedResponse:
    """A polled feed: its document, or ``document is None`` when the server answered 304 Not Modified."""

    document: RawDocument | None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.document is None


class ConditionalFetcher(SafeFetcher):
    """A :class:`SafeFetcher` that can also poll a feed with If-None-Match / If-Modified-Since.

    The validators ride on httpx event hooks, added only to the request for the polled URL itself (not to
    robots.txt or redirect hops), and the response headers are read back the same way.
    """

    def __init__(self, config: FetchConfig | None = None, *, resolve: Resolver | None = None) -> None:
        super().__init__(config, resolve=resolve)
        self._poll = threading.local()
        self._client.event_hooks = {"request": [self._add_validators], "response": [self._note_response]}

    def __enter__(self) -> ConditionalFetcher:
        return self

    def fetch_feed(self, url: str, *, etag: str | None, last_modified: str | None) -> FeedResponse:
        """Poll ``url``; raises :class:`InputError` (with the reason) when it fails."""
        validators = {"If-None-Match": etag, "If-Modified-Since": last_modified}
        self._poll.target = _comparable(url)
        self._poll.headers = {name: value for name, value in validators.items() if value}
        self._poll.status, self._poll.response_headers = None, httpx.Headers()
        try:
            document = self.fetch(url)
        except InputError:
            if self._poll.status == 304:
                return FeedResponse(None, etag, last_modified)
            raise
        finally:
            self._poll.target = None
        headers = self._poll.response_headers
        return FeedResponse(document, headers.get("etag"), headers.get("last-modified"))

    def _add_validators(self, request: httpx.Request) -> None:
        if getattr(self._poll, "target", None) is not None and _comparable(str(request.url)) == self._poll.target:
            request.headers.update(self._poll.headers)

    def _note_response(self, response: httpx.Response) -> None:
        if getattr(self._poll, "target", None) is not None and response.request.url.path != "/robots.txt":
            self._poll.status, self._poll.response_headers = response.status_code, response.headers


def _comparable(url: str) -> str:
    try:
        return str(httpx.URL(url))
    except (httpx.InvalidURL, TypeError):
        return url


# --- polling ---


@dataclass(frozen=True, slots=True)
class WatchOptions:
    every_s: float = DEFAULT_EVERY_S
    max_backoff_s: float = MAX_BACKOFF_S
    max_item_attempts: int = 3  # an item whose link keeps failing is given up after this many polls
    ingest: IngestOptions = field(default_factory=IngestOptions)


PollStatus = Literal["fetched", "not_modified", "failed", "waiting", "stopped"]


@dataclass(frozen=True, slots=True)
class FeedPoll:
    """What one poll of one feed did."""

    url: str
    status: PollStatus
    new_items: int = 0
    error: str | None = None
    failures: int = 0  # in a row, this poll included
    next_poll_at: datetime | None = None
    report: IngestReport | None = None


@dataclass(slots=True)
class RoundReport:
    polls: list[FeedPoll] = field(default_factory=list)

    @property
    def failed(self) -> list[FeedPoll]:
        return [poll for poll in self.polls if poll.status == "failed"]

    @property
    def stored(self) -> list[str]:
        return [article for poll in self.polls if poll.report for article in poll.report.stored]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def item_key(item: FeedItem) -> str:
    """How an item is recognised across polls: its guid, else its link, else a hash of what it says."""
    if item.id:
        return item.id
    if item.link:
        return item.link
    text = f"{item.title or ''}\n{item.body or ''}".encode()
    return "sha256:" + hashlib.sha256(text).hexdigest()


class Watcher:
    """Polls feeds into one store. ``stop`` (an event) ends a round between items; ``say`` gets report lines."""

    def __init__(
        self,
        store: SQLiteStore,
        pipeline: Pipeline,
        fetcher: ConditionalFetcher,
        *,
        options: WatchOptions | None = None,
        clock: Callable[[], datetime] = _utc_now,
        stop: threading.Event | None = None,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.feeds = FeedStore(store)
        self.pipeline = pipeline
        self.fetcher = fetcher
        self.options = options or WatchOptions()
        self.clock = clock
        self.stop = stop or threading.Event()
        self.say = say or (lambda _line: None)

    def run(self, urls: Sequence[str], *, once: bool = False) -> RoundReport:
        """Track ``urls``, then poll rounds until stopped (or one round with ``once``); returns the last round's
        report.

        Each round polls the feeds the store watches at that moment, so feeds an admin adds on the desk are
        polled and feeds an admin removes stay removed (the list ``urls`` came from is read only at the start).
        """
        self.feeds.add_feeds(urls, now=self.clock())
        while True:
            watched = [feed.url for feed in self.feeds.list_feeds()]
            report = self.poll_round(watched)
            if once or self.stop.is_set():
                return report
            self.stop.wait(self._seconds_to_next_poll(watched))
            if self.stop.is_set():
                return report

    def poll_round(self, urls: Sequence[str]) -> RoundReport:
        """Poll every due feed of ``urls`` once (tracking any not tracked yet)."""
        self.feeds.add_feeds(urls, now=self.clock())
        report = RoundReport()
        for url in urls:
            if self.stop.is_set():
                break
            poll = self.poll_feed(url)
            report.polls.append(poll)
            self._tell(poll)
        return report

    def poll_feed(self, url: str) -> FeedPoll:
        state = self.feeds.get_feed(url)
        if state is None:
            self.feeds.add_feed(url, now=self.clock())
            state = self.feeds.get_feed(url)
            assert state is not None
        now = self.clock()
        if not state.due(now):
            next_at = datetime.fromisoformat(state.next_poll_at) if state.next_poll_at else None
            return FeedPoll(
                url, "waiting", error=state.last_error, failures=state.consecutive_failures, next_poll_at=next_at
            )
        try:
            response = self.fetcher.fetch_feed(url, etag=state.etag, last_modified=state.last_modified)
            if response.not_modified:
                next_at = now + timedelta(seconds=self.options.every_s)
                self.feeds.record_not_modified(url, polled_at=now, next_poll_at=next_at)
                return FeedPoll(url, "not_modified", next_poll_at=next_at)
            assert response.document is not None
            items = self._parse(response.document)
        except InputError as err:
            return self._failed(state, err.reason, now)
        return self._process(state, response, items, now)

    def _parse(self, document: RawDocument) -> list[FeedItem]:
        if sniff_kind(document.data, document.media_type) != "feed":
            raise InputError(document.uri, f"not a feed (Content-Type {document.media_type or 'missing'})")
        return parse_feed(document.data, document.uri)

    def _failed(self, state: FeedState, reason: str, now: datetime) -> FeedPoll:
        failures = state.consecutive_failures + 1
        delay = min(self.options.every_s * 2 ** (failures - 1), self.options.max_backoff_s)
        next_at = now + timedelta(seconds=delay)
        self.feeds.record_failure(state.url, reason, polled_at=now, next_poll_at=next_at)
        return FeedPoll(state.url, "failed", error=reason, failures=failures, next_poll_at=next_at)

    def _process(self, state: FeedState, response: FeedResponse, items: list[FeedItem], now: datetime) -> FeedPoll:
        keys = [item_key(item) for item in items]
        done = self.feeds.done_items(state.url, keys)
        # Feeds list newest first; ingesting oldest first keeps the store's order that of publication.
        new = [(key, item) for key, item in reversed(list(zip(keys, items, strict=True))) if key not in done]
        new = list(dict(new).items())  # a feed repeating an item lists it once
        finished: list[bool] = []
        report = ingest_raw(
            self._documents(state.url, new, finished), self.store, self.pipeline, options=self.options.ingest
        )
        if not finished:
            return FeedPoll(state.url, "stopped", new_items=len(new), report=report)
        next_at = now + timedelta(seconds=self.options.every_s)
        title = next((item.feed_title for item in items if item.feed_title), None)
        self.feeds.record_fetched(
            state.url,
            polled_at=now,
            next_poll_at=next_at,
            etag=response.etag,
            last_modified=response.last_modified,
            title=title,
        )
        return FeedPoll(state.url, "fetched", new_items=len(new), next_poll_at=next_at, report=report)

    def _documents(
        self, feed_url: str, new: list[tuple[str, FeedItem]], finished: list[bool]
    ) -> Iterator[RawDocument | InputError]:
        """Each new item's document; an item is marked seen once ingest asks for the next (it was committed)."""
        for key, item in new:
            if self.stop.is_set():
                return
            document = next(fetch_items([item], self.fetcher.fetch))
            if isinstance(document, InputError):
                attempts = self.feeds.item_attempts(feed_url, key) + 1
                given_up = attempts >= self.options.max_item_attempts
                self.feeds.mark_item(
                    feed_url, key, link=item.link, done=given_up, error=document.reason, now=self.clock()
                )
                yield document
                continue
            yield document
            self.feeds.mark_item(feed_url, key, link=item.link, done=True, now=self.clock())
        finished.append(True)

    def _seconds_to_next_poll(self, urls: Sequence[str]) -> float:
        wanted = set(urls)
        times = [
            datetime.fromisoformat(feed.next_poll_at)
            for feed in self.feeds.list_feeds()
            if feed.url in wanted and feed.next_poll_at
        ]
        if not times:
            return self.options.every_s
        return max(1.0, (min(times) - self.clock()).total_seconds())

    def _tell(self, poll: FeedPoll) -> None:
        self.say(describe_poll(poll, self.clock()))


def describe_poll(poll: FeedPoll, now: datetime) -> str:
    """One line for a poll; failing feeds name their error and their next retry."""
    retry = ""
    if poll.next_poll_at is not None:
        retry = f"next retry {iso(poll.next_poll_at)} (in {_human(poll.next_poll_at - now)})"
    if poll.status == "failed":
        return f"feed {poll.url}: FAILING ({poll.failures} in a row): {poll.error}; {retry}"
    if poll.status == "waiting":
        if poll.failures:
            return f"feed {poll.url}: backing off after {poll.failures} failures ({poll.error}); {retry}"
        return f"feed {poll.url}: not due yet"
    if poll.status == "not_modified":
        return f"feed {poll.url}: not modified"
    summary = poll.report.summary() if poll.report else ""
    if poll.status == "stopped":
        return f"feed {poll.url}: stopped part-way; {summary}"
    return f"feed {poll.url}: {poll.new_items} new item(s): {summary}"


def _human(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT/SIGTERM set ``stop`` (a second SIGINT interrupts at once); the old handlers come back after."""

    def handle(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
