"""The desk in a real browser: Debian's headless Chromium driven by Playwright against a real uvicorn server.

The store is filled by the real ingest of sample/articles plus hostile fixtures (script payloads in titles, text,
URLs and names), then linked. Skips cleanly without /usr/bin/chromium (CI: apt-get install -y chromium).
Screenshots of the main pages go to artifacts/screenshots/.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests import test_api

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample" / "articles"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOSTILE_TEXT = (
    "<script>alert('ingest-title')</script> Daesh releases new audio message\n\n"
    "Published: 5 March 2025\n\n"
    "The terror group Daesh published a new audio message on Sunday in which its spokesman called for attacks "
    "in Europe. <img src=x onerror=alert('ingest-text')> The recording was posted on Telegram, the group's "
    "propaganda channel, officials said. \"><svg onload=alert('ingest-name')> was named as the narrator.\n"
)
HOSTILE_HTML = (
    "<html><head><title><img src=x onerror=alert('html-title')></title>"
    '<link rel="canonical" href="javascript:alert(\'html-url\')">'
    '<meta name="author" content="&lt;script&gt;alert(\'author\')&lt;/script&gt;"></head><body><article>'
    "<h1>&lt;script&gt;alert('html-h1')&lt;/script&gt; Islamic State claims attack</h1>"
    "<p>Islamic State claimed responsibility on Monday for a bombing in Kirkuk that killed 12 people, according "
    "to Iraqi police. &lt;iframe src=javascript:alert('html-frame')&gt; The group's Amaq agency published the "
    "claim on Telegram.</p></article></body></html>"
)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium")


def _bound_socket() -> socket.socket:
    """A socket already bound to a free port, handed to uvicorn as it is: probing a port, closing it and letting
    uvicorn bind it later leaves a window in which another process can take it."""
    bound = socket.socket()
    bound.bind(("127.0.0.1", 0))
    return bound


def _fill_store(path: Path, hostile_folder: Path) -> None:
    """The real ingest (clean, triage, analysis) of the sample and hostile files, hand-built hostile reports,
    then cross-document linking."""
    from incitewatch.pipeline import Pipeline, PipelineOptions
    from incitewatch.service import ingest_paths
    from incitewatch.store import SQLiteStore

    hostile_folder.mkdir()
    (hostile_folder / "2025-03-05_hostile-wire.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    (hostile_folder / "2025-03-07_hostile-page.html").write_text(HOSTILE_HTML, encoding="utf-8")
    store = SQLiteStore(path)
    try:
        report = ingest_paths([SAMPLE, hostile_folder], store, Pipeline(PipelineOptions(use_model=True)))
        assert not report.failed, report.failed
        test_api.save_reports(store, [test_api.xss_report(), test_api.clean_report()])
        test_api.link_all(store)
    finally:
        store.close()
    test_api.add_desk_users(path)


@dataclass
class Server:
    base: str
    password: str
    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not SAMPLE.is_dir():
        pytest.skip("sample/articles is missing")
    import uvicorn

    from incitewatch.api import Settings, create_app

    folder = tmp_path_factory.mktemp("browser")
    path = folder / "desk.sqlite"
    _fill_store(path, folder / "hostile")
    bound = _bound_socket()
    port: int = bound.getsockname()[1]
    config = uvicorn.Config(create_app(Settings(db_path=path)), host="127.0.0.1", port=port, log_level="warning")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [bound]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uvicorn_server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}", test_api.PASSWORD)
    uvicorn_server.should_exit = True
    thread.join(timeout=10)
    bound.close()


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page_for(browser: Any, server: Server) -> Iterator[Any]:
    """``page_for(role)``: a fresh browser context logged in as that role, watched for dialogs (a payload that
    ran), console errors (CSP violations) and requests leaving the server."""
    contexts: list[Any] = []

    def open_page(role: str) -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        def on_dialog(dialog: Any) -> None:
            server.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("console", lambda message: server.console.append(f"{message.type}: {message.text}")
                if message.type in ("error", "warning") else None)
        page.on("request", lambda request: None if request.url.startswith(server.base)
                else server.foreign.append(request.url))
        page.goto(f"{server.base}/login")
        page.fill("input[name=username]", role)
        page.fill("input[name=password]", server.password)
        page.click("form.login button[type=submit]")
        page.wait_for_url(f"{server.base}/")
        return page

    yield open_page
    for context in contexts:
        context.close()


def _click_and_wait(page: Any, target: Any) -> None:
    """Click something that loads a page and wait until that page has loaded. A page's URL changes when the
    navigation is committed, before the new document is parsed, so waiting on the URL alone raced (CI once counted
    0 rows on the attack page); a form posted back to the page's own URL matches before it is even sent."""
    with page.expect_navigation(wait_until="load"):
        target.click()


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _assert_nothing_ran(server: Server) -> None:
    assert server.dialogs == [], f"a payload ran: {server.dialogs}"
    assert not [line for line in server.console if "Content Security Policy" in line], server.console
    assert server.foreign == [], f"pages asked other hosts: {server.foreign}"


