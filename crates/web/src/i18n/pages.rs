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

pub(crate) use page_text;

page_text! {
    /// The frame around every page: header, navigation, language switch and footer.
    pub struct LayoutText {
        skip_to_content: "跳到正文", "Skip to content";
        home_link_label: "OKPay 首页", "OKPay home";
        nav_label: "主导航", "Main navigation";
        nav_features: "功能", "Features";
        nav_currencies: "币种", "Currencies";
        nav_developers: "开发者", "Developers";
        nav_help: "帮助中心", "Help";
        nav_community: "社区", "Community";
        language_switch_label: "切换语言", "Choose a language";
        footer_tagline: "OKPay：自托管的多币种电子钱包，客服中心内置。",
            "OKPay: a self-hosted multi-currency e-wallet with its customer-service center built in.";
        footer_api_link: "API 文档（OpenAPI）", "API reference (OpenAPI)";
        account_nav_label: "账户", "Account";
        nav_sign_in: "登录", "Sign in";
        nav_register: "注册", "Create an account";
        nav_account: "我的账户", "My account";
        signed_in_as: "已登录：", "Signed in as";
        sign_out: "退出登录", "Sign out";
        nav_messages: "消息", "Messages";
        nav_security: "安全", "Security";
        unread_badge_label: "条未读消息", "unread messages";
        nav_wallet: "钱包", "Wallet";
    }
}

/// What follows a time on a page to name its zone: ` (UTC+8)` in English; in Chinese the name
/// people use for China Standard Time, `（北京时间）`, and `（UTC+5:30）` for any other offset.
pub fn zone_suffix(locale: Locale, offset: domain::calendar::UtcOffset) -> String {
    if locale == Locale::ZhCn && offset == domain::calendar::UtcOffset::CHINA {
        return "（北京时间）".to_owned();
    }
    let seconds = offset.seconds();
    let name = if seconds == 0 {
        "UTC".to_owned()
    } else {
        let sign = if seconds < 0 { '-' } else { '+' };
        let minutes = seconds.unsigned_abs() / 60;
        match minutes % 60 {
            0 => format!("UTC{sign}{}", minutes / 60),
            rest => format!("UTC{sign}{}:{rest:02}", minutes / 60),
        }
    };
    locale.pick(format!("（{name}）"), format!(" ({name})"))
}

page_text! {
    /// The sign-up, confirmation and sign-in pages.
    pub struct AuthText {
        register_title: "注册 OKPay", "Create your OKPay account";
        register_lead: "用邮箱或手机号注册。我们会发送一个 6 位验证码来确认这个地址是您的。",
            "Sign up with your e-mail address or mobile number. We'll send a 6-digit code to confirm it's yours.";
        login_label: "邮箱或手机号", "E-mail or mobile number";
        login_hint: "手机号请带国家代码，例如 +86 138 0013 8000；不带国家代码时按中国大陆号码处理。",
            "Give a mobile number with its country code, such as +44 7700 900123; one without a country code is read as a mainland China number.";
        password_label: "密码", "Password";
        new_password_hint: "至少 8 个字符。几个不相关的词连在一起就很好记又安全，不必非加符号或大写字母。",
            "At least 8 characters. A few unrelated words together are easy to remember and hard to guess; symbols and capitals aren't required.";
        strength_label: "密码强度：", "Password strength:";
        strength_0: "非常弱", "very weak";
        strength_1: "弱", "weak";
        strength_2: "一般", "fair";
        strength_3: "强", "strong";
        strength_4: "非常强", "very strong";
        strength_refused: "这个密码不能使用：", "This password can't be used:";
        register_submit: "注册", "Create account";
        have_account: "已经有账户了？", "Already have an account?";
        verify_title: "确认您的邮箱或手机号", "Confirm your e-mail address or mobile number";
        verify_lead: "我们已向这个地址发送了一个 6 位验证码。请在下方输入，验证码几分钟后失效。",
            "We've sent a 6-digit code to this address. Enter it below; it stops working after a few minutes.";
        code_label: "6 位验证码", "6-digit code";
        verify_submit: "确认", "Confirm";
        resend_lead: "没有收到验证码？请先看看垃圾邮件文件夹，然后可以重新发送。",
            "No code? Check your spam folder first, then ask for a new one.";
        resend_submit: "重新发送验证码", "Send a new code";
        resend_done: "如果这个地址正在等待确认，新的验证码已经发出，之前的验证码随之失效。每分钟最多发送一次。",
            "If this address is waiting to be confirmed, a new code is on its way and any earlier code no longer works. We send at most one a minute.";
        login_title: "登录 OKPay", "Sign in to OKPay";
        login_submit: "登录", "Sign in";
        no_account: "还没有账户？", "New to OKPay?";
        forgot_password: "忘记密码？", "Forgot your password?";
        verified_notice: "您的地址已确认。现在可以登录了。", "Your address is confirmed. You can sign in now.";
        signed_out_notice: "您已安全退出登录。", "You've signed out.";
        sign_in_to_continue: "请先登录，登录后会回到您刚才要打开的页面。",
            "Please sign in first; you'll go straight on to the page you asked for.";
        confirm_address_action: "输入验证码确认地址", "Enter your code to confirm the address";
        lock_title: "这个账户的登录暂时被锁定", "Sign-in to this account is locked for now";
        lock_reason: "原因：{window} 分钟内连续输错密码 {failures} 次。为了防止有人猜测您的密码，我们暂停了这个账户的登录。",
            "Why: the password was entered wrong {failures} times within {window} minutes. To stop anyone guessing your password, we've paused sign-in to this account.";
        lock_until: "解锁时间：{until}，大约 {minutes} 分钟后。在此之前，即使输入正确的密码也无法登录。",
            "Until: {until}, about {minutes} minutes from now. Until then even the right password won't sign you in.";
        lock_next_step: "您可以等到解锁后再试，或者现在重置密码——重置成功后锁定会立即解除。如果这些尝试不是您本人所为，请重置密码并联系帮助中心。",
            "You can wait and try again then, or reset your password now, which lifts the lock at once. If these attempts weren't you, reset your password and contact the help center.";
        reset_password_action: "重置密码", "Reset your password";
        help_action: "联系帮助中心", "Contact the help center";
        totp_label: "动态码或恢复码", "Authenticator or recovery code";
        totp_hint: "此账户已开启双重验证：请重新输入密码，并填写验证器应用中的 6 位动态码。", "This account uses two-factor sign-in: enter your password again with the 6-digit code from your authenticator app.";
    }
}

