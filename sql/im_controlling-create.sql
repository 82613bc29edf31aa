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

INSERT OR REPLACE INTO version (table_name, table_version) VALUES ('im_group', 1);
INSERT OR REPLACE INTO version (table_name, table_version) VALUES ('im_group_member', 1);
