"""Attacks across reports: ``attack`` events naming one place (or a city inside a country both name) at a
compatible date or month become one ``Attack``; every report's toll, date and perpetrator stay side by side and
the reconciled value says how it was chosen (tolls rise as counts firm up, so the latest report wins, among the
reports that tell of the attack as their own incident when any does: a toll quoted in passing may be stale).
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from incitewatch.link.actors import root_group
from incitewatch.link.records import Attack, AttackReport, Evidence
from incitewatch.store.links import Features, Profile, ReportRow
from incitewatch.types import is_own_incident

KIND = "attack"
DATE_TOLERANCE_DAYS = 1  # "Friday night" vs "Saturday"
MAX_MEMBER_INTERVALS = 40
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_days(value: str) -> tuple[date, date] | None:
    """The first and last day of an ISO month ("2017-06"); None for anything else."""
    month = _MONTH.match(value)
    if not month:
        return None
    year, number = int(month[1]), int(month[2])
    if not 1 <= number <= 12:
        return None
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def attack_interval(value: str | None) -> tuple[str, str] | None:
    """An ISO day (± tolerance) or a month as an inclusive ISO interval; None for anything vaguer."""
    if not value:
        return None
    day = _DAY.match(value)
    if day:
        try:
            exact = date(int(day[1]), int(day[2]), int(day[3]))
        except ValueError:
            return None
        tolerance = timedelta(DATE_TOLERANCE_DAYS)
        return (exact - tolerance).isoformat(), (exact + tolerance).isoformat()
    days = month_days(value)
    return (days[0].isoformat(), days[1].isoformat()) if days else None


def _fillers(event: Mapping[str, Any], role: str) -> list[Mapping[str, Any]]:
    return list(event.get("roles", {}).get(role, ()))


def _first_value(event: Mapping[str, Any], role: str) -> Any:
    return next((f["value"] for f in _fillers(event, role) if f.get("value") is not None), None)


def _day_part(value: object) -> object:
    """A TIMEX3 date-time ("2025-04-11TNI", "2025-04-11T14:00") cut to its date; anything else as it is."""
    if isinstance(value, str) and len(value) > 10 and value[10] == "T":
        return value[:10]
    return value


def _attack_date(event: Mapping[str, Any], published: str | None) -> str | None:
    """The attack's own date: the event's time, else the earliest dated filler not after publication."""
    # "Friday night" is 2025-04-11TNI in TIMEX3; an attack record is dated by the day.
    values = [_day_part(event.get("time"))] + [_day_part(f.get("value")) for f in _fillers(event, "date")]
    usable = [v for v in values if isinstance(v, str) and attack_interval(v)]
    if not usable:
        return None
    if _day_part(event.get("time")) in usable:
        return str(_day_part(event.get("time")))
    not_after = [v for v in usable if not published or v[:10] <= published]
    return min(not_after or usable)


def _place(event: Mapping[str, Any], places: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The event's most precise place (a city before a country)."""
    found = [places[f["entity"]] for f in _fillers(event, "place") if f.get("entity") in places]
    ranked = sorted(found, key=lambda p: 0 if p.get("kind") in ("city", "admin") else 1)
    return ranked[0] if ranked else None


def _merge_placeless(
    events: Sequence[Mapping[str, Any]], places: Mapping[str, Mapping[str, Any]]
) -> list[list[Mapping[str, Any]]]:
    """Group an article's attack events: one that names no place (a toll sentence) belongs to the placed attack
    before it, or to the article's only placed attack."""
    groups: list[list[Mapping[str, Any]]] = []
    orphans: list[Mapping[str, Any]] = []
    for event in sorted(events, key=lambda e: e["evidence"]["start"]):
        if _place(event, places) is not None:
            groups.append([event])
        elif groups:
            groups[-1].append(event)
        else:
            orphans.append(event)
    if orphans and groups:
        groups[0][1:1] = orphans
    return groups


def _perpetrator(events: Sequence[Mapping[str, Any]]) -> str | None:
    fillers = [f for e in events for f in _fillers(e, "perpetrator")]
    groups = [f["entity"] for f in fillers if (f.get("entity") or "").startswith("group:")]
    if groups:
        return str(groups[0])
    named = [f.get("entity") or f.get("value") for f in fillers]
    return next((str(n) for n in named if n), None)


