"""Server-rendered pages of the analyst's desk. Every value links to its evidence: ``/articles/ID?hl=S-E``.

All article-derived text goes through Jinja2 autoescaping (never ``|safe``); links to sources are only made for
http(s) URLs; pages load nothing from elsewhere and run no inline script (the CSP forbids both).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlsplit

import jinja2
from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from incitewatch.api.auth import (
    CSRF_FIELD,
    Principal,
    check_form_csrf,
    desk_of,
    identify,
    login_csrf,
    page_principal,
    safe_next,
    same_token,
)
from incitewatch.api.desk import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Desk
from incitewatch.api.feeds import FeedUrlError, check_feed_url, feed_store
from incitewatch.api.queries import EVENT_TYPES, VERIFICATIONS, ArticleFilter, ArticleRow
from incitewatch.api.records import RecordsUnavailable, correctable_fields, http_call
from incitewatch.errors import IncitewatchError, StoreError
from incitewatch.link.records import RecordKind
from incitewatch.store.users import ROLES
from incitewatch.types import is_own_incident
from incitewatch.web.geometry import country_paths, tally_by_country

Viewer = Annotated[Principal, Depends(page_principal("viewer"))]
Analyst = Annotated[Principal, Depends(page_principal("analyst"))]
Admin = Annotated[Principal, Depends(page_principal("admin"))]
_HL = re.compile(r"^(\d{1,9})-(\d{1,9})$")
MAP_WIDTH = 720
MAP_HEIGHT = 360
_GRID_STEP_DEGREES = 30
ACTOR_RELEASES = 50


@lru_cache(maxsize=1)
def templates() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("incitewatch.web", "templates"),
        autoescape=True,  # every template, whatever its extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(
        evidence_url=evidence_url,
        safe_url=safe_url,
        page_url=page_url,
        quote=quote,
        snippet_parts=snippet_parts,
        is_own_incident=is_own_incident,
    )
    return environment


def evidence_url(article_id: str, start: int | None = None, end: int | None = None) -> str:
    """The article page with the span [start, end) marked and scrolled to."""
    base = f"/articles/{quote(article_id, safe='')}"
    if start is None or end is None:
        return base
    return f"{base}?hl={int(start)}-{int(end)}#hl"


def safe_url(url: str | None) -> str | None:
    """Only http(s) URLs become links: a ``javascript:`` URL from a feed must never be clickable."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in {"http", "https"} else None


def snippet_parts(row: ArticleRow) -> list[tuple[str, bool]]:
    """A snippet cut at its highlights: (text, highlighted) pieces for the template to escape and mark."""
    parts: list[tuple[str, bool]] = []
    at = 0
    for start, end in row.highlights:
        parts.extend(((row.snippet[at:start], False), (row.snippet[start:end], True)))
        at = end
    parts.append((row.snippet[at:], False))
    return [part for part in parts if part[0]]


