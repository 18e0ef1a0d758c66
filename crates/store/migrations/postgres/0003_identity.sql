-- People and how they sign in: accounts, one-time codes, sessions, sign-in attempts and locks.
-- Passwords are argon2id PHC strings; codes and session tokens are stored only as digests.
CREATE TABLE users (
    id TEXT NOT NULL PRIMARY KEY,
    email TEXT UNIQUE,
    phone TEXT UNIQUE,
    password_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending_verification', 'active', 'frozen')),
    locale TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    verified_at BIGINT,
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
);

-- One live code per purpose and subject: issuing a new one replaces (cancels) the old.
CREATE TABLE one_time_codes (
    purpose TEXT NOT NULL,
    subject TEXT NOT NULL,
    digest TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    PRIMARY KEY (purpose, subject)
);

CREATE TABLE sessions (
    id TEXT NOT NULL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    revoked_at BIGINT,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE sign_in_attempts (
    user_id TEXT NOT NULL REFERENCES users (id),
    at BIGINT NOT NULL,
    succeeded BIGINT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sign_in_attempts_by_user ON sign_in_attempts (user_id, at);

CREATE TABLE account_locks (
    user_id TEXT NOT NULL REFERENCES users (id),
    locked_at BIGINT NOT NULL,
    until BIGINT NOT NULL,
    failures BIGINT NOT NULL,
    window_s BIGINT NOT NULL
);
CREATE INDEX account_locks_by_user ON account_locks (user_id, locked_at);
