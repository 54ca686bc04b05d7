-- 0004_users: people who use the analyst's desk, their API tokens and sessions, and the audit log.
-- Applied inside one transaction by incitewatch.store.sqlite; recorded in schema_migrations.

-- password_hash: "scrypt$N$r$p$salt_hex$hash_hex" (hashlib.scrypt); NULL means password login is off.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
    password_hash TEXT,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

-- Tokens are 256-bit random strings shown once; only their SHA-256 is kept (a leaked table grants nothing).
CREATE TABLE api_tokens (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Browser sessions: the cookie holds the token, the table its hash and the form (CSRF) token of the session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Every change anyone makes: who, when, what, to which record, and why. Never updated, never deleted.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    user_name TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT,
    reason    TEXT NOT NULL,
    details   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details))
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT raise(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT raise(ABORT, 'the audit log is append-only');
END;
