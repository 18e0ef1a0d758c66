//! The password policy of NIST SP 800-63B: long enough, not common, not about the user, no composition rules.

use zxcvbn::Entropy;
use zxcvbn::feedback::{Suggestion, Warning};
use zxcvbn::matching::patterns::MatchPattern;

use crate::identity::address::Login;

/// How many digits or symbols around a predictable pattern still leave it predictable: attackers'
/// rule sets try every year, `1314` or `!` after every listed word first.
const DECORATION_CHARS_MAX: usize = 4;
/// Shorter pieces of an address are too likely to turn up in an unrelated password.
const PERSONAL_FRAGMENT_CHARS_MIN: usize = 4;
/// The tail of a phone number a person is likely to reuse; long enough to be theirs alone.
const PHONE_TAIL_DIGITS: usize = 8;

/// Lengths are counted in characters, so `我的钱包` is four, as a person would count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub length_min: usize,
    /// NIST asks verifiers to accept at least 64; the cap only keeps hashing cheap.
    pub length_max: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            length_min: 8,
            length_max: 128,
        }
    }
}

/// Why a new password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRefusal {
    #[error("the password needs at least {length_min} characters")]
    TooShort { length_min: usize },
    #[error("the password may have at most {length_max} characters")]
    TooLong { length_max: usize },
    #[error("the password is common or easy to guess")]
    TooCommon,
    #[error("the password contains your e-mail address or phone number")]
    ContainsPersonalInfo,
}

impl PasswordRefusal {
    /// A stable reason code the web layer localizes.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooShort { .. } => "password_too_short",
            Self::TooLong { .. } => "password_too_long",
            Self::TooCommon => "password_too_common",
            Self::ContainsPersonalInfo => "password_contains_personal_info",
        }
    }
}

impl PasswordPolicy {
    /// Decides whether `password` may be set for a person known by `personal` (their e-mail
    /// address and/or phone number). Cheap checks run first so an oversized password never
    /// reaches the strength estimator.
    pub fn check(&self, password: &str, personal: &[Login]) -> Result<(), PasswordRefusal> {
        let length = password.chars().count();
        if length < self.length_min {
            return Err(PasswordRefusal::TooShort {
                length_min: self.length_min,
            });
        }
        if length > self.length_max {
            return Err(PasswordRefusal::TooLong {
                length_max: self.length_max,
            });
        }
        if contains_personal_info(password, personal) {
            return Err(PasswordRefusal::ContainsPersonalInfo);
        }
        let inputs = zxcvbn_user_inputs(personal);
        let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        if is_too_common(password, &zxcvbn::zxcvbn(password, &inputs)) {
            return Err(PasswordRefusal::TooCommon);
        }
        Ok(())
    }
}

/// zxcvbn scores 0 for anything guessable in about a thousand tries. Above that, its best
/// decomposition of the password decides: when one predictable pattern covers all but a few digits
/// or symbols, the password is a listed one in disguise, whatever the score says. Patterns are a
/// dictionary match (any of its lists, the 30,000 most common passwords included, also
/// l33t-spelled or reversed), a repeat, a sequence, a keyboard walk or a date.
fn is_too_common(password: &str, analysis: &Entropy) -> bool {
    if analysis.score() == zxcvbn::Score::Zero {
        return true;
    }
    let Some(pattern) = analysis
        .sequence()
        .iter()
        .filter(|m| !matches!(m.pattern, MatchPattern::BruteForce))
        .max_by_key(|m| m.j - m.i)
    else {
        return false;
    };
    let mut decoration_chars = 0;
    for (index, c) in password.chars().enumerate() {
        if pattern.range_inclusive().contains(&index) {
            continue;
        }
        if c.is_alphabetic() {
            return false;
        }
        decoration_chars += 1;
    }
    decoration_chars <= DECORATION_CHARS_MAX
}

