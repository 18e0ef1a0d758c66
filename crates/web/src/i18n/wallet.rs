//! The words of the wallet's pages (wallet, cards, movements, records, statement, spending, the
//! developer page, finance's review queue) in zh-CN and en, and the names of the wallet's codes.

use domain::limits::LimitKind;
use domain::records::{Category, RecordKind, TransactionStatus};

use super::Locale;
use super::pages::page_text;

page_text! {
    /// `/wallet`, `/wallet/cards`, the movement forms and `/developers/test-cards`.
    pub struct WalletText {
        title: "我的钱包 · OKPay", "My wallet · OKPay";
        heading: "我的钱包", "My wallet";
        balances_heading: "余额", "Balances";
        no_balances: "您的钱包还没有余额。先添加一张银行卡，然后充值。", "Your wallet holds no money yet. Add a card, then top up.";
        currency_label: "币种", "Currency";
        available_label: "可用", "Available";
        held_label: "冻结中（处理中的提现）", "Held (withdrawals in progress)";
        actions_heading: "我要", "I want to";
        action_topup: "充值", "Top up";
        action_transfer: "转账", "Transfer";
        action_withdraw: "提现", "Withdraw";
        action_exchange: "换汇", "Exchange";
        action_remit: "跨国汇款", "Send abroad";
        action_cards: "银行卡与银行账户", "Cards and bank accounts";
        action_records: "交易记录", "Records";
        limits_heading: "剩余额度", "Limits left";
        limits_tier: "认证等级：", "Verification tier:";
        limits_kind: "类型", "Kind";
        limits_today: "今日剩余", "Left today";
        limits_month: "本月剩余", "Left this month";
        limits_of: "共", "of";
        limits_show: "查看", "Show";
        recent_heading: "最近记录", "Recent records";
        no_records: "还没有交易记录。", "No records yet.";
        all_records: "全部记录", "All records";
        cards_title: "银行卡与银行账户 · OKPay", "Cards and bank accounts · OKPay";
        cards_heading: "银行卡", "Cards";
        no_cards: "还没有银行卡。", "No cards yet.";
        card_expires: "有效期至", "Expires";
        remove: "删除", "Remove";
        add_card_heading: "添加银行卡", "Add a card";
        add_card_lead: "卡号只用于一次性验证并换取令牌，OKPay 不会保存完整卡号和安全码。开发者可使用测试卡号。", "The number is used once, to get a token: OKPay never keeps the full number or the security code. Developers can use the test cards.";
        card_number_label: "卡号", "Card number";
        exp_month_label: "到期月（1–12）", "Expiry month (1–12)";
        exp_year_label: "到期年（如 2031）", "Expiry year (e.g. 2031)";
        cvc_label: "安全码（CVC）", "Security code (CVC)";
        holder_label: "持卡人姓名", "Name on the card";
        add_card_action: "添加银行卡", "Add the card";
        card_added: "已添加银行卡：", "Card added:";
        card_already_saved: "这张银行卡已经保存过了，无需重复添加：", "This card was already saved, so it was not added again:";
        card_updated: "这张银行卡已经保存过了，已更新有效期和持卡人姓名：", "This card was already saved; its expiry and name were updated:";
        card_removed: "银行卡已删除。", "The card was removed.";
        bank_heading: "提现银行账户", "Bank accounts for withdrawals";
        no_bank_accounts: "还没有银行账户。", "No bank accounts yet.";
        add_bank_heading: "添加银行账户", "Add a bank account";
        bank_name_label: "银行名称", "Bank name";
        account_number_label: "账号（中国银行卡号或 IBAN）", "Account number (Chinese account number or IBAN)";
        account_holder_label: "户名", "Account holder";
        add_bank_action: "添加银行账户", "Add the account";
        bank_added: "银行账户已添加。", "The bank account was added.";
        bank_removed: "银行账户已删除。", "The bank account was removed.";
        test_cards_link: "测试卡号与测试账户", "Test cards and bank accounts";
        topup_title: "充值 · OKPay", "Top up · OKPay";
        transfer_title: "转账 · OKPay", "Transfer · OKPay";
        withdraw_title: "提现 · OKPay", "Withdraw · OKPay";
        exchange_title: "换汇 · OKPay", "Exchange · OKPay";
        remit_title: "跨国汇款 · OKPay", "Send money abroad · OKPay";
        topup_lead: "从已保存的银行卡向钱包充值。", "Add money to your wallet from a saved card.";
        transfer_lead: "转给另一位 OKPay 用户，填写对方的邮箱、手机号或用户 ID。对方会收到通知。", "Send money to another OKPay user by their e-mail, phone number or user id. They are told.";
        withdraw_lead: "提现到您的银行账户。提交后金额立即冻结，财务审核通过后打款。", "Withdraw to your bank account. The amount is held at once and paid out after finance's review.";
        exchange_lead: "在您自己的钱包之间按报价汇率换汇。", "Exchange between your own wallets at a quoted rate.";
        remit_lead: "汇给另一位用户，对方以另一种币种收款，按报价汇率换算。", "Send money to another user that arrives in another currency, at a quoted rate.";
        card_label: "银行卡", "Card";
        bank_account_label: "银行账户", "Bank account";
        to_label: "收款人（邮箱、手机号或用户 ID）", "To (e-mail, phone number or user id)";
        note_label: "备注（可选）", "Note (optional)";
        amount_label: "金额", "Amount";
        target_currency_label: "兑换为", "Into";
        review_action: "下一步：查看费用", "Next: see the fees";
        need_card: "请先添加一张银行卡。", "Add a card first.";
        need_bank_account: "请先添加一个银行账户。", "Add a bank account first.";
        confirm_heading: "请确认", "Please confirm";
        confirm_amount: "金额", "Amount";
        confirm_fee: "手续费", "Fee";
        confirm_discount: "优惠", "Discount";
        confirm_net_fee: "实收手续费", "Fee after discounts";
        confirm_you_pay: "您支付", "You pay";
        confirm_arrives: "到账金额", "What arrives";
        confirm_rate: "汇率", "Rate";
        confirm_rate_age: "汇率更新于（秒前）", "Rate set (seconds ago)";
        confirm_expires: "报价有效期至", "Quote valid until";
        confirm_to: "收款人", "To";
        confirm_from: "付款方式", "From";
        confirm_fee_schedule: "收费标准版本", "Fee schedule";
        confirm_action: "确认并提交", "Confirm";
        step_up_heading: "大额交易需要再次验证", "A large amount needs a fresh check";
        step_up_totp_hint: "请输入验证器应用中的 6 位动态码（或一个恢复码）。", "Enter the 6-digit code your authenticator app shows (or a recovery code).";
        step_up_code_hint: "我们刚刚向您的邮箱或手机发送了 6 位验证码，请在下面输入。", "We just sent a 6-digit code to your e-mail or phone: enter it below.";
        step_up_code_label: "验证码", "Code";
        change_action: "修改", "Change";
        failed_heading: "未能完成", "This did not go through";
        reason_code_label: "原因代码", "Reason code";
        next_step_label: "下一步", "Next step";
        limit_left_label: "该限额剩余：", "Left of this limit:";
        limit_raise_hint: "提高认证等级后的限额：", "With the next verification tier:";
        failed_record_link: "查看这笔失败的记录", "See the failed record";
        dev_title: "测试卡号 · 开发者 · OKPay", "Test cards · Developers · OKPay";
        dev_heading: "测试卡号与测试银行账户", "Test cards and bank accounts";
        dev_lead: "OKPay 自带模拟的发卡行处理器和银行通道。以下卡号（任意未来有效期、正确位数的任意安全码）和银行账号会产生固定结果，方便测试每一种情况。", "OKPay comes with a simulated card processor and bank rail. These card numbers (with any future expiry and any security code of the right length) and bank accounts give fixed outcomes, so every case can be tested.";
        dev_cards_heading: "测试卡号", "Test cards";
        dev_number: "卡号", "Number";
        dev_brand: "卡组织", "Brand";
        dev_outcome: "结果", "Outcome";
        dev_success: "成功", "Success";
        dev_accounts_heading: "测试银行账户（提现）", "Test bank accounts (withdrawals)";
        dev_account_success: "立即打款成功", "Paid at once";
        dev_account_fails_once: "第一次打款超时（bank_timeout），重试后成功", "The first payout times out (bank_timeout); the retry succeeds";
        dev_account_closed: "每次都被拒绝（bank_account_closed），提现失败并解冻", "Every payout is refused (bank_account_closed): the withdrawal fails and the hold is released";
        dev_other_accounts: "其他有效账号都会立即打款成功。", "Any other valid account number is paid at once.";
        dev_rail_heading: "模拟通道开关", "The simulated rail's switch";
        dev_rail_now: "当前状态：", "Now:";
        dev_rail_normal: "正常", "Normal";
        dev_rail_slow: "缓慢（每次调用先等待）", "Slow (every call waits first)";
        dev_rail_down: "中断（所有调用返回 processor_unavailable）", "Down (every call fails with processor_unavailable)";
        dev_rail_missing: "已接入真实的支付通道，模拟开关不可用。", "A real provider is plugged in: the simulator's switch is not available.";
        dev_rail_who: "开关影响所有用户，只有登录的管理员（admin）可以切换：", "The switch affects every user, so only a signed-in staff admin may flip it:";
        dev_rail_delay: "缓慢时的延迟（毫秒）", "Delay when slow (ms)";
        dev_rail_action: "切换", "Switch";
        dev_rail_switched: "模拟通道已切换。", "The simulated rail was switched.";
        dev_api_hint: "也可以通过 API 调用：POST /api/v1/staff/simulator。", "The API does the same: POST /api/v1/staff/simulator.";
    }
}