def page_url(path: str, params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    query = urlencode({key: value for key, value in merged.items() if value not in (None, "")})
    return f"{path}?{query}" if query else path


def render(
    request: Request, name: str, principal: Principal | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    desk = desk_of(request)
    html = templates().get_template(name).render(
        user=principal.user if principal else None,
        csrf_token=principal.csrf_token if principal else None,
        csrf_field=CSRF_FIELD,
        records_available=desk.records.available,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


def page_error(request: Request, status_code: int, message: str) -> Response:
    try:
        principal = identify(request)
    except StoreError:
        principal = None
    return render(request, "error.html", principal, status_code, code=status_code, message=message)


def highlight(text: str, hl: str | None) -> tuple[str, str | None, str, tuple[int, int] | None]:
    """Split the canonical text around the asked-for span: (before, marked, after, span)."""
    match = _HL.match(hl or "")
    if match is None:
        return text, None, "", None
    start, end = int(match.group(1)), int(match.group(2))
    if not 0 <= start <= end <= len(text):
        return text, None, "", None
    return text[:start], text[start:end], text[end:], (start, end)


def project(lat: float, lon: float) -> tuple[float, float]:
    """Equirectangular projection onto the map's viewBox."""
    return round((lon + 180.0) / 360.0 * MAP_WIDTH, 1), round((90.0 - lat) / 180.0 * MAP_HEIGHT, 1)


def _pagination(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(limit, MAX_PAGE_SIZE)), max(0, offset)


Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
Offset = Annotated[int, Query(ge=0)]


def _records_or_none(request: Request, kind: RecordKind, limit: int, offset: int) -> list[Any] | None:
    try:
        return desk_of(request).records.page(kind, limit + 1, offset)
    except RecordsUnavailable:
        return None


def _record(request: Request, kind: RecordKind, record_id: str) -> Any:
    try:
        record = desk_of(request).records.get(kind, record_id)
    except RecordsUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no such {kind}")
    return record


def build_page_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    _auth_pages(router)
    _browse_pages(router)
    _record_pages(router)
    _admin_pages(router)
    return router


# -- login ------------------------------------------------------------------------------------------------------


def _set_cookie(request: Request, response: Response, name: str, value: str, http_only: bool) -> None:
    response.set_cookie(
        name, value, httponly=http_only, samesite="strict", secure=desk_of(request).settings.secure_cookies,
        path="/",
    )


def _login_form(request: Request, next_url: str, error: str | None, status_code: int = 200) -> Response:
    token = login_csrf(request)
    response = render(request, "login.html", None, status_code, login_csrf=token, next_url=next_url, error=error)
    _set_cookie(request, response, desk_of(request).settings.csrf_cookie, token, http_only=True)
    return response


def _auth_pages(router: APIRouter) -> None:
    @router.get("/login")
    def login_page(request: Request, next: str = "/") -> Response:
        return _login_form(request, safe_next(next), None)

    @router.post("/login")
    async def login(request: Request) -> Response:
        desk = desk_of(request)
        form = await request.form()
        next_url = safe_next(str(form.get("next") or "/"))
        if not same_token(str(form.get(CSRF_FIELD) or ""), request.cookies.get(desk.settings.csrf_cookie)):
            return _login_form(request, next_url, "The form expired; please try again.", 403)
        address = request.client.host if request.client else None
        outcome = desk.users.attempt_login(str(form.get("username") or "")[:200], str(form.get("password") or ""),
                                           address)
        if outcome.retry_after is not None:
            response = _login_form(request, next_url, "Too many failed logins; try again in "
                                   f"{outcome.retry_after} seconds.", 429)
            response.headers["Retry-After"] = str(outcome.retry_after)
            return response
        user = outcome.user
        if user is None:
            return _login_form(request, next_url, "Wrong user name or password.", 401)
        token, _ = desk.users.start_session(user)
        response = RedirectResponse(next_url, status_code=status.HTTP_303_SEE_OTHER)
        _set_cookie(request, response, desk.settings.session_cookie, token, http_only=True)
        return response

    @router.post("/logout")
    async def logout(request: Request, principal: Viewer) -> Response:
        desk = desk_of(request)
        check_form_csrf(await request.form(), principal)
        cookie = request.cookies.get(desk.settings.session_cookie)
        if cookie:
            desk.users.end_session(cookie)
        response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
        response.delete_cookie(desk.settings.session_cookie, path="/")
        return response

    @router.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}


# -- overview, search, articles, map, timeline ------------------------------------------------------------------


def _browse_pages(router: APIRouter) -> None:
    @router.get("/")
    def overview(request: Request, principal: Viewer) -> Response:
        desk = desk_of(request)
        reads = desk.reads
        return render(
            request, "overview.html", principal,
            counts=reads.counts(), journal=reads.journal_counts(), feeds=reads.feeds_health(),
            releases=reads.events("propaganda_release", limit=8).items,
            attacks=reads.events("attack", limit=8).items,
            actors=reads.entities(limit=10).items,
            articles=reads.articles(ArticleFilter(), limit=10).items,
        )

    @router.get("/search")
    def search(
        request: Request,
        principal: Viewer,
        q: str = "", group: str = "", speaker: str = "", country: str = "", date_from: str = "",
        date_to: str = "", type: str = "", verification: str = "",
        limit: Limit = DEFAULT_PAGE_SIZE, offset: Offset = 0,
    ) -> Response:
        params = {"q": q, "group": group, "speaker": speaker, "country": country, "date_from": date_from,
                  "date_to": date_to, "type": type, "verification": verification}
        filters = ArticleFilter(**{key: (value.strip()[:500] or None) for key, value in params.items()})
        searched = any(params.values())
        reads = desk_of(request).reads
        page = reads.articles(filters, limit, offset) if searched else None
        entities = desk_of(request).store.search_entities(q, limit=10) if q.strip() and offset == 0 else []
        return render(request, "search.html", principal, params=params, page=page, entities=entities,
                      event_types=EVENT_TYPES, verifications=VERIFICATIONS)

    @router.get("/articles/{article_id}")
    def article(request: Request, article_id: str, principal: Viewer, hl: str | None = None) -> Response:
        desk = desk_of(request)
        analysis = desk.store.get_article(article_id)
        if analysis is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such article")
        before, marked, after, span = highlight(analysis["article"]["text"], hl)
        return render(
            request, "article.html", principal, a=analysis, meta=desk.reads.article_meta(article_id) or {},
            before=before, marked=marked, after=after, span=span, uris=desk.store.article_uris(article_id),
            copies=desk.store.article_copies(article_id),
            entity_names={entity["id"]: entity["name"] for entity in analysis.get("entities", [])},
        )

    @router.get("/map")
    def world_map(request: Request, principal: Viewer) -> Response:
        points = desk_of(request).reads.places()
        largest = max((point.count for point in points), default=1)
        markers = [
            (point, *project(point.lat, point.lon), round(3 + 5 * math.sqrt(point.count / largest), 1))
            for point in points
        ]
        tallies = tally_by_country((point.country, point.count) for point in points)
        countries = [(path, tallies.get(path.key)) for path in country_paths(project)]
        meridians = [project(0, lon)[0] for lon in range(-180, 181, _GRID_STEP_DEGREES)]
        parallels = [project(lat, 0)[1] for lat in range(-90, 91, _GRID_STEP_DEGREES)]
        return render(request, "map.html", principal, markers=markers, countries=countries,
                      meridians=meridians, parallels=parallels, width=MAP_WIDTH, height=MAP_HEIGHT)

    @router.get("/timeline")
    def timeline(request: Request, principal: Viewer, type: str = "") -> Response:
        event_type = type if type in EVENT_TYPES else None
        months = desk_of(request).reads.timeline(event_type)
        busiest = max((len(rows) for _, rows in months), default=1)
        return render(request, "timeline.html", principal, months=months, busiest=busiest,
                      event_types=EVENT_TYPES, selected=event_type or "")


# -- cross-document records ------------------------------------------------------------------------------------


def _record_pages(router: APIRouter) -> None:
    @router.get("/releases")
    def releases(request: Request, principal: Viewer, limit: Limit = DEFAULT_PAGE_SIZE,
                 offset: Offset = 0) -> Response:
        records = _records_or_none(request, "release", limit, offset)
        events = None if records is not None else desk_of(request).reads.events("propaganda_release",
                                                                                limit=limit, offset=offset)
        ids = [value for r in records or [] for value in (r.group, r.speaker)]
        return render(request, "releases.html", principal, records=records, events=events, limit=limit,
                      offset=offset, names=desk_of(request).reads.entity_labels(ids))

    @router.get("/releases/{record_id:path}")
    def release(request: Request, record_id: str, principal: Viewer) -> Response:
        desk = desk_of(request)
        record = _record(request, "release", record_id)
        copies = {report.article_id: desk.store.article_copies(report.article_id) for report in record.reports}
        chain = desk.records.sources("release", record_id)
        ordered = sorted(record.reports, key=lambda report: (report.published or "9999", report.article_id))
        ids = [record.group, record.speaker, *record.channels, *record.targets, *record.places]
        ids += [link.cited for link in chain.links if link.cited]
        return render(request, "release.html", principal, r=record, copies=copies, chain=chain,
                      ordered_reports=ordered, names=desk.reads.entity_labels(ids),
                      **_correction_context(principal, "release", record))

    @router.get("/attacks")
    def attacks(request: Request, principal: Viewer, limit: Limit = DEFAULT_PAGE_SIZE,
                offset: Offset = 0) -> Response:
        records = _records_or_none(request, "attack", limit, offset)
        events = None if records is not None else desk_of(request).reads.events("attack", limit=limit,
                                                                                offset=offset)
        ids = [value for r in records or [] for value in (r.place, r.perpetrator)]
        return render(request, "attacks.html", principal, records=records, events=events, limit=limit,
                      offset=offset, names=desk_of(request).reads.entity_labels(ids))

    @router.get("/attacks/{record_id:path}")
    def attack(request: Request, record_id: str, principal: Viewer) -> Response:
        record = _record(request, "attack", record_id)
        ids = [record.place, record.perpetrator, *(report.perpetrator for report in record.reports)]
        return render(request, "attack.html", principal, r=record, names=desk_of(request).reads.entity_labels(ids),
                      **_correction_context(principal, "attack", record))

    @router.post("/corrections")
    async def correct(request: Request, principal: Analyst) -> Response:
        desk = desk_of(request)
        form = await request.form()
        check_form_csrf(form, principal)
        kind = _record_kind(str(form.get("kind") or ""))
        record_id = str(form.get("record_id") or "")
        made = http_call(desk.records.correct, kind, record_id, str(form.get("field") or ""),
                              str(form.get("value") or ""), str(form.get("reason") or ""), principal.user.name)
        desk.users.log(principal.user.name, f"{kind}.correct", record_id, made.reason,
                       {"correction": made.id, "field": made.field, "value": made.value, "original": made.original})
        return RedirectResponse(record_url(kind, record_id), status_code=status.HTTP_303_SEE_OTHER)

    @router.post("/corrections/{correction_id}/undo")
    async def undo_correction(request: Request, correction_id: int, principal: Analyst) -> Response:
        desk = desk_of(request)
        form = await request.form()
        check_form_csrf(form, principal)
        reason = str(form.get("reason") or "")
        undone = http_call(desk.records.undo_correction, correction_id, reason, principal.user.name)
        desk.users.log(principal.user.name, f"{undone.kind}.correct.undo", undone.record_id, undone.undo_reason,
                       {"correction": correction_id, "field": undone.field})
        return RedirectResponse(record_url(undone.kind, undone.record_id), status_code=status.HTTP_303_SEE_OTHER)

    @router.get("/actors")
    def actors(request: Request, principal: Viewer, q: str = "", limit: Limit = DEFAULT_PAGE_SIZE,
               offset: Offset = 0) -> Response:
        records = None if q else _records_or_none(request, "actor", limit, offset)
        entities = None if records is not None else desk_of(request).reads.entities(
            query=q or None, limit=limit, offset=offset)
        return render(request, "actors.html", principal, records=records, entities=entities, q=q, limit=limit,
                      offset=offset)

    @router.post("/actors/merge")
    async def merge_actors(request: Request, principal: Analyst) -> Response:
        desk = desk_of(request)
        form = await request.form()
        check_form_csrf(form, principal)
        keep = str(form.get("keep") or "").strip()
        other = str(form.get("other") or "").strip()
        reason = str(form.get("reason") or "").strip()
        if not keep or not other or keep == other or len(reason) < 3:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                                "name two different actors and give a reason (3 characters or more)")
        try:
            desk.records.merge("actor", [keep, other], reason, principal.user.name)
        except RecordsUnavailable as exc:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc
        except (IncitewatchError, ValueError, KeyError) as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
        desk.users.log(principal.user.name, "actor.merge", keep, reason, {"record_ids": f"{keep},{other}"})
        return RedirectResponse(f"/actors/{quote(keep, safe=':')}", status_code=status.HTTP_303_SEE_OTHER)

    @router.get("/actors/{actor_id:path}")
    def actor(request: Request, actor_id: str, principal: Viewer) -> Response:
        desk = desk_of(request)
        try:
            record = desk.records.get("actor", actor_id)
        except RecordsUnavailable:
            record = None
        entity = desk.reads.entity(actor_id)
        if record is None and entity is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such actor")
        ids = [role.organisation for role in record.roles] if record is not None else []
        return render(request, "actor.html", principal, r=record, entity=entity, actor_id=actor_id,
                      names=desk.reads.entity_labels([actor_id, *ids]), releases=_release_timeline(desk, record))


def record_url(kind: str, record_id: str) -> str:
    return f"/{kind}s/{quote(record_id, safe=':/~')}"


_RECORD_KINDS: dict[str, RecordKind] = {"release": "release", "attack": "attack", "actor": "actor"}


def _record_kind(kind: str) -> RecordKind:
    if kind in _RECORD_KINDS:
        return _RECORD_KINDS[kind]
    raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "unknown kind of record")


