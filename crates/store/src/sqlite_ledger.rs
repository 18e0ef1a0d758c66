//! The ledger's batch write on SQLite: rusqlite connections on two threads of their own, batch N+1 applied while batch N commits.
//!
//! Through sqlx's `Any` driver every row read is converted twice and every statement crosses
//! to sqlx's worker thread and back; a batch spent more time there than in SQLite. Here
//! synchronous rusqlite connections run cached prepared statements, one row at a time.
//!
//! The applier thread runs each batch through a `Book`: balances from its memory, keys and
//! holds from its read connection and from the batches still in flight. The committer thread
//! writes the batch's rows and commits (the fsync) while the applier already works on the next
//! batch; callers are answered only after their own batch's commit. `PRAGMA data_version`, read
//! under the write lock, tells the committer when another connection (another process, the
//! naive benchmark, `open_accounts`) committed since its last commit: the applier's memory may
//! then be stale, so the batch is applied afresh under the lock and the applier starts again
//! from the database (the epoch). A failed batch does the same.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use domain::StoreError;
use ledger::{
    AccountId, Action, Applied, Balance, Book, Change, EntryId, EntryStatus, KeyRecord, KnownEntry,
    LedgerCommand, Rejection,
};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

use crate::ledger_store::now_ms;
use crate::legs::{decode_legs, encode_legs};
use crate::wallet_batch::AttachedRows;
use domain::wallet::StoredResponse;

/// What a batch answers: one result per command, or why nothing in it was written.
pub(crate) type BatchOutcome = Result<Vec<Result<Applied, Rejection>>, StoreError>;

/// A batch's answer with, per command, the answer kept under its attached rows' key (empty when
/// the batch carried no rows).
pub(crate) type Answered =
    Result<(Vec<Result<Applied, Rejection>>, Vec<Option<StoredResponse>>), StoreError>;

/// Balances kept between batches; past this the cache starts again empty.
const CACHED_ACCOUNTS_MAX: usize = 1_000_000;
/// Connections kept for `apply_in_own_transaction`.
const SPARE_CONNECTIONS_MAX: usize = 16;

