//! Counting failed sign-ins per email and per client address, in memory.
//!
//! Memory is enough for one process: a restart forgets the counters, which only helps someone
//! who can restart the server anyway.

use std::{
    collections::{HashMap, VecDeque},
    net::IpAddr,
    sync::Mutex,
};

/// Failed sign-ins one account may have in the window.
pub const MAX_FAILURES: usize = portal_core::sign_in::MAX_WRONG_PASSWORDS as usize;
/// Failed sign-ins one client address may have in the window, whatever the accounts: looser, because
/// a household, a care home or a clinic shares one address, and one person's typos must not lock
/// out the others; still far too few to try a list of accounts.
pub const MAX_CLIENT_FAILURES: usize = 20;
pub const WINDOW_SECONDS: i64 = portal_core::sign_in::PAUSE_MINUTES as i64 * 60;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LimitKey {
    Email(String),
    Client(IpAddr),
    /// Requests without a known peer address (in-process tests) share one bucket.
    UnknownClient,
}

impl LimitKey {
    fn max_failures(&self) -> usize {
        match self {
            LimitKey::Email(_) => MAX_FAILURES,
            LimitKey::Client(_) | LimitKey::UnknownClient => MAX_CLIENT_FAILURES,
        }
    }

    /// IPv6 clients usually own a whole /64, so they are counted per /64 rather than per address.
    pub fn client(ip: Option<IpAddr>) -> LimitKey {
        match ip {
            None => LimitKey::UnknownClient,
            Some(IpAddr::V4(v4)) => LimitKey::Client(IpAddr::V4(v4)),
            Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => LimitKey::Client(IpAddr::V4(v4)),
                None => {
                    let s = v6.segments();
                    LimitKey::Client(IpAddr::V6(std::net::Ipv6Addr::new(
                        s[0], s[1], s[2], s[3], 0, 0, 0, 0,
                    )))
                }
            },
        }
    }
}

#[derive(Default)]
pub struct RateLimiter {
    failures: Mutex<Failures>,
}

#[derive(Default)]
struct Failures {
    by_key: HashMap<LimitKey, VecDeque<i64>>,
    writes_since_sweep: usize,
}

