"""Propaganda releases across reports: the ``propaganda_release`` events of many outlets become one ``Release``.

A report joins a record when enough is shared: speaker (resolved actor), group (same parent chain), medium, the
release date (the event's own date, else a window ending on the report's publication date: releases are reported
within days), quoted passages (word-shingle overlap), targets of the calls to action, occasion, channels and
citations of each other. Speaker, group, medium and dates that disagree rule a record out, so two releases of one
speaker weeks apart stay apart however alike their targets.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from rapidfuzz import fuzz

from incitewatch.link.actors import root_group
from incitewatch.link.attacks import month_days
from incitewatch.link.records import Evidence, Release, ReleaseReport
from incitewatch.store.links import Features, Profile, ReportRow

KIND = "release"
REPORTING_WINDOW_DAYS = 7  # a release undated in a report came out at most this long before publication
DATE_TOLERANCE_DAYS = 1  # "Sunday" vs "late Saturday": one day either way
SHINGLE_SIZE = 3
MAX_SHINGLES = 200
QUOTE_BLOCK_SHINGLES = 6  # the smallest shingle hashes of a report double as blocking keys
MAX_MEMBER_INTERVALS = 40
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WORD = re.compile(r"\w+")


def _day(value: str | None) -> date | None:
    if value and _ISO_DAY.match(value[:10]) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def shingles(text: str) -> list[int]:
    """Stable hashes of the word 3-grams of a quote, lower-cased: overlapping quotes share many."""
    words = [w.lower() for w in _WORD.findall(text)]
    grams = {" ".join(words[i : i + SHINGLE_SIZE]) for i in range(max(0, len(words) - SHINGLE_SIZE + 1))}
    return sorted(zlib.crc32(gram.encode()) for gram in grams)


def _fillers(event: Mapping[str, Any], role: str) -> list[Mapping[str, Any]]:
    return list(event.get("roles", {}).get(role, ()))


def _first_entity(event: Mapping[str, Any], role: str, prefix: str) -> tuple[str | None, str | None]:
    for filler in _fillers(event, role):
        entity = filler.get("entity")
        if entity and entity.startswith(prefix):
            return entity, filler.get("text")
    return None, None


def _release_date(event: Mapping[str, Any]) -> str | None:
    """The release date a report states: a day, else a month or a range of days ("June 2017", Ramadan)."""
    candidates = [event.get("time")] + [f.get("value") for f in _fillers(event, "date")]
    values = [v for v in candidates if isinstance(v, str)]
    for value in values:
        if _day(value):
            return value[:10]
    for value in values:
        if _coarse_interval(value) is not None:
            return value
    return None


def _coarse_interval(value: str) -> tuple[date, date] | None:
    """A month ("2017-06") or a day range ("2017-05-27/2017-06-24") as first and last day; else ``None``.

    A bare year is too coarse to tell one speaker's releases apart, so it stays undated."""
    month = month_days(value)
    if month:
        return month
    if "/" in value:
        begin, _, end = value.partition("/")
        start, stop = _day(begin), _day(end)
        if start and stop and start <= stop and (stop - start).days <= 40:
            return start, stop
    return None


def _interval(release_date: str | None, published: str | None) -> tuple[str, str] | None:
    """When the release came out, as an inclusive ISO interval: its date ± tolerance, the month or range a report
    gives, else the reporting window before publication."""
    exact = _day(release_date) if release_date and len(release_date) == 10 else None
    if exact:
        return (
            (exact - timedelta(DATE_TOLERANCE_DAYS)).isoformat(),
            (exact + timedelta(DATE_TOLERANCE_DAYS)).isoformat(),
        )
    coarse = _coarse_interval(release_date) if release_date else None
    if coarse:
        return coarse[0].isoformat(), coarse[1].isoformat()
    day = _day(published)
    if day:
        return (day - timedelta(REPORTING_WINDOW_DAYS)).isoformat(), day.isoformat()
    return None


def _events_between(events: Sequence[Mapping[str, Any]], start: int, end: int, kind: str) -> list[Mapping[str, Any]]:
    return [e for e in events if e["type"] == kind and start <= e["evidence"]["start"] < end]


