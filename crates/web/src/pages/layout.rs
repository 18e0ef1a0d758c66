//! What the shared page frame (`templates/base.html`) needs: language, header, switch and footer
//! text, and the banner of the announcements active while the page is rendered.

use std::sync::Arc;

use domain::support::{Announcement, Severity};

use super::assets::{password_strength_script_href, stylesheet_href};
use super::session::PageSession;
use super::staff::StaffPage;
use crate::i18n::{LayoutText, Locale, SupportFrameText};

tokio::task_local! {
    /// The notices active for the request being served, set by [`super::banner::with_notices`]
    /// around every page handler. A task-local rather than a parameter so that every page's
    /// `Layout::new(locale)` shows the banner without each handler fetching it.
    pub(crate) static PAGE_NOTICES: Arc<Vec<Announcement>>;
}

/// The frame's data, one field of every page template.
pub(crate) struct Layout {
    pub lang: &'static str,
    pub text: &'static LayoutText,
    pub support: &'static SupportFrameText,
    pub stylesheet_href: String,
    pub script_href: String,
    pub languages: Vec<LanguageLink>,
    /// The signed-in person, for the header's name and sign-out button; `None` shows the
    /// sign-in and sign-up links instead.
    pub account: Option<HeaderAccount>,
    /// The announcements active now, most severe first; shown as a banner above the page.
    pub notices: Vec<BannerNotice>,
    /// On back-office pages the header names the staff member instead of offering a user's
    /// sign-in, which a staff member has no use for there.
    pub staff: Option<HeaderStaff>,
    /// A back-office page: no user sign-in links, whether or not a staff member is signed in.
    pub staff_area: bool,
}

/// The signed-in staff member, as the back-office header shows them.
pub(crate) struct HeaderStaff {
    /// Their role and name, e.g. `agent · li.na@okpay.example`.
    pub name: String,
    /// For the staff sign-out form.
    pub csrf_token: String,
}

/// One entry of the language switch; following it sets the language cookie.
pub(crate) struct LanguageLink {
    pub lang: &'static str,
    pub name: &'static str,
    pub is_current: bool,
}

/// Who is signed in, as the header shows them.
pub(crate) struct HeaderAccount {
    /// Their e-mail address or phone number.
    pub name: String,
    /// For the sign-out form.
    pub csrf_token: String,
    /// Unread messages in the message center; the badge shows when there are any.
    pub unread_messages: i64,
}

/// One announcement in the banner, in the page's language.
pub(crate) struct BannerNotice {
    /// `info`, `degraded` or `outage`: the banner's colour.
    pub severity: &'static str,
    pub title: String,
    pub body: String,
}

impl Layout {
    /// The frame as a visitor who is not signed in sees it.
    pub fn new(locale: Locale) -> Self {
        let notices = PAGE_NOTICES
            .try_with(|notices| {
                notices
                    .iter()
                    .map(|notice| BannerNotice {
                        severity: match notice.severity {
                            Severity::Info => "info",
                            Severity::Degraded => "degraded",
                            Severity::Outage => "outage",
                        },
                        title: locale.pick(&notice.title_zh_cn, &notice.title_en).clone(),
                        body: locale.pick(&notice.body_zh_cn, &notice.body_en).clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Layout {
            lang: locale.tag(),
            text: LayoutText::for_locale(locale),
            support: SupportFrameText::for_locale(locale),
            stylesheet_href: stylesheet_href(),
            script_href: password_strength_script_href(),
            languages: Locale::ALL
                .iter()
                .map(|language| LanguageLink {
                    lang: language.tag(),
                    name: language.autonym(),
                    is_current: *language == locale,
                })
                .collect(),
            account: None,
            notices,
            staff: None,
            staff_area: false,
        }
    }

    /// The frame for `session`'s owner, or for a visitor when there is none.
    pub fn for_session(locale: Locale, session: Option<&PageSession>) -> Self {
        let mut layout = Layout::new(locale);
        layout.account = session.map(|session| HeaderAccount {
            name: session
                .user
                .email
                .clone()
                .or_else(|| session.user.phone.clone())
                .unwrap_or_default(),
            csrf_token: session.csrf_token.clone(),
            unread_messages: session.unread_messages,
        });
        layout
    }

    /// The frame of a back-office page before anyone is signed in (sign-in, set-up).
    pub fn staff_area(locale: Locale) -> Self {
        let mut layout = Layout::new(locale);
        layout.staff_area = true;
        layout
    }

    /// The frame of a back-office page for a signed-in staff member.
    pub fn for_staff(locale: Locale, staff: &StaffPage) -> Self {
        let mut layout = Layout::staff_area(locale);
        layout.staff = Some(HeaderStaff {
            name: format!(
                "{} · {}",
                crate::i18n::staff_role_name(staff.role, locale),
                staff.display_name
            ),
            csrf_token: staff.csrf_token.clone(),
        });
        layout
    }
}
