//! What each error code says to the user, in zh-CN and en: what happened and what to do next.

use super::Locale;
use crate::error::ErrorCode;

/// The words of one error in one language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorText {
    pub message: &'static str,
    pub next_step: &'static str,
}

const fn text(message: &'static str, next_step: &'static str) -> ErrorText {
    ErrorText { message, next_step }
}

/// The text of `code` in `locale`. The match has no catch-all, so a new code does not compile
/// until it has words in both languages.
pub fn error_text(code: ErrorCode, locale: Locale) -> ErrorText {
    let (zh_cn, en) = match code {
        ErrorCode::NotFound => (
            text(
                "找不到您要访问的页面或内容。",
                "请检查网址是否正确，或回到首页重新查找。",
            ),
            text(
                "We couldn't find the page or item you asked for.",
                "Check the address, or start again from the home page.",
            ),
        ),
        ErrorCode::MethodNotAllowed => (
            text(
                "这个地址不支持此类请求。",
                "请按接口文档使用正确的请求方法，例如 GET 或 POST。",
            ),
            text(
                "This address doesn't accept that kind of request.",
                "Use the method the API documentation gives for it, such as GET or POST.",
            ),
        ),
        ErrorCode::MalformedJson => (
            text(
                "请求内容不是有效的 JSON。",
                "请检查引号、逗号和括号是否完整，修改后再试。",
            ),
            text(
                "The request body isn't valid JSON.",
                "Check its quotes, commas and brackets, then try again.",
            ),
        ),
        ErrorCode::InvalidRequest => (
            text(
                "请求中有信息缺失或填写有误。",
                "请按提示修改标出的字段，然后重试。",
            ),
            text(
                "Some information in the request is missing or incorrect.",
                "Correct the field the error points to, then try again.",
            ),
        ),
        ErrorCode::UnsupportedMediaType => (
            text(
                "请求内容的格式不受支持。",
                "请以 JSON 格式发送，并设置请求头 Content-Type: application/json。",
            ),
            text(
                "The request body is in a format we don't accept.",
                "Send it as JSON with the header Content-Type: application/json.",
            ),
        ),
        ErrorCode::BodyTooLarge => (
            text(
                "请求内容太大，超出了允许的上限。",
                "请减少一次发送的内容，例如压缩或分开上传文件。",
            ),
            text(
                "The request is larger than we accept.",
                "Send less at once, for example by compressing or splitting files.",
            ),
        ),
        ErrorCode::InvalidAmount => (
            text(
                "金额无效。",
                "金额须为大于 0 的整数，以币种的最小单位计，例如 10.50 元应填写 1050。",
            ),
            text(
                "The amount isn't valid.",
                "Give a whole number above zero in the currency's smallest unit: ¥10.50 is 1050.",
            ),
        ),
        ErrorCode::UnknownCurrency => (
            text(
                "暂不支持该币种。",
                "请使用 OKPay 支持的币种代码，例如 CNY、USD 或 EUR。",
            ),
            text(
                "We don't support that currency.",
                "Use a currency code OKPay supports, such as CNY, USD or EUR.",
            ),
        ),
        ErrorCode::DatabaseUnavailable => (
            text(
                "服务暂时不可用。",
                "请稍等片刻再试。如果问题持续，请联系客服。",
            ),
            text(
                "The service is temporarily unavailable.",
                "Please wait a moment and try again. If it keeps happening, contact support.",
            ),
        ),
        ErrorCode::InternalError => (
            text(
                "系统出了点问题。",
                "请稍后重试。如果问题持续，请联系客服并提供请求编号。",
            ),
            text(
                "Something went wrong on our side.",
                "Please try again later. If it keeps happening, contact support and quote the request ID.",
            ),
        ),
        ErrorCode::RateLimited => (
            text("操作过于频繁。", "请稍等片刻再试。"),
            text(
                "Too many requests in a short time.",
                "Wait a moment, then try again.",
            ),
        ),
        ErrorCode::IdempotencyKeyReused => (
            text(
                "这个幂等键已用于另一笔内容不同的请求。",
                "重试时请发送完全相同的内容；发起新的请求请使用新的 Idempotency-Key。",
            ),
            text(
                "This idempotency key was already used for a different request.",
                "To retry, resend exactly the same request; for a new request, use a new Idempotency-Key.",
            ),
        ),
        ErrorCode::InsufficientFunds => (
            text("可用余额不足。", "请先充值，或减少金额后重试。"),
            text(
                "Your available balance is too low for this amount.",
                "Top up your wallet, or try a smaller amount.",
            ),
        ),
        ErrorCode::InvalidLogin => (
            text(
                "邮箱地址或手机号码格式不正确。",
                "请检查标出的字段：邮箱须形如 name@example.com，手机号须带国家代码，例如 +86 138 0013 8000。",
            ),
            text(
                "That e-mail address or phone number isn't valid.",
                "Check the field shown: an e-mail looks like name@example.com, and a phone number starts with its country code, such as +86 138 0013 8000.",
            ),
        ),
        ErrorCode::PasswordTooShort => (
            text(
                "密码太短。",
                "请使用更长的密码，几个词组合在一起既够长又好记。",
            ),
            text(
                "That password is too short.",
                "Use a longer one: a few words together are long enough and easy to remember.",
            ),
        ),
        ErrorCode::PasswordTooLong => (
            text("密码太长。", "请使用短一些的密码。"),
            text("That password is too long.", "Use a shorter password."),
        ),
        ErrorCode::PasswordTooCommon => (
            text(
                "这个密码太常见，很容易被猜到。",
                "请换一个别人猜不到的密码，例如几个不相关的词组合在一起。",
            ),
            text(
                "That password is too common and easy to guess.",
                "Choose one nobody could guess, such as a few unrelated words together.",
            ),
        ),
        ErrorCode::PasswordContainsPersonalInfo => (
            text(
                "密码中包含了您的邮箱地址或手机号码。",
                "请换一个不含邮箱地址或手机号码的密码。",
            ),
            text(
                "That password contains your e-mail address or phone number.",
                "Choose a password without your e-mail address or phone number in it.",
            ),
        ),
        ErrorCode::CodeWrong => (
            text("验证码不正确。", "请核对我们发送给您的验证码后重新输入。"),
            text(
                "That code isn't right.",
                "Check the code we sent you and enter it again.",
            ),
        ),
        ErrorCode::CodeExpired => (
            text("验证码已过期。", "请重新获取验证码，并在有效期内输入。"),
            text(
                "That code has expired.",
                "Ask for a new code and enter it before it expires.",
            ),
        ),
        ErrorCode::CodeAttemptsExhausted => (
            text("验证码输错次数过多，已失效。", "请重新获取验证码后再试。"),
            text(
                "Too many wrong codes were entered, so this code no longer works.",
                "Ask for a new code, then try again.",
            ),
        ),
        ErrorCode::NoCodePending => (
            text(
                "这个地址没有待使用的验证码。",
                "请确认邮箱或手机号填写无误，或重新获取验证码。",
            ),
            text(
                "There is no code waiting for this address.",
                "Check the e-mail address or phone number, or ask for a new code.",
            ),
        ),
        ErrorCode::InvalidCredentials => (
            text(
                "账号或密码不正确。",
                "请检查后重新输入；如果忘记了密码，可以重置密码。",
            ),
            text(
                "The e-mail, phone number or password is incorrect.",
                "Check them and try again, or reset your password if you've forgotten it.",
            ),
        ),
        ErrorCode::AccountLocked => (
            text(
                "登录失败次数过多，账号已暂时锁定。",
                "请等到提示的解锁时间后再登录，或重置密码，或联系帮助中心。",
            ),
            text(
                "Sign-in is locked for a while after too many failed attempts.",
                "Wait until the time shown, or reset your password, or contact the help center.",
            ),
        ),
        ErrorCode::AccountFrozen => (
            text(
                "账号已被冻结，暂时无法登录或转出资金。",
                "请联系帮助中心核实身份后解冻账号。",
            ),
            text(
                "This account is frozen: it can't sign in or move money out.",
                "Contact the help center to confirm who you are and unfreeze it.",
            ),
        ),
        ErrorCode::AddressNotVerified => (
            text(
                "您的邮箱或手机号尚未验证。",
                "请输入我们发送给您的验证码完成验证，然后再登录。",
            ),
            text(
                "Your e-mail address or phone number hasn't been confirmed yet.",
                "Enter the code we sent you to confirm it, then sign in.",
            ),
        ),
        ErrorCode::NotSignedIn => (
            text("您尚未登录，或登录已过期。", "请重新登录后再试。"),
            text(
                "You're not signed in, or your session has expired.",
                "Sign in again, then retry.",
            ),
        ),
    };
    locale.pick(zh_cn, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_message_and_a_next_step_in_both_languages() {
        for code in ErrorCode::ALL {
            for locale in Locale::ALL {
                let text = error_text(*code, *locale);
                assert!(!text.message.trim().is_empty(), "{code} {locale:?} message");
                assert!(
                    !text.next_step.trim().is_empty(),
                    "{code} {locale:?} next_step"
                );
            }
        }
    }

    #[test]
    fn chinese_and_english_texts_differ() {
        for code in ErrorCode::ALL {
            let zh_cn = error_text(*code, Locale::ZhCn);
            let en = error_text(*code, Locale::En);
            assert_ne!(zh_cn.message, en.message, "{code}");
            assert_ne!(zh_cn.next_step, en.next_step, "{code}");
        }
    }
}
