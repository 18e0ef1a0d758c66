-- Messages to people (e-mail, SMS) waiting for a sender, or kept for admins to read when no
-- sender is configured. Each is written in its recipient's language when it is queued.
CREATE TABLE outbox (
    id TEXT NOT NULL PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient TEXT NOT NULL,
    locale TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX outbox_unsent ON outbox (sent_at, created_at);

-- Secrets the server makes for itself on first start (e.g. the key of one-time-code digests),
-- kept in the database so that every okpay process sharing it uses the same ones.
CREATE TABLE server_secrets (
    name TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
