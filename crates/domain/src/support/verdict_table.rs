//! The official-channel check against a table of real, look-alike, reported and unrelated
//! values, over the default channels.

use crate::support::official::recognise;
use crate::support::port::ReportTally;
use crate::support::use_cases::{Verdict, judge};
use crate::support::{OfficialMatch, default_channels};

/// `(pasted value, expected verdict, expected channel id or look-alike brand)`.
const TABLE: &[(&str, Verdict, &str)] = &[
    // Our hotlines, however they are written.
    ("400-820-6688", Verdict::Official, "hotline_mainland"),
    ("400 820 6688", Verdict::Official, "hotline_mainland"),
    ("4008206688", Verdict::Official, "hotline_mainland"),
    ("+86 400 820 6688", Verdict::Official, "hotline_mainland"),
    ("0086-400-820-6688", Verdict::Official, "hotline_mainland"),
    ("(400) 820-6688", Verdict::Official, "hotline_mainland"),
    (
        "４００－８２０－６６８８",
        Verdict::Official,
        "hotline_mainland",
    ),
    (
        "+86 21 6088 6688",
        Verdict::Official,
        "hotline_international",
    ),
    (
        "(021) 6088 6688",
        Verdict::Official,
        "hotline_international",
    ),
    (
        "+86 (0)21-6088-6688",
        Verdict::Official,
        "hotline_international",
    ),
    ("400.820.6699", Verdict::Official, "hotline_security"),
    // Our e-mail addresses, in any case, and others on our domain.
    ("support@okpay.com", Verdict::Official, "email_support"),
    ("Support@OKPay.COM", Verdict::Official, "email_support"),
    (
        "mailto:security@okpay.com",
        Verdict::Official,
        "email_security",
    ),
    ("noreply@okpay.com", Verdict::Official, "website"),
    // Our sites, sub-domains and pages.
    ("okpay.com", Verdict::Official, "website"),
    (
        "https://www.okpay.com/help?q=1",
        Verdict::Official,
        "website",
    ),
    (
        "HTTPS://PAY.OKPAY.COM:443/checkout",
        Verdict::Official,
        "website",
    ),
    ("okpay.cn", Verdict::Official, "website_cn"),
    ("http://m.okpay.cn/", Verdict::Official, "website_cn"),
    // Our social accounts.
    ("@OKPayHelp", Verdict::Official, "social_x"),
    ("okpay_official", Verdict::Official, "social_wechat"),
    ("OKPay客服", Verdict::Official, "social_weibo"),
    // Look-alikes: flagged, never accepted.
    ("okpay.com.evil.net", Verdict::Lookalike, "okpay"),
    (
        "https://okpay.com.evil.net/login",
        Verdict::Lookalike,
        "okpay",
    ),
    ("0kpay.com", Verdict::Lookalike, "okpay"),
    ("okpay-support.com", Verdict::Lookalike, "okpay"),
    ("okpаy.com", Verdict::Lookalike, "okpay"),
    ("xn--okpy-73d.com", Verdict::Lookalike, "okpay"),
    ("okpya.com", Verdict::Lookalike, "okpay"),
    ("okkpay.cn", Verdict::Lookalike, "okpay"),
    ("secure-okpay.top", Verdict::Lookalike, "okpay"),
    ("okpay.help@gmail.com", Verdict::Lookalike, "okpay"),
    ("support@okpay-service.com", Verdict::Lookalike, "okpay"),
    ("support@okpay.com.cn", Verdict::Lookalike, "okpay"),
    ("@okpay_refunds", Verdict::Lookalike, "okpay"),
    ("ＯＫＰＡＹ－ｈｅｌｐ．ｃｏｍ", Verdict::Lookalike, "okpay"),
    // Not ours, and not pretending.
    ("example.com", Verdict::NotOurs, ""),
    ("https://www.bank.example/", Verdict::NotOurs, ""),
    ("138 0013 8000", Verdict::NotOurs, ""),
    ("+1 (415) 555-0100", Verdict::NotOurs, ""),
    ("95017", Verdict::NotOurs, ""),
    ("li.lei@example.com", Verdict::NotOurs, ""),
    ("@somebody", Verdict::NotOurs, ""),
];

#[test]
fn every_value_in_the_table_gets_its_verdict() {
    let channels = default_channels(0);
    let mut failures = Vec::new();
    for (input, expected, detail) in TABLE {
        let value = recognise(input).unwrap_or_else(|error| panic!("{input:?}: {error}"));
        let check = judge(value, &channels, ReportTally::default());
        let got_detail = match check.verdict {
            Verdict::Official => check.channel.as_ref().map(|c| c.id.clone()),
            Verdict::Lookalike => check.resembles.clone(),
            _ => None,
        }
        .unwrap_or_default();
        if check.verdict != *expected || got_detail != *detail {
            failures.push(format!(
                "{input:?}: expected {} {detail:?}, got {} {got_detail:?}",
                expected.name(),
                check.verdict.name()
            ));
        }
    }
    assert!(TABLE.len() >= 30);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_address_on_our_domain_that_is_not_listed_says_so() {
    let channels = default_channels(0);
    let check = judge(
        recognise("noreply@okpay.com").expect("valid"),
        &channels,
        ReportTally::default(),
    );
    assert_eq!(check.matched, Some(OfficialMatch::Domain));
}

#[test]
fn a_report_outranks_a_lookalike_but_never_an_official_channel() {
    let channels = default_channels(0);
    let reported = ReportTally {
        pending: 1,
        confirmed: 1,
    };
    let lookalike = judge(recognise("0kpay.com").expect("valid"), &channels, reported);
    assert_eq!(lookalike.verdict, Verdict::ReportedScam);
    assert_eq!(lookalike.resembles.as_deref(), Some("okpay"));
    let official = judge(recognise("okpay.com").expect("valid"), &channels, reported);
    assert_eq!(official.verdict, Verdict::Official);
}

#[test]
fn garbage_is_not_recognised() {
    for input in ["", "   ", "hello world", "http://", "@"] {
        assert!(recognise(input).is_err(), "{input:?} was recognised");
    }
}
