//! How an entry's legs are stored: `account=amount;account=amount`, in one column of its row.

use ledger::{AccountId, Amount, Posting};

use domain::StoreError;

/// `usr_a:CNY=-500;usr_b:CNY=500`. Account ids never contain `=` or `;` (see `AccountId`).
pub(crate) fn encode_legs(postings: &[Posting]) -> String {
    let mut text = String::with_capacity(postings.len() * 40);
    for (index, posting) in postings.iter().enumerate() {
        if index > 0 {
            text.push(';');
        }
        text.push_str(posting.account.as_str());
        text.push('=');
        text.push_str(&posting.amount.minor().to_string());
    }
    text
}

pub(crate) fn decode_legs(text: &str) -> Result<Vec<Posting>, StoreError> {
    let unreadable = || StoreError::Unavailable(format!("unreadable ledger legs {text:?}"));
    text.split(';')
        .map(|leg| {
            let (account, amount) = leg.split_once('=').ok_or_else(unreadable)?;
            let account = AccountId::parse(account).map_err(|_| unreadable())?;
            let amount = amount.parse::<i64>().map_err(|_| unreadable())?;
            Ok(Posting {
                account,
                amount: Amount::from_minor(amount),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ledger::{Currency, PlatformAccount};

    #[test]
    fn legs_round_trip_through_their_stored_text() {
        let postings = vec![
            Posting {
                account: AccountId::wallet("usr_a", Currency::Cny),
                amount: Amount::from_minor(-500),
            },
            Posting {
                account: AccountId::platform(PlatformAccount::FeeRevenue, Currency::Cny),
                amount: Amount::from_minor(500),
            },
        ];
        let text = encode_legs(&postings);
        assert_eq!(text, "usr_a:CNY=-500;platform:fee_revenue:CNY=500");
        assert_eq!(decode_legs(&text), Ok(postings));
    }

    #[test]
    fn damaged_legs_are_reported_not_misread() {
        for text in ["", "usr_a:CNY", "usr_a:CNY=x", "nobody=5", "usr_a:CNY=5;"] {
            assert!(decode_legs(text).is_err(), "{text:?}");
        }
    }
}
