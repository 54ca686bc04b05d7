"""SafeFetcher against real HTTP servers on loopback, friendly and hostile."""

from __future__ import annotations

import gzip
import ipaddress
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from incitewatch.errors import ConfigError, InputError
from incitewatch.ingest.fetch import USER_AGENT, FetchConfig, SafeFetcher, address_refusal

PAGE = b"<html><head><title>Report</title></head><body><p>A news report about a raid.</p></body></html>"
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
BOMB = gzip.compress(b"\0" * 20_000_000, compresslevel=9)  # ~20 KB on the wire, 20 MB inflated


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hits: list[tuple[str, str, str]]  # (host header, path, user agent)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.hits.append((self.headers.get("Host", ""), self.path, self.headers.get("User-Agent", "")))
        route = ROUTES.get(urlsplit(self.path).path, _not_found)
        with suppress(BrokenPipeError, ConnectionResetError):  # the fetcher hung up on us, as it should
            route(self)

    def send(
        self, status: int, body: bytes, content_type: str | None = "text/html; charset=utf-8", **headers: str
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)


def _not_found(h: _Handler) -> None:
    h.send(404, b"not found")


def _robots(h: _Handler) -> None:
    host = h.headers.get("Host", "")
    if host.startswith("norobots."):
        h.send(404, b"none", "text/plain")
    elif host.startswith("brokenrobots."):
        h.send(503, b"down", "text/plain")
    else:
        h.send(200, ROBOTS, "text/plain")


def _redirect(h: _Handler) -> None:
    target = parse_qs(urlsplit(h.path).query)["to"][0]
    h.send(302, b"", None, Location=target)


def _slow_body(h: _Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "100")
    h.end_headers()
    for _ in range(100):  # one byte at a time, each well inside the read timeout
        h.wfile.write(b"x")
        h.wfile.flush()
        time.sleep(0.25)


def _slow_headers(h: _Handler) -> None:
    h.wfile.write(b"HTTP/1.1 200 OK\r\n")
    for byte in b"X-Padding: " + b"a" * 100:
        h.wfile.write(bytes([byte]))
        h.wfile.flush()
        time.sleep(0.25)


def _stall(h: _Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "10")
    h.end_headers()
    h.wfile.flush()
    time.sleep(3)


