"""iter_sources routes every SOURCE kind (URL page, URL feed, WARC, records, OPML, feed files, folders, stdin)
and ``incitewatch ingest`` takes them all; pages and feeds come from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import io
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from incitewatch.cli import app
from incitewatch.errors import InputError
from incitewatch.ingest.fetch import FetchConfig, SafeFetcher
from incitewatch.ingest.sources import iter_sources, sniff_kind
from incitewatch.types import RawDocument

PARAGRAPHS = (
    "A media wing aligned with an armed movement published a nine-minute recording on Tuesday in which a masked "
    "speaker urged followers abroad to strike crowded markets, researchers who track the channel said.",
    "Prosecutors in Lyon charged two brothers on Thursday with planning an arson attack on a rail depot after "
    "investigators found encrypted chats in which the pair discussed instructions copied from an online magazine.",
    "The interior ministry said on Friday that police had detained a teenager in the north of the country who had "
    "shared clips glorifying last year's bombing of a concert hall and had asked strangers online for explosives.",
    "An analyst at a monitoring group told reporters that the latest issue of the magazine recycled speeches by a "
    "commander killed in 2019, praised a stabbing in a shopping street and named no new targets of its own.",
)


def page(index: int) -> bytes:
    title = f"Report number {index}"
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>{PARAGRAPHS[index % len(PARAGRAPHS)]}</p><p>{PARAGRAPHS[(index + 1) % len(PARAGRAPHS)]}</p>"
        "</article></body></html>"
    ).encode()


def rss(items: list[tuple[str, str, str | None]], title: str = "Test wire") -> bytes:
    """RSS 2.0 with items (guid, link, full content or None for a teaser)."""
    entries = []
    for guid, link, content in items:
        body = f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else ""
        entries.append(
            f"<item><title>Item {guid}</title><link>{link}</link><guid>{guid}</guid>"
            f"<description>Short teaser for {guid}...</description>{body}</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{title}</title><link>http://example.test/</link>{''.join(entries)}</channel></rss>"
    ).encode()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]><rss version="2.0"><channel><title>&lol3;</title>'
    b"</channel></rss>"
)
FULL_TEXT = " ".join(PARAGRAPHS * 2)  # long enough to count as a full-content item


def opml(urls: list[str]) -> bytes:
    outlines = "".join(f'<outline type="rss" text="feed" xmlUrl="{url}"/>' for url in urls)
    return f'<?xml version="1.0"?><opml version="2.0"><head/><body>{outlines}</body></opml>'.encode()


Response = tuple[int, dict[str, str], bytes]


@dataclass
class Site:
    """Routes of the local server: path → response; requests are logged as (path, headers)."""

    routes: dict[str, Response | Callable[[dict[str, str]], Response]] = field(default_factory=dict)
    log: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""

    def requested(self, path: str) -> int:
        return sum(1 for logged, _ in self.log if logged == path)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.server.site.log.append((self.path, headers))
        route = self.server.site.routes.get(self.path)
        status, reply_headers, body = (
            (404, {"Content-Type": "text/plain"}, b"not found")
            if route is None
            else route(headers)
            if callable(route)
            else route
        )
        self.send_response(status)
        for name, value in reply_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: Site) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site


@contextmanager
def serving() -> Iterator[Site]:
    """A real HTTP server on 127.0.0.1 (a free port) for the duration of the block."""
    served = Site()
    server = _Server(served)
    served.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()


HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS_TYPE = {"Content-Type": "application/rss+xml"}


@pytest.fixture
def fetcher() -> Iterator[SafeFetcher]:
    config = FetchConfig(allow_private=True, min_host_interval=0.0, total_timeout=5.0)
    with SafeFetcher(config) as opened:
        yield opened


def collect(specs: list[str], fetcher: SafeFetcher | None = None, **kwargs: object) -> list[RawDocument | InputError]:
    return list(iter_sources(specs, max_bytes=1_000_000, fetcher=fetcher, **kwargs))


def documents(items: list[RawDocument | InputError]) -> list[RawDocument]:
    errors = [item for item in items if isinstance(item, InputError)]
    assert not errors, errors
    return [item for item in items if isinstance(item, RawDocument)]


# --- URLs ---


def test_url_of_a_page_is_fetched(site: Site, fetcher: SafeFetcher) -> None:
    site.routes["/story.html"] = (200, HTML, page(0))
    [document] = documents(collect([site.base + "/story.html"], fetcher))
    assert document.data == page(0) and document.source == "url" and document.uri.endswith("/story.html")


def test_url_of_a_feed_expands_full_items_and_fetches_teasers(site: Site, fetcher: SafeFetcher) -> None:
    site.routes["/teaser.html"] = (200, HTML, page(1))
    site.routes["/feed.xml"] = (
        200,
        {"Content-Type": "text/xml"},  # a generic XML type: recognised as a feed by its <rss> root
        rss([("full-1", f"{site.base}/full.html", FULL_TEXT), ("teaser-1", f"{site.base}/teaser.html", None)]),
    )
    full, teaser = documents(collect([site.base + "/feed.xml"], fetcher))
    assert full.source == "feed" and FULL_TEXT.encode() in full.data and full.declared_outlet == "Test wire"
    assert teaser.data == page(1) and teaser.declared_title == "Item teaser-1"
    assert site.requested("/full.html") == 0  # the feed carried it whole


def test_private_addresses_are_refused_unless_allowed(site: Site) -> None:
    site.routes["/story.html"] = (200, HTML, page(0))
    with SafeFetcher(FetchConfig(min_host_interval=0.0)) as strict:
        [error] = collect([site.base + "/story.html"], strict)
    assert isinstance(error, InputError) and "loopback" in error.reason
    assert site.requested("/story.html") == 0


def test_a_hostile_feed_is_reported_and_the_next_source_goes_on(site: Site, fetcher: SafeFetcher) -> None:
    site.routes["/lol.xml"] = (200, RSS_TYPE, BILLION_LAUGHS)
    site.routes["/story.html"] = (200, HTML, page(2))
    error, document = collect([site.base + "/lol.xml", site.base + "/story.html"], fetcher)
    assert isinstance(error, InputError) and "ENTITY" in error.reason
    assert isinstance(document, RawDocument) and document.data == page(2)


def test_sniffing_tells_feeds_opml_and_pages_apart() -> None:
    assert sniff_kind(rss([]), "application/xml") == "feed"
    assert sniff_kind(rss([]), None) == "feed"
    assert sniff_kind(b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "application/json") == "feed"
    assert sniff_kind(b'{"text": "a record"}', "application/json") is None
    assert sniff_kind(opml(["http://a.test/f"]), "text/xml") == "opml"
    assert sniff_kind(page(0), "text/html") is None


# --- local files ---


def _warc(path: Path, pages: dict[str, bytes]) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, body in pages.items():
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            )


def test_warc_file_built_here_yields_its_pages(tmp_path: Path) -> None:
    archive = tmp_path / "crawl.warc.gz"
    _warc(archive, {"http://news.test/a": page(0), "http://news.test/b": page(1)})
    found = documents(collect([str(archive)]))
    assert [(doc.uri, doc.data, doc.source) for doc in found] == [
        ("http://news.test/a", page(0), "warc"),
        ("http://news.test/b", page(1), "warc"),
    ]


def test_jsonl_and_csv_with_a_column_mapping(tmp_path: Path) -> None:
    jsonl = tmp_path / "export.jsonl"
    jsonl.write_text(
        "\n".join(
            json.dumps({"Story": text, "Headline": f"J{i}", "When": "2024-03-0" + str(i + 1)})
            for i, text in enumerate(PARAGRAPHS[:2])
        ),
        encoding="utf-8",
    )
    table = tmp_path / "export.csv"
    table.write_text(f'Story,Headline\n"{PARAGRAPHS[2]}",C0\n', encoding="utf-8")
    mapping = {"text": "Story", "title": "Headline", "published": "When"}
    found = documents(collect([str(jsonl), str(table)], records_mapping=mapping))
    assert [doc.declared_title for doc in found] == ["J0", "J1", "C0"]
    assert found[0].data == PARAGRAPHS[0].encode() and str(found[1].declared_published) == "2024-03-02"
    assert found[2].uri == f"{table}:2"


def test_gzipped_csv_names_the_gz_file(tmp_path: Path) -> None:
    packed = tmp_path / "export.csv.gz"
    packed.write_bytes(gzip.compress(f'text,title\n"{PARAGRAPHS[3]}",Z\n,empty\n'.encode()))
    document, error = collect([str(packed)])
    assert isinstance(document, RawDocument) and document.data == PARAGRAPHS[3].encode()
    assert document.uri == f"{packed}:2"
    assert isinstance(error, InputError) and error.input_name == f"{packed}:3"


def test_opml_file_listing_two_feeds(site: Site, fetcher: SafeFetcher, tmp_path: Path) -> None:
    site.routes["/one.xml"] = (200, RSS_TYPE, rss([("one", f"{site.base}/one.html", FULL_TEXT)]))
    site.routes["/two.xml"] = (200, RSS_TYPE, rss([("two", f"{site.base}/two.html", None)]))
    site.routes["/two.html"] = (200, HTML, page(3))
    listing = tmp_path / "feeds.opml"
    listing.write_bytes(opml([site.base + "/one.xml", site.base + "/two.xml"]))
    first, second = documents(collect([str(listing)], fetcher))
    assert first.uri == f"{site.base}/one.html" and second.data == page(3)


def test_folder_routes_each_file_by_its_kind(site: Site, fetcher: SafeFetcher, tmp_path: Path) -> None:
    site.routes["/linked.html"] = (200, HTML, page(1))
    folder = tmp_path / "drop"
    (folder / "deeper").mkdir(parents=True)
    (folder / "a.txt").write_text(PARAGRAPHS[0], encoding="utf-8")
    (folder / "b.jsonl").write_text(json.dumps({"text": PARAGRAPHS[1]}) + "\n", encoding="utf-8")
    _warc(folder / "deeper" / "c.warc.gz", {"http://news.test/c": page(2)})
    (folder / "deeper" / "d.rss").write_bytes(rss([("d", f"{site.base}/linked.html", None)]))
    (folder / "e.xml").write_bytes(BILLION_LAUGHS)
    (folder / ".hidden.txt").write_text("never read", encoding="utf-8")
    found = collect([str(folder)], fetcher)
    kinds = [item.source if isinstance(item, RawDocument) else "error" for item in found]
    assert kinds == ["file", "records", "warc", "feed", "error"]
    assert isinstance(found[3], RawDocument) and found[3].data == page(1)


def test_stdin_and_plain_files_still_go_through_files(tmp_path: Path) -> None:
    note = tmp_path / "note.html"
    note.write_bytes(page(0))
    found = documents(list(iter_sources([str(note), "-"], max_bytes=10_000, stdin=io.BytesIO(b"from a pipe"))))
    assert [doc.source for doc in found] == ["file", "stdin"] and found[1].data == b"from a pipe"


def test_urls_without_a_fetcher_are_errors_not_crashes() -> None:
    [error] = collect(["https://news.test/story"])
    assert isinstance(error, InputError) and "not enabled" in error.reason


# --- the ingest command ---


def test_ingest_command_takes_a_url_and_mapped_records(site: Site, tmp_path: Path) -> None:
    site.routes["/story.html"] = (200, HTML, page(0))
    table = tmp_path / "export.csv"
    table.write_text(f'Body,Headline\n"{PARAGRAPHS[2]} {PARAGRAPHS[3]}",Mapped\n', encoding="utf-8")
    db = tmp_path / "store.db"
    args = ["ingest", site.base + "/story.html", str(table), "--db", str(db), "--no-model", "--no-triage"]
    result = CliRunner().invoke(app, [*args, "--allow-private", "--mapping", "Body=text,Headline=title"])
    assert result.exit_code == 0, result.output
    assert "2 stored" in result.output

    refused = CliRunner().invoke(
        app, ["ingest", site.base + "/story.html", "--db", str(tmp_path / "b.db"), "--no-model"]
    )
    assert refused.exit_code == 1 and "loopback" in refused.output

    wrong = CliRunner().invoke(app, ["ingest", str(table), "--db", str(db), "--mapping", "Body=nothing"])
    assert wrong.exit_code == 2
