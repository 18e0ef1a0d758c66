-- The ledger: accounts with their balances, journal entries with their legs, idempotency keys.
-- Money is BIGINT minor units; times are Unix milliseconds; ids are TEXT.
CREATE TABLE ledger_accounts (
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL,
    currency TEXT NOT NULL,
    owner_id TEXT,
    posted BIGINT NOT NULL DEFAULT 0,
    pending_debits BIGINT NOT NULL DEFAULT 0 CHECK (pending_debits >= 0),
    pending_credits BIGINT NOT NULL DEFAULT 0 CHECK (pending_credits >= 0),
    created_at BIGINT NOT NULL
);
CREATE INDEX ledger_accounts_by_owner ON ledger_accounts (owner_id);

-- An entry keeps its legs in one column, `account=amount;account=amount`, written once and never
-- changed: one row per movement instead of three is what lets a batch commit tens of thousands
-- of transfers a second. `okpay verify` parses every entry's legs and recomputes every balance.
CREATE TABLE ledger_entries (
    id TEXT NOT NULL PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('pending', 'posted', 'voided')),
    legs TEXT NOT NULL,
    memo TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT
);

-- A key names the entry it produced. No foreign key: the writer inserts both in one transaction,
-- and a foreign-key check costs a lookup and (on PostgreSQL) a row lock per key; `okpay verify`
-- checks that every key's entry exists instead.
CREATE TABLE ledger_idempotency_keys (
    key TEXT NOT NULL PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Balance rows are updated by every batch: leave room on each page for HOT updates.
ALTER TABLE ledger_accounts SET (fillfactor = 70);
