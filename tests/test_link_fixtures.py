"""Hand-built ``incitewatch.analysis/1`` dicts of multi-outlet reports (texts written for these tests), shared
by the linking tests, with the gold clustering of their releases, attacks and speakers."""

from __future__ import annotations

from typing import Any

from incitewatch.extract.names import name_slug
from incitewatch.serialize import SCHEMA


class Report:
    """One article's analysis, built the way the pipeline would emit it; every span is found in the text."""

    def __init__(self, article_id: str, published: str | None, outlet: str | None, text: str) -> None:
        self.article_id, self.published, self.outlet, self.text = article_id, published, outlet, text
        self.entities: dict[str, dict[str, Any]] = {}
        self.places: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.quotes: list[dict[str, Any]] = []
        self.attributions: list[dict[str, Any]] = []

    def span(self, needle: str) -> dict[str, Any]:
        start = self.text.index(needle)
        return {"start": start, "end": start + len(needle), "text": needle}

    def entity(
        self, entity_type: str, name: str, mention: str | None = None, entity_id: str | None = None, **attributes: str
    ) -> str:
        entity_id = entity_id or f"{entity_type}:{name_slug(name)}"
        entry = self.entities.setdefault(
            entity_id, {"id": entity_id, "type": entity_type, "name": name, "aliases": [], "mentions": []}
        )
        entry["mentions"].append(self.span(mention or name))
        if attributes:
            entry.setdefault("attributes", {}).update(attributes)
        return entity_id

    def place(
        self, entity_id: str, name: str, country: str | None, kind: str = "city", mention: str | None = None
    ) -> str:
        span = self.span(mention or name)
        self.places.append(
            {
                **span,
                "id": entity_id,
                "name": name,
                "geonames_id": None,
                "country": country,
                "lat": None,
                "lon": None,
                "kind": kind,
            }
        )
        self.entities.setdefault(
            entity_id, {"id": entity_id, "type": "place", "name": name, "aliases": [], "mentions": [span]}
        )
        return entity_id

    def _filler(self, text: str, entity: str | None = None, value: Any = None) -> dict[str, Any]:
        filler = self.span(text)
        if entity:
            filler["entity"] = entity
        if value is not None:
            filler["value"] = value
        return filler

    def event(
        self,
        event_type: str,
        sentence: str,
        time: str | None = None,
        verification: str = "confirmed",
        **roles: list[tuple[str, str | None, Any]],
    ) -> str:
        event_id = f"{self.article_id}/{event_type}/{self.text.index(sentence)}"
        self.events.append(
            {
                "id": event_id,
                "type": event_type,
                "evidence": self.span(sentence),
                "roles": {role: [self._filler(t, e, v) for t, e, v in fillers] for role, fillers in roles.items()},
                "time": time,
                "verification": verification,
                "confidence": 0.8,
            }
        )
        return event_id

    def quote(self, text: str, speaker: str | None) -> None:
        self.quotes.append({**self.span(text), "speaker": speaker})

    def cite(self, text: str, source: str | None) -> None:
        self.attributions.append({**self.span(text), "source": source, "hedge": None})

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "article": {
                "id": self.article_id,
                "url": None,
                "title": self.text.split("\n")[0],
                "outlet": self.outlet,
                "author": None,
                "published": self.published,
                "language": "en",
                "text": self.text,
            },
            "entities": list(self.entities.values()),
            "times": [],
            "places": self.places,
            "quotes": self.quotes,
            "attributions": self.attributions,
            "events": self.events,
        }


IS = "group:islamic-state"
ISK = "group:islamic-state-khorasan"
SHABAAB = "group:al-shabaab"
RAMADAN_QUOTE = "Strike them with knives and run them over with vehicles in their own streets"
EASTER_QUOTE = "Burn their churches on the day of their feast and let them fear every crowd"


