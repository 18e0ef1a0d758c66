-- Identity verification: a user's request to be verified at a tier, and the documents they
-- uploaded (bytes in the database, so that a backup holds everything).
CREATE TABLE kyc_requests (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('verified', 'enhanced')),
    document_kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    reason TEXT,
    reviewer TEXT,
    created_at BIGINT NOT NULL,
    reviewed_at BIGINT
);
CREATE INDEX kyc_requests_by_user ON kyc_requests (user_id, created_at);
CREATE INDEX kyc_requests_by_status ON kyc_requests (status, created_at);

CREATE TABLE kyc_documents (
    id TEXT NOT NULL PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES kyc_requests (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    data BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX kyc_documents_by_request ON kyc_documents (request_id);
