-- Tables of the im_history module (SQLite). Safe to run again.
CREATE TABLE IF NOT EXISTS version (
    table_name VARCHAR(32) NOT NULL PRIMARY KEY,
    table_version INTEGER NOT NULL DEFAULT 0
);

-- Recorded conversations, one row per owner and conversation. A recorded
-- IM session (kind 'session', started by a REFER to the History Function):
-- conversation_id is the MSRP relay's session id, peer the session
-- identity, recorder the relay's recorder while it records (version 2; its
-- messages are the relay's msrp_stored_message rows of that session and
-- owner with role 'recorder'). ended_at: stopped.
CREATE TABLE IF NOT EXISTS im_history_conversation (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    peer TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    recorder TEXT NOT NULL DEFAULT '',
    UNIQUE (owner, conversation_id)
);

CREATE TABLE IF NOT EXISTS im_history_message (
    id INTEGER PRIMARY KEY,
    conversation INTEGER NOT NULL REFERENCES im_history_conversation (id) ON DELETE CASCADE,
    sender TEXT NOT NULL,
    content_type TEXT NOT NULL,
    body BLOB NOT NULL,
    received_at INTEGER NOT NULL
);
-- Reads a conversation in order, and keeps the cascading delete from scanning.
CREATE INDEX IF NOT EXISTS im_history_message_conversation_idx ON im_history_message (conversation, received_at);

INSERT OR REPLACE INTO version (table_name, table_version) VALUES ('im_history_conversation', 2);
INSERT OR REPLACE INTO version (table_name, table_version) VALUES ('im_history_message', 1);