def _tahiri_courier() -> Report:
    r = Report(
        "a-courier",
        "2025-03-03",
        "Daily Courier",
        "Daesh voice calls for holy month violence\n\nThe terror group Daesh published a new audio speech on "
        "Sunday in which its spokesman, Abou Youssef al-Tahiri, called on followers to attack Christians and "
        f'Jews across Europe during Ramadan. "{RAMADAN_QUOTE}," al-Tahiri said in the recording.',
    )
    group = r.entity("group", "Islamic State", "Daesh", IS)
    speaker = r.entity("person", "Abou Youssef al-Tahiri", role="spokesman")
    r.entities[speaker]["mentions"].append(r.span("al-Tahiri said"))
    europe = r.place("place:region:europe", "Europe", None, "region")
    r.event(
        "propaganda_release",
        "The terror group Daesh published a new audio speech",
        "2025-03-02",
        group=[("Daesh", group, None)],
        speaker=[("Abou Youssef al-Tahiri", speaker, None)],
        medium=[("audio", None, "audio")],
        date=[("Sunday", None, "2025-03-02")],
    )
    r.event(
        "call_to_action",
        "called on followers to attack Christians",
        target=[("Christians", None, "Christians"), ("Jews", None, "Jews")],
        place=[("Europe", europe, None)],
    )
    r.quote(RAMADAN_QUOTE, speaker)
    return r


def _tahiri_herald() -> Report:
    r = Report(
        "a-herald",
        "2025-03-04",
        "Harbour Herald",
        "Islamic State spokesman urges attacks during Ramadan\n\nAn audio message attributed to the Islamic "
        "State spokesman Abu Yusuf al-Tahiri was released on Sunday on Telegram, urging supporters to attack "
        f'Christians and Jews in Europe. "{RAMADAN_QUOTE}," the spokesman said, according to Reuters.',
    )
    group = r.entity("group", "Islamic State", "Islamic State", IS)
    speaker = r.entity("person", "Abu Yusuf al-Tahiri", role="spokesman", group=IS)
    europe = r.place("place:region:europe", "Europe", None, "region")
    r.event(
        "propaganda_release",
        "An audio message attributed to the Islamic State spokesman",
        "2025-03-02",
        verification="unverified",
        group=[("Islamic State", group, None)],
        speaker=[("Abu Yusuf al-Tahiri", speaker, None)],
        medium=[("audio message", None, "audio")],
        channel=[("Telegram", "channel:telegram", None)],
        date=[("Sunday", None, "2025-03-02")],
    )
    r.event(
        "call_to_action",
        "urging supporters to attack",
        target=[("Christians", None, "Christians"), ("Jews", None, "Jews")],
        place=[("Europe", europe, None)],
    )
    r.quote(RAMADAN_QUOTE, speaker)
    r.cite("according to Reuters", "outlet:reuters")
    return r


def _tahiri_wire_no_speaker() -> Report:
    # Names neither the speaker nor a date: only the group, the medium, the quote and the targets tie it.
    r = Report(
        "a-reuters",
        "2025-03-03",
        "Reuters",
        "Militant audio urges Ramadan knife attacks\n\nAn audio recording circulated by Islamic State "
        "supporters urged attacks on Christians and Jews. "
        f'"{RAMADAN_QUOTE}," the recording said. Its authenticity could not be verified.',
    )
    group = r.entity("group", "Islamic State", "Islamic State", IS)
    r.event(
        "propaganda_release",
        "An audio recording circulated by Islamic State supporters",
        group=[("Islamic State", group, None)],
        medium=[("audio recording", None, "audio")],
    )
    r.event(
        "call_to_action",
        "urged attacks on Christians and Jews",
        target=[("Christians", None, "Christians"), ("Jews", None, "Jews")],
    )
    r.quote(RAMADAN_QUOTE, None)
    return r