def _correction_context(principal: Principal, kind: RecordKind, record: Any) -> dict[str, Any]:
    """What the record templates need to show corrections beside machine values, and the form for analysts."""
    corrections = getattr(record, "corrections", ())
    return {
        "kind": kind,
        "corrections": corrections,
        "live": {c.field: c for c in corrections if c.undone_at is None},
        "correctable": correctable_fields(kind) if principal.user.can("analyst") else (),
    }


def _feeds_page(request: Request, principal: Principal, message: str | None) -> Response:
    store = feed_store(desk_of(request).store)
    feeds = store.feed_health() if store is not None else None
    return render(request, "feeds.html", principal, feeds=feeds, message=message)


def _release_timeline(desk: Desk, actor: Any) -> list[Any]:
    """The actor's releases (the latest ACTOR_RELEASES) oldest first, undated last."""
    if actor is None:
        return []
    releases = [desk.records.get("release", release_id) for release_id in actor.release_ids[-ACTOR_RELEASES:]]
    return sorted((r for r in releases if r is not None), key=lambda r: (r.release_date or "9999", r.id))


# -- administration ----------------------------------------------------------------------------------------------


def _admin_pages(router: APIRouter) -> None:
    @router.get("/admin/users")
    def users(request: Request, principal: Admin) -> Response:
        return render(request, "users.html", principal, users=desk_of(request).users.list_users(), roles=ROLES,
                      created=None)

    @router.post("/admin/users")
    async def add_user(request: Request, principal: Admin) -> Response:
        desk = desk_of(request)
        form = await request.form()
        check_form_csrf(form, principal)
        action = str(form.get("action") or "add")
        name = str(form.get("name") or "")
        role = str(form.get("role") or "")
        reason = str(form.get("reason") or "")
        created = None
        if action == "disable" and name == principal.user.name:
            raise HTTPException(status.HTTP_409_CONFLICT, "an admin cannot disable their own account")
        try:
            if action == "role":
                desk.users.set_role(name, role, by=principal.user.name, reason=reason)
            elif action in ("disable", "enable"):
                desk.users.set_disabled(name, action == "disable", by=principal.user.name, reason=reason)
            elif action == "add":
                created = desk.users.add_user(name, role, by=principal.user.name, reason=reason)
            else:
                raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "unknown action")
        except StoreError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
        return render(request, "users.html", principal, users=desk.users.list_users(), roles=ROLES,
                      created=created)

    @router.get("/admin/feeds")
    def feeds(request: Request, principal: Admin) -> Response:
        return _feeds_page(request, principal, None)

    @router.post("/admin/feeds")
    async def change_feeds(request: Request, principal: Admin) -> Response:
        desk = desk_of(request)
        form = await request.form()
        check_form_csrf(form, principal)
        store = feed_store(desk.store)
        if store is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "no feed store exists in this installation")
        action = str(form.get("action") or "")
        reason = str(form.get("reason") or "").strip()
        if len(reason) < 3:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "give a reason (3 characters or more)")
        try:
            url = check_feed_url(str(form.get("url") or ""))
        except FeedUrlError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
        if action == "add":
            title = str(form.get("title") or "").strip()[:200] or None
            changed = store.add_feed(url, title=title)
            message = f"Added {url}." if changed else f"{url} was watched already."
        elif action == "remove":
            changed = store.remove_feed(url)
            message = f"Removed {url}." if changed else f"{url} was not watched."
        else:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "unknown action")
        if changed:
            desk.users.log(principal.user.name, f"feed.{action}", url, reason)
        return _feeds_page(request, principal, message)

    @router.get("/admin/audit")
    def audit(request: Request, principal: Admin, limit: Limit = 100, offset: Offset = 0) -> Response:
        entries = desk_of(request).users.audit(limit, offset)
        return render(request, "audit.html", principal, entries=entries, limit=limit, offset=offset)