page_text! {
    /// `/records`, `/records/{id}`, the monthly statement and the spending analysis.
    pub struct RecordsText {
        title: "交易记录 · OKPay", "Records · OKPay";
        heading: "交易记录", "Records";
        filters_heading: "筛选", "Filters";
        type_label: "类型", "Type";
        status_label: "状态", "Status";
        currency_label: "币种", "Currency";
        period_label: "时间", "Period";
        any: "全部", "Any";
        preset_yesterday: "昨天", "Yesterday";
        preset_last_7_days: "最近 7 天", "Last 7 days";
        preset_last_month: "上个月", "Last month";
        from_label: "开始日期", "From";
        to_label: "结束日期", "To";
        counterparty_label: "对方", "Counterparty";
        filter_action: "筛选", "Filter";
        clear_filters: "清除筛选", "Clear the filters";
        search_label: "按交易 ID 查找", "Find by transaction id";
        search_action: "查找", "Find";
        search_not_found: "没有找到这个 ID 的交易。请检查 ID 是否完整（以 txn_ 或 wdr_ 开头）。", "No transaction has this id. Check it is complete (it starts with txn_ or wdr_).";
        download_csv: "下载 CSV", "Download CSV";
        statement_link: "月度对账单", "Monthly statement";
        spending_link: "消费分析", "Spending analysis";
        none_found: "没有符合条件的记录。", "No records match.";
        time_label: "时间", "Time";
        amount_label: "金额", "Amount";
        fee_label: "手续费", "Fee";
        details_label: "详情", "Details";
        next_page: "下一页", "Next page";
        first_page: "第一页", "First page";
        detail_title: "交易详情 · OKPay", "Transaction · OKPay";
        detail_heading: "交易详情", "Transaction";
        id_label: "交易 ID", "Transaction id";
        direction_label: "方向", "Direction";
        direction_in: "收入", "Money in";
        direction_out: "支出", "Money out";
        direction_internal: "自有钱包之间", "Between your wallets";
        arrived_label: "到账", "Arrived";
        note_label: "备注", "Note";
        category_label: "分类", "Category";
        fee_schedule_label: "收费标准版本", "Fee schedule";
        quote_label: "报价", "Quote";
        timeline_heading: "状态进度", "Status timeline";
        failure_heading: "失败原因", "Why it failed";
        reason_code_label: "原因代码", "Reason code";
        next_step_label: "下一步", "Next step";
        done_notice: "已提交。以下是这笔交易的详情。", "Done. Here is the transaction.";
        back_to_records: "返回交易记录", "Back to the records";
        statement_title: "月度对账单 · OKPay", "Monthly statement · OKPay";
        statement_heading: "月度对账单", "Monthly statement";
        month_label: "月份", "Month";
        show_action: "查看", "Show";
        money_in: "收入", "Money in";
        money_out: "支出", "Money out";
        fees_total: "手续费", "Fees";
        count_label: "笔数", "Count";
        statement_totals_note: "合计只计入已完成的交易；不同币种分别合计。", "Totals count completed transactions only, each currency on its own.";
        print_hint: "需要纸质版？用浏览器的打印功能即可。", "Need it on paper? Print this page from your browser.";
        spending_title: "消费分析 · OKPay", "Spending analysis · OKPay";
        spending_heading: "消费分析", "Spending analysis";
        months_label: "月数", "Months";
        by_month_heading: "按月", "By month";
        by_category_heading: "按分类", "By category";
        chart_by_month_label: "每月支出柱状图", "Bar chart of spending by month";
        chart_by_category_label: "按分类支出条形图", "Bar chart of spending by category";
        no_spending: "这段时间没有支出。", "Nothing was spent in this period.";
    }
}

