"""The REST API under ``/api``: the same data as the pages, paginated, filterable and typed."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status

from incitewatch.api.auth import Principal, api_principal, desk_of
from incitewatch.api.desk import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from incitewatch.api.feeds import FeedUrlError, check_feed_url, feed_store
from incitewatch.api.models import (
    ArticleDetail,
    ArticleItem,
    ArticlePage,
    AuditItem,
    CorrectionItem,
    CorrectionRequest,
    CorrectionResult,
    DecisionResult,
    DisableRequest,
    EntityDetailModel,
    EntityItem,
    EntityPage,
    EventItem,
    EventPage,
    FeedItem,
    Me,
    MentionItem,
    MergeRequest,
    NewFeedRequest,
    NewUserRequest,
    NewUserResponse,
    PlaceItem,
    RecordPage,
    RoleChange,
    SearchResult,
    SplitRequest,
    Stats,
    UserItem,
)
from incitewatch.api.queries import ArticleFilter, ArticleRow, EventRow, Page
from incitewatch.api.records import correctable_fields, http_call, to_jsonable
from incitewatch.errors import StoreError
from incitewatch.link.records import RecordKind
from incitewatch.store.users import User

router = APIRouter(prefix="/api")

Viewer = Annotated[Principal, Depends(api_principal("viewer"))]
Analyst = Annotated[Principal, Depends(api_principal("analyst"))]
Admin = Annotated[Principal, Depends(api_principal("admin"))]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
Offset = Annotated[int, Query(ge=0)]
DateParam = Annotated[str | None, Query(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]
_KINDS: dict[str, RecordKind] = {"actors": "actor", "releases": "release", "attacks": "attack"}


def _next(page: Page) -> int | None:
    return page.offset + page.limit if page.has_more else None


def article_item(row: ArticleRow) -> ArticleItem:
    return ArticleItem(
        id=row.id, title=row.title, outlet=row.outlet, published=row.published, url=row.url,
        snippet=row.snippet, highlights=list(row.highlights), score=row.score,
    )


def event_item(row: EventRow) -> EventItem:
    return EventItem(article_id=row.article_id, title=row.title, outlet=row.outlet, published=row.published,
                     event=row.event)


def user_item(user: User) -> UserItem:
    return UserItem(name=user.name, role=user.role, disabled=user.disabled, created_at=user.created_at)


@router.get("/me", response_model=Me, tags=["users"])
def me(principal: Viewer) -> Me:
    return Me(name=principal.user.name, role=principal.user.role)


@router.get("/stats", response_model=Stats, tags=["store"])
def stats(request: Request, _: Viewer) -> Stats:
    desk = desk_of(request)
    return Stats(counts=desk.reads.counts(), journal=desk.reads.journal_counts(),
                 records_available=desk.records.available)


@router.get("/articles", response_model=ArticlePage, tags=["articles"])
def list_articles(
    request: Request,
    _: Viewer,
    q: Annotated[str | None, Query(max_length=500, description="Full-text query over titles and texts.")] = None,
    group: Annotated[str | None, Query(max_length=200, description="Group entity id or name.")] = None,
    speaker: Annotated[str | None, Query(max_length=200, description="Person entity id or name.")] = None,
    country: Annotated[str | None, Query(pattern="^[A-Za-z]{2}$")] = None,
    date_from: DateParam = None,
    date_to: DateParam = None,
    type: Annotated[str | None, Query(pattern="^[a-z_]{1,40}$", description="Event type reported.")] = None,
    verification: Annotated[str | None, Query(pattern="^(confirmed|claimed|unverified|disputed)$")] = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
    offset: Offset = 0,
) -> ArticlePage:
    """Articles matching every filter: with `q` the best matches (bm25, titles weighted up) among the 2,500
    newest matches; without `q` newest first."""
    filters = ArticleFilter(q, group, speaker, country, date_from, date_to, type, verification)
    page = desk_of(request).reads.articles(filters, limit, offset)
    return ArticlePage(items=[article_item(row) for row in page.items], limit=limit, offset=offset,
                       next_offset=_next(page))


@router.get("/articles/{article_id}", response_model=ArticleDetail, tags=["articles"])
def get_article(request: Request, article_id: str, _: Viewer) -> ArticleDetail:
    """One article: its analysis (every value with offsets into `analysis.article.text`), sources and copies."""
    desk = desk_of(request)
    analysis = desk.store.get_article(article_id)
    if analysis is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such article")
    meta = desk.reads.article_meta(article_id) or {}
    return ArticleDetail(
        analysis=analysis,
        uris=desk.store.article_uris(article_id),
        copies=[to_jsonable(copy) for copy in desk.store.article_copies(article_id)],
        triage=meta.get("triage"),
    )


@router.get("/search", response_model=SearchResult, tags=["articles"])
def search(
    request: Request,
    _: Viewer,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    limit: Limit = DEFAULT_PAGE_SIZE,
    offset: Offset = 0,
) -> SearchResult:
    """Full-text search over articles plus entities whose names match."""
    desk = desk_of(request)
    page = desk.reads.articles(ArticleFilter(q=q), limit, offset)
    entities = desk.store.search_entities(q, limit=limit) if offset == 0 else []
    return SearchResult(
        articles=[article_item(row) for row in page.items],
        entities=[EntityItem(id=e.entity_id, type=e.type, name=e.name, article_count=e.article_count)
                  for e in entities],
        next_offset=_next(page),
    )


@router.get("/events", response_model=EventPage, tags=["events"])
def list_events(
    request: Request,
    _: Viewer,
    type: Annotated[str | None, Query(pattern="^[a-z_]{1,40}$")] = None,
    verification: Annotated[str | None, Query(pattern="^(confirmed|claimed|unverified|disputed)$")] = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
    offset: Offset = 0,
) -> EventPage:
    """Per-article events (what each report says). With `type`: newest event date first (undated last);
    without: the most recently stored first."""
    page = desk_of(request).reads.events(type, verification, limit=limit, offset=offset)
    return EventPage(items=[event_item(row) for row in page.items], limit=limit, offset=offset,
                     next_offset=_next(page))


@router.get("/entities", response_model=EntityPage, tags=["entities"])
def list_entities(
    request: Request,
    _: Viewer,
    q: Annotated[str | None, Query(max_length=200)] = None,
    type: Annotated[str | None, Query(pattern="^[a-z]{1,20}$")] = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
    offset: Offset = 0,
) -> EntityPage:
    """Entities (default: people and groups) by how many articles mention them."""
    types = (type,) if type else ("person", "group")
    page = desk_of(request).reads.entities(types, q, limit, offset)
    return EntityPage(
        items=[EntityItem(id=e.id, type=e.type, name=e.name, article_count=e.article_count) for e in page.items],
        limit=limit, offset=offset, next_offset=_next(page),
    )


@router.get("/entities/{entity_id}", response_model=EntityDetailModel, tags=["entities"])
def get_entity(request: Request, entity_id: str, _: Viewer) -> EntityDetailModel:
    """Names seen, mentions with offsets, the articles and their releases."""
    detail = desk_of(request).reads.entity(entity_id)
    if detail is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such entity")
    return EntityDetailModel(
        id=detail.id, type=detail.type, name=detail.name, names=list(detail.names),
        mentions=[MentionItem(article_id=m[0], start=m[1], end=m[2], text=m[3]) for m in detail.mentions],
        articles=[article_item(row) for row in detail.articles],
        releases=[event_item(row) for row in detail.events],
    )


@router.get("/places", response_model=list[PlaceItem], tags=["map"])
def list_places(request: Request, _: Viewer) -> list[PlaceItem]:
    """Geocoded places of the latest articles, one per place, with a first mention to cite."""
    return [PlaceItem(**to_jsonable(point)) for point in desk_of(request).reads.places()]


# -- cross-document records ---------------------------------------------------------------------------------


def _list_route(kind: RecordKind) -> Any:
    def list_records(request: Request, _: Viewer, limit: Limit = DEFAULT_PAGE_SIZE, offset: Offset = 0) -> RecordPage:
        items = http_call(desk_of(request).records.page, kind, limit + 1, offset)
        return RecordPage(items=to_jsonable(items[:limit]), limit=limit, offset=offset,
                          next_offset=offset + limit if len(items) > limit else None)

    return list_records


def _get_route(kind: RecordKind) -> Any:
    def get_record(request: Request, record_id: str, _: Viewer) -> dict[str, Any]:
        record = http_call(desk_of(request).records.get, kind, record_id)
        if record is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no such {kind}")
        result: dict[str, Any] = to_jsonable(record)
        return result

    return get_record


def _merge_route(kind: RecordKind) -> Any:
    def merge_records(request: Request, body: MergeRequest, principal: Analyst) -> DecisionResult:
        desk = desk_of(request)
        result = http_call(desk.records.merge, kind, body.record_ids, body.reason, principal.user.name)
        desk.users.log(principal.user.name, f"{kind}.merge", body.record_ids[0], body.reason,
                       {"record_ids": ",".join(body.record_ids)})
        return DecisionResult(result=to_jsonable(result))

    return merge_records


def _split_route(kind: RecordKind) -> Any:
    def split_record(request: Request, record_id: str, body: SplitRequest, principal: Analyst) -> DecisionResult:
        desk = desk_of(request)
        result = http_call(desk.records.split, kind, record_id, body.article_ids, body.reason,
                               principal.user.name)
        desk.users.log(principal.user.name, f"{kind}.split", record_id, body.reason,
                       {"article_ids": ",".join(body.article_ids)})
        return DecisionResult(result=to_jsonable(result))

    return split_record


def _correct_route(kind: RecordKind) -> Any:
    def correct_record(
        request: Request, record_id: str, body: CorrectionRequest, principal: Analyst
    ) -> CorrectionResult:
        """Correct one value; the machine's value is kept beside it and the correction is audited."""
        desk = desk_of(request)
        made = http_call(desk.records.correct, kind, record_id, body.field, body.value, body.reason,
                             principal.user.name)
        desk.users.log(principal.user.name, f"{kind}.correct", record_id, body.reason,
                       {"correction": made.id, "field": made.field, "value": made.value, "original": made.original})
        record = http_call(desk.records.get, kind, record_id)
        return CorrectionResult(correction=CorrectionItem(**to_jsonable(made)), record=to_jsonable(record))

    return correct_record


