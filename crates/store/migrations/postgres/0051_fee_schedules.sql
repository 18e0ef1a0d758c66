-- Every version of the fee schedule admins published, never edited: a change is a new version,
-- in force from `effective_at`. `rules` is the JSON of store::fee_rules_json. Each transaction
-- record names the version that priced it (wallet_records.fee_schedule_id).
CREATE TABLE fee_schedules (
    id TEXT NOT NULL PRIMARY KEY,
    effective_at BIGINT NOT NULL,
    rules TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX fee_schedules_by_time ON fee_schedules (effective_at);