page_text! {
    /// `/staff/withdrawals`: finance's review queue.
    pub struct FinanceText {
        title: "提现审核 · OKPay 后台", "Withdrawal review · OKPay staff";
        heading: "提现审核", "Withdrawal review";
        lead: "按提交时间从早到晚排列。批准后立即通过银行通道打款；拒绝需填写原因，用户会看到原因，冻结金额立即解冻。每次审核都记入审计日志。", "Oldest first. Approving pays out over the bank rail at once; rejecting needs a reason, which the user reads, and releases the held amount at once. Every review is in the audit log.";
        empty: "没有待审核的提现。", "No withdrawals are waiting for review.";
        id_label: "提现 ID", "Withdrawal";
        user_label: "用户", "User";
        amount_label: "金额", "Amount";
        fee_label: "手续费", "Fee";
        account_label: "银行账户", "Bank account";
        submitted_label: "提交时间", "Submitted";
        reason_label: "原因", "Reason";
        approve_reason_label: "备注（可选）", "Note (optional)";
        approve_action: "批准", "Approve";
        reject_action: "拒绝", "Reject";
        approved_notice: "已批准，正在打款。", "Approved: the payout is on its way.";
        rejected_notice: "已拒绝，冻结金额已解冻，用户已收到通知。", "Rejected: the hold is released and the user is told.";
        sign_out: "退出后台", "Sign out of the back office";
    }
}

