//! The background worker: claims due jobs from the database with a lease, runs each kind's
//! handler, retries failures with exponential backoff until a job is `dead`, and turns recurring
//! schedules into jobs. Several processes may run workers on one database.
//!
//! ```text
//! let mut worker = Worker::new(store, WorkerConfig::default());
//! worker.register("mail.deliver", Arc::new(DeliverMail { … }));
//! worker.schedule(Schedule { name: "wallet.maintenance_fee".into(), kind: …,
//!                            recurrence: Recurrence::DailyAtUtc(3600), … }).await?;
//! let running = worker.start();            // okpay serve, when job_worker = true
//! worker.run_pending(now_ms()).await?;     // tests: run everything due now, then return
//! ```

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use domain::StoreError;
use domain::jobs::{ClaimedJob, JobStore, NewJob, RetryPolicy, Schedule, UnixMillis};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a run failed, and whether running it again may help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobFailure {
    pub message: String,
    /// `false` for failures no retry can fix (a payload that does not parse): the job is `dead`
    /// at once.
    pub retryable: bool,
}

impl JobFailure {
    pub fn retry(message: impl Into<String>) -> JobFailure {
        JobFailure {
            message: message.into(),
            retryable: true,
        }
    }

    pub fn permanent(message: impl Into<String>) -> JobFailure {
        JobFailure {
            message: message.into(),
            retryable: false,
        }
    }
}

/// Runs the jobs of one kind. A run may happen more than once (a worker can die after the work
/// and before reporting it), so handlers must be idempotent.
pub trait JobHandler: Send + Sync + 'static {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobFailure>>;

    /// How this kind is retried.
    fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy::default()
    }
}

/// How a worker polls and leases.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// The wait between polls when nothing was due.
    pub poll_interval: Duration,
    /// How long a claimed job is this worker's; a job still running after it may be claimed
    /// again by another worker, so it must comfortably exceed the slowest handler.
    pub lease_ms: i64,
    /// Jobs claimed at once.
    pub claim_max: u32,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            poll_interval: Duration::from_millis(500),
            lease_ms: 5 * 60 * 1_000,
            claim_max: 16,
        }
    }
}

/// What one pass of [`Worker::run_pending`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    pub succeeded: u32,
    /// Failed and queued to run again later.
    pub retried: u32,
    /// Failed for the last time.
    pub dead: u32,
    /// Ran, but the lease had passed to another worker before the report: ignored.
    pub lease_lost: u32,
    /// Jobs enqueued by recurring schedules.
    pub scheduled: u32,
}

impl RunReport {
    fn add(&mut self, other: RunReport) {
        self.succeeded += other.succeeded;
        self.retried += other.retried;
        self.dead += other.dead;
        self.lease_lost += other.lease_lost;
        self.scheduled += other.scheduled;
    }

    fn ran(&self) -> u32 {
        self.succeeded + self.retried + self.dead + self.lease_lost
    }
}

/// The worker: the handlers of every kind it knows, over a [`JobStore`].
pub struct Worker<S> {
    store: Arc<S>,
    config: WorkerConfig,
    handlers: HashMap<String, Arc<dyn JobHandler>>,
}

impl<S> Clone for Worker<S> {
    fn clone(&self) -> Self {
        Worker {
            store: self.store.clone(),
            config: self.config.clone(),
            handlers: self.handlers.clone(),
        }
    }
}

/// The current time in Unix milliseconds.
pub fn now_ms() -> UnixMillis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as UnixMillis)
}

impl<S: JobStore> Worker<S> {
    pub fn new(store: Arc<S>, config: WorkerConfig) -> Worker<S> {
        Worker {
            store,
            config,
            handlers: HashMap::new(),
        }
    }

    /// Runs the jobs of `kind` with `handler`; a second handler for a kind replaces the first.
    pub fn register(&mut self, kind: &str, handler: Arc<dyn JobHandler>) {
        self.handlers.insert(kind.to_owned(), handler);
    }

    /// Enqueues a job of `kind` to run at once, retried as its handler's policy says.
    pub async fn enqueue(
        &self,
        kind: &str,
        payload: impl Into<String>,
    ) -> Result<String, StoreError> {
        let policy = self.policy(kind);
        let job = NewJob::new(kind, payload, &policy, now_ms());
        self.store.enqueue_job(&job).await?;
        Ok(job.id)
    }

    /// Creates or updates a recurring schedule; its first run is its recurrence's next after now.
    pub async fn schedule(&self, schedule: &Schedule) -> Result<(), StoreError> {
        let first = schedule.recurrence.next_after(now_ms());
        self.store.ensure_schedule(schedule, first).await
    }

