"""The REST API of the analyst's desk over a real SQLite store: auth, roles, filters, pagination, decisions.

The store holds two hand-built reports of one propaganda release (one of them full of XSS payloads) linked by the
real cross-document linker. ``build_desk_store`` is shared with test_web.py and test_browser.py.
"""

from __future__ import annotations

import json
import re
import sqlite3
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from incitewatch.api import Settings, create_app
from incitewatch.api.openapi import openapi_schema, render_schema
from incitewatch.errors import StoreError
from incitewatch.serialize import analysis_to_dict
from incitewatch.store import SQLiteStore
from incitewatch.store.users import (
    FREE_FAILURES_PER_ADDRESS,
    FREE_FAILURES_PER_NAME,
    LoginOutcome,
    UserStore,
    hash_password,
    token_hash,
    verify_password,
)
from incitewatch.types import AnalyzedDoc, Article, Entity, Event, Mention, Place, Quote, RoleFiller, Span

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

GOLDEN_OPENAPI = Path(__file__).parent / "golden" / "openapi.json"
PASSWORD = "a long test password"
XSS_TITLE = '<script>alert("title")</script> Daesh audio message'
XSS_OUTLET = "<img src=x onerror=alert('outlet')>"
XSS_URL = "javascript:alert('url')"
XSS_NAME = "\"><svg onload=alert('name')>"
XSS_SENTENCE = 'Readers saw <script>alert("text")</script> and <b onmouseover="alert(1)">bold</b> markup.'
XSS_MARKERS = ("alert(", "onerror", "onload", "<script")


def _at(text: str, needle: str, after: int = 0) -> tuple[int, int, str]:
    start = text.index(needle, after)
    return start, start + len(needle), needle


def xss_report() -> AnalyzedDoc:
    """A report whose title, outlet, URL, text and a speaker's name all carry script payloads."""
    text = (
        "The group Daesh released an audio message on Sunday in which its spokesman Abou Tester urged attacks "
        f"in Kirkuk. A supporter calling himself {XSS_NAME} shared it.\n\n{XSS_SENTENCE}\n\n"
        "The speaker praised the Kirkuk market bombing, which officials said killed 25 people.\n\n"
        '"Strike them with knives," the spokesman said.'
    )
    release = _at(text, "The group Daesh released an audio message on Sunday")
    attack = _at(text, "the Kirkuk market bombing, which officials said killed 25 people")
    killed = _at(text, "killed 25 people")
    daesh = _at(text, "Daesh")
    name = _at(text, XSS_NAME)
    speaker = _at(text, "Abou Tester")
    kirkuk = _at(text, "Kirkuk")
    quote = _at(text, "Strike them with knives,")
    article = Article("a-xss0000000000001", text, XSS_TITLE, None, date(2025, 3, 3), XSS_URL, XSS_OUTLET)
    return AnalyzedDoc(
        article,
        entities=(
            Entity("group:islamic-state", "group", "Islamic State", ("Daesh",), (Mention(*daesh),)),
            Entity("person:xss-speaker", "person", XSS_NAME, (), (Mention(*name),)),
            Entity("person:abu-tester", "person", "Abu Tester", ("Abou Tester",), (Mention(*speaker),)),
        ),
        places=(Place(*kirkuk, "place:geonames:94787", "Kirkuk", 94787, "IQ", 35.47, 44.39, "city"),),
        quotes=(Quote(*quote, "person:xss-speaker"),),
        events=(
            Event(f"{article.id}/propaganda_release/0", "propaganda_release", Span(*release),
                  {"group": (RoleFiller(*daesh, entity="group:islamic-state"),),
                   "speaker": (RoleFiller(*speaker, entity="person:abu-tester"),),
                   "medium": (RoleFiller(*_at(text, "audio"), value="audio"),)},
                  "2025-03-02", "claimed", 0.8),
            Event(f"{article.id}/attack/1", "attack", Span(*attack),
                  {"place": (RoleFiller(*_at(text, "Kirkuk", kirkuk[1]), entity="place:geonames:94787"),),
                   "killed": (RoleFiller(*killed, value=25),)},
                  "2025-02", "confirmed", 0.7, focus=0.08),
        ),
    )