def attack_features(analysis: Mapping[str, Any]) -> list[tuple[str, Features]]:
    """(event id, features) of every placed attack of one analysis, toll sentences folded in."""
    article = analysis.get("article", {})
    published = article.get("published")
    places = {p["id"]: p for p in analysis.get("places", ())}
    attacks = [e for e in analysis.get("events", ()) if e["type"] == "attack"]
    out: list[tuple[str, Features]] = []
    for events in _merge_placeless(attacks, places):
        main = next(e for e in events if _place(e, places) is not None)
        place = _place(main, places)
        assert place is not None  # chosen for having one
        dates = [d for d in (_attack_date(e, published) for e in events) if d]
        killed = [v for v in (_first_value(e, "killed") for e in events) if isinstance(v, int)]
        wounded = [v for v in (_first_value(e, "wounded") for e in events) if isinstance(v, int)]
        evidence = main["evidence"]
        out.append(
            (
                main["id"],
                {
                    "place": place["id"],
                    "place_name": place.get("name"),
                    "place_kind": place.get("kind"),
                    "country": place.get("country"),
                    "date": dates[0] if dates else None,
                    "killed": max(killed) if killed else None,
                    "wounded": max(wounded) if wounded else None,
                    "perpetrator": _perpetrator(events),
                    "methods": sorted({str(v) for e in events for v in [_first_value(e, "method")] if v}),
                    "published": published,
                    "outlet_name": article.get("outlet"),
                    "evidence": [evidence["start"], evidence["end"], evidence["text"]],
                    "events": [e["id"] for e in events],
                    "focus": max((e["focus"] for e in events if e.get("focus") is not None), default=None),
                },
            )
        )
    return out


