//! A per-user limit on questions, so one person cannot monopolize the bot.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What the limiter says about one more question.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Over the limit, and the user has not been told yet in this window.
    LimitedNotify,
    /// Over the limit, already told: stay silent rather than spam.
    LimitedQuiet,
}

/// At most `max` questions per user in any `window`.
pub struct RateLimiter {
    max: usize,
    window: Duration,
    seen: Mutex<HashMap<u64, (VecDeque<Instant>, bool)>>,
}

impl RateLimiter {
    pub fn new(max: usize, window: Duration) -> Self {
        RateLimiter {
            max,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    pub fn check(&self, user: u64) -> Verdict {
        self.check_at(user, Instant::now())
    }

    fn check_at(&self, user: u64, now: Instant) -> Verdict {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        // Forget users who have been quiet for a window, so the map stays small.
        let window = self.window;
        seen.retain(|_, (times, _)| {
            times
                .back()
                .is_some_and(|t| now.duration_since(*t) < window)
        });
        let (times, notified) = seen.entry(user).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            times.pop_front();
        }
        if times.len() < self.max {
            times.push_back(now);
            *notified = false;
            Verdict::Allowed
        } else if *notified {
            Verdict::LimitedQuiet
        } else {
            *notified = true;
            Verdict::LimitedNotify
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_user_separately_and_notifies_once() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        assert_eq!(limiter.check_at(1, t0), Verdict::Allowed);
        assert_eq!(limiter.check_at(1, t0), Verdict::Allowed);
        assert_eq!(limiter.check_at(1, t0), Verdict::LimitedNotify);
        assert_eq!(limiter.check_at(1, t0), Verdict::LimitedQuiet);
        assert_eq!(limiter.check_at(2, t0), Verdict::Allowed);
        let later = t0 + Duration::from_secs(61);
        assert_eq!(limiter.check_at(1, later), Verdict::Allowed);
    }
}
