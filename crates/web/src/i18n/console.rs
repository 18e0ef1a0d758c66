//! The words of the support pages a person uses (diagnosis, tickets, the stolen-account lane) and of the agent console, in zh-CN and en.

use domain::tickets::{Category, TicketStatus};

use super::Locale;
use super::pages::page_text;

page_text! {
    /// The ways into self-help and tickets, shown on `/contact`.
    pub struct SelfHelpText {
        heading: "自助服务", "Help yourself first";
        diagnose: "发生了什么？查看账户锁定、失败交易和提现进度", "What happened? Locks, failed transactions and withdrawals explained";
        tickets: "我的工单", "My tickets";
        new_ticket: "提交工单", "Open a ticket";
        stolen: "账户被盗？立即冻结（无需登录）", "Account stolen? Freeze it now (no sign-in)";
    }
}

page_text! {
    /// `/diagnose`: "What happened?".
    pub struct DiagnoseText {
        title: "发生了什么？· OKPay", "What happened? · OKPay";
        heading: "发生了什么？", "What happened?";
        lead: "我们根据您账户的实时数据说明最近的问题，以及下一步该怎么做。",
            "We read your account's live data to explain what went wrong lately and what to do next.";
        account_heading: "账户状态", "Your account";
        account_ok: "账户正常：没有冻结，也没有登录锁定。", "All clear: your account is neither frozen nor locked.";
        frozen: "账户已冻结：登录和资金转出都已停止。如果不是您本人操作，请立即联系我们。",
            "Your account is frozen: sign-in and money going out are stopped. If you did not freeze it, contact us at once.";
        locked: "登录已被锁定", "Sign-in is locked";
        locked_at: "锁定时间", "Locked at";
        locked_until: "解锁时间", "Locked until";
        failures: "连续输错密码次数", "Wrong passwords in a row";
        lock_next_step: "锁定到期后即可再次登录；忘记密码可以重置。", "You can sign in again once the lock ends; if you forgot your password, reset it.";
        recent_locks: "最近 7 天的锁定", "Locks in the last 7 days";
        failed_heading: "失败的交易", "Failed transactions";
        failed_none: "最近没有失败的交易。", "No failed transactions lately.";
        reason_code: "原因代码", "Reason code";
        next_step: "下一步", "Next step";
        announcement: "相关公告", "The notice that explains it";
        withdrawals_heading: "处理中的提现", "Withdrawals on their way";
        withdrawals_none: "没有处理中的提现。", "No withdrawals on their way.";
        next_expected: "下一步", "Next expected step";
        limits_heading: "限额", "Limits";
        limits_tier: "认证等级", "Verification tier";
        limit_kind: "类型", "Kind";
        daily_left: "今日剩余", "Left today";
        monthly_left: "本月剩余", "Left this month";
        limit_reached: "已达上限", "Limit reached";
        limit_ok: "可用", "Available";
        ticket_heading: "还需要帮助？", "Still need help?";
        ticket_lead: "提交工单时会附上以上诊断结果，客服无需再向您询问这些信息。",
            "Open a ticket and this diagnosis goes with it, so the agent does not have to ask you again.";
        category_label: "问题类型", "What it is about";
        transaction_label: "相关交易（可选）", "Transaction (optional)";
        transaction_none: "无", "None";
        description_label: "请描述您的问题", "Describe the problem";
        attachments_label: "截图或文件（可选）", "Screenshots or files (optional)";
        attachments_hint: "最多 5 个文件，PNG、JPEG 或 PDF，每个不超过 10 MB。", "Up to 5 files, PNG, JPEG or PDF, 10 MB each at most.";
        open_ticket: "提交工单（附诊断结果）", "Open a ticket with this diagnosis";
    }
}

