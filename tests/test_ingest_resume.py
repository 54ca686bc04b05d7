"""Resumable, exact ingest: a real ``incitewatch ingest`` killed with SIGKILL mid-run, then re-run."""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from incitewatch.pipeline import PipelineOptions
from incitewatch.service import ingest_paths, ingest_raw
from incitewatch.store import SQLiteStore
from incitewatch.types import AnalyzedDoc, Article, RawDocument

# Everyday words only: the generated texts must be triaged "not relevant" so no analysis model is loaded.
_WORD_LIST = (
    "market council garden weather river school library harvest festival bakery train station bridge park "
    "museum concert teacher student neighbour village street morning evening summer winter holiday recipe "
    "bicycle lake mountain forest coffee bread cheese orchard choir painting theatre novel football swimming "
    "museum hospital nurse doctor pharmacy bus ticket price shop owner customer weekend family children "
    "walked opened closed planted painted visited cooked repaired announced welcomed celebrated discussed "
    "quietly happily early late new old small large green blue bright warm cold busy local annual"
)
_WORDS = tuple(_WORD_LIST.split())
_FRENCH = (
    "Le marché du samedi a rouvert ce matin sur la place de la mairie. Les habitants sont venus nombreux "
    "acheter des fruits, du pain et du fromage, et les enfants ont profité du manège installé près de la "
    "fontaine pendant que la chorale du village chantait sous les arbres."
)
_CLI = "from incitewatch.cli import main; main()"


def _paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


def _make_inputs(folder: Path, count: int) -> list[Path]:
    """``count`` files: mostly distinct texts, plus exact and near copies, French texts and empty files."""
    rng = random.Random(20240611)
    folder.mkdir()
    originals: list[str] = []
    paths = []
    for index in range(count):
        kind = index % 10
        if kind == 3 and originals:
            text = rng.choice(originals)  # exact copy under another name
        elif kind == 6 and originals:
            text = "From our partners\n\n" + rng.choice(originals) + " Copyright the wire service."
        elif kind == 8:
            text = _FRENCH + f" Numéro {index}."
        elif index % 97 == 50:
            text = ""  # fails: empty input
        else:
            text = _paragraph(rng, rng.randint(60, 110))
            originals.append(text)
        path = folder / f"doc{index:04d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _journal(db: Path) -> dict[str, tuple[str, str | None]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT uri, outcome, article_id FROM ingest_journal").fetchall()
    return {uri: (outcome, article_id) for uri, outcome, article_id in rows}