def _endless(h: _Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Connection", "close")
    h.end_headers()
    h.close_connection = True
    for _ in range(2000):  # 16 MB at most, far past any test cap
        h.wfile.write(b"<p>" + b"y" * 8189)


ROUTES: dict[str, Callable[[_Handler], None]] = {
    "/robots.txt": _robots,
    "/page.html": lambda h: h.send(200, PAGE),
    "/private/page.html": lambda h: h.send(200, PAGE),
    "/feed.xml": lambda h: h.send(200, b"<rss version='2.0'><channel/></rss>", "application/rss+xml"),
    "/image.png": lambda h: h.send(200, b"\x89PNG\r\n", "image/png"),
    "/untyped": lambda h: h.send(200, PAGE, None),
    "/gzip.html": lambda h: h.send(200, gzip.compress(PAGE), Content_Encoding="gzip"),
    "/deflate.html": lambda h: h.send(200, zlib.compress(PAGE)[2:-4], Content_Encoding="deflate"),
    "/brotli.html": lambda h: h.send(200, b"\x0b\x02", Content_Encoding="br"),
    "/bomb.html": lambda h: h.send(200, BOMB, Content_Encoding="gzip"),
    "/huge.html": lambda h: h.send(200, b"z" * 200_000),
    "/redirect": _redirect,
    "/loop-a": lambda h: h.send(302, b"", None, Location="/loop-b"),
    "/loop-b": lambda h: h.send(302, b"", None, Location="/loop-a"),
    "/to-file": lambda h: h.send(302, b"", None, Location="file:///etc/passwd"),
    "/slow-body": _slow_body,
    "/slow-headers": _slow_headers,
    "/stall": _stall,
    "/endless": _endless,
}


@contextmanager
def _serve(server: _Server) -> Iterator[_Server]:
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    with _serve(_Server(("127.0.0.1", 0), _Handler)) as running:
        yield running


@pytest.fixture(scope="module")
def second_server() -> Iterator[_Server]:
    """A second loopback address: an "allowed" network that redirects to a forbidden one."""
    try:
        bound = _Server(("127.0.0.2", 0), _Handler)
    except OSError:
        pytest.skip("127.0.0.2 is not usable on this machine (binding it failed)")
    with _serve(bound) as running:
        yield running


def _base(server: _Server) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


def _config(**overrides: object) -> FetchConfig:
    settings: dict[str, object] = {
        "allow_private": True,
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "total_timeout": 3.0,
        "max_bytes": 64 * 1024,
        "max_redirects": 3,
        "min_host_interval": 0.0,
    }
    settings.update(overrides)
    return FetchConfig(**settings)


def _fetch_error(
    url: str, config: FetchConfig, resolve: Callable[[str, int], Sequence[str]] | None = None
) -> InputError:
    with SafeFetcher(config, resolve=resolve) as fetcher, pytest.raises(InputError) as caught:
        fetcher.fetch(url)
    assert caught.value.input_name == url
    return caught.value


def test_fetches_a_page_with_honest_metadata(server: _Server) -> None:
    url = _base(server) + "/page.html"
    with SafeFetcher(_config()) as fetcher:
        doc = fetcher.fetch(url)
    assert doc.data == PAGE
    assert doc.uri == url
    assert doc.source == "url"
    assert doc.media_type == "text/html; charset=utf-8"
    assert doc.fetched_at is not None and doc.fetched_at.tzinfo is not None
    agents = {agent for _, path, agent in server.hits if path == "/page.html"}
    assert agents == {USER_AGENT}
    assert USER_AGENT.startswith("incitewatch/0.1 (+http")


def test_feeds_are_an_accepted_content_type(server: _Server) -> None:
    with SafeFetcher(_config()) as fetcher:
        doc = fetcher.fetch(_base(server) + "/feed.xml")
    assert doc.media_type == "application/rss+xml"


@pytest.mark.parametrize("path", ["/gzip.html", "/deflate.html"])
def test_decodes_gzip_and_raw_deflate(server: _Server, path: str) -> None:
    with SafeFetcher(_config()) as fetcher:
        assert fetcher.fetch(_base(server) + path).data == PAGE


def test_loopback_refused_by_default_without_connecting(server: _Server) -> None:
    before = len(server.hits)
    error = _fetch_error(_base(server) + "/page.html", _config(allow_private=False))
    assert "loopback" in error.reason and "allow_private" in error.reason
    assert len(server.hits) == before  # not even robots.txt was requested


def test_redirect_to_loopback_refused_at_the_hop(server: _Server, second_server: _Server) -> None:
    config = _config(allow_private=False, allowed_networks=("127.0.0.2/32",))
    with SafeFetcher(config) as fetcher:
        assert fetcher.fetch(_base(second_server) + "/page.html").data == PAGE  # the allowed network works
    target = _base(server) + "/page.html?via=redirect"
    error = _fetch_error(f"{_base(second_server)}/redirect?to={quote(target, safe='')}", config)
    assert "127.0.0.1" in error.reason and "loopback" in error.reason
    assert all("via=redirect" not in path for _, path, _ in server.hits)


def test_every_resolved_address_is_checked(server: _Server) -> None:
    port = server.server_address[1]
    asked: list[str] = []

    def resolve(host: str, _port: int) -> list[str]:
        asked.append(host)
        return ["93.184.216.34", "127.0.0.1"]  # one public answer does not excuse a loopback one

    before = len(server.hits)
    error = _fetch_error(f"http://mixed.test:{port}/page.html", _config(allow_private=False), resolve)
    assert "127.0.0.1" in error.reason
    assert asked == ["mixed.test"]
    assert len(server.hits) == before


def test_connects_to_the_checked_address_not_the_name(server: _Server) -> None:
    port = server.server_address[1]
    asked: list[str] = []

    def resolve(host: str, _port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    # "news.test" does not resolve in real DNS: success proves the socket went to the address we checked.
    with SafeFetcher(_config(), resolve=resolve) as fetcher:
        doc = fetcher.fetch(f"http://news.test:{port}/page.html")
    assert doc.data == PAGE
    assert set(asked) == {"news.test"}
    assert (f"news.test:{port}", "/page.html", USER_AGENT) in server.hits


def test_slow_loris_body_is_cut_by_the_total_deadline(server: _Server) -> None:
    started = time.monotonic()
    error = _fetch_error(_base(server) + "/slow-body", _config(total_timeout=0.8))
    assert "deadline" in error.reason
    # The body would take 25 s; the bound leaves a loaded CI machine seconds of slack over the 0.8 s deadline.
    assert time.monotonic() - started < 5.0


def test_slow_loris_headers_are_cut_by_the_total_deadline(server: _Server) -> None:
    started = time.monotonic()
    error = _fetch_error(_base(server) + "/slow-headers", _config(total_timeout=0.8))
    assert "deadline" in error.reason
    assert time.monotonic() - started < 5.0  # the headers would take 28 s


def test_a_stalled_server_hits_the_read_timeout(server: _Server) -> None:
    started = time.monotonic()
    error = _fetch_error(_base(server) + "/stall", _config(read_timeout=0.3))
    assert "read timeout" in error.reason
    assert time.monotonic() - started < 2.5  # the server stalls for 3 s


def test_endless_body_is_cut_at_the_size_cap(server: _Server) -> None:
    error = _fetch_error(_base(server) + "/endless", _config())
    assert "size cap of 65536 bytes" in error.reason


def test_declared_oversize_body_is_refused_before_reading(server: _Server) -> None:
    error = _fetch_error(_base(server) + "/huge.html", _config())
    assert "body of 200000 bytes exceeds" in error.reason


def test_gzip_bomb_is_not_inflated_past_the_cap(server: _Server) -> None:
    started = time.monotonic()
    error = _fetch_error(_base(server) + "/bomb.html", _config())
    assert "decompressed body exceeds the size cap" in error.reason
    assert time.monotonic() - started < 5.0  # a runaway guard only: the reason above proves the cap


def test_unsupported_content_encoding_is_refused(server: _Server) -> None:
    assert "content encoding 'br'" in _fetch_error(_base(server) + "/brotli.html", _config()).reason


def test_redirect_loop_is_detected(server: _Server) -> None:
    assert "redirect loop" in _fetch_error(_base(server) + "/loop-a", _config(max_redirects=10)).reason


def test_redirect_chain_follows_within_the_limit(server: _Server) -> None:
    url = _base(server) + "/page.html"
    for _ in range(3):
        url = _base(server) + "/redirect?to=" + quote(url, safe="")
    with SafeFetcher(_config(max_redirects=3)) as fetcher:
        doc = fetcher.fetch(url)
    assert doc.uri == _base(server) + "/page.html"
    error = _fetch_error(url, _config(max_redirects=2))
    assert "more than 2 redirects" in error.reason


def test_redirect_to_another_scheme_is_refused(server: _Server) -> None:
    assert "only http and https" in _fetch_error(_base(server) + "/to-file", _config()).reason


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/image.png", "unsupported content type 'image/png'"), ("/untyped", "no Content-Type")],
)
def test_wrong_content_type_is_refused(server: _Server, path: str, expected: str) -> None:
    assert expected in _fetch_error(_base(server) + path, _config()).reason


def test_http_errors_are_reported(server: _Server) -> None:
    assert "HTTP 404" in _fetch_error(_base(server) + "/missing", _config()).reason


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "not a url"])
def test_only_http_urls_are_fetched(url: str) -> None:
    assert "http" in _fetch_error(url, _config()).reason


