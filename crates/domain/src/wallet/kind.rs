//! The kinds of money movement a wallet user asks for, named as the API names them.

use std::fmt;

/// A movement a user starts. Quotes, fees and limits are all decided per kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MovementKind {
    /// Money in from a bank card (充值).
    TopUp,
    /// Money to another OKPay user in the same currency (转账).
    Transfer,
    /// Money out to the user's bank account (提现).
    Withdrawal,
    /// Money from one of the user's currencies to another (换汇).
    Exchange,
    /// Money to another user, arriving in another currency (跨国汇款).
    Remittance,
}

/// Text that names no movement kind.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not one of topup, transfer, withdrawal, exchange, remittance")]
pub struct UnknownMovementKind(pub String);

impl MovementKind {
    pub const ALL: &'static [MovementKind] = &[
        MovementKind::TopUp,
        MovementKind::Transfer,
        MovementKind::Withdrawal,
        MovementKind::Exchange,
        MovementKind::Remittance,
    ];

    /// The API's name (`topup`, `transfer`, …), also what is stored.
    pub const fn code(self) -> &'static str {
        match self {
            MovementKind::TopUp => "topup",
            MovementKind::Transfer => "transfer",
            MovementKind::Withdrawal => "withdrawal",
            MovementKind::Exchange => "exchange",
            MovementKind::Remittance => "remittance",
        }
    }

    pub fn parse(code: &str) -> Result<MovementKind, UnknownMovementKind> {
        MovementKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.code() == code)
            .ok_or_else(|| UnknownMovementKind(code.to_owned()))
    }

    /// Whether the money arrives in another currency than it leaves in.
    pub const fn converts_currency(self) -> bool {
        matches!(self, MovementKind::Exchange | MovementKind::Remittance)
    }
}

impl fmt::Display for MovementKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses_back_from_its_code_and_others_are_refused() {
        for kind in MovementKind::ALL {
            assert_eq!(MovementKind::parse(kind.code()), Ok(*kind));
        }
        assert!(MovementKind::parse("TopUp").is_err());
        assert!(MovementKind::parse("").is_err());
    }
}
