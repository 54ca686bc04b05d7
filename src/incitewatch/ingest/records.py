"""Article records from tabular exports (.json, .jsonl/.ndjson, .csv/.tsv) → RawDocument, one per record.

A mapping names, for each of our fields, the file's column holding it::

    iter_records("export.csv", {"text": "Body", "published": "Date (UTC)"})

Fields left out fall back to common column names (case-insensitive): text|content|body, html, title|headline,
url|link, date|published|pubDate, outlet|source|publisher. A record without text or HTML, an undecodable
line, a line that is not JSON: each yields an :class:`InputError` naming ``path:line`` and the rest go on.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from itertools import chain
from pathlib import Path
from types import MappingProxyType
from typing import Any

from incitewatch.errors import ConfigError, InputError
from incitewatch.types import RawDocument

FIELDS: tuple[str, ...] = ("text", "html", "title", "url", "published", "outlet")
DEFAULT_COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "text": ("text", "content", "body", "full_text", "article"),
        "html": ("html", "content_html", "raw_html"),
        "title": ("title", "headline"),
        "url": ("url", "link", "uri"),
        "published": ("date", "published", "pubdate", "published_at", "publication_date", "datetime"),
        "outlet": ("outlet", "source", "publisher", "site_name"),
    }
)
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}$")
# Keys under which a JSON object commonly wraps its list of records.
_WRAPPER_KEYS = ("articles", "items", "records", "documents", "data", "results")
_SUFFIXES = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "csv"}


@dataclass(frozen=True, slots=True)
class _Columns:
    """For each of our fields, the candidate column names, lower-cased, in order of preference."""

    by_field: Mapping[str, tuple[str, ...]]

    def value(self, record: Mapping[str, Any], field: str) -> Any:
        """The first non-empty value among ``field``'s columns; ``record`` has lower-cased keys."""
        for column in self.by_field[field]:
            value = record.get(column)
            if value is not None and value != "":
                return value
        return None


def _lowered(record: Mapping[Any, Any]) -> dict[str, Any]:
    # CSV rows carry surplus cells under the key None; they belong to no column.
    return {str(key).strip().lower(): value for key, value in record.items() if key is not None}


def iter_records(
    path: str | Path, mapping: Mapping[str, str] | None = None
) -> Iterator[RawDocument | InputError]:
    """Each record of a .json (object or list), .jsonl or .csv file as a RawDocument, or an error for it.

    Raises :class:`ConfigError` at once for a mapping naming a field we do not have.
    """
    columns = _columns(mapping)
    source = Path(path)
    kind = _SUFFIXES.get(source.suffix.lower())
    if kind is None:
        raise ConfigError(
            f"{source}: unsupported record file; expected one of {', '.join(sorted(_SUFFIXES))}"
        )
    readers = {"json": _json_records, "jsonl": _jsonl_records, "csv": _csv_records}
    return _documents(source, readers[kind](source, columns), columns)


def _columns(mapping: Mapping[str, str] | None) -> _Columns:
    mapping = mapping or {}
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise ConfigError(f"unknown record field(s) {', '.join(unknown)}; known: {', '.join(FIELDS)}")
    by_field = {
        field: (mapping[field].strip().lower(),) if field in mapping else DEFAULT_COLUMNS[field]
        for field in FIELDS
    }
    return _Columns(MappingProxyType(by_field))


def _documents(
    source: Path, records: Iterable[tuple[str, Mapping[str, Any] | InputError]], columns: _Columns
) -> Iterator[RawDocument | InputError]:
    try:
        for locator, record in records:
            yield record if isinstance(record, InputError) else _document(_lowered(record), locator, columns)
    except OSError as err:
        yield InputError(str(source), f"cannot read: {err.strerror or err}")


def _document(record: Mapping[str, Any], locator: str, columns: _Columns) -> RawDocument | InputError:
    try:
        text, html = _text(columns.value(record, "text")), _text(columns.value(record, "html"))
        title, url = _text(columns.value(record, "title")), _text(columns.value(record, "url"))
        outlet = _text(columns.value(record, "outlet"))
    except TypeError as err:
        return InputError(locator, str(err))
    if not (text and text.strip()) and not (html and html.strip()):
        wanted = columns.by_field["text"] + columns.by_field["html"]
        return InputError(locator, f"record has no text: none of the columns {', '.join(wanted)} has a value")
    # Ready-extracted text is preferred: it is what the provider considered the article.
    body, media_type = (text, "text/plain") if text and text.strip() else (html, "text/html")
    assert body is not None
    return RawDocument(
        data=body.encode("utf-8"),
        uri=url.strip() if url and url.strip() else locator,
        source="records",
        media_type=f"{media_type}; charset=utf-8",
        declared_published=parse_date(columns.value(record, "published")),
        declared_title=_one_line(title),
        declared_outlet=_one_line(outlet),
    )


def _one_line(value: str | None) -> str | None:
    return " ".join(value.split()) or None if value else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"expected text but found a JSON {type(value).__name__}")


