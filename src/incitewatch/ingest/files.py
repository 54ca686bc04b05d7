"""Files, folders and stdin → RawDocument; problems are yielded as InputError, never stopping a batch.

Sizes are checked with ``os.stat`` before anything is read, so an oversized file costs no memory.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO

from incitewatch.errors import InputError
from incitewatch.types import RawDocument

STDIN_NAME = "-"
STDIN_URI = "stdin:"

# Media types by extension; anything else is left as None for the cleaner to sniff from the bytes.
MEDIA_TYPES = MappingProxyType(
    {
        ".txt": "text/plain",
        ".text": "text/plain",
        ".md": "text/markdown",
        ".markdown": "text/markdown",
        ".html": "text/html",
        ".htm": "text/html",
        ".xhtml": "application/xhtml+xml",
        ".json": "application/json",
        ".jsonl": "application/x-ndjson",
        ".ndjson": "application/x-ndjson",
        ".csv": "text/csv",
    }
)


def iter_raw_documents(
    paths: Sequence[str | Path], *, max_bytes: int, stdin: BinaryIO | None = None
) -> Iterator[RawDocument | InputError]:
    """Read files, folders (recursively, in name order, hidden entries skipped) and ``"-"`` (stdin).

    ``stdin`` defaults to ``sys.stdin.buffer``; tests pass their own stream.
    """
    for path in paths:
        if str(path) == STDIN_NAME:
            yield _read_stdin(stdin if stdin is not None else sys.stdin.buffer, max_bytes)
        else:
            yield from _iter_path(Path(path), str(path), max_bytes, explicit=True)


def media_type_for(path: Path) -> str | None:
    return MEDIA_TYPES.get(path.suffix.lower())


def describe_size(size: int) -> str:
    """Decimal units as file managers show them: "850 bytes", "12.5 kB", "52.4 MB"."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def too_large_reason(size: int, max_bytes: int) -> str:
    actual, limit = describe_size(size), describe_size(max_bytes)
    if actual == limit:  # rounding hid the difference; exact byte counts show it
        actual, limit = f"{size} bytes", f"{max_bytes} bytes"
    return f"too large ({actual} > {limit} limit)"


def _iter_path(
    path: Path, name: str, max_bytes: int, *, explicit: bool
) -> Iterator[RawDocument | InputError]:
    try:
        info = path.stat()
    except FileNotFoundError:
        yield InputError(name, "no such file")
        return
    except OSError as exc:
        yield InputError(name, f"cannot read: {_reason(exc)}")
        return
    if stat.S_ISDIR(info.st_mode):
        # Symlinked folders found inside a walk are not followed, so a link loop cannot recurse forever.
        if explicit or not path.is_symlink():
            yield from _iter_folder(path, name, max_bytes)
    elif stat.S_ISREG(info.st_mode):
        yield _read_file(path, name, info.st_size, max_bytes)
    else:
        yield InputError(name, "not a regular file or folder")


def _iter_folder(folder: Path, name: str, max_bytes: int) -> Iterator[RawDocument | InputError]:
    try:
        with os.scandir(folder) as scan:
            entries = sorted(entry.name for entry in scan if not entry.name.startswith("."))
    except OSError as exc:
        yield InputError(name, f"cannot list folder: {_reason(exc)}")
        return
    for entry in entries:
        yield from _iter_path(folder / entry, os.path.join(name, entry), max_bytes, explicit=False)


def _read_file(path: Path, name: str, size: int, max_bytes: int) -> RawDocument | InputError:
    if size > max_bytes:
        return InputError(name, too_large_reason(size, max_bytes))
    try:
        with path.open("rb") as handle:
            # One byte more than allowed tells us if the file grew after the stat.
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        return InputError(name, f"cannot read: {_reason(exc)}")
    if len(data) > max_bytes:
        return InputError(name, f"too large (grew past the {describe_size(max_bytes)} limit while reading)")
    return RawDocument(
        data=data, uri=path.absolute().as_uri(), source="file", media_type=media_type_for(path)
    )


def _read_stdin(stream: BinaryIO, max_bytes: int) -> RawDocument | InputError:
    try:
        data = stream.read(max_bytes + 1)
    except OSError as exc:
        return InputError("stdin", f"cannot read: {_reason(exc)}")
    if len(data) > max_bytes:
        return InputError("stdin", f"too large (more than the {describe_size(max_bytes)} limit)")
    return RawDocument(data=data, uri=STDIN_URI, source="stdin")


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()
