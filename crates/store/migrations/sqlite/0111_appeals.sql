-- Unlock appeals: what a locked or frozen user asks for, their statement, the decision with its
-- written reason, and the identity documents (bytes in the database, like ticket attachments,
-- so a backup holds everything). The status link's token is kept only as its SHA-256.
CREATE TABLE appeals (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('unlock', 'lift_restriction')),
    statement TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decision_reason TEXT,
    decided_by TEXT,
    status_token_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE INDEX appeals_by_user ON appeals (user_id, status);
CREATE INDEX appeals_by_status ON appeals (status, created_at);

CREATE TABLE appeal_documents (
    id TEXT NOT NULL PRIMARY KEY,
    appeal_id TEXT NOT NULL REFERENCES appeals (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    data BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX appeal_documents_by_appeal ON appeal_documents (appeal_id);
