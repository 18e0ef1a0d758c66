//! The words of the support pages (contact channels, official-channel check, service status,
//! the announcement banner) in zh-CN and en, and the names of services, states and weekdays.

use domain::support::{Service, ServiceState};

use super::Locale;
use super::pages::page_text;

page_text! {
    /// The announcement banner and the support links in every page's frame.
    pub struct SupportFrameText {
        banner_label: "服务公告", "Service notice";
        banner_status_link: "查看服务状态", "See service status";
        nav_contact: "联系我们", "Contact us";
        nav_status: "服务状态", "Status";
        nav_official_check: "官方渠道查询", "Check a channel";
    }
}

page_text! {
    /// `/contact`: the channels, their hours and whether each is open now.
    pub struct ContactText {
        title: "联系我们 · OKPay", "Contact us · OKPay";
        heading: "联系 OKPay", "Contact OKPay";
        lead: "以下是 OKPay 全部的官方联系渠道。不在这份列表里的电话、邮箱、网站或账号都不是我们。",
            "These are all of OKPay's official channels. A number, address, site or account not on this list is not us.";
        open_now: "服务中", "Open now";
        closed_now: "已下班", "Closed now";
        closes_at: "结束服务时间：", "Closes at";
        opens_at: "下次开始服务：", "Opens at";
        always_open: "全天 24 小时", "Around the clock";
        hours_label: "服务时间", "Service hours";
        closed_all_day: "休息", "Closed";
        group_hotline: "客服热线", "Hotlines";
        group_email: "电子邮箱", "E-mail";
        group_live_chat: "在线客服", "Live chat";
        group_website: "官方网站", "Web sites";
        group_social: "社交媒体账号", "Social media";
        check_heading: "接到可疑的电话或邮件？", "Had a suspicious call or e-mail?";
        check_body: "OKPay 绝不会索要您的密码、短信验证码，也不会要求您把钱转到“安全账户”。粘贴号码或网址，马上核实是不是我们。",
            "OKPay never asks for your password or SMS code, and never asks you to move money to a \"safe account\". Paste the number or address to check whether it is us.";
        check_link: "官方渠道查询", "Check a channel";
    }
}

page_text! {
    /// `/official-check`: the check's form, its verdict, and the report form.
    pub struct OfficialCheckText {
        title: "官方渠道查询 · OKPay", "Check an official channel · OKPay";
        heading: "这是 OKPay 官方渠道吗？", "Is this really OKPay?";
        lead: "粘贴对方使用的电话号码、邮箱地址、网址或社交账号，我们告诉您它是否属于 OKPay。",
            "Paste the phone number, e-mail address, web address or social account that contacted you, and we'll tell you whether it belongs to OKPay.";
        input_label: "电话、邮箱、网址或账号", "Phone, e-mail, web address or account";
        input_placeholder: "例如 400-820-6688 或 https://okpay.com", "e.g. 400-820-6688 or https://okpay.com";
        submit: "查询", "Check";
        read_as: "我们识别为：", "We read this as:";
        kind_phone: "电话号码", "Phone number";
        kind_email: "邮箱地址", "E-mail address";
        kind_url: "网址", "Web address";
        kind_account: "账号", "Account";
        official_title: "是 OKPay 官方渠道", "This is an official OKPay channel";
        official_body: "它属于：", "It is:";
        official_domain_body: "这个地址属于 OKPay 的域名，但不在公开的联系渠道中。我们的官方邮箱请见联系我们页面；任何邮件索要密码或验证码都是诈骗。",
            "This address is on OKPay's domain but is not one of our published channels. Our official addresses are on the contact page; any e-mail asking for a password or code is a scam.";
        official_warning: "即使是官方渠道，我们也绝不会索要您的密码或短信验证码。", "Even on an official channel we never ask for your password or SMS code.";
        lookalike_title: "不是 OKPay：这是仿冒", "Not OKPay: this is a look-alike";
        lookalike_body: "它刻意模仿 OKPay 的名字，但不属于我们。这是常见的诈骗手法。", "It imitates OKPay's name but does not belong to us. This is a common scam.";
        resembles: "模仿的是：", "Imitates:";
        reported_title: "已被用户举报为诈骗", "Reported as a scam by users";
        confirmed_title: "已确认是诈骗", "Confirmed scam";
        reported_body: "举报次数：", "Reports:";
        confirmed_body: "我们的安全团队已核实，这是诈骗。请立即停止联系。", "Our security team checked it: it is a scam. Stop all contact now.";
        not_ours_title: "不是 OKPay 的渠道", "Not an OKPay channel";
        not_ours_body: "它不在 OKPay 的官方渠道中。如果对方自称 OKPay，请不要相信。", "It is not one of OKPay's official channels. If it claimed to be OKPay, do not trust it.";
        steps_title: "如果您怀疑遇到诈骗", "If you think it is a scam";
        step_stop: "停止回复，挂断电话，不要点击对方发来的链接。", "Stop replying, hang up, and do not open links they sent.";
        step_never: "不要告诉任何人密码、短信验证码或银行卡信息，也不要转账到“安全账户”。", "Never share your password, SMS code or card details, and never move money to a \"safe account\".";
        step_freeze: "如果已经泄露信息或付了款，请立即拨打账户安全专线冻结账户。", "If you already shared anything or paid, call the account-security line at once to freeze your account.";
        step_report: "在下方举报，帮助其他用户识别这个骗局。", "Report it below to warn other users.";
        contact_link: "查看全部官方渠道", "See all official channels";
        report_title: "举报诈骗", "Report a scam";
        report_lead: "我们的安全团队会核实每一条举报；核实后，查询结果会显示“已确认是诈骗”。", "Our security team reviews every report; once confirmed, the check shows \"confirmed scam\".";
        report_value_label: "可疑的电话、邮箱、网址或账号", "The suspicious phone, e-mail, web address or account";
        report_note_label: "发生了什么（选填）", "What happened (optional)";
        report_submit: "提交举报", "Send the report";
        report_thanks: "感谢举报！我们的安全团队会尽快核实。", "Thank you. Our security team will review your report.";
        report_official: "这是 OKPay 官方渠道，不能举报。如果有人冒用它联系您，请拨打官方热线。", "That is an official OKPay channel and can't be reported. If someone pretended to be it, call our hotline.";
        invalid_value: "无法识别这个内容，请粘贴完整的电话号码、邮箱地址、网址或账号。", "We couldn't tell what that is. Paste a whole phone number, e-mail address, web address or account.";
        note_too_long: "说明太长了，请控制在 1000 字以内。", "The note is too long; keep it under 1,000 characters.";
    }
}

