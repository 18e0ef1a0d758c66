-- The wallet: saved cards (brand, last 4, expiry, holder and the processor's token only; never
-- the number or CVC), bank accounts for withdrawals, transaction records with their status
-- timeline, quotes, withdrawals and their payout state, FX rates with history, KYC tiers, and
-- the first answer of every money-moving request by idempotency key.
CREATE TABLE wallet_cards (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    exp_month BIGINT NOT NULL,
    exp_year BIGINT NOT NULL,
    holder_name TEXT NOT NULL,
    token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    removed_at BIGINT
);
CREATE INDEX wallet_cards_by_user ON wallet_cards (user_id, created_at);

CREATE TABLE wallet_bank_accounts (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    bank_name TEXT NOT NULL,
    account_number TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    currency TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    removed_at BIGINT
);
CREATE INDEX wallet_bank_accounts_by_user ON wallet_bank_accounts (user_id, created_at);

-- One row per user and transaction: a transfer has the sender's and the receiver's. `timeline`
-- is the status history as JSON; `limit_kind` marks the initiator's row of a limited movement.
CREATE TABLE wallet_records (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    direction TEXT NOT NULL,
    status TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    fee BIGINT NOT NULL,
    arrived_amount BIGINT,
    arrived_currency TEXT,
    counterparty_id TEXT,
    counterparty_label TEXT,
    note TEXT,
    category TEXT NOT NULL,
    fee_schedule_id TEXT,
    quote_id TEXT,
    failure_reason TEXT,
    limit_kind TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    timeline TEXT NOT NULL,
    PRIMARY KEY (user_id, id)
);
CREATE INDEX wallet_records_by_time ON wallet_records (user_id, created_at, id);

CREATE TABLE wallet_quotes (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    target_currency TEXT NOT NULL,
    rate_e8 BIGINT,
    rate_set_at BIGINT,
    fee BIGINT NOT NULL,
    arrives BIGINT NOT NULL,
    fee_schedule_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE wallet_withdrawals (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    bank_account_id TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    fee BIGINT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT,
    reviewed_by TEXT,
    review_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX wallet_withdrawals_by_state ON wallet_withdrawals (state, next_attempt_at);

-- Every rate ever set; the newest of a pair is in force.
CREATE TABLE fx_rates (
    base TEXT NOT NULL,
    quote TEXT NOT NULL,
    rate_e8 BIGINT NOT NULL,
    set_at BIGINT NOT NULL,
    set_by TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (base, quote, seq)
);

CREATE TABLE kyc_tiers (
    user_id TEXT NOT NULL PRIMARY KEY,
    tier TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE http_idempotency (
    user_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
