//! The official-channel check: what a pasted phone number, e-mail address, web address or
//! account name is, in a normal form, and whether it is one of ours, a look-alike of ours,
//! reported as a scam, or simply not ours.
//!
//! Look-alikes are found on confusable skeletons (Unicode TS #39: Cyrillic а, digit 0 and
//! letter o, `rn` and `m` fold together) and on an edit distance of one from our brand name,
//! so `okpay.com.evil.net`, `0kpay.com`, `okpay-support.com`, `okpаy.com` and `okpya.com` are
//! flagged, never accepted.

use unicode_security::skeleton;

use crate::support::channels::{ChannelKind, ContactChannel};

/// The longest value the check reads; anything longer is not an address anyone types.
pub const VALUE_CHARS_MAX: usize = 512;

/// What kind of thing was pasted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueKind {
    Phone,
    Email,
    /// A web address or bare domain; matched on its host.
    Url,
    /// An account name on a social platform or chat app.
    Account,
}

impl ValueKind {
    pub const ALL: &'static [ValueKind] = &[
        ValueKind::Phone,
        ValueKind::Email,
        ValueKind::Url,
        ValueKind::Account,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ValueKind::Phone => "phone",
            ValueKind::Email => "email",
            ValueKind::Url => "url",
            ValueKind::Account => "account",
        }
    }

    pub fn parse(name: &str) -> Option<ValueKind> {
        ValueKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.name() == name)
    }
}

/// A pasted value in normal form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedValue {
    pub kind: ValueKind,
    /// What reports are filed and found under: E.164 for phones, the canonical mailbox for
    /// e-mail, the registrable domain (ASCII) for web addresses, the handle for accounts.
    pub key: String,
    /// The exact normal form: the whole host for web addresses, the address as written (lower
    /// case) for e-mail; otherwise the same as `key`.
    pub exact: String,
    /// For e-mail and web addresses, the host (ASCII, lower case).
    pub host: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    #[error("nothing to check")]
    Empty,
    #[error("longer than {VALUE_CHARS_MAX} characters")]
    TooLong,
    #[error("not a phone number, e-mail address, web address or account name")]
    Unrecognised,
}

/// Reads a pasted value: full-width characters become ASCII, then it is recognised as (in this
/// order) a URL with a scheme, an e-mail address, an `@handle`, a phone number, a bare domain,
/// or an account name.
pub fn recognise(input: &str) -> Result<CheckedValue, InvalidValue> {
    if input.chars().count() > VALUE_CHARS_MAX {
        return Err(InvalidValue::TooLong);
    }
    let text = half_width(input);
    let text = text.trim();
    if text.is_empty() {
        return Err(InvalidValue::Empty);
    }
    let as_url = |text: &str| {
        let host = normalise_host(text)?;
        Some(CheckedValue {
            kind: ValueKind::Url,
            key: registrable_domain(&host),
            exact: host.clone(),
            host: Some(host),
        })
    };
    if text.contains("://") {
        return as_url(text).ok_or(InvalidValue::Unrecognised);
    }
    if !text.starts_with('@')
        && let Some(email) = normalise_email(text)
    {
        return Ok(CheckedValue {
            kind: ValueKind::Email,
            key: email.canonical,
            exact: email.exact,
            host: Some(email.domain),
        });
    }
    let account = |text: &str| {
        normalise_account(text).map(|handle| CheckedValue {
            kind: ValueKind::Account,
            key: handle.clone(),
            exact: handle,
            host: None,
        })
    };
    if text.starts_with('@') {
        return account(text).ok_or(InvalidValue::Unrecognised);
    }
    if text.chars().all(is_phone_char) {
        let phone = normalise_phone(text).ok_or(InvalidValue::Unrecognised)?;
        return Ok(CheckedValue {
            kind: ValueKind::Phone,
            key: phone.clone(),
            exact: phone,
            host: None,
        });
    }
    if text.contains('.')
        && let Some(value) = as_url(text)
    {
        return Ok(value);
    }
    account(text).ok_or(InvalidValue::Unrecognised)
}

/// Full-width forms (ＡＢＣ１２３＠．) and the ideographic space become their ASCII selves,
/// as people often paste them from Chinese text.
fn half_width(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '—' | '–' => '-',
            _ => c,
        })
        .collect()
}