def _undo_correction_route(kind: RecordKind) -> Any:
    def undo_correction(
        request: Request,
        record_id: str,
        correction_id: int,
        principal: Analyst,
        reason: Annotated[str, Query(min_length=3, max_length=2000)],
    ) -> CorrectionResult:
        """Withdraw a correction (it stays listed, marked undone); the machine value shows again."""
        desk = desk_of(request)
        found = http_call(desk.records.correction, correction_id)
        if found is None or found.kind != kind or found.record_id != record_id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no such correction of this {kind}")
        undone = http_call(desk.records.undo_correction, correction_id, reason, principal.user.name)
        desk.users.log(principal.user.name, f"{kind}.correct.undo", record_id, reason,
                       {"correction": correction_id, "field": undone.field})
        record = http_call(desk.records.get, kind, record_id)
        return CorrectionResult(correction=CorrectionItem(**to_jsonable(undone)), record=to_jsonable(record))

    return undo_correction


def _add_correction_routes(api: APIRouter, collection: str, kind: RecordKind) -> None:
    tags: list[str | Enum] = [collection]
    api.add_api_route(f"/{collection}/{{record_id}}/corrections", _correct_route(kind), methods=["POST"],
                      response_model=CorrectionResult, tags=tags, name=f"correct_{kind}",
                      summary=f"Correct a value of a {kind} (analyst)",
                      description="Correctable fields: "
                      + ", ".join(f"`{field}`" for field in correctable_fields(kind))
                      + ". Kept across re-analysis and relink; the machine value stays beside it; audited.")
    api.add_api_route(f"/{collection}/{{record_id}}/corrections/{{correction_id}}", _undo_correction_route(kind),
                      methods=["DELETE"], response_model=CorrectionResult, tags=tags,
                      name=f"undo_{kind}_correction", summary=f"Undo a correction of a {kind} (analyst)",
                      description="The correction stays on record, marked undone with who, when and why.")


