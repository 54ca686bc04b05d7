"""Bytes → clean Unicode text: size and binary checks, media-type sniffing, charset choice, normalisation.

Everything here is linear in the input size: byte counting uses ``bytes.translate`` and text clean-up uses one
``str.translate`` table, so the stage stays cheap when it runs for every document.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zlib
from email.message import Message
from functools import lru_cache
from urllib.parse import urlsplit

from charset_normalizer import from_bytes

from incitewatch.errors import InputError

# (leading bytes, label for messages, media type): signatures long or odd enough never to start a news text.
MAGIC_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "PDF", "application/pdf"),
    (b"PK\x03\x04", "ZIP archive", "application/zip"),
    (b"PK\x05\x06", "ZIP archive", "application/zip"),
    (b"\x89PNG\r\n\x1a\n", "PNG image", "image/png"),
    (b"\xff\xd8\xff", "JPEG image", "image/jpeg"),
    (b"GIF87a", "GIF image", "image/gif"),
    (b"GIF89a", "GIF image", "image/gif"),
    (b"\x7fELF", "ELF executable", "application/x-executable"),
    (b"\x1f\x8b", "gzip archive", "application/gzip"),
    (b"\xfd7zXZ\x00", "xz archive", "application/x-xz"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "RAR archive", "application/vnd.rar"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office document", "application/x-ole-storage"),
    (b"SQLite format 3\x00", "SQLite database", "application/vnd.sqlite3"),
)
GZIP_MEDIA_TYPES = frozenset({"application/gzip", "application/x-gzip"})
HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Declared types that say nothing about the content; sniffing decides instead.
GENERIC_MEDIA_TYPES = frozenset(
    {"application/octet-stream", "binary/octet-stream", "text/plain", "unknown/unknown"}
)
EXTENSION_MEDIA_TYPES: tuple[tuple[str, str], ...] = (
    (".html", "text/html"),
    (".htm", "text/html"),
    (".xhtml", "text/html"),
    (".shtml", "text/html"),
    (".txt", "text/plain"),
    (".text", "text/plain"),
    (".md", "text/plain"),
)

BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Labels browsers read as windows-1252 (WHATWG Encoding Standard): pages declaring latin-1 use its quotes.
WINDOWS_1252_ALIASES = frozenset({"iso8859-1", "ascii"})  # codecs.lookup() names
WIDE_ENCODING_PREFIXES = ("utf-16", "utf-32")

# Zero-width and invisible formatting characters break word matching and can hide spoofed text.
INVISIBLE_CHARACTERS = (
    "\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
)
SNIFF_WINDOW = 8192  # bytes looked at for NUL bytes, control characters, HTML markers and <meta charset>
CONTROL_RATIO_LIMIT = 0.05
# charset-normalizer's "chaos" (mess ratio) above which a guess is refused rather than producing mojibake.
MAX_CHARSET_CHAOS = 0.2
# Below this language coherence a guess over a long enough input is refused: real text in any code page scores
# 0.1 and more, byte soup 0.0 (measured with charset-normalizer 3.5 on Latin-1, cp1251, Shift-JIS text and noise).
MIN_CHARSET_COHERENCE = 0.02
MIN_BYTES_FOR_COHERENCE = 200
# cp1252 is preferred over an equally plausible guess (short English texts often fit several code pages).
CP1252_PREFERENCE_MARGIN = 0.1

# C0 controls other than tab, newline, vertical tab, form feed and carriage return, plus DEL.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})""", re.I)
_TAG = re.compile(r"<[A-Za-z!/?]")
_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE)
_PROLOGUE_ENDS = (("<!--", "-->"), ("<?", "?>"))  # comments and XML declarations allowed before <html>


def sniff_media_type(data: bytes, uri: str, declared: str | None) -> str:
    """The media type of ``data``: magic numbers first, then a declared HTML type, then HTML sniffing, then
    the declared type, then the URI's extension; ``text/plain`` when nothing says otherwise."""
    magic = magic_signature(data)
    if magic is not None:
        return magic[1]
    declared_type = _declared_type(declared)
    if declared_type in HTML_MEDIA_TYPES:
        return "text/html"
    if looks_like_html(data[:SNIFF_WINDOW].decode("latin-1")):
        return "text/html"
    if declared_type and declared_type not in GENERIC_MEDIA_TYPES:
        return declared_type
    path = urlsplit(uri).path.lower() if "://" in uri else uri.lower()
    for extension, media_type in EXTENSION_MEDIA_TYPES:
        if path.endswith(extension):
            return media_type
    return "text/plain"