fn is_phone_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | ' ' | '.' | '/')
}

/// A phone number in E.164 (`+8613800138000`), mainland China assumed when no country is
/// given; short service numbers (95xxx, 10xxx) stay as their digits. Accepts `+86`, `0086`,
/// `86` before an 11-digit mobile, a leading trunk `0`, `(0)` after the country code, spaces,
/// dashes, dots and parentheses.
pub fn normalise_phone(input: &str) -> Option<String> {
    let text = half_width(input);
    let text = text.trim();
    if text.is_empty() || !text.chars().all(is_phone_char) {
        return None;
    }
    // "+86 (0)21 …": the (0) is the trunk prefix, dialled only from inside the country.
    let text = text.replace("(0)", "");
    let plus = text.trim_start().starts_with('+');
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if text.matches('+').count() > usize::from(plus) {
        return None;
    }
    let international = if plus {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_owned()
    } else if digits.len() <= 6 {
        // A short service number (95017, 10086) has no international form.
        return (digits.len() >= 3).then_some(digits);
    } else if digits.len() == 13 && digits.starts_with("861") {
        digits
    } else if let Some(rest) = digits.strip_prefix('0') {
        format!("86{rest}")
    } else {
        // An 11-digit mobile, a 400/800 service number, or a local number: mainland China.
        format!("86{digits}")
    };
    // A trunk 0 written after the country code ("+86 021 …").
    let international = match international.strip_prefix("860") {
        Some(rest) => format!("86{rest}"),
        None => international,
    };
    (8..=15)
        .contains(&international.len())
        .then(|| format!("+{international}"))
}

/// An e-mail address in the forms the check needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NormalisedEmail {
    /// Lower case, as written.
    pub exact: String,
    /// The mailbox it delivers to: at providers that ignore dots and `+tags` in the local
    /// part (Gmail), those are removed, so reports of `o.k.pay+x@gmail.com` and
    /// `okpay@gmail.com` meet.
    pub canonical: String,
    /// The domain, ASCII, lower case.
    pub domain: String,
}

/// Providers whose mailboxes ignore dots in the local part.
const DOT_BLIND_DOMAINS: &[&str] = &["gmail.com", "googlemail.com"];

pub fn normalise_email(input: &str) -> Option<NormalisedEmail> {
    let text = half_width(input);
    let text = text.trim().trim_start_matches("mailto:");
    let (local, domain) = text.rsplit_once('@')?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.contains(|c: char| c.is_whitespace() || "@/:<>()[],;\\\"".contains(c));
    if !local_ok {
        return None;
    }
    let domain = normalise_host(domain)?;
    if !domain.contains('.') {
        return None;
    }
    let local = local.to_lowercase();
    let canonical_local = if DOT_BLIND_DOMAINS.contains(&domain.as_str()) {
        let without_tag = local.split('+').next().unwrap_or_default();
        without_tag.replace('.', "")
    } else {
        local.split('+').next().unwrap_or_default().to_owned()
    };
    let canonical_domain = if domain == "googlemail.com" {
        "gmail.com".to_owned()
    } else {
        domain.clone()
    };
    Some(NormalisedEmail {
        exact: format!("{local}@{domain}"),
        canonical: format!("{canonical_local}@{canonical_domain}"),
        domain,
    })
}

/// The host of a web address or bare domain, lower-case ASCII (IDNA): the scheme, user
/// information, port, path, query and fragment, and a trailing dot, are dropped.
pub fn normalise_host(input: &str) -> Option<String> {
    let text = half_width(input);
    let mut rest = text.trim();
    if let Some((_, after)) = rest.split_once("://") {
        rest = after;
    }
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or_default();
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match host_port.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => host_port,
    };
    let host = host.trim_end_matches('.');
    if host.is_empty() || host.contains(char::is_whitespace) {
        return None;
    }
    let ascii = idna::domain_to_ascii(host).ok()?;
    let labels_ok = ascii
        .split('.')
        .all(|label| !label.is_empty() && label.len() <= 63);
    (labels_ok && ascii.contains('.') && ascii.len() <= 253).then_some(ascii)
}