def clean_report() -> AnalyzedDoc:
    """A second outlet's report of the same release, with a different toll for the same bombing."""
    text = (
        "An audio recording attributed to the Islamic State spokesman Abu Tester was published on Sunday, "
        "urging supporters to strike in Kirkuk.\n\n"
        "The recording hailed last month's Kirkuk market bombing that killed 23 people, according to police."
    )
    release = _at(text, "An audio recording attributed to the Islamic State spokesman Abu Tester was published")
    group = _at(text, "Islamic State")
    speaker = _at(text, "Abu Tester")
    attack = _at(text, "Kirkuk market bombing that killed 23 people")
    kirkuk = _at(text, "Kirkuk")
    article = Article("a-clean00000000002", text, "Islamic State spokesman urges attacks", None,
                      date(2025, 3, 4), "https://example.org/report", "Harbour Herald")
    return AnalyzedDoc(
        article,
        entities=(
            Entity("group:islamic-state", "group", "Islamic State", ("Daesh",), (Mention(*group),)),
            Entity("person:abu-tester", "person", "Abu Tester", ("Abou Tester",), (Mention(*speaker),)),
        ),
        places=(Place(*kirkuk, "place:geonames:94787", "Kirkuk", 94787, "IQ", 35.47, 44.39, "city"),),
        events=(
            Event(f"{article.id}/propaganda_release/0", "propaganda_release", Span(*release),
                  {"group": (RoleFiller(*group, entity="group:islamic-state"),),
                   "speaker": (RoleFiller(*speaker, entity="person:abu-tester"),),
                   "medium": (RoleFiller(*_at(text, "audio"), value="audio"),)},
                  "2025-03-02", "confirmed", 0.8),
            Event(f"{article.id}/attack/1", "attack", Span(*attack),
                  {"place": (RoleFiller(*_at(text, "Kirkuk", kirkuk[1]), entity="place:geonames:94787"),),
                   "killed": (RoleFiller(*_at(text, "killed 23 people"), value=23),)},
                  "2025-02", "unverified", 0.7),
        ),
    )


@dataclass(frozen=True)
class DeskUsers:
    """name -> API token for each role; every password is PASSWORD."""

    tokens: dict[str, str]


def save_reports(store: SQLiteStore, docs: list[AnalyzedDoc]) -> None:
    for doc in docs:
        store.save_analysis(doc, analysis_to_dict(doc), None, f"test://{doc.article.id}", "test")


def link_all(store: SQLiteStore) -> None:
    from incitewatch.link.linker import relink

    relink(store)


def add_desk_users(path: Path) -> DeskUsers:
    users = UserStore(path)
    tokens = {}
    try:
        for role in ("viewer", "analyst", "admin"):
            created = users.add_user(role, role, by="test", reason="test fixture")
            users.set_password(role, PASSWORD, by="test", reason="test fixture")
            tokens[role] = created.token
    finally:
        users.close()
    return DeskUsers(tokens)


def build_desk_store(path: Path) -> DeskUsers:
    """A store with the two reports, linked, and a viewer, an analyst and an admin."""
    store = SQLiteStore(path)
    try:
        save_reports(store, [xss_report(), clean_report()])
        link_all(store)
    finally:
        store.close()
    return add_desk_users(path)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, DeskUsers, Path]]:
    path = tmp_path_factory.mktemp("desk") / "desk.sqlite"
    users = build_desk_store(path)
    app = create_app(Settings(db_path=path))
    with TestClient(app) as client:
        yield client, users, path


