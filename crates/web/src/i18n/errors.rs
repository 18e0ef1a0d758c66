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
        // --- identity: second factor, step-up, freezes, staff ---
        ErrorCode::TotpRequired => (
            text(
                "此账户已开启双重验证，需要输入验证器应用中的动态码。",
                "请打开验证器应用，输入 6 位动态码后再登录；手机不在身边时可以使用恢复码。",
            ),
            text(
                "This account uses two-factor sign-in: the code from your authenticator app is needed.",
                "Open your authenticator app and enter its 6-digit code; without your phone, use a recovery code.",
            ),
        ),
        ErrorCode::TotpInvalid => (
            text(
                "动态码或恢复码不正确，或已被使用过。",
                "请等待验证器应用显示新的动态码后重试；每个恢复码只能使用一次。",
            ),
            text(
                "The code is wrong or has already been used.",
                "Wait for your authenticator app to show a new code and try again; each recovery code works once.",
            ),
        ),
        ErrorCode::TotpAlreadyEnabled => (
            text(
                "双重验证已经开启。",
                "无需再次开启；如需更换设备，请先关闭再重新开启。",
            ),
            text(
                "Two-factor sign-in is already on.",
                "There is nothing to do; to move it to a new device, turn it off and on again.",
            ),
        ),
        ErrorCode::TotpNotEnabled => (
            text("双重验证尚未开启。", "请先在安全设置中开始设置双重验证。"),
            text(
                "Two-factor sign-in is not on.",
                "Start setting it up on the security page first.",
            ),
        ),
        ErrorCode::StepUpRequired => (
            text(
                "这项操作需要再次验证身份。",
                "请先完成安全验证（动态码或发送给您的验证码），然后重试。",
            ),
            text(
                "This action needs you to confirm it is you.",
                "Complete the security check (your authenticator code, or a code we send you), then try again.",
            ),
        ),
        ErrorCode::StepUpInvalid => (
            text(
                "安全验证已失效、已使用过，或不是为这项操作进行的。",
                "请重新完成安全验证后立即重试；每次验证只能用于一项操作，5 分钟内有效。",
            ),
            text(
                "The security check has expired, was already used, or was for another action.",
                "Complete the security check again and retry at once: each check works once, for one action, for 5 minutes.",
            ),
        ),
        ErrorCode::LinkInvalid => (
            text("链接无效、已使用或已过期。", "如需帮助，请联系帮助中心。"),
            text(
                "This link is not valid, was already used, or has expired.",
                "Contact the help center if you need help.",
            ),
        ),
        ErrorCode::StaffRoleForbidden => (
            text(
                "您的员工角色无权进行此操作。",
                "请联系拥有相应角色的同事或管理员。",
            ),
            text(
                "Your staff role does not allow this.",
                "Ask a colleague with the right role, or an admin.",
            ),
        ),
        ErrorCode::StaffNameInvalid => (
            text(
                "员工姓名需为 1–64 个字符，且不能包含换行等控制字符。",
                "请改正姓名后再保存；留空则改用工作邮箱称呼这位同事。",
            ),
            text(
                "A staff member's name has 1 to 64 characters and no line breaks or other control characters.",
                "Correct the name and save again; leave it blank to call them by their work e-mail instead.",
            ),
        ),
        ErrorCode::StaffMemberNotFound => (
            text("没有找到这位员工。", "请刷新员工列表后再试。"),
            text(
                "There is no such staff member.",
                "Reload the staff list and try again.",
            ),
        ),
        ErrorCode::ReasonRequired => (
            text(
                "请填写操作原因（至少 5 个字）。",
                "写明核实身份的方式和处理依据后再提交。",
            ),
            text(
                "A written reason is required (at least 5 characters).",
                "Write how the person's identity was confirmed and why, then submit again.",
            ),
        ),
        ErrorCode::AddressTaken => (
            text(
                "这个邮箱或手机号已被另一个 OKPay 账户使用。",
                "请换一个地址；如果那个账户也是您的，请登录后处理，或联系帮助中心。",
            ),
            text(
                "That e-mail address or phone number is used by another OKPay account.",
                "Use another address; if that account is yours too, sign in to it, or contact the help center.",
            ),
        ),
        ErrorCode::AccountNotFrozen => (
            text(
                "该账户没有被冻结。",
                "无需解冻；请刷新页面查看账户当前状态。",
            ),
            text(
                "This account is not frozen.",
                "There is nothing to unfreeze; reload the page to see the account's status.",
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
        // --- webinfra (pages) ---
        ErrorCode::CsrfTokenInvalid => (
            text(
                "这个表单已过期，或者不是从 OKPay 的页面提交的，所以我们没有处理它。",
                "请返回上一页，刷新后重新提交。如果您刚才并没有在 OKPay 提交任何内容，可以忽略此提示，您的账户没有任何变化。",
            ),
            text(
                "This form has expired or didn't come from an OKPay page, so we didn't act on it.",
                "Go back, reload the page and submit the form again. If you didn't just submit anything on OKPay, you can ignore this: nothing on your account changed.",
            ),
        ),
        // --- support ---
        ErrorCode::InvalidCheckValue => (
            text(
                "无法识别您输入的内容。",
                "请粘贴完整的电话号码、邮箱地址、网址或账号名称后再查询。",
            ),
            text(
                "We couldn't tell what that is.",
                "Paste a whole phone number, e-mail address, web address or account name, then check again.",
            ),
        ),
        ErrorCode::ReportNoteTooLong => (
            text(
                "举报说明太长了（最多 1000 字）。",
                "请精简说明，保留时间、对方说了什么、要求您做什么即可。",
            ),
            text(
                "The report's note is too long (1,000 characters at most).",
                "Shorten it to when it happened, what they said and what they asked you to do.",
            ),
        ),
        ErrorCode::OfficialChannelNotReportable => (
            text(
                "这是 OKPay 的官方渠道，不能作为诈骗举报。",
                "如果有人冒用这个渠道联系您，请直接拨打官方热线或在帮助中心提交工单。",
            ),
            text(
                "That is one of OKPay's official channels, so it can't be reported as a scam.",
                "If someone pretended to be this channel, call our hotline or open a ticket in the help center.",
            ),
        ),
        ErrorCode::AnnouncementVersionConflict => (
            text(
                "在您编辑期间，这条公告已被他人修改。",
                "请重新打开公告，查看最新内容后再修改。",
            ),
            text(
                "Someone changed this announcement while you were editing it.",
                "Open it again, read the latest version, then make your change.",
            ),
        ),
        ErrorCode::CommunityQuestionLocked => (
            text(
                "这个问题已被版主锁定，不能再回答或投票。",
                "如有新情况，请另外提问，或在帮助中心提交工单。",
            ),
            text(
                "A moderator locked this question: it takes no more answers or votes.",
                "Ask a new question if something changed, or open a ticket in the help center.",
            ),
        ),
        ErrorCode::CommunityReportsResolved => (
            text(
                "这条内容的举报已由其他工作人员处理，现在没有待处理的举报。",
                "请刷新举报队列，查看仍待处理的举报。",
            ),
            text(
                "Someone else already resolved the reports on this post: none is open now.",
                "Reload the report queue to see the reports still open.",
            ),
        ),
        ErrorCode::CommunityNotAuthor => (
            text(
                "只有提问者本人可以采纳答案。",
                "如果您认为某个答案很有帮助，可以给它投赞成票。",
            ),
            text(
                "Only the person who asked can accept an answer.",
                "If an answer helped you, vote it up instead.",
            ),
        ),
        ErrorCode::CommunityOwnPost => (
            text(
                "不能给自己的问题或回答投票。",
                "请给其他用户有帮助的内容投票。",
            ),
            text(
                "You can't vote on your own question or answer.",
                "Vote on other people's posts that helped you.",
            ),
        ),
        // --- tickets ---
        ErrorCode::TooManyAttachments => (
            text(
                "附件太多了（每次最多 5 个）。",
                "请只保留最能说明问题的截图或文件，其余的可以在回复中再补充。",
            ),
            text(
                "Too many attachments (5 at most each time).",
                "Keep the screenshots or files that show the problem best; you can add others in a reply.",
            ),
        ),
        ErrorCode::AttachmentTooLarge => (
            text(
                "附件太大了（每个最多 10 MB）。",
                "请压缩图片或只截取相关部分后再上传。",
            ),
            text(
                "An attachment is too large (10 MB at most each).",
                "Shrink the image or capture only the part that matters, then upload it again.",
            ),
        ),
        ErrorCode::AttachmentTypeRefused => (
            text(
                "只能上传 PNG、JPEG 图片或 PDF 文件。",
                "请把截图另存为 PNG 或 JPEG，或把文档导出为 PDF 后再上传。",
            ),
            text(
                "Only PNG or JPEG images and PDF files can be attached.",
                "Save the screenshot as PNG or JPEG, or export the document as PDF, then upload it again.",
            ),
        ),
        ErrorCode::TicketNotSolved => (
            text(
                "工单解决后才能评价。",
                "客服将工单标记为已解决后，您就可以给出评分和意见。",
            ),
            text(
                "A ticket can be rated once it is solved.",
                "When an agent marks the ticket solved, you can give your rating and comment.",
            ),
        ),
        ErrorCode::TicketAlreadyRated => (
            text("这个工单已经评价过了。", "感谢您的反馈，无需再次评价。"),
            text(
                "This ticket has already been rated.",
                "Thank you for your feedback; there is nothing more to do.",
            ),
        ),
        // --- wallet ---
        ErrorCode::FeeRulesInvalid => (
            text("费率表填写有误。", "请按提示修改标出的规则后重新发布。"),
            text(
                "The fee schedule isn't valid.",
                "Correct the rule the error points to, then publish again.",
            ),
        ),
        ErrorCode::CardNumberInvalid => (
            text("银行卡号不正确。", "请核对卡面上的卡号后重新输入。"),
            text(
                "That card number isn't valid.",
                "Check the number on the front of the card and type it again.",
            ),
        ),
        ErrorCode::CardBrandUnsupported => (
            text(
                "暂不支持这种卡组织的银行卡。",
                "请改用 Visa、Mastercard、银联、American Express、JCB 或 Discover 卡。",
            ),
            text(
                "OKPay doesn't accept cards from this network.",
                "Use a Visa, Mastercard, UnionPay, American Express, JCB or Discover card.",
            ),
        ),
        ErrorCode::CardExpiryInvalid => (
            text("有效期填写不正确。", "请按卡面填写月份（1–12）和四位年份。"),
            text(
                "The expiry date isn't valid.",
                "Enter the month (1–12) and the four-digit year shown on the card.",
            ),
        ),
        ErrorCode::CardExpired => (
            text(
                "这张银行卡已过期。",
                "请使用发卡行寄给您的新卡，或换一张有效的银行卡。",
            ),
            text(
                "This card has expired.",
                "Use the new card your bank sent you, or another valid card.",
            ),
        ),
        ErrorCode::CardCvcInvalid => (
            text(
                "安全码（CVV/CVC）不正确。",
                "请输入卡背面的 3 位数字（American Express 为卡正面的 4 位数字）。",
            ),
            text(
                "The security code (CVV/CVC) isn't right.",
                "Enter the 3 digits on the back of the card (4 on the front for American Express).",
            ),
        ),
        ErrorCode::HolderNameInvalid => (
            text(
                "持卡人或户名填写不正确。",
                "请按银行登记的姓名填写，不超过 100 个字符。",
            ),
            text(
                "The holder's name isn't valid.",
                "Enter the name as your bank has it, up to 100 characters.",
            ),
        ),
        ErrorCode::CardDeclined => (
            text(
                "发卡行拒绝了这笔扣款。",
                "请联系发卡行了解原因，或换一张银行卡充值。",
            ),
            text(
                "Your card's bank declined the payment.",
                "Ask your bank why, or top up with another card.",
            ),
        ),
        ErrorCode::CardLimitExceeded => (
            text(
                "金额超过了这张银行卡的限额。",
                "请减少金额，或联系发卡行提高限额，或换一张卡。",
            ),
            text(
                "The amount is over this card's limit.",
                "Try a smaller amount, ask your bank to raise the limit, or use another card.",
            ),
        ),
        ErrorCode::CardTokenUnknown => (
            text("这张已保存的银行卡已失效。", "请删除这张卡后重新添加。"),
            text(
                "This saved card is no longer usable.",
                "Remove the card and add it again.",
            ),
        ),
        ErrorCode::ProcessorUnavailable => (
            text(
                "支付通道暂时无法连接，本次没有扣款。",
                "请稍等几分钟后重试；公告栏会说明是否在维护。",
            ),
            text(
                "The payment network can't be reached right now; nothing was charged.",
                "Wait a few minutes and try again; announcements say if maintenance is under way.",
            ),
        ),
        ErrorCode::BankNameInvalid => (
            text(
                "开户银行名称填写不正确。",
                "请填写开户银行的全称，例如“招商银行”。",
            ),
            text(
                "The bank's name isn't valid.",
                "Enter your bank's full name.",
            ),
        ),
        ErrorCode::BankAccountNumberInvalid => (
            text(
                "银行账号不正确。",
                "请核对账号：国内账号为 12–19 位数字，境外账户请填写 IBAN。",
            ),
            text(
                "That bank account number isn't valid.",
                "Check it: Chinese accounts have 12–19 digits; elsewhere enter the IBAN.",
            ),
        ),
        ErrorCode::BankAccountCurrencyMismatch => (
            text(
                "这个银行账户的币种与提现币种不一致。",
                "请选择同币种的银行账户，或先换汇。",
            ),
            text(
                "This bank account holds another currency than the withdrawal.",
                "Choose a bank account in the same currency, or exchange first.",
            ),
        ),
        ErrorCode::BankTimeout => (
            text(
                "收款银行没有及时响应。",
                "系统会自动重试，无需操作；多次失败后冻结金额会退回余额。",
            ),
            text(
                "The receiving bank didn't answer in time.",
                "OKPay retries by itself; if it keeps failing, the held amount returns to your balance.",
            ),
        ),
        ErrorCode::BankAccountClosed => (
            text(
                "收款银行表示该账户已销户。",
                "冻结金额已退回余额，请添加一个在用的银行账户后重新提现。",
            ),
            text(
                "The receiving bank says this account is closed.",
                "The held amount is back in your balance; add an account in use and withdraw again.",
            ),
        ),
        ErrorCode::BankAccountInvalid => (
            text(
                "收款银行无法识别该账户或户名。",
                "冻结金额已退回余额，请核对账号和户名后重新提现。",
            ),
            text(
                "The receiving bank doesn't recognise the account or its holder.",
                "The held amount is back in your balance; check the number and name, then withdraw again.",
            ),
        ),
        ErrorCode::AmountBelowMinimum => (
            text(
                "金额低于最低限额。",
                "请提高金额；提现最低金额见费用说明页。",
            ),
            text(
                "The amount is below the minimum.",
                "Enter a larger amount; the fees page lists the minimums.",
            ),
        ),
        ErrorCode::AmountDoesNotCoverFee => (
            text("金额不足以支付手续费。", "请提高金额后重试。"),
            text(
                "The amount doesn't cover the fee.",
                "Enter a larger amount and try again.",
            ),
        ),
        ErrorCode::AmountTooLarge => (
            text("换算后的金额过大。", "请减少金额后重试。"),
            text(
                "The converted amount is too large.",
                "Enter a smaller amount and try again.",
            ),
        ),
        ErrorCode::TargetCurrencyRequired => (
            text(
                "换汇或跨境汇款需要选择另一种到账币种。",
                "请在 target_currency 中选择与付款币种不同的币种。",
            ),
            text(
                "An exchange or remittance needs a different target currency.",
                "Set target_currency to a currency other than the one you send.",
            ),
        ),
        ErrorCode::TargetCurrencyNotAllowed => (
            text(
                "只有换汇和跨境汇款可以选择其他到账币种。",
                "请去掉 target_currency，或改用换汇。",
            ),
            text(
                "Only an exchange or remittance arrives in another currency.",
                "Leave out target_currency, or make an exchange instead.",
            ),
        ),
        ErrorCode::QuoteExpired => (
            text(
                "报价已过期，汇率可能已经变化。",
                "请重新获取报价，确认后再提交。",
            ),
            text(
                "The quote has expired; the rate may have changed.",
                "Ask for a new quote, check it, then confirm.",
            ),
        ),
        ErrorCode::QuoteMismatch => (
            text(
                "请求内容与报价不一致。",
                "请按报价的金额和币种提交，或重新获取报价。",
            ),
            text(
                "The request doesn't match the quote.",
                "Submit the quoted amount and currencies, or ask for a new quote.",
            ),
        ),
        ErrorCode::QuoteNotFound => (
            text("找不到这份报价。", "请重新获取报价。"),
            text("We couldn't find that quote.", "Ask for a new quote."),
        ),
        ErrorCode::CurrencyPairInvalid => (
            text(
                "换汇需要两种不同的币种。",
                "请选择不同的付款币种和到账币种。",
            ),
            text(
                "An exchange needs two different currencies.",
                "Choose different currencies to pay and to receive.",
            ),
        ),
        ErrorCode::FxRateInvalid => (
            text(
                "汇率格式不正确。",
                "请输入大于 0、最多 8 位小数的汇率，例如 7.1234。",
            ),
            text(
                "That rate isn't valid.",
                "Enter a decimal above zero with at most 8 places, such as 7.1234.",
            ),
        ),
        ErrorCode::FxRateUnavailable => (
            text("暂无这两种币种之间的汇率。", "请稍后再试，或选择其他币种。"),
            text(
                "There's no rate between these currencies yet.",
                "Try again later, or choose other currencies.",
            ),
        ),
        ErrorCode::FxRateStale => (
            text(
                "汇率长时间未更新，暂停报价。",
                "请稍后再试；管理员更新汇率后即可换汇。",
            ),
            text(
                "The rate is too old to quote.",
                "Try again later, once the rate has been updated.",
            ),
        ),
        ErrorCode::LimitExceeded => (
            text(
                "超出了您账户的交易限额。",
                "请查看剩余额度，减少金额或明天再试；完成身份认证可提高限额。",
            ),
            text(
                "This is over your account's limit.",
                "Check what's left, use a smaller amount or wait; verifying your identity raises the limits.",
            ),
        ),
        ErrorCode::AmountInvalid => (
            text("金额不正确。", "请输入大于 0 的金额。"),
            text("The amount isn't valid.", "Enter an amount above zero."),
        ),
        ErrorCode::SameWallet => (
            text("不能转账给自己。", "请填写对方的邮箱、手机号或用户 ID。"),
            text(
                "You can't send money to yourself.",
                "Enter the other person's e-mail, phone number or user ID.",
            ),
        ),
        ErrorCode::RecipientNotFound => (
            text(
                "找不到这个收款人。",
                "请核对对方的邮箱、手机号或用户 ID；对方需要先注册 OKPay。",
            ),
            text(
                "We couldn't find that recipient.",
                "Check their e-mail, phone number or user ID; they need an OKPay account.",
            ),
        ),
        ErrorCode::UserNotFound => (
            text("找不到该用户。", "请检查用户 ID 是否正确。"),
            text("We couldn't find that user.", "Check the user ID."),
        ),
        ErrorCode::NoteInvalid => (
            text(
                "附言过长或含有不支持的字符。",
                "请把附言控制在 200 字以内。",
            ),
            text(
                "The note is too long or has unsupported characters.",
                "Keep the note within 200 characters.",
            ),
        ),
        ErrorCode::FilterInvalid => (
            text("筛选条件不正确。", "请按提示修改标出的筛选条件。"),
            text(
                "A filter isn't valid.",
                "Correct the filter the error points to.",
            ),
        ),
        ErrorCode::CardNotFound => (
            text("找不到这张银行卡。", "请刷新页面，从已保存的银行卡中选择。"),
            text(
                "We couldn't find that card.",
                "Reload and choose one of your saved cards.",
            ),
        ),
        ErrorCode::BankAccountNotFound => (
            text(
                "找不到这个银行账户。",
                "请刷新页面，从已保存的银行账户中选择。",
            ),
            text(
                "We couldn't find that bank account.",
                "Reload and choose one of your saved bank accounts.",
            ),
        ),
        ErrorCode::TransactionNotFound => (
            text("找不到这笔交易。", "请核对交易编号，或在交易记录中查找。"),
            text(
                "We couldn't find that transaction.",
                "Check the transaction ID, or look in your records.",
            ),
        ),
        ErrorCode::WithdrawalNotFound => (
            text("找不到这笔提现。", "请核对提现编号，或在交易记录中查找。"),
            text(
                "We couldn't find that withdrawal.",
                "Check the withdrawal ID, or look in your records.",
            ),
        ),
        ErrorCode::WithdrawalNotReviewable => (
            text("这笔提现已经审核过了。", "请刷新审核队列。"),
            text(
                "This withdrawal was already reviewed.",
                "Reload the review queue.",
            ),
        ),
        ErrorCode::WithdrawalRejected => (
            text(
                "提现未通过审核。",
                "冻结金额已退回余额；审核说明见交易详情，如有疑问请联系客服。",
            ),
            text(
                "The withdrawal wasn't approved.",
                "The held amount is back in your balance; the reason is in the transaction's details. Contact support with questions.",
            ),
        ),
        ErrorCode::AccountRestricted => (
            text(
                "您的账户受到限制，暂时不能转出资金。",
                "请在信息中心查看原因，并按说明提交申诉。",
            ),
            text(
                "Your account is restricted: money can't leave it for now.",
                "Read the reason in your message center and appeal as it explains.",
            ),
        ),
        ErrorCode::DuplicateRequest => (
            text(
                "同一请求的另一份副本已完成这笔充值，这一份没有入账。",
                "无需操作：钱只入账一次，已完成的那一笔在交易记录里。如果银行卡显示被扣款两次，请联系客服退回其中一笔。",
            ),
            text(
                "Another copy of the same request already made this top-up; this copy credited nothing.",
                "Nothing to do: the money arrived once, and the completed top-up is in your records. If your card shows two charges, contact support to have one returned.",
            ),
        ),
        ErrorCode::TopUpNotCharged => (
            text(
                "这笔充值在扣款前中断了：您的银行卡没有被扣款，钱包也没有入账。",
                "可以放心重新充值；这一笔已不再占用您的充值额度。",
            ),
            text(
                "This top-up was interrupted before your card was charged: nothing was taken and nothing arrived.",
                "Top up again; this one no longer counts against your limit.",
            ),
        ),
        ErrorCode::InvalidIdempotencyKey => (
            text(
                "Idempotency-Key 格式不正确。",
                "请使用 1–200 个可见 ASCII 字符，例如一个 UUID。",
            ),
            text(
                "The Idempotency-Key header isn't valid.",
                "Use 1 to 200 visible ASCII characters, such as a UUID.",
            ),
        ),
        ErrorCode::ChatClosed => (
            text(
                "这次在线对话已经结束。",
                "如还有问题，请在“在线客服”页面发起新的对话，或提交工单。",
            ),
            text(
                "This chat has ended.",
                "If you still need help, start a new chat on the Live chat page or file a ticket.",
            ),
        ),
        ErrorCode::AppealNotNeeded => (
            text(
                "您的账户没有被锁定或冻结，无需申诉。",
                "请直接登录；如仍无法登录，请使用“忘记密码”或联系客服。",
            ),
            text(
                "Your account is neither locked nor frozen, so there is nothing to appeal.",
                "Sign in as usual; if you still cannot, reset your password or contact support.",
            ),
        ),
        ErrorCode::AppealAlreadyOpen => (
            text(
                "您已有一份申诉正在审核中。",
                "请在申诉状态页查看进度，审核完成后我们会通过消息和邮件通知您。",
            ),
            text(
                "You already have an appeal waiting for review.",
                "Follow it on the appeal status page; we will tell you by message and e-mail when it is decided.",
            ),
        ),
        ErrorCode::AppealAlreadyDecided => (
            text(
                "这份申诉已经处理完毕。",
                "请刷新页面查看结果；如需再次申诉，请由用户重新提交。",
            ),
            text(
                "This appeal has already been decided.",
                "Reload the page to see the decision; a new appeal has to be filed by the user.",
            ),
        ),
        ErrorCode::KycDocumentsMissing => (
            text(
                "没有收到证件文件。",
                "请选择至少一个证件的照片或扫描件（JPEG、PNG 或 PDF）后再提交。",
            ),
            text(
                "No document came with the request.",
                "Choose at least one photo or scan of your document (JPEG, PNG or PDF) and send again.",
            ),
        ),
        ErrorCode::KycTooManyDocuments => (
            text(
                "一次最多上传 3 个文件。",
                "请只保留证件正面、背面和住址证明，再提交。",
            ),
            text(
                "At most 3 files per request.",
                "Keep the front, the back and a proof of address, and send again.",
            ),
        ),
        ErrorCode::KycDocumentTooLarge => (
            text(
                "证件文件太大了（每个最多 5 MB）。",
                "请压缩照片或降低扫描分辨率后再上传。",
            ),
            text(
                "A document is too large (5 MB at most each).",
                "Compress the photo or scan at a lower resolution, then upload it again.",
            ),
        ),
        ErrorCode::KycDocumentTypeRefused => (
            text(
                "证件文件必须是 JPEG、PNG 图片或 PDF 文件。",
                "请用手机拍照或导出为 PDF 后再上传；仅改文件扩展名是不行的。",
            ),
            text(
                "Documents must be JPEG or PNG images or PDF files.",
                "Take a photo or export a PDF and upload that; renaming a file doesn't change what it is.",
            ),
        ),
        ErrorCode::KycTierNotHigher => (
            text(
                "您已经是这个认证等级或更高等级了。",
                "如需更高限额，请申请更高的等级。",
            ),
            text(
                "Your account is already at this tier or above.",
                "For higher limits, ask for a higher tier.",
            ),
        ),
        ErrorCode::KycAlreadyPending => (
            text(
                "您已有一个认证申请正在审核中。",
                "请等待审核结果，结果会发到您的消息中心。",
            ),
            text(
                "A verification request of yours is already under review.",
                "Wait for the decision; it will arrive in your message center.",
            ),
        ),
        ErrorCode::KycAlreadyDecided => (
            text(
                "这个认证申请已经处理过了。",
                "请刷新审核队列，查看其他待审核的申请。",
            ),
            text(
                "This verification request was already decided.",
                "Reload the review queue and take the next request.",
            ),
        ),
        ErrorCode::FeeScheduleIdTaken => (
            text(
                "这个版本号已经发布过了。",
                "请给新版本起一个没用过的版本号，例如加上日期。",
            ),
            text(
                "A fee schedule version with this id is already published.",
                "Give the new version an id not used before, such as one with today's date.",
            ),
        ),
        ErrorCode::HelpArticleVersionConflict => (
            text(
                "您编辑期间，别人已经保存了这篇文章的新版本。",
                "请重新打开文章，在最新版本上再做修改。",
            ),
            text(
                "Someone saved this article while you were editing it.",
                "Open the article again and make your change on the newest version.",
            ),
        ),
        ErrorCode::HelpArticleInvalid => (
            text(
                "文章内容不完整或格式不对。",
                "请检查标题、摘要和正文都已填写，然后再保存。",
            ),
            text(
                "The article is incomplete or malformed.",
                "Check that the title, summary and body are filled in, then save again.",
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
