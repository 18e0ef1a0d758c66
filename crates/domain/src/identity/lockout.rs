//! When wrong passwords lock sign-in, for how long, and whether the sign-in gate is open now.

use crate::identity::UnixSeconds;

/// How far back earlier locks make the next one longer: a day, so a patient attacker keeps
/// meeting the longest lock while an owner who mistyped once last week starts afresh.
const LOCK_MEMORY_S: i64 = 86_400;

/// The lockout rules; the defaults are the product's (5 wrong passwords in 15 minutes), and an
/// operator may configure others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Wrong passwords within `window_s` that lock sign-in.
    pub failures_allowed: u32,
    pub window_s: i64,
    /// The first lock's length; each earlier lock within a day doubles it.
    pub first_lock_s: i64,
    pub lock_max_s: i64,
    /// Sign-in attempts per account and hour, right or wrong, beyond which the caller throttles:
    /// this bounds slow guessing that stays under the lockout.
    pub attempts_per_hour_max: u32,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            failures_allowed: 5,
            window_s: 900,
            first_lock_s: 900,
            lock_max_s: 86_400,
            attempts_per_hour_max: 100,
        }
    }
}

/// Why sign-in is locked; the login page, the e-mail and the notice all explain it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockReason {
    TooManyFailures { failures: u32, window_s: i64 },
}

impl LockReason {
    /// A stable code the web layer localizes.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooManyFailures { .. } => "too_many_failures",
        }
    }
}

/// A lock on an account's sign-in, as the caller stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lock {
    pub locked_at: UnixSeconds,
    pub until: UnixSeconds,
    pub reason: LockReason,
}

/// Whether a sign-in attempt may check its password at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginGate {
    Open,
    Locked {
        until: UnixSeconds,
        reason: LockReason,
    },
}

impl LockoutPolicy {
    /// Counts the failures that may still cause a lock: those inside the window, and only those
    /// after the last lock ended, so failures that already caused a lock never cause another.
    pub fn failures_in_window(
        &self,
        failure_times: &[UnixSeconds],
        last_lock_until: Option<UnixSeconds>,
        now: UnixSeconds,
    ) -> u32 {
        let counted = failure_times
            .iter()
            .filter(|&&at| at <= now && now - at < self.window_s)
            .filter(|&&at| last_lock_until.is_none_or(|until| at >= until))
            .count();
        u32::try_from(counted).unwrap_or(u32::MAX)
    }

    /// Counts the earlier locks that lengthen the next one.
    pub fn earlier_locks(&self, locked_at_times: &[UnixSeconds], now: UnixSeconds) -> u32 {
        let counted = locked_at_times
            .iter()
            .filter(|&&at| at <= now && now - at < LOCK_MEMORY_S)
            .count();
        u32::try_from(counted).unwrap_or(u32::MAX)
    }

    /// Decides, right after a wrong password, whether sign-in locks. `failures_in_window`
    /// includes the failure just recorded.
    pub fn after_failure(
        &self,
        failures_in_window: u32,
        earlier_locks: u32,
        now: UnixSeconds,
    ) -> Option<Lock> {
        if failures_in_window < self.failures_allowed {
            return None;
        }
        Some(Lock {
            locked_at: now,
            until: now.saturating_add(self.lock_s(earlier_locks)),
            reason: LockReason::TooManyFailures {
                failures: failures_in_window,
                window_s: self.window_s,
            },
        })
    }

    /// The first lock doubled per earlier lock, capped.
    pub fn lock_s(&self, earlier_locks: u32) -> i64 {
        let doubling = 1_i64
            .checked_shl(earlier_locks)
            .filter(|factor| *factor > 0)
            .unwrap_or(i64::MAX);
        self.first_lock_s
            .saturating_mul(doubling)
            .min(self.lock_max_s)
    }

    /// Whether a sign-in attempt may go on to check its password. A lock ends by itself at
    /// `until`; the caller need not clear it.
    pub fn gate(&self, active_lock: Option<Lock>, now: UnixSeconds) -> LoginGate {
        match active_lock {
            Some(lock) if now < lock.until => LoginGate::Locked {
                until: lock.until,
                reason: lock.reason,
            },
            _ => LoginGate::Open,
        }
    }