/// The 64-bit hash an idempotency key is indexed by: the first 8 bytes of its SHA-256. The
/// index holds 8-byte integers instead of the keys' text, so inserting a batch of random keys
/// dirties far fewer pages; a lookup compares the stored text too, so a collision costs a row
/// read, never a wrong answer.
pub(crate) fn key_hash(key: &str) -> i64 {
    let digest = Sha256::digest(key.as_bytes());
    let mut first = [0_u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_le_bytes(first)
}

/// What a batch leaves behind once answered; dropped on the caller's thread, not the writer's.
type Leftovers = (Vec<LedgerCommand>, Vec<Row>, Option<AttachedRows>);

struct Job {
    commands: Vec<LedgerCommand>,
    attached: Option<AttachedRows>,
    reply: oneshot::Sender<(Answered, Leftovers)>,
}

/// A batch the applier has run through its book, on its way to the committer.
struct Prepared {
    /// The applier's count of batches; the committer publishes the last one it finished.
    sequence: u64,
    /// The epoch the applier's memory was in; a batch from an older epoch is applied afresh.
    epoch: u64,
    results: Vec<Result<Applied, Rejection>>,
    rows: Vec<Row>,
    commands: Vec<LedgerCommand>,
    attached: Option<AttachedRows>,
    reply: oneshot::Sender<(Answered, Leftovers)>,
}

/// Work the committer runs on its own connection between batches: writes to tables the ledger
/// never reads (the wallet's records, notices, kept answers). A commit on the committer's own
/// connection leaves `PRAGMA data_version` as it was, so the applier's memory stays good; the
/// same write on another connection would make the next batch start again from the database.
type Beside = Box<dyn FnOnce(&mut Connection) + Send>;

/// What reaches the committer, in the order it must be done.
enum ToCommit {
    Batch(Prepared),
    Beside(Beside),
}

/// What the two threads tell each other.
#[derive(Debug, Default)]
struct Shared {
    /// Raised by the committer whenever what the applier remembers may be wrong: another
    /// connection committed, or a batch failed. The applier then forgets everything.
    epoch: AtomicU64,
    /// The sequence of the last batch the committer finished (committed or failed).
    finished: AtomicU64,
}

/// The SQLite write path, pipelined over two threads. The applier runs batch N+1 through a
/// `Book` (balances from memory, keys and holds from a read connection and from the batches
/// still in flight) while the committer writes and commits batch N. Callers are answered by
/// the committer, after their own batch's commit.
#[derive(Debug)]
pub(crate) struct SqliteLedger {
    path: PathBuf,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    /// Work for the committer's connection (see [`Beside`]).
    beside: Mutex<Option<mpsc::Sender<ToCommit>>>,
    spare: Mutex<Vec<Connection>>,
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
}

impl SqliteLedger {
    /// Opens the writing and the reading connection to the database file at `path` and starts
    /// the applier's and the committer's threads.
    pub(crate) fn start(path: &Path) -> Result<SqliteLedger, StoreError> {
        let shared = Arc::new(Shared::default());
        let connection = open(path)?;
        // A small page cache over a memory map: SQLite walks the whole cache's hash table at
        // the end of every commit (pcache1TruncateUnsafe: 13% of the committer's time with
        // 64 MiB, 5% with 8), and a page that fell out of it is read back from the map without
        // a system call.
        connection
            .execute_batch("PRAGMA cache_size = -2048; PRAGMA mmap_size = 1073741824;")
            .map_err(sqlite_error)?;
        let mut writer = Writer {
            connection,
            data_version: None,
        };
        // Commits by other connections from here on change it; the applier reads afterwards.
        writer.data_version = Some(writer.data_version_now()?);
        let mut applier = Applier {
            reader: open(path)?,
            cache: HashMap::new(),
            keys: HashMap::new(),
            entries: HashMap::new(),
            sequence: 0,
            epoch: 0,
            shared: Arc::clone(&shared),
        };
        let (jobs, job_receiver) = mpsc::channel::<Job>();
        let (prepared, prepared_receiver) = mpsc::channel::<ToCommit>();
        let beside = prepared.clone();
        let spawn_error = |error: std::io::Error| {
            StoreError::Unavailable(format!("starting the ledger: {error}"))
        };
        let applier_thread = std::thread::Builder::new()
            .name("okpay-ledger-apply".into())
            .spawn(move || {
                while let Ok(job) = job_receiver.recv() {
                    match applier.prepare(&job.commands) {
                        Ok((sequence, epoch, results, rows)) => {
                            let batch = Prepared {
                                sequence,
                                epoch,
                                results,
                                rows,
                                commands: job.commands,
                                attached: job.attached,
                                reply: job.reply,
                            };
                            if prepared.send(ToCommit::Batch(batch)).is_err() {
                                break;
                            }
                        }
                        // Nothing of it reached memory or the database.
                        Err(error) => {
                            let _ = job
                                .reply
                                .send((Err(error), (job.commands, Vec::new(), job.attached)));
                        }
                    }
                }
            })
            .map_err(spawn_error)?;
        let committer_thread = std::thread::Builder::new()
            .name("okpay-ledger-commit".into())
            .spawn(move || {
                while let Ok(next) = prepared_receiver.recv() {
                    let mut batch = match next {
                        ToCommit::Batch(batch) => batch,
                        ToCommit::Beside(work) => {
                            work(&mut writer.connection);
                            continue;
                        }
                    };
                    let outcome = writer.commit(&mut batch, &shared);
                    shared.finished.store(batch.sequence, Ordering::SeqCst);
                    // A caller that stopped waiting no longer needs its answer.
                    let _ = batch
                        .reply
                        .send((outcome, (batch.commands, batch.rows, batch.attached)));
                }
            })
            .map_err(spawn_error)?;
        Ok(SqliteLedger {
            path: path.to_owned(),
            jobs: Mutex::new(Some(jobs)),
            beside: Mutex::new(Some(beside)),
            spare: Mutex::new(Vec::new()),
            threads: Mutex::new(vec![applier_thread, committer_thread]),
        })
    }

    /// Queues `commands` behind every batch queued before and answers once they are durable.
    pub(crate) fn apply_batch(
        &self,
        commands: Vec<LedgerCommand>,
    ) -> impl Future<Output = BatchOutcome> + Send + 'static {
        let answered = self.apply_batch_with(commands, None);
        async move { answered.await.map(|(results, _)| results) }
    }

    /// [`SqliteLedger::apply_batch`], writing `attached`'s rows for the commands applied
    /// afresh in the batch's own transaction.
    pub(crate) fn apply_batch_with(
        &self,
        commands: Vec<LedgerCommand>,
        attached: Option<AttachedRows>,
    ) -> impl Future<Output = Answered> + Send + 'static {
        let (reply, answer) = oneshot::channel();
        let queued = self
            .jobs
            .lock()
            .expect("the job sender is never poisoned")
            .as_ref()
            .map(|jobs| {
                jobs.send(Job {
                    commands,
                    attached,
                    reply,
                })
                .is_ok()
            })
            .unwrap_or(false);
        async move {
            if !queued {
                return Err(closed());
            }
            match answer.await {
                Ok((outcome, _leftovers)) => outcome,
                Err(_) => Err(closed()),
            }
        }
    }

    /// Runs `work` on the committer's connection after the batches queued before, and answers
    /// what it answered. `work` must write only tables the ledger never reads, and commit or
    /// roll back whatever transaction it opens.
    pub(crate) fn write_beside<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> impl Future<Output = Result<T, StoreError>> + Send + 'static {
        let (reply, answer) = oneshot::channel();
        let beside: Beside = Box::new(move |connection| {
            let _ = reply.send(work(connection));
        });
        let queued = self
            .beside
            .lock()
            .expect("never poisoned")
            .as_ref()
            .is_some_and(|sender| sender.send(ToCommit::Beside(beside)).is_ok());
        async move {
            if !queued {
                return Err(closed());
            }
            answer.await.unwrap_or_else(|_| Err(closed()))
        }
    }

    /// Applies `commands` in a transaction of their own on a connection of their own, reading
    /// everything under the write lock and caching nothing: the naive baseline's path.
    pub(crate) async fn apply_in_own_transaction(
        &self,
        commands: Vec<LedgerCommand>,
    ) -> BatchOutcome {
        let spare = self.spare.lock().expect("never poisoned").pop();
        let connection = match spare {
            Some(connection) => connection,
            None => open(&self.path)?,
        };
        let (connection, outcome) = tokio::task::spawn_blocking(move || {
            let mut writer = Writer {
                connection,
                data_version: None,
            };
            let outcome = writer
                .apply_locked(&commands, None)
                .map(|(results, _)| results);
            (writer.connection, outcome)
        })
        .await
        .map_err(|error| StoreError::Unavailable(format!("the transaction's task: {error}")))?;
        let mut spare = self.spare.lock().expect("never poisoned");
        if spare.len() < SPARE_CONNECTIONS_MAX {
            spare.push(connection);
        }
        outcome
    }

    /// Stops both threads once the batches queued before have been answered, and returns when
    /// every connection of the ledger's is closed (a restore may move the file right after).
    pub(crate) async fn close(&self) {
        self.jobs.lock().expect("never poisoned").take();
        self.beside.lock().expect("never poisoned").take();
        self.spare.lock().expect("never poisoned").clear();
        let threads = std::mem::take(&mut *self.threads.lock().expect("never poisoned"));
        let joined = tokio::task::spawn_blocking(move || {
            for thread in threads {
                let _ = thread.join();
            }
        })
        .await;
        if let Err(error) = joined {
            tracing::warn!(%error, "the ledger's threads did not stop cleanly");
        }
    }

    /// Fills in the hash of keys written before the hashed index existed (migration 0030).
    pub(crate) async fn backfill_key_hashes(&self) -> Result<(), StoreError> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || -> Result<(), StoreError> {
            let mut connection = open(&path)?;
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sqlite_error)?;
            {
                let mut unhashed = transaction
                    .prepare(
                        "SELECT rowid, key FROM ledger_idempotency_keys WHERE key_hash IS NULL",
                    )
                    .map_err(sqlite_error)?;
                let rows: Vec<(i64, String)> = unhashed
                    .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                    .map_err(sqlite_error)?
                    .collect::<Result<_, _>>()
                    .map_err(sqlite_error)?;
                let mut update = transaction
                    .prepare("UPDATE ledger_idempotency_keys SET key_hash = ?1 WHERE rowid = ?2")
                    .map_err(sqlite_error)?;
                for (rowid, key) in rows {
                    update
                        .execute(params![key_hash(&key), rowid])
                        .map_err(sqlite_error)?;
                }
            }
            transaction.commit().map_err(sqlite_error)
        })
        .await
        .map_err(|error| StoreError::Unavailable(format!("the backfill's task: {error}")))?
    }
}