/// A record's type in `locale`.
pub fn record_kind_name(kind: RecordKind, locale: Locale) -> &'static str {
    let (zh_cn, en) = match kind {
        RecordKind::TopUp => ("充值", "Top-up"),
        RecordKind::Transfer => ("转账", "Transfer"),
        RecordKind::Withdrawal => ("提现", "Withdrawal"),
        RecordKind::Exchange => ("换汇", "Exchange"),
        RecordKind::Remittance => ("跨国汇款", "Remittance"),
        RecordKind::MaintenanceFee => ("账户管理费", "Maintenance fee"),
        RecordKind::Refund => ("退款", "Refund"),
    };
    locale.pick(zh_cn, en)
}

/// A record's status in `locale`.
pub fn record_status_name(status: TransactionStatus, locale: Locale) -> &'static str {
    let (zh_cn, en) = match status {
        TransactionStatus::Submitted => ("已提交", "Submitted"),
        TransactionStatus::Reviewing => ("审核中", "Reviewing"),
        TransactionStatus::Processing => ("处理中", "Processing"),
        TransactionStatus::Completed => ("已完成", "Completed"),
        TransactionStatus::Rejected => ("已拒绝", "Rejected"),
        TransactionStatus::Failed => ("失败", "Failed"),
    };
    locale.pick(zh_cn, en)
}

/// A spending category in `locale`.
pub fn category_name(category: Category, locale: Locale) -> &'static str {
    let (zh_cn, en) = match category {
        Category::TopUps => ("充值", "Top-ups"),
        Category::Transfers => ("转账", "Transfers"),
        Category::Withdrawals => ("提现", "Withdrawals"),
        Category::Exchange => ("换汇", "Exchange"),
        Category::Remittances => ("跨国汇款", "Remittances"),
        Category::Fees => ("手续费", "Fees"),
        Category::Refunds => ("退款", "Refunds"),
        Category::Payments => ("付款", "Payments"),
        Category::Other => ("其他", "Other"),
    };
    locale.pick(zh_cn, en)
}

/// A kind of limit in `locale`.
pub fn limit_kind_name(kind: LimitKind, locale: Locale) -> &'static str {
    let (zh_cn, en) = match kind {
        LimitKind::TopUp => ("充值", "Top-ups"),
        LimitKind::TransferOut => ("转出", "Transfers out"),
        LimitKind::Withdrawal => ("提现", "Withdrawals"),
        LimitKind::ExchangeRemittance => ("换汇与跨国汇款", "Exchange and remittance"),
    };
    locale.pick(zh_cn, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wallet_page_key_has_text_in_both_languages_and_chinese_is_chinese() {
        let is_cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
        for locale in Locale::ALL {
            for (key, text) in WalletText::for_locale(*locale)
                .entries()
                .into_iter()
                .chain(RecordsText::for_locale(*locale).entries())
                .chain(FinanceText::for_locale(*locale).entries())
            {
                assert!(!text.trim().is_empty(), "{} {key} is empty", locale.tag());
                if *locale == Locale::ZhCn {
                    assert!(text.chars().any(is_cjk), "zh-CN {key}: {text}");
                } else {
                    assert!(!text.chars().any(is_cjk), "en {key}: {text}");
                }
            }
        }
    }
}
