//! Service hours: when a contact channel is staffed, per weekday in its own time zone, and
//! whether it is open at a given instant.
//!
//! Written and read as a short text admins can type, e.g.
//! `Asia/Shanghai mon-fri 09:00-21:00; sat,sun 10:00-18:00`, or `always` for a channel that
//! never closes.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;

use crate::identity::UnixSeconds;

/// The weekdays in the order the text form names them.
const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "mon"),
    (Weekday::Tuesday, "tue"),
    (Weekday::Wednesday, "wed"),
    (Weekday::Thursday, "thu"),
    (Weekday::Friday, "fri"),
    (Weekday::Saturday, "sat"),
    (Weekday::Sunday, "sun"),
];

/// The most opening periods one weekday may have; more is a typing mistake.
const PERIODS_PER_DAY_MAX: usize = 4;

/// One opening period of a day, in minutes after local midnight: `start` inclusive, `end`
/// exclusive, `end` at most 24:00. Periods never cross midnight: write two instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub start_minute: u16,
    pub end_minute: u16,
}

/// When a channel is open.
#[derive(Clone, Debug, PartialEq)]
pub enum ServiceHours {
    /// Always open (web sites, the security line).
    Always,
    Weekly {
        /// The IANA name, e.g. `Asia/Shanghai`.
        time_zone_name: String,
        time_zone: TimeZone,
        /// Index 0 is Monday.
        days: [Vec<Period>; 7],
    },
}

/// Why a service-hours text was refused; the message says where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("service hours: {0}")]
pub struct InvalidHours(pub String);

/// Whether a channel is open at an instant, and when that next changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Openness {
    pub open_now: bool,
    /// When it next closes (if open) or opens (if closed); `None` for channels that are always
    /// open or never open in the coming week.
    pub next_change_at: Option<UnixSeconds>,
}