fn closed() -> StoreError {
    StoreError::Unavailable("the SQLite ledger is closed".into())
}

/// The write-ahead log beside the database file at `path`.
pub(crate) fn wal_path(path: &Path) -> PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    PathBuf::from(wal)
}

/// A connection set up as every OKPay connection is: WAL, durable commits, a patient lock wait,
/// checkpoints left to the background task.
fn open(path: &Path) -> Result<Connection, StoreError> {
    let connection = Connection::open(path).map_err(sqlite_error)?;
    connection
        .execute_batch(
            "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
             PRAGMA wal_autocheckpoint = 0; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536; \
             PRAGMA temp_store = MEMORY; PRAGMA journal_size_limit = 67108864;",
        )
        .map_err(sqlite_error)?;
    connection.set_prepared_statement_cache_capacity(32);
    Ok(connection)
}

pub(crate) fn sqlite_error(error: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(format!("SQLite: {error}"))
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Unavailable(format!("unreadable ledger data: {what}"))
}

/// The applier: its read connection and what it remembers of balances, keys and entries.
struct Applier {
    reader: Connection,
    /// Balances as of the last batch prepared (committed or still in flight).
    cache: HashMap<AccountId, Balance>,
    /// Keys recorded by batches not yet finished, with the batch's sequence.
    keys: HashMap<String, (u64, KeyRecord)>,
    /// Entries created or resolved by batches not yet finished (posted ones without their legs:
    /// only their status matters, to refuse resolving them as holds).
    entries: HashMap<EntryId, (u64, KnownEntry)>,
    sequence: u64,
    epoch: u64,
    shared: Arc<Shared>,
}

