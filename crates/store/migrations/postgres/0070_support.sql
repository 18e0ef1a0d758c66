-- The customer-service center's public face: contact channels (admin-edited, seeded with
-- defaults once), users' scam reports, and maintenance and incident announcements with every
-- saved version kept. Booleans are BIGINT 0/1 so the same SQL serves SQLite and PostgreSQL.
CREATE TABLE support_contact_channels (
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('hotline', 'email', 'live_chat', 'website', 'social')),
    value TEXT NOT NULL,
    display TEXT NOT NULL,
    platform TEXT,
    name_zh_cn TEXT NOT NULL,
    name_en TEXT NOT NULL,
    note_zh_cn TEXT NOT NULL,
    note_en TEXT NOT NULL,
    hours TEXT NOT NULL,
    position BIGINT NOT NULL,
    enabled BIGINT NOT NULL CHECK (enabled IN (0, 1)),
    updated_at BIGINT NOT NULL
);

-- What has been seeded once per database, so that a channel an admin deleted stays deleted.
CREATE TABLE support_seeds (
    name TEXT NOT NULL PRIMARY KEY,
    seeded_at BIGINT NOT NULL
);

CREATE TABLE support_scam_reports (
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('phone', 'email', 'url', 'account')),
    value_key TEXT NOT NULL,
    value TEXT NOT NULL,
    note TEXT NOT NULL,
    reporter TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'rejected')),
    created_at BIGINT NOT NULL,
    reviewed_by TEXT,
    reviewed_at BIGINT,
    review_note TEXT NOT NULL
);
CREATE INDEX support_scam_reports_by_value ON support_scam_reports (kind, value_key, status);
CREATE INDEX support_scam_reports_by_status ON support_scam_reports (status, created_at);

-- The current version of each notice; `services` is a comma-separated list of service names.
CREATE TABLE support_announcements (
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('maintenance', 'incident')),
    severity TEXT NOT NULL CHECK (severity IN ('info', 'degraded', 'outage')),
    title_zh_cn TEXT NOT NULL,
    title_en TEXT NOT NULL,
    body_zh_cn TEXT NOT NULL,
    body_en TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT,
    services TEXT NOT NULL,
    withdrawn BIGINT NOT NULL CHECK (withdrawn IN (0, 1)),
    version BIGINT NOT NULL,
    edited_by TEXT NOT NULL,
    edited_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX support_announcements_by_start ON support_announcements (starts_at);
CREATE INDEX support_announcements_by_creation ON support_announcements (created_at);

-- Every saved version of every notice, the current one included: the edit history.
CREATE TABLE support_announcement_versions (
    announcement_id TEXT NOT NULL REFERENCES support_announcements (id),
    version BIGINT NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    title_zh_cn TEXT NOT NULL,
    title_en TEXT NOT NULL,
    body_zh_cn TEXT NOT NULL,
    body_en TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT,
    services TEXT NOT NULL,
    withdrawn BIGINT NOT NULL,
    edited_by TEXT NOT NULL,
    edited_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (announcement_id, version)
);
