"""``incitewatch refresh-groups``: aliases from the official lists a user supplies, written as a groups file
that loads like the packaged one, names its sources and loses nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from incitewatch.resources import (
    groups_from_file,
    packaged_groups_path,
    refresh_groups_from_designations,
    write_refreshed_groups,
)
from tests.shared_paths import DESIGNATIONS

UN_LIST = DESIGNATIONS / "un_consolidated" / "consolidated.xml"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from incitewatch.cli import main; main()", "refresh-groups", *args]
    return subprocess.run(command, capture_output=True, text=True, env=dict(os.environ), timeout=300)


def test_a_file_that_is_no_list_is_refused_by_name(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a sanctions list", encoding="utf-8")
    result = _run(str(bogus), "--write", str(tmp_path / "groups.json"))
    assert result.returncode == 1
    assert str(bogus) in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "groups.json").exists()


@pytest.mark.shared_data
def test_refresh_from_the_un_list_writes_a_loadable_groups_file(tmp_path: Path) -> None:
    if not UN_LIST.exists():
        pytest.skip("designation data absent")
    dry = _run(str(UN_LIST))
    assert dry.returncode == 0 and "nothing written" in dry.stdout
    out = tmp_path / "groups.json"
    result = _run(str(UN_LIST), "--write", str(out))
    assert result.returncode == 0, result.stderr
    packaged = json.loads(packaged_groups_path().read_text(encoding="utf-8"))
    refreshed = json.loads(out.read_text(encoding="utf-8"))
    before = {g["id"]: g for g in packaged["groups"]}
    after = {g.id: g for g in groups_from_file(out)}
    assert list(after) == list(before)  # no group lost, none added, order kept
    for group_id, group in before.items():
        assert set(group.get("aliases", [])) <= set(after[group_id].aliases)  # nothing removed
    added = {gid for gid, g in after.items() if len(g.aliases) > len(before[gid].get("aliases", []))}
    assert "group:al-shabaab" in added
    assert "the Youth" not in after["group:al-shabaab"].aliases  # an ordinary word is reported, not added
    assert refreshed["sources"][: len(packaged["sources"])] == packaged["sources"]
    assert any(str(UN_LIST) in source["name"] for source in refreshed["sources"][len(packaged["sources"]) :])
    # A second refresh from the same list adds nothing new to the refreshed file.
    again = tmp_path / "again.json"
    report = refresh_groups_from_designations(UN_LIST, tuple(after.values()))
    assert write_refreshed_groups([report], again, refreshed_on=date(2026, 1, 1), base=out) == 0
