"""Accuracy report: the JSON ``overall`` contract and the printed table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incitewatch.evaluation.argf1 import ArgScore
from incitewatch.evaluation.geo import GeoScore
from incitewatch.evaluation.gtt import Counts, GttScore
from incitewatch.evaluation.report import BenchmarkResults, build_report, format_table, write_report
from incitewatch.evaluation.timex import TimexScore


def results() -> BenchmarkResults:
    muc4 = GttScore()
    muc4.per_key["Victim"] = Counts(p_num=1, p_den=2, r_num=1, r_den=2)
    return BenchmarkResults(
        muc4=muc4,
        tempeval3=TimexScore(system=4, gold=4, strict=2, relaxed=4, type_matches=4, value_matches=3),
        geocoding={
            "a": GeoScore(errors_km=[10.0, 500.0], gold_geocoded=2, matched=2),
            "b": GeoScore(errors_km=[1.0, 2.0], gold_geocoded=4, matched=2),
        },
        wikievents=ArgScore(predicted=10, gold=10, identified=6, classified=5, classified_coref=1),
        wikievents_attack=ArgScore(predicted=4, gold=8, identified=3, classified=2, classified_coref=0),
        wikievents_mode="head+coref",
    )


def test_overall_holds_the_four_headline_figures() -> None:
    overall = build_report(results())["overall"]
    assert overall["f1"] == pytest.approx(0.5)
    assert overall["value_f1"] == pytest.approx(0.75)
    assert overall["acc_161km"] == pytest.approx(0.75)  # pooled: 3 of 4 errors under 161 km
    assert overall["arg_c_f1"] == pytest.approx(1 / 3)  # attack, death and injury types only
    assert overall["arg_c_f1_all_types"] == pytest.approx(0.6)  # coref credit counted in head+coref mode
    assert build_report(results())["wikievents"]["attack_die_injure"]["counts"] == {"predicted": 4, "gold": 8}


def test_missing_benchmarks_are_null(tmp_path: Path) -> None:
    report = build_report(BenchmarkResults())
    assert report["overall"] == {
        "f1": None,
        "value_f1": None,
        "acc_161km": None,
        "arg_c_f1": None,
        "arg_c_f1_all_types": None,
    }
    write_report(report, tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["overall"]["f1"] is None
    assert "no benchmark was scored" in format_table(report)


def test_table_lists_benchmarks_in_percent() -> None:
    table = format_table(build_report(results()))
    assert "MUC-4" in table and "50.00" in table and "75.00" in table
    assert "pooled" in table


def test_table_breaks_each_benchmark_down_by_slot_and_role() -> None:
    attack = ArgScore(predicted=3, gold=4, identified=2, classified=2)
    attack.count_role("Victim", predicted=2, gold=3, classified=2)
    attack.count_role("Place", predicted=1, gold=1, classified=0)
    table = format_table(
        build_report(
            BenchmarkResults(
                tempeval3=TimexScore(system=4, gold=4, strict=2, relaxed=4, type_matches=4, value_matches=3),
                wikievents=ArgScore(predicted=3, gold=4, identified=2, classified=2),
                wikievents_attack=attack,
            )
        )
    )
    assert "MUC-4" not in table  # only what was run
    victim = next(line for line in table.splitlines() if line.strip().startswith("Victim"))
    assert victim.split() == ["Victim", "100.00", "66.67", "80.00", "2/3"]
    assert any(line.startswith("span, strict") and "50.00" in line for line in table.splitlines())
