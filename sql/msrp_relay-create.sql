-- Table of the MSRP relay (im-msrp-relay's store_database; SQLite). Safe to run again.
-- The relay writes one row per complete MSRP message it terminates
-- (endpoint sessions: deferred messages) or records (a conference's
-- recorder: history), committed before it answers the message's last chunk
-- with 200. im_deferred and im_history read it; the relay pushes rows back
-- to clients with SESSION_SEND_STORED (appendix J encapsulation).
CREATE TABLE IF NOT EXISTS version (
    table_name VARCHAR(32) NOT NULL PRIMARY KEY,
    table_version INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS msrp_stored_message (
    id INTEGER PRIMARY KEY,              -- the order rows were stored in
    session TEXT NOT NULL,               -- relay session id
    owner TEXT NOT NULL,                 -- store key of SESSION_CREATE endpoint / SESSION_ADD_RECORDER (e.g. the served user)
    role TEXT NOT NULL,                  -- 'endpoint' or 'recorder'
    kind TEXT NOT NULL DEFAULT 'msrp',   -- 'msrp': an MSRP SEND; 'sip': a SIP request (start line and headers in headers)
    sender TEXT NOT NULL DEFAULT '',     -- sender identity (conference: as shown to the others), else the last From-Path URI
    message_id TEXT NOT NULL,            -- MSRP Message-ID as received (SIP: the Call-ID)
    transaction_id TEXT NOT NULL DEFAULT '',  -- of the SEND's first chunk
    headers TEXT NOT NULL DEFAULT '',    -- MSRP header lines of the first chunk from To-Path on, CRLF each, without Byte-Range and Content-Type
    content_type TEXT NOT NULL,
    body BLOB NOT NULL,                  -- the whole message
    received_at_ms INTEGER NOT NULL      -- Unix time in milliseconds when the last chunk arrived
);
CREATE INDEX IF NOT EXISTS msrp_stored_message_session_idx ON msrp_stored_message (session, id);
CREATE INDEX IF NOT EXISTS msrp_stored_message_owner_idx ON msrp_stored_message (owner, id);

INSERT OR REPLACE INTO version (table_name, table_version) VALUES ('msrp_stored_message', 1);
