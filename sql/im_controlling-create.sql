-- Tables of the im_controlling module (SQLite). Safe to run again.
CREATE TABLE IF NOT EXISTS version (
    table_name VARCHAR(32) NOT NULL PRIMARY KEY,
    table_version INTEGER NOT NULL DEFAULT 0
);

-- Pre-defined groups.
CREATE TABLE IF NOT EXISTS im_group (
    uri TEXT PRIMARY KEY,
    display_name TEXT NOT NULL DEFAULT '',
    max_participants INTEGER,
    anonymity_allowed INTEGER NOT NULL DEFAULT 0,
    auto_release INTEGER NOT NULL DEFAULT 1,
    rules TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS im_group_member (
    group_uri TEXT NOT NULL REFERENCES im_group (uri) ON DELETE CASCADE,
    member_uri TEXT NOT NULL,
    nickname TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT 'participant',
    PRIMARY KEY (group_uri, member_uri)
);

-- IM Group Sessions the conference focus hosts (id: the MSRP relay's session
-- id). group_uri is '' for an ad-hoc session.
CREATE TABLE IF NOT EXISTS im_conference (
    id TEXT PRIMARY KEY,
    group_uri TEXT NOT NULL DEFAULT '',
    initiator TEXT NOT NULL DEFAULT '',
    started_at INTEGER NOT NULL
);
-- One active session per pre-defined group, however many processes start one.
CREATE UNIQUE INDEX IF NOT EXISTS im_conference_group_idx ON im_conference (group_uri) WHERE group_uri <> '';

-- Each participant of a session and the focus's side of its SIP dialog.
CREATE TABLE IF NOT EXISTS im_conference_participant (
    conference TEXT NOT NULL REFERENCES im_conference (id) ON DELETE CASCADE,
    participant TEXT NOT NULL, -- the relay's participant id
    identity TEXT NOT NULL DEFAULT '',
    anonymous INTEGER NOT NULL DEFAULT 0,
    call_id TEXT NOT NULL,
    local_tag TEXT NOT NULL, -- the focus's tag
    remote_tag TEXT NOT NULL DEFAULT '',
    local_uri TEXT NOT NULL DEFAULT '',
    remote_uri TEXT NOT NULL DEFAULT '',
    remote_target TEXT NOT NULL DEFAULT '',
    route_set TEXT NOT NULL DEFAULT '', -- Record-Route values in order, comma-separated
    local_cseq INTEGER NOT NULL DEFAULT 0,
    socket TEXT NOT NULL DEFAULT '', -- where the INVITE arrived, "proto:ip:port"
    sdp_answer TEXT NOT NULL DEFAULT '',
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (conference, participant)
);
-- A request within a dialog finds its participant by Call-ID and focus tag.
CREATE UNIQUE INDEX IF NOT EXISTS im_conference_participant_dialog_idx
    ON im_conference_participant (call_id, local_tag);

INSERT OR REPLACE INTO version (table_name, table_version) VALUES ('im_group', 1);
INSERT OR REPLACE INTO version (table_name, table_version) VALUES ('im_group_member', 1);
INSERT OR REPLACE INTO version (table_name, table_version) VALUES ('im_conference', 1);
INSERT OR REPLACE INTO version (table_name, table_version) VALUES ('im_conference_participant', 1);