type PreparedBatch = (u64, u64, Vec<Result<Applied, Rejection>>, Vec<Row>);

impl Applier {
    fn prepare(&mut self, commands: &[LedgerCommand]) -> Result<PreparedBatch, StoreError> {
        let epoch = self.shared.epoch.load(Ordering::SeqCst);
        if epoch != self.epoch {
            // Start again from the database, once every batch prepared before has finished,
            // so that what we read includes them.
            self.cache.clear();
            self.keys.clear();
            self.entries.clear();
            while self.shared.finished.load(Ordering::SeqCst) < self.sequence {
                // Only the committer's thread holds the other handle: gone means it died.
                if Arc::strong_count(&self.shared) == 1 {
                    return Err(closed());
                }
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
            self.epoch = epoch;
        }
        let finished = self.shared.finished.load(Ordering::SeqCst);
        self.keys.retain(|_, (sequence, _)| *sequence > finished);
        self.entries.retain(|_, (sequence, _)| *sequence > finished);
        if finished == self.sequence && self.cache.len() > CACHED_ACCOUNTS_MAX {
            self.cache.clear();
        }
        // Counted only once the batch is on its way: the reset above waits for every counted one.
        let sequence = self.sequence + 1;

        let mut book = Book::new();
        // One read transaction: one snapshot for every read of the batch.
        let snapshot = self.reader.transaction().map_err(sqlite_error)?;
        let mut holds_to_read = Vec::new();
        let mut hold_accounts = Vec::new();
        for id in hold_ids(commands) {
            match self.entries.get(id) {
                Some((_, entry)) => {
                    hold_accounts.extend(entry.postings.iter().map(|p| p.account.clone()));
                    book.load_entry(id.clone(), entry.clone());
                }
                None => holds_to_read.push(id),
            }
        }
        hold_accounts.extend(load_holds(&snapshot, &holds_to_read, &mut book)?);
        let mut keys_to_read = Vec::new();
        for key in keys_of(commands) {
            match self.keys.get(key) {
                Some((_, record)) => book.load_key(key.to_owned(), record.clone()),
                None => keys_to_read.push(key),
            }
        }
        load_keys(&snapshot, &keys_to_read, &mut book)?;
        let mut accounts: BTreeSet<&AccountId> =
            commands.iter().flat_map(LedgerCommand::accounts).collect();
        accounts.extend(hold_accounts.iter());
        load_accounts(&snapshot, accounts, &self.cache, &mut book)?;
        drop(snapshot);

        let results: Vec<Result<Applied, Rejection>> = commands
            .iter()
            .map(|command| book.execute(command))
            .collect();
        let (changes, touched) = book.take_changes();
        let balances: Vec<(AccountId, Balance)> = touched
            .into_iter()
            .map(|account| {
                let balance = book.balance(&account).expect("touched accounts are loaded");
                (account, balance)
            })
            .collect();
        let rows = rows_of(changes, balances);
        for row in &rows {
            match row {
                Row::Entry { id, status, .. } | Row::Resolve { id, status } => {
                    let postings = match status {
                        EntryStatus::Pending => book
                            .entry(id)
                            .map(|entry| entry.postings.clone())
                            .unwrap_or_default(),
                        EntryStatus::Posted | EntryStatus::Voided => Vec::new(),
                    };
                    let entry = KnownEntry {
                        postings,
                        status: *status,
                    };
                    self.entries.insert(id.clone(), (sequence, entry));
                }
                Row::Key { key, record, .. } => {
                    self.keys.insert(key.clone(), (sequence, record.clone()));
                }
                Row::Balance { account, balance } => {
                    self.cache.insert(account.clone(), *balance);
                }
            }
        }
        self.sequence = sequence;
        Ok((sequence, epoch, results, rows))
    }
}

/// A connection that writes: the committer's, or one of `apply_in_own_transaction`'s.
struct Writer {
    connection: Connection,
    /// `PRAGMA data_version` under the write lock of our last commit; another connection's
    /// commit since changes it.
    data_version: Option<i64>,
}

impl Writer {
    fn data_version_now(&self) -> Result<i64, StoreError> {
        self.connection
            .query_row("PRAGMA data_version", [], |row| row.get(0))
            .map_err(sqlite_error)
    }

