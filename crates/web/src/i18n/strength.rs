//! The sign-up page's password-strength feedback in zh-CN and en, for zxcvbn's warning and
//! suggestion codes.

use domain::identity::{StrengthSuggestion, StrengthWarning};

use super::Locale;

/// What makes the password weak, in words. No catch-all, so a new warning must be translated.
pub fn strength_warning_text(warning: StrengthWarning, locale: Locale) -> &'static str {
    use StrengthWarning as W;
    let (zh_cn, en) = match warning {
        W::StraightRowOfKeys => (
            "键盘上连成一排的按键很容易被猜到。",
            "A straight row of keys is easy to guess.",
        ),
        W::ShortKeyboardPattern => (
            "简短的键盘图案很容易被猜到。",
            "Short keyboard patterns are easy to guess.",
        ),
        W::RepeatedCharacter => (
            "像 “aaa” 这样重复的字符很容易被猜到。",
            "Repeated characters like \"aaa\" are easy to guess.",
        ),
        W::RepeatedPattern => (
            "像 “abcabcabc” 这样的重复只比 “abc” 难猜一点点。",
            "Repeats like \"abcabcabc\" are only slightly harder to guess than \"abc\".",
        ),
        W::TopTenPassword => (
            "这是最常用的十个密码之一。",
            "This is a top-10 common password.",
        ),
        W::TopHundredPassword => (
            "这是最常用的一百个密码之一。",
            "This is a top-100 common password.",
        ),
        W::CommonPassword => (
            "这是一个非常常用的密码。",
            "This is a very common password.",
        ),
        W::SimilarToCommonPassword => (
            "这个密码和常用密码很相似。",
            "This is similar to a commonly used password.",
        ),
        W::Sequence => (
            "像 “abc” 或 “6543” 这样的顺序很容易被猜到。",
            "Sequences like \"abc\" or \"6543\" are easy to guess.",
        ),
        W::RecentYear => (
            "最近的年份很容易被猜到。",
            "Recent years are easy to guess.",
        ),
        W::SingleWord => (
            "单独一个词很容易被猜到。",
            "A word by itself is easy to guess.",
        ),
        W::Date => ("日期通常很容易被猜到。", "Dates are often easy to guess."),
        W::NameByItself => (
            "单独的名字或姓氏很容易被猜到。",
            "Names and surnames by themselves are easy to guess.",
        ),
        W::CommonName => (
            "常见的名字和姓氏很容易被猜到。",
            "Common names and surnames are easy to guess.",
        ),
    };
    locale.pick(zh_cn, en)
}

/// How to make the password stronger, in words.
pub fn strength_suggestion_text(suggestion: StrengthSuggestion, locale: Locale) -> &'static str {
    use StrengthSuggestion as S;
    let (zh_cn, en) = match suggestion {
        S::UseAFewWords => (
            "用几个词组成，避免常见的短语。",
            "Use a few words; avoid common phrases.",
        ),
        S::NoNeedForSymbols => (
            "不需要符号、数字或大写字母。",
            "No need for symbols, digits or capital letters.",
        ),
        S::AddAnotherWord => (
            "再加一两个词，越不常见越好。",
            "Add another word or two; uncommon words are better.",
        ),
        S::CapitalizationDoesNotHelp => (
            "只把首字母大写帮助不大。",
            "Capitalizing the first letter doesn't help much.",
        ),
        S::AllUppercaseDoesNotHelp => (
            "全部大写和全部小写差不多一样好猜。",
            "All-uppercase is almost as easy to guess as all-lowercase.",
        ),
        S::ReversedWordsDoNotHelp => (
            "把单词倒过来写并不会更难猜。",
            "Reversed words aren't much harder to guess.",
        ),
        S::PredictableSubstitutionsDoNotHelp => (
            "像用 “@” 代替 “a” 这样可以预料的替换帮助不大。",
            "Predictable substitutions like \"@\" for \"a\" don't help much.",
        ),
        S::LongerKeyboardPattern => (
            "使用更长、转折更多的键盘图案。",
            "Use a longer keyboard pattern with more turns.",
        ),
        S::AvoidRepetition => (
            "避免重复的词和字符。",
            "Avoid repeated words and characters.",
        ),
        S::AvoidSequences => ("避免使用顺序。", "Avoid sequences."),
        S::AvoidRecentYears => ("避免使用最近的年份。", "Avoid recent years."),
        S::AvoidPersonalYears => (
            "避免使用和您有关的年份。",
            "Avoid years that are associated with you.",
        ),
        S::AvoidPersonalDates => (
            "避免使用和您有关的日期和年份。",
            "Avoid dates and years that are associated with you.",
        ),
    };
    locale.pick(zh_cn, en)
}
