//! A per-user limit on questions, so one person cannot monopolize the bot: governor's keyed
//! limiter (a burst of `max`, then one more every `window / max`), plus whether each
//! limited user has been told, so the notice comes once rather than as spam.

use std::collections::HashSet;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::Quota;

/// Users remembered before the limiter forgets those whose allowance is full again.
const FORGET_ABOVE: usize = 1024;

/// What the limiter says about one more question.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Over the limit, and the user has not been told yet.
    LimitedNotify,
    /// Over the limit, already told: stay silent rather than spam.
    LimitedQuiet,
}

type Keyed<C> = governor::RateLimiter<
    u64,
    DefaultKeyedStateStore<u64>,
    C,
    NoOpMiddleware<<C as Clock>::Instant>,
>;

/// At most `max` questions per user at once, refilled at `max` per `window`.
pub struct RateLimiter<C: Clock = DefaultClock> {
    limiter: Keyed<C>,
    notified: Mutex<HashSet<u64>>,
}

impl RateLimiter {
    pub fn new(max: usize, window: Duration) -> Self {
        Self::with_clock(max, window, DefaultClock::default())
    }
}

impl<C: Clock> RateLimiter<C> {
    fn with_clock(max: usize, window: Duration, clock: C) -> Self {
        let burst =
            NonZeroU32::new(u32::try_from(max).unwrap_or(u32::MAX)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(window / burst.get())
            .unwrap_or_else(|| Quota::per_second(burst))
            .allow_burst(burst);
        RateLimiter {
            limiter: governor::RateLimiter::hashmap_with_clock(quota, clock),
            notified: Mutex::new(HashSet::new()),
        }
    }

    pub fn check(&self, user: u64) -> Verdict {
        if self.limiter.len() > FORGET_ABOVE {
            self.limiter.retain_recent();
        }
        let allowed = self.limiter.check_key(&user).is_ok();
        let mut notified = self.notified.lock().unwrap_or_else(|p| p.into_inner());
        if allowed {
            notified.remove(&user);
            Verdict::Allowed
        } else if notified.insert(user) {
            Verdict::LimitedNotify
        } else {
            Verdict::LimitedQuiet
        }
    }
}

#[cfg(test)]
mod tests {
    use governor::clock::FakeRelativeClock;

    use super::*;

    #[test]
    fn limits_each_user_separately_and_notifies_once() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(2, Duration::from_secs(60), clock.clone());
        assert_eq!(limiter.check(1), Verdict::Allowed);
        assert_eq!(limiter.check(1), Verdict::Allowed);
        assert_eq!(limiter.check(1), Verdict::LimitedNotify);
        assert_eq!(limiter.check(1), Verdict::LimitedQuiet);
        assert_eq!(limiter.check(2), Verdict::Allowed);
        // One question comes back every window / max.
        clock.advance(Duration::from_secs(29));
        assert_eq!(limiter.check(1), Verdict::LimitedQuiet);
        clock.advance(Duration::from_secs(1));
        assert_eq!(limiter.check(1), Verdict::Allowed);
        assert_eq!(
            limiter.check(1),
            Verdict::LimitedNotify,
            "told again after a pause"
        );
        clock.advance(Duration::from_secs(61));
        assert_eq!(limiter.check(1), Verdict::Allowed);
        assert_eq!(limiter.check(1), Verdict::Allowed);
    }

    #[test]
    fn users_with_a_full_allowance_are_forgotten() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(2, Duration::from_secs(60), clock.clone());
        for user in 0..=FORGET_ABOVE as u64 {
            limiter.check(user);
        }
        clock.advance(Duration::from_secs(61));
        assert_eq!(limiter.check(u64::MAX), Verdict::Allowed);
        assert!(limiter.limiter.len() <= 2, "{}", limiter.limiter.len());
    }
}