    /// Commits a prepared batch: its rows as they are when the applier's memory was right,
    /// else the batch applied afresh from what the database holds.
    fn commit(&mut self, batch: &mut Prepared, shared: &Shared) -> Answered {
        if batch.epoch == shared.epoch.load(Ordering::SeqCst) {
            match self.commit_rows(&batch.rows, batch.attached.as_ref(), &batch.results) {
                Ok(Some(kept)) => return Ok((std::mem::take(&mut batch.results), kept)),
                // Another connection committed since our last commit: the applier's balances
                // may be stale. Apply this batch afresh and have the applier start again.
                Ok(None) => {}
                Err(error) => {
                    shared.epoch.fetch_add(1, Ordering::SeqCst);
                    return Err(error);
                }
            }
            let outcome = self.apply_locked(&batch.commands, batch.attached.as_ref());
            shared.epoch.fetch_add(1, Ordering::SeqCst);
            return outcome;
        }
        // Prepared before the applier started again: it waits for this batch to finish before
        // reading, so applying it afresh here is all that is needed.
        self.apply_locked(&batch.commands, batch.attached.as_ref())
    }

    /// Writes `rows` and the attached rows of the commands `results` applied afresh, and
    /// commits; answers what is kept under the attached answers' keys. Writes nothing and
    /// answers `None` when another connection committed since our last commit.
    fn commit_rows(
        &mut self,
        rows: &[Row],
        attached: Option<&AttachedRows>,
        results: &[Result<Applied, Rejection>],
    ) -> Result<Option<Vec<Option<StoredResponse>>>, StoreError> {
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sqlite_error)?;
        let version: i64 = transaction
            .query_row("PRAGMA data_version", [], |row| row.get(0))
            .map_err(sqlite_error)?;
        if self.data_version != Some(version) {
            return Ok(None);
        }
        write_rows(&transaction, rows, now_ms())?;
        let kept = match attached {
            Some(attached) => attached.write_sqlite(&transaction, results)?,
            None => Vec::new(),
        };
        transaction.commit().map_err(sqlite_error)?;
        Ok(Some(kept))
    }

