//! The help center's categories: a fixed list, since each needs words in both languages.

use super::Language;

/// One shelf of the help center.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Category {
    pub slug: &'static str,
    pub name_zh_cn: &'static str,
    pub name_en: &'static str,
    pub blurb_zh_cn: &'static str,
    pub blurb_en: &'static str,
}

impl Category {
    pub fn name(&self, language: Language) -> &'static str {
        match language {
            Language::ZhCn => self.name_zh_cn,
            Language::En => self.name_en,
        }
    }

    pub fn blurb(&self, language: Language) -> &'static str {
        match language {
            Language::ZhCn => self.blurb_zh_cn,
            Language::En => self.blurb_en,
        }
    }
}

const fn shelf(
    slug: &'static str,
    name_zh_cn: &'static str,
    name_en: &'static str,
    blurb_zh_cn: &'static str,
    blurb_en: &'static str,
) -> Category {
    Category {
        slug,
        name_zh_cn,
        name_en,
        blurb_zh_cn,
        blurb_en,
    }
}

/// Every category, in the order the help center shows them.
pub const CATEGORIES: &[Category] = &[
    shelf(
        "sign-in",
        "登录与账户锁定",
        "Signing in and locked accounts",
        "注册、登录、忘记密码、验证码、账户被锁定。",
        "Sign-up, sign-in, forgotten passwords, codes, locked accounts.",
    ),
    shelf(
        "two-factor",
        "两步验证",
        "Two-factor authentication",
        "开启两步验证、丢失手机、动态码错误。",
        "Turning it on, a lost phone, refused codes.",
    ),
    shelf(
        "top-up",
        "充值",
        "Top-ups",
        "用银行卡充值，以及每一种充值失败的原因。",
        "Topping up from a card, and every reason a top-up fails.",
    ),
    shelf(
        "payments",
        "转账、付款与汇款",
        "Transfers, payments and remittance",
        "转账、商户付款、跨境汇款与货币兑换。",
        "Transfers, merchant payments, remittance and exchange.",
    ),
    shelf(
        "withdrawals",
        "提现",
        "Withdrawals",
        "提现进度、到账时间、失败与银行账户。",
        "Withdrawal steps and timing, failures, bank accounts.",
    ),
    shelf(
        "fees",
        "手续费与优惠",
        "Fees and discounts",
        "收费标准、优惠和账户管理费。",
        "What we charge, discounts, the inactivity fee.",
    ),
    shelf(
        "limits",
        "限额与实名认证",
        "Limits and verification",
        "每日和每月限额、实名认证。",
        "Daily and monthly limits, identity verification.",
    ),
    shelf(
        "security",
        "账户安全",
        "Account security",
        "保护账户、未授权交易、账户被盗。",
        "Staying safe, unauthorized transactions, stolen accounts.",
    ),
    shelf(
        "restrictions",
        "账户限制与申诉",
        "Restrictions and appeals",
        "账户受限、冻结和申诉。",
        "Restricted and frozen accounts, appeals.",
    ),
    shelf(
        "official-channels",
        "官方渠道与防骗",
        "Official channels and scams",
        "核实官方渠道、识别诈骗、联系客服。",
        "Checking official channels, spotting scams, contacting us.",
    ),
    shelf(
        "records",
        "交易记录",
        "Transaction records",
        "查询、导出交易记录，交易状态。",
        "Finding and exporting transactions, statuses.",
    ),
];

/// The category called `slug`, if there is one.
pub fn category(slug: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.slug == slug)
}
