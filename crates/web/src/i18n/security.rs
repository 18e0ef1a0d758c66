//! The words of the sign-in security pages (security settings, password reset, message center,
//! "this wasn't me") in zh-CN and en, and of the staff sign-in pages with the names of staff roles.

use domain::staff::StaffRole;

use super::Locale;
use super::pages::page_text;

page_text! {
    /// `/security`: two-factor sign-in, sessions, login history, the emergency freeze.
    pub struct SecurityText {
        title: "安全设置 · OKPay", "Security · OKPay";
        heading: "安全设置", "Security";
        totp_heading: "双重验证（TOTP）", "Two-factor sign-in (TOTP)";
        totp_on: "已开启：登录时需要输入验证器应用中的动态码。", "On: signing in asks for the code in your authenticator app.";
        totp_off: "未开启。开启后，即使密码泄露，别人也无法登录您的账户。", "Off. With it on, nobody can sign in with your password alone.";
        recovery_left: "剩余恢复码：", "Recovery codes left:";
        totp_setup_action: "开启双重验证", "Set up two-factor sign-in";
        totp_scan: "用验证器应用（如 Google Authenticator、Microsoft Authenticator）扫描二维码，或手动输入密钥：", "Scan the QR code with an authenticator app (such as Google Authenticator or Microsoft Authenticator), or type the key:";
        totp_code_label: "验证器中显示的 6 位动态码", "The 6-digit code your app shows";
        totp_enable_action: "确认开启", "Turn on";
        recovery_heading: "请保存您的恢复码", "Save your recovery codes";
        recovery_body: "每个恢复码只能使用一次，可以在手机不在身边时代替动态码。它们只显示这一次，请抄写或打印后妥善保存。", "Each code works once, in place of a code from your app when your phone is not at hand. They are shown this once: write them down or print them and keep them safe.";
        totp_enabled_notice: "双重验证已开启，其他设备上的登录已退出。", "Two-factor sign-in is on; other devices were signed out.";
        sessions_heading: "登录中的设备", "Signed-in devices";
        session_current: "当前设备", "This device";
        session_revoke: "退出该设备", "Sign this device out";
        device_label: "设备", "Device";
        ip_label: "IP 地址", "IP address";
        created_label: "登录时间", "Signed in";
        last_seen_label: "最近使用", "Last used";
        history_heading: "登录记录", "Login history";
        time_label: "时间", "Time";
        outcome_label: "结果", "Outcome";
        outcome_signed_in: "登录成功", "Signed in";
        outcome_wrong_password: "密码错误", "Wrong password";
        outcome_totp_required: "等待动态码", "Asked for the code";
        outcome_totp_invalid: "动态码错误", "Wrong code";
        outcome_frozen: "账户已冻结", "Account frozen";
        outcome_not_verified: "地址未验证", "Address not confirmed";
        freeze_heading: "紧急冻结", "Emergency freeze";
        freeze_body: "如果您怀疑账户被盗，请立即冻结：所有设备会退出登录，任何人都无法登录或转出资金。解冻需要联系帮助中心核实身份。", "If you think someone else has your account, freeze it now: every device is signed out, and nobody can sign in or move money out. Unfreezing needs the help center to confirm who you are.";
        freeze_confirm: "我确认要立即冻结账户", "Yes, freeze my account now";
        freeze_action: "冻结账户", "Freeze my account";
        frozen_heading: "账户已冻结", "Your account is frozen";
        frozen_body: "所有设备已退出登录，资金无法转出。请联系帮助中心核实身份后解冻。", "Every device was signed out and no money can leave. Contact the help center to confirm who you are and unfreeze it.";
        help_action: "联系帮助中心", "Contact the help center";
    }
}

page_text! {
    /// `/password-reset` and `/password-reset/confirm`.
    pub struct ResetText {
        title: "重置密码 · OKPay", "Reset your password · OKPay";
        heading: "重置密码", "Reset your password";
        request_lead: "输入注册时使用的邮箱或手机号，我们会发送 6 位验证码。", "Enter the e-mail address or phone number you registered with, and we'll send a 6-digit code.";
        login_label: "邮箱或手机号", "E-mail address or phone number";
        request_action: "发送验证码", "Send the code";
        sent_notice: "如果该地址已注册 OKPay，验证码已经发出，10 分钟内有效。", "If this address has an OKPay account, a code is on its way; it is valid for 10 minutes.";
        code_label: "6 位验证码", "6-digit code";
        new_password_label: "新密码（至少 8 个字符）", "New password (at least 8 characters)";
        totp_label: "动态码或恢复码（已开启双重验证时必填）", "Authenticator or recovery code (if two-factor sign-in is on)";
        confirm_action: "设置新密码", "Set the new password";
        done_notice: "密码已更改，所有设备已退出登录。请用新密码登录。", "Your password is changed and every device was signed out. Sign in with the new password.";
    }
}

page_text! {
    /// `/messages`: the message center.
    pub struct MessagesText {
        title: "信息中心 · OKPay", "Messages · OKPay";
        heading: "信息中心", "Messages";
        empty: "暂无消息。", "No messages yet.";
        unread_label: "未读", "Unread";
        mark_all_read: "全部标为已读", "Mark all as read";
        older: "更早的消息", "Older messages";
    }
}