def test_login_lands_on_the_overview(page_for: Any, server: Server) -> None:
    page = page_for("analyst")
    assert page.locator("h1").inner_text() == "Overview"
    assert page.locator(".who").get_attribute("data-role") == "analyst"
    assert page.locator("ul.events li").count() >= 2
    _shot(page, "overview")
    _assert_nothing_ran(server)


def test_wrong_password_is_refused(browser: Any, server: Server) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.base}/login?next=/map")
    page.fill("input[name=username]", "analyst")
    page.fill("input[name=password]", "not the password")
    page.click("form.login button[type=submit]")
    assert "Wrong user name or password" in page.locator(".error").inner_text()
    assert context.cookies() and all(cookie["name"] != "iw_session" for cookie in context.cookies())
    context.close()


def test_search_with_filters(page_for: Any, server: Server) -> None:
    page = page_for("viewer")
    page.click("text=Search")
    page.fill("input[name=q]", "audio")
    page.select_option("select[name=type]", "propaganda_release")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r".*/search\?.*q=audio.*"))
    results = page.locator("ul.articles li")
    assert results.count() >= 3
    assert page.locator("ul.articles mark").count() >= 1
    _shot(page, "search")
    _assert_nothing_ran(server)


def test_release_value_leads_to_highlighted_evidence(page_for: Any, server: Server) -> None:
    page = page_for("viewer")
    page.goto(f"{server.base}/releases")
    _shot(page, "releases")
    rows = page.locator("table.records tbody tr")
    counts = [int(rows.nth(index).locator("td").nth(5).inner_text()) for index in range(rows.count())]
    assert max(counts) >= 2, "the sample's release is told by several outlets"
    _click_and_wait(page, rows.nth(counts.index(max(counts))).locator("a").first)
    assert re.match(r".*/releases/release:.*", page.url)
    assert page.locator("section.report-card").count() == max(counts)
    _shot(page, "release")
    evidence = page.locator("section.report-card blockquote a.ev").first
    expected = evidence.inner_text()
    _click_and_wait(page, evidence)
    assert re.match(r".*/articles/a-[0-9a-f]+\?hl=\d+-\d+#hl", page.url)
    marked = page.locator("mark#hl")
    assert marked.count() == 1
    assert " ".join(marked.inner_text().split()) == " ".join(expected.split())
    assert marked.is_visible()
    _shot(page, "article-evidence")
    _assert_nothing_ran(server)


def test_attack_page_map_and_timeline(page_for: Any, server: Server) -> None:
    page = page_for("viewer")
    page.goto(f"{server.base}/attacks")
    _click_and_wait(page, page.locator("table.records a").first)
    assert re.match(r".*/attacks/attack:.*", page.url)
    assert page.locator("table.records tbody tr").count() >= 1
    _shot(page, "attack")
    page.goto(f"{server.base}/map")
    assert page.locator("svg.map a.place").count() >= 1
    _shot(page, "map")
    page.goto(f"{server.base}/timeline")
    assert page.locator("section.month").count() >= 1
    _shot(page, "timeline")
    page.goto(f"{server.base}/actors/person:abu-yusuf-al-tahiri")
    _shot(page, "actor")
    _assert_nothing_ran(server)


def test_hostile_pages_run_no_script(page_for: Any, server: Server) -> None:
    page = page_for("viewer")
    page.goto(f"{server.base}/search?q=alert")
    links = page.locator("ul.articles a.title")
    hrefs = [links.nth(index).get_attribute("href") for index in range(links.count())]
    assert len(hrefs) >= 2, "the hostile fixtures should be found"
    for href in [*hrefs, "/articles/a-xss0000000000001", "/actors/person:xss-speaker", "/"]:
        page.goto(f"{server.base}{href}")
        page.wait_for_load_state("load")
        assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
        assert page.evaluate("document.querySelectorAll('svg[onload], img[onerror], iframe').length") == 0
    page.goto(f"{server.base}/articles/a-xss0000000000001")
    assert "<script>alert(\"title\")</script>" in page.locator("h1").inner_text()
    _shot(page, "hostile-article")
    _assert_nothing_ran(server)


def test_analyst_merges_two_actors(page_for: Any, server: Server) -> None:
    page = page_for("analyst")
    page.goto(f"{server.base}/actors/person:abu-tester")
    page.fill("form.merge input[name=other]", "person:xss-speaker")
    page.fill("form.merge textarea[name=reason]", "one spokesman under two spellings")
    _click_and_wait(page, page.locator("form.merge button[type=submit]"))
    assert page.url == f"{server.base}/actors/person:abu-tester"
    assert "alert('name')" in page.locator("main").inner_text()  # the merged name, shown as text
    _shot(page, "actor-merged")
    _assert_nothing_ran(server)


