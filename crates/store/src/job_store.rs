//! The job queue in the database: enqueue (alone or in a caller's transaction), leased claims that
//! many processes can make at once, retries and dead jobs, and recurring schedules.

use domain::StoreError;
use domain::ids::new_id;
use domain::jobs::{
    ClaimedJob, DueSchedule, JobRecord, JobState, JobStore, NewJob, Recurrence, Schedule,
    UnixMillis,
};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::database::{Dialect, Store};
use crate::error::store_error;

/// The most schedules looked at per poll; a backlog is worked off over the next polls.
const DUE_SCHEDULES_MAX: i64 = 100;

/// Enqueues `job` on `connection`, which may be inside the caller's transaction: the job then
/// exists exactly when the caller's other writes do.
pub async fn enqueue_job_in(
    connection: &mut AnyConnection,
    job: &NewJob,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO jobs (id, kind, payload, state, attempts, attempts_max, run_at, created_at) \
         VALUES ($1, $2, $3, 'queued', 0, $4, $5, $6)",
    )
    .bind(job.id.clone())
    .bind(job.kind.clone())
    .bind(job.payload.clone())
    .bind(i64::from(job.attempts_max))
    .bind(job.run_at)
    .bind(job.created_at)
    .execute(connection)
    .await
    .map_err(store_error)?;
    Ok(())
}

impl Store {
    /// A write transaction, for a caller that enqueues jobs together with its own writes.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        self.pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)
    }
}

