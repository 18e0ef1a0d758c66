//! Per-IP rate limits on the sign-in routes (governor's GCRA): a flood from one address gets 429
//! `rate_limited` with `Retry-After` before it reaches the password hasher.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// How many sign-in requests one IP address may make per minute, in a burst of up to as many.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthRateLimit {
    pub per_minute: u32,
}

impl Default for AuthRateLimit {
    fn default() -> Self {
        AuthRateLimit { per_minute: 60 }
    }
}

/// The shared limiter, one bucket per client IP.
#[derive(Clone)]
pub(crate) struct IpLimiter {
    limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    clock: DefaultClock,
}

impl IpLimiter {
    /// `per_minute == 0` turns limiting off.
    pub(crate) fn new(limit: AuthRateLimit) -> IpLimiter {
        let limiter = NonZeroU32::new(limit.per_minute)
            .map(|per_minute| Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))));
        IpLimiter {
            limiter,
            clock: DefaultClock::default(),
        }
    }

    /// `Err(seconds to wait)` when `ip` is over its limit.
    fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        // Keep the map from growing without bound under many distinct addresses.
        if limiter.len() > 100_000 {
            limiter.retain_recent();
        }
        limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

pub(crate) async fn limit_by_ip(
    State(limiter): State<IpLimiter>,
    request: Request,
    next: Next,
) -> Response {
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(address)| {
            address.ip()
        });
    match limiter.check(ip) {
        Ok(()) => next.run(request).await,
        Err(retry_after_s) => ApiError::rate_limited(retry_after_s.max(1)).into_response(),
    }
}

/// The same limit on form posts only: a sign-in page may be looked at freely, but each form
/// sent from it counts.
pub(crate) async fn limit_posts_by_ip(
    State(limiter): State<IpLimiter>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == axum::http::Method::POST {
        limit_by_ip(State(limiter), request, next).await
    } else {
        next.run(request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_limit_waits_and_others_do_not() {
        let limiter = IpLimiter::new(AuthRateLimit { per_minute: 2 });
        let one = IpAddr::from([203, 0, 113, 1]);
        let two = IpAddr::from([203, 0, 113, 2]);
        assert!(limiter.check(one).is_ok() && limiter.check(one).is_ok());
        let wait = limiter.check(one).expect_err("the third is over the limit");
        assert!((1..=30).contains(&wait), "{wait}");
        assert!(limiter.check(two).is_ok());
        let off = IpLimiter::new(AuthRateLimit { per_minute: 0 });
        assert!((0..100).all(|_| off.check(one).is_ok()));
    }
}