def _calls_of(
    events: Sequence[Mapping[str, Any]], releases: Sequence[Mapping[str, Any]], index: int
) -> list[Mapping[str, Any]]:
    """The calls to action reported with one release: all of them when the report has one release, else those
    between this release's sentence and the next one's."""
    if len(releases) == 1:
        return [e for e in events if e["type"] == "call_to_action"]
    start = releases[index]["evidence"]["start"] if index else 0
    end = releases[index + 1]["evidence"]["start"] if index + 1 < len(releases) else 1 << 60
    return _events_between(events, start, end, "call_to_action")


def _targets(calls: Sequence[Mapping[str, Any]]) -> list[str]:
    found: set[str] = set()
    for call in calls:
        for role in ("target", "place", "method"):
            for filler in _fillers(call, role):
                value = filler.get("entity") or filler.get("value")
                if value is not None:
                    found.add(f"{role}:{str(value).lower()}")
    return sorted(found)


def _quotes_of(analysis: Mapping[str, Any], speaker_entity: str | None, only_release: bool) -> list[Mapping[str, Any]]:
    quotes = list(analysis.get("quotes", ()))
    if speaker_entity:
        return [q for q in quotes if q.get("speaker") == speaker_entity]
    # No speaker named: the report's unattributed quotes are the recording's when it tells of one release only.
    return [q for q in quotes if q.get("speaker") is None] if only_release else []


def _citations(analysis: Mapping[str, Any]) -> list[str]:
    return sorted(
        {a["source"] for a in analysis.get("attributions", ()) if (a.get("source") or "").startswith("outlet:")}
    )


def outlet_key(outlet: str | None) -> str | None:
    """An outlet name as an ``outlet:`` id, to match citations ("according to Reuters") with reports' outlets."""
    if not outlet:
        return None
    if outlet.startswith("outlet:"):
        return outlet
    slug = re.sub(r"[^a-z0-9]+", "-", outlet.lower()).strip("-")
    return f"outlet:{slug.removeprefix('the-')}" if slug else None


def release_features(
    analysis: Mapping[str, Any], actor_of: Mapping[str, str], attack_ids: Sequence[str] = ()
) -> list[tuple[str, Features]]:
    """(event id, features) of every propaganda_release event of one analysis; ``actor_of`` maps the article's
    entity ids to actor record ids, ``attack_ids`` are the attack records the same report tells of (a claim of
    responsibility, an attack the speaker praises)."""
    article = analysis.get("article", {})
    events = list(analysis.get("events", ()))
    releases = [e for e in events if e["type"] == "propaganda_release"]
    out: list[tuple[str, Features]] = []
    for index, event in enumerate(releases):
        speaker_entity, speaker_text = _first_entity(event, "speaker", "person:")
        group, _ = _first_entity(event, "group", "group:")
        quotes = _quotes_of(analysis, speaker_entity, len(releases) == 1)
        hashes = sorted({h for q in quotes for h in shingles(q["text"])})[:MAX_SHINGLES]
        medium = next((str(f["value"]) for f in _fillers(event, "medium") if f.get("value")), None)
        evidence = event["evidence"]
        out.append(
            (
                event["id"],
                {
                    "group": group,
                    "root_group": root_group(group),
                    "speaker": actor_of.get(speaker_entity, speaker_entity) if speaker_entity else None,
                    "speaker_entity": speaker_entity,
                    "speaker_text": speaker_text,
                    "speaker_role": next(
                        (str(f["value"]) for f in _fillers(event, "speaker_role") if f.get("value")), None
                    ),
                    "medium": medium,
                    "release_date": _release_date(event),
                    "published": article.get("published"),
                    "channels": sorted({f["entity"] for f in _fillers(event, "channel") if f.get("entity")}),
                    "occasion": next(
                        (str(f["value"]).lower() for f in _fillers(event, "occasion") if f.get("value")), None
                    ),
                    "duration": next((str(f["value"]) for f in _fillers(event, "duration") if f.get("value")), None),
                    "release_title": next((str(f["value"]) for f in _fillers(event, "title") if f.get("value")), None),
                    "targets": _targets(_calls_of(events, releases, index)),
                    "shingles": hashes,
                    "quotes": [[q["start"], q["end"], q["text"]] for q in quotes[:3]],
                    "outlet": outlet_key(article.get("outlet")),
                    "outlet_name": article.get("outlet"),
                    "title": article.get("title"),
                    "cites": _citations(analysis),
                    "attacks": sorted(attack_ids),
                    "verification": event.get("verification", "confirmed"),
                    "evidence": [evidence["start"], evidence["end"], evidence["text"]],
                },
            )
        )
    return out


