//! The wallet's tables: cards, bank accounts, transaction records (timeline as JSON), quotes,
//! withdrawals, FX rates with history, KYC tiers and the HTTP idempotency table.

use domain::StoreError;
use domain::fx::FxRate;
use domain::identity::{BoxFuture, UnixSeconds};
use domain::limits::{KycTier, LimitKind, Usage};
use domain::notify::{OutboundMessage, OutboxStore};
use domain::records::{TransactionFilter, TransactionRecord};
use domain::wallet::{
    BankAccount, BankAccountNumber, CardBrand, CardExpiry, CardFingerprint, CardToken, HolderName,
    MaintenanceCandidate, MovementKind, Mover, RecordPage, ResponseToKeep, SavedCard,
    StoredBankAccount, StoredCard, StoredQuote, StoredResponse, WalletStore, WalletUser,
    Withdrawal, WithdrawalState,
};
use ledger::{AccountId, Amount, Balance, Currency};
use serde_json::{Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::database::Store;
use crate::error::store_error;
use crate::record_export::{Param, RawRecord, filter_clauses};
use domain::LedgerStore;

fn corrupt(what: &str) -> StoreError {
    StoreError::Unavailable(format!("unreadable {what} in the wallet tables"))
}

fn currency(text: &str) -> Result<Currency, StoreError> {
    Currency::parse(text).map_err(|_| corrupt("currency"))
}

fn get<'r, T>(row: &'r AnyRow, index: usize) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get(index).map_err(store_error)
}

const CARD_COLUMNS: &str =
    "id, user_id, brand, last4, exp_month, exp_year, holder_name, token, created_at, fingerprint";

fn card_from(row: &AnyRow) -> Result<StoredCard, StoreError> {
    let brand: String = get(row, 2)?;
    let month: i64 = get(row, 4)?;
    let year: i64 = get(row, 5)?;
    let holder: String = get(row, 6)?;
    let token: String = get(row, 7)?;
    Ok(StoredCard {
        id: get(row, 0)?,
        user_id: get(row, 1)?,
        card: SavedCard {
            token: CardToken::parse(&token).map_err(|_| corrupt("card token"))?,
            brand: CardBrand::parse(&brand).ok_or_else(|| corrupt("card brand"))?,
            last4: get(row, 3)?,
            expiry: CardExpiry::from_stored(month as u32, year as i32)
                .ok_or_else(|| corrupt("card expiry"))?,
            holder_name: HolderName::parse(&holder).map_err(|_| corrupt("holder name"))?,
        },
        fingerprint: match get::<Option<String>>(row, 9)? {
            Some(text) => {
                Some(CardFingerprint::parse(&text).map_err(|_| corrupt("card fingerprint"))?)
            }
            None => None,
        },
        created_at: get(row, 8)?,
    })
}

const BANK_COLUMNS: &str =
    "id, user_id, bank_name, account_number, holder_name, currency, created_at";

fn bank_account_from(row: &AnyRow) -> Result<StoredBankAccount, StoreError> {
    let number: String = get(row, 3)?;
    let holder: String = get(row, 4)?;
    let code: String = get(row, 5)?;
    Ok(StoredBankAccount {
        id: get(row, 0)?,
        user_id: get(row, 1)?,
        account: BankAccount {
            bank_name: get(row, 2)?,
            number: BankAccountNumber::parse(&number).map_err(|_| corrupt("account number"))?,
            holder_name: HolderName::parse(&holder).map_err(|_| corrupt("holder name"))?,
            currency: currency(&code)?,
        },
        created_at: get(row, 6)?,
    })
}

pub(crate) const RECORD_COLUMNS: &str = "user_id, id, kind, direction, amount, currency, fee, arrived_amount, \
     arrived_currency, counterparty_id, counterparty_label, note, fee_schedule_id, quote_id, \
     failure_reason, created_at, timeline";

pub(crate) fn timeline_json(record: &TransactionRecord) -> String {
    let events: Vec<Value> = record
        .timeline()
        .events()
        .iter()
        .map(|event| json!({"status": event.status.code(), "at": event.at, "note": event.note}))
        .collect();
    Value::Array(events).to_string()
}

fn record_from(row: &AnyRow) -> Result<TransactionRecord, StoreError> {
    RawRecord::from_any(row)?.into_record()
}

const WITHDRAWAL_COLUMNS: &str = "id, user_id, bank_account_id, amount, currency, fee, state, \
     attempts, next_attempt_at, reviewed_by, review_reason, created_at, updated_at";

