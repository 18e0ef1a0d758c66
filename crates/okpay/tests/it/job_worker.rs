//! The job worker inside `okpay serve`: started when `job_worker` is on, driven by tests when off.

use std::time::{Duration, Instant};

use domain::jobs::{JobState, JobStore, NewJob, RetryPolicy};

use crate::helpers::{Backend, on_both_databases, spawn_app, spawn_app_with};

on_both_databases!(the_serving_process_runs_the_job_worker_when_configured);
async fn the_serving_process_runs_the_job_worker_when_configured(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |config| config.job_worker = true).await else {
        return;
    };
    // No handler knows this kind, so the worker's run fails and the job waits for a retry: proof
    // that the worker claimed it.
    let job = NewJob::new(
        "nobody.handles.this",
        "{}",
        &RetryPolicy::default(),
        jobs::now_ms(),
    );
    app.running.store.enqueue_job(&job).await.expect("enqueued");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let record = app
            .running
            .store
            .job(&job.id)
            .await
            .expect("read")
            .expect("exists");
        // Claimed (running, one attempt) first; then the failed run is recorded.
        if record.state == JobState::Queued && record.attempts == 1 {
            assert!(record.last_error.expect("an error").contains("no handler"));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the worker never claimed the job"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.stop().await;
}

on_both_databases!(tests_drive_the_queue_themselves_when_the_worker_is_off);
async fn tests_drive_the_queue_themselves_when_the_worker_is_off(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let job = NewJob::new(
        "nobody.handles.this",
        "{}",
        &RetryPolicy::default(),
        jobs::now_ms(),
    );
    app.running.store.enqueue_job(&job).await.expect("enqueued");
    let record = app
        .running
        .store
        .job(&job.id)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(record.attempts, 0, "nothing runs by itself");
    let report = app.run_pending_jobs().await;
    assert_eq!(report.retried, 1);
    app.stop().await;
}
