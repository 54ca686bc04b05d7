-- 0003_links: cross-document records (actors, releases, attacks), which report belongs to which record and why,
-- analysts' decisions with the pins they impose, the change log, and cited sources.
-- Applied inside one transaction by incitewatch.store.sqlite; recorded in schema_migrations.

-- One row per record: a compact matching profile (names, dates, quote shingles...) folded from its reports.
CREATE TABLE link_records (
    kind       TEXT NOT NULL CHECK (kind IN ('actor', 'release', 'attack')),
    id         TEXT NOT NULL,
    profile    TEXT NOT NULL CHECK (json_valid(profile)),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);

-- One row per report (an event of an article, or an actor entity of an article) and the record it belongs to.
-- features: what the linker compared (JSON); link_reason: why it was attached here ("new record", shared features,
-- "pinned by decision #3").
CREATE TABLE link_reports (
    seq         INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    article_id  TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    published   TEXT,
    features    TEXT NOT NULL CHECK (json_valid(features)),
    link_reason TEXT NOT NULL,
    pinned      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, article_id, item_id)
);
CREATE INDEX link_reports_record ON link_reports (kind, record_id);
CREATE INDEX link_reports_article ON link_reports (article_id);

-- Blocking keys (group/speaker/place + date bucket, quote shingles, name words): a new report is compared only
-- with the records sharing one of its keys, never with every record.
CREATE TABLE link_blocks (
    kind      TEXT NOT NULL,
    block_key TEXT NOT NULL,
    record_id TEXT NOT NULL,
    PRIMARY KEY (kind, block_key, record_id)
) WITHOUT ROWID;
CREATE INDEX link_blocks_record ON link_blocks (kind, record_id);

-- Analysts' merges and splits (and their undos). Never deleted: an undo marks the decision undone.
CREATE TABLE link_decisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('actor', 'release', 'attack')),
    action     TEXT NOT NULL CHECK (action IN ('merge', 'split', 'undo')),
    record_ids TEXT NOT NULL CHECK (json_valid(record_ids)),
    article_ids TEXT NOT NULL CHECK (json_valid(article_ids)),
    reason     TEXT NOT NULL,
    user       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    undone_by  INTEGER REFERENCES link_decisions (id),
    details    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details))
);

-- What a decision fixed: this report belongs to this record, whatever the machine would say. The latest pin of a
-- decision that is not undone wins; pins survive re-analysis and relink.
CREATE TABLE link_pins (
    decision_id INTEGER NOT NULL REFERENCES link_decisions (id),
    kind        TEXT NOT NULL,
    article_id  TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    PRIMARY KEY (decision_id, kind, article_id, item_id)
);
CREATE INDEX link_pins_report ON link_pins (kind, article_id, item_id);

-- Every change to the records: who, when, what, why.
CREATE TABLE link_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    user       TEXT NOT NULL,
    action     TEXT NOT NULL,
    kind       TEXT,
    record_id  TEXT,
    article_id TEXT,
    reason     TEXT NOT NULL
);
CREATE INDEX link_log_record ON link_log (kind, record_id);

-- Who cites whom: an outlet or agency cited by a report ("according to Reuters"), with its span.
CREATE TABLE link_sources (
    article_id TEXT NOT NULL,
    cited      TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    end_char   INTEGER NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (article_id, cited, start_char)
);
CREATE INDEX link_sources_cited ON link_sources (cited);
