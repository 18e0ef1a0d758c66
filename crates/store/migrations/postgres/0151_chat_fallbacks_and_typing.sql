-- Live chat across processes and retries: when each side last said it was typing (Unix ms), so
-- that a process's poller tells its sockets what another process's sockets did; and which
-- ticket a user's chat request fell back to, by the request's key, so that a retried fall-back
-- answers that ticket instead of opening another while it is not solved.
ALTER TABLE chat_conversations ADD COLUMN user_typing_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE chat_conversations ADD COLUMN agent_typing_ms BIGINT NOT NULL DEFAULT 0;

CREATE TABLE chat_fallbacks (
    user_id TEXT NOT NULL,
    request_key TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, request_key)
);