/// An account handle: without a leading `@`, lower case, no spaces, at most 64 characters.
pub fn normalise_account(input: &str) -> Option<String> {
    let text = half_width(input);
    let handle = text.trim().trim_start_matches('@').to_lowercase();
    let ok = !handle.is_empty()
        && handle.chars().count() <= 64
        && !handle.contains(|c: char| c.is_whitespace() || c == '/' || c == '@');
    ok.then_some(handle)
}

/// Second-level suffixes under which registrations happen one level further down.
const SECOND_LEVEL_SUFFIXES: &[&str] = &[
    "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn", "com.hk", "org.hk", "net.hk",
    "com.tw", "org.tw", "com.mo", "co.uk", "org.uk", "ac.uk", "co.jp", "ne.jp", "or.jp", "com.au",
    "net.au", "org.au", "co.nz", "com.sg", "com.my", "co.kr", "com.br", "co.in", "com.ru",
];

/// The part of a host someone registers (`evil.net` for `okpay.com.evil.net`), so that reports
/// of a scam site cover all of its sub-domains.
pub fn registrable_domain(host: &str) -> String {
    let labels: Vec<&str> = host.split('.').collect();
    if host.parse::<std::net::Ipv4Addr>().is_ok() || labels.len() <= 2 {
        return host.to_owned();
    }
    let last_two = labels[labels.len() - 2..].join(".");
    let take = if SECOND_LEVEL_SUFFIXES.contains(&last_two.as_str()) {
        3
    } else {
        2
    };
    labels[labels.len() - take..].join(".")
}

/// The official channel a value is, if any. Web addresses match a web site and all its
/// sub-domains; an e-mail address matches a listed address exactly, or else the web site its
/// domain belongs to (reported as [`OfficialMatch::Domain`]).
pub fn official_match<'a>(
    value: &CheckedValue,
    channels: &'a [ContactChannel],
) -> Option<(&'a ContactChannel, OfficialMatch)> {
    let live = || channels.iter().filter(|channel| channel.enabled);
    let website_of = |host: &str| {
        live().find(|channel| {
            channel.kind == ChannelKind::Website
                && (host == channel.value || host.ends_with(&format!(".{}", channel.value)))
        })
    };
    match value.kind {
        ValueKind::Phone => live()
            .find(|c| c.kind == ChannelKind::Hotline && c.value == value.exact)
            .map(|c| (c, OfficialMatch::Exact)),
        ValueKind::Account => live()
            .find(|c| c.kind == ChannelKind::Social && c.value == value.exact)
            .map(|c| (c, OfficialMatch::Exact)),
        ValueKind::Email => live()
            .find(|c| c.kind == ChannelKind::Email && c.value == value.exact)
            .map(|c| (c, OfficialMatch::Exact))
            .or_else(|| website_of(value.host.as_deref()?).map(|c| (c, OfficialMatch::Domain))),
        ValueKind::Url => website_of(value.host.as_deref()?).map(|c| (c, OfficialMatch::Exact)),
    }
}

/// How a value matched an official channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfficialMatch {
    /// It is the channel (or a sub-domain of our web site).
    Exact,
    /// An e-mail address on our domain that is not one of the listed addresses.
    Domain,
}

/// Our brand names as the look-alike test compares them: the registrable label of every
/// official web site (`okpay` for `okpay.com`), folded to skeletons.
pub fn brand_names(channels: &[ContactChannel]) -> Vec<String> {
    let mut brands: Vec<String> = channels
        .iter()
        .filter(|c| c.enabled && c.kind == ChannelKind::Website)
        .filter_map(|c| {
            let registrable = registrable_domain(&c.value);
            registrable.split('.').next().map(str::to_owned)
        })
        .filter(|label| label.chars().count() >= 3)
        .collect();
    brands.sort();
    brands.dedup();
    brands
}

