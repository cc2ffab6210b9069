//! When to try a request again, and how long to wait first.

/// HTTP methods the app uses. Only safe ones are retried automatically: repeating a POST could
/// act twice, so writes rely on idempotency keys and their own outbox instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    pub fn is_safe(self) -> bool {
        matches!(self, Method::Get)
    }
}

/// Retry settings: `max_attempts` counts the first try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay_ms: u32,
    pub max_delay_ms: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay_ms: 300,
            max_delay_ms: 5_000,
        }
    }
}

impl RetryPolicy {
    /// "Full jitter": a uniformly random wait between zero and the capped exponential step, so
    /// many phones coming back online at once do not hit the backend in lockstep.
    /// `attempt` is the number of tries already made (1 after the first failure);
    /// `unit_random` is a random number in `[0, 1)`.
    pub fn delay_ms(&self, attempt: u32, unit_random: f64) -> u32 {
        let exp = attempt.saturating_sub(1).min(20);
        let step = (self.base_delay_ms as u64)
            .saturating_mul(1u64 << exp)
            .min(self.max_delay_ms as u64);
        let r = if unit_random.is_finite() {
            unit_random.clamp(0.0, 1.0)
        } else {
            0.0
        };
        ((step as f64) * r).floor().min(step as f64) as u32
    }

    /// Whether to try again after `attempts` tries ended in a transient failure, honouring a
    /// server's `Retry-After` only when it is short enough to wait for.
    pub fn should_retry(
        &self,
        method: Method,
        attempts: u32,
        transient: bool,
        retry_after_s: Option<u32>,
    ) -> bool {
        method.is_safe()
            && transient
            && attempts < self.max_attempts
            && retry_after_s.is_none_or(|s| s.saturating_mul(1000) <= self.max_delay_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_safe_transient_failures_are_retried() {
        let p = RetryPolicy::default();
        assert!(p.should_retry(Method::Get, 1, true, None));
        assert!(!p.should_retry(Method::Post, 1, true, None));
        assert!(!p.should_retry(Method::Get, 1, false, None));
        assert!(!p.should_retry(Method::Get, 3, true, None));
        assert!(p.should_retry(Method::Get, 1, true, Some(2)));
        assert!(!p.should_retry(Method::Get, 1, true, Some(60)));
    }

    #[test]
    fn delay_grows_then_caps() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_delay_ms: 100,
            max_delay_ms: 1_000,
        };
        let almost_one = 0.999_999;
        assert_eq!(p.delay_ms(1, almost_one), 99);
        assert_eq!(p.delay_ms(2, almost_one), 199);
        assert_eq!(p.delay_ms(3, almost_one), 399);
        assert_eq!(p.delay_ms(9, almost_one), 999);
        assert_eq!(p.delay_ms(3, 0.0), 0);
    }

    proptest! {
        #[test]
        fn delay_never_exceeds_cap(attempt in 0u32..10_000, r in any::<f64>(), base in 0u32..100_000, cap in 0u32..100_000) {
            let p = RetryPolicy { max_attempts: 5, base_delay_ms: base, max_delay_ms: cap };
            prop_assert!(p.delay_ms(attempt, r) <= cap);
        }
    }
}
