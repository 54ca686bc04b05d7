"""``create_app(settings)``: the analyst's desk (REST API + server-rendered pages) over one store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from incitewatch.api.desk import Desk, Settings
from incitewatch.api.queries import ReadModel
from incitewatch.api.records import Records
from incitewatch.api.routes import build_api_router
from incitewatch.store import SQLiteStore
from incitewatch.store.users import UserStore

API_VERSION = "1"
# No inline script or style, nothing from elsewhere, never framed: article text can never run as code.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}


def open_desk(settings: Settings) -> Desk:
    """Open (and migrate) the store, then the users tables and the read model on the same file."""
    store = SQLiteStore(settings.db_path)
    reads = ReadModel(settings.db_path)
    return Desk(settings, store, UserStore(settings.db_path), reads, Records(store, reads))


async def _security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.url.path.startswith("/static/"):
        # Pages and API answers hold per-user data: never keep them in shared or browser caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def create_app(settings: Settings) -> FastAPI:
    """The desk as an ASGI app. The store opens now and closes when the app shuts down."""
    from incitewatch.web.pages import build_page_router, page_error

    desk = open_desk(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        desk.close()

    app = FastAPI(
        title="incitewatch analyst's desk",
        version=API_VERSION,
        description=(
            "Evidence-linked records from news reports about terrorist propaganda. Every value carries the "
            "article id and character offsets into that article's canonical text. Authenticate with "
            "`Authorization: Bearer <token>` (tokens from `incitewatch users add`)."
        ),
        lifespan=lifespan,
        docs_url=None,  # the Swagger page loads scripts from a CDN; the schema is at /api/openapi.json
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.desk = desk
    app.middleware("http")(_security_headers)
    static = resources.files("incitewatch.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(build_api_router())
    app.include_router(build_page_router())

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if request.url.path.startswith("/api/") or exc.status_code < 400:
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return page_error(request, exc.status_code, str(exc.detail))

    app.add_exception_handler(StarletteHTTPException, http_error)
    return app
