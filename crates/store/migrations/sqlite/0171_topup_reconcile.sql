-- Stuck top-ups are reconciled against the card processor.
--
-- The simulated card processor's own records: every charge it answered, by OKPay's reference
-- (the top-up's transaction id), so that it charges a reference once and can say afterwards
-- whether a charge was made, whichever process asks. `outcome` is `charged` or a refusal's code.
CREATE TABLE simulated_card_charges (
    reference TEXT NOT NULL PRIMARY KEY,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    outcome TEXT NOT NULL,
    processor_reference TEXT,
    created_at BIGINT NOT NULL
);

-- The ledger idempotency key a keyed top-up credits with (`<user>:<Idempotency-Key>`), written
-- before its card is charged, so that the reconcile job credits a charged top-up under the same
-- key and never twice. A top-up sent without a key credits under `topup:<id>`, which needs no row.
CREATE TABLE wallet_topup_keys (
    record_id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    ledger_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The reconcile job's read: top-ups still `processing`, oldest first. Only those are indexed.
CREATE INDEX wallet_records_processing_topups ON wallet_records (created_at)
    WHERE kind = 'topup' AND status = 'processing';