def _add_record_routes(api: APIRouter) -> None:
    """The same four routes for actors, releases and attacks (503 until linking is installed)."""
    for collection, kind in _KINDS.items():
        tags: list[str | Enum] = [collection]
        api.add_api_route(f"/{collection}", _list_route(kind), methods=["GET"], response_model=RecordPage,
                          tags=tags, name=f"list_{collection}", summary=f"List {collection}",
                          description=f"Cross-document {kind} records, paginated.")
        api.add_api_route(f"/{collection}/{{record_id}}", _get_route(kind), methods=["GET"],
                          response_model=dict[str, Any], tags=tags, name=f"get_{kind}", summary=f"Get one {kind}",
                          description="Every report's own values side by side, with evidence offsets.")
        api.add_api_route(f"/{collection}/merge", _merge_route(kind), methods=["POST"],
                          response_model=DecisionResult, tags=tags, name=f"merge_{collection}",
                          summary=f"Merge {collection} (analyst)",
                          description="Fold records into the first one; originals kept, decision logged.")
        api.add_api_route(f"/{collection}/{{record_id}}/split", _split_route(kind), methods=["POST"],
                          response_model=DecisionResult, tags=tags, name=f"split_{kind}",
                          summary=f"Split a {kind} (analyst)",
                          description="Move reports into a record of their own; decision logged.")
        _add_correction_routes(api, collection, kind)


