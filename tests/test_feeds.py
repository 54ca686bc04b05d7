"""Feeds: RSS, Atom, JSON Feed and OPML parsing, hostile XML refused, feed items turned into RawDocuments."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from incitewatch.errors import InputError
from incitewatch.ingest.feeds import FeedItem, fetch_items, is_full, items_to_raw, parse_feed, parse_opml
from incitewatch.ingest.fetch import FetchConfig, SafeFetcher
from incitewatch.types import RawDocument

LONG_BODY = "<p>" + "The court heard how the suspect shared the recording with two contacts. " * 20 + "</p>"
ARTICLE = b"<html><head><title>Raid</title></head><body><p>Police searched a flat.</p></body></html>"

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Example Wire</title><link>https://wire.example/</link>
<item>
  <title>  Man charged over   video </title>
  <link>/news/charged</link>
  <guid isPermaLink="false">wire-1</guid>
  <pubDate>Mon, 12 Jun 2017 01:30:00 +0200</pubDate>
  <description>A teaser.</description>
  <content:encoded><![CDATA[{LONG_BODY}]]></content:encoded>
</item>
<item>
  <title>Raid in the north</title>
  <link>/article.html</link>
  <description>Police searched a flat. Read more</description>
</item>
<item>
  <title>Broken link</title>
  <link>/missing.html</link>
  <description>Nothing here.</description>
</item>
</channel></rss>"""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    paths: list[str]
    feed: bytes


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        routes = {
            "/robots.txt": (b"User-agent: *\nAllow: /\n", "text/plain"),
            "/feed.xml": (self.server.feed, "application/rss+xml"),
            "/article.html": (ARTICLE, "text/html; charset=utf-8"),
            "/secret": (b"TOP-SECRET-VALUE", "text/plain"),
        }
        body, content_type = routes.get(self.path, (b"missing", "text/plain"))
        with suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(200 if self.path in routes else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    running = _Server(("127.0.0.1", 0), _Handler)
    running.paths = []
    running.feed = b""
    threading.Thread(target=running.serve_forever, daemon=True).start()
    yield running
    running.shutdown()
    running.server_close()


@pytest.fixture(scope="module")
def file_opens() -> list[str]:
    """File paths opened in this process while tests run (an audit hook cannot be removed; it is harmless)."""
    opened: list[str] = []

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open" and args and isinstance(args[0], str | bytes):
            opened.append(os.fsdecode(args[0]))

    sys.addaudithook(hook)
    return opened


def _base(server: _Server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_rss_items_with_resolved_links_and_utc_dates() -> None:
    items = parse_feed(RSS.encode(), "https://wire.example/feed.xml")
    assert [item.title for item in items] == ["Man charged over video", "Raid in the north", "Broken link"]
    first = items[0]
    assert first.link == "https://wire.example/news/charged"
    assert first.published == datetime(2017, 6, 11, 23, 30, tzinfo=UTC)
    assert first.summary == "A teaser."
    assert first.content is not None and "shared the recording" in first.content
    assert first.id == "wire-1"
    assert first.feed_title == "Example Wire"
    assert items[1].content is None and items[1].summary == "Police searched a flat. Read more"


def test_atom_entry() -> None:
    atom = b"""<?xml version="1.0"?>
    <feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Desk</title>
      <entry><title>Statement released</title><id>urn:uuid:1</id>
        <link rel="alternate" href="https://desk.example/s/1"/>
        <updated>2019-03-04T05:06:07Z</updated>
        <summary>Short.</summary>
        <content type="html">&lt;p&gt;The group published a statement.&lt;/p&gt;</content>
      </entry></feed>"""
    [item] = parse_feed(atom, "https://desk.example/atom")
    assert (item.title, item.link, item.id) == (
        "Statement released",
        "https://desk.example/s/1",
        "urn:uuid:1",
    )
    assert item.published == datetime(2019, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert item.content == "<p>The group published a statement.</p>"
    assert item.summary == "Short."


def test_json_feed() -> None:
    feed = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "JSON Desk",
      "items": [
        {"id": 7, "url": "/posts/7", "title": "Arrest made", "content_text": "Officers arrested a man.",
         "date_published": "2020-01-02T03:04:05+01:00"},
        {"id": "8", "external_url": "https://other.example/x", "content_html": "<p>Hi</p>"},
        "not an item"
      ]}"""
    first, second = parse_feed(feed, "https://json.example/feed.json")
    assert (first.id, first.link, first.title) == ("7", "https://json.example/posts/7", "Arrest made")
    assert first.content == "Officers arrested a man." and first.content_type == "text/plain"
    assert first.published == datetime(2020, 1, 2, 2, 4, 5, tzinfo=UTC)
    assert first.feed_title == "JSON Desk"
    assert (second.link, second.content_type) == ("https://other.example/x", "text/html")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"version": "1", "items": []}', "not a JSON Feed"),
        (b"{broken", "not valid JSON"),
        (b"<html><body><p>Just a page</p></body></html>", "not an RSS or Atom feed"),
    ],
)
def test_things_that_are_not_feeds(data: bytes, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        parse_feed(data, "https://x.example/f")


def test_doctype_without_entities_is_fine() -> None:
    rss091 = b"""<?xml version="1.0"?>
    <!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
      "http://my.netscape.com/publish/formats/rss-0.91.dtd">
    <rss version="0.91"><channel><title>Old</title><link>https://old.example/</link><description>d</description>
    <item><title>Old item</title><link>https://old.example/1</link></item></channel></rss>"""
    assert [item.title for item in parse_feed(rss091, "https://old.example/rss")] == ["Old item"]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>"""


def test_billion_laughs_is_refused_without_expansion() -> None:
    started = time.monotonic()
    with pytest.raises(InputError, match="declares entities") as caught:
        parse_feed(BILLION_LAUGHS, "https://evil.example/feed")
    assert time.monotonic() - started < 5.0  # expanded, the entities would take far longer (and gigabytes)
    assert "lollol" not in str(caught.value)


def _xxe(system_id: str, parameter: bool = False) -> bytes:
    if parameter:
        doctype = f'<!DOCTYPE rss [<!ENTITY % remote SYSTEM "{system_id}"> %remote;]>'
        use = "x"
    else:
        doctype = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{system_id}">]>'
        use = "&xxe;"
    return (
        f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>{use}</title>'
        f"<item><title>{use}</title><description>{use}</description></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize("parameter", [False, True])
def test_xxe_never_reads_local_files(file_opens: list[str], parameter: bool) -> None:
    file_opens.clear()
    with pytest.raises(InputError, match="entities") as caught:
        parse_feed(_xxe("file:///etc/passwd", parameter), "https://evil.example/feed")
    assert "root:" not in str(caught.value)
    assert not [path for path in file_opens if "passwd" in path]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_xxe_hidden_in_utf16_is_refused(file_opens: list[str], encoding: str) -> None:
    file_opens.clear()
    data = (
        _xxe("file:///etc/passwd")
        .decode()
        .replace('version="1.0"?>', f'version="1.0" encoding="{encoding}"?>')
    )
    with pytest.raises(InputError, match="entities"):
        parse_feed(data.encode(encoding), "https://evil.example/feed")
    assert not [path for path in file_opens if "passwd" in path]


def test_xxe_never_requests_remote_urls(server: _Server) -> None:
    before = server.paths.count("/secret")
    with pytest.raises(InputError):
        parse_feed(_xxe(_base(server) + "/secret"), "https://evil.example/feed")
    with pytest.raises(InputError):
        parse_feed(_xxe(_base(server) + "/secret", parameter=True), "https://evil.example/feed")
    assert server.paths.count("/secret") == before


def test_feed_bytes_are_never_taken_for_a_file_name(file_opens: list[str]) -> None:
    # feedparser.parse() opens a bytes argument as a path when it can; parse_feed must hand it a stream.
    file_opens.clear()
    with pytest.raises(InputError):
        parse_feed(b"/etc/passwd", "https://evil.example/feed")
    assert not [path for path in file_opens if "passwd" in path]


def test_opml_lists_feed_urls_once() -> None:
    opml = b"""<?xml version="1.0"?><opml version="2.0"><head><title>Feeds</title></head><body>
      <outline text="News">
        <outline text="A" type="rss" xmlUrl="https://a.example/feed.xml"/>
        <outline text="B" type="rss" xmlurl=" https://b.example/rss "/>
      </outline>
      <outline text="A again" xmlUrl="https://a.example/feed.xml"/>
      <outline text="Local" xmlUrl="file:///etc/passwd"/>
      <outline text="No feed" htmlUrl="https://c.example/"/>
    </body></opml>"""
    assert parse_opml(opml) == ["https://a.example/feed.xml", "https://b.example/rss"]


def test_opml_with_entities_or_garbage_is_refused() -> None:
    with pytest.raises(InputError, match="entities"):
        parse_opml(BILLION_LAUGHS.replace(b"rss", b"opml"))
    with pytest.raises(InputError, match="not well-formed"):
        parse_opml(b"<opml><body><outline></body>", "list.opml")


def _item(**fields: Any) -> FeedItem:
    values: dict[str, Any] = {
        "title": "T",
        "link": "https://n.example/1",
        "published": datetime(2017, 6, 12, 8, tzinfo=UTC),
        "summary": None,
        "content": None,
        "id": "1",
        "feed_title": "N",
    }
    values.update(fields)
    return FeedItem(**values)


def test_only_full_items_become_documents_directly() -> None:
    full = _item(content=LONG_BODY)
    teaser = _item(summary="Short teaser.")
    cut_off = _item(content=LONG_BODY[:-4] + " …</p>")
    assert is_full(full) and not is_full(teaser) and not is_full(cut_off)
    [doc] = list(items_to_raw([full, teaser, cut_off]))
    assert doc.data == LONG_BODY.encode()
    assert doc.uri == "https://n.example/1"
    assert doc.source == "feed"
    assert doc.media_type == "text/html; charset=utf-8"
    assert (doc.declared_title, doc.declared_outlet, doc.declared_published) == ("T", "N", date(2017, 6, 12))
    assert list(items_to_raw([teaser], min_chars=5))  # the threshold is the caller's


def test_fetch_items_from_a_served_feed(server: _Server) -> None:
    server.feed = RSS.encode()
    config = FetchConfig(allow_private=True, min_host_interval=0.0, total_timeout=3.0)
    with SafeFetcher(config) as fetcher:
        feed_doc = fetcher.fetch(_base(server) + "/feed.xml")
        items = parse_feed(feed_doc.data, feed_doc.uri)
        results = list(fetch_items(items, fetcher.fetch))
    assert [item.link for item in items][1] == _base(server) + "/article.html"
    full, fetched, failed = results
    assert isinstance(full, RawDocument) and b"shared the recording" in full.data
    assert isinstance(fetched, RawDocument)
    assert fetched.data == ARTICLE and fetched.uri == _base(server) + "/article.html"
    assert (fetched.source, fetched.declared_title, fetched.declared_outlet) == (
        "feed",
        "Raid in the north",
        "Example Wire",
    )
    assert isinstance(failed, InputError) and "HTTP 404" in failed.reason
    assert "/news/charged" not in server.paths  # the full item was not fetched again