fn count(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

impl JobStore for Store {
    async fn enqueue_job(&self, job: &NewJob) -> Result<(), StoreError> {
        let mut connection = self.pool.acquire().await.map_err(store_error)?;
        enqueue_job_in(&mut connection, job).await
    }

    async fn claim_jobs(
        &self,
        now: UnixMillis,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<ClaimedJob>, StoreError> {
        let mut transaction = self
            .pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)?;
        // A worker that died on a job's last attempt leaves it running; it will not run again.
        sqlx::query(
            "UPDATE jobs SET state = 'dead', finished_at = $1, lease_token = NULL, \
             lease_until = NULL, last_error = 'the worker stopped answering on the last attempt' \
             WHERE state = 'running' AND lease_until <= $1 AND attempts >= attempts_max",
        )
        .bind(now)
        .execute(&mut *transaction)
        .await
        .map_err(store_error)?;
        // Other processes' claims skip the rows this one locked, instead of waiting for them.
        let skip_locked = match self.dialect {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let ids: Vec<String> = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT id FROM jobs \
             WHERE (state = 'queued' AND run_at <= $1) OR (state = 'running' AND lease_until <= $1) \
             ORDER BY run_at, id LIMIT $2{skip_locked}"
        )))
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&mut *transaction)
        .await
        .map_err(store_error)?;
        let lease_until = now.saturating_add(lease_ms);
        let mut claimed = Vec::with_capacity(ids.len());
        for id in ids {
            let lease_token = new_id("lease");
            let row = sqlx::query(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_token = $1, \
                 lease_until = $2 WHERE id = $3 RETURNING kind, payload, attempts, attempts_max",
            )
            .bind(lease_token.clone())
            .bind(lease_until)
            .bind(id.clone())
            .fetch_one(&mut *transaction)
            .await
            .map_err(store_error)?;
            claimed.push(ClaimedJob {
                id,
                kind: row.try_get(0).map_err(store_error)?,
                payload: row.try_get(1).map_err(store_error)?,
                attempt: count(row.try_get::<i64, _>(2).map_err(store_error)?),
                attempts_max: count(row.try_get::<i64, _>(3).map_err(store_error)?),
                lease_token,
                lease_until,
            });
        }
        transaction.commit().await.map_err(store_error)?;
        Ok(claimed)
    }

    async fn complete_job(&self, job: &ClaimedJob, now: UnixMillis) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'done', finished_at = $1, lease_token = NULL, \
             lease_until = NULL, last_error = NULL \
             WHERE id = $2 AND lease_token = $3 AND state = 'running'",
        )
        .bind(now)
        .bind(job.id.clone())
        .bind(job.lease_token.clone())
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn fail_job(
        &self,
        job: &ClaimedJob,
        error: &str,
        retry_at: Option<UnixMillis>,
        now: UnixMillis,
    ) -> Result<bool, StoreError> {
        let error: String = error.chars().take(2_000).collect();
        let query = match retry_at {
            Some(retry_at) => sqlx::query(
                "UPDATE jobs SET state = 'queued', run_at = $1, last_error = $2, \
                 lease_token = NULL, lease_until = NULL \
                 WHERE id = $3 AND lease_token = $4 AND state = 'running'",
            )
            .bind(retry_at),
            None => sqlx::query(
                "UPDATE jobs SET state = 'dead', finished_at = $1, last_error = $2, \
                 lease_token = NULL, lease_until = NULL \
                 WHERE id = $3 AND lease_token = $4 AND state = 'running'",
            )
            .bind(now),
        };
        let failed = query
            .bind(error)
            .bind(job.id.clone())
            .bind(job.lease_token.clone())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(failed.rows_affected() == 1)
    }

    async fn job(&self, id: &str) -> Result<Option<JobRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT id, kind, payload, state, attempts, attempts_max, run_at, last_error, \
             created_at, finished_at FROM jobs WHERE id = $1",
        )
        .bind(id.to_owned())
        .fetch_optional(&self.pool)
        .await
        .map_err(store_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let state: String = row.try_get(3).map_err(store_error)?;
        Ok(Some(JobRecord {
            id: row.try_get(0).map_err(store_error)?,
            kind: row.try_get(1).map_err(store_error)?,
            payload: row.try_get(2).map_err(store_error)?,
            state: JobState::parse(&state)
                .ok_or_else(|| StoreError::Unavailable(format!("unknown job state {state}")))?,
            attempts: count(row.try_get::<i64, _>(4).map_err(store_error)?),
            attempts_max: count(row.try_get::<i64, _>(5).map_err(store_error)?),
            run_at: row.try_get(6).map_err(store_error)?,
            last_error: row.try_get(7).map_err(store_error)?,
            created_at: row.try_get(8).map_err(store_error)?,
            finished_at: row.try_get(9).map_err(store_error)?,
        }))
    }

    async fn ensure_schedule(
        &self,
        schedule: &Schedule,
        first_run_at: UnixMillis,
    ) -> Result<(), StoreError> {
        let (every_s, daily_at_s) = match schedule.recurrence {
            Recurrence::EverySeconds(seconds) => (Some(seconds), None),
            Recurrence::DailyAtUtc(seconds) => (None, Some(seconds)),
        };
        sqlx::query(
            "INSERT INTO job_schedules \
             (name, kind, payload, every_s, daily_at_s, attempts_max, next_run_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, payload = excluded.payload, \
             every_s = excluded.every_s, daily_at_s = excluded.daily_at_s, \
             attempts_max = excluded.attempts_max",
        )
        .bind(schedule.name.clone())
        .bind(schedule.kind.clone())
        .bind(schedule.payload.clone())
        .bind(every_s)
        .bind(daily_at_s)
        .bind(i64::from(schedule.attempts_max))
        .bind(first_run_at)
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn due_schedules(&self, now: UnixMillis) -> Result<Vec<DueSchedule>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, kind, payload, every_s, daily_at_s, attempts_max, next_run_at \
             FROM job_schedules WHERE next_run_at <= $1 ORDER BY next_run_at, name LIMIT $2",
        )
        .bind(now)
        .bind(DUE_SCHEDULES_MAX)
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.iter()
            .map(|row| {
                let every_s: Option<i64> = row.try_get(3).map_err(store_error)?;
                let daily_at_s: Option<i64> = row.try_get(4).map_err(store_error)?;
                let recurrence = match (every_s, daily_at_s) {
                    (Some(seconds), _) => Recurrence::EverySeconds(seconds),
                    (None, Some(seconds)) => Recurrence::DailyAtUtc(seconds),
                    (None, None) => {
                        return Err(StoreError::Unavailable(
                            "a schedule without a recurrence".into(),
                        ));
                    }
                };
                Ok(DueSchedule {
                    schedule: Schedule {
                        name: row.try_get(0).map_err(store_error)?,
                        kind: row.try_get(1).map_err(store_error)?,
                        payload: row.try_get(2).map_err(store_error)?,
                        recurrence,
                        attempts_max: count(row.try_get::<i64, _>(5).map_err(store_error)?),
                    },
                    next_run_at: row.try_get(6).map_err(store_error)?,
                })
            })
            .collect()
    }

    async fn fire_schedule(
        &self,
        due: &DueSchedule,
        next_run_at: UnixMillis,
        job: &NewJob,
    ) -> Result<bool, StoreError> {
        let mut transaction = self
            .pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)?;
        // Only the process whose update finds the schedule still at this run enqueues the job.
        let moved = sqlx::query(
            "UPDATE job_schedules SET next_run_at = $1 WHERE name = $2 AND next_run_at = $3",
        )
        .bind(next_run_at)
        .bind(due.schedule.name.clone())
        .bind(due.next_run_at)
        .execute(&mut *transaction)
        .await
        .map_err(store_error)?;
        if moved.rows_affected() != 1 {
            transaction.rollback().await.map_err(store_error)?;
            return Ok(false);
        }
        enqueue_job_in(&mut transaction, job).await?;
        transaction.commit().await.map_err(store_error)?;
        Ok(true)
    }
}
