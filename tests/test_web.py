"""The server-rendered pages: login and CSRF, escaping of hostile article data, evidence highlighting, roles."""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from markupsafe import escape

from incitewatch.api import Settings, create_app
from incitewatch.web.pages import evidence_url, highlight, safe_url
from tests.test_api import (
    PASSWORD,
    XSS_NAME,
    XSS_OUTLET,
    XSS_SENTENCE,
    XSS_TITLE,
    XSS_URL,
    DeskUsers,
    build_desk_store,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient



PAGES = ("/", "/search?q=audio", "/search?group=Daesh&type=attack", "/releases", "/attacks", "/actors", "/map",
         "/timeline", "/articles/a-xss0000000000001", "/actors/person:xss-speaker", "/actors/group:islamic-state")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_ATTRIBUTE_URL = re.compile(r'(?:href|src|action)="([^"]*)"')


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DeskUsers]:
    path = tmp_path_factory.mktemp("web") / "web.sqlite"
    return path, build_desk_store(path)


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the page's CSRF token for later forms."""
    form = client.get("/login")
    token = _CSRF.search(form.text)
    assert token is not None
    response = client.post("/login", data={"csrf_token": token.group(1), "username": name, "password": password,
                                           "next": "/"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    page_token = _CSRF.search(client.get("/").text)
    assert page_token is not None
    return page_token.group(1)


@pytest.fixture(scope="module")
def analyst(store_path: tuple[Path, DeskUsers]) -> Iterator[tuple[TestClient, str]]:
    with TestClient(create_app(Settings(db_path=store_path[0]))) as client:
        yield client, login(client, "analyst")


# -- login and sessions -----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_form(store_path: tuple[Path, DeskUsers]) -> None:
    with TestClient(create_app(Settings(db_path=store_path[0]))) as client:
        response = client.get("/search?q=x", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/search%3Fq%3Dx"
        assert client.get("/healthz").json() == {"status": "ok"}


def test_login_sets_a_strict_http_only_session_cookie(store_path: tuple[Path, DeskUsers]) -> None:
    with TestClient(create_app(Settings(db_path=store_path[0]))) as client:
        form = client.get("/login")
        assert "httponly" in form.headers["set-cookie"].lower()
        token = _CSRF.search(form.text)
        assert token is not None
        data = {"csrf_token": token.group(1), "username": "viewer", "password": PASSWORD, "next": "//evil.example"}
        response = client.post("/login", data=data, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/"
        cookie = response.headers["set-cookie"].lower()
        assert "iw_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie


def test_login_refuses_wrong_passwords_and_forged_forms(store_path: tuple[Path, DeskUsers]) -> None:
    with TestClient(create_app(Settings(db_path=store_path[0]))) as client:
        token = _CSRF.search(client.get("/login").text)
        assert token is not None
        wrong = client.post("/login", data={"csrf_token": token.group(1), "username": "viewer", "password": "nope"})
        assert wrong.status_code == 401 and "Wrong user name or password" in wrong.text
        forged = client.post("/login", data={"csrf_token": "forged", "username": "viewer", "password": PASSWORD})
        assert forged.status_code == 403
        assert "iw_session" not in client.cookies


def test_logout_ends_the_session(store_path: tuple[Path, DeskUsers]) -> None:
    with TestClient(create_app(Settings(db_path=store_path[0]))) as client:
        token = login(client, "viewer")
        assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
        assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
        assert client.get("/", follow_redirects=False).status_code == 303


# -- safety ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_pages_escape_hostile_article_data(analyst: tuple[TestClient, str], page: str) -> None:
    client, _ = analyst
    response = client.get(page)
    assert response.status_code == 200, response.text
    body = response.text
    for payload in (XSS_TITLE, XSS_OUTLET, XSS_NAME, XSS_SENTENCE, "<script>alert", "<svg onload", "<img src=x"):
        assert payload not in body, (page, payload)
    # No inline script, nothing loaded from elsewhere, no javascript: links.
    assert re.search(r"<script(?![^>]*src=\"/static/)", body) is None
    for url in _ATTRIBUTE_URL.findall(body):
        assert not url.lower().startswith("javascript:"), url
        if url.startswith(("http://", "https://")):
            assert url == "https://example.org/report"  # the one real source link, clicked not loaded
    assert 'src="http' not in body and "style=" not in body


def test_hostile_values_are_shown_as_text(analyst: tuple[TestClient, str]) -> None:
    client, _ = analyst
    body = client.get("/articles/a-xss0000000000001").text
    assert str(escape(XSS_TITLE)) in body
    assert str(escape(XSS_URL)) in body and "(not a web link)" in body


def test_an_attack_the_report_refers_to_shows_its_focus(analyst: tuple[TestClient, str]) -> None:
    client, _ = analyst
    body = client.get("/articles/a-xss0000000000001").text
    assert 'class="focus"' in body and "referred to 0.08" in body
    # The release is no attack: it has no focus to show.
    assert body.count('class="focus"') == 1
    # An attack no model scored shows none.
    assert 'class="focus"' not in client.get("/articles/a-clean00000000002").text


def test_page_security_headers(analyst: tuple[TestClient, str]) -> None:
    client, _ = analyst
    headers = client.get("/").headers
    assert headers["content-security-policy"].startswith("default-src 'self'; script-src 'self'")
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_safe_url_only_links_web_addresses() -> None:
    assert safe_url("https://example.org/a") == "https://example.org/a"
    for hostile in (XSS_URL, " JavaScript:alert(1)", "data:text/html,x", "vbscript:x", "//evil", "", None):
        assert safe_url(hostile) is None


# -- evidence ---------------------------------------------------------------------------------------------------


def test_hl_marks_exactly_the_requested_span(analyst: tuple[TestClient, str]) -> None:
    client, _ = analyst
    detail = client.get("/api/articles/a-xss0000000000001", headers={}).json()  # session cookie works for GET
    text = detail["analysis"]["article"]["text"]
    start = text.index(XSS_SENTENCE)
    end = start + len(XSS_SENTENCE)
    body = client.get(f"/articles/a-xss0000000000001?hl={start}-{end}").text
    marked = re.search(r'<mark id="hl" tabindex="-1">(.*?)</mark>', body, re.S)
    assert marked is not None and html.unescape(marked.group(1)) == XSS_SENTENCE
    assert body.count("<mark") == 1


@pytest.mark.parametrize("hl", ["5-2", "0-999999", "abc", "-1-3", "3"])
def test_bad_hl_marks_nothing(analyst: tuple[TestClient, str], hl: str) -> None:
    client, _ = analyst
    assert "<mark" not in client.get(f"/articles/a-xss0000000000001?hl={hl}").text


def test_highlight_splits_text_around_the_span() -> None:
    assert highlight("abcdef", "1-3") == ("a", "bc", "def", (1, 3))
    assert highlight("abcdef", "4-9") == ("abcdef", None, "", None)
    assert evidence_url("a-1", 3, 9) == "/articles/a-1?hl=3-9#hl"


def test_every_value_links_to_its_evidence(analyst: tuple[TestClient, str]) -> None:
    client, _ = analyst
    body = client.get("/articles/a-clean00000000002").text
    text = client.get("/api/articles/a-clean00000000002").json()["analysis"]["article"]["text"]
    links = re.findall(r'href="/articles/a-clean00000000002\?hl=(\d+)-(\d+)#hl">([^<]*)</a>', body)
    spans = {text[int(s) : int(e)] for s, e, _ in links}
    assert {"killed 23 people", "Abu Tester", "Kirkuk", "Islamic State"} <= spans


def test_release_page_shows_reports_side_by_side(analyst: tuple[TestClient, str]) -> None:
    client, _ = analyst
    ids = re.findall(r'href="/releases/([^"]+)"', client.get("/releases").text)
    pages = [client.get(f"/releases/{record_id}").text for record_id in ids]
    both = [page for page in pages if page.count('class="report-card"') == 2]
    assert both, "the two reports of one release should share a record"
    assert "Harbour Herald" in both[0] and str(escape(XSS_OUTLET)) in both[0]
    assert "Source chain" in both[0]


def test_attack_page_shows_each_outlets_toll(analyst: tuple[TestClient, str]) -> None:
    client, _ = analyst
    ids = re.findall(r'href="/attacks/([^"]+)"', client.get("/attacks").text)
    bodies = " ".join(client.get(f"/attacks/{record_id}").text for record_id in ids)
    assert "<td>23</td>" in bodies and "<td>25</td>" in bodies
    # Whether each report tells of the attack as its own incident: the hostile report only refers to it; the
    # other was not scored.
    assert "<td>referred to 0.08</td>" in bodies and "<td>—</td>" in bodies


def test_map_and_timeline_show_the_data(analyst: tuple[TestClient, str]) -> None:
    client, _ = analyst
    world = client.get("/map").text
    assert world.count('class="place"') == 1 and "Kirkuk" in world and "<svg" in world
    assert "Baghdad" not in world or "(IQ)" in world  # capitals are drawn as country marks
    timeline = client.get("/timeline?type=attack").text
    assert "2025-02" in timeline and "killed 25 people" in timeline


def test_search_page_filters(analyst: tuple[TestClient, str]) -> None:
    client, _ = analyst
    body = client.get("/search?q=recording&verification=unverified&type=attack").text
    assert "a-clean00000000002" in body and "a-xss0000000000001" not in body
    assert "<mark>recording</mark>" in body.lower()


# -- roles and decisions ----------------------------------------------------------------------------------------


def test_viewer_sees_no_merge_form_and_is_refused(store_path: tuple[Path, DeskUsers]) -> None:
    with TestClient(create_app(Settings(db_path=store_path[0]))) as client:
        token = login(client, "viewer")
        page = client.get("/actors/person:abu-tester").text
        assert 'action="/actors/merge"' not in page
        refused = client.post("/actors/merge", data={"csrf_token": token, "keep": "person:abu-tester",
                                                     "other": "person:xss-speaker", "reason": "same"})
        assert refused.status_code == 403 and "analyst" in refused.text
        assert client.get("/admin/users").status_code == 403


def test_analyst_merges_through_the_form(tmp_path: Path) -> None:
    path = tmp_path / "merge.sqlite"
    build_desk_store(path)
    with TestClient(create_app(Settings(db_path=path))) as client:
        token = login(client, "analyst")
        form = {"keep": "person:abu-tester", "other": "person:xss-speaker", "reason": "one spokesman"}
        assert client.post("/actors/merge", data=form).status_code == 403  # no CSRF token
        response = client.post("/actors/merge", data={**form, "csrf_token": token}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/actors/person:abu-tester"
        assert str(escape(XSS_NAME)) in client.get("/actors/person:abu-tester").text
    with TestClient(create_app(Settings(db_path=path))) as client:
        login(client, "admin")
        audit = client.get("/admin/audit").text
    assert "actor.merge" in audit and "one spokesman" in audit


def test_admin_adds_a_user_and_sees_the_secrets_once(tmp_path: Path) -> None:
    path = tmp_path / "admin.sqlite"
    build_desk_store(path)
    with TestClient(create_app(Settings(db_path=path))) as client:
        token = login(client, "admin")
        created = client.post("/admin/users", data={"csrf_token": token, "action": "add", "name": "ivy",
                                                    "role": "analyst", "reason": "new analyst"})
        assert created.status_code == 200
        secret = re.search(r'API token: <code class="secret">([^<]+)</code>', created.text)
        assert secret is not None
        assert secret.group(1) not in client.get("/admin/users").text
        me = client.get("/api/me", headers={"Authorization": f"Bearer {secret.group(1)}"})
        assert me.json() == {"name": "ivy", "role": "analyst"}


# -- corrections ------------------------------------------------------------------------------------------


def _attack_url(client: TestClient) -> str:
    (record_id,) = re.findall(r'href="/attacks/([^"]+)"', client.get("/attacks").text)
    return f"/attacks/{record_id}"


def test_analyst_corrects_a_toll_through_the_form_and_sees_the_original(tmp_path: Path) -> None:
    path = tmp_path / "correct.sqlite"
    build_desk_store(path)
    with TestClient(create_app(Settings(db_path=path))) as client:
        token = login(client, "analyst")
        url = _attack_url(client)
        page = client.get(url).text
        assert 'action="/corrections"' in page and '<option value="killed">' in page
        record_id = re.search(r'name="record_id" value="([^"]+)"', page)
        assert record_id is not None
        form = {"kind": "attack", "record_id": html.unescape(record_id.group(1)), "field": "killed", "value": "27",
                "reason": f"ministry toll {XSS_NAME}"}
        assert client.post("/corrections", data=form).status_code == 403, "no CSRF token"
        done = client.post("/corrections", data={**form, "csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == url
        page = client.get(url).text
        assert '<span class="value" data-field="killed">27</span>' in page
        assert '<s class="original">23</s>' in page, "the machine value is shown beside the correction"
        assert XSS_NAME not in page and str(escape(XSS_NAME)) in page
        bad = client.post("/corrections", data={**form, "value": "many", "csrf_token": token})
        assert bad.status_code == 422 and "whole number" in bad.text
        correction_id = re.search(r'action="/corrections/(\d+)/undo"', page)
        assert correction_id is not None
        undo = client.post(f"/corrections/{correction_id.group(1)}/undo",
                           data={"csrf_token": token, "reason": "another blast"}, follow_redirects=False)
        assert undo.status_code == 303
        page = client.get(url).text
        assert '<span class="value" data-field="killed">23</span>' in page and "undone by analyst" in page
    with TestClient(create_app(Settings(db_path=path))) as client:
        login(client, "admin")
        audit = client.get("/admin/audit").text
    assert "attack.correct" in audit and "attack.correct.undo" in audit and "another blast" in audit


def test_viewer_gets_no_correction_form_and_is_refused(store_path: tuple[Path, DeskUsers]) -> None:
    with TestClient(create_app(Settings(db_path=store_path[0]))) as client:
        token = login(client, "viewer")
        url = _attack_url(client)
        assert 'action="/corrections"' not in client.get(url).text
        refused = client.post("/corrections", data={"csrf_token": token, "kind": "attack", "record_id": "x",
                                                    "field": "killed", "value": "1", "reason": "because"})
        assert refused.status_code == 403 and "analyst" in refused.text


# -- administration and login throttling ------------------------------------------------------------------


def test_admin_disables_and_enables_a_user_through_the_form(tmp_path: Path) -> None:
    path = tmp_path / "disable.sqlite"
    build_desk_store(path)
    with TestClient(create_app(Settings(db_path=path))) as viewer:
        login(viewer, "viewer")
        with TestClient(create_app(Settings(db_path=path))) as client:
            token = login(client, "admin")
            page = client.get("/admin/users").text
            assert page.count('value="disable"') == 2, "every user but the admin themself"
            form = {"csrf_token": token, "action": "disable", "name": "viewer", "reason": "left"}
            assert client.post("/admin/users", data=form).status_code == 200
            assert viewer.get("/", follow_redirects=False).status_code == 303, "their session ended"
            assert "viewer (disabled)" in client.get("/admin/users").text
            mine = client.post("/admin/users", data={**form, "name": "admin"})
            assert mine.status_code == 409
            client.post("/admin/users", data={**form, "action": "enable", "reason": "back"})
            assert "viewer (disabled)" not in client.get("/admin/users").text


def test_feeds_page_lists_health_and_manages_feeds(tmp_path: Path) -> None:
    feeds_module = pytest.importorskip("incitewatch.store.feeds", reason="no feed store in this installation")
    path = tmp_path / "feeds.sqlite"
    build_desk_store(path)
    from datetime import UTC, datetime

    from incitewatch.store import SQLiteStore

    store = SQLiteStore(path)
    feeds = feeds_module.FeedStore(store)
    feeds.add_feed("https://broken.example.org/feed")
    moment = datetime(2025, 3, 1, tzinfo=UTC)
    feeds.record_failure("https://broken.example.org/feed", f"HTTP 500 {XSS_NAME}", polled_at=moment,
                         next_poll_at=moment)
    store.close()
    with TestClient(create_app(Settings(db_path=path))) as client:
        token = login(client, "admin")
        page = client.get("/admin/feeds").text
        assert "https://broken.example.org/feed" in page and '<td class="failures">1</td>' in page
        assert XSS_NAME not in page and str(escape(XSS_NAME)) in page
        form = {"csrf_token": token, "action": "add", "url": "https://new.example.org/rss", "reason": "coverage"}
        assert client.post("/admin/feeds", data={**form, "url": "javascript:alert(1)"}).status_code == 422
        added = client.post("/admin/feeds", data=form)
        assert added.status_code == 200 and "Added https://new.example.org/rss" in added.text
        removed = client.post("/admin/feeds", data={**form, "action": "remove", "reason": "dead"})
        assert "Removed" in removed.text and "https://new.example.org/rss</span>" not in removed.text
        audit = client.get("/admin/audit").text
    assert "feed.add" in audit and "feed.remove" in audit


def test_feeds_page_is_admin_only(store_path: tuple[Path, DeskUsers]) -> None:
    with TestClient(create_app(Settings(db_path=store_path[0]))) as client:
        login(client, "analyst")
        assert client.get("/admin/feeds").status_code == 403


def test_login_is_throttled_after_repeated_failures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    # A lock long enough that a stalled CI machine cannot see it expire before the next request.
    monkeypatch.setattr("incitewatch.store.users.FIRST_LOCK", timedelta(minutes=5))
    path = tmp_path / "throttle.sqlite"
    build_desk_store(path)
    with TestClient(create_app(Settings(db_path=path))) as client:
        token = _CSRF.search(client.get("/login").text)
        assert token is not None
        form = {"csrf_token": token.group(1), "username": "analyst", "password": "not it", "next": "/"}
        codes = [client.post("/login", data=form).status_code for _ in range(6)]
        assert codes == [401] * 6
        locked = client.post("/login", data={**form, "password": PASSWORD})
        assert locked.status_code == 429 and "Too many failed logins" in locked.text
        assert int(locked.headers["retry-after"]) >= 1
        login(client, "admin")
        audit = client.get("/admin/audit").text
    assert "login.locked" in audit
