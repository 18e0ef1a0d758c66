-- The durable job queue: background work (mail delivery, fees, SLA timers) that must survive a
-- restart and run once per job across every okpay process. Times are Unix milliseconds.
CREATE TABLE jobs (
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    attempts_max INTEGER NOT NULL CHECK (attempts_max >= 1),
    -- queued: not before this; running: when it was claimed.
    run_at BIGINT NOT NULL,
    -- The current run's fence: a report with another token is ignored.
    lease_token TEXT,
    lease_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
-- What a claim scans: queued jobs by when they are due, running ones by when their lease ends.
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_leased ON jobs (state, lease_until);

-- Recurring jobs: each time one is due, exactly one job is enqueued and it moves to its next run.
CREATE TABLE job_schedules (
    name TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- Exactly one of: every this many seconds, or daily at this many seconds after 00:00 UTC.
    every_s BIGINT,
    daily_at_s BIGINT,
    attempts_max INTEGER NOT NULL CHECK (attempts_max >= 1),
    next_run_at BIGINT NOT NULL,
    CHECK ((every_s IS NULL) <> (daily_at_s IS NULL))
);
