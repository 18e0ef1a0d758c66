//! Messages to people: e-mail and SMS, kept in an outbox until a sender delivers them, in the
//! recipient's language.

use std::future::Future;

use crate::identity::{Login, UnixSeconds};
use crate::ids::new_id;
use crate::store_port::StoreError;

/// How a message travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub const fn name(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(name: &str) -> Option<Channel> {
        [Channel::Email, Channel::Sms]
            .into_iter()
            .find(|channel| channel.name() == name)
    }

    /// E-mail for an e-mail address, SMS for a phone number.
    pub fn for_login(login: &Login) -> Channel {
        match login {
            Login::Email(_) => Channel::Email,
            Login::Phone(_) => Channel::Sms,
        }
    }
}

/// A message waiting in (or delivered from) the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboundMessage {
    pub id: String,
    pub channel: Channel,
    pub recipient: String,
    pub locale: String,
    pub subject: String,
    pub body: String,
    pub created_at: UnixSeconds,
    pub sent_at: Option<UnixSeconds>,
}

impl OutboundMessage {
    pub fn new(
        channel: Channel,
        recipient: &str,
        locale: &str,
        text: MessageText,
        now: UnixSeconds,
    ) -> OutboundMessage {
        OutboundMessage {
            id: new_id("msg"),
            channel,
            recipient: recipient.to_owned(),
            locale: locale.to_owned(),
            subject: text.subject,
            body: text.body,
            created_at: now,
            sent_at: None,
        }
    }
}

/// The outbox's storage.
pub trait OutboxStore: Send + Sync + 'static {
    fn enqueue(
        &self,
        message: &OutboundMessage,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The newest messages first, at most `limit`.
    fn recent_messages(
        &self,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<OutboundMessage>, StoreError>> + Send;
}

/// A message's words in one language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageText {
    pub subject: String,
    pub body: String,
}

fn is_chinese(locale: &str) -> bool {
    locale.starts_with("zh")
}

/// The code that confirms a new address.
pub fn verification_code(locale: &str, code: &str, minutes_valid: i64) -> MessageText {
    if is_chinese(locale) {
        MessageText {
            subject: "OKPay 验证码".into(),
            body: format!(
                "您的 OKPay 验证码是 {code}，{minutes_valid} 分钟内有效。请勿把验证码告诉任何人，OKPay 工作人员不会向您索要验证码。如果这不是您本人的操作，请忽略本消息。"
            ),
        }
    } else {
        MessageText {
            subject: "Your OKPay verification code".into(),
            body: format!(
                "Your OKPay verification code is {code}. It is valid for {minutes_valid} minutes. Never share it with anyone: OKPay staff will never ask you for it. If you did not ask for this code, ignore this message."
            ),
        }
    }
}

/// Told to the owner of an address when someone tries to register it again.
pub fn registration_attempt_on_taken_address(locale: &str) -> MessageText {
    if is_chinese(locale) {
        MessageText {
            subject: "有人尝试用您的地址注册 OKPay".into(),
            body: "有人刚刚尝试用您的邮箱或手机号注册新的 OKPay 账户。您的账户没有任何变化。如果是您本人，请直接登录；忘记密码可以在登录页重置。如果不是您，无需处理。".into(),
        }
    } else {
        MessageText {
            subject: "Someone tried to register your address at OKPay".into(),
            body: "Someone just tried to open a new OKPay account with your e-mail address or phone number. Nothing about your account changed. If it was you, simply sign in; if you forgot your password, reset it from the sign-in page. If it was not you, there is nothing to do.".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_exists_in_chinese_and_english_and_carries_its_code() {
        let chinese = verification_code("zh-CN", "123456", 10);
        let english = verification_code("en", "123456", 10);
        assert!(chinese.body.contains("123456") && chinese.body.contains("10 分钟"));
        assert!(english.body.contains("123456") && english.body.contains("10 minutes"));
        assert_ne!(
            registration_attempt_on_taken_address("zh-CN"),
            registration_attempt_on_taken_address("en")
        );
    }
}