    /// Applies `commands` in one transaction, reading every balance, hold and key under the
    /// write lock, with the attached rows of the ones applied afresh.
    fn apply_locked(
        &mut self,
        commands: &[LedgerCommand],
        attached: Option<&AttachedRows>,
    ) -> Answered {
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sqlite_error)?;
        let version: i64 = transaction
            .query_row("PRAGMA data_version", [], |row| row.get(0))
            .map_err(sqlite_error)?;
        let mut book = Book::new();
        let hold_ids: Vec<&EntryId> = hold_ids(commands).collect();
        let hold_accounts = load_holds(&transaction, &hold_ids, &mut book)?;
        let keys: Vec<&str> = keys_of(commands).collect();
        load_keys(&transaction, &keys, &mut book)?;
        let mut accounts: BTreeSet<&AccountId> =
            commands.iter().flat_map(LedgerCommand::accounts).collect();
        accounts.extend(hold_accounts.iter());
        load_accounts(&transaction, accounts, &HashMap::new(), &mut book)?;
        let results: Vec<Result<Applied, Rejection>> = commands
            .iter()
            .map(|command| book.execute(command))
            .collect();
        let (changes, touched) = book.take_changes();
        let balances: Vec<(AccountId, Balance)> = touched
            .into_iter()
            .map(|account| {
                let balance = book.balance(&account).expect("touched accounts are loaded");
                (account, balance)
            })
            .collect();
        write_rows(&transaction, &rows_of(changes, balances), now_ms())?;
        let kept = match attached {
            Some(attached) => attached.write_sqlite(&transaction, &results)?,
            None => Vec::new(),
        };
        transaction.commit().map_err(sqlite_error)?;
        self.data_version = Some(version);
        Ok((results, kept))
    }
}

fn hold_ids(commands: &[LedgerCommand]) -> impl Iterator<Item = &EntryId> {
    let ids: BTreeSet<&EntryId> = commands
        .iter()
        .filter_map(|command| match &command.action {
            Action::PostHold(id) | Action::VoidHold(id) => Some(id),
            Action::Post(_) | Action::Hold(_) => None,
        })
        .collect();
    ids.into_iter()
}

fn keys_of(commands: &[LedgerCommand]) -> impl Iterator<Item = &str> {
    let keys: BTreeSet<&str> = commands
        .iter()
        .filter_map(|command| command.idempotency_key.as_deref())
        .collect();
    keys.into_iter()
}

