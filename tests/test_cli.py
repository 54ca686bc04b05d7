"""The ``incitewatch`` command as a user runs it: a real subprocess, real files, a real SQLite store."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPORT = (
    "Islamic State spokesman urges attacks in new audio message\n\n"
    "An audio message attributed to the Islamic State spokesman Abu Yusuf al-Tahiri was released on Sunday on "
    "Telegram, urging supporters to attack Christians in Europe during Ramadan.\n"
)


def _run(*args: str, env: dict[str, str] | None = None, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from incitewatch.cli import main; main()", *args]
    merged = {**os.environ, **(env or {})}
    return subprocess.run(
        command, input=stdin.decode() if stdin else None, capture_output=True, text=True, env=merged, timeout=300
    )


@pytest.fixture()
def inputs(tmp_path: Path) -> dict[str, Path]:
    files = {
        "good": tmp_path / "good.txt",
        "empty": tmp_path / "empty.txt",
        "binary": tmp_path / "binary.txt",
        "undecodable": tmp_path / "undecodable.txt",
        "huge": tmp_path / "huge.txt",
    }
    files["good"].write_text(REPORT, encoding="utf-8")
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    files["undecodable"].write_bytes(b"\x81\x8d\x8f\x90\x9d" * 300)
    with files["huge"].open("wb") as handle:  # 50 MB without writing 50 MB: a sparse file
        handle.truncate(50 * 1024 * 1024)
    files["missing"] = tmp_path / "missing.txt"
    return files


def test_analyze_json_contract_and_offsets(inputs: dict[str, Path]) -> None:
    result = _run("analyze", str(inputs["good"]), "--published", "2025-03-04", "--json")
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.strip().splitlines()
    analysis = json.loads(line)
    assert analysis["schema"] == "incitewatch.analysis/1"
    assert analysis["article"]["published"] == "2025-03-04"
    text = analysis["article"]["text"]
    assert all(text[m["start"] : m["end"]] == m["text"] for e in analysis["entities"] for m in e["mentions"])
    assert any(e["type"] == "propaganda_release" for e in analysis["events"])


def test_bad_inputs_get_one_line_each_and_the_good_one_goes_through(inputs: dict[str, Path]) -> None:
    order = ["empty", "binary", "good", "undecodable", "huge", "missing"]
    result = _run("analyze", *(str(inputs[name]) for name in order), "--json")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("incitewatch: error:")]
    assert len(errors) == 5, result.stderr
    for name, reason in [
        ("empty", "empty"),
        ("binary", "binary"),
        ("undecodable", "decode"),
        ("huge", "too large"),
        ("missing", "no such file"),
    ]:
        assert any(str(inputs[name]) in line and reason in line for line in errors), (name, errors)
    assert len(result.stdout.strip().splitlines()) == 1  # the good file's analysis


def test_readable_summary_by_default(inputs: dict[str, Path]) -> None:
    result = _run("analyze", str(inputs["good"]), "--published", "2025-03-04")
    assert result.returncode == 0
    assert "Propaganda release" in result.stdout and "Telegram" in result.stdout


def test_stdin_is_read_with_a_dash() -> None:
    result = _run("analyze", "-", "--json", stdin=REPORT.encode())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["article"]["title"].startswith("Islamic State spokesman")


def test_bad_published_date_is_a_usage_error(inputs: dict[str, Path]) -> None:
    result = _run("analyze", str(inputs["good"]), "--published", "13/06/2017")
    assert result.returncode == 2
    assert "YYYY-MM-DD" in result.stderr and "Traceback" not in result.stderr


def test_ingest_twice_stores_once_and_bad_input_leaves_store_intact(inputs: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    first = _run("ingest", str(inputs["good"]), "--db", str(db), "--no-triage")
    assert first.returncode == 0, first.stderr
    copy = tmp_path / "copy.txt"
    copy.write_bytes(inputs["good"].read_bytes())
    second = _run("ingest", str(copy), str(inputs["binary"]), str(inputs["missing"]), "--db", str(db), "--no-triage")
    assert second.returncode == 1
    assert "Traceback" not in second.stderr
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    search = _run("search", "Tahiri", "--db", str(db), "--json")
    assert [hit["title"] for hit in json.loads(search.stdout)["articles"]] == [
        "Islamic State spokesman urges attacks in new audio message"
    ]


def test_store_location_from_environment(inputs: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "from-env.sqlite"
    result = _run("ingest", str(inputs["good"]), "--no-triage", env={"INCITEWATCH_DB": str(db)})
    assert result.returncode == 0, result.stderr
    assert db.exists()
    shown = _run("stats", env={"INCITEWATCH_DB": str(db)})
    assert "articles" in shown.stdout


def test_show_unknown_article_is_a_clear_error(tmp_path: Path) -> None:
    result = _run("show", "a-0000000000000000", "--db", str(tmp_path / "s.sqlite"))
    assert result.returncode == 1
    assert "no such article" in result.stderr and "Traceback" not in result.stderr


def test_sample_reports_become_cross_outlet_records(tmp_path: Path) -> None:
    """The bundled sample: three outlets report one release, two outlets one attack with different tolls."""
    db = tmp_path / "sample.sqlite"
    sample = Path(__file__).resolve().parents[1] / "sample" / "articles"
    assert _run("ingest", str(sample), "--db", str(db)).returncode == 0
    releases = json.loads(_run("releases", "--db", str(db), "--json").stdout)
    tahiri = next(r for r in releases if r["speaker"] == "person:abu-yusuf-al-tahiri")
    assert tahiri["group"] == "group:islamic-state" and tahiri["medium"] == "audio"
    assert len(tahiri["reports"]) == 3 and all(a.startswith("a-") for a in tahiri["reports"])
    attacks = json.loads(_run("attacks", "--db", str(db), "--json").stdout)
    mogadishu = next(a for a in attacks if a["place_name"] == "Mogadishu")
    assert sorted(mogadishu["killed_spread"]) == [14, 17] and mogadishu["killed"] == 17
    actors = json.loads(_run("actors", "--db", str(db), "--json").stdout)
    spellings = {n["name"] for a in actors if a["id"] == "person:abu-yusuf-al-tahiri" for n in a["names"]}
    assert {"Abu Yusuf al-Tahiri", "Abou Youssef al-Tahiri"} <= spellings
