"""Analysts' corrections of single values of a record: a release's speaker or date, an attack's toll...

A correction is stored with who, when and why (table ``record_corrections`` of migration 0006), keyed by record id
and field rather than by report, so it survives re-analysis and relink like a decision's pins. The machine's value
is never overwritten: records are corrected when they are read (:func:`apply_corrections`), and every correction
carries the machine value it replaces so both can be shown side by side. An undo marks the correction undone; the
machine value (or an older live correction of the same field) shows again.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any

import pycountry

from incitewatch.errors import IncitewatchError
from incitewatch.link import linker
from incitewatch.link.records import RecordKind
from incitewatch.store.links import LinkStore
from incitewatch.store.sqlite import SQLiteStore

MAX_COUNT = 1_000_000
MAX_TEXT = 200
VERIFICATIONS = ("confirmed", "claimed", "unverified", "disputed")
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class CorrectionError(IncitewatchError):
    """A correction or undo that cannot be done as asked (unknown field, bad value, no reason...)."""


class UnknownRecordError(CorrectionError, LookupError):
    """The record to correct does not exist."""


# -- values -------------------------------------------------------------------------------------------------------


def _count(text: str) -> int:
    """A number of people (killed, wounded): a whole number from 0 to MAX_COUNT."""
    try:
        number = int(text.strip())
    except ValueError as exc:
        raise CorrectionError(f"{text!r} is not a whole number") from exc
    if not 0 <= number <= MAX_COUNT:
        raise CorrectionError(f"{number} is not a plausible count (0 to {MAX_COUNT})")
    return number


def _iso_date(text: str) -> str:
    """YYYY, YYYY-MM or YYYY-MM-DD, as the records store dates; the calendar must know the day."""
    match = _ISO_DATE.match(text.strip())
    if match is None:
        raise CorrectionError(f"{text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise CorrectionError(f"{text!r} is not a date: {exc}") from exc
    return text.strip()


def _text(text: str) -> str:
    value = " ".join(text.split())
    if not value or len(value) > MAX_TEXT or any(not char.isprintable() for char in value):
        raise CorrectionError(f"a value is 1 to {MAX_TEXT} printable characters")
    return value


def _country(text: str) -> str:
    code = text.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise CorrectionError(f"{text!r} is not an ISO 3166 two-letter country code")
    return code


def _verification(text: str) -> str:
    value = text.strip().lower()
    if value not in VERIFICATIONS:
        raise CorrectionError(f"{text!r}: verification is one of {', '.join(VERIFICATIONS)}")
    return value


Parser = Callable[[str], Any]
# What an analyst may correct, per record kind, and how the typed value is read from the form's text.
CORRECTABLE: Mapping[str, Mapping[str, Parser]] = MappingProxyType(
    {
        "release": MappingProxyType(
            {"speaker": _text, "group": _text, "medium": _text, "release_date": _iso_date,
             "verification": _verification}
        ),
        "attack": MappingProxyType(
            {"killed": _count, "wounded": _count, "date": _iso_date, "place": _text, "place_name": _text,
             "country": _country, "perpetrator": _text}
        ),
        "actor": MappingProxyType({"name": _text, "type": _text}),
    }
)


def correctable_fields(kind: str) -> tuple[str, ...]:
    return tuple(CORRECTABLE.get(kind, {}))


def parse_value(kind: str, field: str, value: str | int | None) -> Any:
    """The typed value of a correction; an empty value means "not known" (None)."""
    parsers = CORRECTABLE.get(kind)
    if parsers is None or field not in parsers:
        raise CorrectionError(
            f"{kind} field {field!r} cannot be corrected; correctable: {', '.join(correctable_fields(kind))}"
        )
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parsers[field](str(value))


# -- corrections ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Correction:
    """``original`` is the machine's value of the field: the current one when read with a record, else the one
    it had when the correction was made."""

    id: int
    kind: RecordKind
    record_id: str
    field: str
    value: Any
    original: Any
    reason: str
    user: str
    created_at: str
    undone_at: str | None = None
    undone_by: str | None = None
    undo_reason: str | None = None

    @property
    def live(self) -> bool:
        return self.undone_at is None


@dataclass(frozen=True, slots=True)
class CorrectedRecord:
    """A record with analysts' corrections applied (attributes read through to it) and every correction made to
    it, live and undone, oldest first."""

    record: Any
    corrections: tuple[Correction, ...] = ()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.record, name)

    @property
    def live_corrections(self) -> dict[str, Correction]:
        """field -> the correction now in force."""
        return {c.field: c for c in self.corrections if c.live}


_COLUMNS = (
    "id, kind, record_id, field, value, original, reason, user, created_at, undone_at, undone_by, undo_reason"
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _db(store: SQLiteStore) -> sqlite3.Connection:
    # Inside the store's transaction() like every store extension (store/extension.py).
    return store.connection


def _from_row(row: Sequence[Any]) -> Correction:
    return Correction(
        int(row[0]), row[1], row[2], row[3], json.loads(row[4]), json.loads(row[5]), row[6], row[7], row[8],
        row[9], row[10], row[11],
    )


def _require_reason(reason: str) -> str:
    if len(reason.strip()) < 3:
        raise CorrectionError("a correction needs a reason (3 characters or more)")
    return reason.strip()


def _machine_record(store: SQLiteStore, kind: str, record_id: str) -> Any | None:
    getters: dict[str, Callable[[SQLiteStore, str], Any]] = {
        "release": linker.get_release, "attack": linker.get_attack, "actor": linker.get_actor,
    }
    if kind not in getters:
        raise CorrectionError(f"unknown record kind {kind!r}")
    return getters[kind](store, record_id)


def correct(
    store: SQLiteStore, kind: str, record_id: str, field: str, value: str | int | None, reason: str,
    user: str = "analyst",
) -> Correction:
    """Correct one value of a record; the machine value is kept beside it. Raises :class:`CorrectionError`."""
    typed, reason = parse_value(kind, field, value), _require_reason(reason)
    record = _machine_record(store, kind, record_id)
    if record is None:
        raise UnknownRecordError(f"no {kind} record {record_id!r}")
    original = getattr(record, field)
    with store.transaction():
        cursor = _db(store).execute(
            "INSERT INTO record_corrections (kind, record_id, field, value, original, reason, user, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, record_id, field, json.dumps(typed), json.dumps(original), reason, user, _now()),
        )
        correction_id = int(cursor.lastrowid or 0)
        LinkStore(store).log(
            user, "correct", f"correction #{correction_id}: {field} {original!r} -> {typed!r}: {reason}",
            kind=kind, record_id=record_id,
        )
        made = correction(store, correction_id)
    assert made is not None
    return made


def undo_correction(store: SQLiteStore, correction_id: int, reason: str, user: str = "analyst") -> Correction:
    """Withdraw a correction: the machine value (or an older live correction) shows again."""
    reason = _require_reason(reason)
    with store.transaction():
        found = correction(store, correction_id)
        if found is None:
            raise CorrectionError(f"no correction #{correction_id}")
        if not found.live:
            raise CorrectionError(f"correction #{correction_id} was already undone by {found.undone_by}")
        _db(store).execute(
            "UPDATE record_corrections SET undone_at = ?, undone_by = ?, undo_reason = ? WHERE id = ?",
            (_now(), user, reason, correction_id),
        )
        LinkStore(store).log(
            user, "undo-correction", f"undid correction #{correction_id} ({found.field}): {reason}",
            kind=found.kind, record_id=found.record_id,
        )
        undone = correction(store, correction_id)
    assert undone is not None
    return undone


def correction(store: SQLiteStore, correction_id: int) -> Correction | None:
    with store.reading(f"read correction {correction_id}") as db:
        row = db.execute(f"SELECT {_COLUMNS} FROM record_corrections WHERE id = ?", (correction_id,)).fetchone()
    return None if row is None else _from_row(row)


def corrections_of(store: SQLiteStore, kind: str, record_id: str) -> list[Correction]:
    """Every correction of a record, live and undone, oldest first."""
    with store.reading(f"read corrections of {kind} {record_id}") as db:
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM record_corrections WHERE kind = ? AND record_id = ? ORDER BY id",
            (kind, record_id),
        ).fetchall()
    return [_from_row(row) for row in rows]


def apply_corrections(record: Any, corrections: Sequence[Correction]) -> CorrectedRecord:
    """The record with the latest live correction of each field in force; each live correction's ``original``
    is the machine's current value of its field (it may have changed with re-analysis since)."""
    live: dict[str, Correction] = {}
    for item in corrections:
        if item.live and hasattr(record, item.field):
            live[item.field] = item
    refreshed = tuple(
        dataclasses.replace(item, original=getattr(record, item.field)) if item.live and item.field in live else item
        for item in corrections
    )
    values = {field: item.value for field, item in live.items()}
    return CorrectedRecord(dataclasses.replace(record, **values) if values else record, refreshed)


def corrected(store: SQLiteStore, kind: str, record: Any | None) -> CorrectedRecord | None:
    if record is None:
        return None
    return apply_corrections(record, corrections_of(store, kind, record.id))


def get_release(store: SQLiteStore, record_id: str) -> CorrectedRecord | None:
    return corrected(store, "release", linker.get_release(store, record_id))


def get_attack(store: SQLiteStore, record_id: str) -> CorrectedRecord | None:
    return corrected(store, "attack", linker.get_attack(store, record_id))


def get_actor(store: SQLiteStore, record_id: str) -> CorrectedRecord | None:
    return corrected(store, "actor", linker.get_actor(store, record_id))