/// Separators and case are ignored, so `138-0013-8000` and `Li.Wei` are still found.
fn contains_personal_info(password: &str, personal: &[Login]) -> bool {
    let lowered = password.to_lowercase();
    let digits: String = password.chars().filter(char::is_ascii_digit).collect();
    personal.iter().any(|login| match login {
        Login::Email(email) => {
            let name = mailbox_name(email.local_part());
            name.chars().count() >= PERSONAL_FRAGMENT_CHARS_MIN && lowered.contains(name)
        }
        Login::Phone(phone) => digits.contains(phone_tail(phone.digits())),
    })
}

/// The local part without a `+tag`, which people add for filtering, not as part of their name.
fn mailbox_name(local_part: &str) -> &str {
    local_part.split('+').next().unwrap_or(local_part)
}

fn phone_tail(digits: &str) -> &str {
    &digits[digits.len().saturating_sub(PHONE_TAIL_DIGITS)..]
}

/// zxcvbn also discounts passwords built from pieces of these, which the substring check misses
/// (`wei.li` for `li.wei@…`, a phone number spelled backwards).
fn zxcvbn_user_inputs(personal: &[Login]) -> Vec<String> {
    let mut inputs = Vec::new();
    for login in personal {
        match login {
            Login::Email(email) => {
                inputs.push(email.as_str().to_owned());
                inputs.push(email.local_part().to_owned());
                inputs.extend(
                    email
                        .local_part()
                        .split(|c: char| !c.is_alphanumeric())
                        .filter(|piece| piece.chars().count() >= PERSONAL_FRAGMENT_CHARS_MIN)
                        .map(str::to_owned),
                );
            }
            Login::Phone(phone) => {
                inputs.push(phone.digits().to_owned());
                inputs.push(phone_tail(phone.digits()).to_owned());
            }
        }
    }
    inputs
}

/// A strength hint for the sign-up page, in codes the web layer localizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strength {
    /// zxcvbn's score: 0 (guessable in 10³ tries) to 4 (more than 10¹⁰).
    pub score: u8,
    pub warning: Option<StrengthWarning>,
    pub suggestions: Vec<StrengthSuggestion>,
}

