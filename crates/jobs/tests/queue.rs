//! The job queue and worker on SQLite and PostgreSQL: success, retries with backoff, dead jobs,
//! lease expiry between two workers, delayed jobs, enqueue inside a transaction, schedules.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use domain::jobs::{ClaimedJob, JobState, JobStore, NewJob, Recurrence, RetryPolicy, Schedule};
use jobs::{BoxFuture, JobFailure, JobHandler, RunReport, Worker, WorkerConfig};
use store::Store;

macro_rules! on_both_databases {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                let (store, _dir) = crate::sqlite_store().await;
                super::$name(std::sync::Arc::new(store)).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if let Some(store) = crate::postgres_store().await {
                    super::$name(std::sync::Arc::new(store)).await;
                }
            }
        }
    };
}

async fn sqlite_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("okpay.db").display()
    );
    let store = Store::connect(&url, 4).await.expect("SQLite opens");
    store.migrate().await.expect("migrations apply");
    (store, dir)
}

async fn postgres_store() -> Option<Store> {
    let url = store::scratch::test_postgres_database().await?;
    let store = Store::connect(&url, 4).await.expect("PostgreSQL connects");
    store.migrate().await.expect("migrations apply");
    Some(store)
}

const T0: i64 = 1_800_000_000_000;

const POLICY: RetryPolicy = RetryPolicy {
    attempts_max: 3,
    backoff_base_ms: 1_000,
    backoff_max_ms: 60_000,
};

/// Fails its first `failures` runs, then succeeds; counts runs.
struct Flaky {
    failures: u32,
    runs: AtomicU32,
    permanent: bool,
}

impl Flaky {
    fn new(failures: u32) -> Arc<Flaky> {
        Arc::new(Flaky {
            failures,
            runs: AtomicU32::new(0),
            permanent: false,
        })
    }

    fn runs(&self) -> u32 {
        self.runs.load(Ordering::SeqCst)
    }
}

impl JobHandler for Flaky {
    fn run<'a>(&'a self, _job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobFailure>> {
        Box::pin(async move {
            let run = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
            if self.permanent {
                Err(JobFailure::permanent("the payload makes no sense"))
            } else if run <= self.failures {
                Err(JobFailure::retry(format!("refused on run {run}")))
            } else {
                Ok(())
            }
        })
    }

    fn retry_policy(&self) -> RetryPolicy {
        POLICY
    }
}

fn worker(store: &Arc<Store>, kind: &str, handler: Arc<dyn JobHandler>) -> Worker<Store> {
    let mut worker = Worker::new(
        store.clone(),
        WorkerConfig {
            lease_ms: 10_000,
            ..WorkerConfig::default()
        },
    );
    worker.register(kind, handler);
    worker
}

async fn enqueue(store: &Store, kind: &str, at: i64) -> String {
    let job = NewJob::new(kind, "{}", &POLICY, T0).at(at);
    store.enqueue_job(&job).await.expect("enqueued");
    job.id
}

on_both_databases!(a_failing_job_is_retried_after_doubling_waits_and_then_succeeds);
async fn a_failing_job_is_retried_after_doubling_waits_and_then_succeeds(store: Arc<Store>) {
    let handler = Flaky::new(2);
    let worker = worker(&store, "flaky", handler.clone());
    let id = enqueue(&store, "flaky", T0).await;

    let report = worker.run_pending(T0).await.expect("runs");
    assert_eq!(report.retried, 1);
    let job = store.job(&id).await.expect("read").expect("exists");
    assert_eq!(
        (job.state, job.attempts, job.run_at),
        (JobState::Queued, 1, T0 + 1_000)
    );
    assert_eq!(job.last_error.as_deref(), Some("refused on run 1"));

    assert_eq!(
        worker.run_pending(T0 + 999).await.expect("runs"),
        RunReport::default(),
        "not yet"
    );
    worker.run_pending(T0 + 1_000).await.expect("runs");
    let job = store.job(&id).await.expect("read").expect("exists");
    assert_eq!(
        (job.attempts, job.run_at),
        (2, T0 + 1_000 + 2_000),
        "the wait doubled"
    );

    let report = worker.run_pending(T0 + 3_000).await.expect("runs");
    assert_eq!(report.succeeded, 1);
    let job = store.job(&id).await.expect("read").expect("exists");
    assert_eq!((job.state, job.attempts), (JobState::Done, 3));
    assert_eq!(handler.runs(), 3);
}

