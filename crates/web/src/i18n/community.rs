//! The words of the community pages (questions, answers, search), in zh-CN and en.

use super::Locale;
use super::pages::page_text;

page_text! {
    /// `/community`, `/community/ask` and `/community/questions/{id}`.
    pub struct CommunityText {
        title: "用户社区 · OKPay", "Community · OKPay";
        heading: "用户社区", "Community";
        lead: "向其他用户和我们的专家提问。请勿在帖子中透露密码、验证码或完整卡号。",
            "Ask other users and our experts. Never post passwords, codes or full card numbers.";
        ask_link: "我要提问", "Ask a question";
        sort_newest: "最新", "Newest";
        sort_unanswered: "待回答", "Unanswered";
        sort_top: "最高票", "Top";
        search_label: "搜索社区", "Search the community";
        search_button: "搜索", "Search";
        results_for: "搜索结果：", "Results for: ";
        none: "没有找到问题。换个说法试试，或者直接提问。", "No questions found. Try other words, or ask yours.";
        answers: "个回答", "answers";
        answers_one: "个回答", "answer";
        score: "票", "votes";
        score_one: "票", "vote";
        accepted: "已采纳", "Accepted";
        locked: "已锁定：不能再回答或投票。", "Locked: no new answers or votes.";
        badge_staff: "官方", "Staff";
        badge_expert: "专家", "Expert";
        asked_by: "提问者", "Asked by";
        answered_by: "回答者", "Answered by";
        ask_heading: "提问", "Ask a question";
        field_title: "标题（5–150 字）", "Title (5–150 characters)";
        field_body: "详细描述（至少 10 字）", "Details (at least 10 characters)";
        submit_question: "发布问题", "Post the question";
        answer_heading: "写回答", "Your answer";
        submit_answer: "发布回答", "Post the answer";
        sign_in_to_answer: "登录后即可回答、投票和举报。", "Sign in to answer, vote and report.";
        vote_up: "赞同", "Vote up";
        vote_down: "反对", "Vote down";
        accept: "采纳此回答", "Accept this answer";
        report: "举报", "Report";
        report_reason: "举报原因", "Why report it";
        reported: "已收到举报，我们会尽快处理。", "Thanks: we will look at your report.";
        back: "返回社区", "Back to the community";
    }
}

page_text! {
    /// `/staff/community`: hiding, showing and locking posts.
    pub struct ModerationText {
        title: "社区管理 · OKPay", "Community moderation · OKPay";
        heading: "社区管理", "Community moderation";
        lead: "按编号隐藏或恢复问题与回答，锁定或解锁问题。每次操作都会记入审计日志。",
            "Hide or show a question or answer by its id; lock or unlock a question. Every action is audited.";
        target: "问题或回答编号（q_… / ans_…）", "Question or answer id (q_… / ans_…)";
        hide: "隐藏", "Hide";
        show: "恢复显示", "Show";
        lock: "锁定", "Lock";
        unlock: "解锁", "Unlock";
        done: "已完成。", "Done.";
        newest: "最新问题", "Newest questions";
        reports_heading: "待处理的举报", "Reports to review";
        reports_lead: "用户举报的问题与回答，等待最久的排在最前。隐藏：内容违反社区规则，不再向用户显示。驳回：内容没有问题，保留显示（如已因举报被自动隐藏，则恢复显示）。两种处理都需写明理由，并记入审计日志。",
            "Questions and answers users reported, the longest-waiting first. Hide: the post breaks the community rules and no user sees it any more. Dismiss: the post is fine and stays (shown again if reports had hidden it). Both need a reason and are audited.";
        reports_none: "没有待处理的举报。", "No report is waiting.";
        kind_question: "问题", "Question";
        kind_answer: "回答", "Answer";
        in_question: "所属问题", "In the question";
        author: "作者", "Author";
        hidden_now: "目前已隐藏", "Hidden now";
        visible_now: "目前正在显示", "Shown now";
        reports_count: "举报人数", "Reports";
        reporter: "举报人", "Reported by";
        reported_at: "举报时间", "Reported at";
        reason: "举报理由", "Their reason";
        resolution_reason: "处理理由（用户看不到，记入审计日志）", "Your reason (audited; users do not see it)";
        resolve_hide: "隐藏内容", "Hide the post";
        resolve_dismiss: "驳回举报", "Dismiss the reports";
        resolved: "举报已处理。", "The reports are resolved.";
        manual_heading: "按编号处理", "By id";
        badges_heading: "徽章", "Badges";
        badges_lead: "官方徽章给 OKPay 员工的社区账号，专家徽章给回答质量高的用户。徽章显示在作者名字旁边；授予和收回都记入审计日志。",
            "The staff badge marks OKPay employees' community accounts; the expert badge marks users whose answers are good. Badges show beside the author's name; granting and revoking are audited.";
        badge_user: "用户编号（usr_…）", "User id (usr_…)";
        badge_label: "徽章", "Badge";
        badge_staff: "官方", "Staff";
        badge_expert: "专家", "Expert";
        grant: "授予", "Grant";
        revoke: "收回", "Revoke";
        badges_none: "还没有人获得徽章。", "Nobody has a badge yet.";
        granted_by: "授予人", "Granted by";
        granted_at: "授予时间", "Granted at";
        badge_saved: "徽章已更新。", "The badge is saved.";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_community_page_key_has_text_in_both_languages() {
        for (zh_cn, en) in [
            (
                CommunityText::for_locale(Locale::ZhCn).entries(),
                CommunityText::for_locale(Locale::En).entries(),
            ),
            (
                ModerationText::for_locale(Locale::ZhCn).entries(),
                ModerationText::for_locale(Locale::En).entries(),
            ),
        ] {
            for ((key, zh), (_, en)) in zh_cn.into_iter().zip(en) {
                assert!(!zh.is_empty() && !en.is_empty(), "{key}");
                assert_ne!(zh, en, "{key} is translated");
            }
        }
    }
}
