"""Latency of the desk's REST API and the weight of its pages over a store of synthetic-but-realistic reports.

    .venv/bin/python benchmarks/bench_api.py [--articles 100000] [--link 2000] [--requests 200]
                                             [--db /tmp/bench-api.sqlite] [--seed 1]

Fills a SQLite store (once; an existing --db with enough articles is reused) with news-length reports: releases
by a few hundred spokesmen of ten groups and attacks in a few hundred cities, each told by several of sixty
outlets in their own words, with entities, places, quotes and events carrying offsets, written through
``SQLiteStore.save_analysis`` exactly as ingest does. The first ``--link`` reports are also linked into
cross-document records. Then a real uvicorn server is started on 127.0.0.1 and each endpoint is called
``--requests`` times (keep-alive, one client) with varied parameters; p50/p95/max are printed against the
100 ms target, followed by every page's weight (HTML + the static files it references).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from synthetic_text import Text

from incitewatch.api import Settings, create_app
from incitewatch.serialize import SCHEMA, analysis_from_dict
from incitewatch.store.sqlite import SQLiteStore
from incitewatch.store.users import UserStore

TARGET_P95_MS = 100.0
GROUPS = [("group:islamic-state", "Islamic State", "Daesh"), ("group:al-qaeda", "al-Qaeda", "AQ"),
          ("group:al-shabaab", "al-Shabaab", "Shabaab"), ("group:islamic-state-khorasan", "ISIS-K", "ISKP"),
          ("group:boko-haram", "Boko Haram", "JAS"), ("group:hts", "Hayat Tahrir al-Sham", "HTS"),
          ("group:aqap", "AQAP", "al-Qaeda in Yemen"), ("group:jnim", "JNIM", "Nusrat al-Islam"),
          ("group:iswap", "ISWAP", "IS West Africa"), ("group:tehrik-e-taliban", "Tehrik-e-Taliban", "TTP")]
FIRST = ["Yusuf", "Umar", "Hamza", "Khalid", "Bakr", "Hassan", "Ibrahim", "Muhammad", "Abdullah", "Ali"]
NISBA = ["Tahiri", "Muhajir", "Qurashi", "Ansari", "Shami", "Iraqi", "Masri", "Libi", "Somali", "Kurdi"]
MEDIA = ["audio message", "video", "statement", "magazine issue"]
TARGETS = ["Christians", "Jews", "police officers", "soldiers", "tourists", "officials", "journalists"]
CITIES = [("Kirkuk", 94787, "IQ", 35.47, 44.39), ("Mogadishu", 53654, "SO", 2.04, 45.34),
          ("Kabul", 1138958, "AF", 34.53, 69.17), ("Peshawar", 1168197, "PK", 34.01, 71.58),
          ("Maiduguri", 2331447, "NG", 11.85, 13.16), ("Gao", 2457163, "ML", 16.27, -0.04),
          ("Aden", 415189, "YE", 12.78, 45.04), ("Idlib", 169389, "SY", 35.93, 36.63),
          ("Brussels", 2800866, "BE", 50.85, 4.35), ("Moscow", 524901, "RU", 55.75, 37.62),
          ("Manila", 1701668, "PH", 14.60, 120.98), ("Nairobi", 184745, "KE", -1.28, 36.82)]
OUTLETS = [f"{adjective} {noun}" for adjective in ("Daily", "Harbour", "Northern", "Coast", "Wire", "Regional")
           for noun in ("Courier", "Herald", "Gazette", "Observer", "Times", "Post", "Tribune", "Ledger", "Star",
                        "Chronicle")]
FILLER = [
    "Security officials said they were studying the recording and had raised the alert level at several sites.",
    "Analysts noted that the group has lost most of the territory it once held but keeps a busy media operation.",
    "The message was shared on encrypted channels before copies appeared on other platforms within hours.",
    "Police said there was no specific threat but urged the public to report anything suspicious.",
    "Researchers who track the group's output said the production quality matched earlier releases.",
    "A government spokesperson declined to comment on the authenticity of the material.",
    "Previous calls of this kind were followed by a rise in arrests of people sharing the material online.",
    "The speaker did not give evidence for several of the claims made in the recording.",
]


def _article_id(index: int) -> str:
    return "a-" + hashlib.sha256(f"bench-{index}".encode()).hexdigest()[:16]


def _filler(rng: random.Random, text: Text) -> None:
    for sentence in rng.sample(FILLER, k=rng.randint(3, 6)):
        text.add("\n\n" + sentence)


def release_report(rng: random.Random, index: int, published: date) -> dict[str, Any]:
    group_id, group_name, group_alias = rng.choice(GROUPS)
    speaker = f"Abu {rng.choice(FIRST)} al-{rng.choice(NISBA)}"
    speaker_id = "person:" + speaker.lower().replace(" ", "-")
    medium, target = rng.choice(MEDIA), rng.choice(TARGETS)
    city = rng.choice(CITIES)
    text = Text()
    title = f"{group_alias} spokesman urges attacks on {target}"
    text.add("The militant group ")
    group = text.add(rng.choice((group_name, group_alias)))
    text.add(" published a new ")
    media = text.add(medium)
    text.add(" in which its spokesman ")
    name = text.add(speaker)
    text.add(" called on supporters to attack ")
    goal = text.add(target)
    text.add(" in ")
    place = text.add(city[0])
    evidence_end = text.add(".")["end"]
    text.add('\n\n"')
    quote = text.add(f"Strike the {target.lower()} wherever you find them")
    text.add('," he said in the recording.')
    _filler(rng, text)
    release_span = {"start": 0, "end": evidence_end, "text": str(text)[:evidence_end]}
    event = {"id": f"{_article_id(index)}/propaganda_release/0", "type": "propaganda_release",
             "evidence": release_span, "roles": {"group": [{**group, "entity": group_id}],
                                                 "speaker": [{**name, "entity": speaker_id}],
                                                 "medium": [{**media, "value": medium.split()[0]}]},
             "time": (published - timedelta(days=1)).isoformat(), "verification": rng.choice(
                 ("confirmed", "claimed", "unverified")), "confidence": 0.8}
    call = {"id": f"{_article_id(index)}/call_to_action/1", "type": "call_to_action", "evidence": release_span,
            "roles": {"target": [{**goal, "value": target}], "place": [{**place, "entity": _place_id(city)}]},
            "time": None, "verification": "confirmed", "confidence": 0.7}
    entities = [{"id": group_id, "type": "group", "name": group_name, "aliases": [group_alias], "mentions": [group]},
                {"id": speaker_id, "type": "person", "name": speaker, "aliases": [], "mentions": [name],
                 "attributes": {"role": "spokesman"}}]
    return _analysis(index, published, title, text, entities, [_place(city, place)],
                     [{**quote, "speaker": speaker_id}], [event, call])


def attack_report(rng: random.Random, index: int, published: date) -> dict[str, Any]:
    city = rng.choice(CITIES)
    killed_value = rng.randint(1, 60)
    group_id, group_name, _ = rng.choice(GROUPS)
    text = Text()
    title = f"Bombing in {city[0]} kills {killed_value}"
    text.add("A bombing at a market in ")
    place = text.add(city[0])
    text.add(" on Friday ")
    killed = text.add(f"killed {killed_value} people")
    text.add(", officials said. ")
    group = text.add(group_name)
    evidence_end = text.add(" claimed responsibility.")["end"]
    _filler(rng, text)
    span = {"start": 0, "end": evidence_end, "text": str(text)[:evidence_end]}
    event = {"id": f"{_article_id(index)}/attack/0", "type": "attack", "evidence": span,
             "roles": {"place": [{**place, "entity": _place_id(city)}], "killed": [{**killed, "value": killed_value}],
                       "perpetrator": [{**group, "entity": group_id}]},
             "time": (published - timedelta(days=1)).isoformat(), "verification": "confirmed", "confidence": 0.8}
    entities = [{"id": group_id, "type": "group", "name": group_name, "aliases": [], "mentions": [group]}]
    return _analysis(index, published, title, text, entities, [_place(city, place)], [], [event])


def _place_id(city: tuple[str, int, str, float, float]) -> str:
    return f"place:geonames:{city[1]}"


def _place(city: tuple[str, int, str, float, float], span: dict[str, Any]) -> dict[str, Any]:
    return {**span, "id": _place_id(city), "name": city[0], "geonames_id": city[1], "country": city[2],
            "lat": city[3], "lon": city[4], "kind": "city"}


def _analysis(index: int, published: date, title: str, text: Text, entities: list[dict[str, Any]],
              places: list[dict[str, Any]], quotes: list[dict[str, Any]], events: list[dict[str, Any]]
              ) -> dict[str, Any]:
    return {"schema": SCHEMA,
            "article": {"id": _article_id(index), "url": f"https://news.example/{index}", "title": title,
                        "outlet": OUTLETS[index % len(OUTLETS)], "author": None, "published": published.isoformat(),
                        "language": "en", "text": str(text)},
            "entities": entities, "times": [], "places": places, "quotes": quotes, "attributions": [],
            "events": events}


def fill(path: Path, count: int, link: int, seed: int) -> None:
    rng = random.Random(seed)
    store = SQLiteStore(path)
    have = store.counts()["articles"]
    if have >= count:
        print(f"reusing {path}: {have} articles")
        store.close()
        return
    started = time.perf_counter()
    day0 = date(2023, 1, 1)
    batch = 2000
    for first in range(have, count, batch):
        with store.transaction():
            for index in range(first, min(first + batch, count)):
                published = day0 + timedelta(days=index * 730 // count)
                make = release_report if rng.random() < 0.6 else attack_report
                analysis = make(rng, index, published)
                store.save_analysis(analysis_from_dict(analysis), analysis, None, None, "bench")
        print(f"\r{min(first + batch, count)} articles stored", end="", file=sys.stderr)
    print(f"\nfilled {count - have} articles in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if link:
        from incitewatch.link.linker import link_article

        started = time.perf_counter()
        for index in range(min(link, count)):
            analysis = store.get_article(_article_id(index))
            if analysis is not None:
                link_article(store, analysis)
        print(f"linked {link} articles in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    store.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _measure(client: httpx.Client, urls: Callable[[int], str], requests: int) -> list[float]:
    timings = []
    for nth in range(requests):
        started = time.perf_counter()
        response = client.get(urls(nth))
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{urls(nth)}: HTTP {response.status_code}: {response.text[:200]}")
    return timings


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def page_weight(client: httpx.Client, url: str) -> tuple[int, int]:
    """(HTML bytes, HTML + referenced /static files' bytes)."""
    html = client.get(url).content
    assets = set(re.findall(rb'(?:href|src)="(/static/[^"]+)"', html))
    return len(html), len(html) + sum(len(client.get(asset.decode()).content) for asset in assets)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--link", type=int, default=2000, help="link this many reports into records (0: none)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench-api.sqlite"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    fill(args.db, args.articles, args.link, args.seed)
    users = UserStore(args.db)
    name = f"bench-{int(time.time())}"
    token = users.add_user(name, "viewer", by="bench_api", reason="benchmark run").token
    users.close()

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(db_path=args.db)), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    rng = random.Random(args.seed)
    ids = [_article_id(rng.randrange(args.articles)) for _ in range(args.requests)]
    words = ["spokesman", "bombing", "market", "recording", "Kirkuk", "tourists", "encrypted channels",
             "Daesh", "officials said", "Mogadishu"]
    endpoints: dict[str, Callable[[int], str]] = {
        "list /api/articles": lambda n: f"/api/articles?limit=20&offset={n % 5 * 20}",
        "list deep offset=50000": lambda n: f"/api/articles?limit=20&offset={50000 + n}",
        "list filtered type+country": lambda n: f"/api/articles?type=attack&country={CITIES[n % len(CITIES)][2]}",
        "list filtered group+date": lambda n: (f"/api/articles?group={GROUPS[n % len(GROUPS)][0]}"
                                               f"&date_from=2024-0{n % 9 + 1}-01"),
        "list /api/events?type=attack": lambda n: f"/api/events?type=attack&offset={n % 10 * 20}",
        "search /api/search": lambda n: f"/api/search?q={words[n % len(words)]}",
        "search + filter": lambda n: f"/api/articles?q={words[n % len(words)]}&verification=claimed",
        "detail /api/articles/{id}": lambda n: f"/api/articles/{ids[n]}",
        "detail /api/entities/{id}": lambda n: f"/api/entities/{GROUPS[n % len(GROUPS)][0]}",
        "list /api/entities": lambda n: f"/api/entities?offset={n % 5 * 20}",
    }
    if args.link:
        endpoints["list /api/releases"] = lambda n: "/api/releases?limit=20"
        endpoints["list /api/attacks"] = lambda n: "/api/attacks?limit=20"
    print(f"\n{args.articles} articles; {args.requests} requests per endpoint; target p95 < {TARGET_P95_MS:.0f} ms")
    print(f"{'endpoint':<32}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  verdict")
    failures = 0
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"},
                      timeout=60) as client:
        for label, urls in endpoints.items():
            _measure(client, urls, 3)  # warm the page cache and the per-thread connections
            timings = _measure(client, urls, args.requests)
            p95 = _percentile(timings, 0.95)
            failures += p95 >= TARGET_P95_MS
            print(f"{label:<32}{statistics.median(timings):>9.1f}{p95:>9.1f}{max(timings):>9.1f}  "
                  f"{'ok' if p95 < TARGET_P95_MS else 'SLOW'}")
        session_cookie = _login_cookie(client, args.db)
        client.cookies.set("iw_session", session_cookie)
        release = client.get("/api/releases?limit=1").json()["items"] if args.link else []
        pages = ["/", "/search?q=spokesman", "/search?q=bombing&type=attack&country=IQ", f"/articles/{ids[0]}",
                 f"/articles/{ids[0]}?hl=0-40", "/releases", "/attacks", "/actors", f"/actors/{GROUPS[0][0]}",
                 "/map", "/timeline", "/login"]
        if release:
            pages.append(f"/releases/{release[0]['id']}")
        print(f"\n{'page':<48}{'HTML kB':>9}{'total kB':>10}")
        for url in pages:
            html, total = page_weight(client, url)
            print(f"{url[:47]:<48}{html / 1024:>9.1f}{total / 1024:>10.1f}")
    server.should_exit = True
    thread.join(timeout=10)
    return 1 if failures else 0


def _login_cookie(client: httpx.Client, db: Path) -> str:
    users = UserStore(db)
    user = users.get_user(next(u.name for u in users.list_users() if u.name.startswith("bench-")))
    assert user is not None
    cookie, _ = users.start_session(user)
    users.close()
    return cookie


if __name__ == "__main__":
    sys.exit(main())