def _auth(users: DeskUsers, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {users.tokens[role]}"}


def _get(desk: tuple[TestClient, DeskUsers, Path], url: str, role: str = "viewer") -> Any:
    client, users, _ = desk
    response = client.get(url, headers=_auth(users, role))
    assert response.status_code == 200, response.text
    return response.json()


# -- authentication -----------------------------------------------------------------------------------------


def test_api_refuses_anonymous_and_unknown_tokens(desk: tuple[TestClient, DeskUsers, Path]) -> None:
    client, _, _ = desk
    assert client.get("/api/articles").status_code == 401
    assert client.get("/api/articles").headers["www-authenticate"] == "Bearer"
    assert client.get("/api/articles", headers={"Authorization": "Bearer iw_not-a-token"}).status_code == 401
    assert client.get("/api/articles", headers={"Authorization": "Basic dXNlcjpwYXNz"}).status_code == 401


def test_me_names_the_token_owner(desk: tuple[TestClient, DeskUsers, Path]) -> None:
    assert _get(desk, "/api/me", "analyst") == {"name": "analyst", "role": "analyst"}


def test_security_headers_on_api_answers(desk: tuple[TestClient, DeskUsers, Path]) -> None:
    client, users, _ = desk
    response = client.get("/api/me", headers=_auth(users, "viewer"))
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


# -- articles, filters, pagination --------------------------------------------------------------------------


def test_articles_are_paginated_newest_first(desk: tuple[TestClient, DeskUsers, Path]) -> None:
    first = _get(desk, "/api/articles?limit=1")
    assert [item["id"] for item in first["items"]] == ["a-clean00000000002"]
    assert first["next_offset"] == 1
    second = _get(desk, "/api/articles?limit=1&offset=1")
    assert [item["id"] for item in second["items"]] == ["a-xss0000000000001"]
    assert second["next_offset"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=attack&verification=unverified", {"a-clean00000000002"}),
        ("type=propaganda_release&verification=claimed", {"a-xss0000000000001"}),
        ("country=iq", {"a-clean00000000002", "a-xss0000000000001"}),
        ("country=FR", set()),
        ("group=Daesh", {"a-clean00000000002", "a-xss0000000000001"}),
        ("group=group:islamic-state&date_from=2025-03-04", {"a-clean00000000002"}),
        ("speaker=abou%20tester", {"a-clean00000000002", "a-xss0000000000001"}),
        ("speaker=person:xss-speaker", {"a-xss0000000000001"}),
        ("date_to=2025-03-03", {"a-xss0000000000001"}),
        ("q=recording&type=attack", {"a-clean00000000002"}),
    ],
)
def test_article_filters(desk: tuple[TestClient, DeskUsers, Path], query: str, expected: set[str]) -> None:
    assert {item["id"] for item in _get(desk, f"/api/articles?{query}")["items"]} == expected


def test_bad_filter_values_are_rejected(desk: tuple[TestClient, DeskUsers, Path]) -> None:
    client, users, _ = desk
    for query in ("country=Iraq", "verification=maybe", "date_from=yesterday", "limit=0", "limit=100000"):
        assert client.get(f"/api/articles?{query}", headers=_auth(users, "viewer")).status_code == 422, query


def test_search_highlights_point_at_the_query_words(desk: tuple[TestClient, DeskUsers, Path]) -> None:
    result = _get(desk, "/api/search?q=bombing")
    assert {item["id"] for item in result["articles"]} == {"a-clean00000000002", "a-xss0000000000001"}
    for item in result["articles"]:
        assert item["highlights"]
        assert all(item["snippet"][s:e].lower() == "bombing" for s, e in item["highlights"])
    names = _get(desk, "/api/search?q=daesh")["entities"]
    assert names[0]["id"] == "group:islamic-state"


def test_hostile_search_syntax_is_harmless(desk: tuple[TestClient, DeskUsers, Path]) -> None:
    for query in ('"', "NEAR(", "a OR", "*", "%", "title:x"):
        _get(desk, f"/api/search?q={query}")


def test_article_detail_offsets_point_into_the_text(desk: tuple[TestClient, DeskUsers, Path]) -> None:
    detail = _get(desk, "/api/articles/a-xss0000000000001")
    text = detail["analysis"]["article"]["text"]
    assert detail["uris"] == ["test://a-xss0000000000001"]
    for event in detail["analysis"]["events"]:
        span = event["evidence"]
        assert text[span["start"] : span["end"]] == span["text"]
    client, users, _ = desk
    assert client.get("/api/articles/a-missing", headers=_auth(users, "viewer")).status_code == 404


