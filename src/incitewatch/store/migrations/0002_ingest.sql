-- 0002_ingest: resumable ingest journal, triage labels, near-duplicate index (MinHash LSH) and copies.
-- Applied inside one transaction by incitewatch.store.sqlite; recorded in schema_migrations.

-- One row per input (by URI and the SHA-256 of its bytes) whose processing was committed, written in the same
-- transaction as everything the input produced: a re-run skips inputs found here, so a killed ingest resumes
-- with nothing lost and nothing stored twice. Failed inputs are recorded too and retried on the next run.
CREATE TABLE ingest_journal (
    uri         TEXT NOT NULL,
    raw_sha256  TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN (
                    'stored', 'reanalysed', 'not_relevant', 'non_english', 'duplicate', 'near_duplicate', 'failed')),
    article_id  TEXT,
    reason      TEXT,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (uri, raw_sha256)
);
CREATE INDEX ingest_journal_outcome ON ingest_journal (outcome);

-- Why an article was or was not analysed: triage (not about political violence) or language (not English).
CREATE TABLE article_triage (
    article_id  TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    status      TEXT NOT NULL CHECK (status IN ('analysed', 'not_relevant', 'non_english')),
    score       REAL,
    reason      TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX article_triage_status ON article_triage (status);

-- MinHash signature of each original article (little-endian uint32 values), for confirming LSH candidates.
CREATE TABLE article_signatures (
    article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    scheme     TEXT NOT NULL,
    signature  BLOB NOT NULL
);

-- LSH band keys: a near-duplicate candidate shares at least one key; looked up by key, never scanned.
CREATE TABLE article_bands (
    band_key   INTEGER NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (band_key, article_id)
) WITHOUT ROWID;
CREATE INDEX article_bands_article ON article_bands (article_id);

-- Every other copy of an article (exact: same canonical text; near: a syndicated variant), with where and
-- when it ran: the evidence of how far one text spread. The copy itself is not analysed again.
CREATE TABLE article_copies (
    article_id  TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    copy_id     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('exact', 'near')),
    similarity  REAL NOT NULL,
    raw_sha256  TEXT REFERENCES raw_documents (sha256),
    uri         TEXT,
    outlet      TEXT,
    published   TEXT,
    title       TEXT,
    recorded_at TEXT NOT NULL
);
CREATE UNIQUE INDEX article_copies_unique
    ON article_copies (article_id, copy_id, coalesce(raw_sha256, ''), coalesce(uri, ''));
