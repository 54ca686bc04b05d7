-- 0005_feeds: the feeds `incitewatch watch` polls, their HTTP validators and health, and the items already seen.
-- Applied inside one transaction by incitewatch.store.sqlite; recorded in schema_migrations.

-- One row per feed URL. etag/last_modified are sent back (If-None-Match / If-Modified-Since) so an unchanged feed
-- costs a 304; they are saved only once the feed's new items were processed, so a watcher killed mid-feed fetches
-- it whole again on restart. A failing feed waits until next_poll_at, which doubles with each failure in a row.
CREATE TABLE feeds (
    url                  TEXT PRIMARY KEY,
    title                TEXT,
    etag                 TEXT,
    last_modified        TEXT,
    added_at             TEXT NOT NULL,
    last_polled          TEXT,
    last_ok              TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    next_poll_at         TEXT,
    last_error           TEXT,
    items_seen           INTEGER NOT NULL DEFAULT 0
);

-- One row per item of a feed (by guid, else link, else a hash of its text) that was processed, so a watcher,
-- restarted or not, processes only new items. An item whose link could not be fetched is kept with its attempts
-- and retried on later polls until done is set (or the attempts run out).
CREATE TABLE feed_items (
    feed_url   TEXT NOT NULL REFERENCES feeds (url) ON DELETE CASCADE,
    item_key   TEXT NOT NULL,
    link       TEXT,
    first_seen TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    done       INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (feed_url, item_key)
);