def parse_date(value: Any) -> date | None:
    """A publication date from ISO 8601, RFC 2822 (RSS pubDate), a Unix timestamp or a written-out date."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_timestamp(float(value))
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    for parse in (_iso_date, _rfc2822_date, _written_date):
        parsed = parse(text)
        if parsed is not None:
            return parsed
    return None


def _from_timestamp(seconds: float) -> date | None:
    if seconds > 1e11:  # milliseconds, as JavaScript exports write them
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC).date()
    except (OverflowError, OSError, ValueError):
        return None


def _iso_date(text: str) -> date | None:
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _rfc2822_date(text: str) -> date | None:
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def _written_date(text: str) -> date | None:
    import dateparser  # slow to import; only needed for dates that are neither ISO nor RFC 2822

    numeric = _NUMERIC_DATE.match(text)
    if numeric and int(numeric[1]) <= 12 and int(numeric[2]) <= 12 and numeric[1] != numeric[2]:
        return None  # 03/04/2017: April in Europe, March in the US; no date beats a wrong one
    parsed = dateparser.parse(
        text,
        languages=["en"],  # English-language reports; detecting among all languages costs seconds
        settings={
            "STRICT_PARSING": True,
            "PARSERS": ["absolute-time"],  # "yesterday" is no publication date
            "REQUIRE_PARTS": ["day", "month", "year"],
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    return parsed.date() if parsed is not None else None


# --- readers: each yields (locator, record or error) ---


def _json_records(source: Path, columns: _Columns) -> Iterator[tuple[str, Mapping[str, Any] | InputError]]:
    try:
        document = json.loads(source.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        yield str(source), InputError(str(source), f"not valid JSON: {err}")
        return
    records = _unwrap(document, columns)
    if records is None:
        yield str(source), InputError(str(source), "expected a JSON object or a list of objects")
        return
    if isinstance(records, dict):
        yield str(source), records
        return
    for index, record in enumerate(records):
        locator = f"{source}[{index}]"
        yield locator, record if isinstance(record, dict) else _not_an_object(locator, record)


def _unwrap(document: Any, columns: _Columns) -> dict[str, Any] | list[Any] | None:
    """A list of records, a single record, or None for JSON that is neither."""
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        return None
    lowered = _lowered(document)
    if columns.value(lowered, "text") is None and columns.value(lowered, "html") is None:
        # {"articles": [...]} and the like: an envelope around the records, not a record itself.
        for key in _WRAPPER_KEYS:
            if isinstance(lowered.get(key), list):
                return list(lowered[key])
    return document


def _jsonl_records(source: Path, _columns: _Columns) -> Iterator[tuple[str, Mapping[str, Any] | InputError]]:
    with source.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            locator = f"{source}:{number}"
            line = raw.removeprefix(b"\xef\xbb\xbf") if number == 1 else raw
            if not line.strip():
                continue
            try:
                record = json.loads(line.decode("utf-8"))
            except UnicodeDecodeError as err:
                yield locator, InputError(locator, f"not valid UTF-8: {err.reason} at byte {err.start}")
                continue
            except json.JSONDecodeError as err:
                yield locator, InputError(locator, f"not valid JSON: {err}")
                continue
            yield locator, record if isinstance(record, dict) else _not_an_object(locator, record)


def _not_an_object(locator: str, value: Any) -> InputError:
    return InputError(locator, f"expected a JSON object per record, found a {type(value).__name__}")


def _csv_records(source: Path, _columns: _Columns) -> Iterator[tuple[str, Mapping[str, Any] | InputError]]:
    with source.open("rb") as handle:
        # Lines are decoded one by one with surrogateescape, so one bad byte spoils one row, not the file.
        lines = (raw.decode("utf-8", "surrogateescape") for raw in handle)
        first = next(lines, "").removeprefix("\ufeff")
        reader = csv.DictReader(chain([first], lines), delimiter=_delimiter(first, source))
        yield from _csv_rows(source, reader)


def _delimiter(header: str, source: Path) -> str:
    """Tab for .tsv; else the commonest of , ; tab | in the header line (European exports use ;)."""
    if source.suffix.lower() == ".tsv":
        return "\t"
    counts = {candidate: header.count(candidate) for candidate in ",;\t|"}
    best = max(counts, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def _csv_rows(
    source: Path, reader: csv.DictReader[str]
) -> Iterator[tuple[str, Mapping[str, Any] | InputError]]:
    if reader.fieldnames is None:  # reading the header also sets line_num past it
        return
    ended = reader.line_num
    while True:
        started = ended + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            ended = reader.line_num
            locator = f"{source}:{started}"
            yield locator, InputError(locator, f"malformed CSV row: {err}")
            continue
        ended = reader.line_num
        locator = f"{source}:{started}"
        if any(_has_undecodable(value) for value in row.values()):
            yield locator, InputError(locator, "row is not valid UTF-8")
            continue
        yield locator, row


def _has_undecodable(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]  # surplus cells arrive as a list
    return any(
        isinstance(item, str) and any("\udc80" <= char <= "\udcff" for char in item) for item in values
    )
