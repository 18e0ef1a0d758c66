//! The ledger's batch write: lock what a batch touches in one order, apply in memory, write once.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use ledger::{
    AccountId, Action, Applied, Balance, Book, Change, EntryId, EntryStatus, KeyRecord, KnownEntry,
    LedgerCommand, Rejection,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::bulk::{Column, JsonRows, json_strings};
use crate::database::Store;
use crate::error::store_error;
use crate::legs::{decode_legs, encode_legs};
use crate::wallet_batch::AttachedRows;
use domain::store_port::BatchAnswers;
use domain::wallet::{StoredResponse, WriteJob};
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
        if let Some(ledger) = &self.sqlite_ledger {
            return ledger.apply_batch(commands.to_vec()).await;
        }
        let (results, _) = self.apply_batch_retrying(commands, None).await?;
        Ok(results)
    }

    fn start_batch(
        self: &Arc<Self>,
        commands: Vec<LedgerCommand>,
        attached: Vec<Option<WriteJob>>,
    ) -> impl Future<Output = Result<BatchAnswers, StoreError>> + Send + 'static {
        let count = commands.len();
        let attached = AttachedRows::new(self.dialect, attached);
        // On SQLite the batch is queued for the ledger's thread here, before the future is
        // polled, so batches keep the order the writer started them in.
        let queued = match &self.sqlite_ledger {
            Some(ledger) => Ok(ledger.apply_batch_with(commands, attached)),
            None => Err((commands, attached)),
        };
        let store = Arc::clone(self);
        async move {
            let (results, kept) = match queued {
                Ok(answered) => answered.await?,
                Err((commands, attached)) => {
                    store
                        .apply_batch_retrying(&commands, attached.as_ref())
                        .await?
                }
            };
            debug_assert_eq!(results.len(), count, "the store answers every command");
            let mut kept = kept.into_iter();
            Ok(results
                .into_iter()
                .map(|result| (result, kept.next().flatten()))
                .collect())
        }
    }

    /// Two on SQLite: the ledger's thread starts the next batch the moment the one before
    /// commits. One on PostgreSQL, where two batches of one process would only wait for each
    /// other's row locks.
    fn batches_in_flight_max(&self) -> usize {
        match self.sqlite_ledger {
            Some(_) => 2,
            None => 1,
        }
    }

    async fn open_accounts(&self, accounts: &[AccountId]) -> Result<(), StoreError> {
        let mut sorted: Vec<&AccountId> = accounts.iter().collect();
        sorted.sort();
        sorted.dedup();
        let created_at = now_ms();
        let mut rows = JsonRows::with_capacity(sorted.len());
        for account in sorted {
            rows.row()
                .text(account.as_str())
                .text(account.kind().name())
                .text(account.currency().code())
                .opt_text(account.owner())
                .int(created_at);
        }
        let source = self.dialect.json_rows(&[
            Column::Text("id"),
            Column::Text("kind"),
            Column::Text("currency"),
            Column::Text("owner_id"),
            Column::BigInt("created_at"),
        ]);
        // `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
        let sql = format!(
            "INSERT INTO ledger_accounts (id, kind, currency, owner_id, created_at) \
             SELECT id, kind, currency, owner_id, created_at FROM ({source}) AS r WHERE true ON CONFLICT (id) DO NOTHING"
        );
        let mut transaction = self
            .pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)?;
        sqlx::query(AssertSqlSafe(sql))
            .bind(rows.finish())
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
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
    /// Applies `commands` in one transaction of their own, beside the batched write path rather
    /// than through it: the benchmark's naive baseline, one transaction per transfer.
    pub async fn apply_in_own_transaction(
        &self,
        commands: &[LedgerCommand],
    ) -> Result<Vec<Result<Applied, Rejection>>, StoreError> {
        match &self.sqlite_ledger {
            Some(ledger) => ledger.apply_in_own_transaction(commands.to_vec()).await,
            None => {
                for _ in 0..KEY_RACE_RETRIES_MAX {
                    match self.try_apply_row_by_row(commands).await {
                        Ok(results) => return Ok(results),
                        Err(BatchFailure::KeyRace) => continue,
                        Err(BatchFailure::Store(error)) => return Err(error),
                    }
                }
                Err(StoreError::Conflict {
                    constraint: "ledger_idempotency_keys".into(),
                })
            }
        }
    }

    /// Applies a batch on PostgreSQL, again when another process raced it for a key.
    async fn apply_batch_retrying(
        &self,
        commands: &[LedgerCommand],
        attached: Option<&AttachedRows>,
    ) -> Result<(Vec<Result<Applied, Rejection>>, Vec<Option<StoredResponse>>), StoreError> {
        if let Some(ledger) = &self.sqlite_ledger {
            return ledger
                .apply_batch(commands.to_vec())
                .await
                .map(|results| (results, Vec::new()));
        }
        for _ in 0..KEY_RACE_RETRIES_MAX {
            match self.try_apply_batch(commands, attached).await {
                Ok(answered) => return Ok(answered),
                Err(BatchFailure::KeyRace) => continue,
                Err(BatchFailure::Store(error)) => return Err(error),
            }
        }
        Err(StoreError::Conflict {
            constraint: "ledger_idempotency_keys".into(),
        })
    }

    /// The naive baseline on PostgreSQL, as a ledger written straight on the database would do
    /// it: every row looked up by its key (`WHERE id = $1 FOR UPDATE`, holds then accounts in id
    /// order), the entry and key inserted and each balance updated by its own statement, then a
    /// durable commit. Not the batch's statements: those take their ids as one JSON list, which
    /// PostgreSQL plans as a scan of the whole table when it cannot see the list's length, and
    /// a baseline paying for that scan would flatter the batched path.
    async fn try_apply_row_by_row(
        &self,
        commands: &[LedgerCommand],
    ) -> Result<Vec<Result<Applied, Rejection>>, BatchFailure> {
        let mut transaction = self
            .pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)?;
        let mut book = Book::new();
        let hold_ids: BTreeSet<&EntryId> = commands
            .iter()
            .filter_map(|command| match &command.action {
                Action::PostHold(id) | Action::VoidHold(id) => Some(id),
                Action::Post(_) | Action::Hold(_) => None,
            })
            .collect();
        let mut hold_accounts = Vec::new();
        for id in hold_ids {
            let row =
                sqlx::query("SELECT id, status, legs FROM ledger_entries WHERE id = $1 FOR UPDATE")
                    .bind(id.as_str())
                    .fetch_optional(&mut *transaction)
                    .await
                    .map_err(store_error)?;
            if let Some(row) = row {
                load_entry_row(&row, &mut book, &mut hold_accounts)?;
            }
        }
        let keys: BTreeSet<&str> = commands
            .iter()
            .filter_map(|command| command.idempotency_key.as_deref())
            .collect();
        for key in keys {
            let row = sqlx::query(
                "SELECT key, fingerprint, entry_id, status FROM ledger_idempotency_keys \
                 WHERE key = $1",
            )
            .bind(key)
            .fetch_optional(&mut *transaction)
            .await
            .map_err(store_error)?;
            if let Some(row) = row {
                load_key_row(&row, &mut book)?;
            }
        }
        let mut accounts: BTreeSet<&AccountId> =
            commands.iter().flat_map(LedgerCommand::accounts).collect();
        accounts.extend(hold_accounts.iter());
        for account in accounts {
            let row = sqlx::query(
                "SELECT posted, pending_debits, pending_credits FROM ledger_accounts \
                 WHERE id = $1 FOR UPDATE",
            )
            .bind(account.as_str())
            .fetch_optional(&mut *transaction)
            .await
            .map_err(store_error)?;
            if let Some(row) = row {
                book.load_account(account.clone(), balance_from(&row, 0)?);
            }
        }

        let results: Vec<Result<Applied, Rejection>> = commands
            .iter()
            .map(|command| book.execute(command))
            .collect();
        let (changes, touched) = book.take_changes();
        let now = now_ms();
        let mut resolved: HashMap<&EntryId, EntryStatus> = HashMap::new();
        for change in &changes {
            if let Change::EntryResolved { entry_id, status } = change {
                resolved.insert(entry_id, *status);
            }
        }
        for change in &changes {
            match change {
                Change::EntryCreated {
                    entry_id,
                    status,
                    postings,
                    memo,
                } => {
                    let status = resolved.remove(entry_id).unwrap_or(*status);
                    sqlx::query(
                        "INSERT INTO ledger_entries \
                         (id, status, legs, memo, created_at, resolved_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(entry_id.as_str())
                    .bind(status.name())
                    .bind(encode_legs(postings))
                    .bind(memo.as_str())
                    .bind(now)
                    .bind((status != EntryStatus::Pending).then_some(now))
                    .execute(&mut *transaction)
                    .await
                    .map_err(store_error)?;
                }
                Change::KeyRecorded { key, record } => {
                    let inserted = sqlx::query(
                        "INSERT INTO ledger_idempotency_keys \
                         (key, fingerprint, entry_id, status, created_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(key.as_str())
                    .bind(record.fingerprint.as_str())
                    .bind(record.entry_id.as_str())
                    .bind(record.status.name())
                    .bind(now)
                    .execute(&mut *transaction)
                    .await
                    .map_err(store_error);
                    // Committed by someone else since we read it: start over and replay it.
                    match inserted {
                        Ok(_) => {}
                        Err(StoreError::Conflict { .. }) => return Err(BatchFailure::KeyRace),
                        Err(error) => return Err(error.into()),
                    }
                }
                Change::EntryResolved { .. } => {}
            }
        }
        for (entry_id, status) in resolved {
            sqlx::query(
                "UPDATE ledger_entries SET status = $1, resolved_at = $2 \
                 WHERE id = $3 AND status = 'pending'",
            )
            .bind(status.name())
            .bind(now)
            .bind(entry_id.as_str())
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
        }
        for account in &touched {
            let balance = book.balance(account).expect("touched accounts are loaded");
            sqlx::query(
                "UPDATE ledger_accounts SET posted = $1, pending_debits = $2, \
                 pending_credits = $3 WHERE id = $4",
            )
            .bind(balance.posted.minor())
            .bind(balance.pending_debits.minor())
            .bind(balance.pending_credits.minor())
            .bind(account.as_str())
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
        }
        transaction.commit().await.map_err(store_error)?;
        Ok(results)
    }

    async fn try_apply_batch(
        &self,
        commands: &[LedgerCommand],
        attached: Option<&AttachedRows>,
    ) -> Result<(Vec<Result<Applied, Rejection>>, Vec<Option<StoredResponse>>), BatchFailure> {
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
        let kept = match attached {
            Some(attached) => attached.write_sqlx(&mut transaction, &results).await?,
            None => Vec::new(),
        };
        transaction.commit().await.map_err(store_error)?;
        Ok((results, kept))
    }

    /// Loads the holds a batch resolves and returns the accounts their postings touch.
    async fn load_holds(
        &self,
        connection: &mut AnyConnection,
        hold_ids: &BTreeSet<&EntryId>,
        book: &mut Book,
    ) -> Result<Vec<AccountId>, StoreError> {
        let mut accounts = Vec::new();
        if hold_ids.is_empty() {
            return Ok(accounts);
        }
        let sql = format!(
            "SELECT id, status, legs FROM ledger_entries WHERE id IN ({}){}",
            self.dialect.json_texts(),
            self.dialect.lock_rows_in_id_order()
        );
        let ids = json_strings(hold_ids.iter().map(|id| id.as_str()));
        for row in fetch_all(connection, sql, ids).await? {
            load_entry_row(&row, book, &mut accounts)?;
        }
        Ok(accounts)
    }

    async fn load_keys(
        &self,
        connection: &mut AnyConnection,
        keys: &BTreeSet<&str>,
        book: &mut Book,
    ) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT key, fingerprint, entry_id, status FROM ledger_idempotency_keys WHERE key IN ({})",
            self.dialect.json_texts()
        );
        let keys = json_strings(keys.iter().copied());
        for row in fetch_all(connection, sql, keys).await? {
            load_key_row(&row, book)?;
        }
        Ok(())
    }

    async fn load_accounts(
        &self,
        connection: &mut AnyConnection,
        accounts: &BTreeSet<&AccountId>,
        book: &mut Book,
    ) -> Result<(), StoreError> {
        if accounts.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT posted, pending_debits, pending_credits, id FROM ledger_accounts WHERE id IN ({}){}",
            self.dialect.json_texts(),
            self.dialect.lock_rows_in_id_order()
        );
        let ids = json_strings(accounts.iter().map(|account| account.as_str()));
        let requested: HashMap<&str, &AccountId> = accounts
            .iter()
            .map(|account| (account.as_str(), *account))
            .collect();
        for row in fetch_all(connection, sql, ids).await? {
            let id: String = row.try_get(3).map_err(store_error)?;
            let account = match requested.get(id.as_str()) {
                Some(account) => (*account).clone(),
                None => parse_account(&id)?,
            };
            book.load_account(account, balance_from(&row, 0)?);
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
        let mut entry_rows = JsonRows::with_capacity(changes.len());
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
                    let resolved_at = (status != EntryStatus::Pending).then_some(now);
                    entry_rows
                        .row()
                        .text(entry_id.as_str())
                        .text(status.name())
                        .text(&encode_legs(postings))
                        .text(memo)
                        .int(now)
                        .opt_int(resolved_at);
                }
                Change::KeyRecorded { key, record } => keys.push((key, record)),
                Change::EntryResolved { .. } => {}
            }
        }
        let mut key_rows = JsonRows::with_capacity(keys.len());
        for (key, record) in &keys {
            key_rows
                .row()
                .text(key)
                .text(&record.fingerprint)
                .text(record.entry_id.as_str())
                .text(record.status.name())
                .int(now);
        }
        let dialect = self.dialect;
        let insert = |table: &str, columns: &[Column]| {
            let names: Vec<&str> = columns
                .iter()
                .map(|column| match column {
                    Column::Text(name) | Column::BigInt(name) => *name,
                })
                .collect();
            let names = names.join(", ");
            format!(
                "INSERT INTO {table} ({names}) SELECT {names} FROM ({}) AS r",
                dialect.json_rows(columns)
            )
        };
        if !entry_rows.is_empty() {
            let columns = [
                Column::Text("id"),
                Column::Text("status"),
                Column::Text("legs"),
                Column::Text("memo"),
                Column::BigInt("created_at"),
                Column::BigInt("resolved_at"),
            ];
            execute(
                connection,
                insert("ledger_entries", &columns),
                entry_rows.finish(),
            )
            .await?;
        }
        if !key_rows.is_empty() {
            let sql = insert(
                "ledger_idempotency_keys",
                &[
                    Column::Text("key"),
                    Column::Text("fingerprint"),
                    Column::Text("entry_id"),
                    Column::Text("status"),
                    Column::BigInt("created_at"),
                ],
            );
            // A key another process committed after we read the keys makes this insert fail:
            // start over, so the key is replayed instead of moving money twice. Dropping the
            // transaction rolls it back. (A plain insert: ON CONFLICT's speculative insertion
            // cost PostgreSQL more than the rare retry.)
            match execute(connection, sql, key_rows.finish()).await {
                Ok(_) => {}
                Err(StoreError::Conflict { .. }) => return Err(BatchFailure::KeyRace),
                Err(error) => return Err(error.into()),
            }
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
        if !touched.is_empty() {
            let mut balance_rows = JsonRows::with_capacity(touched.len());
            for account in touched {
                let balance = book.balance(account).expect("touched accounts are loaded");
                balance_rows
                    .row()
                    .text(account.as_str())
                    .int(balance.posted.minor())
                    .int(balance.pending_debits.minor())
                    .int(balance.pending_credits.minor());
            }
            let source = dialect.json_rows(&[
                Column::Text("id"),
                Column::BigInt("posted"),
                Column::BigInt("pending_debits"),
                Column::BigInt("pending_credits"),
            ]);
            let sql = format!(
                "UPDATE ledger_accounts SET posted = v.posted, pending_debits = v.pending_debits, \
                 pending_credits = v.pending_credits FROM ({source}) AS v WHERE ledger_accounts.id = v.id"
            );
            execute(connection, sql, balance_rows.finish()).await?;
        }
        Ok(())
    }
}

