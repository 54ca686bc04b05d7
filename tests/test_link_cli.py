"""The record commands end to end on a store file: list, show, split, undo, relink."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from incitewatch.cli_links import build_app
from incitewatch.store.sqlite import SQLiteStore
from tests.test_link_fixtures import corpus, save_and_link


def _db(tmp_path: Path) -> Path:
    path = tmp_path / "links.sqlite"
    store = SQLiteStore(path)
    for analysis in corpus():
        save_and_link(store, analysis)
    store.close()
    return path


def test_list_show_split_undo_relink(tmp_path: Path) -> None:
    db, runner, app = _db(tmp_path), CliRunner(), build_app()
    listed = runner.invoke(app, ["releases", "--json", "--db", str(db)])
    assert listed.exit_code == 0, listed.output
    releases = json.loads(listed.output)
    ramadan = next(r for r in releases if len(r["reports"]) == 4)
    shown = runner.invoke(app, ["show-release", ramadan["id"], "--db", str(db)])
    record = json.loads(shown.output)
    assert record["release_date"] == "2025-03-02" and record["history"]
    assert record["sources"]["earliest_report"]
    split = runner.invoke(
        app,
        [
            "split",
            "release",
            ramadan["id"],
            "--articles",
            "a-gazette",
            "--reason",
            "misread",
            "--user",
            "kim",
            "--db",
            str(db),
        ],
    )
    assert split.exit_code == 0 and "decision #1" in split.output
    relinked = runner.invoke(app, ["relink", "--db", str(db)])
    assert relinked.exit_code == 0 and "6 releases" in relinked.output  # the split holds
    undone = runner.invoke(app, ["undo", "1", "--db", str(db)])
    assert undone.exit_code == 0, undone.output
    text = runner.invoke(app, ["attacks", "--db", str(db)])
    assert "Mogadishu (SO)  killed 17" in text.output
    actors = runner.invoke(app, ["actors", "--db", str(db)])
    assert "Abu Yusuf al-Tahiri" in actors.output
    assert runner.invoke(app, ["show-actor", "person:abu-yusuf-al-tahiri", "--db", str(db)]).exit_code == 0


def test_errors_exit_non_zero_with_a_message(tmp_path: Path) -> None:
    db, runner, app = _db(tmp_path), CliRunner(), build_app()
    missing = runner.invoke(app, ["show-attack", "attack:nope", "--db", str(db)])
    assert missing.exit_code == 1 and "no attack record" in missing.output
    refused = runner.invoke(app, ["undo", "42", "--db", str(db)])
    assert refused.exit_code == 1 and "no decision #42" in refused.output