def _journal_rows(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as connection:
            return int(connection.execute("SELECT count(*) FROM ingest_journal").fetchone()[0])
    except sqlite3.Error:
        return 0  # not created or not migrated yet


def _ingest_command(folder: Path, db: Path) -> list[str]:
    return [sys.executable, "-c", _CLI, "ingest", str(folder), "--db", str(db), "--no-model", "--no-progress"]


def _start_and_kill(folder: Path, db: Path, after_rows: int) -> None:
    process = subprocess.Popen(
        _ingest_command(folder, db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 60
        while _journal_rows(db) < after_rows and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)


def test_killed_ingest_resumes_exactly(tmp_path: Path) -> None:
    files = _make_inputs(tmp_path / "inputs", 250)
    db = tmp_path / "store.sqlite"
    _start_and_kill(tmp_path / "inputs", db, after_rows=40)
    done_before = _journal_rows(db)
    assert 0 < done_before < len(files), "the ingest was not killed mid-run"
    finished_before = sum(outcome != "failed" for outcome, _ in _journal(db).values())

    command = _ingest_command(tmp_path / "inputs", db)
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 1, rerun.stderr  # the empty inputs fail, and say so
    assert "empty input" in rerun.stderr
    assert re.search(rf"already ingested\s+{finished_before}\n", rerun.stdout), rerun.stdout

    journal = _journal(db)
    assert set(journal) == {path.absolute().as_uri() for path in files}  # every input, once

    # The same inputs ingested in one uninterrupted run give exactly the same outcome for every input.
    reference_db = tmp_path / "reference.sqlite"
    with SQLiteStore(reference_db) as store:
        from incitewatch.pipeline import Pipeline

        ingest_paths([tmp_path / "inputs"], store, Pipeline(PipelineOptions(use_model=False)))
    assert journal == _journal(reference_db)

    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        articles = connection.execute("SELECT count(*), count(DISTINCT id) FROM articles").fetchone()
        copies = connection.execute("SELECT count(*) FROM article_copies").fetchone()[0]
        raws = connection.execute("SELECT count(*) FROM raw_documents").fetchone()[0]
    kept = {"stored", "not_relevant", "non_english"}
    new_articles = {a for outcome, a in journal.values() if outcome in kept}
    copied = [o for o, _ in journal.values() if o in {"duplicate", "near_duplicate"}]
    assert articles == (len(new_articles), len(new_articles))
    assert copies == len(copied) > 0
    outcomes = {outcome for outcome, _ in journal.values()}
    assert {"not_relevant", "non_english", "duplicate", "near_duplicate", "failed"} <= outcomes
    assert raws == len({p.read_bytes() for p in files if p.read_bytes()})


class _StubPipeline:
    version = "stub-1"
    current_versions = (version,)
    options = PipelineOptions(use_model=False)

    def analyze_article(self, article: Article) -> AnalyzedDoc:
        return AnalyzedDoc(article)


_RELEVANT = (
    "Insurgents ambushed an army patrol near the border on Sunday and detonated a roadside bomb, killing two "
    "soldiers; the militant group claimed responsibility for the attack in a statement."
)


def test_rerun_skips_done_inputs_and_retries_failures(tmp_path: Path) -> None:
    raws = [
        RawDocument(_RELEVANT.encode(), "file:///relevant.txt"),
        RawDocument(b"", "file:///empty.txt"),
        RawDocument(_FRENCH.encode(), "file:///french.txt"),
    ]
    with SQLiteStore(tmp_path / "store.sqlite") as store:
        first = ingest_raw(raws, store, _StubPipeline())
        second = ingest_raw(raws, store, _StubPipeline())
        journal = store.journal_counts()
    assert len(first.stored) == 1 and len(first.non_english) == 1 and len(first.failed) == 1
    assert "fr" in first.non_english[0].reason
    assert second.already_done == 2 and len(second.failed) == 1 and not second.stored
    assert journal == {"stored": 1, "non_english": 1, "failed": 1}


def test_not_relevant_article_is_stored_with_reason(tmp_path: Path) -> None:
    text = "The bakery on Mill Street reopened after renovation, with a larger oven and a new café corner."
    with SQLiteStore(tmp_path / "store.sqlite") as store:
        report = ingest_raw([RawDocument(text.encode(), "file:///bakery.txt")], store, _StubPipeline())
        assert store.counts()["articles"] == 1
        stored = store.get_article(report.not_relevant[0].article_id)
    assert stored is not None and stored["events"] == []
    assert report.not_relevant[0].reason.startswith("not relevant:")


@pytest.mark.parametrize("triage", [False])
def test_triage_can_be_switched_off(tmp_path: Path, triage: bool) -> None:
    from incitewatch.service import IngestOptions

    text = "The bakery on Mill Street reopened after renovation, with a larger oven and a new café corner."
    with SQLiteStore(tmp_path / "store.sqlite") as store:
        report = ingest_raw(
            [RawDocument(text.encode(), "file:///bakery.txt")], store, _StubPipeline(),
            options=IngestOptions(triage=triage),
        )
    assert len(report.stored) == 1


class _BrokenPipeline(_StubPipeline):
    def analyze_article(self, article: Article) -> AnalyzedDoc:
        raise IndexError("extractor bug")


def test_an_analysis_crash_fails_only_that_input(tmp_path: Path) -> None:
    raws = [RawDocument(_RELEVANT.encode(), "file:///relevant.txt"), RawDocument(_FRENCH.encode(), "file:///fr")]
    with SQLiteStore(tmp_path / "store.sqlite") as store:
        report = ingest_raw(raws, store, _BrokenPipeline())
        assert store.counts()["articles"] == 1  # the French one; nothing half-written for the failed one
    assert [f.reason for f in report.failed] == ["analysis failed: IndexError: extractor bug"]
    assert len(report.non_english) == 1