def _tahiri_gazette_arrest() -> Report:
    r = Report(
        "a-gazette",
        "2025-03-06",
        "Northern Gazette",
        "Police arrest man over propaganda channel\n\nOfficers arrested a man accused of sharing the latest "
        "audio message of the Islamic State spokesman Abu Yusuf al-Tahiri. The audio message, released on "
        "Sunday, urged followers to attack Christians and Jews.",
    )
    group = r.entity("group", "Islamic State", "Islamic State", IS)
    speaker = r.entity("person", "Abu Yusuf al-Tahiri", role="spokesman")
    r.event(
        "propaganda_release",
        "The audio message, released on Sunday",
        "2025-03-02",
        group=[("Islamic State", group, None)],
        speaker=[("Abu Yusuf al-Tahiri", speaker, None)],
        medium=[("audio message", None, "audio")],
        date=[("Sunday", None, "2025-03-02")],
    )
    r.event(
        "call_to_action",
        "urged followers to attack Christians and Jews",
        target=[("Christians", None, "Christians"), ("Jews", None, "Jews")],
    )
    return r


def _tahiri_second_speech(article_id: str, published: str, outlet: str, spelling: str) -> Report:
    # Four weeks later the same spokesman again targets Christians in Europe: a different release.
    r = Report(
        article_id,
        published,
        outlet,
        f"New speech ahead of Easter\n\nIn a fresh audio speech released on Friday, {spelling}, the Islamic "
        f'State spokesman, told followers to attack Christians in Europe. "{EASTER_QUOTE}," he said.',
    )
    group = r.entity("group", "Islamic State", "Islamic State", IS)
    speaker = r.entity("person", spelling, role="spokesman")
    europe = r.place("place:region:europe", "Europe", None, "region")
    r.event(
        "propaganda_release",
        "In a fresh audio speech released on Friday",
        "2025-03-28",
        group=[("Islamic State", group, None)],
        speaker=[(spelling, speaker, None)],
        medium=[("audio speech", None, "audio")],
        date=[("Friday", None, "2025-03-28")],
    )
    r.event(
        "call_to_action",
        "told followers to attack Christians in Europe",
        target=[("Christians", None, "Christians")],
        place=[("Europe", europe, None)],
    )
    r.quote(EASTER_QUOTE, speaker)
    return r


def _shabaab(article_id: str, published: str, outlet: str, killed: int, wounded: int, dated: bool) -> Report:
    when = "on Saturday" if dated else "after the siege"
    r = Report(
        article_id,
        published,
        outlet,
        f"Mogadishu hotel siege\n\nAl-Shabaab said in a statement {when} that its fighters attacked a hotel in "
        f"Mogadishu on Friday night. Officials said the siege killed {killed} people and wounded {wounded}.",
    )
    group = r.entity("group", "al-Shabaab", "Al-Shabaab", SHABAAB)
    mogadishu = r.place("place:geonames:53654", "Mogadishu", "SO")
    release_roles: dict[str, list[tuple[str, str | None, Any]]] = {
        "group": [("Al-Shabaab", group, None)],
        "medium": [("statement", None, "text")],
    }
    if dated:
        release_roles["date"] = [("on Saturday", None, "2025-04-12")]
    r.event(
        "propaganda_release", f"Al-Shabaab said in a statement {when}", "2025-04-12" if dated else None, **release_roles
    )
    r.event(
        "attack",
        "its fighters attacked a hotel in Mogadishu on Friday night",
        "2025-04-11",
        place=[("Mogadishu", mogadishu, None)],
        perpetrator=[("Al-Shabaab", group, None)],
        date=[("Friday night", None, "2025-04-11")],
    )
    r.event(
        "attack",
        f"the siege killed {killed} people",
        killed=[(f"killed {killed} people", None, killed)],
        wounded=[(f"wounded {wounded}", None, wounded)],
    )
    return r


def _isk(article_id: str, published: str, outlet: str, named_group: str) -> Report:
    r = Report(
        article_id,
        published,
        outlet,
        f"Video urges attacks on officials\n\nThe {named_group} released a 12-minute video on Monday calling on "
        "members in Afghanistan to attack Taliban officials and police.",
    )
    group = r.entity("group", "Islamic State Khorasan Province", named_group, ISK)
    afghanistan = r.place("place:geonames:1149361", "Afghanistan", "AF", "country")
    r.event(
        "propaganda_release",
        f"The {named_group} released a 12-minute video on Monday",
        "2025-05-19",
        group=[(named_group, group, None)],
        medium=[("video", None, "video")],
        duration=[("12-minute", None, "PT12M")],
        date=[("Monday", None, "2025-05-19")],
    )
    r.event(
        "call_to_action",
        "calling on members in Afghanistan to attack",
        target=[("Taliban officials", None, "government"), ("police", None, "police")],
        place=[("Afghanistan", afghanistan, None)],
    )
    return r