fn withdrawal_from(row: &AnyRow) -> Result<Withdrawal, StoreError> {
    let code: String = get(row, 4)?;
    let state: String = get(row, 6)?;
    let attempts: i64 = get(row, 7)?;
    Ok(Withdrawal {
        id: get(row, 0)?,
        user_id: get(row, 1)?,
        bank_account_id: get(row, 2)?,
        amount: Amount::from_minor(get(row, 3)?),
        currency: currency(&code)?,
        fee: Amount::from_minor(get(row, 5)?),
        state: WithdrawalState::parse(&state).ok_or_else(|| corrupt("withdrawal state"))?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        next_attempt_at: get(row, 8)?,
        reviewed_by: get(row, 9)?,
        review_reason: get(row, 10)?,
        created_at: get(row, 11)?,
        updated_at: get(row, 12)?,
    })
}

/// The user in a row's first five columns: id, email, phone, locale, created_at.
fn wallet_user_from(row: &AnyRow) -> Result<WalletUser, StoreError> {
    Ok(WalletUser {
        id: get(row, 0)?,
        email: get(row, 1)?,
        phone: get(row, 2)?,
        locale: get(row, 3)?,
        created_at: get(row, 4)?,
    })
}

/// [`wallet_user_from`] for a row read through rusqlite (`sqlite_reads`).
fn wallet_user_from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<WalletUser> {
    Ok(WalletUser {
        id: row.get(0)?,
        email: row.get(1)?,
        phone: row.get(2)?,
        locale: row.get(3)?,
        created_at: row.get(4)?,
    })
}

fn rate_from(row: &AnyRow) -> Result<FxRate, StoreError> {
    let base: String = get(row, 0)?;
    let quote: String = get(row, 1)?;
    FxRate::new(
        currency(&base)?,
        currency(&quote)?,
        get(row, 2)?,
        get(row, 3)?,
    )
    .map_err(|_| corrupt("rate"))
}