/// Estimates how hard `password` is to guess for a person known by `personal`.
pub fn strength(password: &str, personal: &[Login]) -> Strength {
    let inputs = zxcvbn_user_inputs(personal);
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let analysis = zxcvbn::zxcvbn(password, &inputs);
    let feedback = analysis.feedback();
    Strength {
        score: u8::from(analysis.score()),
        warning: feedback
            .and_then(|f| f.warning())
            .map(StrengthWarning::from),
        suggestions: feedback
            .map(|f| {
                f.suggestions()
                    .iter()
                    .copied()
                    .map(StrengthSuggestion::from)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// What makes a password weak; our own enum so a zxcvbn upgrade cannot change the codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrengthWarning {
    StraightRowOfKeys,
    ShortKeyboardPattern,
    RepeatedCharacter,
    RepeatedPattern,
    TopTenPassword,
    TopHundredPassword,
    CommonPassword,
    SimilarToCommonPassword,
    Sequence,
    RecentYear,
    SingleWord,
    Date,
    NameByItself,
    CommonName,
}

impl StrengthWarning {
    /// A stable code the web layer localizes.
    pub fn code(&self) -> &'static str {
        match self {
            Self::StraightRowOfKeys => "straight_row_of_keys",
            Self::ShortKeyboardPattern => "short_keyboard_pattern",
            Self::RepeatedCharacter => "repeated_character",
            Self::RepeatedPattern => "repeated_pattern",
            Self::TopTenPassword => "top_10_password",
            Self::TopHundredPassword => "top_100_password",
            Self::CommonPassword => "common_password",
            Self::SimilarToCommonPassword => "similar_to_common_password",
            Self::Sequence => "sequence",
            Self::RecentYear => "recent_year",
            Self::SingleWord => "single_word",
            Self::Date => "date",
            Self::NameByItself => "name_by_itself",
            Self::CommonName => "common_name",
        }
    }
}

impl From<Warning> for StrengthWarning {
    fn from(warning: Warning) -> Self {
        match warning {
            Warning::StraightRowsOfKeysAreEasyToGuess => Self::StraightRowOfKeys,
            Warning::ShortKeyboardPatternsAreEasyToGuess => Self::ShortKeyboardPattern,
            Warning::RepeatsLikeAaaAreEasyToGuess => Self::RepeatedCharacter,
            Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => Self::RepeatedPattern,
            Warning::ThisIsATop10Password => Self::TopTenPassword,
            Warning::ThisIsATop100Password => Self::TopHundredPassword,
            Warning::ThisIsACommonPassword => Self::CommonPassword,
            Warning::ThisIsSimilarToACommonlyUsedPassword => Self::SimilarToCommonPassword,
            Warning::SequencesLikeAbcAreEasyToGuess => Self::Sequence,
            Warning::RecentYearsAreEasyToGuess => Self::RecentYear,
            Warning::AWordByItselfIsEasyToGuess => Self::SingleWord,
            Warning::DatesAreOftenEasyToGuess => Self::Date,
            Warning::NamesAndSurnamesByThemselvesAreEasyToGuess => Self::NameByItself,
            Warning::CommonNamesAndSurnamesAreEasyToGuess => Self::CommonName,
        }
    }
}

/// How to choose a stronger password; our own enum so a zxcvbn upgrade cannot change the codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrengthSuggestion {
    UseAFewWords,
    NoNeedForSymbols,
    AddAnotherWord,
    CapitalizationDoesNotHelp,
    AllUppercaseDoesNotHelp,
    ReversedWordsDoNotHelp,
    PredictableSubstitutionsDoNotHelp,
    LongerKeyboardPattern,
    AvoidRepetition,
    AvoidSequences,
    AvoidRecentYears,
    AvoidPersonalYears,
    AvoidPersonalDates,
}

impl StrengthSuggestion {
    /// A stable code the web layer localizes.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UseAFewWords => "use_a_few_words",
            Self::NoNeedForSymbols => "no_need_for_symbols",
            Self::AddAnotherWord => "add_another_word",
            Self::CapitalizationDoesNotHelp => "capitalization_does_not_help",
            Self::AllUppercaseDoesNotHelp => "all_uppercase_does_not_help",
            Self::ReversedWordsDoNotHelp => "reversed_words_do_not_help",
            Self::PredictableSubstitutionsDoNotHelp => "predictable_substitutions_do_not_help",
            Self::LongerKeyboardPattern => "longer_keyboard_pattern",
            Self::AvoidRepetition => "avoid_repetition",
            Self::AvoidSequences => "avoid_sequences",
            Self::AvoidRecentYears => "avoid_recent_years",
            Self::AvoidPersonalYears => "avoid_personal_years",
            Self::AvoidPersonalDates => "avoid_personal_dates",
        }
    }
}