page_text! {
    /// `/tickets`, `/tickets/new`, `/tickets/{id}`.
    pub struct TicketsText {
        list_title: "我的工单 · OKPay", "My tickets · OKPay";
        list_heading: "我的工单", "My tickets";
        new_link: "提交新工单", "Open a new ticket";
        diagnose_link: "先看看发生了什么", "See what happened first";
        none: "您还没有提交过工单。", "You have not opened any tickets.";
        col_subject: "主题", "Subject";
        col_category: "类型", "Category";
        col_status: "状态", "Status";
        col_updated: "更新时间", "Updated";
        new_title: "提交工单 · OKPay", "Open a ticket · OKPay";
        new_heading: "提交工单", "Open a ticket";
        category_label: "问题类型", "What it is about";
        subject_label: "主题", "Subject";
        description_label: "详细描述", "Description";
        transaction_label: "相关交易号（可选）", "Transaction id (optional)";
        attachments_label: "截图或文件（可选）", "Screenshots or files (optional)";
        attachments_hint: "最多 5 个文件，PNG、JPEG 或 PDF，每个不超过 10 MB。", "Up to 5 files, PNG, JPEG or PDF, 10 MB each at most.";
        submit: "提交", "Submit";
        thread_title: "工单 · OKPay", "Ticket · OKPay";
        back: "返回我的工单", "Back to my tickets";
        you: "您", "You";
        agent: "OKPay 客服", "OKPay agent";
        attachments: "附件", "Attachments";
        context: "提交时附带的诊断", "Diagnosis attached when opened";
        reply_heading: "回复", "Reply";
        reply_label: "您的回复", "Your reply";
        reply_submit: "发送", "Send";
        rate_heading: "为这次服务打分", "Rate this help";
        rate_label: "评分（1 最差，5 最好）", "Rating (1 worst, 5 best)";
        rate_comment: "评价（可选）", "Comment (optional)";
        rate_submit: "提交评价", "Send rating";
        rated: "您的评分", "Your rating";
        done_created: "工单已提交，我们会尽快回复。", "Your ticket is open; we will answer soon.";
        done_replied: "回复已发送。", "Your reply is sent.";
        done_rated: "谢谢您的评价。", "Thank you for your rating.";
        transaction: "相关交易", "Transaction";
    }
}

page_text! {
    /// `/stolen`: the stolen-account fast lane.
    pub struct StolenText {
        title: "账户被盗 · OKPay", "My account was stolen · OKPay";
        heading: "我的账户被盗了", "My account was stolen";
        lead: "无需登录。输入账户的邮箱或手机号，我们发送验证码；确认后立即冻结账户（停止登录和一切转出），并为您创建最高优先级的安全工单。",
            "No sign-in needed. Enter the account's e-mail or phone; we send a code, and confirming it freezes the account at once (no sign-in, no money out) and opens a top-priority security ticket.";
        login_label: "邮箱或手机号", "E-mail or phone";
        send_code: "发送验证码", "Send the code";
        code_sent: "如果这是 OKPay 账户，验证码已发送。请在下方输入。", "If this is an OKPay account, a code is on its way. Enter it below.";
        code_label: "6 位验证码", "6-digit code";
        description_label: "发生了什么（可选）", "What happened (optional)";
        confirm: "确认冻结账户", "Freeze the account";
        frozen_heading: "账户已冻结", "The account is frozen";
        frozen_body: "已停止所有登录和资金转出。安全团队已收到您的工单，会尽快联系您。解冻需要核实身份。",
            "Every sign-in and all money going out are stopped. The security team has your ticket and will contact you soon. Unfreezing needs your identity checked.";
        ticket_number: "工单号", "Ticket number";
    }
}

page_text! {
    /// `/staff/tickets` and `/staff/tickets/{id}`: the agent console.
    pub struct ConsoleText {
        title: "客服工作台 · OKPay", "Agent console · OKPay";
        heading: "工单队列", "Ticket queue";
        all: "全部未解决", "All to do";
        filter_status: "状态", "Status";
        filter_category: "类型", "Category";
        filter_mine: "只看我的", "Mine only";
        col_ticket: "工单", "Ticket";
        col_priority: "优先级", "Priority";
        col_target: "响应目标", "Target";
        col_due: "应回复时间", "Reply due";
        col_left: "剩余", "Left";
        col_assignee: "处理人", "Assignee";
        ticket_transaction: "相关交易", "Transaction";
        empty: "队列中没有工单。", "No tickets in this queue.";
        breached: "已超时", "Breached";
        at_risk: "即将超时", "At risk";
        paused: "等待用户（暂停计时）", "Waiting on user (paused)";
        stopped: "已解决", "Solved";
        on_track: "正常", "On track";
        hours: "小时", "h";
        minutes: "分钟", "min";
        service_hours_note: "安全类工单 1 小时（全天计时），其他 24 小时（按服务时间 09:00–21:00 北京时间计时）；等待用户回复时暂停。",
            "Security: 1 hour, around the clock. Others: 24 hours of service time (09:00–21:00 Beijing time). The clock pauses while waiting on the user.";
        unassigned: "未分配", "Unassigned";
        claim: "认领", "Claim";
        assign_label: "转给", "Assign to";
        assign: "转交", "Assign";
        back: "返回队列", "Back to the queue";
        thread_heading: "对话", "Conversation";
        user: "用户", "User";
        staff: "客服", "Agent";
        internal_badge: "内部备注", "Internal note";
        reply_label: "回复内容", "Reply";
        internal_label: "仅内部备注（用户看不到）", "Internal note (the user never sees it)";
        send: "发送", "Send";
        canned_label: "常用回复", "Canned replies";
        canned_pick: "插入", "Insert";
        status_label: "设置状态", "Set status";
        status_apply: "更新", "Update";
        context: "用户提交时的诊断", "Diagnosis sent with the ticket";
        attachments: "附件", "Attachments";
        panel_heading: "客户信息", "Customer";
        panel_audited: "您查看客户信息的操作已记入审计日志。", "Your viewing of this customer is written to the audit log.";
        panel_email: "邮箱", "E-mail";
        panel_phone: "手机号", "Mobile number";
        panel_status: "账户状态", "Account status";
        panel_active: "正常", "Active";
        panel_frozen: "已冻结", "Frozen";
        panel_lock_now: "当前登录锁定", "Sign-in lock now";
        panel_no_lock: "无", "None";
        panel_events: "冻结与锁定记录", "Freezes and locks";
        panel_no_events: "没有记录。", "None recorded.";
        panel_kyc: "认证等级", "KYC tier";
        panel_limits: "剩余限额（人民币）", "Limits left (CNY)";
        panel_daily_left: "今日剩余", "Today";
        panel_monthly_left: "本月剩余", "This month";
        panel_recent: "最近交易", "Recent transactions";
        panel_no_recent: "没有交易。", "No transactions.";
        panel_failures: "最近失败", "Recent failures";
        panel_open_tickets: "未解决的工单", "Open tickets";
        panel_none: "无", "None";
        done: "已保存。", "Saved.";
    }
}

