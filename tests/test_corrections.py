"""Analysts' corrections of record values: kept beside the machine value, applied on read, surviving relink and
re-analysis, undoable, validated and logged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from incitewatch.link import corrections, linker
from incitewatch.link.corrections import CorrectionError, UnknownRecordError, apply_corrections, parse_value
from incitewatch.link.records import Attack
from incitewatch.store import SQLiteStore
from incitewatch.store.links import LinkStore
from tests import test_api as _fixtures


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    opened = SQLiteStore(tmp_path / "corrections.sqlite")
    _fixtures.save_reports(opened, [_fixtures.xss_report(), _fixtures.clean_report()])
    _fixtures.link_all(opened)
    try:
        yield opened
    finally:
        opened.close()


def _attack_id(store: SQLiteStore) -> str:
    (attack,) = linker.list_attacks(store)
    return attack.id


def _release_id(store: SQLiteStore) -> str:
    return next(r.id for r in linker.list_releases(store) if len(r.reports) == 2)


def test_correction_applies_on_read_and_keeps_the_machine_value(store: SQLiteStore) -> None:
    attack_id = _attack_id(store)
    machine = linker.get_attack(store, attack_id)
    assert machine is not None and machine.killed == 23
    made = corrections.correct(store, "attack", attack_id, "killed", "27", "health ministry's final toll", "ana")
    assert (made.value, made.original, made.user, made.reason) == (27, 23, "ana", "health ministry's final toll")
    read = corrections.get_attack(store, attack_id)
    assert read is not None
    assert read.killed == 27 and read.record.killed == 27
    assert [(c.field, c.value, c.original) for c in read.corrections] == [("killed", 27, 23)]
    assert read.killed_spread == (23, 25), "each outlet's own toll is untouched"
    untouched = linker.get_attack(store, attack_id)
    assert untouched is not None and untouched.killed == 23, "the linker's own view stays the machine's"


def test_corrections_survive_relink_and_reanalysis(store: SQLiteStore) -> None:
    attack_id, release_id = _attack_id(store), _release_id(store)
    corrections.correct(store, "attack", attack_id, "date", "2025-02-14", "police timeline", "ana")
    corrections.correct(store, "release", release_id, "medium", "video", "the recording has pictures", "ana")
    linker.relink(store)
    analysis = store.get_article("a-xss0000000000001")
    assert analysis is not None
    linker.link_article(store, analysis)
    attack = corrections.get_attack(store, attack_id)
    release = corrections.get_release(store, release_id)
    assert attack is not None and attack.date == "2025-02-14"
    assert release is not None and release.medium == "video"
    assert release.live_corrections["medium"].original == "audio"


def test_undo_brings_back_the_machine_value_or_an_older_correction(store: SQLiteStore) -> None:
    attack_id = _attack_id(store)
    first = corrections.correct(store, "attack", attack_id, "killed", "26", "first count", "ana")
    second = corrections.correct(store, "attack", attack_id, "killed", "27", "second count", "bob")
    assert corrections.get_attack(store, attack_id).killed == 27  # type: ignore[union-attr]
    undone = corrections.undo_correction(store, second.id, "the second count was for another blast", "cy")
    assert (undone.undone_by, undone.undo_reason) == ("cy", "the second count was for another blast")
    assert corrections.get_attack(store, attack_id).killed == 26  # type: ignore[union-attr]
    corrections.undo_correction(store, first.id, "first count withdrawn", "cy")
    read = corrections.get_attack(store, attack_id)
    assert read is not None and read.killed == 23 and not read.live_corrections
    assert len(read.corrections) == 2, "undone corrections stay on record"
    with pytest.raises(CorrectionError, match="already undone"):
        corrections.undo_correction(store, first.id, "again", "cy")
    with pytest.raises(CorrectionError, match="no correction"):
        corrections.undo_correction(store, 999, "missing", "cy")


def test_corrections_are_logged_with_who_and_why(store: SQLiteStore) -> None:
    attack_id = _attack_id(store)
    made = corrections.correct(store, "attack", attack_id, "wounded", "4", "hospital figures", "ana")
    corrections.undo_correction(store, made.id, "hospital retracted", "bob")
    with store.transaction():
        log = LinkStore(store).log_entries("attack", attack_id)
    entries = [(row.user, row.action) for row in log if row.action in {"correct", "undo-correction"}]
    assert entries == [("ana", "correct"), ("bob", "undo-correction")]
    assert "hospital figures" in next(row.reason for row in log if row.action == "correct")


def test_bad_corrections_are_refused_and_change_nothing(store: SQLiteStore) -> None:
    attack_id = _attack_id(store)
    with pytest.raises(CorrectionError, match="cannot be corrected"):
        corrections.correct(store, "attack", attack_id, "reconciliation", "x", "because", "ana")
    with pytest.raises(CorrectionError, match="whole number"):
        corrections.correct(store, "attack", attack_id, "killed", "many", "because", "ana")
    with pytest.raises(CorrectionError, match="reason"):
        corrections.correct(store, "attack", attack_id, "killed", "3", "  ", "ana")
    with pytest.raises(UnknownRecordError):
        corrections.correct(store, "attack", "attack:nope", "killed", "3", "because", "ana")
    assert corrections.corrections_of(store, "attack", attack_id) == []


@pytest.mark.parametrize(
    ("kind", "field", "text", "expected"),
    [
        ("attack", "killed", " 12 ", 12),
        ("attack", "wounded", "", None),
        ("attack", "date", "2024-02-29", "2024-02-29"),
        ("attack", "country", "iq", "IQ"),
        ("release", "release_date", "2017-06", "2017-06"),
        ("release", "verification", "Disputed", "disputed"),
        ("release", "speaker", "  Abu   Tester ", "Abu Tester"),
    ],
)
def test_values_are_typed_and_normalised(kind: str, field: str, text: str, expected: object) -> None:
    assert parse_value(kind, field, text) == expected


@pytest.mark.parametrize(
    ("kind", "field", "text"),
    [
        ("attack", "killed", "-1"),
        ("attack", "killed", "2000000"),
        ("attack", "date", "2023-02-29"),
        ("attack", "date", "12/03/2024"),
        ("attack", "country", "XX"),
        ("release", "verification", "rumour"),
        ("release", "speaker", "x" * 201),
        ("release", "speaker", "bell\x07"),
    ],
)
def test_implausible_values_are_refused(kind: str, field: str, text: str) -> None:
    with pytest.raises(CorrectionError):
        parse_value(kind, field, text)


def test_original_is_the_machine_value_now() -> None:
    """After re-analysis changes the machine value, the correction shows the current one beside it."""
    attack = Attack("attack:x", None, None, None, "2025", 30, None, None, "latest report", (30,), (), ())
    stale = corrections.Correction(1, "attack", "attack:x", "killed", 31, 25, "ministry", "ana", "2025-01-01")
    read = apply_corrections(attack, [stale])
    assert read.killed == 31 and read.corrections[0].original == 30
