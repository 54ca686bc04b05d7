"""Record files (.json, .jsonl, .csv) → RawDocument, with column mappings and bad lines that stay local."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from incitewatch.errors import ConfigError, InputError
from incitewatch.ingest.records import iter_records, parse_date
from incitewatch.types import RawDocument

RAID = "Police searched two addresses after a video urging attacks was shared online."
COURT = "A man admitted sharing the recording with contacts in a messaging group."


def _write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _split(results: list[RawDocument | InputError]) -> tuple[list[RawDocument], list[InputError]]:
    docs = [result for result in results if isinstance(result, RawDocument)]
    return docs, [result for result in results if isinstance(result, InputError)]


def test_jsonl_with_default_columns_and_a_bad_line(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {"Headline": "Raid", "Content": RAID, "Link": "https://n.example/raid", "pubDate": "2017-06-12"}
        ),
        "{not json",
        "",
        json.dumps(["a", "list"]),
        json.dumps({"title": "No text here"}),
        json.dumps(
            {"title": "Court", "body": COURT, "date": "Mon, 12 Jun 2017 23:30:00 -0400", "source": "Wire"}
        ),
    ]
    path = _write(tmp_path, "export.jsonl", "\ufeff" + "\n".join(lines) + "\n")
    docs, errors = _split(list(iter_records(path)))
    assert [doc.data.decode() for doc in docs] == [RAID, COURT]
    raid, court = docs
    assert (raid.uri, raid.declared_title, raid.declared_published) == (
        "https://n.example/raid",
        "Raid",
        date(2017, 6, 12),
    )
    assert raid.media_type == "text/plain; charset=utf-8" and raid.source == "records"
    assert court.uri == f"{path}:6"  # no URL column: the record's place in the file
    assert court.declared_published == date(2017, 6, 12)  # the date as written, not converted to UTC
    assert court.declared_outlet == "Wire"
    assert [error.input_name for error in errors] == [f"{path}:2", f"{path}:4", f"{path}:5"]
    assert "not valid JSON" in errors[0].reason
    assert "expected a JSON object" in errors[1].reason
    assert "no text" in errors[2].reason


def test_jsonl_undecodable_line_is_an_error_for_that_line(tmp_path: Path) -> None:
    data = b'{"text": "caf\xe9"}\n' + json.dumps({"text": RAID}).encode() + b"\n"
    docs, errors = _split(list(iter_records(_write(tmp_path, "latin.jsonl", data))))
    assert [doc.data.decode() for doc in docs] == [RAID]
    assert len(errors) == 1 and "UTF-8" in errors[0].reason


@pytest.mark.parametrize(
    "document",
    [
        [{"text": RAID}, {"text": COURT}, 5],
        {"articles": [{"text": RAID}, {"text": COURT}, 5]},
    ],
)
def test_json_list_or_envelope(tmp_path: Path, document: object) -> None:
    path = _write(tmp_path, "dump.json", json.dumps(document))
    docs, errors = _split(list(iter_records(path)))
    assert [doc.data.decode() for doc in docs] == [RAID, COURT]
    assert [error.input_name for error in errors] == [f"{path}[2]"]


def test_json_single_object_with_html(tmp_path: Path) -> None:
    html = f"<html><body><p>{RAID}</p></body></html>"
    path = _write(
        tmp_path,
        "one.json",
        json.dumps({"html": html, "title": "  Raid\n at dawn ", "url": "https://x.example/1"}),
    )
    [doc] = list(iter_records(path))
    assert isinstance(doc, RawDocument)
    assert doc.data == html.encode() and doc.media_type == "text/html; charset=utf-8"
    assert doc.declared_title == "Raid at dawn"


@pytest.mark.parametrize(
    ("data", "reason"), [("{broken", "not valid JSON"), ('"just a string"', "JSON object")]
)
def test_json_file_level_errors(tmp_path: Path, data: str, reason: str) -> None:
    [error] = list(iter_records(_write(tmp_path, "bad.json", data)))
    assert isinstance(error, InputError) and reason in error.reason


def test_csv_with_mapping_multiline_cells_and_bad_rows(tmp_path: Path) -> None:
    content = (
        (
            "Story;Heading;Date (UTC);Paper\n"
            f'"{RAID}\nSecond paragraph.";Raid;12 June 2017;The Example Times\n'
            ";Empty story;2017-06-13;Paper\n"
            f"{COURT};Court;yesterday;The Example Times\n"
        ).encode()
        + b"caf\xe9;Broken;2017-06-14;Paper\n"
        + f"{COURT};Last;2017-06-15;P\n".encode()
    )
    path = _write(tmp_path, "export.csv", content)
    mapping = {"text": "Story", "title": "heading", "published": "Date (UTC)", "outlet": "Paper"}
    docs, errors = _split(list(iter_records(path, mapping)))
    assert [doc.declared_title for doc in docs] == ["Raid", "Court", "Last"]
    raid = docs[0]
    assert raid.data.decode() == f"{RAID}\nSecond paragraph."
    assert (raid.declared_published, raid.declared_outlet, raid.uri) == (
        date(2017, 6, 12),
        "The Example Times",
        f"{path}:2",
    )
    assert docs[1].declared_published is None  # "yesterday" is no publication date
    assert docs[1].uri == f"{path}:5"  # the multi-line cell spans lines 2 and 3
    assert [error.input_name for error in errors] == [f"{path}:4", f"{path}:6"]
    assert "not valid UTF-8" in errors[1].reason


def test_tsv_and_bom(tmp_path: Path) -> None:
    path = _write(tmp_path, "export.tsv", f"\ufefftext\ttitle\n{RAID}\tRaid\n")
    [doc] = list(iter_records(path))
    assert isinstance(doc, RawDocument) and doc.declared_title == "Raid"


def test_mapping_and_file_type_are_validated(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown record field"):
        iter_records(tmp_path / "x.csv", {"body": "text"})
    with pytest.raises(ConfigError, match="unsupported record file"):
        iter_records(tmp_path / "x.xlsx")


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    [error] = list(iter_records(tmp_path / "absent.jsonl"))
    assert isinstance(error, InputError) and "cannot read" in error.reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2017-06-12", date(2017, 6, 12)),
        ("2017-06-12T23:30:00Z", date(2017, 6, 12)),
        ("Mon, 12 Jun 2017 10:00:00 GMT", date(2017, 6, 12)),
        ("June 12, 2017", date(2017, 6, 12)),
        ("25/06/2017", date(2017, 6, 25)),
        ("03/04/2017", None),  # day and month cannot be told apart
        (1497261600, date(2017, 6, 12)),
        (1497261600000, date(2017, 6, 12)),
        ("3 days ago", None),
        ("soon", None),
        (None, None),
        (True, None),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected
