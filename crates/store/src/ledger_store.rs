//! The ledger's batch write: lock what a batch touches in one order, apply in memory, write once.

use std::collections::{BTreeSet, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use ledger::{
    AccountId, Action, Applied, Balance, Book, Change, EntryId, EntryStatus, KeyRecord, KnownEntry,
    LedgerCommand, Posting, Rejection,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::bulk::{chunks, execute_chunked, list_placeholders};
use crate::database::Store;
use crate::error::store_error;
use domain::{LedgerStore, StoreError};

/// How often a batch is retried when another process committed one of its idempotency keys
/// between our read and our write; the retry then sees the key and replays it.
const KEY_RACE_RETRIES_MAX: usize = 5;

enum BatchFailure {
    KeyRace,
    Store(StoreError),
}

impl From<StoreError> for BatchFailure {
    fn from(error: StoreError) -> Self {
        BatchFailure::Store(error)
    }
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64)
}

impl LedgerStore for Store {
    async fn apply_batch(
        &self,
        commands: &[LedgerCommand],
    ) -> Result<Vec<Result<Applied, Rejection>>, StoreError> {
        for _ in 0..KEY_RACE_RETRIES_MAX {
            match self.try_apply_batch(commands).await {
                Ok(results) => return Ok(results),
                Err(BatchFailure::KeyRace) => continue,
                Err(BatchFailure::Store(error)) => return Err(error),
            }
        }
        Err(StoreError::Conflict {
            constraint: "ledger_idempotency_keys".into(),
        })
    }

    async fn open_accounts(&self, accounts: &[AccountId]) -> Result<(), StoreError> {
        let mut sorted: Vec<&AccountId> = accounts.iter().collect();
        sorted.sort();
        sorted.dedup();
        let created_at = now_ms();
        let mut transaction = self
            .pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)?;
        execute_chunked(
            &mut transaction,
            self.dialect,
            &sorted,
            5,
            |values| {
                format!(
                    "INSERT INTO ledger_accounts (id, kind, currency, owner_id, created_at) VALUES {values} \
                     ON CONFLICT (id) DO NOTHING"
                )
            },
            |query, account| {
                query
                    .bind(account.as_str())
                    .bind(account.kind().name())
                    .bind(account.currency().code())
                    .bind(account.owner())
                    .bind(created_at)
            },
        )
        .await?;
        transaction.commit().await.map_err(store_error)
    }

    async fn balance(&self, account: &AccountId) -> Result<Option<Balance>, StoreError> {
        let row = sqlx::query(
            "SELECT posted, pending_debits, pending_credits FROM ledger_accounts WHERE id = $1",
        )
        .bind(account.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(store_error)?;
        row.map(|row| balance_from(&row, 0)).transpose()
    }

    async fn verify(&self) -> Result<ledger::VerifyReport, StoreError> {
        crate::verify::verify(self).await
    }
}

impl Store {
    async fn try_apply_batch(
        &self,
        commands: &[LedgerCommand],
    ) -> Result<Vec<Result<Applied, Rejection>>, BatchFailure> {
        let mut transaction = self
            .pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)?;
        let mut book = Book::new();

        // Lock order, the same in every process: holds (by id), then accounts (by id). Keys are
        // only read; a key another process writes meanwhile is caught when ours is inserted.
        let hold_ids: BTreeSet<&EntryId> = commands
            .iter()
            .filter_map(|command| match &command.action {
                Action::PostHold(id) | Action::VoidHold(id) => Some(id),
                Action::Post(_) | Action::Hold(_) => None,
            })
            .collect();
        let hold_accounts = self
            .load_holds(&mut transaction, &hold_ids, &mut book)
            .await?;
        let keys: BTreeSet<&str> = commands
            .iter()
            .filter_map(|command| command.idempotency_key.as_deref())
            .collect();
        self.load_keys(&mut transaction, &keys, &mut book).await?;
        let mut accounts: BTreeSet<&AccountId> =
            commands.iter().flat_map(LedgerCommand::accounts).collect();
        accounts.extend(hold_accounts.iter());
        self.load_accounts(&mut transaction, &accounts, &mut book)
            .await?;

        let results: Vec<Result<Applied, Rejection>> = commands
            .iter()
            .map(|command| book.execute(command))
            .collect();
        let (changes, touched) = book.take_changes();
        self.write_changes(&mut transaction, &changes, &touched, &book)
            .await?;
        transaction.commit().await.map_err(store_error)?;
        Ok(results)
    }

    /// Loads the holds a batch resolves and returns the accounts their postings touch.
    async fn load_holds(
        &self,
        connection: &mut AnyConnection,
        hold_ids: &BTreeSet<&EntryId>,
        book: &mut Book,
    ) -> Result<Vec<AccountId>, StoreError> {
        let ids: Vec<&str> = hold_ids.iter().map(|id| id.as_str()).collect();
        let mut statuses: HashMap<String, EntryStatus> = HashMap::new();
        let mut postings: HashMap<String, Vec<Posting>> = HashMap::new();
        for chunk in chunks(&ids) {
            let placeholders = list_placeholders(self.dialect, chunk.len());
            let sql = format!(
                "SELECT id, status FROM ledger_entries WHERE id IN ({placeholders}) ORDER BY id{}",
                self.dialect.lock_rows()
            );
            for row in bind_all(sqlx::query(AssertSqlSafe(sql)), chunk)
                .fetch_all(&mut *connection)
                .await
                .map_err(store_error)?
            {
                let id: String = row.try_get(0).map_err(store_error)?;
                let status: String = row.try_get(1).map_err(store_error)?;
                let status = EntryStatus::parse(&status)
                    .ok_or_else(|| corrupt(&format!("entry {id} has status {status}")))?;
                statuses.insert(id, status);
            }
            let sql = format!(
                "SELECT entry_id, account_id, amount FROM ledger_postings WHERE entry_id IN ({placeholders}) ORDER BY entry_id, leg"
            );
            for row in bind_all(sqlx::query(AssertSqlSafe(sql)), chunk)
                .fetch_all(&mut *connection)
                .await
                .map_err(store_error)?
            {
                let entry_id: String = row.try_get(0).map_err(store_error)?;
                let account = parse_account(&row.try_get::<String, _>(1).map_err(store_error)?)?;
                let amount = ledger::Amount::from_minor(row.try_get(2).map_err(store_error)?);
                postings
                    .entry(entry_id)
                    .or_default()
                    .push(Posting { account, amount });
            }
        }
        let mut accounts = Vec::new();
        for (id, status) in statuses {
            let entry_postings = postings.remove(&id).unwrap_or_default();
            accounts.extend(entry_postings.iter().map(|posting| posting.account.clone()));
            let entry_id = EntryId::parse(&id).map_err(|_| corrupt(&format!("entry id {id}")))?;
            book.load_entry(
                entry_id,
                KnownEntry {
                    postings: entry_postings,
                    status,
                },
            );
        }
        Ok(accounts)
    }

    async fn load_keys(
        &self,
        connection: &mut AnyConnection,
        keys: &BTreeSet<&str>,
        book: &mut Book,
    ) -> Result<(), StoreError> {
        let keys: Vec<&str> = keys.iter().copied().collect();
        for chunk in chunks(&keys) {
            let sql = format!(
                "SELECT key, fingerprint, entry_id, status FROM ledger_idempotency_keys WHERE key IN ({})",
                list_placeholders(self.dialect, chunk.len())
            );
            for row in bind_all(sqlx::query(AssertSqlSafe(sql)), chunk)
                .fetch_all(&mut *connection)
                .await
                .map_err(store_error)?
            {
                let key: String = row.try_get(0).map_err(store_error)?;
                let entry_id: String = row.try_get(2).map_err(store_error)?;
                let status: String = row.try_get(3).map_err(store_error)?;
                let record = KeyRecord {
                    fingerprint: row.try_get(1).map_err(store_error)?,
                    entry_id: EntryId::parse(&entry_id)
                        .map_err(|_| corrupt(&format!("entry id {entry_id}")))?,
                    status: EntryStatus::parse(&status)
                        .ok_or_else(|| corrupt(&format!("key status {status}")))?,
                };
                book.load_key(key, record);
            }
        }
        Ok(())
    }

    async fn load_accounts(
        &self,
        connection: &mut AnyConnection,
        accounts: &BTreeSet<&AccountId>,
        book: &mut Book,
    ) -> Result<(), StoreError> {
        let ids: Vec<&str> = accounts.iter().map(|account| account.as_str()).collect();
        for chunk in chunks(&ids) {
            // Sorted chunks, each locked in id order: every process locks accounts in one order.
            let sql = format!(
                "SELECT posted, pending_debits, pending_credits, id FROM ledger_accounts WHERE id IN ({}) ORDER BY id{}",
                list_placeholders(self.dialect, chunk.len()),
                self.dialect.lock_rows()
            );
            for row in bind_all(sqlx::query(AssertSqlSafe(sql)), chunk)
                .fetch_all(&mut *connection)
                .await
                .map_err(store_error)?
            {
                let account = parse_account(&row.try_get::<String, _>(3).map_err(store_error)?)?;
                book.load_account(account, balance_from(&row, 0)?);
            }
        }
        Ok(())
    }

    async fn write_changes(
        &self,
        connection: &mut AnyConnection,
        changes: &[Change],
        touched: &[AccountId],
        book: &Book,
    ) -> Result<(), BatchFailure> {
        let now = now_ms();
        // An entry created and resolved in the same batch is written once, with its final status.
        let mut resolved: HashMap<&EntryId, EntryStatus> = HashMap::new();
        for change in changes {
            if let Change::EntryResolved { entry_id, status } = change {
                resolved.insert(entry_id, *status);
            }
        }
        let mut created: Vec<(&EntryId, EntryStatus, &str)> = Vec::new();
        let mut legs: Vec<(&EntryId, i64, &Posting)> = Vec::new();
        let mut keys: Vec<(&str, &KeyRecord)> = Vec::new();
        for change in changes {
            match change {
                Change::EntryCreated {
                    entry_id,
                    status,
                    postings,
                    memo,
                } => {
                    let status = resolved.remove(entry_id).unwrap_or(*status);
                    created.push((entry_id, status, memo));
                    legs.extend(
                        postings
                            .iter()
                            .enumerate()
                            .map(|(leg, posting)| (entry_id, leg as i64, posting)),
                    );
                }
                Change::KeyRecorded { key, record } => keys.push((key, record)),
                Change::EntryResolved { .. } => {}
            }
        }
        execute_chunked(
            connection,
            self.dialect,
            &created,
            5,
            |values| format!("INSERT INTO ledger_entries (id, status, memo, created_at, resolved_at) VALUES {values}"),
            |query, (id, status, memo)| {
                let resolved_at = (*status != EntryStatus::Pending).then_some(now);
                query.bind(id.as_str()).bind(status.name()).bind(*memo).bind(now).bind(resolved_at)
            },
        )
        .await?;
        execute_chunked(
            connection,
            self.dialect,
            &legs,
            4,
            |values| format!("INSERT INTO ledger_postings (entry_id, leg, account_id, amount) VALUES {values}"),
            |query, (entry_id, leg, posting)| {
                query.bind(entry_id.as_str()).bind(*leg).bind(posting.account.as_str()).bind(posting.amount.minor())
            },
        )
        .await?;
        let inserted_keys = execute_chunked(
            connection,
            self.dialect,
            &keys,
            5,
            |values| {
                format!(
                    "INSERT INTO ledger_idempotency_keys (key, fingerprint, entry_id, status, created_at) VALUES {values} \
                     ON CONFLICT (key) DO NOTHING"
                )
            },
            |query, (key, record)| {
                query.bind(*key).bind(record.fingerprint.as_str()).bind(record.entry_id.as_str()).bind(record.status.name()).bind(now)
            },
        )
        .await?;
        if inserted_keys != keys.len() as u64 {
            // Another process committed one of these keys after we read them: start over so the
            // key is replayed instead of moving money twice. Dropping the transaction rolls back.
            return Err(BatchFailure::KeyRace);
        }
        let mut resolutions: Vec<(&EntryId, EntryStatus)> = resolved.into_iter().collect();
        resolutions.sort_by(|a, b| a.0.cmp(b.0));
        for (entry_id, status) in resolutions {
            sqlx::query("UPDATE ledger_entries SET status = $1, resolved_at = $2 WHERE id = $3 AND status = 'pending'")
                .bind(status.name())
                .bind(now)
                .bind(entry_id.as_str())
                .execute(&mut *connection)
                .await
                .map_err(store_error)?;
        }
        let balances: Vec<(&AccountId, Balance)> = touched
            .iter()
            .map(|account| {
                (
                    account,
                    book.balance(account).expect("touched accounts are loaded"),
                )
            })
            .collect();
        execute_chunked(
            connection,
            self.dialect,
            &balances,
            4,
            |values| {
                format!(
                    "UPDATE ledger_accounts SET posted = v.column2, pending_debits = v.column3, pending_credits = v.column4 \
                     FROM (VALUES {values}) AS v WHERE ledger_accounts.id = v.column1"
                )
            },
            |query, (account, balance)| {
                query
                    .bind(account.as_str())
                    .bind(balance.posted.minor())
                    .bind(balance.pending_debits.minor())
                    .bind(balance.pending_credits.minor())
            },
        )
        .await?;
        Ok(())
    }
}

fn bind_all<'q>(
    mut query: crate::bulk::AnyQuery<'q>,
    values: &'q [&str],
) -> crate::bulk::AnyQuery<'q> {
    for value in values {
        query = query.bind(*value);
    }
    query
}

pub(crate) fn balance_from(row: &AnyRow, first_column: usize) -> Result<Balance, StoreError> {
    let amount = |index: usize| {
        row.try_get::<i64, _>(first_column + index)
            .map(ledger::Amount::from_minor)
            .map_err(store_error)
    };
    Ok(Balance {
        posted: amount(0)?,
        pending_debits: amount(1)?,
        pending_credits: amount(2)?,
    })
}

fn parse_account(text: &str) -> Result<AccountId, StoreError> {
    AccountId::parse(text).map_err(|_| corrupt(&format!("account id {text}")))
}

/// Data the store wrote that it cannot read back: a bug or tampering, never user input.
fn corrupt(what: &str) -> StoreError {
    StoreError::Unavailable(format!("unreadable ledger data: {what}"))
}