page_text! {
    /// `/staff/users/{user}/transactions/{id}`: one of a user's transactions, as staff read it.
    pub struct StaffRecordText {
        title: "交易详情（员工视图） · OKPay", "Transaction (staff view) · OKPay";
        heading: "交易详情", "Transaction";
        audited: "您查看这笔交易的操作已记入审计日志。", "Your viewing of this transaction is written to the audit log.";
        owner_label: "用户", "User";
        counterparty_id_label: "对方 ID", "Counterparty id";
        other_side: "查看对方的记录", "See the other side's record";
        failure_heading: "失败原因", "Why it failed";
        user_was_told: "用户看到的说明", "What the user was told";
        back_to_ticket: "返回工单", "Back to the ticket";
        back_to_queue: "返回工单队列", "Back to the ticket queue";
    }
}

/// A category's name in the reader's language.
pub fn ticket_category_name(category: Category, locale: Locale) -> &'static str {
    locale.pick(category.label_zh(), category.label_en())
}

/// A ticket status in the reader's language.
pub fn ticket_status_name(status: TicketStatus, locale: Locale) -> &'static str {
    match (status, locale) {
        (TicketStatus::Open, Locale::ZhCn) => "待处理",
        (TicketStatus::Open, Locale::En) => "Open",
        (TicketStatus::WaitingOnCustomer, Locale::ZhCn) => "等待您回复",
        (TicketStatus::WaitingOnCustomer, Locale::En) => "Waiting on you",
        (TicketStatus::WaitingOnAgent, Locale::ZhCn) => "等待客服回复",
        (TicketStatus::WaitingOnAgent, Locale::En) => "Waiting on an agent",
        (TicketStatus::Solved, Locale::ZhCn) => "已解决",
        (TicketStatus::Solved, Locale::En) => "Solved",
        (TicketStatus::Reopened, Locale::ZhCn) => "已重新打开",
        (TicketStatus::Reopened, Locale::En) => "Reopened",
    }
}

/// A ticket status as agents read it: whose move it is, seen from the desk.
pub fn agent_status_name(status: TicketStatus, locale: Locale) -> &'static str {
    match (status, locale) {
        (TicketStatus::WaitingOnCustomer, Locale::ZhCn) => "等待用户回复",
        (TicketStatus::WaitingOnCustomer, Locale::En) => "Waiting on the user",
        (TicketStatus::WaitingOnAgent, Locale::ZhCn) => "等待客服回复",
        (TicketStatus::WaitingOnAgent, Locale::En) => "Waiting on us",
        (other, locale) => ticket_status_name(other, locale),
    }
}