impl Store {
    async fn records_page(
        &self,
        user_id: &str,
        page: &RecordPage<'_>,
    ) -> Result<Vec<TransactionRecord>, StoreError> {
        let (mut clauses, params, mut next) = filter_clauses(&page.filter);
        let cursor = match page.after {
            Some(after) => {
                let row = sqlx::query(
                    "SELECT created_at FROM wallet_records WHERE user_id = $1 AND id = $2",
                )
                .bind(user_id.to_owned())
                .bind(after.to_owned())
                .fetch_optional(&self.pool)
                .await
                .map_err(store_error)?;
                match row {
                    Some(row) => Some((get::<i64>(&row, 0)?, after.to_owned())),
                    // An unknown cursor continues from nowhere: an empty page.
                    None => return Ok(Vec::new()),
                }
            }
            None => None,
        };
        if cursor.is_some() {
            let at = next;
            clauses.push(format!(
                "(created_at < ${at} OR (created_at = ${at} AND id < ${}))",
                at + 1
            ));
            next += 2;
        }
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM wallet_records WHERE {} \
             ORDER BY created_at DESC, id DESC LIMIT ${next}",
            clauses.join(" AND ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user_id.to_owned());
        for param in params {
            query = match param {
                Param::Text(text) => query.bind(text),
                Param::Int(int) => query.bind(int),
            };
        }
        if let Some((at, id)) = cursor {
            query = query.bind(at).bind(id);
        }
        let rows = query
            .bind(i64::from(page.limit))
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(record_from).collect()
    }

    async fn insert_records_now(
        &self,
        records: &[(TransactionRecord, Option<LimitKind>)],
    ) -> Result<(), StoreError> {
        self.write_batch_now(records, &[], &[]).await.map(|_| ())
    }

    async fn write_batch_now(
        &self,
        records: &[(TransactionRecord, Option<LimitKind>)],
        messages: &[OutboundMessage],
        responses: &[ResponseToKeep],
    ) -> Result<Vec<StoredResponse>, StoreError> {
        self.write_wallet_batch(records, messages, responses).await
    }
}

impl WalletStore for Store {
    fn wallet_audit<'a>(
        &'a self,
        event: &'a domain::audit::AuditEvent,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(domain::AuditStore::append_audit(
            self,
            std::slice::from_ref(event),
        ))
    }

    fn insert_card<'a>(&'a self, card: &'a StoredCard) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO wallet_cards (id, user_id, brand, last4, exp_month, exp_year, holder_name, token, created_at, fingerprint) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(card.id.clone())
            .bind(card.user_id.clone())
            .bind(card.card.brand.code())
            .bind(card.card.last4.clone())
            .bind(i64::from(card.card.expiry.month()))
            .bind(i64::from(card.card.expiry.year()))
            .bind(card.card.holder_name.as_str().to_owned())
            .bind(card.card.token.as_str().to_owned())
            .bind(card.created_at)
            .bind(card.fingerprint.as_ref().map(|f| f.as_str().to_owned()))
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            Ok(())
        })
    }

    fn live_card_by_fingerprint<'a>(
        &'a self,
        user_id: &'a str,
        fingerprint: &'a CardFingerprint,
    ) -> BoxFuture<'a, Result<Option<StoredCard>, StoreError>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT {CARD_COLUMNS} FROM wallet_cards \
                 WHERE user_id = $1 AND fingerprint = $2 AND removed_at IS NULL"
            );
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(user_id.to_owned())
                .bind(fingerprint.as_str().to_owned())
                .fetch_optional(&self.pool)
                .await
                .map_err(store_error)?;
            row.as_ref().map(card_from).transpose()
        })
    }

    fn update_card_details<'a>(
        &'a self,
        user_id: &'a str,
        card_id: &'a str,
        expiry: CardExpiry,
        holder_name: &'a HolderName,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let done = sqlx::query(
                "UPDATE wallet_cards SET exp_month = $1, exp_year = $2, holder_name = $3 \
                 WHERE id = $4 AND user_id = $5 AND removed_at IS NULL",
            )
            .bind(i64::from(expiry.month()))
            .bind(i64::from(expiry.year()))
            .bind(holder_name.as_str().to_owned())
            .bind(card_id.to_owned())
            .bind(user_id.to_owned())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            Ok(done.rows_affected() == 1)
        })
    }

    fn cards<'a>(&'a self, user_id: &'a str) -> BoxFuture<'a, Result<Vec<StoredCard>, StoreError>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT {CARD_COLUMNS} FROM wallet_cards WHERE user_id = $1 AND removed_at IS NULL ORDER BY created_at, id"
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(user_id.to_owned())
                .fetch_all(&self.pool)
                .await
                .map_err(store_error)?;
            rows.iter().map(card_from).collect()
        })
    }

    fn remove_card<'a>(
        &'a self,
        user_id: &'a str,
        card_id: &'a str,
        at: UnixSeconds,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let done = sqlx::query(
                "UPDATE wallet_cards SET removed_at = $1 WHERE id = $2 AND user_id = $3 AND removed_at IS NULL",
            )
            .bind(at)
            .bind(card_id.to_owned())
            .bind(user_id.to_owned())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            Ok(done.rows_affected() == 1)
        })
    }

    fn insert_bank_account<'a>(
        &'a self,
        account: &'a StoredBankAccount,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO wallet_bank_accounts (id, user_id, bank_name, account_number, holder_name, currency, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(account.id.clone())
            .bind(account.user_id.clone())
            .bind(account.account.bank_name.clone())
            .bind(account.account.number.as_str().to_owned())
            .bind(account.account.holder_name.as_str().to_owned())
            .bind(account.account.currency.code())
            .bind(account.created_at)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            Ok(())
        })
    }

    fn bank_accounts<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<StoredBankAccount>, StoreError>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT {BANK_COLUMNS} FROM wallet_bank_accounts WHERE user_id = $1 AND removed_at IS NULL ORDER BY created_at, id"
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(user_id.to_owned())
                .fetch_all(&self.pool)
                .await
                .map_err(store_error)?;
            rows.iter().map(bank_account_from).collect()
        })
    }

    fn remove_bank_account<'a>(
        &'a self,
        user_id: &'a str,
        account_id: &'a str,
        at: UnixSeconds,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let done = sqlx::query(
                "UPDATE wallet_bank_accounts SET removed_at = $1 WHERE id = $2 AND user_id = $3 AND removed_at IS NULL",
            )
            .bind(at)
            .bind(account_id.to_owned())
            .bind(user_id.to_owned())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            Ok(done.rows_affected() == 1)
        })
    }

    fn insert_records<'a>(
        &'a self,
        records: &'a [(TransactionRecord, Option<LimitKind>)],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.insert_records_now(records))
    }

    fn update_record<'a>(
        &'a self,
        record: &'a TransactionRecord,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            sqlx::query(
                "UPDATE wallet_records SET status = $1, failure_reason = $2, timeline = $3, updated_at = $4, \
                 arrived_amount = $5, arrived_currency = $6 WHERE user_id = $7 AND id = $8",
            )
            .bind(record.status().code())
            .bind(record.failure_reason.as_ref().map(|r| r.as_str().to_owned()))
            .bind(timeline_json(record))
            .bind(
                record
                    .timeline()
                    .events()
                    .last()
                    .map_or(record.created_at, |e| e.at),
            )
            .bind(record.arrived.map(|(amount, _)| amount.minor()))
            .bind(record.arrived.map(|(_, currency)| currency.code()))
            .bind(record.user_id.clone())
            .bind(record.id.clone())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            Ok(())
        })
    }

    fn record<'a>(
        &'a self,
        user_id: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<TransactionRecord>, StoreError>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT {RECORD_COLUMNS} FROM wallet_records WHERE user_id = $1 AND id = $2"
            );
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(user_id.to_owned())
                .bind(id.to_owned())
                .fetch_optional(&self.pool)
                .await
                .map_err(store_error)?;
            row.as_ref().map(record_from).transpose()
        })
    }

    fn records<'a>(
        &'a self,
        user_id: &'a str,
        page: &'a RecordPage<'a>,
    ) -> BoxFuture<'a, Result<Vec<TransactionRecord>, StoreError>> {
        Box::pin(self.records_page(user_id, page))
    }

    fn export_records<'a>(
        &'a self,
        user_id: &'a str,
        filter: &'a TransactionFilter,
        sink: tokio::sync::mpsc::Sender<Vec<TransactionRecord>>,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.export_records_to(user_id, filter, sink))
    }

    fn usage<'a>(
        &'a self,
        user_id: &'a str,
        kind: LimitKind,
        currency: Currency,
        day_start: UnixSeconds,
        month_start: UnixSeconds,
    ) -> BoxFuture<'a, Result<Usage, StoreError>> {
        Box::pin(async move {
            const SQL: &str = "SELECT CAST(COALESCE(SUM(CASE WHEN created_at >= $1 THEN amount ELSE 0 END), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM wallet_records \
                 WHERE user_id = $2 AND limit_kind = $3 AND currency = $4 AND created_at >= $5 \
                 AND status NOT IN ('failed', 'rejected')";
            if let Some(reads) = &self.sqlite_reads {
                let (today, this_month) = reads
                    .row(
                        SQL,
                        rusqlite::params![
                            day_start,
                            user_id,
                            kind.code(),
                            currency.code(),
                            month_start.min(day_start)
                        ],
                        |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?)),
                    )?
                    .unwrap_or_default();
                return Ok(Usage {
                    today: Amount::from_minor(today),
                    this_month: Amount::from_minor(this_month),
                });
            }
            let row = sqlx::query(SQL)
                .bind(day_start)
                .bind(user_id.to_owned())
                .bind(kind.code())
                .bind(currency.code())
                .bind(month_start.min(day_start))
                .fetch_one(&self.pool)
                .await
                .map_err(store_error)?;
            Ok(Usage {
                today: Amount::from_minor(get(&row, 0)?),
                this_month: Amount::from_minor(get(&row, 1)?),
            })
        })
    }

    fn mover<'a>(
        &'a self,
        user_id: &'a str,
        kind: LimitKind,
        currency: Currency,
        day_start: UnixSeconds,
        month_start: UnixSeconds,
    ) -> BoxFuture<'a, Result<Option<Mover>, StoreError>> {
        Box::pin(async move {
            // One statement, so one read transaction on SQLite and one round trip on PostgreSQL:
            // the user, their tier, and the same rows and sums as `monthly_volume` and `usage`
            // (the aggregate always answers one row; the join drops it when there is no user).
            // The parameters first appear in their numbers' order, so rusqlite binds them by
            // position as sqlx does.
            const SQL: &str = "SELECT u.id, u.email, u.phone, u.locale, u.created_at, k.tier, \
                 s.volume, s.today, s.this_month FROM \
                 (SELECT CAST(COALESCE(SUM(CASE WHEN created_at >= $1 THEN amount ELSE 0 END), 0) AS BIGINT) AS volume, \
                 CAST(COALESCE(SUM(CASE WHEN limit_kind = $2 AND created_at >= $3 THEN amount ELSE 0 END), 0) AS BIGINT) AS today, \
                 CAST(COALESCE(SUM(CASE WHEN limit_kind = $2 AND created_at >= $4 THEN amount ELSE 0 END), 0) AS BIGINT) AS this_month \
                 FROM wallet_records \
                 WHERE user_id = $5 AND limit_kind IS NOT NULL AND currency = $6 AND created_at >= $7 \
                 AND status NOT IN ('failed', 'rejected')) s \
                 JOIN users u ON u.id = $5 \
                 LEFT JOIN kyc_tiers k ON k.user_id = u.id";
            let since = month_start.min(day_start);
            let row: Option<(WalletUser, Option<String>, [i64; 3])> = match &self.sqlite_reads {
                Some(reads) => reads.row(
                    SQL,
                    rusqlite::params![
                        month_start,
                        kind.code(),
                        day_start,
                        since,
                        user_id,
                        currency.code(),
                        since
                    ],
                    |row| {
                        Ok((
                            wallet_user_from_sqlite(row)?,
                            row.get(5)?,
                            [row.get(6)?, row.get(7)?, row.get(8)?],
                        ))
                    },
                )?,
                None => sqlx::query(SQL)
                    .bind(month_start)
                    .bind(kind.code())
                    .bind(day_start)
                    .bind(since)
                    .bind(user_id.to_owned())
                    .bind(currency.code())
                    .bind(since)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(store_error)?
                    .map(|row| -> Result<_, StoreError> {
                        Ok((
                            wallet_user_from(&row)?,
                            get(&row, 5)?,
                            [get(&row, 6)?, get(&row, 7)?, get(&row, 8)?],
                        ))
                    })
                    .transpose()?,
            };
            row.map(|(user, tier, [volume, today, this_month])| {
                let tier = match tier {
                    Some(tier) => KycTier::parse(&tier).ok_or_else(|| corrupt("KYC tier"))?,
                    None => KycTier::Unverified,
                };
                Ok(Mover {
                    user,
                    tier,
                    volume: Amount::from_minor(volume),
                    usage: Usage {
                        today: Amount::from_minor(today),
                        this_month: Amount::from_minor(this_month),
                    },
                })
            })
            .transpose()
        })
    }

    fn monthly_volume<'a>(
        &'a self,
        user_id: &'a str,
        currency: Currency,
        month_start: UnixSeconds,
    ) -> BoxFuture<'a, Result<Amount, StoreError>> {
        Box::pin(async move {
            let total: i64 = sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM wallet_records \
                 WHERE user_id = $1 AND limit_kind IS NOT NULL AND currency = $2 AND created_at >= $3 \
                 AND status NOT IN ('failed', 'rejected')",
            )
            .bind(user_id.to_owned())
            .bind(currency.code())
            .bind(month_start)
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)?;
            Ok(Amount::from_minor(total))
        })
    }

    fn insert_quote<'a>(&'a self, quote: &'a StoredQuote) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO wallet_quotes (id, user_id, kind, amount, currency, target_currency, rate_e8, \
                 rate_set_at, fee, arrives, fee_schedule_id, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(quote.id.clone())
            .bind(quote.user_id.clone())
            .bind(quote.kind.code())
            .bind(quote.amount.minor())
            .bind(quote.currency.code())
            .bind(quote.target_currency.code())
            .bind(quote.rate.map(|(rate, _)| rate))
            .bind(quote.rate.map(|(_, at)| at))
            .bind(quote.fee.minor())
            .bind(quote.arrives.minor())
            .bind(quote.fee_schedule_id.clone())
            .bind(quote.created_at)
            .bind(quote.expires_at)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            Ok(())
        })
    }

    fn quote<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<StoredQuote>, StoreError>> {
        Box::pin(async move {
            let row = sqlx::query(
                "SELECT id, user_id, kind, amount, currency, target_currency, rate_e8, rate_set_at, fee, \
                 arrives, fee_schedule_id, created_at, expires_at FROM wallet_quotes WHERE id = $1",
            )
            .bind(id.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
            let Some(row) = row else { return Ok(None) };
            let kind: String = get(&row, 2)?;
            let code: String = get(&row, 4)?;
            let target: String = get(&row, 5)?;
            let rate: Option<i64> = get(&row, 6)?;
            let rate_set_at: Option<i64> = get(&row, 7)?;
            Ok(Some(StoredQuote {
                id: get(&row, 0)?,
                user_id: get(&row, 1)?,
                kind: MovementKind::parse(&kind).map_err(|_| corrupt("quote kind"))?,
                amount: Amount::from_minor(get(&row, 3)?),
                currency: currency(&code)?,
                target_currency: currency(&target)?,
                rate: rate.zip(rate_set_at),
                fee: Amount::from_minor(get(&row, 8)?),
                arrives: Amount::from_minor(get(&row, 9)?),
                fee_schedule_id: get(&row, 10)?,
                created_at: get(&row, 11)?,
                expires_at: get(&row, 12)?,
            }))
        })
    }

    fn insert_withdrawal<'a>(
        &'a self,
        withdrawal: &'a Withdrawal,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO wallet_withdrawals (id, user_id, bank_account_id, amount, currency, fee, state, \
                 attempts, next_attempt_at, reviewed_by, review_reason, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(withdrawal.id.clone())
            .bind(withdrawal.user_id.clone())
            .bind(withdrawal.bank_account_id.clone())
            .bind(withdrawal.amount.minor())
            .bind(withdrawal.currency.code())
            .bind(withdrawal.fee.minor())
            .bind(withdrawal.state.code())
            .bind(i64::from(withdrawal.attempts))
            .bind(withdrawal.next_attempt_at)
            .bind(withdrawal.reviewed_by.clone())
            .bind(withdrawal.review_reason.clone())
            .bind(withdrawal.created_at)
            .bind(withdrawal.updated_at)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            Ok(())
        })
    }

    fn update_withdrawal<'a>(
        &'a self,
        withdrawal: &'a Withdrawal,
        expected: WithdrawalState,
        expected_attempts: u32,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let done = sqlx::query(
                "UPDATE wallet_withdrawals SET state = $1, attempts = $2, next_attempt_at = $3, \
                 reviewed_by = $4, review_reason = $5, updated_at = $6 \
                 WHERE id = $7 AND state = $8 AND attempts = $9",
            )
            .bind(withdrawal.state.code())
            .bind(i64::from(withdrawal.attempts))
            .bind(withdrawal.next_attempt_at)
            .bind(withdrawal.reviewed_by.clone())
            .bind(withdrawal.review_reason.clone())
            .bind(withdrawal.updated_at)
            .bind(withdrawal.id.clone())
            .bind(expected.code())
            .bind(i64::from(expected_attempts))
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            Ok(done.rows_affected() == 1)
        })
    }

    fn withdrawal<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Withdrawal>, StoreError>> {
        Box::pin(async move {
            let sql = format!("SELECT {WITHDRAWAL_COLUMNS} FROM wallet_withdrawals WHERE id = $1");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id.to_owned())
                .fetch_optional(&self.pool)
                .await
                .map_err(store_error)?;
            row.as_ref().map(withdrawal_from).transpose()
        })
    }

    fn withdrawals_in<'a>(
        &'a self,
        state: WithdrawalState,
        due_by: Option<UnixSeconds>,
        limit: u32,
    ) -> BoxFuture<'a, Result<Vec<Withdrawal>, StoreError>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT {WITHDRAWAL_COLUMNS} FROM wallet_withdrawals WHERE state = $1 \
                 AND ($2 IS NULL OR next_attempt_at <= $2) ORDER BY created_at, id LIMIT $3"
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(state.code())
                .bind(due_by)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(store_error)?;
            rows.iter().map(withdrawal_from).collect()
        })
    }

    fn current_rates(&self) -> BoxFuture<'_, Result<Vec<FxRate>, StoreError>> {
        Box::pin(async move {
            let rows = sqlx::query(
                "SELECT base, quote, rate_e8, set_at FROM fx_rates r WHERE seq = \
                 (SELECT MAX(seq) FROM fx_rates x WHERE x.base = r.base AND x.quote = r.quote) \
                 ORDER BY base, quote",
            )
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
            rows.iter().map(rate_from).collect()
        })
    }

    fn insert_rate<'a>(
        &'a self,
        rate: &'a FxRate,
        set_by: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            // Two admins setting the same pair at once collide on `seq`; the second tries again.
            let mut tries = 0;
            loop {
                let result = sqlx::query(
                    "INSERT INTO fx_rates (base, quote, rate_e8, set_at, set_by, seq) \
                     SELECT $1, $2, $3, $4, $5, COALESCE(MAX(seq), 0) + 1 FROM fx_rates WHERE base = $1 AND quote = $2",
                )
                .bind(rate.base().code())
                .bind(rate.quote().code())
                .bind(rate.rate_e8())
                .bind(rate.set_at())
                .bind(set_by.to_owned())
                .execute(&self.pool)
                .await
                .map_err(store_error);
                match result {
                    Err(StoreError::Conflict { .. }) if tries < 3 => tries += 1,
                    other => return other.map(|_| ()),
                }
            }
        })
    }

    fn rate_history<'a>(
        &'a self,
        base: Currency,
        quote: Currency,
    ) -> BoxFuture<'a, Result<Vec<(FxRate, String)>, StoreError>> {
        Box::pin(async move {
            let rows = sqlx::query(
                "SELECT base, quote, rate_e8, set_at, set_by FROM fx_rates WHERE base = $1 AND quote = $2 \
                 ORDER BY seq DESC",
            )
            .bind(base.code())
            .bind(quote.code())
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
            rows.iter()
                .map(|row| Ok((rate_from(row)?, get(row, 4)?)))
                .collect()
        })
    }

    fn fee_schedules(
        &self,
    ) -> BoxFuture<'_, Result<Vec<(domain::fees::FeeSchedule, String)>, StoreError>> {
        Box::pin(async move {
            let rows = sqlx::query(
                "SELECT id, effective_at, rules, created_by FROM fee_schedules ORDER BY effective_at, id",
            )
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
            rows.iter()
                .map(|row| {
                    let id: String = get(row, 0)?;
                    let rules: String = get(row, 2)?;
                    let rules = crate::fee_rules_json::fee_rules_from_json(&rules)
                        .map_err(|_| corrupt("fee rules"))?;
                    let schedule = domain::fees::FeeSchedule::new(&id, get(row, 1)?, rules)
                        .map_err(|_| corrupt("fee schedule"))?;
                    Ok((schedule, get(row, 3)?))
                })
                .collect()
        })
    }

    fn insert_fee_schedule<'a>(
        &'a self,
        schedule: &'a domain::fees::FeeSchedule,
        created_by: &'a str,
        created_at: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO fee_schedules (id, effective_at, rules, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(schedule.id().to_owned())
            .bind(schedule.effective_at())
            .bind(crate::fee_rules_json::fee_rules_to_json(schedule.rules()))
            .bind(created_by.to_owned())
            .bind(created_at)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            Ok(())
        })
    }

    fn kyc_tier<'a>(&'a self, user_id: &'a str) -> BoxFuture<'a, Result<KycTier, StoreError>> {
        Box::pin(async move {
            const SQL: &str = "SELECT tier FROM kyc_tiers WHERE user_id = $1";
            let tier: Option<String> = match &self.sqlite_reads {
                Some(reads) => reads.row(SQL, [user_id], |row| row.get(0))?,
                None => sqlx::query_scalar(SQL)
                    .bind(user_id.to_owned())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(store_error)?,
            };
            match tier {
                Some(tier) => KycTier::parse(&tier).ok_or_else(|| corrupt("KYC tier")),
                None => Ok(KycTier::Unverified),
            }
        })
    }

    fn set_kyc_tier<'a>(
        &'a self,
        user_id: &'a str,
        tier: KycTier,
        at: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO kyc_tiers (user_id, tier, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id) DO UPDATE SET tier = excluded.tier, updated_at = excluded.updated_at",
            )
            .bind(user_id.to_owned())
            .bind(tier.code())
            .bind(at)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            Ok(())
        })
    }

    fn keep_top_up_key<'a>(
        &'a self,
        record_id: &'a str,
        user_id: &'a str,
        ledger_key: &'a str,
        at: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.keep_top_up_key_now(record_id, user_id, ledger_key, at))
    }

    fn top_up_key<'a>(
        &'a self,
        record_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
        Box::pin(self.top_up_key_now(record_id))
    }

    fn processing_top_ups<'a>(
        &'a self,
        before: UnixSeconds,
        limit: u32,
    ) -> BoxFuture<'a, Result<Vec<TransactionRecord>, StoreError>> {
        Box::pin(self.processing_top_ups_now(before, limit))
    }

    fn ledger_entry_exists<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(self.ledger_entry_exists_now(id))
    }

    fn ledger_entry_of_key<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
        Box::pin(async move {
            // SQLite finds keys by the hash of their text (migration 0030), PostgreSQL by the text.
            if let Some(reads) = &self.sqlite_reads {
                return reads.row(
                    "SELECT entry_id FROM ledger_idempotency_keys WHERE key_hash = ?1 AND key = ?2",
                    rusqlite::params![crate::sqlite_ledger::key_hash(key), key],
                    |row| row.get(0),
                );
            }
            let query = match self.dialect {
                crate::database::Dialect::Sqlite => sqlx::query(
                    "SELECT entry_id FROM ledger_idempotency_keys WHERE key_hash = $1 AND key = $2",
                )
                .bind(crate::sqlite_ledger::key_hash(key)),
                crate::database::Dialect::Postgres => {
                    sqlx::query("SELECT entry_id FROM ledger_idempotency_keys WHERE key = $1")
                }
            };
            let row = query
                .bind(key.to_owned())
                .fetch_optional(&self.pool)
                .await
                .map_err(store_error)?;
            row.map(|row| get(&row, 0)).transpose()
        })
    }

    fn stored_response<'a>(
        &'a self,
        user_id: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredResponse>, StoreError>> {
        Box::pin(async move {
            const SQL: &str = "SELECT request_hash, status, body FROM http_idempotency WHERE user_id = $1 AND idem_key = $2";
            if let Some(reads) = &self.sqlite_reads {
                let Some((request_hash, status, body)) = reads.row(SQL, [user_id, key], |row| {
                    Ok((row.get(0)?, row.get::<_, i64>(1)?, row.get(2)?))
                })?
                else {
                    return Ok(None);
                };
                return Ok(Some(StoredResponse {
                    request_hash,
                    status: u16::try_from(status).map_err(|_| corrupt("status"))?,
                    body,
                }));
            }
            let row = sqlx::query(SQL)
                .bind(user_id.to_owned())
                .bind(key.to_owned())
                .fetch_optional(&self.pool)
                .await
                .map_err(store_error)?;
            row.map(|row| {
                let status: i64 = get(&row, 1)?;
                Ok(StoredResponse {
                    request_hash: get(&row, 0)?,
                    status: u16::try_from(status).map_err(|_| corrupt("status"))?,
                    body: get(&row, 2)?,
                })
            })
            .transpose()
        })
    }

    fn save_response<'a>(
        &'a self,
        user_id: &'a str,
        key: &'a str,
        response: &'a StoredResponse,
        at: UnixSeconds,
    ) -> BoxFuture<'a, Result<StoredResponse, StoreError>> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO http_idempotency (user_id, idem_key, request_hash, status, body, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, idem_key) DO NOTHING",
            )
            .bind(user_id.to_owned())
            .bind(key.to_owned())
            .bind(response.request_hash.clone())
            .bind(i64::from(response.status))
            .bind(response.body.clone())
            .bind(at)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            self.stored_response(user_id, key)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    fn find_user<'a>(
        &'a self,
        login: &'a str,
    ) -> BoxFuture<'a, Result<Option<WalletUser>, StoreError>> {
        Box::pin(async move {
            let column = if login.starts_with("usr_") {
                "id"
            } else if login.contains('@') {
                "email"
            } else {
                "phone"
            };
            let sql = format!(
                "SELECT id, email, phone, locale, created_at FROM users WHERE {column} = $1"
            );
            if let Some(reads) = &self.sqlite_reads {
                return reads.row(&sql, [login], wallet_user_from_sqlite);
            }
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(login.to_owned())
                .fetch_optional(&self.pool)
                .await
                .map_err(store_error)?;
            row.map(|row| wallet_user_from(&row)).transpose()
        })
    }

    fn open_wallets<'a>(
        &'a self,
        accounts: &'a [AccountId],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            // Most movements meet wallets that are open already: skip the write transaction.
            let mut missing = Vec::new();
            for account in accounts {
                if LedgerStore::balance(self, account).await?.is_none() {
                    missing.push(account.clone());
                }
            }
            if missing.is_empty() {
                return Ok(());
            }
            LedgerStore::open_accounts(self, &missing).await
        })
    }

    fn balances<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<(Currency, Balance)>, StoreError>> {
        Box::pin(async move {
            let rows = sqlx::query(
                "SELECT currency, posted, pending_debits, pending_credits FROM ledger_accounts \
                 WHERE owner_id = $1 ORDER BY currency",
            )
            .bind(user_id.to_owned())
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
            rows.iter()
                .map(|row| {
                    let code: String = get(row, 0)?;
                    Ok((currency(&code)?, crate::ledger_store::balance_from(row, 1)?))
                })
                .collect()
        })
    }

    fn write_batch<'a>(
        &'a self,
        records: &'a [(TransactionRecord, Option<LimitKind>)],
        messages: &'a [OutboundMessage],
        responses: &'a [ResponseToKeep],
    ) -> BoxFuture<'a, Result<Vec<StoredResponse>, StoreError>> {
        Box::pin(self.write_batch_now(records, messages, responses))
    }

    fn enqueue_message<'a>(
        &'a self,
        message: &'a OutboundMessage,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(OutboxStore::enqueue(self, message))
    }

    fn maintenance_candidates<'a>(
        &'a self,
        after: &'a str,
        limit: u32,
    ) -> BoxFuture<'a, Result<Vec<MaintenanceCandidate>, StoreError>> {
        Box::pin(async move {
            // An exchange's record carries the source currency; the wallet it arrived in counts
            // it as activity too. Accounts keep their opening in milliseconds.
            let rows = sqlx::query(
                "SELECT a.id, a.owner_id, a.currency, a.posted - a.pending_debits, \
                 COALESCE((SELECT MAX(r.created_at) FROM wallet_records r WHERE r.user_id = a.owner_id \
                   AND (r.currency = a.currency OR r.arrived_currency = a.currency) \
                   AND r.kind <> 'maintenance_fee'), a.created_at / 1000), \
                 (SELECT MAX(r.created_at) FROM wallet_records r WHERE r.user_id = a.owner_id \
                   AND r.currency = a.currency AND r.kind = 'maintenance_fee') \
                 FROM ledger_accounts a WHERE a.kind = 'user_wallet' AND a.id > $1 \
                 AND a.posted - a.pending_debits > 0 ORDER BY a.id LIMIT $2",
            )
            .bind(after.to_owned())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
            rows.iter()
                .map(|row| {
                    let code: String = get(row, 2)?;
                    Ok(MaintenanceCandidate {
                        account_id: get(row, 0)?,
                        user_id: get(row, 1)?,
                        currency: currency(&code)?,
                        available: Amount::from_minor(get(row, 3)?),
                        last_activity_at: get(row, 4)?,
                        last_charged_at: get(row, 5)?,
                    })
                })
                .collect()
        })
    }

    fn insert_notice_once<'a>(
        &'a self,
        notice: &'a domain::identity::Notice,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let done = sqlx::query(
                "INSERT INTO notices (id, user_id, kind, title_zh, body_zh, title_en, body_en, \
                 created_at, read_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(notice.id.clone())
            .bind(notice.user_id.clone())
            .bind(notice.kind.clone())
            .bind(notice.title_zh.clone())
            .bind(notice.body_zh.clone())
            .bind(notice.title_en.clone())
            .bind(notice.body_en.clone())
            .bind(notice.created_at)
            .bind(notice.read_at)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            Ok(done.rows_affected() == 1)
        })
    }
}