# ------------------------------------------------------------------------------------------------ blocking


def _weeks(interval: tuple[str, str] | None) -> list[str]:
    if interval is None:
        return ["nodate"]
    start, end = date.fromisoformat(interval[0]), date.fromisoformat(interval[1])
    weeks: list[str] = []
    day = start
    while day <= end:
        year, week, _ = day.isocalendar()
        label = f"{year}-W{week:02d}"
        if label not in weeks:
            weeks.append(label)
        day += timedelta(days=1)
    return weeks


def _filed_under(features: Features) -> list[str]:
    """Who-parts of the keys a member files its record under (each combined with the weeks of its interval)."""
    speaker, root = features.get("speaker"), features.get("root_group") or "none"
    keys = [f"g:{root}", "any"]
    if speaker:
        keys.append(f"s:{speaker}")
    else:  # a record with a speakerless member may have no speaker at all: findable by speaker-naming reports
        keys.extend([f"gn:{root}", "n"])
    return keys


def _looked_up_under(features: Features) -> list[str]:
    """Who-parts of the keys holding every record this report could be compatible with, and few others: a
    named speaker rules out records of other speakers, a group those of other groups."""
    speaker, root = features.get("speaker"), features.get("root_group")
    if speaker and root:
        return [f"s:{speaker}", f"gn:{root}", "gn:none"]
    if speaker:
        return [f"s:{speaker}", "n"]
    if root:
        return [f"g:{root}", "g:none"]
    return ["any"]


class ReleaseSpec:
    """How release reports are compared with release records (see ``linker.attach``)."""

    kind = KIND
    threshold = 3.0
    ambiguity_margin: float | None = None

    def new_record_id(self, article_id: str, item_id: str, features: Features) -> str:
        return "release:" + hashlib.sha1(f"{article_id}/{item_id}".encode()).hexdigest()[:12]

    def empty_profile(self) -> Profile:
        return {
            "groups": [],
            "root_group": None,
            "group": None,
            "speaker": None,
            "media": [],
            "exact": [],
            "intervals": [],
            "shingles": [],
            "targets": [],
            "occasions": [],
            "titles": [],
            "durations": [],
            "channels": [],
            "outlets": [],
            "cites": [],
            "attacks": [],
            "n": 0,
        }

    def add_to_profile(self, profile: Profile, features: Features) -> Profile:
        profile["n"] += 1
        for field, value in (
            ("groups", features.get("group")),
            ("media", features.get("medium")),
            ("exact", features.get("release_date")),
            ("occasions", features.get("occasion")),
            ("titles", title_key(features.get("release_title"))),
            ("durations", features.get("duration")),
            ("outlets", features.get("outlet")),
        ):
            if value and value not in profile[field]:
                profile[field].append(value)
        profile["group"] = profile["group"] or features.get("group")
        profile["root_group"] = profile["root_group"] or features.get("root_group")
        profile["speaker"] = profile["speaker"] or features.get("speaker")
        interval = _interval(features.get("release_date"), features.get("published"))
        if interval and len(profile["intervals"]) < MAX_MEMBER_INTERVALS:
            profile["intervals"].append(list(interval))
        profile["shingles"] = sorted(set(profile["shingles"]) | set(features.get("shingles", ())))[: MAX_SHINGLES * 2]
        for field in ("targets", "channels", "cites", "attacks"):
            profile[field] = sorted(set(profile[field]) | set(features.get(field, ())))
        return profile

    def block_keys(self, features: Features) -> list[str]:
        weeks = _weeks(_interval(features.get("release_date"), features.get("published")))
        keys = [f"{who}:{week}" for who in _filed_under(features) for week in weeks]
        keys.extend(f"q:{h}" for h in features.get("shingles", ())[:QUOTE_BLOCK_SHINGLES])
        return keys

    def query_keys(self, features: Features) -> list[str]:
        # A record is filed under the weeks of every member's interval, so an overlapping one shares a week.
        weeks = _weeks(_interval(features.get("release_date"), features.get("published")))
        keys = [f"{who}:{week}" for who in _looked_up_under(features) for week in weeks]
        keys.extend(f"q:{h}" for h in features.get("shingles", ())[:QUOTE_BLOCK_SHINGLES])
        return keys

    def score(self, features: Features, profile: Profile) -> tuple[float, list[str]] | None:
        hard = _hard_constraints(features, profile)
        if hard is None:
            return None
        score, reasons = hard
        for part in (_quote_score, _target_score, _detail_score):
            extra, why = part(features, profile)
            score, reasons = score + extra, reasons + why
        return score, reasons


