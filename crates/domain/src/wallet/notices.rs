//! What the wallet tells people (money received, a withdrawal's end), in their language. Every
//! notice goes through [`notice_for`] and then one store call, so the message center can take
//! them over in one place.

use ledger::{Amount, Currency};

use crate::identity::UnixSeconds;
use crate::notify::{Channel, MessageText, OutboundMessage};
use crate::wallet::port::WalletUser;

fn chinese(locale: &str) -> bool {
    locale.starts_with("zh")
}

fn money(amount: Amount, currency: Currency) -> String {
    format!("{} {}", amount.to_decimal_string(currency), currency.code())
}

/// Money arrived from another user.
pub fn money_received(
    locale: &str,
    amount: Amount,
    currency: Currency,
    from: &str,
    note: Option<&str>,
) -> MessageText {
    let money = money(amount, currency);
    if chinese(locale) {
        let note = note.map_or(String::new(), |note| format!("附言：{note}。"));
        MessageText {
            subject: format!("您收到一笔 {money} 的转账"),
            body: format!(
                "{from} 向您转账 {money}，已存入您的 OKPay 钱包。{note}可在交易记录中查看详情。"
            ),
        }
    } else {
        let note = note.map_or(String::new(), |note| format!(" Note: {note}."));
        MessageText {
            subject: format!("You received {money}"),
            body: format!(
                "{from} sent you {money}; it is in your OKPay wallet now.{note} The details are in your transaction records."
            ),
        }
    }
}

/// A withdrawal reached its end: `completed`, `rejected` (with the reviewer's reason) or
/// `failed` (with the bank's reason code).
pub fn withdrawal_ended(
    locale: &str,
    id: &str,
    outcome: &str,
    amount: Amount,
    currency: Currency,
    reason: Option<&str>,
) -> MessageText {
    let money = money(amount, currency);
    let reason = reason.unwrap_or("-");
    match (chinese(locale), outcome) {
        (true, "completed") => MessageText {
            subject: format!("提现 {money} 已到账"),
            body: format!("您的提现 {id}（{money}）已汇出到您的银行账户。"),
        },
        (true, "rejected") => MessageText {
            subject: format!("提现 {money} 未通过审核"),
            body: format!(
                "您的提现 {id}（{money}）未通过审核，原因：{reason}。冻结的金额已退回您的钱包余额。如有疑问请联系客服。"
            ),
        },
        (true, _) => MessageText {
            subject: format!("提现 {money} 失败"),
            body: format!(
                "您的提现 {id}（{money}）未能汇出，原因代码：{reason}。冻结的金额已退回您的钱包余额，请检查银行账户后重新提现。"
            ),
        },
        (false, "completed") => MessageText {
            subject: format!("Your withdrawal of {money} is paid"),
            body: format!("Your withdrawal {id} ({money}) was paid out to your bank account."),
        },
        (false, "rejected") => MessageText {
            subject: format!("Your withdrawal of {money} was not approved"),
            body: format!(
                "Your withdrawal {id} ({money}) was not approved. Reason: {reason}. The held amount is back in your available balance. Contact support if you have questions."
            ),
        },
        (false, _) => MessageText {
            subject: format!("Your withdrawal of {money} failed"),
            body: format!(
                "Your withdrawal {id} ({money}) could not be paid out (reason code {reason}). The held amount is back in your available balance; check the bank account and withdraw again."
            ),
        },
    }
}

/// The maintenance fee starts on `first_charge_day` (`YYYY-MM-DD`, UTC) unless the wallet is
/// used before then.
pub fn maintenance_coming(
    locale: &str,
    fee: Amount,
    currency: Currency,
    first_charge_day: &str,
    inactive_months: u32,
) -> MessageText {
    let money = money(fee, currency);
    if chinese(locale) {
        MessageText {
            subject: format!(
                "您的 {} 钱包将自 {first_charge_day} 起收取账户管理费",
                currency.code()
            ),
            body: format!(
                "您的 {} 钱包已接近 {inactive_months} 个月没有交易。自 {first_charge_day}（UTC）起，每月将收取 {money} 的账户管理费，最多扣至余额为零。在此之前进行任意一笔交易（充值、转账、兑换或提现）即可避免收费。",
                currency.code()
            ),
        }
    } else {
        MessageText {
            subject: format!(
                "A maintenance fee on your {} wallet starts on {first_charge_day}",
                currency.code()
            ),
            body: format!(
                "Your {} wallet has had no activity for almost {inactive_months} months. From {first_charge_day} (UTC) a maintenance fee of {money} a month will be charged, never more than the balance. Make any movement (top-up, transfer, exchange or withdrawal) before then to avoid it.",
                currency.code()
            ),
        }
    }
}

/// The message that carries `text` to `user`: e-mail when they have an address, else SMS.
pub fn notice_for(user: &WalletUser, text: MessageText, now: UnixSeconds) -> OutboundMessage {
    let (channel, recipient) = match (&user.email, &user.phone) {
        (Some(email), _) => (Channel::Email, email.as_str()),
        (None, Some(phone)) => (Channel::Sms, phone.as_str()),
        (None, None) => (Channel::Email, user.id.as_str()),
    };
    OutboundMessage::new(channel, recipient, &user.locale, text, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_exists_in_both_languages() {
        let yuan = Amount::from_minor(1050);
        let zh = money_received(
            "zh-CN",
            yuan,
            Currency::Cny,
            "m***@example.com",
            Some("午饭"),
        );
        let en = money_received("en", yuan, Currency::Cny, "m***@example.com", None);
        assert!(zh.body.contains("10.50 CNY") && zh.body.contains("午饭"));
        assert!(en.subject.contains("10.50 CNY"));
        for outcome in ["completed", "rejected", "failed"] {
            let zh = withdrawal_ended("zh-CN", "wdr_1", outcome, yuan, Currency::Cny, Some("x"));
            let en = withdrawal_ended("en", "wdr_1", outcome, yuan, Currency::Cny, Some("x"));
            assert_ne!(zh, en);
        }
        let zh = maintenance_coming("zh-CN", yuan, Currency::Cny, "2027-03-15", 12);
        let en = maintenance_coming("en", yuan, Currency::Cny, "2027-03-15", 12);
        assert!(zh.body.contains("10.50 CNY") && zh.body.contains("2027-03-15"));
        assert!(en.body.contains("10.50 CNY") && en.subject.contains("2027-03-15"));
    }
}