def test_robots_txt_is_obeyed_and_cached_per_host(server: _Server) -> None:
    before = sum(path == "/robots.txt" for _, path, _ in server.hits)
    with SafeFetcher(_config()) as fetcher:
        fetcher.fetch(_base(server) + "/page.html")
        fetcher.fetch(_base(server) + "/page.html")
        with pytest.raises(InputError, match=r"robots\.txt"):
            fetcher.fetch(_base(server) + "/private/page.html")
    assert sum(path == "/robots.txt" for _, path, _ in server.hits) == before + 1
    with SafeFetcher(_config(respect_robots=False)) as fetcher:
        assert fetcher.fetch(_base(server) + "/private/page.html").data == PAGE


def test_missing_robots_allows_and_broken_robots_refuses(server: _Server) -> None:
    port = server.server_address[1]
    loopback = lambda host, _port: ["127.0.0.1"]  # noqa: E731
    with SafeFetcher(_config(), resolve=loopback) as fetcher:
        assert fetcher.fetch(f"http://norobots.test:{port}/private/page.html").data == PAGE
    error = _fetch_error(f"http://brokenrobots.test:{port}/page.html", _config(), loopback)
    assert "robots.txt unavailable (HTTP 503)" in error.reason


def test_requests_to_one_host_are_spaced(server: _Server) -> None:
    started = time.monotonic()
    with SafeFetcher(_config(min_host_interval=0.2)) as fetcher:
        fetcher.fetch(_base(server) + "/page.html")  # robots.txt, then the page
        fetcher.fetch(_base(server) + "/page.html")
    assert time.monotonic() - started >= 0.4


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-global"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("ff02::1", "multicast"),
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_address_refusal(address: str, kind: str | None) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == kind


def test_config_is_validated() -> None:
    with pytest.raises(ConfigError):
        FetchConfig(allowed_networks=("not-a-network",))
    with pytest.raises(ConfigError):
        FetchConfig(total_timeout=0)