/// The wallet's codes the support pages show (record kinds and statuses, limit kinds, KYC
/// tiers) in words; an unknown code is shown as it is.
pub fn wallet_code_name(code: &str, locale: Locale) -> String {
    let (zh_cn, en) = match code {
        "topup" => ("充值", "Top-up"),
        "transfer" => ("转账", "Transfer"),
        "transfer_out" => ("转出", "Transfers out"),
        "withdrawal" => ("提现", "Withdrawal"),
        "exchange" => ("换汇", "Exchange"),
        "remittance" => ("跨境汇款", "Remittance"),
        "exchange_remittance" => ("换汇与汇款", "Exchange and remittance"),
        "maintenance_fee" => ("账户管理费", "Maintenance fee"),
        "refund" => ("退款", "Refund"),
        "submitted" => ("已提交", "Submitted"),
        "reviewing" => ("审核中", "Under review"),
        "processing" => ("处理中", "Processing"),
        "completed" => ("已完成", "Completed"),
        "rejected" => ("已拒绝", "Rejected"),
        "failed" => ("失败", "Failed"),
        "unverified" => ("未认证", "Unverified"),
        "verified" => ("已认证", "Verified"),
        "enhanced" => ("高级认证", "Enhanced"),
        other => return other.to_owned(),
    };
    locale.pick(zh_cn, en).to_owned()
}

/// A canned reply: its name and its text, in both languages, so an agent answers a user in the
/// user's language whatever the console's.
pub struct CannedReply {
    pub id: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub body_zh: &'static str,
    pub body_en: &'static str,
}

pub const CANNED_REPLIES: [CannedReply; 4] = [
    CannedReply {
        id: "looking",
        name_zh: "正在处理",
        name_en: "Looking into it",
        body_zh: "您好，我们已收到您的问题，正在核查，处理完成后会第一时间回复您。",
        body_en: "Hello, we have your question and are looking into it; we will write as soon as it is done.",
    },
    CannedReply {
        id: "topup_failed",
        name_zh: "充值失败",
        name_en: "Top-up failed",
        body_zh: "您好，这笔充值没有成功，资金没有从您的卡中扣除。失败原因和下一步已显示在“发生了什么？”页面，请按提示处理后重试。",
        body_en: "Hello, this top-up did not go through and nothing was taken from your card. The reason and the next step are on the What happened? page; please follow them and try again.",
    },
    CannedReply {
        id: "need_info",
        name_zh: "需要更多信息",
        name_en: "Need more details",
        body_zh: "您好，为了尽快解决问题，请补充交易时间、金额以及页面截图。",
        body_en: "Hello, to solve this quickly, please send the time and amount of the transaction and a screenshot of the page.",
    },
    CannedReply {
        id: "solved",
        name_zh: "问题已解决",
        name_en: "Solved",
        body_zh: "您好，问题已经处理完毕。如果还有疑问，直接回复本工单即可。欢迎为本次服务打分。",
        body_en: "Hello, this is now solved. If anything is still unclear, just reply to this ticket. We would be glad of your rating.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_console_page_key_has_text_in_both_languages_and_they_differ() {
        for (zh_cn, en) in [
            (
                SelfHelpText::for_locale(Locale::ZhCn).entries(),
                SelfHelpText::for_locale(Locale::En).entries(),
            ),
            (
                DiagnoseText::for_locale(Locale::ZhCn).entries(),
                DiagnoseText::for_locale(Locale::En).entries(),
            ),
            (
                TicketsText::for_locale(Locale::ZhCn).entries(),
                TicketsText::for_locale(Locale::En).entries(),
            ),
            (
                StolenText::for_locale(Locale::ZhCn).entries(),
                StolenText::for_locale(Locale::En).entries(),
            ),
            (
                ConsoleText::for_locale(Locale::ZhCn).entries(),
                ConsoleText::for_locale(Locale::En).entries(),
            ),
            (
                StaffRecordText::for_locale(Locale::ZhCn).entries(),
                StaffRecordText::for_locale(Locale::En).entries(),
            ),
        ] {
            for ((key, zh_cn), (_, en)) in zh_cn.iter().zip(en.iter()) {
                assert!(!zh_cn.trim().is_empty() && !en.trim().is_empty(), "{key}");
                assert_ne!(zh_cn, en, "{key}");
            }
        }
    }

    #[test]
    fn wallet_codes_read_as_words_and_unknown_ones_as_they_are() {
        assert_eq!(wallet_code_name("topup", Locale::ZhCn), "充值");
        assert_eq!(wallet_code_name("reviewing", Locale::En), "Under review");
        assert_eq!(
            wallet_code_name("something_new", Locale::En),
            "something_new"
        );
    }

    #[test]
    fn every_canned_reply_exists_in_both_languages() {
        for reply in &CANNED_REPLIES {
            assert!(!reply.body_zh.is_empty() && !reply.body_en.is_empty());
            assert_ne!(reply.body_zh, reply.body_en, "{}", reply.id);
        }
    }
}