def _isk_other_video() -> Report:
    # The same branch, two days later, another video (a magazine-style text release): kept apart by medium/date.
    r = Report(
        "a-isk-text",
        "2025-05-30",
        "Frontier Post",
        "Branch issues new magazine\n\nThe Islamic State Khorasan Province issued a new issue of its magazine "
        "on Wednesday urging attacks on Taliban officials.",
    )
    group = r.entity("group", "Islamic State Khorasan Province", "Islamic State Khorasan Province", ISK)
    r.event(
        "propaganda_release",
        "issued a new issue of its magazine on Wednesday",
        "2025-05-28",
        group=[("Islamic State Khorasan Province", group, None)],
        medium=[("magazine", None, "magazine")],
        date=[("Wednesday", None, "2025-05-28")],
    )
    r.event("call_to_action", "urging attacks on Taliban officials", target=[("Taliban officials", None, "government")])
    return r


def corpus() -> list[dict[str, Any]]:
    """Every report, in no particular order."""
    reports = [
        _tahiri_courier(),
        _tahiri_herald(),
        _tahiri_wire_no_speaker(),
        _tahiri_gazette_arrest(),
        _tahiri_second_speech("a-easter-1", "2025-03-29", "Daily Courier", "Abu Yousef at-Tahiri"),
        _tahiri_second_speech("a-easter-2", "2025-03-30", "Harbour Herald", "Sheikh Abū Yūsuf al-Ṭāhirī"),
        _shabaab("a-coast", "2025-04-12", "Coast Observer", 14, 30, dated=True),
        _shabaab("a-wire-east", "2025-04-13", "Wire East", 17, 32, dated=False),
        _isk("a-isk-1", "2025-05-20", "Regional Times", "Islamic State Khorasan Province"),
        _isk("a-isk-2", "2025-05-21", "Kabul Daily", "ISIS-K"),
        _isk_other_video(),
    ]
    return [r.to_dict() for r in reports]


# Gold: which reports tell of the same release.
GOLD_RELEASES = {
    "ramadan": {"a-courier", "a-herald", "a-reuters", "a-gazette"},
    "easter": {"a-easter-1", "a-easter-2"},
    "shabaab-claim": {"a-coast", "a-wire-east"},
    "isk-video": {"a-isk-1", "a-isk-2"},
    "isk-magazine": {"a-isk-text"},
}


def release_article(event_id: str) -> str:
    return event_id.split("/")[0]


def b_cubed_f1(gold: list[set[str]], response: list[set[str]]) -> float:
    """B³ F1 (Bagga & Baldwin 1998) over the mentions both partitions hold."""
    from incitewatch.evaluation.coref import b_cubed

    return b_cubed(gold, response).f1


def test_fixture_spans_point_into_the_text() -> None:
    for analysis in corpus():
        text = analysis["article"]["text"]
        spans = [*analysis["quotes"], *analysis["places"], *analysis["attributions"]]
        spans += [m for e in analysis["entities"] for m in e["mentions"]]
        spans += [f for ev in analysis["events"] for fillers in ev["roles"].values() for f in fillers]
        assert all(text[s["start"] : s["end"]] == s["text"] for s in spans)


def save_and_link(store: Any, analysis: dict[str, Any]) -> None:
    """What ingest does: save the analysis, then link it."""
    from incitewatch.link.linker import link_article
    from incitewatch.serialize import analysis_from_dict

    store.save_analysis(analysis_from_dict(analysis), analysis, None, None, "test")
    link_article(store, analysis)


def linked_store(analyses: list[dict[str, Any]]) -> Any:
    from incitewatch.store.sqlite import SQLiteStore

    store = SQLiteStore(":memory:")
    for analysis in analyses:
        save_and_link(store, analysis)
    return store