impl ServiceHours {
    /// Reads the text form (see the module's doc).
    pub fn parse(text: &str) -> Result<ServiceHours, InvalidHours> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("always") {
            return Ok(ServiceHours::Always);
        }
        let (zone_name, rules) = text
            .split_once(char::is_whitespace)
            .ok_or_else(|| InvalidHours("expected `<time zone> <days> <hh:mm-hh:mm>`".into()))?;
        let time_zone = TimeZone::get(zone_name)
            .map_err(|_| InvalidHours(format!("unknown time zone {zone_name:?}")))?;
        let mut days: [Vec<Period>; 7] = Default::default();
        for rule in rules
            .split(';')
            .map(str::trim)
            .filter(|rule| !rule.is_empty())
        {
            let (day_list, periods) = rule
                .split_once(char::is_whitespace)
                .ok_or_else(|| InvalidHours(format!("{rule:?} has no hours")))?;
            let weekdays = parse_days(day_list)?;
            for period in periods.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let period = parse_period(period)?;
                for index in &weekdays {
                    let day = &mut days[*index];
                    if day.iter().any(|other| overlaps(*other, period)) {
                        return Err(InvalidHours(format!(
                            "{} has overlapping periods",
                            WEEKDAYS[*index].1
                        )));
                    }
                    if day.len() == PERIODS_PER_DAY_MAX {
                        return Err(InvalidHours(format!(
                            "{} has more than {PERIODS_PER_DAY_MAX} periods",
                            WEEKDAYS[*index].1
                        )));
                    }
                    day.push(period);
                    day.sort_by_key(|p| p.start_minute);
                }
            }
        }
        Ok(ServiceHours::Weekly {
            time_zone_name: zone_name.to_owned(),
            time_zone,
            days,
        })
    }

    /// The IANA time zone, or `None` for [`ServiceHours::Always`].
    pub fn time_zone_name(&self) -> Option<&str> {
        match self {
            ServiceHours::Always => None,
            ServiceHours::Weekly { time_zone_name, .. } => Some(time_zone_name),
        }
    }

    /// The periods of each weekday, Monday first, with the weekday's three-letter name.
    pub fn weekly(&self) -> Vec<(&'static str, Vec<Period>)> {
        match self {
            ServiceHours::Always => Vec::new(),
            ServiceHours::Weekly { days, .. } => WEEKDAYS
                .iter()
                .zip(days.iter())
                .map(|((_, name), periods)| (*name, periods.clone()))
                .collect(),
        }
    }

    /// Whether the channel is open at `at`, and when that next changes (looking a week ahead).
    pub fn openness(&self, at: UnixSeconds) -> Openness {
        let ServiceHours::Weekly {
            time_zone, days, ..
        } = self
        else {
            return Openness {
                open_now: true,
                next_change_at: None,
            };
        };
        let open_now = self.is_open_at(at);
        let Ok(timestamp) = Timestamp::from_second(at) else {
            return Openness {
                open_now,
                next_change_at: None,
            };
        };
        let today = timestamp.to_zoned_datetime(time_zone.clone()).date();
        // Walk the boundaries of the coming eight days in order and take the first one after
        // `at` where the state flips. A period ending at 24:00 that meets one starting at 00:00
        // the next day is no change, and the flip test skips it.
        let mut boundaries = Vec::new();
        for offset in 0..8 {
            let Ok(date) = today.checked_add(jiff::Span::new().days(offset)) else {
                break;
            };
            for period in &days[weekday_index(date.weekday())] {
                boundaries.push((date, period.start_minute));
                boundaries.push((date, period.end_minute));
            }
        }
        let next_change_at = boundaries
            .into_iter()
            .filter_map(|(date, minute)| local_instant(time_zone, date, minute))
            .filter(|second| *second > at)
            .find(|second| self.is_open_at(*second) != open_now);
        Openness {
            open_now,
            next_change_at,
        }
    }

    /// Whether the channel is open at `at`.
    pub fn is_open_at(&self, at: UnixSeconds) -> bool {
        let ServiceHours::Weekly {
            time_zone, days, ..
        } = self
        else {
            return true;
        };
        let Ok(timestamp) = Timestamp::from_second(at) else {
            return false;
        };
        let local = timestamp.to_zoned_datetime(time_zone.clone());
        let minute = local.hour() as u16 * 60 + local.minute() as u16;
        days[weekday_index(local.date().weekday())]
            .iter()
            .any(|p| p.start_minute <= minute && minute < p.end_minute)
    }
}

/// Written back in the text form [`ServiceHours::parse`] reads, days with the same periods
/// grouped into ranges (`mon-fri 09:00-21:00; sat,sun 10:00-18:00`).
impl fmt::Display for ServiceHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ServiceHours::Weekly {
            time_zone_name,
            days,
            ..
        } = self
        else {
            return f.write_str("always");
        };
        f.write_str(time_zone_name)?;
        let mut written = [false; 7];
        let mut first = true;
        for index in 0..7 {
            if written[index] || days[index].is_empty() {
                continue;
            }
            let same: Vec<usize> = (index..7).filter(|i| days[*i] == days[index]).collect();
            for i in &same {
                written[*i] = true;
            }
            f.write_str(if first { " " } else { "; " })?;
            first = false;
            f.write_str(&day_list_text(&same))?;
            for (n, period) in days[index].iter().enumerate() {
                f.write_str(if n == 0 { " " } else { "," })?;
                write!(f, "{}", period)?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start_minute / 60,
            self.start_minute % 60,
            self.end_minute / 60,
            self.end_minute % 60
        )
    }
}

/// `[0,1,2,3,4]` → `mon-fri`; `[5,6]` → `sat-sun`; `[0,2]` → `mon,wed`.
fn day_list_text(indexes: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut run_start = 0;
    while run_start < indexes.len() {
        let mut run_end = run_start;
        while run_end + 1 < indexes.len() && indexes[run_end + 1] == indexes[run_end] + 1 {
            run_end += 1;
        }
        let (first, last) = (WEEKDAYS[indexes[run_start]].1, WEEKDAYS[indexes[run_end]].1);
        parts.push(match run_end - run_start {
            0 => first.to_owned(),
            1 => format!("{first},{last}"),
            _ => format!("{first}-{last}"),
        });
        run_start = run_end + 1;
    }
    parts.join(",")
}