def _overlaps(a: Sequence[str], b: Sequence[str]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _hard_constraints(features: Features, profile: Profile) -> tuple[float, list[str]] | None:
    """Speaker, group, medium and date: a disagreement rules the record out; agreement scores."""
    score, reasons = 0.0, []
    speaker = features.get("speaker")
    if speaker and profile["speaker"]:
        if speaker != profile["speaker"]:
            return None
        score, reasons = score + 3.0, [f"same speaker {speaker}"]
    root = features.get("root_group")
    if root and profile["root_group"]:
        if root != profile["root_group"]:
            return None
        exact = features.get("group") in profile["groups"]
        score, reasons = score + (1.0 if exact else 0.5), [*reasons, f"same group {features.get('group')}"]
    medium = features.get("medium")
    if medium and profile["media"]:
        if medium not in profile["media"]:
            return None
        score, reasons = score + 1.0, [*reasons, f"same medium {medium}"]
    interval = _interval(features.get("release_date"), features.get("published"))
    if interval and profile["intervals"]:
        if not all(_overlaps(interval, other) for other in profile["intervals"]):
            return None
        if features.get("release_date") in profile["exact"]:
            score, reasons = score + 2.0, [*reasons, f"same release date {features['release_date']}"]
        else:
            score, reasons = score + 0.5, [*reasons, f"compatible dates {interval[0]}..{interval[1]}"]
    return score, reasons


def _jaccard(a: Sequence[Any], b: Sequence[Any]) -> float:
    union = set(a) | set(b)
    return len(set(a) & set(b)) / len(union) if union else 0.0


def _quote_score(features: Features, profile: Profile) -> tuple[float, list[str]]:
    mine = set(features.get("shingles", ()))
    if not mine or not profile["shingles"]:
        return 0.0, []
    shared = len(mine & set(profile["shingles"])) / len(mine)  # containment: a report quotes a part of the speech
    if shared < 0.2:
        return 0.0, []
    return 3.0 * min(1.0, shared / 0.5), [f"quoted passages overlap ({shared:.0%} of shingles)"]


def _target_score(features: Features, profile: Profile) -> tuple[float, list[str]]:
    overlap = _jaccard(features.get("targets", ()), profile["targets"])
    if overlap == 0.0:
        return 0.0, []
    return 1.5 * overlap, [f"targets overlap ({overlap:.0%})"]


def title_key(title: str | None) -> str | None:
    """A release title compared across outlets: lower case, words only ("We Are All Osama" = "we are all osama")."""
    words = _WORD.findall(title.lower()) if title else []
    return " ".join(words) or None


def _same_title(a: str, b: str) -> bool:
    # Outlets translate titles a little differently ("And Kill Them…" / "Kill Them…"): near-equal word sets count.
    return fuzz.token_set_ratio(a, b) >= 85


def _detail_score(features: Features, profile: Profile) -> tuple[float, list[str]]:
    score, reasons = 0.0, list[str]()
    if features.get("occasion") and features["occasion"] in profile["occasions"]:
        score, reasons = score + 1.0, [*reasons, "same occasion"]
    title = title_key(features.get("release_title"))
    if title and any(_same_title(title, other) for other in profile.get("titles", ())):
        score, reasons = score + 2.0, [*reasons, f"same title “{features['release_title']}”"]
    if set(features.get("attacks", ())) & set(profile.get("attacks", ())):
        score, reasons = score + 1.5, [*reasons, "tells of the same attack"]
    if features.get("duration") and features["duration"] in profile["durations"]:
        score, reasons = score + 0.5, [*reasons, f"same duration {features['duration']}"]
    if set(features.get("channels", ())) & set(profile["channels"]):
        score, reasons = score + 0.5, [*reasons, "same channel"]
    cites = set(features.get("cites", ())) & set(profile["outlets"])
    outlet = features.get("outlet")
    cited_by: set[str] = {outlet} & set(profile["cites"]) if outlet else set()
    if cites or cited_by:
        score, reasons = score + 1.0, [*reasons, f"cites {sorted(cites | cited_by)[0]}"]
    return score, reasons


# ------------------------------------------------------------------------------------------------ the view


def _evidence(article_id: str, triple: Sequence[Any] | None) -> Evidence:
    start, end, text = triple if triple else (0, 0, "")
    return Evidence(article_id, int(start), int(end), str(text))


def _reconciled_date(reports: Sequence[ReportRow]) -> tuple[str | None, str, list[str]]:
    # A day outranks the month or range another report gives (which it falls in): only days can disagree.
    days = Counter(r.features["release_date"] for r in reports if _day(r.features.get("release_date")))
    stated = days or Counter(r.features["release_date"] for r in reports if r.features.get("release_date"))
    if not stated:
        published = sorted(r.published for r in reports if r.published)
        if not published:
            return None, "no report dates the release", []
        return None, f"no report dates the release; first reported {published[0]}", []
    ranked = sorted(stated.items(), key=lambda item: (-item[1], item[0]))
    value, count = ranked[0]
    reason = f"stated by {count} of {len(reports)} reports"
    disagreements = (
        ["release date: " + " vs ".join(f"{d} ({n} report{'s' if n > 1 else ''})" for d, n in ranked)]
        if len(ranked) > 1
        else []
    )
    return value, reason, disagreements


def _most_common(values: Sequence[str | None]) -> str | None:
    counted = Counter(v for v in values if v)
    return sorted(counted.items(), key=lambda item: (-item[1], item[0]))[0][0] if counted else None


_DOUBT = {"confirmed": 0, "claimed": 1, "unverified": 2, "disputed": 3}


def build_release(record_id: str, reports: Sequence[ReportRow]) -> Release:
    """The ``Release`` view of one record from its reports, each report's values side by side."""
    release_date, date_reason, disagreements = _reconciled_date(reports)
    features = [r.features for r in reports]
    dated = sorted(reports, key=lambda r: (r.published or "9999", r.seq))
    media = Counter(f.get("medium") for f in features if f.get("medium"))
    if len(media) > 1:
        disagreements.append("medium: " + " vs ".join(f"{m} ({n})" for m, n in media.most_common()))
    return Release(
        id=record_id,
        group=_most_common([f.get("group") for f in features]),
        titles=tuple(dict.fromkeys(str(f["release_title"]) for f in features if f.get("release_title"))),
        speaker=_most_common([f.get("speaker") for f in features]),
        medium=_most_common([f.get("medium") for f in features]),
        release_date=release_date,
        release_date_reason=date_reason,
        channels=tuple(sorted({c for f in features for c in f.get("channels", ())})),
        targets=tuple(sorted({t for f in features for t in f.get("targets", ()) if t.startswith("target:")})),
        places=tuple(
            sorted({t.removeprefix("place:") for f in features for t in f.get("targets", ()) if t.startswith("place:")})
        ),
        methods=tuple(
            sorted(
                {t.removeprefix("method:") for f in features for t in f.get("targets", ()) if t.startswith("method:")}
            )
        ),
        quotes=tuple(_evidence(r.article_id, q) for r in reports for q in r.features.get("quotes", ())),
        verification=min((f.get("verification", "confirmed") for f in features), key=lambda v: _DOUBT.get(v, 0)),
        reports=tuple(
            ReleaseReport(
                article_id=r.article_id,
                event_id=r.item_id,
                outlet=r.features.get("outlet_name") or r.features.get("outlet"),
                published=r.published,
                release_date=r.features.get("release_date"),
                evidence=_evidence(r.article_id, r.features.get("evidence")),
                link_reason=r.link_reason,
                pinned=r.pinned,
            )
            for r in dated
        ),
        disagreements=tuple(disagreements),
        earliest_report=dated[0].article_id if dated else None,
    )
