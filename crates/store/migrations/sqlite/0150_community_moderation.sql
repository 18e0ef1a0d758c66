-- Community moderation: a report stays open until staff resolve it (the post hidden, or the
-- report dismissed) with a reason; and the search revision, a counter every change to what
-- community search reads moves in its own transaction, so each process rebuilds its index only
-- when the counter moved, however many processes share the database.
ALTER TABLE community_reports ADD COLUMN resolution TEXT CHECK (resolution IN ('hidden', 'dismissed'));
ALTER TABLE community_reports ADD COLUMN resolved_by TEXT;
ALTER TABLE community_reports ADD COLUMN resolved_at BIGINT;
ALTER TABLE community_reports ADD COLUMN resolution_reason TEXT;
CREATE INDEX community_reports_open ON community_reports (resolution, created_at);

CREATE TABLE community_search_revision (
    id BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO community_search_revision (id, revision) VALUES (1, 0);