fn weekday_index(weekday: Weekday) -> usize {
    usize::from(weekday.to_monday_zero_offset() as u8)
}

fn day_index(name: &str) -> Result<usize, InvalidHours> {
    WEEKDAYS
        .iter()
        .position(|(_, day)| day.eq_ignore_ascii_case(name))
        .ok_or_else(|| InvalidHours(format!("unknown weekday {name:?}; use mon … sun")))
}

/// `mon-fri`, `sat,sun`, `mon-wed,fri`, `daily`.
fn parse_days(text: &str) -> Result<Vec<usize>, InvalidHours> {
    if text.eq_ignore_ascii_case("daily") {
        return Ok((0..7).collect());
    }
    let mut indexes = Vec::new();
    for part in text.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (day_index(from)?, day_index(to)?);
                if from > to {
                    return Err(InvalidHours(format!("{part:?} runs backwards")));
                }
                indexes.extend(from..=to);
            }
            None => indexes.push(day_index(part)?),
        }
    }
    indexes.sort_unstable();
    indexes.dedup();
    Ok(indexes)
}

/// `09:00-21:00`; the end may be `24:00` and must come after the start.
fn parse_period(text: &str) -> Result<Period, InvalidHours> {
    let (start, end) = text
        .split_once('-')
        .ok_or_else(|| InvalidHours(format!("{text:?} is not hh:mm-hh:mm")))?;
    let (start_minute, end_minute) = (parse_minute(start)?, parse_minute(end)?);
    if end_minute <= start_minute {
        return Err(InvalidHours(format!(
            "{text:?} ends before it starts; split periods that cross midnight"
        )));
    }
    Ok(Period {
        start_minute,
        end_minute,
    })
}

fn parse_minute(text: &str) -> Result<u16, InvalidHours> {
    let invalid = || InvalidHours(format!("{text:?} is not a time hh:mm"));
    let (hour, minute) = text.trim().split_once(':').ok_or_else(invalid)?;
    let (hour, minute): (u16, u16) = (
        hour.parse().map_err(|_| invalid())?,
        minute.parse().map_err(|_| invalid())?,
    );
    if minute >= 60 || hour > 24 || (hour == 24 && minute != 0) {
        return Err(invalid());
    }
    Ok(hour * 60 + minute)
}

fn overlaps(a: Period, b: Period) -> bool {
    a.start_minute < b.end_minute && b.start_minute < a.end_minute
}