/// Loads stored holds into the book and returns the accounts their legs touch.
fn load_holds(
    connection: &Connection,
    hold_ids: &[&EntryId],
    book: &mut Book,
) -> Result<Vec<AccountId>, StoreError> {
    let mut accounts = Vec::new();
    if hold_ids.is_empty() {
        return Ok(accounts);
    }
    let mut select = connection
        .prepare_cached("SELECT status, legs FROM ledger_entries WHERE id = ?1")
        .map_err(sqlite_error)?;
    for id in hold_ids {
        let row: Option<(String, String)> = select
            .query_row([id.as_str()], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()
            .map_err(sqlite_error)?;
        let Some((status, legs)) = row else { continue };
        let status = EntryStatus::parse(&status)
            .ok_or_else(|| corrupt(&format!("entry {id} has status {status}")))?;
        let postings = decode_legs(&legs)?;
        accounts.extend(postings.iter().map(|posting| posting.account.clone()));
        book.load_entry((*id).clone(), KnownEntry { postings, status });
    }
    Ok(accounts)
}

/// Loads the earlier use of each key, found by hash and checked by text.
fn load_keys(connection: &Connection, keys: &[&str], book: &mut Book) -> Result<(), StoreError> {
    if keys.is_empty() {
        return Ok(());
    }
    let mut select = connection
        .prepare_cached(
            "SELECT key, fingerprint, entry_id, status FROM ledger_idempotency_keys WHERE key_hash = ?1",
        )
        .map_err(sqlite_error)?;
    for key in keys {
        let mut rows = select.query([key_hash(key)]).map_err(sqlite_error)?;
        while let Some(row) = rows.next().map_err(sqlite_error)? {
            let stored: String = row.get(0).map_err(sqlite_error)?;
            if stored != *key {
                continue;
            }
            let entry_id: String = row.get(2).map_err(sqlite_error)?;
            let status: String = row.get(3).map_err(sqlite_error)?;
            let record = KeyRecord {
                fingerprint: row.get(1).map_err(sqlite_error)?,
                entry_id: EntryId::parse(&entry_id)
                    .map_err(|_| corrupt(&format!("entry id {entry_id}")))?,
                status: EntryStatus::parse(&status)
                    .ok_or_else(|| corrupt(&format!("key status {status}")))?,
            };
            book.load_key(stored, record);
        }
    }
    Ok(())
}

/// Loads each open account's balance, from `cache` when it is there, else from the database.
fn load_accounts<'a>(
    connection: &Connection,
    accounts: impl IntoIterator<Item = &'a AccountId>,
    cache: &HashMap<AccountId, Balance>,
    book: &mut Book,
) -> Result<(), StoreError> {
    let mut select = connection
        .prepare_cached(
            "SELECT posted, pending_debits, pending_credits FROM ledger_accounts WHERE id = ?1",
        )
        .map_err(sqlite_error)?;
    for account in accounts {
        let balance = match cache.get(account) {
            Some(balance) => Some(*balance),
            None => select
                .query_row([account.as_str()], |row| {
                    Ok(Balance {
                        posted: ledger::Amount::from_minor(row.get(0)?),
                        pending_debits: ledger::Amount::from_minor(row.get(1)?),
                        pending_credits: ledger::Amount::from_minor(row.get(2)?),
                    })
                })
                .optional()
                .map_err(sqlite_error)?,
        };
        if let Some(balance) = balance {
            book.load_account(account.clone(), balance);
        }
    }
    Ok(())
}

/// One row a batch writes.
enum Row {
    /// A new entry, with its final status when it was also resolved in the batch.
    Entry {
        id: EntryId,
        status: EntryStatus,
        legs: String,
        memo: String,
    },
    Key {
        hash: i64,
        key: String,
        record: KeyRecord,
    },
    /// A hold from an earlier batch, posted or voided.
    Resolve { id: EntryId, status: EntryStatus },
    Balance {
        account: AccountId,
        balance: Balance,
    },
}

/// The rows that write what a book changed: new entries (each once, with its final status),
/// keys, resolved holds, and the balances of the accounts it touched.
fn rows_of(changes: Vec<Change>, balances: Vec<(AccountId, Balance)>) -> Vec<Row> {
    let mut resolved: HashMap<EntryId, EntryStatus> = HashMap::new();
    for change in &changes {
        if let Change::EntryResolved { entry_id, status } = change {
            resolved.insert(entry_id.clone(), *status);
        }
    }
    let mut rows = Vec::with_capacity(changes.len() + balances.len());
    for change in changes {
        match change {
            Change::EntryCreated {
                entry_id,
                status,
                postings,
                memo,
            } => {
                let status = resolved.remove(&entry_id).unwrap_or(status);
                rows.push(Row::Entry {
                    legs: encode_legs(&postings),
                    id: entry_id,
                    status,
                    memo,
                });
            }
            Change::KeyRecorded { key, record } => rows.push(Row::Key {
                hash: key_hash(&key),
                key,
                record,
            }),
            Change::EntryResolved { .. } => {}
        }
    }
    let mut resolutions: Vec<(EntryId, EntryStatus)> = resolved.into_iter().collect();
    resolutions.sort_by(|a, b| a.0.cmp(&b.0));
    rows.extend(
        resolutions
            .into_iter()
            .map(|(id, status)| Row::Resolve { id, status }),
    );
    rows.extend(
        balances
            .into_iter()
            .map(|(account, balance)| Row::Balance { account, balance }),
    );
    rows
}

