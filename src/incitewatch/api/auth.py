"""Who is asking: API tokens (``Authorization: Bearer``) or a session cookie; roles; CSRF checks.

Sessions: an HttpOnly, SameSite=Strict cookie whose hash is stored with a per-session CSRF token
(synchronizer token: every form carries it, and cookie-authenticated API writes send it as ``X-CSRF-Token``).
The login form, which has no session yet, uses a double-submit cookie instead. Bearer requests carry no
ambient credentials, so they need no CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from fastapi import HTTPException, Request, status

from incitewatch.api.desk import Desk
from incitewatch.store.users import Role, User

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Principal:
    user: User
    via: Literal["token", "session"]
    csrf_token: str | None = None


def desk_of(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def identify(request: Request) -> Principal | None:
    """The caller, from a Bearer token first, else the session cookie; None when anonymous."""
    desk = desk_of(request)
    token = _bearer(request)
    if token is not None:
        user = desk.users.user_for_token(token)
        return Principal(user, "token") if user is not None else None
    cookie = request.cookies.get(desk.settings.session_cookie)
    if cookie:
        session = desk.users.session(cookie)
        if session is not None:
            return Principal(session.user, "session", session.csrf_token)
    return None


def same_token(given: str | None, expected: str | None) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(str(given), str(expected))


def api_principal(role: Role) -> Callable[[Request], Principal]:
    """Dependency for API routes: 401 without credentials, 403 without the role or a CSRF token."""

    def dependency(request: Request) -> Principal:
        principal = identify(request)
        if principal is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "authentication required", headers={"WWW-Authenticate": "Bearer"}
            )
        if not principal.user.can(role):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the {role} role")
        if (
            principal.via == "session"
            and request.method not in _SAFE_METHODS
            and not same_token(request.headers.get(CSRF_HEADER), principal.csrf_token)
        ):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong X-CSRF-Token header")
        return principal

    return dependency


def page_principal(role: Role) -> Callable[[Request], Principal]:
    """Dependency for pages: anonymous visitors are sent to the login form, the wrong role gets 403."""

    def dependency(request: Request) -> Principal:
        principal = identify(request)
        if principal is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise HTTPException(status.HTTP_303_SEE_OTHER, headers={"Location": f"/login?next={quote(target)}"})
        if not principal.user.can(role):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the {role} role")
        return principal

    return dependency


def check_form_csrf(form: Mapping[str, object], principal: Principal) -> None:
    if principal.via == "session" and not same_token(str(form.get(CSRF_FIELD) or ""), principal.csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the form expired or came from elsewhere; reload it")


def login_csrf(request: Request) -> str:
    """The double-submit token for the login form: the cookie's value, or a fresh one to set."""
    return request.cookies.get(desk_of(request).settings.csrf_cookie) or secrets.token_urlsafe(32)


def safe_next(target: str | None) -> str:
    """Only local paths: never redirect a login to another site."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"
