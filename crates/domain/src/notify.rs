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
    /// The newest messages first, at most `limit`, each with where its delivery stands.
    fn outbox_entries(
        &self,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<OutboxEntry>, StoreError>> + Send;
}

/// Where a message's delivery stands, read from the message and its delivery job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryState {
    /// Handed to the SMTP server or SMS provider.
    Sent,
    /// Its job has not run yet, or failed and waits for a retry.
    Waiting { attempts: i64 },
    /// Its job ran without a sender configured: the message stays here for admins to read.
    Kept,
    /// Every attempt failed; `last_error` says why the last one did.
    Failed { last_error: String },
}

impl DeliveryState {
    /// From the message's `sent_at` and its job's state, attempts and last error.
    pub fn of(
        sent_at: Option<UnixSeconds>,
        job_state: Option<&str>,
        attempts: i64,
        last_error: Option<String>,
    ) -> DeliveryState {
        if sent_at.is_some() {
            return DeliveryState::Sent;
        }
        match job_state {
            Some("done") => DeliveryState::Kept,
            Some("dead") => DeliveryState::Failed {
                last_error: last_error.unwrap_or_default(),
            },
            // Messages written before their job existed count as kept: nothing will send them.
            None => DeliveryState::Kept,
            Some(_) => DeliveryState::Waiting { attempts },
        }
    }

    pub const fn name(&self) -> &'static str {
        match self {
            DeliveryState::Sent => "sent",
            DeliveryState::Waiting { .. } => "waiting",
            DeliveryState::Kept => "kept",
            DeliveryState::Failed { .. } => "failed",
        }
    }
}

/// A message in the outbox and where its delivery stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    pub message: OutboundMessage,
    pub delivery: DeliveryState,
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

/// One message in both languages: `(zh-CN, en)`.
fn both(
    zh_subject: &str,
    zh_body: String,
    en_subject: &str,
    en_body: String,
    locale: &str,
) -> MessageText {
    if is_chinese(locale) {
        MessageText {
            subject: zh_subject.to_owned(),
            body: zh_body,
        }
    } else {
        MessageText {
            subject: en_subject.to_owned(),
            body: en_body,
        }
    }
}

/// The code that lets someone set a new password.
pub fn password_reset_code(locale: &str, code: &str, minutes_valid: i64) -> MessageText {
    both(
        "OKPay 重置密码验证码",
        format!(
            "您正在重置 OKPay 登录密码，验证码是 {code}，{minutes_valid} 分钟内有效。请勿告诉任何人。如果不是您本人操作，请忽略本消息，您的密码不会改变。"
        ),
        "Your OKPay password reset code",
        format!(
            "Your code to reset your OKPay password is {code}. It is valid for {minutes_valid} minutes. Never share it. If you did not ask to reset your password, ignore this message: your password stays as it is."
        ),
        locale,
    )
}

/// The password was changed (by a reset or from the security page).
pub fn password_changed(locale: &str) -> MessageText {
    both(
        "您的 OKPay 密码已更改",
        "您的 OKPay 登录密码刚刚被更改，其他设备上的登录已全部退出。如果不是您本人操作，请立即通过“忘记密码”重置密码并联系帮助中心。".to_owned(),
        "Your OKPay password was changed",
        "Your OKPay password was just changed, and every other signed-in device was signed out. If this was not you, reset your password with \"Forgot password\" at once and contact the help center.".to_owned(),
        locale,
    )
}

/// Sign-in was locked after failed attempts.
pub fn account_locked(locale: &str, until_utc: &str, failures: u32) -> MessageText {
    both(
        "您的 OKPay 账户已暂时锁定",
        format!(
            "由于连续 {failures} 次登录失败，您的账户登录已锁定至 {until_utc}（UTC）。您可以等到解锁时间后再登录，或立即通过“忘记密码”重置密码，或联系帮助中心。如果不是您本人在尝试登录，建议重置密码。"
        ),
        "Sign-in to your OKPay account is locked for a while",
        format!(
            "After {failures} failed sign-in attempts, sign-in to your account is locked until {until_utc} (UTC). Wait until then, reset your password with \"Forgot password\" now, or contact the help center. If it was not you trying to sign in, we recommend resetting your password."
        ),
        locale,
    )
}

