-- Limits and fee discounts sum a user's counted records of a currency since the start of the
-- month before every movement. Read through `wallet_records_by_time`, that sum fetched every one
-- of the month's records from the table; this index holds every column the sums read, so they
-- scan it alone. Only records that count against a limit (`limit_kind` set) are in it.
CREATE INDEX wallet_records_limits ON wallet_records (user_id, currency, created_at, limit_kind, status, amount)
    WHERE limit_kind IS NOT NULL;
