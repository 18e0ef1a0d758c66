//! The port that decides whether money may leave a user's wallet now (a frozen or restricted
//! account, a step-up needed for a large amount). Identity supplies the real one; until then
//! [`AllowAll`] lets everything through.

use ledger::{Amount, Currency};

use crate::identity::BoxFuture;
use crate::wallet::MovementKind;

/// Why money may not leave now. `code` is a stable error code (`account_frozen`,
/// `account_restricted`, `step_up_required`, …) the web layer explains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("money may not leave this account now: {code}")]
pub struct GuardRefusal {
    pub code: &'static str,
}

/// Asked before every outgoing movement (transfer, withdrawal, exchange, remittance).
pub trait MoneyOutGuard: Send + Sync + 'static {
    fn check<'a>(
        &'a self,
        user_id: &'a str,
        kind: MovementKind,
        amount: Amount,
        currency: Currency,
    ) -> BoxFuture<'a, Result<(), GuardRefusal>>;
}

/// Lets every movement through: the default until identity's freeze and step-up are wired in.
#[derive(Clone, Copy, Debug, Default)]
pub struct AllowAll;

impl MoneyOutGuard for AllowAll {
    fn check<'a>(
        &'a self,
        _user_id: &'a str,
        _kind: MovementKind,
        _amount: Amount,
        _currency: Currency,
    ) -> BoxFuture<'a, Result<(), GuardRefusal>> {
        Box::pin(async { Ok(()) })
    }
}
