-- Idempotency keys on SQLite: rows in arrival order (rowid), found through an index of each key's
-- 64-bit hash (the first 8 bytes of its SHA-256, computed by OKPay; rows copied from before this
-- migration get theirs when the store next migrates). A batch's random keys used to go into a
-- B-tree ordered by their text, each one dirtying a page of full rows; now they append, and only
-- the small index of 8-byte integers is written at random. A lookup compares the stored key's
-- text, so two keys with one hash never answer for each other. The writer reads and writes keys
-- under SQLite's single write lock, so no unique index is needed to stop a key being used twice.
CREATE TABLE ledger_idempotency_keys_hashed (
    key_hash INTEGER,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO ledger_idempotency_keys_hashed (key_hash, key, fingerprint, entry_id, status, created_at)
    SELECT NULL, key, fingerprint, entry_id, status, created_at FROM ledger_idempotency_keys
    ORDER BY created_at;
DROP TABLE ledger_idempotency_keys;
ALTER TABLE ledger_idempotency_keys_hashed RENAME TO ledger_idempotency_keys;
CREATE INDEX ledger_idempotency_keys_by_hash ON ledger_idempotency_keys (key_hash);