/// The brand a value imitates, if it does: its host, local part or handle contains one of
/// `brands` once confusable characters are folded together, or one of its words is a single
/// edit (a letter changed, added, removed or swapped) away from one. Only asked about values
/// that are not official.
pub fn lookalike_of(value: &CheckedValue, brands: &[String]) -> Option<String> {
    let mut texts: Vec<String> = Vec::new();
    match value.kind {
        ValueKind::Phone => return None,
        ValueKind::Account => texts.push(value.exact.clone()),
        ValueKind::Url => texts.push(unicode_host(value.host.as_deref()?)),
        ValueKind::Email => {
            texts.push(unicode_host(value.host.as_deref()?));
            texts.push(value.exact.split('@').next().unwrap_or_default().to_owned());
        }
    }
    for brand in brands {
        let brand_folded = fold(brand);
        for text in &texts {
            let folded = fold(text);
            let without_separators: String =
                folded.chars().filter(|c| c.is_alphanumeric()).collect();
            if folded.contains(&brand_folded) || without_separators.contains(&brand_folded) {
                return Some(brand.clone());
            }
            let near = folded
                .split(|c: char| !c.is_alphanumeric())
                .filter(|word| word.chars().count() + 1 >= brand_folded.chars().count())
                .any(|word| edit_distance(word, &brand_folded) == 1);
            if near {
                return Some(brand.clone());
            }
        }
    }
    None
}

/// The Unicode form of an ASCII (IDNA) host, so that `xn--okpy-…` is compared as `okpаy`.
fn unicode_host(host: &str) -> String {
    let (unicode, result) = idna::domain_to_unicode(host);
    if result.is_ok() {
        unicode
    } else {
        host.to_owned()
    }
}

/// The confusable skeleton (TS #39), lower case; digits that pass for letters fold too.
fn fold(text: &str) -> String {
    let skeleton: String = skeleton(&text.to_lowercase()).collect();
    skeleton
        .to_lowercase()
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | 'i' | '|' => 'l',
            '5' => 's',
            '3' => 'e',
            '4' => 'a',
            _ => c,
        })
        .collect()
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
/// neighbours each cost one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_reach_one_form_however_they_are_written() {
        for (input, expected) in [
            ("400-820-6688", Some("+864008206688")),
            ("400 820 6688", Some("+864008206688")),
            ("+86 400 820 6688", Some("+864008206688")),
            ("0086 4008206688", Some("+864008206688")),
            ("(021) 6088-6688", Some("+862160886688")),
            ("+86 (0)21 6088 6688", Some("+862160886688")),
            ("+86 021 6088 6688", Some("+862160886688")),
            ("138 0013 8000", Some("+8613800138000")),
            ("8613800138000", Some("+8613800138000")),
            ("+852 2345 6789", Some("+85223456789")),
            ("95017", Some("95017")),
            ("１３８００１３８０００", Some("+8613800138000")),
            ("12", None),
            ("+86+86 123", None),
            ("call 400", None),
        ] {
            assert_eq!(normalise_phone(input).as_deref(), expected, "{input}");
        }
    }

    #[test]
    fn gmail_addresses_meet_without_dots_and_tags() {
        let a = normalise_email("O.K.Pay+refund@GMail.com").expect("valid");
        let b = normalise_email("okpay@googlemail.com").expect("valid");
        assert_eq!(a.canonical, b.canonical);
        assert_eq!(a.exact, "o.k.pay+refund@gmail.com");
        let c = normalise_email("first.last@example.com").expect("valid");
        assert_eq!(c.canonical, "first.last@example.com");
    }

    #[test]
    fn hosts_lose_everything_but_the_host() {
        assert_eq!(
            normalise_host("HTTPS://user:pw@Pay.OKPay.com.:8443/login?x=1#top").as_deref(),
            Some("pay.okpay.com")
        );
        assert_eq!(
            normalise_host("okpаy.com").as_deref(),
            Some("xn--okpy-73d.com"),
            "Cyrillic а is kept apart from Latin a"
        );
        assert_eq!(registrable_domain("okpay.com.evil.net"), "evil.net");
        assert_eq!(registrable_domain("pay.okpay.com.cn"), "okpay.com.cn");
    }

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert_eq!(edit_distance("okpya", "okpay"), 1);
        assert_eq!(edit_distance("okpay", "okpay"), 0);
        assert_eq!(edit_distance("kpay", "okpay"), 1);
        assert!(edit_distance("paypal", "okpay") > 1);
    }
}
