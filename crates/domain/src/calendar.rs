//! Calendar arithmetic on Unix seconds: civil dates, UTC offsets, day and month starts, RFC 3339.
//!
//! The wallet's rules count days and months (today's limit, last month's records, a card's expiry
//! month, twelve months of inactivity) in the user's local time, but callers own the clock and pass
//! plain Unix seconds. These functions turn one into the other for the proleptic Gregorian
//! calendar without a time-zone database: a user's zone is a fixed offset (China has no daylight
//! saving time; other callers pass the offset in force).

use std::fmt;

use crate::identity::UnixSeconds;

const SECONDS_PER_DAY: i64 = 86_400;
/// Years outside this range are refused by the parsers, so every date arithmetic stays far from
/// overflow.
const YEAR_MIN: i32 = 1970;
const YEAR_MAX: i32 = 9999;

/// A day of the Gregorian calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl CivilDate {
    /// A date, or `None` when the day does not exist (31 April, 29 February 2027).
    pub fn new(year: i32, month: u32, day: u32) -> Option<CivilDate> {
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(CivilDate { year, month, day })
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days_since_epoch(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let month = i64::from(self.month);
        let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5
            + i64::from(self.day)
            - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_days_since_epoch(days: i64) -> CivilDate {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_from_march = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
        let month = if month_from_march < 10 {
            month_from_march + 3
        } else {
            month_from_march - 9
        } as u32;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        CivilDate {
            year: i32::try_from(year).unwrap_or(if year < 0 { i32::MIN } else { i32::MAX }),
            month,
            day,
        }
    }

    /// The first day of this date's month.
    pub fn first_of_month(self) -> CivilDate {
        CivilDate { day: 1, ..self }
    }

    /// The same day `months` later (or earlier), clamped to the end of a shorter month:
    /// 31 January plus one month is 28 or 29 February.
    pub fn add_months(self, months: i32) -> CivilDate {
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1 + i64::from(months);
        let year = index.div_euclid(12);
        let year = i32::try_from(year).unwrap_or(if year < 0 { i32::MIN } else { i32::MAX });
        let month = (index.rem_euclid(12) + 1) as u32;
        let day = self.day.min(days_in_month(year, month));
        CivilDate { year, month, day }
    }

    /// The date `days` later (or earlier).
    pub fn add_days(self, days: i64) -> CivilDate {
        CivilDate::from_days_since_epoch(self.days_since_epoch() + days)
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<CivilDate> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let year = digits(&text[0..4])?;
        let month = digits(&text[5..7])?;
        let day = digits(&text[8..10])?;
        let year = i32::try_from(year).ok()?;
        if !(YEAR_MIN..=YEAR_MAX).contains(&year) {
            return None;
        }
        CivilDate::new(year, month, day)
    }
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Parses a run of ASCII digits (no sign, no spaces).
fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A fixed offset from UTC, such as China Standard Time (+08:00).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UtcOffset {
    seconds: i32,
}

/// Why text or a number is not a UTC offset.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a UTC offset between -18:00 and +18:00")]
pub struct InvalidUtcOffset(pub String);

impl UtcOffset {
    pub const UTC: UtcOffset = UtcOffset { seconds: 0 };
    /// China Standard Time, the default for OKPay's users.
    pub const CHINA: UtcOffset = UtcOffset { seconds: 8 * 3_600 };
    const SECONDS_MAX: i32 = 18 * 3_600;

    pub fn from_seconds(seconds: i32) -> Result<UtcOffset, InvalidUtcOffset> {
        if seconds.abs() <= Self::SECONDS_MAX {
            Ok(UtcOffset { seconds })
        } else {
            Err(InvalidUtcOffset(seconds.to_string()))
        }
    }

    /// Minutes east of UTC, as browsers report the negation of (`getTimezoneOffset`).
    pub fn from_minutes(minutes: i32) -> Result<UtcOffset, InvalidUtcOffset> {
        minutes
            .checked_mul(60)
            .ok_or_else(|| InvalidUtcOffset(minutes.to_string()))
            .and_then(UtcOffset::from_seconds)
    }

    /// Parses `Z`, `+08:00`, `-05:30` or `+0800`.
    pub fn parse(text: &str) -> Result<UtcOffset, InvalidUtcOffset> {
        let invalid = || InvalidUtcOffset(text.to_owned());
        if text == "Z" || text == "z" {
            return Ok(UtcOffset::UTC);
        }
        let (sign, rest) = match text.as_bytes().first() {
            Some(b'+') => (1, &text[1..]),
            Some(b'-') => (-1, &text[1..]),
            _ => return Err(invalid()),
        };
        let (hours, minutes) = match rest.len() {
            5 if rest.as_bytes()[2] == b':' => (&rest[0..2], &rest[3..5]),
            4 => (&rest[0..2], &rest[2..4]),
            _ => return Err(invalid()),
        };
        let hours = digits(hours).ok_or_else(invalid)?;
        let minutes = digits(minutes).ok_or_else(invalid)?;
        if minutes >= 60 {
            return Err(invalid());
        }
        let seconds = (hours * 3_600 + minutes * 60) as i32 * sign;
        UtcOffset::from_seconds(seconds).map_err(|_| invalid())
    }

    pub const fn seconds(self) -> i32 {
        self.seconds
    }

    /// The local date at the instant `at`.
    pub fn date_at(self, at: UnixSeconds) -> CivilDate {
        let local = at.saturating_add(i64::from(self.seconds));
        CivilDate::from_days_since_epoch(local.div_euclid(SECONDS_PER_DAY))
    }

    /// The instant local midnight begins `date`.
    pub fn start_of(self, date: CivilDate) -> UnixSeconds {
        date.days_since_epoch() * SECONDS_PER_DAY - i64::from(self.seconds)
    }

    /// The instant the local day containing `at` began.
    pub fn start_of_day(self, at: UnixSeconds) -> UnixSeconds {
        self.start_of(self.date_at(at))
    }

    /// The instant the local month containing `at` began.
    pub fn start_of_month(self, at: UnixSeconds) -> UnixSeconds {
        self.start_of(self.date_at(at).first_of_month())
    }
}

impl fmt::Display for UtcOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.seconds < 0 { '-' } else { '+' };
        let magnitude = self.seconds.unsigned_abs();
        write!(
            f,
            "{sign}{:02}:{:02}",
            magnitude / 3_600,
            magnitude % 3_600 / 60
        )
    }
}