on_both_databases!(a_job_that_keeps_failing_is_dead_after_its_last_attempt);
async fn a_job_that_keeps_failing_is_dead_after_its_last_attempt(store: Arc<Store>) {
    let handler = Flaky::new(u32::MAX);
    let worker = worker(&store, "doomed", handler.clone());
    let id = enqueue(&store, "doomed", T0).await;
    let mut dead = 0;
    for now in [T0, T0 + 1_000, T0 + 3_000, T0 + 100_000] {
        dead += worker.run_pending(now).await.expect("runs").dead;
    }
    assert_eq!(dead, 1);
    assert_eq!(handler.runs(), 3, "attempts_max runs, no more");
    let job = store.job(&id).await.expect("read").expect("exists");
    assert_eq!(job.state, JobState::Dead);
    assert_eq!(job.last_error.as_deref(), Some("refused on run 3"));

    let permanent = Arc::new(Flaky {
        failures: 0,
        runs: AtomicU32::new(0),
        permanent: true,
    });
    let worker = self::worker(&store, "nonsense", permanent.clone());
    let id = enqueue(&store, "nonsense", T0).await;
    assert_eq!(worker.run_pending(T0).await.expect("runs").dead, 1);
    assert_eq!(
        store.job(&id).await.expect("read").expect("exists").state,
        JobState::Dead
    );
    assert_eq!(permanent.runs(), 1, "a permanent failure is not retried");
}

on_both_databases!(a_job_whose_worker_stops_answering_is_taken_over_after_its_lease);
async fn a_job_whose_worker_stops_answering_is_taken_over_after_its_lease(store: Arc<Store>) {
    let id = enqueue(&store, "slow", T0).await;
    // Worker A claims the job and then goes silent (it crashed, or hangs).
    let claimed_by_a = store.claim_jobs(T0, 10_000, 10).await.expect("claims");
    assert_eq!(claimed_by_a.len(), 1);
    assert!(
        store
            .claim_jobs(T0 + 9_999, 10_000, 10)
            .await
            .expect("claims")
            .is_empty(),
        "nobody else takes a leased job"
    );
    // Worker B finds the lease expired and runs it.
    let handler = Flaky::new(0);
    let worker_b = worker(&store, "slow", handler.clone());
    let report = worker_b.run_pending(T0 + 10_000).await.expect("runs");
    assert_eq!(report.succeeded, 1);
    let job = store.job(&id).await.expect("read").expect("exists");
    assert_eq!((job.state, job.attempts), (JobState::Done, 2));
    // A wakes up and reports: its lease was lost, so its report changes nothing.
    assert!(
        !store
            .complete_job(&claimed_by_a[0], T0 + 11_000)
            .await
            .expect("answers")
    );
    assert!(
        !store
            .fail_job(&claimed_by_a[0], "late", Some(T0), T0 + 11_000)
            .await
            .expect("answers")
    );
    assert_eq!(
        store.job(&id).await.expect("read").expect("exists").state,
        JobState::Done
    );
}

on_both_databases!(a_job_left_running_on_its_last_attempt_is_dead_not_run_again);
async fn a_job_left_running_on_its_last_attempt_is_dead_not_run_again(store: Arc<Store>) {
    let job = NewJob {
        attempts_max: 1,
        ..NewJob::new("once", "{}", &POLICY, T0)
    };
    store.enqueue_job(&job).await.expect("enqueued");
    assert_eq!(
        store.claim_jobs(T0, 1_000, 10).await.expect("claims").len(),
        1
    );
    assert!(
        store
            .claim_jobs(T0 + 1_000, 1_000, 10)
            .await
            .expect("claims")
            .is_empty()
    );
    let record = store.job(&job.id).await.expect("read").expect("exists");
    assert_eq!(record.state, JobState::Dead);
}

