"""The feed watcher against real HTTP servers on 127.0.0.1: 304s, only-new items, backoff, hostile feeds, restarts,
stopping between items, and ``incitewatch watch --once`` over an OPML of two feeds."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incitewatch.cli import app
from incitewatch.errors import ConfigError
from incitewatch.ingest.fetch import FetchConfig
from incitewatch.ingest.watch import (
    ConditionalFetcher,
    Watcher,
    WatchOptions,
    describe_poll,
    load_feed_list,
    parse_duration,
    stop_on_signals,
)
from incitewatch.pipeline import Pipeline
from incitewatch.service import IngestOptions
from incitewatch.store.feeds import FeedStore
from incitewatch.store.sqlite import SQLiteStore
from tests.test_sources import BILLION_LAUGHS, FULL_TEXT, HTML, RSS_TYPE, Response, Site, opml, page, rss

EVERY = 600.0


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 1, 6, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = EVERY) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def fetcher() -> Iterator[ConditionalFetcher]:
    config = FetchConfig(allow_private=True, min_host_interval=0.0, total_timeout=5.0)
    with ConditionalFetcher(config) as opened:
        yield opened


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "watch.db") as opened:
        yield opened


def make_watcher(
    store: SQLiteStore, pipeline: Pipeline, fetcher: ConditionalFetcher, clock: Clock, **kwargs: object
) -> Watcher:
    options = WatchOptions(every_s=EVERY, ingest=IngestOptions(triage=False))
    return Watcher(store, pipeline, fetcher, options=options, clock=clock, **kwargs)


def etag_feed(body: bytes, etag: str) -> Callable[[dict[str, str]], Response]:
    def respond(headers: dict[str, str]) -> Response:
        if headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {**RSS_TYPE, "ETag": etag, "Last-Modified": "Mon, 06 Jan 2025 11:00:00 GMT"}, body

    return respond


def test_second_poll_of_an_unchanged_feed_is_a_304(
    site: Site, store: SQLiteStore, rules_pipeline: Pipeline, fetcher: ConditionalFetcher
) -> None:
    site.routes["/a.xml"] = etag_feed(rss([("a1", f"{site.base}/a1.html", None)]), '"v1"')
    site.routes["/a1.html"] = (200, HTML, page(0))
    clock = Clock()
    watcher = make_watcher(store, rules_pipeline, fetcher, clock)
    [first] = watcher.poll_round([site.base + "/a.xml"]).polls
    assert first.status == "fetched" and first.new_items == 1 and first.report and len(first.report.stored) == 1
    clock.advance()
    [second] = watcher.poll_round([site.base + "/a.xml"]).polls
    assert second.status == "not_modified"
    polls = [headers for path, headers in site.log if path == "/a.xml"]
    assert "if-none-match" not in polls[0]
    assert polls[1]["if-none-match"] == '"v1"' and polls[1]["if-modified-since"] == "Mon, 06 Jan 2025 11:00:00 GMT"
    assert site.requested("/a1.html") == 1
    feed = FeedStore(store).get_feed(site.base + "/a.xml")
    assert feed is not None and feed.etag == '"v1"' and feed.items_seen == 1 and feed.title == "Test wire"


def test_only_the_item_added_between_polls_is_ingested(
    site: Site, store: SQLiteStore, rules_pipeline: Pipeline, fetcher: ConditionalFetcher
) -> None:
    items: list[tuple[str, str, str | None]] = [("b1", f"{site.base}/b1.html", None)]
    site.routes["/b.xml"] = lambda _headers: (200, RSS_TYPE, rss(list(reversed(items))))
    site.routes["/b1.html"] = (200, HTML, page(1))
    site.routes["/b2.html"] = (200, HTML, page(2))
    clock = Clock()
    watcher = make_watcher(store, rules_pipeline, fetcher, clock)
    [first] = watcher.poll_round([site.base + "/b.xml"]).polls
    assert first.new_items == 1
    items.append(("b2", f"{site.base}/b2.html", None))
    items.append(("b3-full", f"{site.base}/b3.html", FULL_TEXT))  # full content: no page fetch
    clock.advance()
    [second] = watcher.poll_round([site.base + "/b.xml"]).polls
    assert second.status == "fetched" and second.new_items == 2
    assert second.report is not None and len(second.report.stored) == 2
    assert (site.requested("/b1.html"), site.requested("/b2.html"), site.requested("/b3.html")) == (1, 1, 0)

    # A restarted watcher (new store connection, new watcher) does not process any of them again.
    path = store.path
    store.close()
    with SQLiteStore(path) as reopened:
        clock.advance()
        [third] = make_watcher(reopened, rules_pipeline, fetcher, clock).poll_round([site.base + "/b.xml"]).polls
        assert third.status == "fetched" and third.new_items == 0
        assert (site.requested("/b1.html"), site.requested("/b2.html")) == (1, 1)


def test_a_failing_feed_backs_off_exponentially_and_is_reported(
    site: Site, store: SQLiteStore, rules_pipeline: Pipeline, fetcher: ConditionalFetcher
) -> None:
    site.routes["/broken.xml"] = (500, {"Content-Type": "text/plain"}, b"oops")
    site.routes["/ok.xml"] = (200, RSS_TYPE, rss([]))
    lines: list[str] = []
    clock = Clock()
    watcher = make_watcher(store, rules_pipeline, fetcher, clock, say=lines.append)
    feeds = [site.base + "/broken.xml", site.base + "/ok.xml"]
    start = clock.now

    broken, ok = watcher.poll_round(feeds).polls
    assert broken.status == "failed" and broken.failures == 1 and "HTTP 500" in (broken.error or "")
    assert broken.next_poll_at == start + timedelta(seconds=EVERY) and ok.status == "fetched"
    assert "FAILING (1 in a row)" in lines[0] and "HTTP 500" in lines[0] and "next retry" in lines[0]

    clock.advance()
    broken, ok = watcher.poll_round(feeds).polls
    assert broken.status == "failed" and broken.failures == 2
    assert broken.next_poll_at == clock.now + timedelta(seconds=2 * EVERY)

    clock.advance()  # the healthy feed is due again; the failing one waits out its doubled delay
    broken, ok = watcher.poll_round(feeds).polls
    assert broken.status == "waiting" and ok.status == "fetched"
    assert "backing off after 2 failures" in describe_poll(broken, clock.now)
    assert site.requested("/broken.xml") == 2

    health = FeedStore(store).feed_health()
    assert health[0].url == feeds[0] and health[0].consecutive_failures == 2 and health[0].failing
    assert not health[1].failing

    site.routes["/broken.xml"] = (200, RSS_TYPE, rss([]))  # it recovers
    clock.advance(2 * EVERY)
    [recovered] = watcher.poll_round(feeds[:1]).polls
    assert recovered.status == "fetched" and FeedStore(store).feed_health()[0].consecutive_failures == 0


def test_a_hostile_feed_is_reported_and_skipped_while_the_others_go_on(
    site: Site, store: SQLiteStore, rules_pipeline: Pipeline, fetcher: ConditionalFetcher
) -> None:
    site.routes["/lol.xml"] = (200, RSS_TYPE, BILLION_LAUGHS)
    site.routes["/fine.xml"] = (200, RSS_TYPE, rss([("f1", f"{site.base}/f1.html", FULL_TEXT)]))
    site.routes["/page.xml"] = (200, HTML, page(3))  # not a feed at all
    watcher = make_watcher(store, rules_pipeline, fetcher, Clock())
    hostile, html, fine = watcher.poll_round([site.base + p for p in ("/lol.xml", "/page.xml", "/fine.xml")]).polls
    assert hostile.status == "failed" and "ENTITY" in (hostile.error or "")
    assert html.status == "failed" and "not a feed" in (html.error or "")
    assert fine.status == "fetched" and fine.report is not None and len(fine.report.stored) == 1


def test_stop_ends_the_round_between_items_and_a_restart_goes_on(
    site: Site, store: SQLiteStore, rules_pipeline: Pipeline, fetcher: ConditionalFetcher
) -> None:
    stop = threading.Event()

    def first_page(_headers: dict[str, str]) -> Response:
        stop.set()  # as if SIGTERM arrived while the first item is being ingested
        return 200, HTML, page(0)

    site.routes["/s.xml"] = etag_feed(
        rss([("s2", f"{site.base}/s2.html", None), ("s1", f"{site.base}/s1.html", None)]), '"s"'
    )
    site.routes["/s1.html"] = first_page
    site.routes["/s2.html"] = (200, HTML, page(1))
    clock = Clock()
    [stopped] = make_watcher(store, rules_pipeline, fetcher, clock, stop=stop).poll_round([site.base + "/s.xml"]).polls
    assert stopped.status == "stopped" and stopped.report is not None and len(stopped.report.stored) == 1
    assert site.requested("/s2.html") == 0
    feed = FeedStore(store).get_feed(site.base + "/s.xml")
    assert feed is not None and feed.etag is None  # validators kept back: the next poll must not get a 304

    [resumed] = make_watcher(store, rules_pipeline, fetcher, clock).poll_round([site.base + "/s.xml"]).polls
    assert resumed.status == "fetched" and resumed.new_items == 1
    assert (site.requested("/s1.html"), site.requested("/s2.html")) == (1, 1)


def test_an_item_whose_link_keeps_failing_is_retried_then_given_up(
    site: Site, store: SQLiteStore, rules_pipeline: Pipeline, fetcher: ConditionalFetcher
) -> None:
    site.routes["/g.xml"] = (200, RSS_TYPE, rss([("gone", f"{site.base}/gone.html", None)]))
    clock = Clock()
    watcher = make_watcher(store, rules_pipeline, fetcher, clock)
    for _ in range(4):
        watcher.poll_round([site.base + "/g.xml"])
        clock.advance()
    assert site.requested("/gone.html") == 3  # WatchOptions.max_item_attempts


def test_feed_lists_and_durations(tmp_path: Path) -> None:
    listing = tmp_path / "feeds.txt"
    listing.write_text("# wires\nhttps://a.test/rss\n\nhttp://b.test/atom\nhttps://a.test/rss\n", encoding="utf-8")
    assert load_feed_list(listing) == ["https://a.test/rss", "http://b.test/atom"]
    listing.write_text("ftp://nope.test/feed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"feeds\.txt:1"):
        load_feed_list(listing)
    outline = tmp_path / "list.xml"
    outline.write_bytes(opml(["https://c.test/feed", "https://d.test/feed"]))
    assert load_feed_list(outline) == ["https://c.test/feed", "https://d.test/feed"]
    assert [parse_duration(text) for text in ("90", "90s", "10m", "1h30m", "2d")] == [90, 90, 600, 5400, 172800]
    for bad in ("", "0s", "ten minutes", "5x"):
        with pytest.raises(ConfigError):
            parse_duration(bad)


def test_sigterm_sets_the_stop_event_and_handlers_come_back() -> None:
    stop = threading.Event()
    before = signal.getsignal(signal.SIGTERM)
    with stop_on_signals(stop):
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.wait(2.0)
    assert signal.getsignal(signal.SIGTERM) is before


def test_watch_once_over_an_opml_of_two_feeds(site: Site, tmp_path: Path) -> None:
    site.routes["/one.xml"] = (200, RSS_TYPE, rss([("one", f"{site.base}/one.html", FULL_TEXT)]))
    site.routes["/two.xml"] = (500, {"Content-Type": "text/plain"}, b"down")
    listing = tmp_path / "feeds.opml"
    listing.write_bytes(opml([site.base + "/one.xml", site.base + "/two.xml"]))
    db = tmp_path / "cli.db"
    args = ["watch", "--feeds", str(listing), "--once", "--every", "5m", "--db", str(db), "--no-model", "--no-triage"]
    first = CliRunner().invoke(app, [*args, "--allow-private"])
    assert first.exit_code == 1, first.output  # one feed failed this round
    assert f"feed {site.base}/one.xml: 1 new item(s): 1 stored" in first.output
    assert f"feed {site.base}/two.xml: FAILING (1 in a row): HTTP 500" in first.output

    second = CliRunner().invoke(app, [*args, "--allow-private"])
    assert f"feed {site.base}/one.xml: not due yet" in second.output
    assert f"feed {site.base}/two.xml: backing off after 1 failures" in second.output
    assert site.requested("/one.xml") == 1


def test_each_round_polls_the_feeds_the_store_watches_so_desk_additions_and_removals_hold(
    site: Site, store: SQLiteStore, rules_pipeline: Pipeline, fetcher: ConditionalFetcher
) -> None:
    for path in ("/from-file.xml", "/from-desk.xml"):
        site.routes[path] = (200, RSS_TYPE, rss([]))
    file_feed, desk_feed = site.base + "/from-file.xml", site.base + "/from-desk.xml"
    feeds = FeedStore(store)
    feeds.add_feed(desk_feed)  # an admin added it on the desk; the watcher's list does not name it
    clock = Clock()
    first = make_watcher(store, rules_pipeline, fetcher, clock).run([file_feed], once=True)
    assert sorted(poll.url for poll in first.polls) == sorted([file_feed, desk_feed])
    assert feeds.remove_feed(file_feed)  # an admin removed one
    clock.advance()
    later = make_watcher(store, rules_pipeline, fetcher, clock).run([], once=True)
    assert [poll.url for poll in later.polls] == [desk_feed]
    assert feeds.get_feed(file_feed) is None