/// The same UTC wall-clock time `months` calendar months after `at` (before it when negative),
/// the day clamped to the end of a shorter month.
pub fn months_after(at: UnixSeconds, months: i32) -> UnixSeconds {
    let utc = UtcOffset::UTC;
    let time_of_day = at - utc.start_of_day(at);
    utc.start_of(utc.date_at(at).add_months(months)) + time_of_day
}

/// Why text is not an RFC 3339 time.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an RFC 3339 time such as 2027-01-15T08:00:00Z")]
pub struct InvalidTime(pub String);

/// Parses an RFC 3339 time (`2027-01-15T08:00:00Z`, `2027-01-15T16:00:00+08:00`, fractions of a
/// second allowed and dropped) to Unix seconds. Years 1970–9999 only.
pub fn parse_rfc3339(text: &str) -> Result<UnixSeconds, InvalidTime> {
    let invalid = || InvalidTime(text.to_owned());
    if text.len() < 20 || text.len() > 40 || !text.is_ascii() {
        return Err(invalid());
    }
    let date = CivilDate::parse(&text[0..10]).ok_or_else(invalid)?;
    let bytes = text.as_bytes();
    if !matches!(bytes[10], b'T' | b't' | b' ') || bytes[13] != b':' || bytes[16] != b':' {
        return Err(invalid());
    }
    let hour = digits(&text[11..13]).ok_or_else(invalid)?;
    let minute = digits(&text[14..16]).ok_or_else(invalid)?;
    // A leap second (:60) is read as the last second of its minute.
    let second = digits(&text[17..19]).ok_or_else(invalid)?.min(59);
    if hour > 23 || minute > 59 || digits(&text[17..19]).is_some_and(|s| s > 60) {
        return Err(invalid());
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let length = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if length == 0 {
            return Err(invalid());
        }
        rest = &fraction[length..];
    }
    let offset = UtcOffset::parse(rest).map_err(|_| invalid())?;
    let local = date.days_since_epoch() * SECONDS_PER_DAY
        + i64::from(hour) * 3_600
        + i64::from(minute) * 60
        + i64::from(second);
    Ok(local - i64::from(offset.seconds()))
}