def _months(interval: tuple[str, str] | None) -> list[str]:
    if interval is None:
        return ["nodate"]
    start, end = date.fromisoformat(interval[0]), date.fromisoformat(interval[1])
    months = []
    day = start.replace(day=1)
    while day <= end:
        months.append(f"{day.year:04d}-{day.month:02d}")
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _overlaps(a: Sequence[str], b: Sequence[str]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


class AttackSpec:
    """How attack reports are compared with attack records (see ``linker.attach``)."""

    kind = KIND
    threshold = 2.0
    ambiguity_margin: float | None = None

    def new_record_id(self, article_id: str, item_id: str, features: Features) -> str:
        return "attack:" + hashlib.sha1(f"{article_id}/{item_id}".encode()).hexdigest()[:12]

    def empty_profile(self) -> Profile:
        return {"places": [], "cities": [], "countries": [], "intervals": [], "perpetrators": [], "n": 0}

    def add_to_profile(self, profile: Profile, features: Features) -> Profile:
        profile["n"] += 1
        if features["place"] not in profile["places"]:
            profile["places"].append(features["place"])
        if features.get("place_kind") in ("city", "admin") and features["place"] not in profile["cities"]:
            profile["cities"].append(features["place"])
        if features.get("country") and features["country"] not in profile["countries"]:
            profile["countries"].append(features["country"])
        interval = attack_interval(features.get("date"))
        if interval and len(profile["intervals"]) < MAX_MEMBER_INTERVALS:
            profile["intervals"].append(list(interval))
        root = (
            root_group(features.get("perpetrator"))
            if (features.get("perpetrator") or "").startswith("group:")
            else None
        )
        if root and root not in profile["perpetrators"]:
            profile["perpetrators"].append(root)
        return profile

    def block_keys(self, features: Features) -> list[str]:
        months = _months(attack_interval(features.get("date")))
        country = features.get("country") or features["place"]
        keys = [f"p:{features['place']}:{m}" for m in months] + [f"c:{country}:{m}" for m in months]
        if features.get("place_kind") not in ("city", "admin"):  # a country-wide report fits any of its cities
            keys.extend(f"cc:{country}:{m}" for m in months)
        return keys

    def query_keys(self, features: Features) -> list[str]:
        months = _months(attack_interval(features.get("date")))
        country = features.get("country") or features["place"]
        if features.get("place_kind") in ("city", "admin"):
            # Records of this city, or those known only by the country; other cities of the country cannot fit.
            return [f"p:{features['place']}:{m}" for m in months] + [f"cc:{country}:{m}" for m in months]
        return [f"c:{country}:{m}" for m in months]

    def score(self, features: Features, profile: Profile) -> tuple[float, list[str]] | None:
        score, reasons = 0.0, []
        place = features["place"]
        if place in profile["places"]:
            score, reasons = 2.0, [f"same place {features.get('place_name') or place}"]
        elif features.get("country") in profile["countries"] and not (
            features.get("place_kind") in ("city", "admin") and profile["cities"]
        ):
            score, reasons = 1.0, [f"place within {features['country']} named by both"]
        else:
            return None  # two different cities, or different countries
        interval = attack_interval(features.get("date"))
        if interval and profile["intervals"]:
            if not all(_overlaps(interval, other) for other in profile["intervals"]):
                return None
            score, reasons = score + 1.0, [*reasons, f"compatible date {features['date']}"]
        perpetrator = features.get("perpetrator") or ""
        root = root_group(perpetrator) if perpetrator.startswith("group:") else None
        if root and profile["perpetrators"]:
            if root not in profile["perpetrators"]:
                return None
            score, reasons = score + 1.0, [*reasons, f"same perpetrator {perpetrator}"]
        return score, reasons


# ------------------------------------------------------------------------------------------------ the view


def _latest_value(reports: Sequence[ReportRow], field: str) -> tuple[int | None, str]:
    """The latest report's value (tolls rise as counts firm up), and how it was chosen.

    Reports that only refer to the attack (a release praising it, a retrospective) are passed over when a report
    of it as its own incident gives the value: the toll they quote may be weeks old.
    """
    valued = [r for r in reports if isinstance(r.features.get(field), int)]
    if not valued:
        return None, f"{field}: not reported"
    by_publication = sorted(valued, key=lambda r: (r.published or "", r.seq))
    own = [r for r in by_publication if is_own_incident(r.features.get("focus"))]
    passing = [r for r in by_publication if not is_own_incident(r.features.get("focus"))] if own else []
    ordered = own or by_publication
    latest = ordered[-1]
    values = ", ".join(str(r.features[field]) for r in ordered)
    if len(ordered) == 1:
        why = f"{field}: {latest.features[field]} (one report)"
    elif len({r.features[field] for r in ordered}) == 1:
        why = f"{field}: {latest.features[field]} in all {len(ordered)} reports"
    else:
        why = f"{field}: latest report ({latest.published or 'undated'}) of {len(ordered)}: {values}"
    if passing:
        quoted = ", ".join(str(r.features[field]) for r in passing)
        why += f" (passed over, {len(passing)} report(s) only referring to the attack: {quoted})"
    return latest.features[field], why


def _reconciled_date(reports: Sequence[ReportRow]) -> tuple[str | None, str]:
    stated = Counter(r.features["date"] for r in reports if r.features.get("date"))
    if not stated:
        return None, "date: not reported"
    # The most precise value first (a day before a month), then the most often reported, then the earliest.
    ranked = sorted(stated.items(), key=lambda item: (-len(item[0]), -item[1], item[0]))
    value = ranked[0][0]
    if len(stated) == 1:
        return value, f"date: {value} in {ranked[0][1]} report(s)"
    spread = ", ".join(f"{d} ({n})" for d, n in sorted(stated.items()))
    return value, f"date: most precise and most reported of {spread}"


def build_attack(record_id: str, reports: Sequence[ReportRow]) -> Attack:
    killed, killed_why = _latest_value(reports, "killed")
    wounded, wounded_why = _latest_value(reports, "wounded")
    when, date_why = _reconciled_date(reports)
    features = [r.features for r in reports]
    places = Counter(f["place"] for f in features)
    city_first = sorted(places, key=lambda p: (-places[p], p))
    main = next(f for f in features if f["place"] == city_first[0])
    perpetrators = Counter(f.get("perpetrator") for f in features if f.get("perpetrator"))
    dated = sorted(reports, key=lambda r: (r.published or "9999", r.seq))
    return Attack(
        id=record_id,
        place=main["place"],
        place_name=main.get("place_name"),
        country=main.get("country"),
        date=when,
        killed=killed,
        wounded=wounded,
        perpetrator=perpetrators.most_common(1)[0][0] if perpetrators else None,
        reconciliation="; ".join([killed_why, wounded_why, date_why]),
        killed_spread=tuple(sorted({f["killed"] for f in features if isinstance(f.get("killed"), int)})),
        wounded_spread=tuple(sorted({f["wounded"] for f in features if isinstance(f.get("wounded"), int)})),
        reports=tuple(
            AttackReport(
                article_id=r.article_id,
                event_id=r.item_id,
                outlet=r.features.get("outlet_name"),
                published=r.published,
                killed=r.features.get("killed"),
                wounded=r.features.get("wounded"),
                date=r.features.get("date"),
                perpetrator=r.features.get("perpetrator"),
                evidence=Evidence(r.article_id, *_triple(r.features.get("evidence"))),
                link_reason=r.link_reason,
                pinned=r.pinned,
                focus=r.features.get("focus"),
            )
            for r in dated
        ),
    )


def _triple(value: Sequence[Any] | None) -> tuple[int, int, str]:
    if not value:
        return 0, 0, ""
    return int(value[0]), int(value[1]), str(value[2])
