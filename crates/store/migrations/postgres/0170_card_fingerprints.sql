-- Card fingerprints: HMAC-SHA256 of the card number under the installation's key
-- (`server_secrets.card_fingerprint_key`), never a plain hash of the number. A user's live
-- (not removed) cards have distinct fingerprints, so the same card is never listed twice; a
-- removed card added again is a new row. Cards saved before this have none.
ALTER TABLE wallet_cards ADD COLUMN fingerprint TEXT;
CREATE UNIQUE INDEX wallet_cards_live_fingerprint ON wallet_cards (user_id, fingerprint)
    WHERE removed_at IS NULL AND fingerprint IS NOT NULL;
