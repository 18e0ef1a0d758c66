//! Background jobs as the use cases see them: what a job is, when a failed one runs again, when a
//! recurring one is due, and the `JobStore` port the `store` crate implements.

use std::future::Future;

use crate::store_port::StoreError;

/// Milliseconds since the Unix epoch; callers own the clock so tests can move it.
pub type UnixMillis = i64;

/// Where a job stands. `queued` → `running` → `done`, or back to `queued` with a later `run_at`
/// after a failure, or `dead` once its attempts are spent (or its failure cannot be retried).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Done,
    Dead,
}

impl JobState {
    pub fn name(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(name: &str) -> Option<JobState> {
        [
            JobState::Queued,
            JobState::Running,
            JobState::Done,
            JobState::Dead,
        ]
        .into_iter()
        .find(|state| state.name() == name)
    }
}

/// How often and how patiently a kind of job is retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Runs at most this many times; then the job is `dead`.
    pub attempts_max: u32,
    /// The wait after the first failure; it doubles after each further one…
    pub backoff_base_ms: i64,
    /// …up to this.
    pub backoff_max_ms: i64,
}

impl Default for RetryPolicy {
    /// Eight runs over about eight and a half minutes (2 s, 4 s, … 256 s between them).
    fn default() -> Self {
        RetryPolicy {
            attempts_max: 8,
            backoff_base_ms: 2_000,
            backoff_max_ms: 60 * 60 * 1_000,
        }
    }
}

impl RetryPolicy {
    /// The wait before the next run after the `attempt`-th run (1-based) failed:
    /// base · 2^(attempt−1), capped.
    pub fn backoff_ms(&self, attempt: u32) -> i64 {
        let doublings = attempt.saturating_sub(1).min(40);
        self.backoff_base_ms
            .saturating_mul(1_i64 << doublings)
            .min(self.backoff_max_ms)
    }

    /// When a job whose `attempt`-th run just failed runs again, or `None` when it is dead.
    pub fn next_run_at(&self, attempt: u32, now: UnixMillis) -> Option<UnixMillis> {
        (attempt < self.attempts_max).then(|| now.saturating_add(self.backoff_ms(attempt)))
    }
}

/// A job to enqueue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJob {
    pub id: String,
    /// Which handler runs it, e.g. `mail.deliver`.
    pub kind: String,
    /// The handler's input, as the handler encodes it (usually JSON).
    pub payload: String,
    /// Not before this time; `now` for at once.
    pub run_at: UnixMillis,
    pub attempts_max: u32,
    pub created_at: UnixMillis,
}

impl NewJob {
    /// A job to run at once, with a fresh `job_…` id.
    pub fn new(
        kind: &str,
        payload: impl Into<String>,
        policy: &RetryPolicy,
        now: UnixMillis,
    ) -> NewJob {
        NewJob {
            id: crate::ids::new_id("job"),
            kind: kind.to_owned(),
            payload: payload.into(),
            run_at: now,
            attempts_max: policy.attempts_max,
            created_at: now,
        }
    }

    /// The same job, delayed until `run_at`.
    pub fn at(mut self, run_at: UnixMillis) -> NewJob {
        self.run_at = run_at;
        self
    }
}

/// A job a worker holds a lease on. The lease token fences it: once the lease has expired and
/// another worker took the job, the first one's report is ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedJob {
    pub id: String,
    pub kind: String,
    pub payload: String,
    /// This run's number, from 1.
    pub attempt: u32,
    pub attempts_max: u32,
    pub lease_token: String,
    pub lease_until: UnixMillis,
}

/// A job as stored, for status pages and tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRecord {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub state: JobState,
    pub attempts: u32,
    pub attempts_max: u32,
    pub run_at: UnixMillis,
    pub last_error: Option<String>,
    pub created_at: UnixMillis,
    pub finished_at: Option<UnixMillis>,
}

/// How often a recurring job runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recurrence {
    /// Every this many seconds.
    EverySeconds(i64),
    /// Once a day at this many seconds after midnight UTC.
    DailyAtUtc(i64),
}

const DAY_MS: i64 = 24 * 60 * 60 * 1_000;

