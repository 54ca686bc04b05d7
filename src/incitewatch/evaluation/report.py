"""Accuracy report: one JSON object and a plain-text table over the four benchmarks.

The JSON has a top-level ``overall`` object with the headline figure of each benchmark, as fractions in [0, 1]
(``null`` where a benchmark was not run):

* ``f1`` - MUC-4 template filling, GTT micro F1 (incident type + five roles);
* ``value_f1`` - TempEval-3 timex value F1 (value accuracy on relaxed matches times relaxed F1);
* ``acc_161km`` - geocoding accuracy@161 km, pooled over the corpora scored;
* ``arg_c_f1`` - WikiEvents argument classification F1 (head or span match, see ``wikievents.mode``) over the
  event types our target names: Conflict.Attack, Life.Die and Life.Injure (``wikievents.attack_die_injure``);
* ``arg_c_f1_all_types`` - the same over every event type of the KAIROS ontology, as PAIE and BART-Gen report it.

Each benchmark also gets its full breakdown under its own key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from incitewatch.evaluation.argf1 import ArgScore
from incitewatch.evaluation.geo import GeoScore
from incitewatch.evaluation.gtt import MICRO_KEY, GttScore
from incitewatch.evaluation.timex import TimexScore


@dataclass(slots=True)
class BenchmarkResults:
    """Whatever was scored; leave a field ``None`` (or empty) when that benchmark was not run."""

    muc4: GttScore | None = None
    tempeval3: TimexScore | None = None
    geocoding: dict[str, GeoScore] = field(default_factory=dict)  # corpus name -> score
    wikievents: ArgScore | None = None  # every event type of the ontology
    wikievents_attack: ArgScore | None = None  # Conflict.Attack, Life.Die, Life.Injure only
    wikievents_mode: str = "span"  # "span" or "head", with "+coref" when coref credit was used


def build_report(results: BenchmarkResults) -> dict[str, Any]:
    report: dict[str, Any] = {"overall": _overall(results)}
    if results.muc4 is not None:
        report["muc4"] = results.muc4.as_dict()
    if results.tempeval3 is not None:
        report["tempeval3"] = results.tempeval3.as_dict()
    if results.geocoding:
        report["geocoding"] = {name: score.as_dict() for name, score in results.geocoding.items()}
        report["geocoding"]["pooled"] = _pooled_geo(results.geocoding).as_dict()
    if results.wikievents is not None:
        report["wikievents"] = results.wikievents.as_dict() | {"mode": results.wikievents_mode}
        if results.wikievents_attack is not None:
            report["wikievents"]["attack_die_injure"] = results.wikievents_attack.as_dict()
    return report


def _pooled_geo(scores: Mapping[str, GeoScore]) -> GeoScore:
    pooled = GeoScore()
    for score in scores.values():
        pooled.errors_km.extend(score.errors_km)
        pooled.gold_geocoded += score.gold_geocoded
        pooled.matched += score.matched
    return pooled


def _arg_c_f1(score: ArgScore | None, mode: str) -> float | None:
    if score is None:
        return None
    arg_c = score.classified + (score.classified_coref if "coref" in mode else 0)
    return score.prf(arg_c)[2]


def _overall(results: BenchmarkResults) -> dict[str, float | None]:
    return {
        "f1": results.muc4.micro.f1 if results.muc4 is not None else None,
        "value_f1": results.tempeval3.value_f1 if results.tempeval3 is not None else None,
        "acc_161km": _pooled_geo(results.geocoding).acc_161km if results.geocoding else None,
        "arg_c_f1": _arg_c_f1(results.wikievents_attack, results.wikievents_mode),
        "arg_c_f1_all_types": _arg_c_f1(results.wikievents, results.wikievents_mode),
    }


def write_report(report: Mapping[str, Any], path: Path) -> None:
    path.write_text(json.dumps(report, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def format_table(report: Mapping[str, Any]) -> str:
    """Human-readable summary: the headline figure of each benchmark that was run, then its breakdown
    (precision, recall and F1 per slot or role; accuracy@161 km and error distances for geocoding), in percent."""
    lines = ["benchmark            metric         value"]
    labels = {
        "f1": ("MUC-4", "GTT micro F1"),
        "value_f1": ("TempEval-3", "value F1"),
        "acc_161km": ("geocoding", "acc@161km"),
        "arg_c_f1": ("WikiEvents", "Arg-C F1"),
        "arg_c_f1_all_types": ("  all types", "Arg-C F1"),
    }
    for key, (benchmark, metric) in labels.items():
        value = report["overall"].get(key)
        if value is not None:
            lines.append(f"{benchmark:<20} {metric:<14} {_percent(value)}")
    if len(lines) == 1:
        lines.append("(no benchmark was scored)")
    if "muc4" in report:
        lines += ["", "MUC-4 key          P       R       F1"]
        for key, row in report["muc4"].items():
            marker = "*" if key == MICRO_KEY else " "
            lines.append(f"{key:<15}{marker} {_percent(row['p'])} {_percent(row['r'])} {_percent(row['f1'])}")
    if "tempeval3" in report:
        lines += _timex_rows(report["tempeval3"])
    if "geocoding" in report:
        lines += ["", "geocoding          acc@161  median km  mean km  AUC    coverage"]
        for corpus, row in report["geocoding"].items():
            lines.append(
                f"{corpus:<18} {_percent(row['acc_161km'])} {row['median_error_km']:>9.1f}"
                f" {row['mean_error_km']:>8.1f}  {row['auc']:.3f}  {_percent(row['coverage'])}"
            )
    if "wikievents" in report:
        lines += _argument_rows(report["wikievents"])
    return "\n".join(lines)


def _header(title: str) -> str:
    return f"{title:<24} {'P':>7} {'R':>7} {'F1':>7}"


def _prf_row(label: str, row: Mapping[str, Any], extra: str = "") -> str:
    return f"{label:<24} {_percent(row['p'])} {_percent(row['r'])} {_percent(row['f1'])}{extra}"


def _timex_rows(row: Mapping[str, Any]) -> list[str]:
    spans = {"p": row["strict_p"], "r": row["strict_r"], "f1": row["strict_f1"]}
    relaxed = {"p": row["relaxed_p"], "r": row["relaxed_r"], "f1": row["relaxed_f1"]}
    return [
        "",
        _header(f"TempEval-3 ({row['system']} found, {row['gold']} gold)"),
        _prf_row("span, strict", spans),
        _prf_row("span, relaxed", relaxed),
        f"{'type':<24} {_percent(row['type_f1'])}  (accuracy {_percent(row['type_accuracy']).strip()})",
        f"{'value':<24} {_percent(row['value_f1'])}  (accuracy {_percent(row['value_accuracy']).strip()})",
    ]


def _argument_rows(row: Mapping[str, Any]) -> list[str]:
    lines = ["", _header(f"WikiEvents ({row.get('mode', 'span')} match)")]
    attack = row.get("attack_die_injure")
    if attack is not None:
        lines.append(_prf_row("attack/die/injure Arg-I", attack["arg_i"]))
        lines.append(_prf_row("attack/die/injure Arg-C", attack["arg_c"]))
    lines.append(_prf_row("all types Arg-I", row["arg_i"]))
    lines.append(_prf_row("all types Arg-C", row["arg_c"]))
    roles = (attack or row).get("roles", {})
    if roles:
        scope = "attack/die/injure" if attack is not None else "all types"
        lines += ["", _header(f"Arg-C per role, {scope}") + "  found/gold"]
        for role, counts in roles.items():
            lines.append(_prf_row(f"  {role}", counts, f"  {counts['matched']}/{counts['gold']}"))
    return lines


def _percent(value: float | None) -> str:
    return "    n/a" if value is None else f"{100 * value:7.2f}"
