//! The words of the server-rendered pages, one struct per page, each line in zh-CN and en.

use super::Locale;

/// Declares a page's strings: a struct with one field per key, and its zh-CN and en instances.
/// Each key is written once with both translations side by side, so neither can be forgotten,
/// and a template that names a missing key does not compile.
macro_rules! page_text {
    ($(#[$doc:meta])* pub struct $name:ident { $($key:ident: $zh_cn:literal, $en:literal;)* }) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name {
            $(pub $key: &'static str,)*
        }

        impl $name {
            const ZH_CN: $name = $name { $($key: $zh_cn,)* };
            const EN: $name = $name { $($key: $en,)* };

            pub fn for_locale(locale: Locale) -> &'static $name {
                locale.pick(&Self::ZH_CN, &Self::EN)
            }

            /// Every key and its text, for the catalog tests.
            #[cfg(test)]
            fn entries(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($key), self.$key),)*]
            }
        }
    };
}

page_text! {
    /// The frame around every page: header, navigation, language switch and footer.
    pub struct LayoutText {
        skip_to_content: "跳到正文", "Skip to content";
        home_link_label: "OKPay 首页", "OKPay home";
        nav_label: "主导航", "Main navigation";
        nav_features: "功能", "Features";
        nav_currencies: "币种", "Currencies";
        nav_developers: "开发者", "Developers";
        language_switch_label: "切换语言", "Choose a language";
        footer_tagline: "OKPay：自托管的电子钱包与在线支付平台，客服中心内置。",
            "OKPay: a self-hosted e-wallet and online-payment platform with its customer-service center built in.";
        footer_api_link: "API 文档（OpenAPI）", "API reference (OpenAPI)";
    }
}

page_text! {
    /// The home page: what OKPay is and what it does.
    pub struct HomeText {
        title: "OKPay · 多币种电子钱包与在线支付", "OKPay · Multi-currency e-wallet and online payments";
        hero_eyebrow: "自托管的电子钱包与在线支付平台", "A self-hosted e-wallet and online-payment platform";
        hero_title: "钱包、支付与客服，一个平台全都有", "Wallets, payments and customer service in one place";
        hero_lead: "用 OKPay 以多种货币持有余额，用银行卡充值，给朋友转账，向商户付款，提现到银行账户，还能向海外汇款。帮助中心、工单和在线客服都已内置，遇到问题随时找得到答案。",
            "With OKPay, people hold money in several currencies, top up from their bank cards, send money to friends, pay merchants, withdraw to their bank and send money abroad. A help center, tickets and live chat are built in, so every question has somewhere to go.";
        hero_features_action: "了解功能", "See what it does";
        hero_api_action: "查看 API 文档", "Read the API reference";
        features_title: "OKPay 能做什么", "What OKPay does";
        wallet_title: "多币种钱包", "Multi-currency wallet";
        wallet_body: "人民币、美元、欧元、港币等多种货币的余额分开保管，精确到最小货币单位，每一笔都记入复式账本。",
            "Balances in yuan, dollars, euros, Hong Kong dollars and more, each kept exact to the smallest unit and recorded in a double-entry ledger.";
        topup_title: "银行卡充值", "Top up from a bank card";
        topup_body: "绑定银行卡，随时为钱包充值。完整卡号和安全码从不保存。",
            "Add a bank card and top up whenever you need to. The full card number and security code are never stored.";
        transfer_title: "转账", "Transfers";
        transfer_body: "通过邮箱、手机号或用户 ID 给他人转账，还可以附上一句留言。",
            "Send money to anyone by e-mail, phone number or user ID, with a note if you like.";
        merchant_title: "商户收款", "Merchant payments";
        merchant_body: "商户通过 API 和托管收银台在自己的网站上收款，支持退款、Webhook 通知和每日报表。",
            "Merchants take payments on their own sites through the API and a hosted checkout page, with refunds, webhooks and daily reports.";
        withdrawal_title: "提现", "Withdrawals";
        withdrawal_body: "把余额提现到银行账户，手续费事先列明，处理进度每一步都看得到。",
            "Withdraw to your bank account with the fee shown up front and every step of the payout in view.";
        remittance_title: "跨境汇款", "Cross-border remittance";
        remittance_body: "汇款前先看报价：汇率、手续费和对方实际到账的金额一目了然。",
            "Send money abroad from a quote that shows the rate, the fee and exactly what arrives.";
        support_title: "帮助中心与客服", "Help center and support";
        support_body: "常见问题解答、自助诊断、工单和在线客服都在 OKPay 里，不用另找渠道。",
            "Answers to common questions, self-service diagnosis, tickets and live chat, all inside OKPay.";
        security_title: "账户安全", "Account security";
        security_body: "双重验证、新设备登录提醒和一键冻结账户，发现异常时第一时间保护资金。",
            "Two-factor sign-in, alerts for new devices and a one-step account freeze protect your money the moment something looks wrong.";
        currencies_title: "支持的币种", "Currencies";
        currencies_lead: "每个钱包都可以同时持有以下币种的余额。",
            "Every wallet can hold a balance in each of these currencies.";
        hosting_title: "企业自行部署", "Run it yourself";
        hosting_body: "企业只需运行一个 okpay 程序：默认使用内置的 SQLite 数据库，也可以连接 PostgreSQL，由多个实例共同承担流量。",
            "A company runs a single okpay program: on its built-in SQLite database by default, or on PostgreSQL with several instances sharing the load.";
        developers_title: "开发者", "For developers";
        developers_body: "公开的 JSON API 用最小货币单位的整数表示金额，所有接口都收录在 OpenAPI 3 文档中。",
            "The public JSON API gives every amount as a whole number of minor units, and every endpoint is described in an OpenAPI 3 document.";
        developers_link: "打开 OpenAPI 文档", "Open the OpenAPI document";
    }
}

page_text! {
    /// The page shown to a browser when a request fails.
    pub struct ErrorPageText {
        error_code_label: "错误代码", "Error code";
        request_id_label: "请求编号", "Request ID";
        back_home: "返回首页", "Back to the home page";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both languages of every page, key by key.
    fn catalogs() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
        Locale::ALL
            .iter()
            .flat_map(|locale| {
                [
                    LayoutText::for_locale(*locale).entries(),
                    HomeText::for_locale(*locale).entries(),
                    ErrorPageText::for_locale(*locale).entries(),
                ]
                .map(|entries| (locale.tag(), entries))
            })
            .collect()
    }

    #[test]
    fn every_page_key_has_text_in_both_languages() {
        for (tag, entries) in catalogs() {
            for (key, text) in entries {
                assert!(!text.trim().is_empty(), "{tag} {key} is empty");
            }
        }
    }

    #[test]
    fn chinese_page_text_is_written_in_chinese() {
        let is_cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
        for (key, text) in HomeText::for_locale(Locale::ZhCn).entries() {
            assert!(text.chars().any(is_cjk), "zh-CN {key}: {text}");
        }
        for (key, text) in HomeText::for_locale(Locale::En).entries() {
            assert!(!text.chars().any(is_cjk), "en {key}: {text}");
        }
    }
}
