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
        score: "票", "votes";
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
