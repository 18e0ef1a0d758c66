//! What `okpay bench search` runs: many generated articles and a mixed set of real queries.

use domain::help::{Article, Language};

/// Queries as users type them, Chinese, English and mixed.
pub const BENCH_QUERIES: &[(&str, Language)] = &[
    ("账户被锁定了怎么办", Language::ZhCn),
    ("okpay 账户被锁", Language::ZhCn),
    ("钱怎么取不出来", Language::ZhCn),
    ("卡被拒了", Language::ZhCn),
    ("有人盗了我的号", Language::ZhCn),
    ("提现多久到账", Language::ZhCn),
    ("充值失败余额不足", Language::ZhCn),
    ("怎么加钱", Language::ZhCn),
    ("手续费怎么收", Language::ZhCn),
    ("实名认证怎么弄", Language::ZhCn),
    ("有人冒充客服让我转到安全账户", Language::ZhCn),
    ("导出交易记录", Language::ZhCn),
    ("两步验证 2FA 手机丢了", Language::ZhCn),
    ("跨境汇款汇率", Language::ZhCn),
    ("account locked", Language::En),
    ("forgot my password", Language::En),
    ("top up failed card expired", Language::En),
    ("how long does a withdrawal take", Language::En),
    ("withdrawl not received", Language::En),
    ("my account was hacked", Language::En),
    ("export transactions csv", Language::En),
    ("fees and discounts", Language::En),
];

/// `count` articles made by mixing the paragraphs of `seed` articles of the same language, so
/// the words and their frequencies are those of real help text. Deterministic.
pub fn generated_articles(seed: &[Article], count: usize) -> Vec<Article> {
    let by_language = |language: Language| -> Vec<&Article> {
        seed.iter().filter(|a| a.language == language).collect()
    };
    let pools = [by_language(Language::ZhCn), by_language(Language::En)];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |bound: usize| {
        // xorshift64*: reproducible, and no dependency for a benchmark's shuffling.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % bound.max(1)
    };
    (0..count)
        .filter_map(|i| {
            let pool = &pools[i % 2];
            if pool.is_empty() {
                return None;
            }
            let base = pool[next(pool.len())];
            let mut paragraphs: Vec<&str> = Vec::new();
            for _ in 0..3 {
                let donor = pool[next(pool.len())];
                let parts: Vec<&str> = donor.body.split("\n\n").collect();
                let start = next(parts.len());
                paragraphs.extend(parts.iter().skip(start).take(2));
            }
            Some(Article {
                slug: format!("generated-{i}"),
                title: format!("{} {}", base.title, i),
                body: paragraphs.join("\n\n"),
                ..base.clone()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_articles_are_deterministic_and_in_both_languages() {
        let seed = domain::help::builtin_articles().unwrap();
        let first = generated_articles(&seed, 100);
        assert_eq!(first.len(), 100);
        assert_eq!(first, generated_articles(&seed, 100));
        assert!(first.iter().any(|a| a.language == Language::ZhCn));
        assert!(first.iter().any(|a| a.language == Language::En));
        assert!(first.iter().all(|a| a.check().is_ok()));
    }
}
