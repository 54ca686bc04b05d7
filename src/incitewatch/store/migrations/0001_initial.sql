-- 0001_initial: raw inputs, articles with their analysis, annotations, full-text search.
-- Applied inside one transaction by incitewatch.store.sqlite; recorded in schema_migrations.

-- Bytes exactly as received (zlib-compressed), so every article can be re-analysed by a newer pipeline.
CREATE TABLE raw_documents (
    sha256             TEXT PRIMARY KEY,
    uri                TEXT NOT NULL,
    source             TEXT NOT NULL,
    media_type         TEXT,
    declared_published TEXT,
    declared_title     TEXT,
    declared_outlet    TEXT,
    fetched_at         TEXT,
    size               INTEGER NOT NULL,
    compression        TEXT NOT NULL DEFAULT 'zlib',
    bytes              BLOB NOT NULL,
    received_at        TEXT NOT NULL
);

-- seq is the stable rowid the external-content FTS index points at (a TEXT primary key's implicit rowid may
-- change on VACUUM); id is the article's content-derived identifier that everything else references.
CREATE TABLE articles (
    seq              INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    raw_sha256       TEXT REFERENCES raw_documents (sha256),
    url              TEXT,
    title            TEXT,
    outlet           TEXT,
    author           TEXT,
    published        TEXT,
    language         TEXT NOT NULL,
    text             TEXT NOT NULL,
    analysis         TEXT NOT NULL CHECK (json_valid(analysis)),
    pipeline_version TEXT NOT NULL,
    analysed_at      TEXT NOT NULL
);
CREATE INDEX articles_published ON articles (published);

-- Every copy or URI that produced the same article (syndicated reprints, the same file read twice).
CREATE TABLE article_sources (
    article_id  TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    raw_sha256  TEXT REFERENCES raw_documents (sha256),
    uri         TEXT,
    recorded_at TEXT NOT NULL
);
-- NULLs are distinct in UNIQUE constraints, so uniqueness is declared over the coalesced values.
CREATE UNIQUE INDEX article_sources_unique
    ON article_sources (article_id, coalesce(raw_sha256, ''), coalesce(uri, ''));
CREATE INDEX article_sources_raw ON article_sources (raw_sha256);

CREATE TABLE entities (
    id   TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    name TEXT NOT NULL
);

-- Canonical names and aliases, casefolded for the entity-name search.
CREATE TABLE entity_names (
    entity_id TEXT NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    name_key  TEXT NOT NULL,
    PRIMARY KEY (entity_id, name)
);
CREATE INDEX entity_names_key ON entity_names (name_key);

-- Which articles mention which entities, also for entities that carry no mention span.
CREATE TABLE article_entities (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    entity_id  TEXT NOT NULL REFERENCES entities (id),
    PRIMARY KEY (article_id, entity_id)
);
CREATE INDEX article_entities_entity ON article_entities (entity_id);

CREATE TABLE entity_mentions (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    entity_id  TEXT NOT NULL REFERENCES entities (id),
    start_char INTEGER NOT NULL,
    end_char   INTEGER NOT NULL,
    text       TEXT NOT NULL,
    CHECK (0 <= start_char AND start_char <= end_char)
);
CREATE INDEX entity_mentions_article ON entity_mentions (article_id);
CREATE INDEX entity_mentions_entity ON entity_mentions (entity_id);

-- Event ids are only unique within their article.
CREATE TABLE events (
    article_id   TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    type         TEXT NOT NULL,
    time         TEXT,
    verification TEXT NOT NULL,
    confidence   REAL NOT NULL,
    json         TEXT NOT NULL CHECK (json_valid(json)),
    PRIMARY KEY (article_id, id)
);
CREATE INDEX events_type_time ON events (type, time);

CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title,
    text,
    content = 'articles',
    content_rowid = 'seq',
    -- porter: "attacks" finds "attack"; unicode61 folds case and diacritics.
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, text) VALUES (new.seq, new.title, new.text);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text);
END;

CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text);
    INSERT INTO articles_fts (rowid, title, text) VALUES (new.seq, new.title, new.text);
END;