def test_viewer_is_refused_a_merge(page_for: Any, server: Server) -> None:
    page = page_for("viewer")
    page.goto(f"{server.base}/actors/group:islamic-state")
    assert page.locator("form.merge").count() == 0
    token = page.locator("form.logout input[name=csrf_token]").get_attribute("value")
    response = page.request.post(
        f"{server.base}/actors/merge",
        form={"csrf_token": token, "keep": "group:islamic-state", "other": "group:al-qaeda", "reason": "no"},
    )
    assert response.status == 403
    api = page.request.post(f"{server.base}/api/actors/merge", headers={"X-CSRF-Token": token},
                            data={"record_ids": ["group:islamic-state", "group:al-qaeda"], "reason": "nope"})
    assert api.status == 403
    _assert_nothing_ran(server)


def test_analyst_corrects_a_toll_and_sees_the_original(page_for: Any, server: Server) -> None:
    page = page_for("analyst")
    page.goto(f"{server.base}/attacks")
    _click_and_wait(page, page.locator("table.records a").first)
    assert re.match(r".*/attacks/attack:.*", page.url)
    attack_url = page.url
    machine = page.locator("span.value[data-field=killed]").inner_text()
    corrected = str(int(machine) + 2) if machine.isdigit() else "31"
    form = page.locator("form.correct")
    form.locator("select[name=field]").select_option("killed")
    form.locator("input[name=value]").fill(corrected)
    form.locator("input[name=reason]").fill("<b>ministry</b> final toll")
    _click_and_wait(page, form.locator("button[type=submit]"))
    assert page.url == attack_url
    assert page.locator("span.value[data-field=killed]").inner_text() == corrected
    beside = page.locator(".correction[data-field=killed]")
    assert beside.locator("s.original").inner_text() == (machine if machine.isdigit() else "none")
    assert "<b>ministry</b> final toll" in beside.inner_text(), "the reason is shown as text"
    assert page.locator("table.corrections tbody tr").first.locator("td").nth(5).inner_text().startswith("in force")
    _shot(page, "attack-corrected")
    _assert_nothing_ran(server)


def test_viewer_gets_no_correction_form_and_the_api_refuses(page_for: Any, server: Server) -> None:
    page = page_for("viewer")
    page.goto(f"{server.base}/attacks")
    _click_and_wait(page, page.locator("table.records a").first)
    assert re.match(r".*/attacks/attack:.*", page.url)
    assert page.locator("form.correct").count() == 0
    assert page.locator("form[action$='/undo']").count() == 0
    record_id = page.url.split("/attacks/", 1)[1]
    token = page.locator("form.logout input[name=csrf_token]").get_attribute("value")
    form = page.request.post(f"{server.base}/corrections", form={
        "csrf_token": token, "kind": "attack", "record_id": record_id, "field": "killed", "value": "1",
        "reason": "not allowed"})
    assert form.status == 403
    api = page.request.post(f"{server.base}/api/attacks/{record_id}/corrections", headers={"X-CSRF-Token": token},
                            data={"field": "killed", "value": 1, "reason": "not allowed"})
    assert api.status == 403
    _assert_nothing_ran(server)


def test_admin_adds_a_user_who_can_log_in(browser: Any, page_for: Any, server: Server) -> None:
    page = page_for("admin")
    page.click("text=Users")
    page.wait_for_url(f"{server.base}/admin/users")
    form = page.locator("form:has(input[name=action][value=add])")
    form.locator("input[name=name]").fill("newcomer")
    form.locator("select[name=role]").select_option("analyst")
    form.locator("input[name=reason]").fill("joined the desk")
    _click_and_wait(page, form.locator("button[type=submit]"))
    notice = page.locator(".notice")
    notice.wait_for()
    password = notice.locator("code.secret").first.inner_text()
    assert "newcomer" in notice.inner_text() and len(password) >= 16
    assert page.locator("table.records td", has_text="newcomer").count() == 1
    _shot(page, "user-added")
    page.goto(f"{server.base}/admin/users")
    assert page.locator("code.secret").count() == 0, "secrets are shown once"
    context = browser.new_context()
    newcomer = context.new_page()
    newcomer.goto(f"{server.base}/login")
    newcomer.fill("input[name=username]", "newcomer")
    newcomer.fill("input[name=password]", password)
    newcomer.click("form.login button[type=submit]")
    newcomer.wait_for_url(f"{server.base}/")
    assert newcomer.locator(".who").get_attribute("data-role") == "analyst"
    context.close()
    _assert_nothing_ran(server)
