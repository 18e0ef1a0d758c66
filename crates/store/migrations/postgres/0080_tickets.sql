-- Tickets (工单): a user's case, its thread (replies from both sides and agents' internal
-- notes) and the files attached to it. Priority 1 is the most urgent (security).
CREATE TABLE tickets (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    category TEXT NOT NULL,
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    transaction_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'waiting_on_customer', 'waiting_on_agent', 'solved', 'reopened')),
    priority BIGINT NOT NULL,
    assignee TEXT,
    context TEXT NOT NULL,
    rating BIGINT,
    rating_comment TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    solved_at BIGINT
);
CREATE INDEX tickets_by_user ON tickets (user_id, created_at);
CREATE INDEX tickets_by_status ON tickets (status, priority, created_at);

CREATE TABLE ticket_messages (
    id TEXT NOT NULL PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    author_kind TEXT NOT NULL CHECK (author_kind IN ('user', 'staff')),
    author_id TEXT NOT NULL,
    body TEXT NOT NULL,
    internal BIGINT NOT NULL CHECK (internal IN (0, 1)),
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_messages_by_ticket ON ticket_messages (ticket_id, created_at);

-- Files are kept in the database so that a backup of it holds everything.
CREATE TABLE ticket_attachments (
    id TEXT NOT NULL PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    message_id TEXT,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    data BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_attachments_by_ticket ON ticket_attachments (ticket_id);
