-- Tables of the im_deferred module (SQLite). Safe to run again.
CREATE TABLE IF NOT EXISTS version (
    table_name VARCHAR(32) NOT NULL PRIMARY KEY,
    table_version INTEGER NOT NULL DEFAULT 0
);

-- Messages stored for later delivery.
CREATE TABLE IF NOT EXISTS im_deferred_message (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    sender TEXT NOT NULL,
    content_type TEXT NOT NULL,
    body BLOB NOT NULL,
    headers TEXT NOT NULL DEFAULT '',
    received_at INTEGER NOT NULL,
    expires_at INTEGER,
    state TEXT NOT NULL DEFAULT 'stored'
);
CREATE INDEX IF NOT EXISTS im_deferred_message_recipient_state_idx ON im_deferred_message (recipient, state);

INSERT OR REPLACE INTO version (table_name, table_version) VALUES ('im_deferred_message', 1);