page_text! {
    /// The signed-in person's account page.
    pub struct AccountText {
        title: "我的账户", "My account";
        greeting: "欢迎回来", "Welcome back";
        details_title: "账户信息", "Your account";
        user_id_label: "用户 ID", "User ID";
        email_label: "邮箱", "E-mail";
        phone_label: "手机号", "Mobile number";
        status_label: "状态", "Status";
        status_active: "已确认，可以正常使用", "Confirmed and in use";
        status_pending: "地址待确认", "Address not yet confirmed";
        status_frozen: "已冻结：不能登录，也不能转出资金", "Frozen: no sign-in and no money out";
        verified_at_label: "地址确认时间", "Address confirmed";
        created_at_label: "注册时间", "Account created";
        language_label: "通知语言", "Language of messages";
        session_title: "本次登录", "This session";
        session_body: "连续 30 分钟没有操作会自动退出登录，最长保持 12 小时。在公用电脑上用完请点击“退出登录”。",
            "You're signed out automatically after 30 minutes without activity, and after 12 hours in any case. On a shared computer, sign out when you're done.";
    }
}

page_text! {
    /// The home page: what OKPay is and what it does.
    pub struct HomeText {
        title: "OKPay · 多币种电子钱包与客服中心", "OKPay · Multi-currency e-wallet with customer service";
        hero_eyebrow: "自托管的多币种电子钱包，客服中心内置", "A self-hosted multi-currency e-wallet with its customer-service center built in";
        hero_title: "钱包、转账与客服，一个平台全都有", "Wallets, transfers and customer service in one place";
        hero_lead: "用 OKPay 以多种货币持有余额，用银行卡充值，给朋友转账，在币种之间换汇，提现到银行账户，还能向海外汇款。帮助中心、用户社区、工单和在线客服都已内置，遇到问题随时找得到答案。",
            "With OKPay, people hold money in several currencies, top up from their bank cards, send money to friends, exchange between currencies, withdraw to their bank and send money abroad. A help center, a community, tickets and live chat are built in, so every question has somewhere to go.";
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
        exchange_title: "换汇", "Currency exchange";
        exchange_body: "在钱包里的币种之间换汇，确认之前先看到汇率、手续费和到账金额。",
            "Exchange between the currencies in your wallet, with the rate, the fee and what you get shown before you confirm.";
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

page_text! {
    /// The help center: its home, category, article and search-result pages.
    pub struct HelpText {
        title: "帮助中心 · OKPay", "Help center · OKPay";
        heading: "有什么可以帮您？", "How can we help?";
        lead: "搜索常见问题，或按类别浏览。可以用自己的话描述，例如“钱怎么取不出来”。",
            "Search the common questions or browse by topic. Plain words work, like \"my withdrawal hasn't arrived\".";
        search_label: "搜索帮助文章", "Search the help articles";
        search_placeholder: "例如：账户被锁、充值失败、提现多久到账", "For example: account locked, top-up failed, withdrawal time";
        search_button: "搜索", "Search";
        categories_heading: "按类别浏览", "Browse by topic";
        popular_heading: "热门问题", "Popular questions";
        articles_count: "篇文章", "articles";
        results_heading: "搜索结果", "Search results";
        no_results: "没有找到相关文章。换个说法试试，或浏览下面的类别。", "Nothing matched. Try other words, or browse the topics below.";
        back_to_help: "返回帮助中心", "Back to the help center";
        related_heading: "相关文章", "Related articles";
        explains_codes: "本文解释的错误代码", "Error codes this article explains";
        helpful_question: "这篇文章有帮助吗？", "Was this article helpful?";
        helpful_yes: "有帮助", "Yes";
        helpful_no: "没有帮助", "No";
        helpful_thanks: "谢谢您的反馈！", "Thanks for your feedback!";
        other_language: "English version", "中文版";
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
                    AuthText::for_locale(*locale).entries(),
                    AccountText::for_locale(*locale).entries(),
                    HelpText::for_locale(*locale).entries(),
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