def looks_like_html(head: str) -> bool:
    """True when the text starts (after comments / an XML declaration) with an HTML document tag."""
    rest = head[:SNIFF_WINDOW].lstrip()
    while True:  # each pass consumes a prologue item, so this is linear in the window
        closing = next((end for start, end in _PROLOGUE_ENDS if rest.startswith(start)), None)
        if closing is None:
            return _HTML_START.match(rest) is not None
        position = rest.find(closing)
        if position < 0:
            return False
        rest = rest[position + len(closing):].lstrip()


def has_markup(text: str) -> bool:
    """True when the start of the text contains a tag; servers label plain text as text/html too."""
    return _TAG.search(text, 0, SNIFF_WINDOW) is not None


def magic_signature(data: bytes) -> tuple[str, str] | None:
    """(label, media type) of a known binary format, or None."""
    for signature, label, media_type in MAGIC_SIGNATURES:
        if data.startswith(signature):
            return label, media_type
    # PDF allows junk before the header within the first KiB.
    if b"%PDF-" in data[:1024]:
        return "PDF", "application/pdf"
    return None


def decode_document(data: bytes, uri: str, media_type: str | None, max_bytes: int) -> str:
    """Checked, decoded and normalised text of one document; raises InputError with a short reason."""
    _check_size(len(data), uri, max_bytes)
    if _is_gzip_expected(data, uri, media_type):
        data = _gunzip_bounded(data, uri, max_bytes)
    if not data.strip():
        raise InputError(uri, "empty input")
    magic = magic_signature(data)
    if magic is not None:
        raise InputError(uri, f"binary content (looks like {magic[0]})")
    text = normalise_text(_decode(data, uri, media_type))
    if not text.strip():
        raise InputError(uri, "empty input")
    return text


