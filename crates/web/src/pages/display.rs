//! How pages show money and times to people: grouped digits, and instants read at a glance.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use domain::calendar::{UtcOffset, parse_rfc3339};
use ledger::{Amount, Currency};

use crate::AppState;
use crate::i18n::{Locale, zone_suffix};

/// `12,345.50 CNY`: the decimal in the currency's unit with its thousands grouped, then the code.
pub(crate) fn money_text(amount: Amount, currency: Currency) -> String {
    format!(
        "{} {}",
        group_thousands(&amount.to_decimal_string(currency)),
        currency.code()
    )
}

/// `-1234567.50` as `-1,234,567.50`: commas between each three digits of the whole part.
pub(crate) fn group_thousands(decimal: &str) -> String {
    let (sign, digits) = match decimal.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", decimal),
    };
    let (whole, fraction) = match digits.find('.') {
        Some(dot) => digits.split_at(dot),
        None => (digits, ""),
    };
    let mut grouped = String::with_capacity(decimal.len() + whole.len() / 3);
    grouped.push_str(sign);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped.push_str(fraction);
    grouped
}

tokio::task_local! {
    /// The zone and language page times are shown in while a request is served, set by
    /// [`with_page_clock`] around every route. A task-local rather than a parameter so the
    /// templates' `readable` filter and every handler show the same zone without threading it
    /// through each page's data.
    static PAGE_CLOCK: PageClock;
}

/// How one request reads instants: in the configured offset, with the zone named in its language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PageClock {
    pub offset: UtcOffset,
    pub locale: Locale,
}

impl PageClock {
    /// Outside a request (unit tests, background work) times read in UTC, which is never wrong,
    /// only less convenient.
    const OUTSIDE_A_REQUEST: PageClock = PageClock {
        offset: UtcOffset::UTC,
        locale: Locale::En,
    };

    /// `2026-11-24 00:05 (UTC+8)`, or `2026-11-24 00:05（北京时间）` in Chinese.
    pub(crate) fn readable(self, at: i64) -> String {
        let local = at.saturating_add(i64::from(self.offset.seconds()));
        let minute_of_day = local.rem_euclid(86_400) / 60;
        format!(
            "{} {:02}:{:02}{}",
            self.offset.date_at(at),
            minute_of_day / 60,
            minute_of_day % 60,
            zone_suffix(self.locale, self.offset)
        )
    }
}

/// Runs the rest of the request with its [`PageClock`]: the offset the wallet's days are counted
/// in (from the app's configuration) and the language the locale middleware chose.
pub(crate) async fn with_page_clock(
    State(state): State<AppState>,
    locale: Locale,
    request: Request,
    next: Next,
) -> Response {
    let clock = PageClock {
        offset: state.page_offset,
        locale,
    };
    PAGE_CLOCK.scope(clock, next.run(request)).await
}

/// An RFC 3339 instant (`2026-11-23T16:05:09Z`) as a person reads it, in the request's zone:
/// `2026-11-24 00:05 (UTC+8)`. Anything else is shown as it came.
pub(crate) fn readable_time(rfc3339: &str) -> String {
    match parse_rfc3339(rfc3339) {
        Ok(at) => readable_instant(at),
        Err(_) => rfc3339.to_owned(),
    }
}

/// Unix seconds as a person reads them, in the request's zone: `2026-11-24 00:05 (UTC+8)`.
pub(crate) fn readable_instant(at: i64) -> String {
    PAGE_CLOCK
        .try_with(|clock| *clock)
        .unwrap_or(PageClock::OUTSIDE_A_REQUEST)
        .readable(at)
}

/// Template filters: `{{ at|readable }}` beside a `<time datetime="{{ at }}">` that keeps the
/// machine-readable instant.
pub(crate) mod filters {
    #[askama::filter_fn]
    pub fn readable(
        value: impl std::fmt::Display,
        _: &dyn askama::Values,
    ) -> askama::Result<String> {
        Ok(super::readable_time(&value.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_parts_are_grouped_by_thousands_and_fractions_are_left_alone() {
        assert_eq!(group_thousands("0.50"), "0.50");
        assert_eq!(group_thousands("999.99"), "999.99");
        assert_eq!(group_thousands("1000.00"), "1,000.00");
        assert_eq!(group_thousands("11404.10"), "11,404.10");
        assert_eq!(group_thousands("-1234567.5"), "-1,234,567.5");
        assert_eq!(group_thousands("123456"), "123,456");
        assert_eq!(group_thousands("-100"), "-100");
    }

    #[test]
    fn money_reads_with_grouping_and_the_currency_code() {
        assert_eq!(
            money_text(Amount::from_minor(1_140_410), Currency::Cny),
            "11,404.10 CNY"
        );
        assert_eq!(
            money_text(Amount::from_minor(1_500_000), Currency::Jpy),
            "1,500,000 JPY"
        );
    }

    #[test]
    fn instants_read_to_the_minute_in_the_configured_offset_with_the_zone_named() {
        let china = |locale| PageClock {
            offset: UtcOffset::CHINA,
            locale,
        };
        // 16:05 UTC is already the next day in Beijing.
        assert_eq!(
            china(Locale::En).readable(1_795_449_909),
            "2026-11-24 00:05 (UTC+8)"
        );
        assert_eq!(
            china(Locale::ZhCn).readable(1_795_449_909),
            "2026-11-24 00:05（北京时间）"
        );
        let india = PageClock {
            offset: UtcOffset::parse("+05:30").expect("an offset"),
            locale: Locale::ZhCn,
        };
        assert_eq!(
            india.readable(1_795_449_909),
            "2026-11-23 21:35（UTC+5:30）"
        );
        let west = PageClock {
            offset: UtcOffset::parse("-05:00").expect("an offset"),
            locale: Locale::En,
        };
        assert_eq!(west.readable(1_795_449_909), "2026-11-23 11:05 (UTC-5)");
    }

    #[test]
    fn outside_a_request_times_read_in_utc_and_other_text_is_kept() {
        assert_eq!(
            readable_time("2026-11-23T16:05:09Z"),
            "2026-11-23 16:05 (UTC)"
        );
        assert_eq!(readable_time("2026-11-23"), "2026-11-23");
    }
}