fn write_rows(connection: &Connection, rows: &[Row], now: i64) -> Result<(), StoreError> {
    let mut insert_entry = connection
        .prepare_cached(
            "INSERT INTO ledger_entries (id, status, legs, memo, created_at, resolved_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(sqlite_error)?;
    let mut insert_key = connection
        .prepare_cached(
            "INSERT INTO ledger_idempotency_keys (key_hash, key, fingerprint, entry_id, status, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(sqlite_error)?;
    let mut resolve = connection
        .prepare_cached(
            "UPDATE ledger_entries SET status = ?1, resolved_at = ?2 WHERE id = ?3 AND status = 'pending'",
        )
        .map_err(sqlite_error)?;
    let mut update = connection
        .prepare_cached(
            "UPDATE ledger_accounts SET posted = ?1, pending_debits = ?2, pending_credits = ?3 WHERE id = ?4",
        )
        .map_err(sqlite_error)?;
    for row in rows {
        match row {
            Row::Entry {
                id,
                status,
                legs,
                memo,
            } => {
                let resolved_at = (*status != EntryStatus::Pending).then_some(now);
                insert_entry.execute(params![
                    id.as_str(),
                    status.name(),
                    legs,
                    memo,
                    now,
                    resolved_at
                ])
            }
            Row::Key { hash, key, record } => insert_key.execute(params![
                hash,
                key,
                record.fingerprint,
                record.entry_id.as_str(),
                record.status.name(),
                now
            ]),
            Row::Resolve { id, status } => {
                resolve.execute(params![status.name(), now, id.as_str()])
            }
            Row::Balance { account, balance } => update.execute(params![
                balance.posted.minor(),
                balance.pending_debits.minor(),
                balance.pending_credits.minor(),
                account.as_str()
            ]),
        }
        .map_err(sqlite_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_hash_is_the_first_eight_bytes_of_its_sha256() {
        // SHA-256("abc") = ba7816bf 8f01cfea …
        assert_eq!(
            key_hash("abc"),
            i64::from_le_bytes([0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea])
        );
        assert_ne!(key_hash("usr_a:k1"), key_hash("usr_a:k2"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn keys_stored_before_the_hashed_index_are_hashed_by_the_next_migration_and_replay() {
        use domain::LedgerStore;
        use ledger::{Amount, BalancedEntry, Currency, PlatformAccount};

        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("okpay.db").display()
        );
        let store = crate::Store::connect(&url, 2).await.expect("opens");
        store.migrate().await.expect("migrates");
        let wallet = AccountId::wallet("usr_a", Currency::Cny);
        let clearing = AccountId::platform(PlatformAccount::CardClearing, Currency::Cny);
        store
            .open_accounts(&[wallet.clone(), clearing.clone()])
            .await
            .expect("accounts open");
        let top_up = |id: &str| {
            LedgerCommand::post(
                EntryId::parse(id).expect("an id"),
                BalancedEntry::transfer(clearing.clone(), wallet.clone(), Amount::from_minor(700))
                    .expect("balanced"),
                "top-up",
            )
            .with_idempotency_key("usr_a:k1")
        };
        let first = store
            .apply_batch(&[top_up("txn_1")])
            .await
            .expect("commits");
        assert!(first[0].as_ref().is_ok_and(|applied| !applied.replayed));
        // What migration 0030 leaves for a key it copied from the table before it.
        sqlx::query("UPDATE ledger_idempotency_keys SET key_hash = NULL")
            .execute(&store.pool)
            .await
            .expect("updated");
        let report = store.verify().await.expect("verifies");
        assert!(!report.is_clean(), "verify names the unhashed key");
        store.migrate().await.expect("migrates again");
        let again = store
            .apply_batch(&[top_up("txn_2")])
            .await
            .expect("commits");
        let again = again[0].clone().expect("applied");
        assert!(again.replayed, "the old key is found by its new hash");
        assert_eq!(again.entry_id.as_str(), "txn_1");
        let report = store.verify().await.expect("verifies");
        assert!(report.is_clean(), "{report}");
        store.close().await;
    }
}
