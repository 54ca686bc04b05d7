"""Web archives (WARC and ARC, plain or gzip'd per record) → RawDocument for each archived page.

Only successful (2xx) HTTP ``response`` records whose payload is HTML or text become documents; requests,
metadata, redirects, images and the like are skipped silently. ``resource`` records (a page stored without
HTTP headers) count too when their own Content-Type is HTML or text.

A corrupt record yields an :class:`InputError` naming ``path@offset``, and reading resumes at the next record
boundary found after it (the next gzip member, ``WARC/1.x`` header or ARC header line), so one bad record does
not cost the rest of the archive.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.timeutils import iso_date_to_datetime

from incitewatch.errors import InputError
from incitewatch.types import RawDocument

PAGE_MEDIA_TYPES: tuple[str, ...] = ("text/html", "application/xhtml+xml", "text/plain")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # per payload, after decoding

_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_START = re.compile(rb"(?:^|\n)(WARC/1\.[01]\r?\n)")
_ARC_START = re.compile(rb"\n(\S+://\S+ [0-9A-Fa-f.:]+ \d{14} \S+ \d+\r?\n)")
_SCAN_CHUNK = 1024 * 1024


def iter_warc(
    path: str | PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    media_types: tuple[str, ...] = PAGE_MEDIA_TYPES,
) -> Iterator[RawDocument | InputError]:
    """Each archived HTML/text page of a WARC or ARC file (``.gz`` or not), or an error for a bad record."""
    archive = Path(path)
    try:
        stream = archive.open("rb")
    except OSError as err:
        yield InputError(str(archive), f"cannot open archive: {err.strerror or err}")
        return
    with stream:
        gzipped = stream.read(2) == _GZIP_MAGIC[:2]
        offset: int | None = 0
        while offset is not None:
            offset = yield from _read_from(stream, offset, archive, gzipped, max_bytes, media_types)


def _read_from(
    stream: IO[bytes], offset: int, archive: Path, gzipped: bool, max_bytes: int, media_types: tuple[str, ...]
) -> Generator[RawDocument | InputError, None, int | None]:
    """Read records from ``offset``; returns where to resume after a corrupt record, or None at the end."""
    stream.seek(offset)
    records = ArchiveIterator(stream, arc2warc=True)
    handled = offset  # where the last record read without error starts
    try:
        for record in records:
            if gzipped and records.reader.decompressor is None:
                raise _RawMember
            handled = int(records.offset)
            outcome = _page(record, archive, records.offset, max_bytes, media_types)
            damage = _damage(record) if outcome is None else None
            if damage is not None:
                # Not a page, or a page whose headers were cut off: say so rather than skip it quietly.
                outcome = InputError(f"{archive}@{records.offset}", damage)
            if outcome is not None:
                yield outcome

    except Exception as err:  # warcio raises assorted exception types on damaged input; all mean "corrupt"
        failed_at = int(records.offset)
        yield InputError(f"{archive}@{failed_at}", f"corrupt archive record: {_first_line(err)}")
        return _resume_after(stream, handled, failed_at, gzipped)
    # warcio ends quietly when the last record's header is cut off, and also at some damaged gzip members: bytes
    # left over are either a cut-off end or a damaged record with intact ones after it, read on from the next.
    end = stream.seek(0, 2)
    if records.offset >= end:
        return None
    resume = _resume_after(stream, handled, int(records.offset), gzipped)
    if resume is None:
        yield InputError(f"{archive}@{records.offset}", "archive ends inside a record (file cut short?)")
        return None
    yield InputError(f"{archive}@{records.offset}", "corrupt archive record: unreadable, skipped to the next record")
    return resume


class _RawMember(Exception):
    """warcio met a gzip member it could not decompress and went on reading the file's bytes raw: the record it
    made of them is garbage, and it would swallow the intact members after it."""

    def __str__(self) -> str:
        return "gzip member does not decompress"


def _resume_after(stream: IO[bytes], handled: int, stopped_at: int, gzipped: bool) -> int | None:
    """Where to read on after damage: the first record after the last one read whole. warcio can read a damaged
    gzip member as raw bytes and stop only records later (the error then names a later offset, and the intact
    records in between were lost now and then); the record it stopped at is skipped, not read again."""
    resume = _next_record_start(stream, handled + 1, gzipped)
    if resume == stopped_at:
        return _next_record_start(stream, stopped_at + 1, gzipped)
    return resume


def _page(
    record: Any, archive: Path, offset: int, max_bytes: int, media_types: tuple[str, ...]
) -> RawDocument | InputError | None:
    """The page in ``record``; None for records that are not pages (skipped silently)."""
    content_type = _content_type(record)
    if content_type is None or content_type.split(";", 1)[0].strip().lower() not in media_types:
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI") or f"{archive}@{offset}"
    try:
        data = record.content_stream().read(max_bytes + 1)
    except Exception as err:  # warcio decodes hostile chunking/compression; any failure is this record's
        return InputError(uri, f"cannot decode archived payload: {_first_line(err)}")
    if len(data) > max_bytes:
        return InputError(uri, f"archived payload exceeds the size cap of {max_bytes} bytes")
    damage = _damage(record)
    if damage is not None:
        return InputError(uri, damage)
    return RawDocument(
        data=data,
        uri=uri,
        source="warc",
        media_type=content_type,
        fetched_at=_warc_date(record.rec_headers.get_header("WARC-Date")),
    )


def _damage(record: Any) -> str | None:
    """Why the record is incomplete (no declared length, or fewer bytes than declared), or None if whole."""
    raw = record.raw_stream
    if not hasattr(raw, "limit"):
        # warcio bounds every record that declares its length; an unbounded one lost its header.
        return "archive record has no Content-Length (header damaged or file cut short)"
    while raw.read(64 * 1024):
        pass  # the payload reader may stop before the record's end; drain it without keeping anything
    missing = int(raw.limit)
    return f"archived record is truncated ({missing} bytes missing)" if missing > 0 else None


def _content_type(record: Any) -> str | None:
    """The payload's media type for a 2xx HTTP response or a resource record; None for anything else."""
    if record.rec_type == "response":
        headers = record.http_headers
        if headers is None or not headers.get_statuscode().startswith("2"):
            return None
        value = headers.get_header("Content-Type")
    elif record.rec_type == "resource":
        value = record.rec_headers.get_header("Content-Type")
    else:
        return None
    return " ".join(value.split()) if value else None


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = iso_date_to_datetime(value)
    except (ValueError, TypeError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _next_record_start(stream: IO[bytes], start: int, gzipped: bool) -> int | None:
    """Offset of the first record boundary at or after ``start`` (scanning in chunks), or None."""
    position = start
    overlap = 512  # a boundary split across two chunks is still found
    while True:
        stream.seek(position)
        chunk = stream.read(_SCAN_CHUNK)
        if not chunk:
            return None
        found = _boundary_in(chunk, gzipped)
        if found is not None:
            return position + found
        if len(chunk) < _SCAN_CHUNK:
            return None
        position += len(chunk) - overlap


def _boundary_in(chunk: bytes, gzipped: bool) -> int | None:
    if gzipped:
        index = chunk.find(_GZIP_MAGIC)
        while index >= 0:
            if _opens_a_record(chunk[index : index + _PROBE_BYTES]):
                return index
            index = chunk.find(_GZIP_MAGIC, index + 1)
        return None
    found = [match.start(1) for pattern in (_WARC_START, _ARC_START) if (match := pattern.search(chunk))]
    return min(found) if found else None


_PROBE_BYTES = 4096


def _opens_a_record(candidate: bytes) -> bool:
    """Whether a gzip member starting here decompresses to the head of a WARC or ARC record: the three magic bytes
    also turn up by chance inside compressed data, and resuming there loses the records after a damaged one."""
    try:
        head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(candidate, 64)
    except zlib.error:
        return False
    return head.startswith(b"WARC/1.") or bool(_ARC_START.match(b"\n" + head))


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    if not isinstance(err, ArchiveLoadFailed):
        text = f"{type(err).__name__}: {text}" if text else type(err).__name__
    return text.splitlines()[0][:120]
