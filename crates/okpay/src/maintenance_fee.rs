//! The daily job that runs the wallet's maintenance fee pass (notices and monthly charges).

use std::sync::Arc;

use domain::jobs::{ClaimedJob, Recurrence, Schedule};
use domain::wallet::{MAINTENANCE_FEE_JOB, Wallet};
use jobs::{BoxFuture, JobFailure, JobHandler};

/// When the pass runs: 02:00 UTC, after the day's traffic in China has ebbed (10:00 there is
/// busier, but the pass is idempotent per month, so the hour only matters for load).
pub const MAINTENANCE_FEE_AT_UTC_S: i64 = 2 * 60 * 60;

/// The recurring schedule `okpay serve` keeps when its job worker runs.
pub fn schedule() -> Schedule {
    Schedule {
        name: MAINTENANCE_FEE_JOB.to_owned(),
        kind: MAINTENANCE_FEE_JOB.to_owned(),
        payload: String::new(),
        recurrence: Recurrence::DailyAtUtc(MAINTENANCE_FEE_AT_UTC_S),
        attempts_max: 5,
    }
}

/// Runs [`Wallet::charge_maintenance_fees`] at the wallet's clock (tests move it).
pub struct MaintenanceFeeJob {
    pub wallet: Arc<Wallet>,
}

impl JobHandler for MaintenanceFeeJob {
    fn run<'a>(&'a self, _job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobFailure>> {
        Box::pin(async move {
            let pass = self
                .wallet
                .charge_maintenance_fees(self.wallet.now())
                .await
                .map_err(|error| JobFailure::retry(error.to_string()))?;
            tracing::info!(
                noticed = pass.noticed,
                charged = pass.charged,
                replayed = pass.replayed,
                failed = pass.failed,
                "maintenance fee pass"
            );
            Ok(())
        })
    }
}
