//! Contact channels: the hotlines, e-mail addresses, live chat, web sites and social accounts
//! through which OKPay speaks to its users, as admins edit them, and the defaults a new
//! installation starts with.

use crate::identity::UnixSeconds;
use crate::support::hours::{InvalidHours, ServiceHours};
use crate::support::official::{
    normalise_account, normalise_email, normalise_host, normalise_phone,
};

/// What kind of channel a row is; the value is normalised according to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    /// A telephone line; the value is E.164 (`+864008206688`) or a short service number.
    Hotline,
    /// An e-mail address, lower case.
    Email,
    /// The in-app live chat; the value is the path that opens it.
    LiveChat,
    /// A web site's host (`okpay.com`); every sub-domain of it is ours too.
    Website,
    /// An account on a social platform (`platform` says which); the value is the handle,
    /// lower case, without `@`.
    Social,
}

impl ChannelKind {
    pub const ALL: &'static [ChannelKind] = &[
        ChannelKind::Hotline,
        ChannelKind::Email,
        ChannelKind::LiveChat,
        ChannelKind::Website,
        ChannelKind::Social,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ChannelKind::Hotline => "hotline",
            ChannelKind::Email => "email",
            ChannelKind::LiveChat => "live_chat",
            ChannelKind::Website => "website",
            ChannelKind::Social => "social",
        }
    }

    pub fn parse(name: &str) -> Option<ChannelKind> {
        ChannelKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.name() == name)
    }
}

/// One way to reach OKPay.
#[derive(Clone, Debug, PartialEq)]
pub struct ContactChannel {
    /// A short stable name chosen by the admin, e.g. `hotline_mainland`.
    pub id: String,
    pub kind: ChannelKind,
    /// The normalised value (see [`ChannelKind`]).
    pub value: String,
    /// How the value is shown, e.g. `400-820-6688`.
    pub display: String,
    /// For social accounts: `wechat`, `weibo`, `douyin`, `x`…
    pub platform: Option<String>,
    pub name_zh_cn: String,
    pub name_en: String,
    pub note_zh_cn: String,
    pub note_en: String,
    pub hours: ServiceHours,
    /// Listing order, smallest first.
    pub position: i64,
    /// Hidden channels are neither listed nor accepted as official.
    pub enabled: bool,
    pub updated_at: UnixSeconds,
}

/// What an admin types to add or change a channel; [`ChannelDraft::validate`] normalises it.
#[derive(Clone, Debug, Default)]
pub struct ChannelDraft {
    pub id: String,
    pub kind: String,
    pub value: String,
    pub display: Option<String>,
    pub platform: Option<String>,
    pub name_zh_cn: String,
    pub name_en: String,
    pub note_zh_cn: String,
    pub note_en: String,
    pub hours: String,
    pub position: i64,
    pub enabled: bool,
}

/// Why a channel draft was refused; `field` names what to fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidChannel {
    pub field: &'static str,
    pub reason: String,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> InvalidChannel {
    InvalidChannel {
        field,
        reason: reason.into(),
    }
}

/// The longest text an admin may put in any channel field.
const FIELD_CHARS_MAX: usize = 500;

impl ChannelDraft {
    pub fn validate(self, now: UnixSeconds) -> Result<ContactChannel, InvalidChannel> {
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 64
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !id_ok {
            return Err(invalid("id", "use 1–64 of a-z, 0-9 and _"));
        }
        let kind = ChannelKind::parse(&self.kind)
            .ok_or_else(|| invalid("kind", "one of hotline, email, live_chat, website, social"))?;
        for (field, text) in [
            ("value", &self.value),
            ("name_zh_cn", &self.name_zh_cn),
            ("name_en", &self.name_en),
            ("note_zh_cn", &self.note_zh_cn),
            ("note_en", &self.note_en),
        ] {
            if text.chars().count() > FIELD_CHARS_MAX {
                return Err(invalid(
                    field,
                    format!("at most {FIELD_CHARS_MAX} characters"),
                ));
            }
        }
        if self.name_zh_cn.trim().is_empty() {
            return Err(invalid("name_zh_cn", "required"));
        }
        if self.name_en.trim().is_empty() {
            return Err(invalid("name_en", "required"));
        }
        let value = match kind {
            ChannelKind::Hotline => normalise_phone(&self.value),
            ChannelKind::Email => normalise_email(&self.value).map(|email| email.exact),
            ChannelKind::Website => normalise_host(&self.value),
            ChannelKind::Social => normalise_account(&self.value),
            ChannelKind::LiveChat => {
                let path = self.value.trim();
                path.starts_with('/').then(|| path.to_owned())
            }
        }
        .ok_or_else(|| invalid("value", format!("not a valid {} value", kind.name())))?;
        let platform = self
            .platform
            .map(|p| p.trim().to_lowercase())
            .filter(|p| !p.is_empty());
        if kind == ChannelKind::Social && platform.is_none() {
            return Err(invalid("platform", "a social account names its platform"));
        }
        let hours = ServiceHours::parse(&self.hours)
            .map_err(|InvalidHours(reason)| invalid("hours", reason))?;
        Ok(ContactChannel {
            id: self.id,
            kind,
            display: self
                .display
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| self.value.trim().to_owned()),
            value,
            platform,
            name_zh_cn: self.name_zh_cn.trim().to_owned(),
            name_en: self.name_en.trim().to_owned(),
            note_zh_cn: self.note_zh_cn.trim().to_owned(),
            note_en: self.note_en.trim().to_owned(),
            hours,
            position: self.position,
            enabled: self.enabled,
            updated_at: now,
        })
    }
}

