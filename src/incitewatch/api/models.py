"""Request and response bodies of the REST API: what the OpenAPI schema documents."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ArticleItem(BaseModel):
    id: str
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    snippet: str = Field(description="Plain text; `highlights` are [start, end) offsets into it.")
    highlights: list[tuple[int, int]] = []
    score: float | None = None


class ArticlePage(BaseModel):
    items: list[ArticleItem]
    limit: int
    offset: int
    next_offset: int | None = Field(description="Offset of the next page, or null on the last page.")


class ArticleDetail(BaseModel):
    analysis: dict[str, Any] = Field(description="The stored analysis (JSON contract incitewatch.analysis/1).")
    uris: list[str]
    copies: list[dict[str, Any]]
    triage: str | None = None


class EventItem(BaseModel):
    article_id: str
    title: str | None
    outlet: str | None
    published: str | None
    event: dict[str, Any] = Field(description="One event as in the JSON contract (offsets into the article text).")


class EventPage(BaseModel):
    items: list[EventItem]
    limit: int
    offset: int
    next_offset: int | None


class EntityItem(BaseModel):
    id: str
    type: str
    name: str
    article_count: int


class EntityPage(BaseModel):
    items: list[EntityItem]
    limit: int
    offset: int
    next_offset: int | None


class MentionItem(BaseModel):
    article_id: str
    start: int
    end: int
    text: str


class EntityDetailModel(BaseModel):
    id: str
    type: str
    name: str
    names: list[str]
    mentions: list[MentionItem]
    articles: list[ArticleItem]
    releases: list[EventItem]


class SearchResult(BaseModel):
    articles: list[ArticleItem]
    entities: list[EntityItem]
    next_offset: int | None


class PlaceItem(BaseModel):
    id: str
    name: str
    country: str | None
    lat: float
    lon: float
    count: int
    article_id: str
    start: int
    end: int


class RecordPage(BaseModel):
    items: list[dict[str, Any]]
    limit: int
    offset: int
    next_offset: int | None


class MergeRequest(BaseModel):
    record_ids: list[str] = Field(min_length=2, description="The first id is kept; the others fold into it.")
    reason: str = Field(min_length=3, max_length=2000)


class SplitRequest(BaseModel):
    article_ids: list[str] = Field(min_length=1, description="Reports to move into a record of their own.")
    reason: str = Field(min_length=3, max_length=2000)


class DecisionResult(BaseModel):
    result: Any


class UserItem(BaseModel):
    name: str
    role: str
    disabled: bool
    created_at: str


class NewUserRequest(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    role: str = Field(pattern="^(viewer|analyst|admin)$")
    reason: str = Field(min_length=3, max_length=2000)


class NewUserResponse(BaseModel):
    user: UserItem
    password: str = Field(description="Shown once; only its scrypt hash is stored.")
    token: str = Field(description="Shown once; only its SHA-256 is stored.")


class RoleChange(BaseModel):
    role: str = Field(pattern="^(viewer|analyst|admin)$")
    reason: str = Field(min_length=3, max_length=2000)


class AuditItem(BaseModel):
    id: int
    at: str
    user: str
    action: str
    target: str | None
    reason: str
    details: dict[str, Any]


class Stats(BaseModel):
    counts: dict[str, int]
    journal: dict[str, int]
    records_available: bool


class Me(BaseModel):
    name: str
    role: str


class CorrectionRequest(BaseModel):
    field: str = Field(pattern="^[a-z_]{1,40}$", description="A correctable field of the record, e.g. `killed`.")
    value: str | int | None = Field(description="The corrected value; empty or null means 'not known'.")
    reason: str = Field(min_length=3, max_length=2000)


class CorrectionItem(BaseModel):
    id: int
    kind: str
    record_id: str
    field: str
    value: Any
    original: Any = Field(description="The machine's value of the field, kept beside the correction.")
    reason: str
    user: str
    created_at: str
    undone_at: str | None = None
    undone_by: str | None = None
    undo_reason: str | None = None


class CorrectionResult(BaseModel):
    correction: CorrectionItem
    record: dict[str, Any] = Field(description="The record as now read, corrections applied and listed.")


class DisableRequest(BaseModel):
    disabled: bool = True
    reason: str = Field(min_length=3, max_length=2000)


class FeedItem(BaseModel):
    url: str
    title: str | None
    added_at: str
    last_polled: str | None
    last_ok: str | None
    consecutive_failures: int
    next_poll_at: str | None
    last_error: str | None
    items_seen: int


class NewFeedRequest(BaseModel):
    url: str = Field(min_length=8, max_length=2000, description="An absolute http(s) URL.")
    title: str | None = Field(default=None, max_length=200)
    reason: str = Field(min_length=3, max_length=2000)
