-- Sign-in security beyond the password: two-factor secrets and recovery codes, single-use
-- tokens (step-up, "this wasn't me", staff set-up), the message center and staff accounts.

-- What each sign-in attempt came to, for the login history (`succeeded` stays the lockout's
-- "was this a failure" flag).
-- `id` (UUID v7, growing) orders attempts made within the same second.
ALTER TABLE sign_in_attempts ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE sign_in_attempts ADD COLUMN id TEXT NOT NULL DEFAULT '';

-- One TOTP secret per user or staff member (`owner` is a usr_… or stf_… id), sealed with
-- XChaCha20-Poly1305 under a server key. `enabled_at` is NULL while set-up awaits its first code;
-- `last_step` is the last accepted time step, moved forward only by a conditional UPDATE, so a
-- code is accepted once however many requests carry it at the same moment.
CREATE TABLE totp_secrets (
    owner TEXT NOT NULL PRIMARY KEY,
    secret_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    enabled_at BIGINT,
    last_step BIGINT
);

-- Single-use recovery codes, kept only as keyed digests.
CREATE TABLE recovery_codes (
    owner TEXT NOT NULL,
    digest TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (owner, digest)
);

-- Single-use bearer tokens kept as SHA-256 digests: step-up tokens bound to an action,
-- "this wasn't me" links, staff set-up links.
CREATE TABLE action_tokens (
    digest TEXT NOT NULL PRIMARY KEY,
    purpose TEXT NOT NULL,
    owner TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

-- The message center: notices to one user, their words in both languages.
CREATE TABLE notices (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    title_zh TEXT NOT NULL,
    body_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    body_en TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notices_by_user ON notices (user_id, id);

-- Staff accounts: separate from users, made at the command line, finished through a one-time
-- set-up link (password and TOTP), signed in with both.
CREATE TABLE staff_users (
    id TEXT NOT NULL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'agent', 'security', 'risk', 'finance')),
    password_hash TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending_setup', 'active', 'disabled')),
    locale TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE staff_sessions (
    id TEXT NOT NULL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    staff_id TEXT NOT NULL REFERENCES staff_users (id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    revoked_at BIGINT,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);
