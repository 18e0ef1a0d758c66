//! The words of the step-up screens, the admins' pages (outbox, FX rates, fees, articles, staff
//! names) and identity verification (KYC) in zh-CN and en.

use super::Locale;
use super::pages::page_text;

page_text! {
    /// `/security/step-up/…`: a fresh second factor before a sensitive change.
    pub struct StepUpText {
        title: "验证身份 · OKPay", "Confirm it's you · OKPay";
        heading_totp_disable: "关闭双重验证", "Turn off two-factor sign-in";
        heading_password: "修改密码", "Change your password";
        heading_email: "修改登录邮箱", "Change your sign-in e-mail";
        heading_phone: "修改登录手机号", "Change your sign-in phone number";
        lead: "这是敏感操作。请再验证一次身份，验证只对这一项操作有效，5 分钟内有效。", "This is a sensitive change. Confirm it's you once more; the check counts for this change only, for 5 minutes.";
        totp_label: "验证器应用中的 6 位动态码（或一个恢复码）", "The 6-digit code in your authenticator app (or a recovery code)";
        send_lead: "您没有开启双重验证，我们会向您的登录地址发送一个 6 位验证码。", "You don't use two-factor sign-in, so we'll send a 6-digit code to your sign-in address.";
        send_action: "发送验证码", "Send me a code";
        sent_email: "验证码已发送到您的邮箱，10 分钟内有效。", "We sent a code to your e-mail; it works for 10 minutes.";
        sent_sms: "验证码已通过短信发送到您的手机，10 分钟内有效。", "We texted a code to your phone; it works for 10 minutes.";
        code_label: "收到的 6 位验证码", "The 6-digit code you received";
        new_password_label: "新密码（至少 8 位）", "New password (at least 8 characters)";
        new_email_label: "新的邮箱地址", "New e-mail address";
        new_phone_label: "新的手机号", "New phone number";
        submit_totp_disable: "验证并关闭双重验证", "Confirm and turn it off";
        submit_password: "验证并修改密码", "Confirm and change the password";
        submit_address: "验证并发送确认码到新地址", "Confirm and send a code to the new address";
        confirm_heading: "确认新地址", "Confirm the new address";
        confirm_lead: "我们向新地址发送了一个 6 位确认码。输入它即可完成修改，原地址会收到通知。", "We sent a 6-digit code to the new address. Enter it to finish; your old address will be told.";
        confirm_action: "完成修改", "Finish the change";
        done_totp_disable: "双重验证已关闭。其他设备上的登录已退出。", "Two-factor sign-in is off. Your other devices were signed out.";
        done_password: "密码已修改。其他设备上的登录已退出。", "Your password is changed. Your other devices were signed out.";
        done_address: "登录地址已修改，以后请用新地址登录。", "Your sign-in address is changed; sign in with the new one from now on.";
        back_action: "返回安全设置", "Back to security";
        sensitive_heading: "敏感操作", "Sensitive changes";
        sensitive_lead: "以下操作需要再次验证身份（双重验证动态码，或发送到您的验证码）。", "These changes ask for a fresh check that it's you (your two-factor code, or a code we send you).";
    }
}