/// The channels a new installation starts with. Admins change them on the contact-channel page;
/// nothing here is read again once they are stored.
pub fn default_channels(now: UnixSeconds) -> Vec<ContactChannel> {
    let shanghai_day = "Asia/Shanghai daily 09:00-21:00";
    let drafts = [
        (
            "hotline_mainland",
            "hotline",
            "400-820-6688",
            None,
            "客服热线（中国大陆）",
            "Hotline (mainland China)",
            "免长途费。按 1 查询交易，按 2 账户安全，按 0 转人工。",
            "Toll-free in mainland China. Press 1 for transactions, 2 for account security, 0 for an agent.",
            shanghai_day,
        ),
        (
            "hotline_international",
            "hotline",
            "+86 21 6088 6688",
            None,
            "客服热线（海外及港澳台）",
            "Hotline (outside mainland China)",
            "按国际长途收费。",
            "International call rates apply.",
            shanghai_day,
        ),
        (
            "hotline_security",
            "hotline",
            "400-820-6699",
            None,
            "账户安全专线（24 小时）",
            "Account-security line (24 hours)",
            "账户被盗、发现未授权交易时拨打，可立即冻结账户。",
            "Call if your account was stolen or you see a payment you did not make; we can freeze the account at once.",
            "always",
        ),
        (
            "email_support",
            "email",
            "support@okpay.com",
            None,
            "客服邮箱",
            "Support e-mail",
            "工作日 24 小时内回复。我们绝不会在邮件中索要密码或验证码。",
            "We answer within 24 hours on working days. We never ask for your password or a code by e-mail.",
            "Asia/Shanghai mon-fri 09:00-18:00",
        ),
        (
            "email_security",
            "email",
            "security@okpay.com",
            None,
            "安全事件邮箱",
            "Security e-mail",
            "报告诈骗、仿冒网站或安全漏洞。",
            "Report scams, fake sites or security flaws.",
            "always",
        ),
        (
            "live_chat",
            "live_chat",
            "/chat",
            Some("在线客服".to_owned()),
            "在线客服",
            "Live chat",
            "登录后即可与客服对话；非服务时间的留言会转为工单。",
            "Chat with an agent once signed in; outside service hours your message becomes a ticket.",
            "Asia/Shanghai daily 08:00-22:00",
        ),
        (
            "website",
            "website",
            "okpay.com",
            None,
            "官方网站",
            "Official web site",
            "只有 okpay.com 及其子域名是我们的网站。",
            "Only okpay.com and its sub-domains are our web site.",
            "always",
        ),
        (
            "website_cn",
            "website",
            "okpay.cn",
            None,
            "官方网站（中国）",
            "Official web site (China)",
            "与 okpay.com 相同的服务。",
            "The same service as okpay.com.",
            "always",
        ),
    ];
    let social = [
        (
            "social_wechat",
            "wechat",
            "OKPay_Official",
            "微信公众号",
            "WeChat official account",
        ),
        ("social_weibo", "weibo", "OKPay客服", "新浪微博", "Weibo"),
        ("social_x", "x", "@OKPayHelp", "X（Twitter）", "X (Twitter)"),
    ];
    let mut channels: Vec<ContactChannel> = drafts
        .into_iter()
        .map(
            |(id, kind, value, display, name_zh_cn, name_en, note_zh_cn, note_en, hours)| {
                ChannelDraft {
                    id: id.to_owned(),
                    kind: kind.to_owned(),
                    value: value.to_owned(),
                    display,
                    platform: None,
                    name_zh_cn: name_zh_cn.to_owned(),
                    name_en: name_en.to_owned(),
                    note_zh_cn: note_zh_cn.to_owned(),
                    note_en: note_en.to_owned(),
                    hours: hours.to_owned(),
                    position: 0,
                    enabled: true,
                }
            },
        )
        .chain(
            social
                .into_iter()
                .map(|(id, platform, handle, name_zh_cn, name_en)| ChannelDraft {
                    id: id.to_owned(),
                    kind: "social".to_owned(),
                    value: handle.to_owned(),
                    display: None,
                    platform: Some(platform.to_owned()),
                    name_zh_cn: name_zh_cn.to_owned(),
                    name_en: name_en.to_owned(),
                    note_zh_cn: "只发布公告，绝不私信索要密码或转账。".to_owned(),
                    note_en: "Announcements only; we never message you for a password or money."
                        .to_owned(),
                    hours: "always".to_owned(),
                    position: 0,
                    enabled: true,
                }),
        )
        .map(|draft| draft.validate(now).expect("the default channels are valid"))
        .collect();
    for (position, channel) in channels.iter_mut().enumerate() {
        channel.position = (position as i64 + 1) * 10;
    }
    channels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_have_unique_ids() {
        let channels = default_channels(0);
        assert!(channels.len() >= 10);
        let mut ids: Vec<&str> = channels.iter().map(|c| c.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), channels.len());
        let mainland = &channels[0];
        assert_eq!(mainland.value, "+864008206688");
        assert_eq!(mainland.display, "400-820-6688");
    }

    #[test]
    fn a_draft_with_a_bad_value_names_the_field() {
        let draft = ChannelDraft {
            id: "hotline_x".into(),
            kind: "hotline".into(),
            value: "call us".into(),
            name_zh_cn: "热线".into(),
            name_en: "Hotline".into(),
            hours: "always".into(),
            enabled: true,
            ..ChannelDraft::default()
        };
        assert_eq!(draft.validate(0).unwrap_err().field, "value");
    }
}
