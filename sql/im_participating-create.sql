-- Tables of the im_participating module (SQLite). Safe to run again.
CREATE TABLE IF NOT EXISTS version (
    table_name VARCHAR(32) NOT NULL PRIMARY KEY,
    table_version INTEGER NOT NULL DEFAULT 0
);

-- Registrations learnt from third-party REGISTER.
CREATE TABLE IF NOT EXISTS im_registration (
    aor TEXT PRIMARY KEY,
    contact TEXT NOT NULL DEFAULT '',
    expires_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS im_registration_expires_at_idx ON im_registration (expires_at);

-- IM service settings published by each user.
CREATE TABLE IF NOT EXISTS im_service_settings (
    aor TEXT PRIMARY KEY,
    etag TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    document TEXT NOT NULL,
    isb_active INTEGER,
    ipab_active INTEGER,
    offline_delivery INTEGER,
    vis_status INTEGER,
    hist_active INTEGER,
    updated_at INTEGER NOT NULL
);

-- Service provider policy.
CREATE TABLE IF NOT EXISTS im_policy (
    scope TEXT PRIMARY KEY, -- 'global' or a user AOR
    im_allowed INTEGER NOT NULL DEFAULT 1,
    max_size INTEGER,
    content_types TEXT,
    anonymity_allowed INTEGER NOT NULL DEFAULT 1,
    group_advertisement_allowed INTEGER NOT NULL DEFAULT 1 -- 6.2.4.5 step 2 (version 2)
);

-- Per-user access rules for sessions and pager-mode messages.
CREATE TABLE IF NOT EXISTS im_access_rule (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,
    peer TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('session', 'pager')),
    action TEXT NOT NULL CHECK (action IN ('allow', 'reject')),
    UNIQUE (owner, peer, kind)
);

-- 6.2.6.1 step 6: the "Willingness for IM" (appendix I) each user last
-- published to the presence server, from the IM server's subscription.
CREATE TABLE IF NOT EXISTS im_willingness (
    aor TEXT PRIMARY KEY,
    willing INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

INSERT OR REPLACE INTO version (table_name, table_version) VALUES ('im_registration', 1);
INSERT OR REPLACE INTO version (table_name, table_version) VALUES ('im_service_settings', 1);
INSERT OR REPLACE INTO version (table_name, table_version) VALUES ('im_policy', 2);
INSERT OR REPLACE INTO version (table_name, table_version) VALUES ('im_access_rule', 1);
INSERT OR REPLACE INTO version (table_name, table_version) VALUES ('im_willingness', 1);
