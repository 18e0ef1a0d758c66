//! The golden set: real questions, in the words users type, and the article that must answer them.

use std::sync::Arc;

use domain::help::{HelpSearch, Language, builtin_articles};
use search::{Analyzer, HelpIndex};

/// (query, language searched, the article expected, how high it must rank: 1 = first, 3 = top 3).
const GOLDEN: &[(&str, Language, &str, usize)] = &[
    // Chinese, the way people ask.
    ("账户被锁定了怎么办", Language::ZhCn, "account-locked", 1),
    ("okpay 账户被锁", Language::ZhCn, "account-locked", 1),
    ("密码输错太多次登不上", Language::ZhCn, "account-locked", 3),
    ("忘记密码", Language::ZhCn, "forgot-password", 1),
    ("密码忘了怎么找回", Language::ZhCn, "forgot-password", 1),
    (
        "收不到验证码",
        Language::ZhCn,
        "verification-code-not-received",
        1,
    ),
    (
        "短信验证码一直没收到",
        Language::ZhCn,
        "verification-code-not-received",
        1,
    ),
    ("怎么开启两步验证", Language::ZhCn, "two-factor-turn-on", 1),
    ("双重验证怎么设置", Language::ZhCn, "two-factor-turn-on", 3),
    (
        "换手机了动态码没了",
        Language::ZhCn,
        "two-factor-lost-phone",
        3,
    ),
    ("怎么加钱", Language::ZhCn, "top-up-how-to", 3),
    ("怎么充值", Language::ZhCn, "top-up-how-to", 1),
    (
        "充值失败余额不足",
        Language::ZhCn,
        "top-up-insufficient-funds",
        1,
    ),
    ("卡过期了充不进去", Language::ZhCn, "top-up-card-expired", 1),
    (
        "银行卡超出限额",
        Language::ZhCn,
        "top-up-card-limit-exceeded",
        1,
    ),
    ("卡被拒了", Language::ZhCn, "top-up-card-declined", 1),
    (
        "充值提示支付通道不可用",
        Language::ZhCn,
        "top-up-processor-unavailable",
        1,
    ),
    ("转账失败", Language::ZhCn, "transfer-failed", 1),
    ("钱转不出去", Language::ZhCn, "transfer-failed", 3),
    ("钱怎么取不出来", Language::ZhCn, "withdrawal-delayed", 3),
    ("提现多久到账", Language::ZhCn, "withdrawal-timeline", 1),
    ("取钱要审核多久", Language::ZhCn, "withdrawal-timeline", 3),
    (
        "提现失败银行卡注销了",
        Language::ZhCn,
        "withdrawal-failed",
        1,
    ),
    ("手续费怎么收", Language::ZhCn, "fees-overview", 1),
    ("有没有手续费折扣", Language::ZhCn, "fee-discounts", 1),
    ("每天能转多少钱 限额", Language::ZhCn, "limits-overview", 3),
    ("实名认证怎么弄", Language::ZhCn, "identity-verification", 1),
    ("有人盗了我的号", Language::ZhCn, "freeze-stolen-account", 1),
    (
        "账户被盗怎么冻结",
        Language::ZhCn,
        "freeze-stolen-account",
        1,
    ),
    (
        "有一笔不是我操作的交易",
        Language::ZhCn,
        "unauthorized-transaction",
        1,
    ),
    ("被盗刷了", Language::ZhCn, "unauthorized-transaction", 3),
    ("账户被限制转出", Language::ZhCn, "account-restricted", 1),
    ("封号了怎么申诉", Language::ZhCn, "appeals", 3),
    ("客服电话是真的吗", Language::ZhCn, "official-channels", 3),
    (
        "有人冒充客服让我转到安全账户",
        Language::ZhCn,
        "recognise-scams",
        1,
    ),
    ("导出交易记录", Language::ZhCn, "export-records", 1),
    ("怎么下载账单流水", Language::ZhCn, "export-records", 3),
    ("跨境汇款汇率", Language::ZhCn, "cross-border-remittance", 1),
    (
        "长期不用会扣钱吗",
        Language::ZhCn,
        "inactive-account-fee",
        3,
    ),
    ("怎么联系人工客服", Language::ZhCn, "contact-support", 1),
    // English.
    ("account locked", Language::En, "account-locked", 1),
    ("forgot my password", Language::En, "forgot-password", 1),
    (
        "top up failed card expired",
        Language::En,
        "top-up-card-expired",
        1,
    ),
    ("card declined", Language::En, "top-up-card-declined", 1),
    (
        "how long does a withdrawal take",
        Language::En,
        "withdrawal-timeline",
        1,
    ),
    (
        "withdrawl not received",
        Language::En,
        "withdrawal-delayed",
        3,
    ),
    (
        "my account was hacked",
        Language::En,
        "freeze-stolen-account",
        3,
    ),
    ("fees", Language::En, "fees-overview", 1),
    ("daily limit", Language::En, "limits-overview", 3),
    (
        "is this phone number really okpay",
        Language::En,
        "official-channels",
        3,
    ),
    ("export transactions csv", Language::En, "export-records", 1),
    ("set up 2FA", Language::En, "two-factor-turn-on", 1),
    ("pasword reset", Language::En, "forgot-password", 3),
];

fn index() -> HelpIndex {
    HelpIndex::new(Arc::new(Analyzer::new()), &builtin_articles().unwrap()).unwrap()
}

#[test]
fn the_golden_queries_find_their_articles() {
    let index = index();
    let chinese = GOLDEN.iter().filter(|q| q.1 == Language::ZhCn).count();
    assert!(chinese >= 30 && GOLDEN.len() - chinese >= 10);
    let mut failures = Vec::new();
    for (query, language, expected, within) in GOLDEN {
        let hits = index.search(query, Some(*language), 5);
        let slugs: Vec<&str> = hits.iter().map(|h| h.slug.as_str()).collect();
        let rank = slugs.iter().position(|s| s == expected).map(|p| p + 1);
        if rank.is_none_or(|rank| rank > *within) {
            failures.push(format!(
                "{query:?}: wanted {expected} within {within}, got {slugs:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_search_in_one_language_returns_only_that_language() {
    let index = index();
    let hits = index.search("提现 withdrawal", Some(Language::En), 10);
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h.language == Language::En));
}

#[test]
fn snippets_mark_what_matched() {
    let index = index();
    let hits = index.search("提现多久到账", Some(Language::ZhCn), 3);
    assert!(hits[0].snippet_html.contains("<mark>"), "{:?}", hits[0]);
    assert!(
        hits[0].title_html.contains("<mark>提现</mark>"),
        "{:?}",
        hits[0]
    );
}

#[test]
fn meaningless_queries_find_nothing() {
    let index = index();
    for query in ["", "   ", "的了吗", "???", "the"] {
        assert!(index.search(query, None, 10).is_empty(), "{query:?}");
    }
}

#[test]
fn rebuilding_replaces_what_is_searched() {
    let index = index();
    let mut articles = builtin_articles().unwrap();
    let edited = articles
        .iter_mut()
        .find(|a| a.slug == "fees-overview" && a.language == Language::En)
        .unwrap();
    edited.title = "Zanzibar pricing".into();
    index.rebuild(&articles).unwrap();
    let hits = index.search("zanzibar", Some(Language::En), 3);
    assert_eq!(hits[0].slug, "fees-overview");
}
