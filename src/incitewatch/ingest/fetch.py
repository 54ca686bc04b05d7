"""A careful HTTP fetcher: one URL in, one :class:`RawDocument` out, or an :class:`InputError` saying why not.

Analysts paste links from hostile places, so every fetch is bounded and checked:

* every host name is resolved by us, *every* resolved address is checked (private, loopback, link-local,
  multicast, reserved and unspecified addresses are refused unless ``allow_private``), and the socket is
  opened to the address we checked, so a DNS answer cannot change between check and connect (DNS
  rebinding). This happens inside the connection layer, so every redirect hop and every robots.txt request
  is checked too;
* connect and read timeouts, plus a total deadline applied to every socket operation, so a server trickling
  one byte a second (headers included) is cut off;
* a size cap counted while streaming, after decompression, with the decompressor itself bounded: a gzip bomb
  never expands past the cap in memory;
* a redirect limit and loop detection; only http and https;
* an allow-list of media types (pages and feeds);
* robots.txt obeyed (cached per origin), a minimum interval between requests to one host, an honest
  user agent;
* environment proxies are ignored: a proxy would resolve names itself and bypass the address checks.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import typing
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from incitewatch.errors import ConfigError, InputError
from incitewatch.types import RawDocument

PROJECT_URL = "https://github.com/incitewatch/incitewatch"
USER_AGENT = f"incitewatch/0.1 (+{PROJECT_URL})"
# The token matched against ``User-agent:`` lines in robots.txt.
ROBOTS_AGENT = "incitewatch"

DEFAULT_MEDIA_TYPES: tuple[str, ...] = (
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "text/xml",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/json",
)

# Resolves (host, port) to IP address strings; injectable so tests can simulate DNS answers.
Resolver = Callable[[str, int], Sequence[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_TRANSPORT_ERRORS: tuple[type[Exception], ...] = (
    httpx.HTTPError,
    httpx.InvalidURL,
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
)


@dataclass(frozen=True, slots=True)
class FetchConfig:
    """Limits and manners of :class:`SafeFetcher`. Defaults suit fetching news pages on the open internet."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0  # the whole fetch, redirects and robots.txt included
    max_bytes: int = 10 * 1024 * 1024  # after decompression
    max_redirects: int = 5
    allow_private: bool = False
    # Networks allowed even though they are private, e.g. ("10.20.0.0/16",) for one intranet segment.
    allowed_networks: tuple[str, ...] = ()
    respect_robots: bool = True
    robots_max_bytes: int = 512 * 1024
    robots_cache_seconds: float = 3600.0
    min_host_interval: float = 1.0  # seconds between two requests to the same host
    user_agent: str = USER_AGENT
    media_types: tuple[str, ...] = DEFAULT_MEDIA_TYPES
    verify_tls: bool = True
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"fetch.{name} must be positive, got {getattr(self, name)!r}")
        if self.max_bytes <= 0 or self.robots_max_bytes <= 0:
            raise ConfigError("fetch.max_bytes and fetch.robots_max_bytes must be positive")
        if self.max_redirects < 0 or self.min_host_interval < 0:
            raise ConfigError("fetch.max_redirects and fetch.min_host_interval must not be negative")
        try:
            networks = tuple(ipaddress.ip_network(net, strict=False) for net in self.allowed_networks)
        except ValueError as err:
            raise ConfigError(f"fetch.allowed_networks: {err}") from err
        object.__setattr__(self, "networks", networks)


class _Refused(Exception):
    """Internal: the fetch must stop; ``reason`` becomes the InputError's reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def address_refusal(address: IPAddress) -> str | None:
    """Why ``address`` must not be contacted by default, or None for a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    checks = (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-global", not address.is_global),
    )
    return next((kind for kind, applies in checks if applies), None)