impl From<Suggestion> for StrengthSuggestion {
    fn from(suggestion: Suggestion) -> Self {
        match suggestion {
            Suggestion::UseAFewWordsAvoidCommonPhrases => Self::UseAFewWords,
            Suggestion::NoNeedForSymbolsDigitsOrUppercaseLetters => Self::NoNeedForSymbols,
            Suggestion::AddAnotherWordOrTwo => Self::AddAnotherWord,
            Suggestion::CapitalizationDoesntHelpVeryMuch => Self::CapitalizationDoesNotHelp,
            Suggestion::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase => {
                Self::AllUppercaseDoesNotHelp
            }
            Suggestion::ReversedWordsArentMuchHarderToGuess => Self::ReversedWordsDoNotHelp,
            Suggestion::PredictableSubstitutionsDontHelpVeryMuch => {
                Self::PredictableSubstitutionsDoNotHelp
            }
            Suggestion::UseALongerKeyboardPatternWithMoreTurns => Self::LongerKeyboardPattern,
            Suggestion::AvoidRepeatedWordsAndCharacters => Self::AvoidRepetition,
            Suggestion::AvoidSequences => Self::AvoidSequences,
            Suggestion::AvoidRecentYears => Self::AvoidRecentYears,
            Suggestion::AvoidYearsThatAreAssociatedWithYou => Self::AvoidPersonalYears,
            Suggestion::AvoidDatesAndYearsThatAreAssociatedWithYou => Self::AvoidPersonalDates,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(password: &str) -> Result<(), PasswordRefusal> {
        PasswordPolicy::default().check(password, &[])
    }

    #[test]
    fn well_known_common_passwords_are_refused() {
        let common = [
            "password",
            "123456789",
            "qwerty123",
            "iloveyou",
            "1qaz2wsx",
            "woaini1314",
            "woaini520",
            "aaaaaaaa",
            "11111111",
            "88888888",
            "Password1",
            "p4ssw0rd",
            "drowssap",
            "passwordpassword",
            "iloveyou!",
            "monkey1234",
            "abcdefgh",
            "abcdefgh!",
            "1qaz2wsx3edc",
            "20261123",
            "mx7-mx7-mx7-mx7-mx7-",
            "qq123456",
            "a123456789",
            "international",
        ];
        for password in common {
            assert_eq!(
                check(password),
                Err(PasswordRefusal::TooCommon),
                "{password}"
            );
        }
    }

    /// zxcvbn keeps its list private (30,000 entries in 3.1); these sit at ranks 12,056 to 25,791
    /// and zxcvbn scores them 1, so only the list itself can refuse them.
    #[test]
    fn passwords_deep_in_the_list_of_thirty_thousand_are_refused() {
        for password in [
            "sayangku",
            "scoubidou6",
            "172839456",
            "bodiroga",
            "qwertgfdsa",
        ] {
            assert_eq!(
                check(password),
                Err(PasswordRefusal::TooCommon),
                "{password}"
            );
        }
    }

    #[test]
    fn good_passphrases_are_accepted() {
        let good = [
            "correct horse battery staple",
            "我的钱包很安全2026",
            "plum-orbit-canyon-17",
            "Tr0ub4dor&3",
            "seven lanterns over quiet harbour water at dusk, counting boats",
        ];
        for password in good {
            assert_eq!(check(password), Ok(()), "{password}");
        }
    }

    #[test]
    fn length_is_counted_in_characters_from_8_to_128() {
        assert_eq!(
            check("短密码七个字"),
            Err(PasswordRefusal::TooShort { length_min: 8 })
        );
        assert_eq!(
            check("1234567"),
            Err(PasswordRefusal::TooShort { length_min: 8 })
        );
        assert_eq!(check("钱包里有苹果和香蕉"), Ok(()));
        let sixty_four = "seven lanterns over the quiet harbour, counting boats at dusk 42";
        assert_eq!(sixty_four.chars().count(), 64);
        assert_eq!(check(sixty_four), Ok(()));
        let too_long = "q".repeat(129);
        assert_eq!(
            check(&too_long),
            Err(PasswordRefusal::TooLong { length_max: 128 })
        );
    }

    #[test]
    fn passwords_containing_the_users_address_or_phone_are_refused() {
        let email = Login::parse("Li.Wei+pay@example.com").unwrap();
        let phone = Login::parse("+86 138 0013 8000").unwrap();
        let personal = [email, phone];
        let policy = PasswordPolicy::default();
        for password in [
            "LI.WEI-orbit-canyon",
            "quiet 13800138000 river",
            "138-0013-8000 plum orbit",
        ] {
            assert_eq!(
                policy.check(password, &personal),
                Err(PasswordRefusal::ContainsPersonalInfo),
                "{password}"
            );
        }
        assert_eq!(policy.check("plum-orbit-canyon-17", &personal), Ok(()));
    }

    #[test]
    fn strength_scores_and_explains_in_stable_codes() {
        let weak = strength("password", &[]);
        assert_eq!(weak.score, 0);
        assert_eq!(weak.warning, Some(StrengthWarning::TopTenPassword));
        assert_eq!(weak.warning.unwrap().code(), "top_10_password");
        assert_eq!(weak.suggestions, [StrengthSuggestion::AddAnotherWord]);

        let strong = strength("correct horse battery staple", &[]);
        assert_eq!(strong.score, 4);
        assert_eq!(strong.warning, None);
        assert!(strong.suggestions.is_empty());
    }

    #[test]
    fn refusals_carry_stable_codes() {
        assert_eq!(
            PasswordRefusal::TooShort { length_min: 8 }.code(),
            "password_too_short"
        );
        assert_eq!(PasswordRefusal::TooCommon.code(), "password_too_common");
    }
}