/// The instant `minute` after local midnight of `date`; 24:00 is the next midnight. A local
/// time skipped by a daylight-saving jump resolves to the instant after the gap.
fn local_instant(time_zone: &TimeZone, date: Date, minute: u16) -> Option<UnixSeconds> {
    let (date, minute) = if minute >= 24 * 60 {
        (date.tomorrow().ok()?, minute - 24 * 60)
    } else {
        (date, minute)
    };
    let time = Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).ok()?;
    let zoned = date
        .to_datetime(time)
        .to_zoned_datetime(time_zone.clone())
        .ok()?;
    Some(zoned.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-23 (a Monday) at `hh:mm` in Shanghai (UTC+8), as Unix seconds.
    fn shanghai_monday(hour: i64, minute: i64) -> UnixSeconds {
        // 2026-11-23T00:00:00+08:00 is 2026-11-22T16:00:00Z.
        1_795_363_200 + hour * 3_600 + minute * 60
    }

    #[test]
    fn the_shanghai_monday_helper_is_a_monday_midnight() {
        let zoned = Timestamp::from_second(shanghai_monday(0, 0))
            .expect("in range")
            .to_zoned_datetime(TimeZone::get("Asia/Shanghai").expect("bundled"));
        assert_eq!(zoned.weekday(), Weekday::Monday);
        assert_eq!((zoned.hour(), zoned.minute()), (0, 0));
    }

    #[test]
    fn a_weekday_line_is_open_inside_its_hours_and_closed_outside() {
        let hours = ServiceHours::parse("Asia/Shanghai mon-fri 09:00-21:00; sat,sun 10:00-18:00")
            .expect("valid");
        let open = hours.openness(shanghai_monday(9, 0));
        assert!(open.open_now);
        assert_eq!(open.next_change_at, Some(shanghai_monday(21, 0)));
        let closed = hours.openness(shanghai_monday(21, 0));
        assert!(!closed.open_now);
        assert_eq!(closed.next_change_at, Some(shanghai_monday(24 + 9, 0)));
        assert!(!hours.openness(shanghai_monday(8, 59)).open_now);
        // Saturday 2026-11-28 at 10:30.
        assert!(hours.openness(shanghai_monday(5 * 24 + 10, 30)).open_now);
        // Friday 21:00 → opens again Saturday 10:00.
        assert_eq!(
            hours
                .openness(shanghai_monday(4 * 24 + 22, 0))
                .next_change_at,
            Some(shanghai_monday(5 * 24 + 10, 0))
        );
    }

    #[test]
    fn the_same_instant_is_judged_in_the_channels_own_zone() {
        let london = ServiceHours::parse("Europe/London mon-fri 09:00-17:00").expect("valid");
        // 09:30 in Shanghai on Monday is 01:30 in London: closed there.
        assert!(!london.openness(shanghai_monday(9, 30)).open_now);
        // 18:00 in Shanghai is 10:00 in London (GMT in November): open.
        assert!(london.openness(shanghai_monday(18, 0)).open_now);
    }

    #[test]
    fn always_is_open_and_never_changes() {
        let hours = ServiceHours::parse("always").expect("valid");
        assert_eq!(
            hours.openness(0),
            Openness {
                open_now: true,
                next_change_at: None
            }
        );
        assert_eq!(hours.to_string(), "always");
    }

    #[test]
    fn round_the_clock_days_do_not_change_at_midnight() {
        let hours = ServiceHours::parse("Asia/Shanghai daily 00:00-24:00").expect("valid");
        let openness = hours.openness(shanghai_monday(23, 59));
        assert!(openness.open_now);
        assert_eq!(openness.next_change_at, None);
    }

    #[test]
    fn the_text_form_reads_back_the_same() {
        for text in [
            "Asia/Shanghai mon-fri 09:00-21:00; sat,sun 10:00-18:00",
            "Asia/Hong_Kong mon-sun 08:00-12:00,13:00-22:00",
            "Europe/London mon,wed 09:00-17:00",
        ] {
            let hours = ServiceHours::parse(text).expect("valid");
            assert_eq!(hours.to_string(), text);
            assert_eq!(ServiceHours::parse(&hours.to_string()), Ok(hours));
        }
        assert_eq!(
            ServiceHours::parse("Asia/Shanghai daily 09:00-21:00")
                .expect("valid")
                .to_string(),
            "Asia/Shanghai mon-sun 09:00-21:00"
        );
    }

    #[test]
    fn mistakes_are_refused_with_a_reason() {
        for text in [
            "",
            "Mars/Olympus mon 09:00-10:00",
            "Asia/Shanghai funday 09:00-10:00",
            "Asia/Shanghai mon 21:00-09:00",
            "Asia/Shanghai mon 09:00-25:00",
            "Asia/Shanghai mon 09:60-10:00",
            "Asia/Shanghai mon 09:00-12:00,11:00-13:00",
            "Asia/Shanghai fri-mon 09:00-10:00",
            "Asia/Shanghai mon",
        ] {
            assert!(ServiceHours::parse(text).is_err(), "{text:?} was accepted");
        }
    }
}