impl RateLimiter {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Failures> {
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Err(seconds)` until the earliest key may try again, when any key has used up its attempts.
    pub fn check(&self, keys: &[LimitKey], now: i64) -> Result<(), u64> {
        wait_for(&mut self.lock(), keys, now).map_or(Ok(()), Err)
    }

    /// Checks and counts an attempt in one locked step, so many simultaneous guesses cannot all pass
    /// the check while their slow password checks run. A successful attempt is taken back with
    /// [`RateLimiter::forgive`].
    pub fn attempt(&self, keys: &[LimitKey], now: i64) -> Result<(), u64> {
        let mut f = self.lock();
        if let Some(wait) = wait_for(&mut f, keys, now) {
            return Err(wait);
        }
        push(&mut f, keys, now);
        Ok(())
    }

    /// Takes back the attempt counted at `at` for each key: it turned out not to be a failure.
    pub fn forgive(&self, keys: &[LimitKey], at: i64) {
        let mut f = self.lock();
        for key in keys {
            if let Some(times) = f.by_key.get_mut(key) {
                if let Some(i) = times.iter().rposition(|&t| t == at) {
                    times.remove(i);
                }
            }
        }
    }

    /// How many more failures the keys allow before [`RateLimiter::check`] refuses: the fewest
    /// any of them has left.
    pub fn attempts_left(&self, keys: &[LimitKey], now: i64) -> usize {
        let mut f = self.lock();
        keys.iter()
            .map(|key| {
                let used = f.by_key.get_mut(key).map_or(0, |times| {
                    prune(times, now);
                    times.len()
                });
                key.max_failures().saturating_sub(used)
            })
            .min()
            .unwrap_or(0)
    }

    pub fn reset(&self, key: &LimitKey) {
        self.lock().by_key.remove(key);
    }
}

fn wait_for(f: &mut Failures, keys: &[LimitKey], now: i64) -> Option<u64> {
    let mut wait: Option<i64> = None;
    for key in keys {
        if let Some(times) = f.by_key.get_mut(key) {
            prune(times, now);
            if times.len() >= key.max_failures() {
                // The oldest failure in the window frees a slot first.
                let oldest = times.front().copied().unwrap_or(now);
                let w = (oldest + WINDOW_SECONDS - now).max(1);
                wait = Some(wait.map_or(w, |x| x.max(w)));
            }
        }
    }
    wait.map(|w| w as u64)
}

fn push(f: &mut Failures, keys: &[LimitKey], now: i64) {
    for key in keys {
        let times = f.by_key.entry(key.clone()).or_default();
        prune(times, now);
        times.push_back(now);
        // Only the newest attempts matter; cap the memory one key can take.
        while times.len() > key.max_failures() {
            times.pop_front();
        }
    }
    f.writes_since_sweep += 1;
    // Emails come from requests, so forget stale keys now and then to bound memory.
    if f.writes_since_sweep >= 1024 {
        f.writes_since_sweep = 0;
        f.by_key.retain(|_, times| {
            prune(times, now);
            !times.is_empty()
        });
    }
}

fn prune(times: &mut VecDeque<i64>, now: i64) {
    while times.front().is_some_and(|&t| t <= now - WINDOW_SECONDS) {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_after_five_failures_within_the_window() {
        let rl = RateLimiter::new();
        let keys = [LimitKey::Email("a@b.co".into()), LimitKey::UnknownClient];
        for i in 0..5 {
            assert_eq!(rl.attempts_left(&keys, 100 + i), 5 - i as usize);
            assert!(rl.attempt(&keys, 100 + i).is_ok());
        }
        assert_eq!(rl.attempts_left(&keys, 110), 0);
        assert_eq!(
            rl.check(&keys, 110),
            Err((100 + WINDOW_SECONDS - 110) as u64)
        );
        assert!(rl.check(&keys, 100 + WINDOW_SECONDS).is_ok());
        assert_eq!(rl.attempts_left(&keys, 100 + WINDOW_SECONDS), 1);
    }

    #[test]
    fn an_address_allows_more_failures_than_an_account() {
        let rl = RateLimiter::new();
        let client = LimitKey::client(Some("10.0.0.2".parse().unwrap()));
        for i in 0..MAX_CLIENT_FAILURES {
            let email = LimitKey::Email(format!("person{i}@b.co"));
            assert!(rl.attempt(&[email, client.clone()], 0).is_ok(), "{i}");
        }
        let next = LimitKey::Email("someone@b.co".into());
        assert!(rl.attempt(&[next, client], 1).is_err());
    }

    #[test]
    fn a_forgiven_attempt_no_longer_counts() {
        let rl = RateLimiter::new();
        let keys = [LimitKey::Email("a@b.co".into())];
        for i in 0..4 {
            assert!(rl.attempt(&keys, i).is_ok());
        }
        assert!(rl.attempt(&keys, 4).is_ok());
        rl.forgive(&keys, 4);
        assert!(
            rl.attempt(&keys, 5).is_ok(),
            "the forgiven slot is free again"
        );
        assert!(rl.attempt(&keys, 6).is_err());
    }

    #[test]
    fn reset_clears_only_that_key() {
        let rl = RateLimiter::new();
        let email = LimitKey::Email("a@b.co".into());
        let client = LimitKey::client(Some("10.0.0.1".parse().unwrap()));
        for _ in 0..MAX_CLIENT_FAILURES {
            assert!(rl.attempt(&[email.clone(), client.clone()], 0).is_ok());
            rl.reset(&email);
        }
        assert!(rl.check(&[email], 1).is_ok());
        assert!(rl.check(&[client], 1).is_err());
    }

    #[test]
    fn ipv6_grouped_by_prefix() {
        let a = LimitKey::client(Some("2001:db8:1:2:aaaa::1".parse().unwrap()));
        let b = LimitKey::client(Some("2001:db8:1:2:bbbb::2".parse().unwrap()));
        assert_eq!(a, b);
        let mapped = LimitKey::client(Some("::ffff:10.0.0.1".parse().unwrap()));
        assert_eq!(mapped, LimitKey::client(Some("10.0.0.1".parse().unwrap())));
    }
}