/// Two-factor sign-in was turned on or off.
pub fn two_factor_changed(locale: &str, enabled: bool) -> MessageText {
    if enabled {
        both(
            "已开启双重验证",
            "您的 OKPay 账户已开启双重验证（TOTP），以后登录需要输入验证器应用中的动态码。请妥善保管恢复码。".to_owned(),
            "Two-factor sign-in is on",
            "Two-factor sign-in (TOTP) is now on for your OKPay account: signing in will ask for the code in your authenticator app. Keep your recovery codes safe.".to_owned(),
            locale,
        )
    } else {
        both(
            "已关闭双重验证",
            "您的 OKPay 账户已关闭双重验证。如果不是您本人操作，请立即冻结账户并联系帮助中心。".to_owned(),
            "Two-factor sign-in is off",
            "Two-factor sign-in was turned off for your OKPay account. If this was not you, freeze your account at once and contact the help center.".to_owned(),
            locale,
        )
    }
}

/// A sign-in from a device or network not seen before, with the link that freezes the account.
pub fn new_sign_in(
    locale: &str,
    at_utc: &str,
    ip: &str,
    device: &str,
    not_me_url: &str,
) -> MessageText {
    both(
        "新设备登录提醒",
        format!(
            "您的 OKPay 账户于 {at_utc}（UTC）在新的设备或网络上登录：IP {ip}，设备 {device}。如果是您本人，无需处理。如果不是您，请立即打开此链接冻结账户：{not_me_url}"
        ),
        "New sign-in to your OKPay account",
        format!(
            "Your OKPay account was signed in to from a new device or network at {at_utc} (UTC): IP {ip}, device {device}. If this was you, there is nothing to do. If it was not you, open this link at once to freeze your account: {not_me_url}"
        ),
        locale,
    )
}

/// The account's e-mail address or phone number was changed; sent to the old one.
pub fn address_changed(locale: &str, new_address_masked: &str) -> MessageText {
    both(
        "您的 OKPay 登录地址已更改",
        format!(
            "您账户的登录邮箱或手机号已改为 {new_address_masked}。如果不是您本人操作，请立即冻结账户并联系帮助中心。"
        ),
        "Your OKPay sign-in address was changed",
        format!(
            "The e-mail address or phone number you sign in with was changed to {new_address_masked}. If this was not you, freeze your account at once and contact the help center."
        ),
        locale,
    )
}

/// The account was frozen.
pub fn account_frozen(locale: &str) -> MessageText {
    both(
        "您的 OKPay 账户已冻结",
        "您的账户已冻结：所有登录已退出，资金无法转出。解冻需要联系帮助中心并核实身份。".to_owned(),
        "Your OKPay account is frozen",
        "Your account is frozen: every session was signed out and no money can leave it. To unfreeze it, contact the help center and confirm who you are.".to_owned(),
        locale,
    )
}

/// Staff unlocked sign-in or unfroze the account.
pub fn account_restored(locale: &str, unfrozen: bool) -> MessageText {
    if unfrozen {
        both(
            "您的 OKPay 账户已解冻",
            "安全团队核实身份后已解冻您的账户，您可以重新登录和转出资金。建议登录后检查登录记录并更改密码。".to_owned(),
            "Your OKPay account is unfrozen",
            "The security team confirmed who you are and unfroze your account: you can sign in and move money again. We recommend checking your login history and changing your password.".to_owned(),
            locale,
        )
    } else {
        both(
            "您的 OKPay 账户已解锁",
            "安全团队已解除您账户的登录锁定，您现在可以登录。".to_owned(),
            "Your OKPay account is unlocked",
            "The security team lifted the sign-in lock on your account: you can sign in now."
                .to_owned(),
            locale,
        )
    }
}

/// The code that confirms a sensitive action (step-up) for an account without two-factor sign-in.
pub fn step_up_code(locale: &str, code: &str, minutes_valid: i64) -> MessageText {
    both(
        "OKPay 安全验证码",
        format!(
            "您正在进行一项需要再次验证的操作，验证码是 {code}，{minutes_valid} 分钟内有效。请勿告诉任何人。如果不是您本人操作，请立即修改密码。"
        ),
        "Your OKPay security code",
        format!(
            "You are doing something that needs a fresh check. Your code is {code}, valid for {minutes_valid} minutes. Never share it. If this was not you, change your password at once."
        ),
        locale,
    )
}

/// The one-time link with which a new staff member sets their password and two-factor sign-in.
pub fn staff_setup(locale: &str, url: &str) -> MessageText {
    both(
        "设置您的 OKPay 员工账户",
        format!("请在 72 小时内打开此链接设置密码和双重验证：{url}"),
        "Set up your OKPay staff account",
        format!(
            "Open this link within 72 hours to set your password and two-factor sign-in: {url}"
        ),
        locale,
    )
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
