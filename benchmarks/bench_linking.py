"""Time and peak memory of cross-document linking over synthetic-but-realistic release and attack reports.

    .venv/bin/python benchmarks/bench_linking.py [--reports 100000] [--db /tmp/bench-links.sqlite] [--seed 1]

Reports are generated from templates: releases by a few hundred speakers of ten groups over a year or more
(about a hundred reports a day), each told by 1-6 outlets with varied transliterations (Abu/Abou/Abi, al-/el-,
Yusuf/Youssef...), some naming no speaker or no date, quoting overlapping parts of the speech; attacks in a few
hundred cities, each reported 1-5 times with tolls that rise. Every report is linked with ``link_article`` into a
SQLite file, one transaction each, as ingest does. Figures at each tenth show whether the cost per report stays
flat (blocking) or grows; CPU time is the figure to read on a shared machine.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from synthetic_text import Text

from incitewatch.evaluation.coref import b_cubed
from incitewatch.link.linker import link_article
from incitewatch.serialize import SCHEMA
from incitewatch.store.links import LinkStore
from incitewatch.store.sqlite import SQLiteStore

KUNYA = ["Abu", "Abou", "Abi", "Abū"]
ARTICLE = ["al-", "el-", "al-", "al "]
FIRST = [("Yusuf", "Youssef", "Yousef"), ("Umar", "Omar", "Oumar"), ("Hamza", "Hamzah", "Hamzeh"),
         ("Muhammad", "Mohammed", "Mohamed"), ("Hudhayfah", "Huthaifa", "Huzaifa"), ("Ibrahim", "Ebrahim", "Ibraheem"),
         ("Khalid", "Khaled", "Khalid"), ("Ubayda", "Obaida", "Ubaidah"), ("Ayyub", "Ayoub", "Ayub"),
         ("Hasan", "Hassan", "Hasan")]  # fmt: skip
NISBA = ["Tahiri", "Muhajir", "Qurashi", "Ansari", "Shami", "Iraqi", "Masri", "Libi", "Somali", "Kurdi", "Tunisi",
         "Maghribi", "Sudani", "Yemeni", "Khurasani", "Hindi", "Turki", "Jazrawi", "Najdi", "Halabi"]  # fmt: skip
GROUPS = ["group:islamic-state", "group:al-qaeda", "group:al-shabaab", "group:islamic-state-khorasan",
          "group:aqap", "group:boko-haram", "group:hayat-tahrir-al-sham", "group:jnim", "group:taliban",
          "group:ttp"]  # fmt: skip
MEDIA = ["audio", "video", "text", "magazine"]
TARGETS = ["Christians", "Jews", "police", "soldiers", "tourists", "officials", "Shia", "journalists"]
OUTLETS = [f"Outlet {i}" for i in range(60)]
WORDS = [
    "strike",
    "burn",
    "the",
    "enemy",
    "in",
    "their",
    "homes",
    "markets",
    "roads",
    "and",
    "churches",
    "until",
    "they",
    "fear",
    "every",
    "crowd",
    "lone",
    "wolves",
    "rise",
    "take",
    "knives",
    "vehicles",
    "fire",
    "wherever",
    "you",
    "are",
    "brothers",
    "of",
    "faith",
]
COUNTRIES = ["SO", "IQ", "SY", "AF", "PK", "NG", "ML", "YE", "BF", "MZ", "EG", "LY", "PH", "KE", "NE"]
DAY0 = date(2024, 1, 1)


def _spelling(rng: random.Random, speaker: tuple[int, int]) -> str:
    first, nisba = FIRST[speaker[0]], NISBA[speaker[1]]
    return f"{rng.choice(KUNYA)} {rng.choice(first)} {rng.choice(ARTICLE)}{nisba}"


def _article(article_id: str, published: date, outlet: str, text: Text, **parts: Any) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "article": {"id": article_id, "url": None, "title": None, "outlet": outlet, "author": None,
                    "published": published.isoformat(), "language": "en", "text": str(text)},
        "entities": parts.get("entities", []), "times": [], "places": parts.get("places", []),
        "quotes": parts.get("quotes", []), "attributions": [], "events": parts.get("events", []),
    }  # fmt: skip


def release_report(rng: random.Random, release: dict[str, Any], index: int) -> dict[str, Any]:
    text = Text()
    group = text.add(release["group"])
    text.add(" released ")
    medium = text.add(release["medium"])
    entities = [{"id": release["group"], "type": "group", "name": release["group"], "aliases": [],
                 "mentions": [group]}]  # fmt: skip
    roles: dict[str, list[dict[str, Any]]] = {
        "group": [{**group, "entity": release["group"]}], "medium": [{**medium, "value": release["medium"]}],
    }  # fmt: skip
    quotes = []
    if rng.random() < 0.85:  # some outlets never name the speaker
        text.add(" by ")
        name = _spelling(rng, release["speaker"])
        speaker_span = text.add(name)
        speaker_id = "person:" + name.lower().replace(" ", "-")
        entities.append({"id": speaker_id, "type": "person", "name": name, "aliases": [], "mentions": [speaker_span],
                         "attributes": {"role": "spokesman"}})  # fmt: skip
        roles["speaker"] = [{**speaker_span, "entity": speaker_id}]
    published = release["date"] + timedelta(days=rng.randint(0, 4))
    event_time = None
    if rng.random() < 0.7:  # others give only their publication date
        text.add(" on ")
        when = text.add(release["date"].strftime("%A"))
        event_time = release["date"].isoformat()
        roles["date"] = [{**when, "value": event_time}]
    text.add(', saying "')
    start = rng.randint(0, max(0, len(release["speech"]) - 12))
    quote = text.add(" ".join(release["speech"][start : start + 12]))
    text.add('". It urged attacks on ')
    target = text.add(release["target"])
    text.add(".")
    quotes.append({**quote, "speaker": roles["speaker"][0]["entity"] if "speaker" in roles else None})
    call = {"id": f"r{index}/call_to_action/0", "type": "call_to_action", "evidence": target,
            "roles": {"target": [{**target, "value": release["target"]}]}, "time": None,
            "verification": "confirmed", "confidence": 0.7}  # fmt: skip
    event = {"id": f"r{index}/propaganda_release/0", "type": "propaganda_release", "evidence": medium,
             "roles": roles, "time": event_time, "verification": "confirmed", "confidence": 0.8}  # fmt: skip
    return _article(f"r{index}", published, rng.choice(OUTLETS), text, entities=entities, quotes=quotes,
                    events=[event, call])  # fmt: skip


def attack_report(rng: random.Random, attack: dict[str, Any], index: int, nth: int) -> dict[str, Any]:
    text = Text()
    text.add("An attack in ")
    city = text.add(attack["city"])
    text.add(" killed ")
    killed_value = attack["killed"] + 3 * nth
    killed = text.add(str(killed_value))
    text.add(" people on ")
    when = text.add(attack["date"].strftime("%A"))
    place_id = f"place:geonames:{attack['city_id']}"
    places = [{**city, "id": place_id, "name": attack["city"], "geonames_id": attack["city_id"],
               "country": attack["country"], "lat": None, "lon": None, "kind": "city"}]  # fmt: skip
    roles = {"place": [{**city, "entity": place_id}], "killed": [{**killed, "value": killed_value}],
             "date": [{**when, "value": attack["date"].isoformat()}]}  # fmt: skip
    event = {"id": f"t{index}/attack/0", "type": "attack", "evidence": city, "roles": roles,
             "time": attack["date"].isoformat(), "verification": "confirmed", "confidence": 0.8}  # fmt: skip
    published = attack["date"] + timedelta(days=1 + nth)
    entities = [{"id": place_id, "type": "place", "name": attack["city"], "aliases": [], "mentions": [city]}]
    return _article(f"t{index}", published, rng.choice(OUTLETS), text, entities=entities, places=places,
                    events=[event])  # fmt: skip


def generate(count: int, seed: int) -> tuple[list[dict[str, Any]], dict[str, tuple[str, int]]]:
    """``count`` reports (60% releases, 40% attacks), ordered by publication date as they would arrive, and the
    gold: article id -> ("release" | "attack" | "speaker", number) of what it reports."""
    rng = random.Random(seed)
    days = max(365, count // 100)  # a monitoring feed of about a hundred relevant reports a day
    speakers = [(rng.randrange(len(FIRST)), rng.randrange(len(NISBA))) for _ in range(200)]
    reports: list[dict[str, Any]] = []
    gold: dict[str, tuple[str, int]] = {}
    speaker_gold: dict[str, tuple[str, int]] = {}
    number = 0  # of the release or attack: the gold label its reports share
    while len(reports) < count * 0.6:
        number += 1
        release = {"group": rng.choice(GROUPS), "speaker": rng.choice(speakers), "medium": rng.choice(MEDIA),
                   "date": DAY0 + timedelta(days=rng.randrange(days)), "target": rng.choice(TARGETS),
                   "speech": [rng.choice(WORDS) for _ in range(40)]}  # fmt: skip
        for _ in range(rng.randint(1, 6)):
            report = release_report(rng, release, len(reports))
            gold[report["article"]["id"]] = ("release", number)
            speaker_gold[report["article"]["id"]] = ("speaker", speakers.index(release["speaker"]))
            reports.append(report)
    cities = [(f"City{i}", 100000 + i, rng.choice(COUNTRIES)) for i in range(300)]
    while len(reports) < count:
        number += 1
        name, city_id, country = rng.choice(cities)
        attack = {"city": name, "city_id": city_id, "country": country, "killed": rng.randint(1, 40),
                  "date": DAY0 + timedelta(days=rng.randrange(days))}  # fmt: skip
        for nth in range(rng.randint(1, 5)):
            report = attack_report(rng, attack, len(reports), nth)
            gold[report["article"]["id"]] = ("attack", number)
            reports.append(report)
    reports = reports[:count]
    reports.sort(key=lambda r: (r["article"]["published"], r["article"]["id"]))
    return reports, {**gold, **{f"{k}#speaker": v for k, v in speaker_gold.items()}}


def _partition(labels: dict[str, Any]) -> list[set[str]]:
    clusters: dict[Any, set[str]] = {}
    for item, label in labels.items():
        clusters.setdefault(label, set()).add(item)
    return list(clusters.values())


def quality(store: SQLiteStore, gold: dict[str, tuple[str, int]]) -> dict[str, float]:
    """B³ F1 of the release and attack clusterings, and of speaker resolution, against the generator's truth."""
    links = LinkStore(store)
    scores: dict[str, float] = {}
    with links.transaction():
        rows = links._db.execute("SELECT kind, article_id, item_id, record_id FROM link_reports").fetchall()
    for kind in ("release", "attack"):
        response = {a: r for k, a, _, r in rows if k == kind}
        key = {a: label for a, label in gold.items() if label[0] == kind and a in response}
        scores[kind] = b_cubed(_partition(key), _partition(response)).f1
    persons = {a: r for k, a, item, r in rows if k == "actor" and item.startswith("person:")}
    speakers = {a: gold[f"{a}#speaker"] for a in persons if f"{a}#speaker" in gold}
    scores["speaker"] = b_cubed(_partition(speakers), _partition({a: persons[a] for a in speakers})).f1
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench-links.sqlite"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    reports, gold = generate(args.reports, args.seed)
    print(f"generated {len(reports)} reports; linking into {args.db}", flush=True)
    store = SQLiteStore(args.db)
    # Memory is read from the peak RSS, not tracemalloc: tracing every allocation made linking 4x slower.
    rss_before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    step = max(1, len(reports) // 10)
    started = last = time.perf_counter()
    cpu_started = cpu_last = time.process_time()
    for done, analysis in enumerate(reports, start=1):
        link_article(store, analysis)
        if done % step == 0 or done == len(reports):
            now, cpu_now = time.perf_counter(), time.process_time()
            batch = step if done % step == 0 else done % step
            wall_ms, cpu_ms = (now - last) / batch * 1000, (cpu_now - cpu_last) / batch * 1000
            # CPU time per report is the figure to read on a shared machine; wall time includes waiting.
            print(f"{done:>8} reports  {now - started:8.1f} s  last tenth: {wall_ms:6.2f} ms/report wall, "
                  f"{cpu_ms:6.2f} ms/report CPU", flush=True)  # fmt: skip
            last, cpu_last = now, cpu_now
    elapsed = time.perf_counter() - started
    cpu_elapsed = time.process_time() - cpu_started
    links = LinkStore(store)
    with links.transaction():
        counts = {kind: len(links.record_ids(kind)) for kind in ("actor", "release", "attack")}
    scores = quality(store, gold)
    store.close()
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"linked {len(reports)} reports in {elapsed:.1f} s wall, {cpu_elapsed:.1f} s CPU "
          f"({len(reports) / elapsed:.0f} reports/s wall)")  # fmt: skip
    print(f"records: {counts}; truth: {len({v for k, v in gold.items() if v[0] == 'release'})} releases, "
          f"{len({v for v in gold.values() if v[0] == 'attack'})} attacks")  # fmt: skip
    print("B3 F1 against the generator's truth: " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()))
    print(f"peak RSS {max_rss_mb:.0f} MiB, of which {rss_before_mb:.0f} MiB before linking (the generated "
          f"reports); linking added {max_rss_mb - rss_before_mb:.0f} MiB")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