page_text! {
    /// The admins' back-office pages and the navigation between staff pages.
    pub struct StaffAdminText {
        title: "员工后台 · OKPay", "Staff · OKPay";
        nav_label: "员工后台导航", "Staff navigation";
        nav_users: "用户", "Users";
        nav_tickets: "工单", "Tickets";
        nav_chat: "在线客服", "Live chat";
        nav_community: "社区管理", "Community";
        nav_appeals: "申诉审核", "Appeals";
        nav_withdrawals: "提现审核", "Withdrawals";
        nav_outbox: "发件箱", "Outbox";
        nav_kyc: "身份审核", "Identity review";
        nav_fx: "汇率", "FX rates";
        nav_fees: "费率", "Fees";
        nav_articles: "帮助文章", "Help articles";
        nav_announcements: "公告", "Announcements";
        nav_channels: "官方渠道", "Contact channels";
        nav_members: "员工", "Staff";
        members_heading: "员工", "Staff";
        members_lead: "同事在后台页面和工单中以这里的姓名称呼；留空则显示工作邮箱。每次修改都记录到审计日志。", "Colleagues are called by these names on the staff pages and in tickets; left blank, by their work e-mail. Every change is written to the audit log.";
        members_col_name: "姓名", "Name";
        members_col_email: "工作邮箱", "Work e-mail";
        members_col_role: "角色", "Role";
        members_col_status: "状态", "Status";
        members_name_label: "显示姓名", "Display name";
        members_save: "保存姓名", "Save the name";
        members_status_pending: "待设置", "Set-up pending";
        members_status_active: "在职", "Active";
        members_status_disabled: "已停用", "Disabled";
        saved: "已保存，并已记录到审计日志。", "Saved, and recorded in the audit log.";
        outbox_heading: "发件箱", "Outbox";
        outbox_lead: "所有发出的邮件和短信及其投递状态。未配置 SMTP 或短信服务时，消息保留在这里。", "Every e-mail and text message and where its delivery stands. Without SMTP or an SMS provider, messages stay here.";
        outbox_empty: "发件箱是空的。", "The outbox is empty.";
        col_time: "时间", "Time";
        col_channel: "渠道", "Channel";
        col_recipient: "收件人", "Recipient";
        col_language: "语言", "Language";
        col_subject: "主题", "Subject";
        col_status: "状态", "Status";
        channel_email: "邮件", "E-mail";
        channel_sms: "短信", "SMS";
        status_sent: "已发送", "Sent";
        status_waiting: "等待发送", "Waiting";
        status_kept: "保留（未配置发送服务）", "Kept (no sender configured)";
        status_failed: "发送失败", "Failed";
        attempts_label: "尝试次数", "attempts";
        reason_label: "原因", "Reason";
        fx_heading: "汇率", "FX rates";
        fx_lead: "每个货币对的当前汇率及其更新时间。保存新汇率会保留历史。", "Each currency pair's rate and how old it is. A new rate keeps the old ones in the history.";
        col_pair: "货币对", "Pair";
        col_rate: "汇率", "Rate";
        col_age: "已过时间", "Age";
        col_set_at: "设置时间", "Set at";
        col_set_by: "设置人", "Set by";
        fx_base_label: "卖出币种", "From currency";
        fx_quote_label: "买入币种", "To currency";
        fx_rate_label: "汇率（1 单位卖出币种可换多少买入币种，最多 8 位小数）", "Rate (how much of the second currency one unit of the first buys; up to 8 decimals)";
        fx_save: "保存汇率", "Save the rate";
        fx_history_heading: "历史", "History";
        fx_none: "还没有设置汇率。", "No rates set yet.";
        fees_heading: "费率表", "Fee schedule";
        fees_lead: "发布新版本后，新的交易使用新版本；每笔交易记录它使用的版本。", "A new version applies to new transactions; each transaction records the version it used.";
        fees_version: "当前版本", "Current version";
        fees_effective: "生效时间", "In force since";
        fees_rules_label: "规则（JSON，与 okpay fees show 的格式相同）", "Rules (JSON, as `okpay fees show` prints them)";
        fees_publish: "发布新版本", "Publish a new version";
        fees_history_heading: "历史版本", "Versions";
        col_version: "版本", "Version";
        articles_heading: "帮助文章", "Help articles";
        articles_lead: "编辑帮助中心的文章（Markdown）。保存即发布，每次保存都留有历史。", "Edit the help center's articles (Markdown). Saving publishes; every save is kept in the history.";
        col_slug: "标识", "Slug";
        col_title: "标题", "Title";
        col_revision: "修订", "Revision";
        col_editor: "编辑人", "Editor";
        edit_action: "编辑", "Edit";
        article_title_label: "标题", "Title";
        article_summary_label: "摘要", "Summary";
        article_body_label: "正文（Markdown）", "Body (Markdown)";
        preview_action: "预览", "Preview";
        save_action: "保存并发布", "Save and publish";
        preview_heading: "预览", "Preview";
        history_heading: "历史", "History";
        language_label: "语言", "Language";
        kyc_heading: "身份审核", "Identity review";
        kyc_lead: "用户上传的身份证件。通过会提升用户的认证等级；拒绝时写明原因，用户会看到。", "Identity documents users uploaded. Approving raises the user's tier; a rejection's reason is shown to the user.";
        kyc_empty: "没有待审核的申请。", "Nothing waits for review.";
        col_user: "用户", "User";
        col_tier: "申请等级", "Tier asked";
        col_documents: "证件", "Documents";
        approve_action: "通过", "Approve";
        reject_action: "拒绝", "Reject";
        notices_heading: "公告", "Announcements";
        notices_lead: "维护和故障公告会以横幅显示在每个页面和状态页上。每次保存都保留历史版本。", "Maintenance and incident notices show as a banner on every page and on the status page. Every save is kept.";
        notice_new_heading: "发布新公告", "Publish a notice";
        notice_edit_heading: "编辑公告", "Edit the notice";
        notice_kind_label: "类型", "Kind";
        kind_maintenance: "维护", "Maintenance";
        kind_incident: "故障", "Incident";
        severity_label: "影响程度", "Severity";
        severity_info: "提示", "Info";
        severity_degraded: "部分受影响", "Degraded";
        severity_outage: "不可用", "Outage";
        title_zh_label: "标题（中文）", "Title (Chinese)";
        title_en_label: "标题（英文）", "Title (English)";
        body_zh_label: "内容（中文）", "Text (Chinese)";
        body_en_label: "内容（英文）", "Text (English)";
        starts_at_label: "开始时间（RFC 3339）", "Starts (RFC 3339)";
        ends_at_label: "结束时间（RFC 3339，未知可留空）", "Ends (RFC 3339; empty while unknown)";
        services_label: "受影响的服务", "Services affected";
        withdrawn_label: "撤回（不再显示）", "Withdrawn (shown nowhere)";
        notice_publish: "发布", "Publish";
        notice_update: "保存新版本", "Save a new version";
        col_version_number: "版本", "Version";
        channels_heading: "官方渠道", "Contact channels";
        channel_kind_hotline: "客服热线", "Hotline";
        channel_kind_email: "电子邮箱", "E-mail";
        channel_kind_live_chat: "在线客服", "Live chat";
        channel_kind_website: "网站", "Web site";
        channel_kind_social: "社交账号", "Social account";
        channels_lead: "用户看到的官方电话、邮箱、网站和社交账号；“官方渠道核验”只认这里启用的渠道。", "The hotlines, addresses, sites and accounts users are told are ours; the official check vouches only for the enabled ones.";
        channel_edit_heading: "添加或修改渠道", "Add or change a channel";
        channel_id_label: "标识（a-z、0-9、_）", "Id (a-z, 0-9, _)";
        channel_kind_label: "类型", "Kind";
        channel_value_label: "号码、地址或账号", "Number, address or handle";
        channel_display_label: "显示为（可选）", "Shown as (optional)";
        channel_platform_label: "社交平台（仅社交账号）", "Platform (social accounts only)";
        channel_name_zh_label: "名称（中文）", "Name (Chinese)";
        channel_name_en_label: "名称（英文）", "Name (English)";
        channel_note_zh_label: "说明（中文）", "Note (Chinese)";
        channel_note_en_label: "说明（英文）", "Note (English)";
        channel_hours_label: "服务时间（如 Asia/Shanghai mon-sun 09:00-21:00）", "Hours (e.g. Asia/Shanghai mon-sun 09:00-21:00)";
        channel_position_label: "排序（小的在前）", "Position (smallest first)";
        channel_enabled_label: "启用", "Enabled";
        channel_save: "保存渠道", "Save the channel";
        channel_delete: "删除", "Remove";
        col_value: "值", "Value";
        col_name: "名称", "Name";
        col_hours: "服务时间", "Hours";
        yes: "是", "Yes";
        no: "否", "No";
    }
}

