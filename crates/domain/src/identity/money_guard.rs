//! Identity's answer to the wallet's "may money leave this account now?": not while it is frozen.

use ledger::{Amount, Currency};

use crate::identity::accounts::{Accounts, AccountsStore};
use crate::identity::{BoxFuture, MoneyOutRefusal};
use crate::wallet::{GuardRefusal, MoneyOutGuard, MovementKind};

impl<S: AccountsStore> MoneyOutGuard for Accounts<S> {
    fn check<'a>(
        &'a self,
        user_id: &'a str,
        _kind: MovementKind,
        _amount: Amount,
        _currency: Currency,
    ) -> BoxFuture<'a, Result<(), GuardRefusal>> {
        Box::pin(async move {
            self.ensure_may_move_money_out(user_id)
                .await
                .map_err(|refusal| GuardRefusal {
                    code: match refusal {
                        MoneyOutRefusal::Frozen => "account_frozen",
                        MoneyOutRefusal::NotActive => "account_restricted",
                        // The wallet's answer must not pretend the account is at fault.
                        MoneyOutRefusal::Store(_) => "database_unavailable",
                    },
                })
        })
    }
}