def normalise_text(text: str) -> str:
    """Newlines to ``\\n``, NFC, no zero-width or control characters (``\\n``/``\\t`` kept), plain spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text.translate(_normalisation_table()))


@lru_cache(maxsize=1)
def _normalisation_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]:
        table[code] = None
    for keep in ("\n", "\t"):
        del table[ord(keep)]
    for line_break in ("\x0b", "\x0c", "\x85", "\u2028"):
        table[ord(line_break)] = "\n"
    table[0x2029] = "\n\n"  # paragraph separator
    # No-break spaces become plain spaces: regexes and tokenisers downstream expect them.
    for space in ("\u00a0", "\u2007", "\u202f"):
        table[ord(space)] = " "
    for invisible in INVISIBLE_CHARACTERS:
        table[ord(invisible)] = None
    return table


def _check_size(size: int, uri: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputError(uri, f"too large ({_megabytes(size)} > {_megabytes(max_bytes)} limit)")


def _megabytes(size: int) -> str:
    value = size / 1_000_000
    return f"{value:.0f} MB" if value >= 1 else f"{value:.2g} MB"


def _declared_type(declared: str | None) -> str | None:
    if not declared:
        return None
    return declared.split(";", 1)[0].strip().lower() or None


def _is_gzip_expected(data: bytes, uri: str, media_type: str | None) -> bool:
    if not data.startswith(b"\x1f\x8b"):
        return False
    return _declared_type(media_type) in GZIP_MEDIA_TYPES or urlsplit(uri).path.lower().endswith(".gz")


def _gunzip_bounded(data: bytes, uri: str, max_bytes: int) -> bytes:
    """Decompress, refusing more than ``max_bytes`` of output so a gzip bomb cannot exhaust memory."""
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise InputError(uri, "binary content (corrupt gzip)") from exc
    if len(out) > max_bytes or decompressor.unconsumed_tail:
        raise InputError(uri, f"too large (over {_megabytes(max_bytes)} limit once decompressed)")
    return out


def _decode(data: bytes, uri: str, media_type: str | None) -> str:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _decode_strict(data[len(bom):], encoding, uri, f"{encoding} byte-order mark")
    declared = _declared_encodings(data, media_type)
    wide = next((name for name in declared if name.startswith(WIDE_ENCODING_PREFIXES)), None)
    # Pages often declare UTF-16 in <meta> while sending UTF-8 (browsers then read UTF-8): believe a wide
    # declaration only for bytes that are not UTF-8 text, and recognise BOM-less UTF-16 by its NUL pattern.
    if wide is not None and (b"\x00" in data[:SNIFF_WINDOW] or not _is_utf8(data)):
        return _decode_strict(data, wide, uri, f"declared charset {wide}")
    declared = [name for name in declared if not name.startswith(WIDE_ENCODING_PREFIXES)]
    bomless = _utf16_without_bom(data)
    if bomless is not None:
        return _decode_strict(data, bomless, uri, bomless)
    _check_not_binary(data, uri)
    try:
        # Strict UTF-8 first, even over a declared charset: non-ASCII text that is valid UTF-8 is, in
        # practice, never a legacy code page, so this fixes pages that declare latin-1 but send UTF-8.
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for encoding in declared:
        text = _decode_declared(data, encoding)
        if text is not None:
            return text
    guessed = _guess_encoding(data)
    if guessed is not None:
        return guessed
    tried = ["utf-8", *(f"declared charset {name}" for name in declared), "charset detection"]
    raise InputError(uri, f"cannot decode text (tried {', '.join(tried)})")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode_strict(data: bytes, encoding: str, uri: str, what: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(uri, f"cannot decode text (tried {what})") from exc


def _decode_declared(data: bytes, encoding: str) -> str | None:
    if encoding in WINDOWS_1252_ALIASES:
        encoding = "cp1252"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps them (to C1 controls, removed later), never fails.
        return data.decode("latin-1") if encoding == "cp1252" else None


def _declared_encodings(data: bytes, media_type: str | None) -> list[str]:
    """Charsets named by the HTTP media type, then <meta charset> or the XML declaration (known codecs)."""
    labels: list[str] = []
    if media_type:
        header = Message()
        header["content-type"] = media_type
        charset = header.get_content_charset()
        if charset:
            labels.append(charset)
    head = data[:SNIFF_WINDOW]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        found = pattern.search(head)
        if found:
            labels.append(found.group(1).decode("ascii").lower())
    names: list[str] = []
    for label in labels:
        try:
            name = codecs.lookup(label).name
        except LookupError:
            continue
        if name not in names and name != "utf-8":  # UTF-8 is always tried first anyway
            names.append(name)
    return names


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 of mostly-ASCII text has a NUL in every other byte; recognise it before NULs count as binary."""
    sample = data[:SNIFF_WINDOW]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    half = len(sample) // 2
    if sample[1::2].count(0) > 0.4 * half and sample[0::2].count(0) < 0.05 * half:
        return "utf-16-le"
    if sample[0::2].count(0) > 0.4 * half and sample[1::2].count(0) < 0.05 * half:
        return "utf-16-be"
    return None


def _check_not_binary(data: bytes, uri: str) -> None:
    sample = data[:SNIFF_WINDOW * 8]
    if b"\x00" in sample[:SNIFF_WINDOW]:
        raise InputError(uri, "binary content (contains NUL bytes)")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > CONTROL_RATIO_LIMIT * len(sample):
        raise InputError(uri, f"binary content ({controls / len(sample):.0%} control characters)")


def _guess_encoding(data: bytes) -> str | None:
    """charset-normalizer's best guess if its mess ratio is under the floor; cp1252 wins near-ties."""
    matches = from_bytes(data, threshold=MAX_CHARSET_CHAOS)
    best = matches.best()
    if best is None or best.chaos > MAX_CHARSET_CHAOS:
        return None
    if len(data) >= MIN_BYTES_FOR_COHERENCE and best.coherence < MIN_CHARSET_COHERENCE:
        # Any byte soup "decodes" in some legacy code page; without a language it reads as, it is not text.
        return None
    for match in matches:
        if "cp1252" in match.could_be_from_charset and match.chaos <= best.chaos + CP1252_PREFERENCE_MARGIN:
            return _decode_declared(data, "cp1252")
    return str(best)