/// Runs a query whose only parameter is a JSON array (the rows or the `IN` list).
///
/// The batch's statements are not kept prepared (`persistent(false)`): PostgreSQL plans them
/// at every execution against the tables as they are then. A statement kept prepared gets a
/// generic plan after five executions, made from the sizes the tables had at that moment, and
/// keeps it until an ANALYZE invalidates it: a plan made when `ledger_idempotency_keys` was
/// empty scans the whole table for every batch, so each batch cost more than the one before
/// (with autovacuum off, for the life of the process). Planning costs well
/// under a millisecond; a batch carries thousands of transfers.
async fn fetch_all(
    connection: &mut AnyConnection,
    sql: String,
    parameter: String,
) -> Result<Vec<AnyRow>, StoreError> {
    sqlx::query(AssertSqlSafe(sql))
        .bind(parameter)
        .persistent(false)
        .fetch_all(connection)
        .await
        .map_err(store_error)
}

/// Runs a statement whose only parameter is a JSON array of rows; answers the rows affected.
/// Planned afresh at every execution, as `fetch_all` says why.
async fn execute(
    connection: &mut AnyConnection,
    sql: String,
    rows: String,
) -> Result<u64, StoreError> {
    let result = sqlx::query(AssertSqlSafe(sql))
        .bind(rows)
        .persistent(false)
        .execute(connection)
        .await
        .map_err(store_error)?;
    Ok(result.rows_affected())
}