/// `at` as RFC 3339 in UTC, `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339_utc(at: UnixSeconds) -> String {
    let mut text = String::with_capacity(20);
    push_rfc3339_utc(&mut text, at);
    text
}

/// Appends [`rfc3339_utc`]'s text to `out` without formatting machinery: the CSV export writes
/// one per row.
pub fn push_rfc3339_utc(out: &mut String, at: UnixSeconds) {
    let date = UtcOffset::UTC.date_at(at);
    let second_of_day = at.rem_euclid(SECONDS_PER_DAY);
    if (0..=9_999).contains(&date.year) {
        let year = date.year as u32;
        push_digits(out, year / 100);
        push_digits(out, year % 100);
    } else {
        out.push_str(&format!("{:04}", date.year));
    }
    out.push('-');
    push_digits(out, date.month);
    out.push('-');
    push_digits(out, date.day);
    out.push('T');
    push_digits(out, (second_of_day / 3_600) as u32);
    out.push(':');
    push_digits(out, (second_of_day % 3_600 / 60) as u32);
    out.push(':');
    push_digits(out, (second_of_day % 60) as u32);
    out.push('Z');
}

/// Two decimal digits of `value` (below 100).
fn push_digits(out: &mut String, value: u32) {
    out.push(char::from(b'0' + (value / 10 % 10) as u8));
    out.push(char::from(b'0' + (value % 10) as u8));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// 2027-01-15T08:00:00Z.
    const AT: UnixSeconds = 1_800_000_000;

    #[test]
    fn known_dates_have_known_day_numbers() {
        let cases = [
            (CivilDate::new(1970, 1, 1), 0),
            (CivilDate::new(2000, 2, 29), 11_016),
            (CivilDate::new(2027, 1, 15), 20_833),
        ];
        for (date, days) in cases {
            let date = date.expect("a real date");
            assert_eq!(date.days_since_epoch(), days, "{date}");
            assert_eq!(CivilDate::from_days_since_epoch(days), date);
        }
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert_eq!(CivilDate::new(2027, 2, 29), None);
        assert!(CivilDate::new(2028, 2, 29).is_some());
        assert_eq!(CivilDate::new(2100, 2, 29), None);
        assert_eq!(CivilDate::new(2027, 4, 31), None);
        assert_eq!(CivilDate::new(2027, 13, 1), None);
        assert_eq!(CivilDate::new(2027, 0, 1), None);
        assert_eq!(CivilDate::parse("2027-02-30"), None);
        assert_eq!(CivilDate::parse("2027-2-3"), None);
        assert_eq!(CivilDate::parse("+027-02-03"), None);
    }

    #[test]
    fn adding_months_clamps_to_the_end_of_a_short_month() {
        let january_31 = CivilDate::new(2027, 1, 31).expect("real");
        assert_eq!(
            january_31.add_months(1),
            CivilDate {
                year: 2027,
                month: 2,
                day: 28
            }
        );
        assert_eq!(
            january_31.add_months(13),
            CivilDate {
                year: 2028,
                month: 2,
                day: 29
            }
        );
        assert_eq!(
            january_31.add_months(-1),
            CivilDate {
                year: 2026,
                month: 12,
                day: 31
            }
        );
        assert_eq!(
            january_31.add_months(12),
            CivilDate {
                year: 2028,
                month: 1,
                day: 31
            }
        );
    }

    #[test]
    fn the_local_day_and_month_start_where_the_offset_says() {
        // 08:00 UTC on 15 January is 16:00 in Beijing, same day; day began at 16:00 UTC on the 14th.
        assert_eq!(UtcOffset::CHINA.date_at(AT).to_string(), "2027-01-15");
        assert_eq!(
            rfc3339_utc(UtcOffset::CHINA.start_of_day(AT)),
            "2027-01-14T16:00:00Z"
        );
        assert_eq!(
            rfc3339_utc(UtcOffset::CHINA.start_of_month(AT)),
            "2026-12-31T16:00:00Z"
        );
        assert_eq!(
            rfc3339_utc(UtcOffset::UTC.start_of_day(AT)),
            "2027-01-15T00:00:00Z"
        );
        // 20:00 UTC on the 15th is already the 16th in Beijing.
        assert_eq!(
            UtcOffset::CHINA.date_at(AT + 12 * 3_600).to_string(),
            "2027-01-16"
        );
        let new_york = UtcOffset::parse("-05:00").expect("valid");
        assert_eq!(new_york.date_at(AT - 9 * 3_600).to_string(), "2027-01-14");
    }

    #[test]
    fn offsets_parse_in_both_spellings_and_refuse_nonsense() {
        assert_eq!(UtcOffset::parse("+08:00"), Ok(UtcOffset::CHINA));
        assert_eq!(UtcOffset::parse("+0800"), Ok(UtcOffset::CHINA));
        assert_eq!(UtcOffset::parse("Z"), Ok(UtcOffset::UTC));
        assert_eq!(
            UtcOffset::parse("-05:30").map(UtcOffset::seconds),
            Ok(-19_800)
        );
        assert_eq!(UtcOffset::CHINA.to_string(), "+08:00");
        assert_eq!(
            UtcOffset::from_minutes(-330).map(|o| o.to_string()),
            Ok("-05:30".to_owned())
        );
        for junk in ["", "08:00", "+8:00", "+19:00", "+08:60", "+08-00", "UTC"] {
            assert!(UtcOffset::parse(junk).is_err(), "{junk}");
        }
        assert!(UtcOffset::from_minutes(i32::MAX).is_err());
    }

    #[test]
    fn rfc3339_times_parse_with_offsets_and_fractions() {
        let cases = [
            ("2027-01-15T08:00:00Z", AT),
            ("2027-01-15T16:00:00+08:00", AT),
            ("2027-01-15t08:00:00.123456z", AT),
            ("2027-01-15T03:00:00-05:00", AT),
            ("1970-01-01T00:00:00Z", 0),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_rfc3339(text), Ok(expected), "{text}");
        }
        for junk in [
            "2027-01-15",
            "2027-01-15T08:00:00",
            "2027-01-15T24:00:00Z",
            "2027-01-15T08:00:00.Z",
            "2027-02-30T08:00:00Z",
            "1969-12-31T23:59:59Z",
            "2027-01-15T08:00:00+8",
            "２027-01-15T08:00:00Z",
        ] {
            assert!(parse_rfc3339(junk).is_err(), "{junk}");
        }
    }

    #[test]
    fn months_after_keeps_the_time_of_day_and_clamps_the_day() {
        let january_31 = parse_rfc3339("2027-01-31T10:30:00Z").expect("valid");
        assert_eq!(
            rfc3339_utc(months_after(january_31, 1)),
            "2027-02-28T10:30:00Z"
        );
        assert_eq!(
            rfc3339_utc(months_after(january_31, 12)),
            "2028-01-31T10:30:00Z"
        );
        assert_eq!(
            rfc3339_utc(months_after(january_31, -2)),
            "2026-11-30T10:30:00Z"
        );
    }

    proptest! {
        #[test]
        fn every_day_number_round_trips_through_its_date(days in -1_000_000_i64..3_000_000) {
            let date = CivilDate::from_days_since_epoch(days);
            prop_assert_eq!(date.days_since_epoch(), days);
            prop_assert!(CivilDate::new(date.year, date.month, date.day).is_some());
        }

        #[test]
        fn every_instant_formats_and_parses_back(at in 0_i64..253_402_300_799) {
            prop_assert_eq!(parse_rfc3339(&rfc3339_utc(at)), Ok(at));
        }

        #[test]
        fn a_day_starts_at_or_before_the_instant_and_less_than_a_day_earlier(
            at in 0_i64..4_000_000_000,
            offset_minutes in -1_080_i32..=1_080,
        ) {
            let offset = UtcOffset::from_minutes(offset_minutes).expect("in range");
            let start = offset.start_of_day(at);
            prop_assert!(start <= at && at - start < SECONDS_PER_DAY);
            prop_assert_eq!(offset.date_at(start), offset.date_at(at));
            prop_assert!(offset.start_of_month(at) <= start);
        }
    }
}
