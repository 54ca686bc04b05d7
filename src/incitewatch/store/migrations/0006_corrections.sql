-- 0006_corrections: analysts' corrections of single values of cross-document records (a release's speaker, an
-- attack's toll...). Keyed by record id and field, not by report, so they survive re-analysis and relink; the
-- machine value stays in the records and is shown beside the correction.
-- Applied inside one transaction by incitewatch.store.sqlite; recorded in schema_migrations.

-- value and original are JSON (a number, a string or null). The latest live correction of a field wins.
-- Never deleted: an undo fills undone_at / undone_by / undo_reason.
CREATE TABLE record_corrections (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('actor', 'release', 'attack')),
    record_id   TEXT NOT NULL,
    field       TEXT NOT NULL,
    value       TEXT NOT NULL CHECK (json_valid(value)),
    original    TEXT NOT NULL CHECK (json_valid(original)),
    reason      TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    user        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    undone_at   TEXT,
    undone_by   TEXT,
    undo_reason TEXT
);
CREATE INDEX record_corrections_record ON record_corrections (kind, record_id);