# -- administration -----------------------------------------------------------------------------------------

admin_router = APIRouter(prefix="/api/admin", tags=["admin"])


@admin_router.get("/users", response_model=list[UserItem])
def list_users(request: Request, _: Admin) -> list[UserItem]:
    return [user_item(user) for user in desk_of(request).users.list_users()]


@admin_router.post("/users", response_model=NewUserResponse, status_code=status.HTTP_201_CREATED)
def add_user(request: Request, body: NewUserRequest, principal: Admin) -> NewUserResponse:
    """Create a user; the password and token are in this response only."""
    try:
        created = desk_of(request).users.add_user(body.name, body.role, by=principal.user.name, reason=body.reason)
    except StoreError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    return NewUserResponse(user=user_item(created.user), password=created.password, token=created.token)


@admin_router.post("/users/{name}/role", response_model=UserItem)
def change_role(request: Request, name: str, body: RoleChange, principal: Admin) -> UserItem:
    try:
        user = desk_of(request).users.set_role(name, body.role, by=principal.user.name, reason=body.reason)
    except StoreError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    return user_item(user)


@admin_router.post("/users/{name}/disable", response_model=UserItem)
def disable_user(request: Request, name: str, body: DisableRequest, principal: Admin) -> UserItem:
    """Disable (or with `disabled: false` enable again) a user; disabling ends their sessions at once."""
    if name == principal.user.name and body.disabled:
        raise HTTPException(status.HTTP_409_CONFLICT, "an admin cannot disable their own account")
    try:
        user = desk_of(request).users.set_disabled(name, body.disabled, by=principal.user.name,
                                                   reason=body.reason)
    except StoreError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    return user_item(user)


def _feeds_of(request: Request) -> Any:
    store = feed_store(desk_of(request).store)
    if store is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "no feed store exists in this installation")
    return store


def feed_item(feed: Any) -> FeedItem:
    return FeedItem(**{name: getattr(feed, name) for name in FeedItem.model_fields})


@admin_router.get("/feeds", response_model=list[FeedItem])
def list_feeds(request: Request, _: Admin) -> list[FeedItem]:
    """Watched feeds with their health, failing ones (most failures in a row) first."""
    return [feed_item(feed) for feed in _feeds_of(request).feed_health()]


@admin_router.post("/feeds", response_model=FeedItem, status_code=status.HTTP_201_CREATED)
def add_feed(request: Request, body: NewFeedRequest, principal: Admin) -> FeedItem:
    store = _feeds_of(request)
    try:
        url = check_feed_url(body.url)
    except FeedUrlError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    if not store.add_feed(url, title=body.title):
        raise HTTPException(status.HTTP_409_CONFLICT, "that feed is watched already")
    desk_of(request).users.log(principal.user.name, "feed.add", url, body.reason)
    return feed_item(store.get_feed(url))


@admin_router.delete("/feeds", status_code=status.HTTP_204_NO_CONTENT)
def remove_feed(
    request: Request,
    principal: Admin,
    url: Annotated[str, Query(min_length=1, max_length=2000)],
    reason: Annotated[str, Query(min_length=3, max_length=2000)],
) -> None:
    """Stop watching a feed (and forget the items seen in it)."""
    if not _feeds_of(request).remove_feed(url):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "that feed is not watched")
    desk_of(request).users.log(principal.user.name, "feed.remove", url, reason)


@admin_router.get("/audit", response_model=list[AuditItem])
def audit(request: Request, _: Admin, limit: Limit = 100, offset: Offset = 0) -> list[AuditItem]:
    """Every change: who, when, what, why. Newest first."""
    return [AuditItem(**to_jsonable(entry)) for entry in desk_of(request).users.audit(limit, offset)]


def build_api_router() -> APIRouter:
    """All API routes in one router: admin first, then the fixed collections, then the record collections."""
    api = APIRouter()
    api.include_router(admin_router)
    api.include_router(router)
    records = APIRouter(prefix="/api")
    _add_record_routes(records)
    api.include_router(records)
    return api