impl Recurrence {
    /// The first run strictly after `after`.
    pub fn next_after(self, after: UnixMillis) -> UnixMillis {
        match self {
            Recurrence::EverySeconds(seconds) => after + seconds.max(1) * 1_000,
            Recurrence::DailyAtUtc(seconds) => {
                let offset = seconds.rem_euclid(24 * 60 * 60) * 1_000;
                let today = after.div_euclid(DAY_MS) * DAY_MS + offset;
                if today > after { today } else { today + DAY_MS }
            }
        }
    }
}

/// A named recurring job: every time it is due, one job of `kind` with `payload` is enqueued,
/// once, whichever process notices first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub name: String,
    pub kind: String,
    pub payload: String,
    pub recurrence: Recurrence,
    pub attempts_max: u32,
}

/// A schedule as stored: when it is next due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueSchedule {
    pub schedule: Schedule,
    pub next_run_at: UnixMillis,
}

/// The job queue's storage. Every method is safe with many workers in many processes.
pub trait JobStore: Send + Sync + 'static {
    fn enqueue_job(&self, job: &NewJob) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Takes up to `limit` jobs that are due (queued with `run_at <= now`, or running with an
    /// expired lease), counts a run for each and leases them until `now + lease_ms`. Running jobs
    /// whose lease expired on their last attempt become `dead` instead.
    fn claim_jobs(
        &self,
        now: UnixMillis,
        lease_ms: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<ClaimedJob>, StoreError>> + Send;

    /// Marks a leased job done; `false` when the lease was lost meanwhile.
    fn complete_job(
        &self,
        job: &ClaimedJob,
        now: UnixMillis,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Records a failed run: queued again at `retry_at`, or `dead` when `None`. `false` when the
    /// lease was lost meanwhile.
    fn fail_job(
        &self,
        job: &ClaimedJob,
        error: &str,
        retry_at: Option<UnixMillis>,
        now: UnixMillis,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    fn job(&self, id: &str) -> impl Future<Output = Result<Option<JobRecord>, StoreError>> + Send;

    /// Creates the schedule, first due at `first_run_at`, or updates its kind, payload and
    /// recurrence, keeping when it is next due.
    fn ensure_schedule(
        &self,
        schedule: &Schedule,
        first_run_at: UnixMillis,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Schedules due at `now`.
    fn due_schedules(
        &self,
        now: UnixMillis,
    ) -> impl Future<Output = Result<Vec<DueSchedule>, StoreError>> + Send;

    /// Moves a due schedule on to its next run and enqueues `job`, in one transaction — unless
    /// another process already did (the schedule is no longer due at `due.next_run_at`): `false`.
    fn fire_schedule(
        &self,
        due: &DueSchedule,
        next_run_at: UnixMillis,
        job: &NewJob,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_after_each_failure_up_to_the_cap() {
        let policy = RetryPolicy {
            attempts_max: 5,
            backoff_base_ms: 1_000,
            backoff_max_ms: 5_000,
        };
        let waits: Vec<i64> = (1..=5).map(|attempt| policy.backoff_ms(attempt)).collect();
        assert_eq!(waits, [1_000, 2_000, 4_000, 5_000, 5_000]);
        assert_eq!(policy.next_run_at(1, 10_000), Some(11_000));
        assert_eq!(policy.next_run_at(4, 0), Some(5_000));
        assert_eq!(
            policy.next_run_at(5, 0),
            None,
            "the fifth failure is the last"
        );
        assert_eq!(RetryPolicy::default().backoff_ms(u32::MAX), 3_600_000);
    }

    #[test]
    fn a_daily_schedule_runs_next_at_its_time_today_or_tomorrow() {
        let daily = Recurrence::DailyAtUtc(2 * 60 * 60);
        let day = 20_000 * DAY_MS;
        assert_eq!(daily.next_after(day), day + 2 * 3_600_000);
        assert_eq!(
            daily.next_after(day + 2 * 3_600_000),
            day + DAY_MS + 2 * 3_600_000
        );
        assert_eq!(Recurrence::EverySeconds(30).next_after(5), 30_005);
    }

    #[test]
    fn states_read_back_from_their_names() {
        for state in [
            JobState::Queued,
            JobState::Running,
            JobState::Done,
            JobState::Dead,
        ] {
            assert_eq!(JobState::parse(state.name()), Some(state));
        }
        assert_eq!(JobState::parse("lost"), None);
    }
}