def test_events_entities_and_places(desk: tuple[TestClient, DeskUsers, Path]) -> None:
    events = _get(desk, "/api/events?type=attack")["items"]
    assert {row["event"]["roles"]["killed"][0]["value"] for row in events} == {23, 25}
    entities = _get(desk, "/api/entities?q=tester")["items"]
    assert [(entity["id"], entity["article_count"]) for entity in entities] == [("person:abu-tester", 2)]
    detail = _get(desk, "/api/entities/person:abu-tester")
    assert "Abou Tester" in detail["names"]
    assert {mention["text"] for mention in detail["mentions"]} == {"Abu Tester", "Abou Tester"}
    places = _get(desk, "/api/places")
    assert [(place["name"], place["count"]) for place in places] == [("Kirkuk", 2)]


# -- records and decisions ----------------------------------------------------------------------------------


def test_release_record_keeps_both_reports(desk: tuple[TestClient, DeskUsers, Path]) -> None:
    releases = _get(desk, "/api/releases")["items"]
    both = [r for r in releases if len(r["reports"]) == 2]
    assert both, releases
    assert {report["article_id"] for report in both[0]["reports"]} == {"a-clean00000000002", "a-xss0000000000001"}
    record = _get(desk, f"/api/releases/{both[0]['id']}")
    assert record["id"] == both[0]["id"]


def test_attack_record_lists_each_outlets_toll(desk: tuple[TestClient, DeskUsers, Path]) -> None:
    attacks = _get(desk, "/api/attacks")["items"]
    tolls = sorted(report["killed"] for attack in attacks for report in attack["reports"])
    assert tolls == [23, 25]


def test_viewer_cannot_merge(desk: tuple[TestClient, DeskUsers, Path]) -> None:
    client, users, _ = desk
    body = {"record_ids": ["person:abu-tester", "person:xss-speaker"], "reason": "same spokesman"}
    response = client.post("/api/actors/merge", json=body, headers=_auth(users, "viewer"))
    assert response.status_code == 403


def test_session_writes_need_the_csrf_header(desk: tuple[TestClient, DeskUsers, Path]) -> None:
    _, _, path = desk
    app = create_app(Settings(db_path=path))
    users = UserStore(path)
    analyst = users.get_user("analyst")
    assert analyst is not None
    cookie, session = users.start_session(analyst)
    users.close()
    body = {"record_ids": ["person:abu-tester", "person:xss-speaker"], "reason": "same spokesman"}
    with TestClient(app, cookies={"iw_session": cookie}) as client:
        assert client.get("/api/me").json()["name"] == "analyst"
        assert client.post("/api/actors/merge", json=body).status_code == 403
        wrong = client.post("/api/actors/merge", json=body, headers={"X-CSRF-Token": "nope"})
        assert wrong.status_code == 403
        assert session.csrf_token


def test_analyst_merges_actors_with_a_reason_and_it_is_audited(
    tmp_path: Path,
) -> None:
    path = tmp_path / "merge.sqlite"
    users = build_desk_store(path)
    with TestClient(create_app(Settings(db_path=path))) as client:
        headers = {"Authorization": f"Bearer {users.tokens['analyst']}"}
        body = {"record_ids": ["person:abu-tester", "person:xss-speaker"], "reason": "same spokesman, two spellings"}
        response = client.post("/api/actors/merge", json=body, headers=headers)
        assert response.status_code == 200, response.text
        actor = client.get("/api/actors/person:abu-tester", headers=headers).json()
        assert XSS_NAME in {name["name"] for name in actor["names"]}, actor
        assert client.get("/api/actors/person:xss-speaker", headers=headers).status_code == 404
        no_reason = client.post("/api/actors/merge", json={**body, "reason": ""}, headers=headers)
        assert no_reason.status_code == 422
        admin = {"Authorization": f"Bearer {users.tokens['admin']}"}
        audit = client.get("/api/admin/audit", headers=admin).json()
    merge = next(entry for entry in audit if entry["action"] == "actor.merge")
    assert merge["user"] == "analyst" and merge["reason"] == "same spokesman, two spellings"
    assert merge["at"] and merge["target"] == "person:abu-tester"