on_both_databases!(two_workers_claiming_at_once_never_take_the_same_job);
async fn two_workers_claiming_at_once_never_take_the_same_job(store: Arc<Store>) {
    for _ in 0..40 {
        enqueue(&store, "many", T0).await;
    }
    let claim = |store: Arc<Store>| {
        tokio::spawn(async move {
            let mut ids = Vec::new();
            loop {
                let batch = store.claim_jobs(T0, 60_000, 3).await.expect("claims");
                if batch.is_empty() {
                    return ids;
                }
                ids.extend(batch.into_iter().map(|job| job.id));
            }
        })
    };
    let (a, b) = (claim(store.clone()), claim(store.clone()));
    let mut all = a.await.expect("worker a");
    all.extend(b.await.expect("worker b"));
    let claimed = all.len();
    all.sort();
    all.dedup();
    assert_eq!((claimed, all.len()), (40, 40));
}

on_both_databases!(a_delayed_job_waits_for_its_time);
async fn a_delayed_job_waits_for_its_time(store: Arc<Store>) {
    let handler = Flaky::new(0);
    let worker = worker(&store, "later", handler.clone());
    enqueue(&store, "later", T0 + 60_000).await;
    worker.run_pending(T0 + 59_999).await.expect("runs");
    assert_eq!(handler.runs(), 0);
    worker.run_pending(T0 + 60_000).await.expect("runs");
    assert_eq!(handler.runs(), 1);
}

on_both_databases!(a_job_enqueued_in_a_rolled_back_transaction_never_exists);
async fn a_job_enqueued_in_a_rolled_back_transaction_never_exists(store: Arc<Store>) {
    let kept = NewJob::new("tx", "{}", &POLICY, T0);
    let dropped = NewJob::new("tx", "{}", &POLICY, T0);
    let mut transaction = store.begin().await.expect("a transaction");
    store::enqueue_job_in(&mut transaction, &kept)
        .await
        .expect("enqueued");
    transaction.commit().await.expect("committed");
    let mut transaction = store.begin().await.expect("a transaction");
    store::enqueue_job_in(&mut transaction, &dropped)
        .await
        .expect("enqueued");
    transaction.rollback().await.expect("rolled back");
    assert!(store.job(&kept.id).await.expect("read").is_some());
    assert!(store.job(&dropped.id).await.expect("read").is_none());
}

on_both_databases!(a_recurring_schedule_enqueues_one_job_per_due_time_across_workers);
async fn a_recurring_schedule_enqueues_one_job_per_due_time_across_workers(store: Arc<Store>) {
    let handler = Flaky::new(0);
    let worker_a = worker(&store, "tick", handler.clone());
    let worker_b = worker(&store, "tick", handler.clone());
    let schedule = Schedule {
        name: "tick-every-minute".into(),
        kind: "tick".into(),
        payload: "{}".into(),
        recurrence: Recurrence::EverySeconds(60),
        attempts_max: 3,
    };
    store
        .ensure_schedule(&schedule, T0)
        .await
        .expect("scheduled");
    // Ensuring it again (every process does at start) keeps its next run.
    store
        .ensure_schedule(&schedule, T0 + 999_999)
        .await
        .expect("scheduled");
    let (a, b) = tokio::join!(worker_a.run_pending(T0), worker_b.run_pending(T0));
    let (a, b) = (a.expect("runs"), b.expect("runs"));
    assert_eq!(a.scheduled + b.scheduled, 1);
    assert_eq!(handler.runs(), 1);
    worker_a.run_pending(T0 + 59_999).await.expect("runs");
    assert_eq!(handler.runs(), 1, "not due again yet");
    worker_a.run_pending(T0 + 60_000).await.expect("runs");
    assert_eq!(handler.runs(), 2);
    // After a long outage it runs once, not once per missed minute.
    worker_a.run_pending(T0 + 3_600_000).await.expect("runs");
    assert_eq!(handler.runs(), 3);
}