/// Loads a `SELECT id, status, legs FROM ledger_entries` row into `book`; adds the accounts its
/// postings touch to `accounts`.
fn load_entry_row(
    row: &AnyRow,
    book: &mut Book,
    accounts: &mut Vec<AccountId>,
) -> Result<(), StoreError> {
    let id: String = row.try_get(0).map_err(store_error)?;
    let status: String = row.try_get(1).map_err(store_error)?;
    let status = EntryStatus::parse(&status)
        .ok_or_else(|| corrupt(&format!("entry {id} has status {status}")))?;
    let postings = decode_legs(&row.try_get::<String, _>(2).map_err(store_error)?)?;
    accounts.extend(postings.iter().map(|posting| posting.account.clone()));
    let entry_id = EntryId::parse(&id).map_err(|_| corrupt(&format!("entry id {id}")))?;
    book.load_entry(entry_id, KnownEntry { postings, status });
    Ok(())
}

/// Loads a `SELECT key, fingerprint, entry_id, status FROM ledger_idempotency_keys` row into
/// `book`.
fn load_key_row(row: &AnyRow, book: &mut Book) -> Result<(), StoreError> {
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
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use ledger::{Amount, BalancedEntry, Currency, PlatformAccount};

    /// On one connection: batches enough for PostgreSQL to settle on a generic plan, then the
    /// statements that connection keeps prepared. A batch statement kept there would be
    /// executed from the plan made when the tables were empty (a whole-table scan of the keys
    /// for every batch once they have grown, until an ANALYZE that may never come).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ledger_batches_on_postgresql_are_planned_for_the_tables_as_they_are_not_from_a_cached_plan()
     {
        let Some(url) = crate::scratch::test_postgres_database().await else {
            return;
        };
        let store = Store::connect(&url, 1).await.expect("PostgreSQL connects");
        store.migrate().await.expect("migrations apply");
        let wallet = AccountId::wallet("usr_a", Currency::Cny);
        let clearing = AccountId::platform(PlatformAccount::CardClearing, Currency::Cny);
        store
            .open_accounts(&[wallet.clone(), clearing.clone()])
            .await
            .expect("accounts open");
        for batch in 0..8 {
            let command = LedgerCommand::post(
                EntryId::parse(&format!("txn_{batch}")).expect("an id"),
                BalancedEntry::transfer(clearing.clone(), wallet.clone(), Amount::from_minor(5))
                    .expect("balanced"),
                "top-up",
            )
            .with_idempotency_key(format!("key_{batch}"));
            let results = store.apply_batch(&[command]).await.expect("commits");
            assert!(results[0].is_ok(), "{results:?}");
        }
        let kept: Vec<String> = sqlx::query_scalar(
            "SELECT statement FROM pg_prepared_statements \
             WHERE statement LIKE '%ledger_%' AND generic_plans > 0",
        )
        .persistent(false)
        .fetch_all(&store.pool)
        .await
        .expect("the session's prepared statements");
        assert!(
            kept.is_empty(),
            "ledger statements run from a cached generic plan: {kept:#?}"
        );
        assert_eq!(
            store
                .balance(&wallet)
                .await
                .expect("readable")
                .map(|b| b.posted.minor()),
            Some(40)
        );
        store.close().await;
    }
}
