"""What one running desk holds: its settings, the store, the users, the read model and the records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from incitewatch.api.queries import ReadModel
from incitewatch.api.records import Records
from incitewatch.store.base import Store
from incitewatch.store.users import UserStore

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class Settings:
    """``secure_cookies``: mark cookies Secure (set it whenever the desk is served over HTTPS)."""

    db_path: Path
    secure_cookies: bool = False
    session_cookie: str = "iw_session"
    csrf_cookie: str = "iw_csrf"
    title: str = "incitewatch"


@dataclass(frozen=True, slots=True)
class Desk:
    settings: Settings
    store: Store
    users: UserStore
    reads: ReadModel
    records: Records

    def close(self) -> None:
        self.reads.close()
        self.users.close()
        self.store.close()