page_text! {
    /// `/status`: every service's state and the notices active, planned and past.
    pub struct StatusText {
        title: "服务状态 · OKPay", "Service status · OKPay";
        heading: "服务状态", "Service status";
        lead: "各项服务当前的运行状态，以及正在进行和计划中的维护。", "How each service is running now, and the maintenance under way or planned.";
        services_heading: "各项服务", "Services";
        active_heading: "正在进行", "Happening now";
        upcoming_heading: "计划中的维护", "Planned";
        recent_heading: "最近 14 天", "The last 14 days";
        none_active: "目前没有进行中的维护或故障。", "Nothing is under maintenance or failing right now.";
        none_upcoming: "近期没有计划中的维护。", "No maintenance is planned.";
        none_recent: "最近 14 天没有公告。", "No notices in the last 14 days.";
        from_label: "开始：", "From";
        until_label: "结束：", "Until";
        until_unknown: "待定", "not yet known";
        affects_label: "影响：", "Affects";
        all_operational: "所有服务运行正常", "All services are running normally";
        some_affected: "部分服务受到影响", "Some services are affected";
    }
}

/// A service's name in `locale`.
pub fn service_name(service: Service, locale: Locale) -> &'static str {
    let (zh_cn, en) = match service {
        Service::SignIn => ("登录", "Sign-in"),
        Service::CardTopup => ("银行卡充值", "Card top-up"),
        Service::Transfer => ("转账", "Transfers"),
        Service::BankPayout => ("提现到银行", "Withdrawals to banks"),
        Service::Exchange => ("货币兑换", "Currency exchange"),
        Service::Remittance => ("跨境汇款", "Cross-border remittance"),
        Service::MerchantPayments => ("商户收款", "Merchant payments"),
        Service::Chat => ("在线客服", "Live chat"),
        Service::Tickets => ("工单", "Tickets"),
    };
    locale.pick(zh_cn, en)
}

/// A service state's name in `locale`.
pub fn service_state_name(state: ServiceState, locale: Locale) -> &'static str {
    let (zh_cn, en) = match state {
        ServiceState::Operational => ("正常", "Operational"),
        ServiceState::Maintenance => ("维护中", "Under maintenance"),
        ServiceState::Degraded => ("部分受影响", "Degraded"),
        ServiceState::Outage => ("暂停服务", "Unavailable"),
    };
    locale.pick(zh_cn, en)
}

/// A weekday's name from its three-letter code (`mon` … `sun`).
pub fn weekday_name(day: &str, locale: Locale) -> &'static str {
    let (zh_cn, en) = match day {
        "mon" => ("周一", "Mon"),
        "tue" => ("周二", "Tue"),
        "wed" => ("周三", "Wed"),
        "thu" => ("周四", "Thu"),
        "fri" => ("周五", "Fri"),
        "sat" => ("周六", "Sat"),
        _ => ("周日", "Sun"),
    };
    locale.pick(zh_cn, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_support_page_key_has_text_in_both_languages_and_they_differ() {
        for (zh_cn, en) in [
            (
                SupportFrameText::for_locale(Locale::ZhCn).entries(),
                SupportFrameText::for_locale(Locale::En).entries(),
            ),
            (
                ContactText::for_locale(Locale::ZhCn).entries(),
                ContactText::for_locale(Locale::En).entries(),
            ),
            (
                OfficialCheckText::for_locale(Locale::ZhCn).entries(),
                OfficialCheckText::for_locale(Locale::En).entries(),
            ),
            (
                StatusText::for_locale(Locale::ZhCn).entries(),
                StatusText::for_locale(Locale::En).entries(),
            ),
        ] {
            for ((key, zh_cn), (_, en)) in zh_cn.iter().zip(en.iter()) {
                assert!(!zh_cn.trim().is_empty() && !en.trim().is_empty(), "{key}");
                assert_ne!(zh_cn, en, "{key}");
            }
        }
    }
}
