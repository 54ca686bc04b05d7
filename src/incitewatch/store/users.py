"""Users of the analyst's desk: roles, scrypt password hashes, hashed API tokens, sessions and the audit log.

Lives in the same SQLite file as the articles (tables from migration ``0004_users``) but on its own connection,
so the web app's reads of articles never wait behind a login. Every change goes into ``audit_log`` in the
same transaction as the change itself: who, when, what and why.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, cast

from incitewatch.errors import StoreError

Role = Literal["viewer", "analyst", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "analyst", "admin")
_ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
# scrypt cost: 16 MiB and ~50 ms per hash; slow enough against guessing, fast enough for a login form.
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_SCRYPT_DKLEN = 32
_TOKEN_BYTES = 32
_PASSWORD_BYTES = 18
SESSION_TTL = timedelta(hours=12)
SYSTEM_USER = "system"
# Login throttling: after this many failures in the window, each further failure doubles a lock (capped).
FREE_FAILURES_PER_NAME = 5
FREE_FAILURES_PER_ADDRESS = 20  # higher: many analysts may share one office address
FAILURE_WINDOW = timedelta(minutes=15)
FIRST_LOCK = timedelta(seconds=2)
LONGEST_LOCK = timedelta(minutes=15)
_MAX_TRACKED_KEYS = 10_000


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: Role
    disabled: bool
    created_at: str

    def can(self, role: Role) -> bool:
        """Whether this user holds ``role`` or a stronger one (admin > analyst > viewer)."""
        return not self.disabled and _ROLE_RANK[self.role] >= _ROLE_RANK[role]


@dataclass(frozen=True, slots=True)
class NewUser:
    """A freshly created user with the one-time secrets to hand over; neither is stored in clear."""

    user: User
    password: str
    token: str


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    csrf_token: str
    expires_at: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str
    user: str
    action: str
    target: str | None
    reason: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """``user`` when the login succeeded; ``retry_after`` (seconds) when it was refused unchecked because the
    name or the address is locked after too many failures."""

    user: User | None
    retry_after: int | None = None


@dataclass(slots=True)
class _Failures:
    count: int
    first_at: datetime
    locked_until: datetime | None = None


class LoginThrottle:
    """Failed logins per user name and per client address, in memory (one desk process): after a few failures
    every further one locks the key for an exponentially growing time, so guessing is slowed to a crawl while
    a mistyped password costs a legitimate user nothing."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def retry_after(self, keys: list[str]) -> int | None:
        """Seconds until every key is unlocked, or None when none is locked now."""
        now = self._clock()
        with self._lock:
            waits = [
                (entry.locked_until - now).total_seconds()
                for key in keys
                if (entry := self._failures.get(key)) is not None and entry.locked_until and entry.locked_until > now
            ]
        return max(1, int(max(waits) + 0.999)) if waits else None

    def fail(self, key: str, free: int) -> timedelta | None:
        """Count a failure; the lock it starts (None while under the free allowance)."""
        now = self._clock()
        with self._lock:
            if len(self._failures) >= _MAX_TRACKED_KEYS:
                self._forget_stale(now)
            entry = self._failures.get(key)
            if entry is None or (now - entry.first_at > FAILURE_WINDOW and not _locked(entry, now)):
                entry = self._failures[key] = _Failures(0, now)
            entry.count += 1
            if entry.count <= free:
                return None
            lock = min(FIRST_LOCK * 2 ** (entry.count - free - 1), LONGEST_LOCK)
            entry.locked_until = now + lock
            return lock

    def _forget_stale(self, now: datetime) -> None:
        """Guessing with ever new names must not grow memory without end: drop keys past their window."""
        stale = [key for key, entry in self._failures.items()
                 if now - entry.first_at > FAILURE_WINDOW and not _locked(entry, now)]
        for key in stale:
            del self._failures[key]

    def succeed(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


def _locked(entry: _Failures, now: datetime) -> bool:
    return entry.locked_until is not None and entry.locked_until > now


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` with a fresh random salt."""
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=_SCRYPT_DKLEN
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, encoded: str) -> bool:
    """Constant-time check of a password against :func:`hash_password`'s output (its own cost parameters)."""
    try:
        scheme, n, r, p, salt_hex, hash_hex = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = bytes.fromhex(hash_hex)
        digest = hashlib.scrypt(
            password.encode("utf-8"), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r), p=int(p),
            dklen=len(expected), maxmem=256 * 1024 * 1024,
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest, expected)


def token_hash(token: str) -> str:
    """Tokens are random (256 bits), so one SHA-256 suffices: there is nothing to guess."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return "iw_" + secrets.token_urlsafe(_TOKEN_BYTES)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def check_role(role: str) -> Role:
    if role not in _ROLE_RANK:
        raise StoreError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return cast(Role, role)


# A hash to burn the same time on unknown user names as on wrong passwords (no user enumeration by timing).
_DUMMY_HASH = "scrypt$16384$8$1$00000000000000000000000000000000$" + "00" * _SCRYPT_DKLEN


class UserStore:
    """Users, tokens, sessions and the audit log in an incitewatch SQLite file (already migrated)."""

    def __init__(self, path: str | Path, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.path = str(path)
        self._clock = clock
        self._lock = threading.RLock()
        self.throttle = LoginThrottle(clock)
        try:
            self._connection = sqlite3.connect(
                self.path, timeout=10.0, isolation_level=None, check_same_thread=False
            )
            self._connection.execute("PRAGMA foreign_keys = ON")
            self._connection.execute("PRAGMA busy_timeout = 10000")
            self._connection.execute("SELECT 1 FROM users LIMIT 1")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the users tables: {exc} (open the store first)") from exc

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def _now(self) -> str:
        return self._clock().isoformat()

    @contextmanager
    def _write(self, what: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: could not {what}: {exc}") from exc
            try:
                yield self._connection
                self._connection.execute("COMMIT")
            except BaseException as exc:
                if self._connection.in_transaction:
                    self._connection.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(f"{self.path}: could not {what}; nothing was changed: {exc}") from exc
                raise

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._connection.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: could not read users: {exc}") from exc

    def _log(
        self,
        connection: sqlite3.Connection,
        by: str,
        action: str,
        target: str | None,
        reason: str,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        if not reason.strip():
            raise StoreError(f"{action}: every change needs a reason")
        connection.execute(
            "INSERT INTO audit_log (at, user_name, action, target, reason, details) VALUES (?, ?, ?, ?, ?, ?)",
            (self._now(), by, action, target, reason.strip(), json.dumps(dict(details or {}), sort_keys=True)),
        )

    # -- users ---------------------------------------------------------------------------------------------

    def add_user(self, name: str, role: str, *, by: str, reason: str) -> NewUser:
        """Create a user with a random password and API token, returned once and stored only as hashes."""
        checked = check_role(role)
        name = name.strip()
        if not name or len(name) > 64 or any(char.isspace() for char in name):
            raise StoreError(f"{name!r}: a user name is 1 to 64 characters without spaces")
        password = secrets.token_urlsafe(_PASSWORD_BYTES)
        token = new_token()
        now = self._now()
        with self._write(f"add user {name}") as connection:
            if connection.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise StoreError(f"{name}: a user of that name exists already")
            cursor = connection.execute(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                (name, checked, hash_password(password), now),
            )
            user_id = int(cursor.lastrowid or 0)
            connection.execute(
                "INSERT INTO api_tokens (token_hash, user_id, label, created_at) VALUES (?, ?, ?, ?)",
                (token_hash(token), user_id, "created with the user", now),
            )
            self._log(connection, by, "user.add", name, reason, {"role": checked})
        return NewUser(User(user_id, name, checked, False, now), password, token)

    def get_user(self, name: str) -> User | None:
        rows = self._query(_USER_SQL + " WHERE name = ?", (name,))
        return _user(rows[0]) if rows else None

    def list_users(self) -> list[User]:
        return [_user(row) for row in self._query(_USER_SQL + " ORDER BY name")]

    def set_role(self, name: str, role: str, *, by: str, reason: str) -> User:
        checked = check_role(role)
        with self._write(f"change the role of {name}") as connection:
            before = connection.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
            if before is None:
                raise StoreError(f"{name}: no such user")
            connection.execute("UPDATE users SET role = ? WHERE name = ?", (checked, name))
            self._log(connection, by, "user.role", name, reason, {"from": before[0], "to": checked})
        return self._require(name)

    def set_disabled(self, name: str, disabled: bool, *, by: str, reason: str) -> User:
        """Disabling also ends the user's sessions; their tokens stop working while disabled."""
        with self._write(f"{'disable' if disabled else 'enable'} {name}") as connection:
            row = connection.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise StoreError(f"{name}: no such user")
            connection.execute("UPDATE users SET disabled = ? WHERE id = ?", (int(disabled), row[0]))
            if disabled:
                connection.execute("DELETE FROM sessions WHERE user_id = ?", (row[0],))
            self._log(connection, by, "user.disable" if disabled else "user.enable", name, reason)
        return self._require(name)

    def set_password(self, name: str, password: str, *, by: str, reason: str) -> None:
        if len(password) < 12:
            raise StoreError("a password needs at least 12 characters")
        with self._write(f"set the password of {name}") as connection:
            cursor = connection.execute(
                "UPDATE users SET password_hash = ? WHERE name = ?", (hash_password(password), name)
            )
            if cursor.rowcount == 0:
                raise StoreError(f"{name}: no such user")
            self._log(connection, by, "user.password", name, reason)

    def create_token(self, name: str, label: str, *, by: str, reason: str) -> str:
        token = new_token()
        with self._write(f"create a token for {name}") as connection:
            row = connection.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise StoreError(f"{name}: no such user")
            connection.execute(
                "INSERT INTO api_tokens (token_hash, user_id, label, created_at) VALUES (?, ?, ?, ?)",
                (token_hash(token), row[0], label, self._now()),
            )
            self._log(connection, by, "token.create", name, reason, {"label": label})
        return token

    def _require(self, name: str) -> User:
        user = self.get_user(name)
        if user is None:
            raise StoreError(f"{name}: no such user")
        return user

    # -- authentication ------------------------------------------------------------------------------------

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when the password is right and the account enabled, else None (same cost either way)."""
        rows = self._query("SELECT password_hash FROM users WHERE name = ?", (name,))
        encoded = rows[0][0] if rows and rows[0][0] else _DUMMY_HASH
        if not verify_password(password, encoded) or not rows:
            return None
        user = self.get_user(name)
        return user if user is not None and not user.disabled else None

    def attempt_login(self, name: str, password: str, address: str | None) -> LoginOutcome:
        """A throttled :meth:`authenticate`: while the name or the client address is locked after repeated
        failures the password is not even checked; each lock is written to the audit log."""
        keys = {"name": f"name:{name}", "address": f"address:{address or 'unknown'}"}
        wait = self.throttle.retry_after(list(keys.values()))
        if wait is not None:
            return LoginOutcome(None, wait)
        user = self.authenticate(name, password)
        if user is not None:
            self.throttle.succeed(keys["name"])
            return LoginOutcome(user)
        limits = {"name": FREE_FAILURES_PER_NAME, "address": FREE_FAILURES_PER_ADDRESS}
        for what, key in keys.items():
            lock = self.throttle.fail(key, limits[what])
            if lock is not None:
                self.log(
                    SYSTEM_USER, "login.locked", name[:64] or None,
                    f"too many failed logins for this {what}; locked for {lock.total_seconds():g} s",
                    {"address": address or "unknown", "by": what, "seconds": lock.total_seconds()},
                )
        return LoginOutcome(None)

    def user_for_token(self, token: str) -> User | None:
        rows = self._query(
            "SELECT u.id, u.name, u.role, u.disabled, u.created_at FROM api_tokens t"
            " JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.revoked_at IS NULL",
            (token_hash(token),),
        )
        if not rows:
            return None
        user = _user(rows[0])
        return None if user.disabled else user

    def start_session(self, user: User) -> tuple[str, Session]:
        """A new session: (cookie value, session with its CSRF token)."""
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        csrf = secrets.token_urlsafe(_TOKEN_BYTES)
        now = self._clock()
        expires = (now + SESSION_TTL).isoformat()
        with self._write(f"start a session for {user.name}") as connection:
            connection.execute("DELETE FROM sessions WHERE expires_at < ?", (now.isoformat(),))
            connection.execute(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (token_hash(token), user.id, csrf, now.isoformat(), expires),
            )
        return token, Session(user, csrf, expires)

    def session(self, token: str) -> Session | None:
        rows = self._query(
            "SELECT u.id, u.name, u.role, u.disabled, u.created_at, s.csrf_token, s.expires_at FROM sessions s"
            " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?",
            (token_hash(token), self._now()),
        )
        if not rows:
            return None
        user = _user(rows[0][:5])
        return None if user.disabled else Session(user, rows[0][5], rows[0][6])

    def end_session(self, token: str) -> None:
        with self._write("end a session") as connection:
            connection.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash(token),))

    # -- audit -----------------------------------------------------------------------------------------------

    def log(
        self, by: str, action: str, target: str | None, reason: str, details: Mapping[str, Any] | None = None
    ) -> None:
        """Record a change made elsewhere (a merge, a correction) with who made it and why."""
        with self._write(f"log {action}") as connection:
            self._log(connection, by, action, target, reason, details)

    def audit(self, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
        """Newest first."""
        rows = self._query(
            "SELECT id, at, user_name, action, target, reason, details FROM audit_log"
            " ORDER BY id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [
            AuditEntry(int(row[0]), str(row[1]), str(row[2]), str(row[3]), row[4], str(row[5]), json.loads(row[6]))
            for row in rows
        ]


_USER_SQL = "SELECT id, name, role, disabled, created_at FROM users"


def _user(row: tuple[Any, ...]) -> User:
    return User(int(row[0]), str(row[1]), cast(Role, row[2]), bool(row[3]), str(row[4]))