def test_split_moves_a_report_off_a_release(tmp_path: Path) -> None:
    path = tmp_path / "split.sqlite"
    users = build_desk_store(path)
    with TestClient(create_app(Settings(db_path=path))) as client:
        headers = {"Authorization": f"Bearer {users.tokens['analyst']}"}
        release = next(r for r in client.get("/api/releases", headers=headers).json()["items"]
                       if len(r["reports"]) == 2)
        body = {"article_ids": ["a-xss0000000000001"], "reason": "different recording"}
        response = client.post(f"/api/releases/{release['id']}/split", json=body, headers=headers)
        assert response.status_code == 200, response.text
        after = client.get(f"/api/releases/{release['id']}", headers=headers).json()
    assert [report["article_id"] for report in after["reports"]] == ["a-clean00000000002"]


# -- administration -----------------------------------------------------------------------------------------


def test_only_admins_manage_users(desk: tuple[TestClient, DeskUsers, Path]) -> None:
    client, users, _ = desk
    body = {"name": "carol", "role": "viewer", "reason": "new colleague"}
    assert client.post("/api/admin/users", json=body, headers=_auth(users, "analyst")).status_code == 403
    created = client.post("/api/admin/users", json=body, headers=_auth(users, "admin"))
    assert created.status_code == 201
    token = created.json()["token"]
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()["name"] == "carol"
    again = client.post("/api/admin/users", json=body, headers=_auth(users, "admin"))
    assert again.status_code == 409
    promoted = client.post("/api/admin/users/carol/role", json={"role": "analyst", "reason": "trained"},
                           headers=_auth(users, "admin"))
    assert promoted.json()["role"] == "analyst"


# -- the users store ----------------------------------------------------------------------------------------


def test_passwords_and_tokens_are_stored_only_as_hashes(tmp_path: Path) -> None:
    path = tmp_path / "users.sqlite"
    SQLiteStore(path).close()
    users = UserStore(path)
    created = users.add_user("dana", "viewer", by="test", reason="test")
    assert users.authenticate("dana", created.password) is not None
    assert users.authenticate("dana", "wrong") is None
    assert users.authenticate("nobody", created.password) is None
    assert users.user_for_token(created.token) == created.user
    users.set_disabled("dana", True, by="test", reason="left")
    assert users.user_for_token(created.token) is None
    assert users.authenticate("dana", created.password) is None
    users.close()
    raw = path.read_bytes() + (path.with_name(path.name + "-wal").read_bytes()
                               if path.with_name(path.name + "-wal").exists() else b"")
    assert created.password.encode() not in raw and created.token.encode() not in raw
    assert token_hash(created.token).encode() in raw


def test_scrypt_hashes_verify_and_differ_per_salt() -> None:
    first, second = hash_password("same password"), hash_password("same password")
    assert first != second and first.startswith("scrypt$")
    assert verify_password("same password", first) and not verify_password("other", first)
    assert not verify_password("same password", "md5$abc")


def test_audit_log_is_append_only_and_needs_reasons(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite"
    SQLiteStore(path).close()
    users = UserStore(path)
    users.add_user("erin", "analyst", by="admin", reason="joined")
    with pytest.raises(StoreError):
        users.add_user("frank", "viewer", by="admin", reason="  ")
    assert users.get_user("frank") is None  # the whole change rolled back
    with pytest.raises(StoreError):
        users.add_user("gina", "superuser", by="admin", reason="x")
    users.close()
    connection = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError):
        connection.execute("UPDATE audit_log SET reason = 'covered up'")
    with pytest.raises(sqlite3.DatabaseError):
        connection.execute("DELETE FROM audit_log")
    rows = connection.execute("SELECT user_name, action, target, reason, details FROM audit_log").fetchall()
    connection.close()
    assert rows == [("admin", "user.add", "erin", "joined", json.dumps({"role": "analyst"}))]