    /// Whether the account has had as many attempts this hour as it may.
    pub fn hourly_cap_reached(&self, attempts_last_hour: u32) -> bool {
        attempts_last_hour >= self.attempts_per_hour_max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UnixSeconds = 1_800_000_000;
    const MINUTE_S: i64 = 60;

    fn too_many_failures(failures: u32) -> LockReason {
        LockReason::TooManyFailures {
            failures,
            window_s: 900,
        }
    }

    #[test]
    fn the_fifth_failure_in_fifteen_minutes_locks_for_fifteen_minutes() {
        let policy = LockoutPolicy::default();
        // (seconds before now of each failure, the last one being now; lock expected)
        let cases: [(&[i64], Option<Lock>); 4] = [
            (&[800, 600, 400, 200], None),
            (
                &[800, 600, 400, 200, 0],
                Some(Lock {
                    locked_at: NOW,
                    until: NOW + 15 * MINUTE_S,
                    reason: too_many_failures(5),
                }),
            ),
            (
                &[899, 700, 500, 300, 100, 0],
                Some(Lock {
                    locked_at: NOW,
                    until: NOW + 15 * MINUTE_S,
                    reason: too_many_failures(6),
                }),
            ),
            (&[3_600, 2_000, 900, 10, 0], None),
        ];
        for (ages_s, expected) in cases {
            let times: Vec<UnixSeconds> = ages_s.iter().map(|age| NOW - age).collect();
            let failures = policy.failures_in_window(&times, None, NOW);
            assert_eq!(
                policy.after_failure(failures, 0, NOW),
                expected,
                "{ages_s:?}"
            );
        }
    }

    #[test]
    fn failures_older_than_the_window_do_not_count() {
        let policy = LockoutPolicy::default();
        let times = [NOW - 1_000, NOW - 901, NOW - 900, NOW - 899, NOW - 10, NOW];
        assert_eq!(policy.failures_in_window(&times, None, NOW), 3);
    }

    #[test]
    fn failures_that_already_caused_a_lock_do_not_count_again() {
        let policy = LockoutPolicy {
            first_lock_s: 60,
            ..LockoutPolicy::default()
        };
        let lock_until = NOW - 100;
        let times = [NOW - 400, NOW - 300, NOW - 250, NOW - 200, NOW - 160, NOW];
        assert_eq!(policy.failures_in_window(&times, Some(lock_until), NOW), 1);
    }

    #[test]
    fn each_lock_within_a_day_doubles_the_next_up_to_a_day() {
        let policy = LockoutPolicy::default();
        let cases = [
            (0, 15 * MINUTE_S),
            (1, 30 * MINUTE_S),
            (2, 60 * MINUTE_S),
            (3, 120 * MINUTE_S),
            (4, 240 * MINUTE_S),
            (5, 480 * MINUTE_S),
            (6, 960 * MINUTE_S),
            (7, 24 * 60 * MINUTE_S),
            (40, 24 * 60 * MINUTE_S),
            (63, 24 * 60 * MINUTE_S),
            (u32::MAX, 24 * 60 * MINUTE_S),
        ];
        for (earlier_locks, expected_s) in cases {
            assert_eq!(policy.lock_s(earlier_locks), expected_s, "{earlier_locks}");
            let lock = policy.after_failure(5, earlier_locks, NOW).unwrap();
            assert_eq!(lock.until - lock.locked_at, expected_s, "{earlier_locks}");
        }
    }

    #[test]
    fn only_locks_within_the_last_day_lengthen_the_next() {
        let policy = LockoutPolicy::default();
        let locked_at = [NOW - 90_000, NOW - 86_400, NOW - 86_399, NOW - 3_600];
        assert_eq!(policy.earlier_locks(&locked_at, NOW), 2);
    }

    #[test]
    fn a_guesser_who_keeps_going_meets_locks_of_15_30_then_60_minutes() {
        let policy = LockoutPolicy::default();
        let mut now = NOW;
        let mut failure_times = Vec::new();
        let mut locks: Vec<Lock> = Vec::new();
        while locks.len() < 3 {
            let last_lock = locks.last().copied();
            if let LoginGate::Locked { until, .. } = policy.gate(last_lock, now) {
                now = until;
                continue;
            }
            failure_times.push(now);
            let failures =
                policy.failures_in_window(&failure_times, last_lock.map(|lock| lock.until), now);
            let locked_at: Vec<UnixSeconds> = locks.iter().map(|lock| lock.locked_at).collect();
            let earlier = policy.earlier_locks(&locked_at, now);
            if let Some(lock) = policy.after_failure(failures, earlier, now) {
                locks.push(lock);
            }
            now += 10;
        }
        let lengths_min: Vec<i64> = locks
            .iter()
            .map(|lock| (lock.until - lock.locked_at) / MINUTE_S)
            .collect();
        assert_eq!(lengths_min, [15, 30, 60]);
        assert_eq!(failure_times.len(), 15);
    }

    #[test]
    fn the_gate_is_locked_until_the_lock_expires_then_open() {
        let policy = LockoutPolicy::default();
        let lock = Lock {
            locked_at: NOW - 100,
            until: NOW + 800,
            reason: too_many_failures(5),
        };
        let cases = [
            (None, NOW, LoginGate::Open),
            (
                Some(lock),
                NOW,
                LoginGate::Locked {
                    until: NOW + 800,
                    reason: too_many_failures(5),
                },
            ),
            (
                Some(lock),
                NOW + 799,
                LoginGate::Locked {
                    until: NOW + 800,
                    reason: too_many_failures(5),
                },
            ),
            (Some(lock), NOW + 800, LoginGate::Open),
            (Some(lock), NOW + 86_400, LoginGate::Open),
        ];
        for (active_lock, now, expected) in cases {
            assert_eq!(policy.gate(active_lock, now), expected, "{now}");
        }
        assert_eq!(too_many_failures(5).code(), "too_many_failures");
    }

    #[test]
    fn the_hourly_cap_is_reached_at_one_hundred_attempts() {
        let policy = LockoutPolicy::default();
        assert!(!policy.hourly_cap_reached(99));
        assert!(policy.hourly_cap_reached(100));
        assert!(policy.hourly_cap_reached(101));
    }
}