def _system_resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise _Refused(f"cannot resolve host {host!r}: {err}") from err
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _Deadline:
    """The total deadline of this thread's fetch; every socket operation gets at most the time left."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._local = threading.local()

    def start(self) -> None:
        self._local.at = time.monotonic() + self._seconds

    def extend(self, seconds: float) -> None:
        # Time spent waiting for our own rate limit is not the server's fault.
        if getattr(self._local, "at", None) is not None:
            self._local.at += seconds

    def clear(self) -> None:
        self._local.at = None

    def expired(self) -> bool:
        at = getattr(self._local, "at", None)
        return at is not None and time.monotonic() >= at

    def bound(self, timeout: float | None) -> float | None:
        at = getattr(self._local, "at", None)
        if at is None:
            return timeout
        left = at - time.monotonic()
        if left <= 0:
            raise _Refused(f"gave up after the total deadline of {self._seconds:g}s (server too slow)")
        return left if timeout is None else min(timeout, left)


class _GuardedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.bound(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.bound(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: typing.Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        # server_hostname is the URL's host name, so SNI and certificate checks are unaffected by IP pinning.
        inner = self._inner.start_tls(ssl_context, server_hostname, self._deadline.bound(timeout))
        return _GuardedStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves, checks every address, then connects to a checked address: never to a name."""

    def __init__(self, config: FetchConfig, resolve: Resolver, deadline: _Deadline) -> None:
        self._config = config
        self._resolve = resolve
        self._deadline = deadline
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._checked_addresses(host, port)
        error: Exception = httpcore.ConnectError(f"no address to connect to for {host}")
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(
                    address, port, self._deadline.bound(timeout), local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as err:
                error = err
                continue
            return _GuardedStream(stream, self._deadline)
        raise error

    def _checked_addresses(self, host: str, port: int) -> list[str]:
        addresses = [str(address) for address in self._resolve(host, port)]
        for text in addresses:
            try:
                address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone id
            except ValueError as err:
                raise _Refused(f"resolver returned an invalid address {text!r} for {host}") from err
            self._check_address(host, address)
        return addresses

    def _check_address(self, host: str, address: IPAddress) -> None:
        if self._config.allow_private or any(address in net for net in self._config.networks):
            return
        kind = address_refusal(address)
        if kind is not None:
            raise _Refused(
                f"refused to connect to {host} ({address}): {kind} address; "
                "pass allow_private=True (or allowed_networks) to fetch from private networks"
            )

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise _Refused("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _CoreByteStream(httpx.SyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        stream = self._response.stream
        assert isinstance(stream, typing.Iterable)
        yield from stream

    def close(self) -> None:
        self._response.close()


class _GuardedTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore pool that uses :class:`_GuardedBackend` for every connection."""

    def __init__(self, backend: _GuardedBackend, verify: bool) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            network_backend=backend,
            max_connections=20,
            keepalive_expiry=5.0,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        core_response = self._pool.handle_request(core_request)
        return httpx.Response(
            status_code=core_response.status,
            headers=core_response.headers,
            stream=_CoreByteStream(core_response),
            extensions=core_response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


class _BoundedDecoder:
    """Undoes a Content-Encoding while counting output: decompression stops one byte past the cap."""

    def __init__(self, encoding: str, limit: int) -> None:
        self._limit = limit
        self._size = 0
        self._encoding = encoding
        self._raw_deflate_tried = False
        self._inflater: typing.Any = None
        if encoding == "gzip":
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self._inflater = zlib.decompressobj()

    @property
    def is_identity(self) -> bool:
        return self._inflater is None

    def feed(self, chunk: bytes) -> bytes:
        if self._inflater is None:
            return self._count(chunk)
        try:
            out = self._inflater.decompress(chunk, self._limit - self._size + 1)
        except zlib.error as err:
            if self._encoding == "deflate" and self._size == 0 and not self._raw_deflate_tried:
                # Some servers send raw deflate without the zlib header the standard asks for.
                self._raw_deflate_tried = True
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.feed(chunk)
            raise _Refused(f"corrupt {self._encoding} body: {err}") from err
        return self._count(out)

    def finish(self) -> bytes:
        return self._count(self._inflater.flush()) if self._inflater is not None else b""

    def _count(self, data: bytes) -> bytes:
        self._size += len(data)
        if self._size > self._limit:
            what = "decompressed body" if self._inflater is not None else "body"
            raise _Refused(f"{what} exceeds the size cap of {self._limit} bytes")
        return data


class _HostThrottle:
    """At most one request per ``interval`` seconds to each host; callers reserve slots under a lock."""

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._next_slot: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> float:
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + self._interval
        delay = slot - now
        if delay > 0:
            time.sleep(delay)
        return delay


@dataclass(frozen=True, slots=True)
class _Received:
    url: httpx.URL
    status: int
    content_type: str | None
    data: bytes


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def _content_encoding(headers: httpx.Headers) -> str:
    declared = headers.get("content-encoding", "")
    encodings = [part.strip().lower() for part in declared.split(",")]
    encodings = [encoding for encoding in encodings if encoding not in ("", "identity")]
    if not encodings:
        return "identity"
    if len(encodings) > 1 or encodings[0] not in ("gzip", "x-gzip", "deflate"):
        raise _Refused(f"unsupported content encoding {declared!r}")
    return "gzip" if encodings[0] == "x-gzip" else encodings[0]


class SafeFetcher:
    """Fetches URLs into :class:`RawDocument` within the limits of a :class:`FetchConfig`.

    Use as a context manager (or call :meth:`close`). Thread-safe: each thread's fetch has its own deadline.
    """

    def __init__(self, config: FetchConfig | None = None, *, resolve: Resolver | None = None) -> None:
        self._config = config or FetchConfig()
        self._deadline = _Deadline(self._config.total_timeout)
        self._throttle = _HostThrottle(self._config.min_host_interval)
        self._robots: dict[str, tuple[RobotFileParser, float]] = {}
        self._robots_lock = threading.Lock()
        backend = _GuardedBackend(self._config, resolve or _system_resolve, self._deadline)
        self._client = httpx.Client(
            transport=_GuardedTransport(backend, self._config.verify_tls),
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(
                connect=self._config.connect_timeout,
                read=self._config.read_timeout,
                write=self._config.read_timeout,
                pool=self._config.connect_timeout,
            ),
            headers={
                "User-Agent": self._config.user_agent,
                # Other types are refused with a clear reason rather than answered with 406 by the server.
                "Accept": ", ".join(self._config.media_types) + ", */*;q=0.1",
                # Only encodings we can decode with a bounded decompressor.
                "Accept-Encoding": "gzip, deflate",
            },
        )

    @property
    def config(self) -> FetchConfig:
        return self._config

    def __enter__(self) -> SafeFetcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str) -> RawDocument:
        """Fetch ``url``; raise :class:`InputError` (url, reason) when it cannot or must not be fetched."""
        self._deadline.start()
        try:
            received = self._follow(url, self._config.max_bytes, page=True)
            return self._to_document(received)
        except _Refused as err:
            raise InputError(url, err.reason) from None
        except _TRANSPORT_ERRORS as err:
            raise InputError(url, self._describe(err)) from None
        finally:
            self._deadline.clear()

    def _to_document(self, received: _Received) -> RawDocument:
        if not 200 <= received.status < 300:
            raise _Refused(f"HTTP {received.status} from {received.url}")
        return RawDocument(
            data=received.data,
            uri=str(received.url),
            source="url",
            media_type=received.content_type,
            fetched_at=datetime.now(UTC),
        )

    def _describe(self, err: Exception) -> str:
        if self._deadline.expired():
            return f"gave up after the total deadline of {self._config.total_timeout:g}s (server too slow)"
        if isinstance(err, httpx.ConnectTimeout | httpcore.ConnectTimeout):
            return f"connection timed out after {self._config.connect_timeout:g}s"
        if isinstance(err, httpx.TimeoutException | httpcore.TimeoutException):
            return f"server sent nothing for {self._config.read_timeout:g}s (read timeout)"
        return f"network error: {type(err).__name__}: {err}"

    def _follow(self, url: str, limit: int, *, page: bool) -> _Received:
        """GET ``url``, following redirects; ``page`` is False for robots.txt (no robots or type checks)."""
        current = self._parse_url(url)
        visited: set[str] = set()
        for _ in range(self._config.max_redirects + 1):
            if page and self._config.respect_robots:
                self._check_robots(current)
            visited.add(str(current))
            self._deadline.extend(self._throttle.wait(current.host))
            with self._client.stream("GET", current) as response:
                location = response.headers.get("location")
                if response.status_code not in _REDIRECT_STATUSES or not location:
                    return self._receive(response, limit, check_type=page)
            try:
                following = self._parse_url(str(current.join(location)))
            except httpx.InvalidURL as err:
                raise _Refused(f"{current} redirects to an invalid location {location!r}") from err
            if str(following) in visited:
                raise _Refused(f"redirect loop: {current} leads back to {following}")
            current = following
        raise _Refused(f"more than {self._config.max_redirects} redirects")

    @staticmethod
    def _parse_url(url: str) -> httpx.URL:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as err:
            raise _Refused(f"not a valid URL: {err}") from err
        if parsed.scheme not in ("http", "https"):
            raise _Refused(f"only http and https URLs are fetched, not {parsed.scheme or 'a relative URL'!r}")
        if not parsed.host:
            raise _Refused("URL has no host")
        return parsed

    def _receive(self, response: httpx.Response, limit: int, *, check_type: bool) -> _Received:
        content_type = response.headers.get("content-type")
        if not response.is_success:
            return _Received(response.url, response.status_code, content_type, b"")  # the status says it all
        if check_type:
            self._check_media_type(content_type)

        decoder = _BoundedDecoder(_content_encoding(response.headers), limit)
        declared = response.headers.get("content-length", "")
        if decoder.is_identity and declared.isdigit() and int(declared) > limit:
            raise _Refused(f"body of {declared} bytes exceeds the size cap of {limit} bytes")
        body = bytearray()
        for chunk in response.iter_raw():
            body += decoder.feed(chunk)
        body += decoder.finish()
        return _Received(response.url, response.status_code, content_type, bytes(body))

    def _check_media_type(self, content_type: str | None) -> None:
        media_type = _media_type(content_type)
        if media_type is None:
            raise _Refused("response has no Content-Type; expected a page or a feed")
        if media_type not in self._config.media_types:
            raise _Refused(f"unsupported content type {media_type!r}; expected a page or a feed")

    def _check_robots(self, url: httpx.URL) -> None:
        robots = self._robots_for(url)
        if not robots.can_fetch(ROBOTS_AGENT, str(url)):
            raise _Refused(f"robots.txt of {url.host} disallows {url.raw_path.decode('ascii', 'replace')}")

    def _robots_for(self, url: httpx.URL) -> RobotFileParser:
        origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
        with self._robots_lock:
            cached = self._robots.get(origin)
        if cached is not None and time.monotonic() - cached[1] < self._config.robots_cache_seconds:
            return cached[0]
        robots = self._load_robots(origin)
        with self._robots_lock:
            self._robots[origin] = (robots, time.monotonic())
        return robots

    def _load_robots(self, origin: str) -> RobotFileParser:
        robots_url = f"{origin}/robots.txt"
        try:
            received = self._follow(robots_url, self._config.robots_max_bytes, page=False)
        except _TRANSPORT_ERRORS as err:
            raise _Refused(f"{self._describe(err)} (while reading {robots_url})") from err

        robots = RobotFileParser(robots_url)
        if 200 <= received.status < 300:
            robots.parse(received.data.decode("utf-8", "replace").splitlines())
        elif received.status in (401, 403):
            # The convention urllib.robotparser.read() follows: an access-controlled robots.txt forbids all.
            robots.parse(["User-agent: *", "Disallow: /"])
        elif 400 <= received.status < 500:
            robots.parse([])  # no robots.txt: everything allowed

        else:
            raise _Refused(f"robots.txt unavailable (HTTP {received.status}); not fetching")
        return robots