page_text! {
    /// `/not-me/<token>`: the link of a new-device alert.
    pub struct NotMeText {
        title: "这不是我 · OKPay", "This wasn't me · OKPay";
        heading: "这次登录不是您本人吗？", "Wasn't this sign-in you?";
        lead: "我们提醒过您的这次登录：", "The sign-in we told you about:";
        body: "如果不是您，请立即冻结账户：所有设备会退出登录，任何人都无法登录或转出资金。之后请联系帮助中心核实身份并解冻。", "If it was not you, freeze your account now: every device is signed out and nobody can sign in or move money out. Then contact the help center to confirm who you are and unfreeze it.";
        action: "立即冻结我的账户", "Freeze my account now";
        done: "账户已冻结。请联系帮助中心核实身份后解冻，并更改密码。", "Your account is frozen. Contact the help center to confirm who you are and unfreeze it, and change your password.";
        invalid: "这个链接无效或已过期。如需帮助，请联系帮助中心。", "This link is not valid or has expired. Contact the help center if you need help.";
    }
}

page_text! {
    /// The staff pages: set-up, sign-in, finding a user, their status, unlock and unfreeze.
    pub struct StaffText {
        title: "员工后台 · OKPay", "Staff · OKPay";
        sign_in_heading: "员工登录", "Staff sign-in";
        email_label: "工作邮箱", "Work e-mail";
        password_label: "密码", "Password";
        totp_label: "动态码", "Authenticator code";
        sign_in_action: "登录", "Sign in";
        sign_out_action: "退出员工后台", "Sign out of staff";
        setup_heading: "设置员工账户", "Set up your staff account";
        setup_lead: "员工账户必须开启双重验证。请用验证器应用扫描二维码，然后设置密码并输入动态码。", "Staff accounts always use two-factor sign-in. Scan the QR code with an authenticator app, then choose a password and enter a code.";
        setup_action: "完成设置", "Finish set-up";
        setup_done: "设置完成。请保存下面的恢复码，然后登录员工后台。", "You're set up. Keep the recovery codes below, then sign in to the staff area.";
        role_label: "角色", "Role";
        find_heading: "查找用户", "Find a user";
        find_label: "用户 ID、邮箱或手机号", "User id, e-mail or phone number";
        find_action: "查找", "Find";
        not_found: "没有找到这个用户。", "No user matches.";
        status_heading: "用户安全状态", "User security status";
        status_label: "账户状态", "Account status";
        frozen_yes: "已冻结", "Frozen";
        frozen_no: "未冻结", "Not frozen";
        totp_label_status: "双重验证", "Two-factor sign-in";
        on: "已开启", "On";
        off: "未开启", "Off";
        lock_now: "当前锁定", "Locked now";
        lock_none: "当前未锁定", "Not locked now";
        locks_heading: "最近 30 天的锁定", "Locks in the last 30 days";
        logins_heading: "登录记录", "Login history";
        reason_label: "原因（如何核实的身份，依据是什么）", "Reason (how identity was confirmed, and why)";
        unlock_action: "解除登录锁定", "Lift the sign-in lock";
        unfreeze_action: "解冻账户", "Unfreeze the account";
        done: "已处理，并已记录到审计日志。", "Done, and recorded in the audit log.";
        role_forbidden: "您的角色只能查看，解锁和解冻需要安全团队。", "Your role can look but not act: unlocking and unfreezing is for the security team.";
    }
}

page_text! {
    /// The names of staff roles, wherever a back-office page shows one (the header, set-up,
    /// the staff list); the API keeps the codes (`agent`, `finance`, …).
    pub struct StaffRoleNames {
        admin: "管理员", "Admin";
        agent: "客服", "Agent";
        security: "安全团队", "Security";
        risk: "风控", "Risk";
        finance: "财务", "Finance";
    }
}

/// `role`'s name in `locale`.
pub fn staff_role_name(role: StaffRole, locale: Locale) -> &'static str {
    let names = StaffRoleNames::for_locale(locale);
    match role {
        StaffRole::Admin => names.admin,
        StaffRole::Agent => names.agent,
        StaffRole::Security => names.security,
        StaffRole::Risk => names.risk,
        StaffRole::Finance => names.finance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_staff_role_has_a_name_in_each_language_and_chinese_names_are_chinese() {
        for locale in Locale::ALL {
            let names: Vec<&str> = StaffRole::ALL
                .iter()
                .map(|role| staff_role_name(*role, *locale))
                .collect();
            let mut distinct = names.clone();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(
                distinct.len(),
                StaffRole::ALL.len(),
                "{locale:?}: {names:?}"
            );
        }
        assert_eq!(staff_role_name(StaffRole::Agent, Locale::ZhCn), "客服");
        assert_eq!(staff_role_name(StaffRole::Finance, Locale::ZhCn), "财务");
        assert_eq!(staff_role_name(StaffRole::Agent, Locale::En), "Agent");
    }

    #[test]
    fn every_security_page_text_exists_in_both_languages() {
        for locale in Locale::ALL {
            let catalogs = [
                SecurityText::for_locale(*locale).entries(),
                ResetText::for_locale(*locale).entries(),
                MessagesText::for_locale(*locale).entries(),
                NotMeText::for_locale(*locale).entries(),
                StaffText::for_locale(*locale).entries(),
                StaffRoleNames::for_locale(*locale).entries(),
            ];
            for (key, text) in catalogs.iter().flatten() {
                assert!(!text.trim().is_empty(), "{key} is empty in {locale:?}");
            }
        }
        assert_ne!(
            SecurityText::for_locale(Locale::ZhCn).freeze_body,
            SecurityText::for_locale(Locale::En).freeze_body
        );
    }
}