def test_sessions_expire_and_end(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    path = tmp_path / "sessions.sqlite"
    SQLiteStore(path).close()
    now = [datetime(2025, 1, 1, tzinfo=UTC)]
    users = UserStore(path, clock=lambda: now[0])
    user = users.add_user("hal", "viewer", by="t", reason="t").user
    cookie, _ = users.start_session(user)
    assert users.session(cookie) is not None
    now[0] += timedelta(hours=13)
    assert users.session(cookie) is None
    cookie, _ = users.start_session(user)
    users.end_session(cookie)
    assert users.session(cookie) is None
    users.close()


def test_repeated_login_failures_lock_the_name_with_growing_delays(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    path = tmp_path / "throttle.sqlite"
    SQLiteStore(path).close()
    now = [datetime(2025, 1, 1, tzinfo=UTC)]
    users = UserStore(path, clock=lambda: now[0])
    created = users.add_user("ida", "viewer", by="t", reason="t")
    for _ in range(FREE_FAILURES_PER_NAME):
        assert users.attempt_login("ida", "wrong", "10.0.0.1") == LoginOutcome(None)
    assert users.attempt_login("ida", "wrong", "10.0.0.1") == LoginOutcome(None)  # this one locks
    assert users.attempt_login("ida", created.password, "10.0.0.1") == LoginOutcome(None, 2)
    assert users.attempt_login("ida", created.password, "10.0.0.9").retry_after == 2, "locked by name anywhere"
    now[0] += timedelta(seconds=3)
    assert users.attempt_login("ida", "wrong again", "10.0.0.9").retry_after is None
    assert users.attempt_login("ida", created.password, "10.0.0.9").retry_after == 4, "the lock doubles"
    now[0] += timedelta(seconds=5)
    assert users.attempt_login("ida", created.password, "10.0.0.9").user == created.user
    assert users.attempt_login("ida", "typo", "10.0.0.9") == LoginOutcome(None), "success resets the count"
    assert users.attempt_login("ida", created.password, "10.0.0.9").user == created.user
    locks = [entry for entry in users.audit() if entry.action == "login.locked"]
    users.close()
    assert [entry.details["seconds"] for entry in reversed(locks)] == [2.0, 4.0]
    assert all(entry.target == "ida" and entry.user == "system" for entry in locks)
    assert locks[0].details["address"] == "10.0.0.9" and locks[0].details["by"] == "name"


def test_one_address_guessing_many_names_is_locked(tmp_path: Path) -> None:
    path = tmp_path / "throttle-address.sqlite"
    SQLiteStore(path).close()
    from datetime import UTC, datetime

    now = [datetime(2025, 3, 1, 12, 0, tzinfo=UTC)]  # a fixed clock: on the real one a stall shortens retry_after
    users = UserStore(path, clock=lambda: now[0])
    created = users.add_user("jo", "viewer", by="t", reason="t")
    for attempt in range(FREE_FAILURES_PER_ADDRESS + 1):
        users.attempt_login(f"guess{attempt}", "wrong", "192.0.2.7")
    assert users.attempt_login("jo", created.password, "192.0.2.7").retry_after == 2
    assert users.attempt_login("jo", created.password, "192.0.2.8").user == created.user, "other addresses pass"
    locked = [entry for entry in users.audit() if entry.action == "login.locked"]
    users.close()
    assert [entry.details["by"] for entry in locked] == ["address"]


# -- corrections and administration through the API ----------------------------------------------------------


def test_analyst_corrects_a_toll_and_undoes_it(tmp_path: Path) -> None:
    path = tmp_path / "correct.sqlite"
    users = build_desk_store(path)
    with TestClient(create_app(Settings(db_path=path))) as client:
        analyst, viewer = _auth(users, "analyst"), _auth(users, "viewer")
        (attack,) = client.get("/api/attacks", headers=viewer).json()["items"]
        url = f"/api/attacks/{attack['id']}/corrections"
        body = {"field": "killed", "value": 27, "reason": "ministry's final toll"}
        assert client.post(url, json=body, headers=viewer).status_code == 403
        assert client.post(url, json=body).status_code == 401
        made = client.post(url, json=body, headers=analyst)
        assert made.status_code == 200, made.text
        correction = made.json()["correction"]
        assert (correction["value"], correction["original"], correction["user"]) == (27, 23, "analyst")
        record = client.get(f"/api/attacks/{attack['id']}", headers=viewer).json()
        assert record["killed"] == 27 and record["corrections"][0]["original"] == 23
        assert client.post(url, json={**body, "value": "lots"}, headers=analyst).status_code == 422
        assert client.post(url, json={**body, "field": "reconciliation"}, headers=analyst).status_code == 422
        assert client.post("/api/attacks/attack:none/corrections", json=body, headers=analyst).status_code == 404
        undo = f"{url}/{correction['id']}"
        assert client.delete(undo, params={"reason": "wrong blast"}, headers=viewer).status_code == 403
        assert client.delete(undo, headers=analyst).status_code == 422, "an undo needs a reason"
        release = client.get("/api/releases", headers=viewer).json()["items"][0]["id"]
        other = f"/api/releases/{release}/corrections/{correction['id']}"
        assert client.delete(other, params={"reason": "x" * 3}, headers=analyst).status_code == 404
        undone = client.delete(undo, params={"reason": "wrong blast"}, headers=analyst)
        assert undone.status_code == 200 and undone.json()["record"]["killed"] == 23
        assert client.delete(undo, params={"reason": "again"}, headers=analyst).status_code == 422
        audit = client.get("/api/admin/audit", headers=_auth(users, "admin")).json()
    actions = {entry["action"]: entry for entry in audit}
    assert actions["attack.correct"]["reason"] == "ministry's final toll"
    assert actions["attack.correct"]["details"] == {"correction": 1, "field": "killed", "value": 27, "original": 23}
    assert actions["attack.correct.undo"]["user"] == "analyst"


def test_release_corrections_and_session_csrf(tmp_path: Path) -> None:
    path = tmp_path / "correct-release.sqlite"
    build_desk_store(path)
    store = UserStore(path)
    analyst = store.get_user("analyst")
    assert analyst is not None
    cookie, session = store.start_session(analyst)
    store.close()
    with TestClient(create_app(Settings(db_path=path)), cookies={"iw_session": cookie}) as client:
        release = client.get("/api/releases").json()["items"][0]["id"]
        body = {"field": "release_date", "value": "2025-03-01", "reason": "the channel's own timestamp"}
        url = f"/api/releases/{release}/corrections"
        assert client.post(url, json=body).status_code == 403, "a session write needs the CSRF header"
        made = client.post(url, json=body, headers={"X-CSRF-Token": session.csrf_token})
        assert made.status_code == 200, made.text
        assert made.json()["record"]["release_date"] == "2025-03-01"
        assert made.json()["correction"]["original"] == "2025-03-02"


def test_admin_disables_a_user(tmp_path: Path) -> None:
    path = tmp_path / "disable.sqlite"
    users = build_desk_store(path)
    with TestClient(create_app(Settings(db_path=path))) as client:
        admin = _auth(users, "admin")
        body = {"disabled": True, "reason": "left the team"}
        assert client.post("/api/admin/users/viewer/disable", json=body,
                           headers=_auth(users, "analyst")).status_code == 403
        assert client.post("/api/admin/users/admin/disable", json=body, headers=admin).status_code == 409
        assert client.post("/api/admin/users/nobody/disable", json=body, headers=admin).status_code == 404
        done = client.post("/api/admin/users/viewer/disable", json=body, headers=admin)
        assert done.status_code == 200 and done.json()["disabled"] is True
        assert client.get("/api/me", headers=_auth(users, "viewer")).status_code == 401
        again = client.post("/api/admin/users/viewer/disable", json={**body, "disabled": False}, headers=admin)
        assert again.json()["disabled"] is False
        assert client.get("/api/me", headers=_auth(users, "viewer")).status_code == 200
        actions = [entry["action"] for entry in client.get("/api/admin/audit", headers=admin).json()]
    assert actions[:2] == ["user.enable", "user.disable"]


def test_admin_manages_feeds(tmp_path: Path) -> None:
    pytest.importorskip("incitewatch.store.feeds", reason="no feed store in this installation")
    path = tmp_path / "feeds.sqlite"
    users = build_desk_store(path)
    with TestClient(create_app(Settings(db_path=path))) as client:
        admin = _auth(users, "admin")
        body = {"url": "https://news.example.org/rss", "title": "Example", "reason": "regional coverage"}
        assert client.post("/api/admin/feeds", json=body, headers=_auth(users, "analyst")).status_code == 403
        bad = client.post("/api/admin/feeds", json={**body, "url": "javascript:alert(1)//x"}, headers=admin)
        assert bad.status_code == 422
        added = client.post("/api/admin/feeds", json=body, headers=admin)
        assert added.status_code == 201 and added.json()["consecutive_failures"] == 0
        assert client.post("/api/admin/feeds", json=body, headers=admin).status_code == 409
        listed = client.get("/api/admin/feeds", headers=admin).json()
        assert [feed["url"] for feed in listed] == [body["url"]]
        params = {"url": body["url"], "reason": "paywalled"}
        assert client.delete("/api/admin/feeds", params=params, headers=admin).status_code == 204
        assert client.delete("/api/admin/feeds", params=params, headers=admin).status_code == 404
        audit = client.get("/api/admin/audit", headers=admin).json()
    assert [(e["action"], e["reason"]) for e in audit[:2]] == [("feed.remove", "paywalled"),
                                                             ("feed.add", "regional coverage")]


# -- the schema ---------------------------------------------------------------------------------------------


def test_openapi_schema_matches_the_golden_file() -> None:
    """After an intended API change regenerate it (docs/api.md):
    .venv/bin/python -m incitewatch.api.openapi > tests/golden/openapi.json"""
    assert GOLDEN_OPENAPI.read_text(encoding="utf-8") == render_schema(openapi_schema())


def test_ranking_considers_the_newest_matches_first(
    desk: tuple[TestClient, DeskUsers, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a window of one match only the newest stored match is ranked (the older one is not lost: it is
    on the list without a query)."""
    from incitewatch.api import queries

    monkeypatch.setattr(queries, "RANK_WINDOW", 1)
    assert [item["id"] for item in _get(desk, "/api/articles?q=kirkuk")["items"]] == ["a-clean00000000002"]
    monkeypatch.setattr(queries, "RANK_WINDOW", 2)
    assert len(_get(desk, "/api/articles?q=kirkuk")["items"]) == 2


def test_country_places_come_from_geonames() -> None:
    from incitewatch.api.queries import country_place_ids

    iraq = country_place_ids("iq")
    assert "place:geonames:94787" in iraq and "place:geonames:99237" in iraq  # Kirkuk, and Iraq itself
    assert "place:geonames:2800866" not in iraq  # Brussels
    assert country_place_ids("XX") == ()


def test_cli_users_add_prints_working_one_time_secrets(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from incitewatch.cli import app

    path = tmp_path / "cli.sqlite"
    result = CliRunner().invoke(app, ["users", "add", "jo", "--role", "analyst", "--db", str(path)])
    assert result.exit_code == 0, result.output
    token = re.search(r"token:\s+(\S+)", result.output)
    password = re.search(r"password:\s+(\S+)", result.output)
    assert token is not None and password is not None
    users = UserStore(path)
    assert users.user_for_token(token.group(1)) is not None
    assert users.authenticate("jo", password.group(1)) is not None
    assert users.audit()[0].action == "user.add"
    users.close()
    again = CliRunner().invoke(app, ["users", "add", "jo", "--db", str(path)])
    assert again.exit_code != 0


def test_cli_serve_builds_the_desk_for_uvicorn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from incitewatch.cli import app

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda asgi, **options: seen.update(app=asgi, **options))
    path = tmp_path / "serve.sqlite"
    result = CliRunner().invoke(app, ["serve", "--db", str(path), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123
    assert seen["app"].state.desk.settings.db_path == path
    seen["app"].state.desk.close()
