//! The job that settles stuck top-ups: every minute, top-ups `processing` for longer than the
//! configured age are settled against the card processor (`Wallet::reconcile_top_ups`).

use std::sync::Arc;

use domain::jobs::{ClaimedJob, Recurrence, Schedule};
use domain::wallet::{TOP_UP_RECONCILE_JOB, Wallet};
use jobs::{BoxFuture, JobFailure, JobHandler};

/// How often the pass runs: a stuck top-up is settled within a minute of reaching its age.
pub const TOP_UP_RECONCILE_EVERY_S: i64 = 60;

/// The recurring schedule `okpay serve` keeps when its job worker runs.
pub fn schedule() -> Schedule {
    Schedule {
        name: TOP_UP_RECONCILE_JOB.to_owned(),
        kind: TOP_UP_RECONCILE_JOB.to_owned(),
        payload: String::new(),
        recurrence: Recurrence::EverySeconds(TOP_UP_RECONCILE_EVERY_S),
        attempts_max: 3,
    }
}

/// Runs [`Wallet::reconcile_top_ups`] at the wallet's clock (tests move it).
pub struct TopUpReconcileJob {
    pub wallet: Arc<Wallet>,
    /// `topup_reconcile_after_s`.
    pub after_s: i64,
}

impl JobHandler for TopUpReconcileJob {
    fn run<'a>(&'a self, _job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobFailure>> {
        Box::pin(async move {
            let pass = self
                .wallet
                .reconcile_top_ups(self.wallet.now(), self.after_s)
                .await
                .map_err(|error| JobFailure::retry(error.to_string()))?;
            if pass != domain::wallet::ReconcilePass::default() {
                tracing::info!(
                    completed = pass.completed,
                    failed = pass.failed,
                    left = pass.left,
                    "stuck top-ups settled"
                );
            }
            Ok(())
        })
    }
}