    fn policy(&self, kind: &str) -> RetryPolicy {
        self.handlers
            .get(kind)
            .map_or_else(RetryPolicy::default, |handler| handler.retry_policy())
    }

    /// Enqueues the jobs of due schedules, then claims and runs due jobs until none is left, as
    /// of `now`. Tests call it to drive the queue; jobs whose retry falls after `now` wait.
    pub async fn run_pending(&self, now: UnixMillis) -> Result<RunReport, StoreError> {
        let mut report = RunReport {
            scheduled: self.fire_schedules(now).await?,
            ..RunReport::default()
        };
        loop {
            let pass = self.run_once(now).await?;
            report.add(pass);
            if pass.ran() == 0 {
                return Ok(report);
            }
        }
    }

    async fn fire_schedules(&self, now: UnixMillis) -> Result<u32, StoreError> {
        let mut fired = 0;
        for due in self.store.due_schedules(now).await? {
            let schedule = &due.schedule;
            // A schedule that fell far behind (the service was down) runs once, not once per
            // missed slot.
            let next = schedule.recurrence.next_after(now.max(due.next_run_at));
            let job = NewJob {
                attempts_max: schedule.attempts_max,
                ..NewJob::new(
                    &schedule.kind,
                    schedule.payload.clone(),
                    &RetryPolicy::default(),
                    now,
                )
            };
            if self.store.fire_schedule(&due, next, &job).await? {
                tracing::debug!(schedule = %schedule.name, job = %job.id, "a recurring job is due");
                fired += 1;
            }
        }
        Ok(fired)
    }

    /// Claims one batch of due jobs and runs them; the report says how they ended.
    pub async fn run_once(&self, now: UnixMillis) -> Result<RunReport, StoreError> {
        let claimed = self
            .store
            .claim_jobs(now, self.config.lease_ms, self.config.claim_max)
            .await?;
        let mut report = RunReport::default();
        for job in claimed {
            let outcome = match self.handlers.get(&job.kind) {
                Some(handler) => handler.run(&job).await,
                // Another process (a newer build) may know the kind; retrying gives it the chance.
                None => Err(JobFailure::retry(format!(
                    "no handler for job kind {}",
                    job.kind
                ))),
            };
            report.add(self.report(&job, outcome, now).await?);
        }
        Ok(report)
    }

    async fn report(
        &self,
        job: &ClaimedJob,
        outcome: Result<(), JobFailure>,
        now: UnixMillis,
    ) -> Result<RunReport, StoreError> {
        let mut report = RunReport::default();
        let kept = match outcome {
            Ok(()) => {
                report.succeeded = 1;
                self.store.complete_job(job, now).await?
            }
            Err(failure) => {
                let policy = RetryPolicy {
                    attempts_max: job.attempts_max,
                    ..self.policy(&job.kind)
                };
                let retry_at = if failure.retryable {
                    policy.next_run_at(job.attempt, now)
                } else {
                    None
                };
                tracing::warn!(
                    job = %job.id, kind = %job.kind, attempt = job.attempt,
                    error = %failure.message, retry_at, "a job failed"
                );
                if retry_at.is_some() {
                    report.retried = 1;
                } else {
                    report.dead = 1;
                }
                self.store
                    .fail_job(job, &failure.message, retry_at, now)
                    .await?
            }
        };
        if kept {
            Ok(report)
        } else {
            tracing::warn!(job = %job.id, "the job's lease passed to another worker first");
            Ok(RunReport {
                lease_lost: 1,
                ..RunReport::default()
            })
        }
    }

    /// Runs the worker until [`RunningWorker::stop`]: polls, runs what is due, sleeps when idle.
    /// A database outage is logged and retried at the next poll.
    pub fn start(self) -> RunningWorker {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                let idle = match self.run_pending(now_ms()).await {
                    Ok(report) => report.ran() == 0,
                    Err(error) => {
                        tracing::error!(%error, "the job worker could not reach the database");
                        true
                    }
                };
                if idle {
                    tokio::select! {
                        _ = tokio::time::sleep(self.config.poll_interval) => {}
                        _ = stopped.changed() => return,
                    }
                }
                if *stopped.borrow() {
                    return;
                }
            }
        });
        RunningWorker { stop, task }
    }
}

/// A worker task; stopping lets the job in hand finish.
pub struct RunningWorker {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningWorker {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(error) = self.task.await {
            tracing::error!(%error, "the job worker ended abnormally");
        }
    }
}