page_text! {
    /// `/wallet/verify`: identity documents and the tier they unlock.
    pub struct KycText {
        title: "身份认证 · OKPay", "Identity verification · OKPay";
        heading: "身份认证", "Identity verification";
        lead: "认证后可提高每日和每月限额。请上传身份证件的照片或扫描件（JPEG、PNG 或 PDF，每个不超过 5 MB，最多 3 个）。", "Verifying raises your daily and monthly limits. Upload photos or scans of your identity document (JPEG, PNG or PDF, up to 5 MB each, at most 3 files).";
        tier_label: "当前等级", "Your tier now";
        tier_unverified: "未认证", "Unverified";
        tier_verified: "已认证", "Verified";
        tier_enhanced: "高级认证", "Enhanced";
        ask_label: "申请等级", "Tier to ask for";
        document_kind_label: "证件类型", "Document";
        kind_id_card: "居民身份证", "National ID card";
        kind_passport: "护照", "Passport";
        kind_proof_of_address: "住址证明", "Proof of address";
        files_label: "文件", "Files";
        submit: "提交审核", "Send for review";
        status_heading: "审核记录", "Your requests";
        status_pending: "审核中", "Under review";
        status_approved: "已通过", "Approved";
        status_rejected: "未通过", "Rejected";
        rejected_reason: "原因：", "Why:";
        submitted: "已提交，我们会尽快审核，结果会通过消息中心通知您。", "Sent. We'll review it soon and tell you in your messages.";
        none: "您还没有提交过认证申请。", "You haven't asked for verification yet.";
        account_link: "身份认证：提高您的限额", "Identity verification: raise your limits";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_up_admin_and_kyc_text_exists_in_both_languages() {
        for locale in Locale::ALL {
            let catalogs = [
                StepUpText::for_locale(*locale).entries(),
                StaffAdminText::for_locale(*locale).entries(),
                KycText::for_locale(*locale).entries(),
            ];
            for (key, text) in catalogs.iter().flatten() {
                assert!(!text.trim().is_empty(), "{key} is empty in {locale:?}");
            }
        }
        assert_ne!(
            StaffAdminText::for_locale(Locale::ZhCn).outbox_heading,
            StaffAdminText::for_locale(Locale::En).outbox_heading
        );
    }
}
