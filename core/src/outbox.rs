//! The inquiry outbox: what to do with a submitted inquiry after each delivery attempt.
//!
//! An inquiry is put in the outbox on the device before its first attempt, with an idempotency key
//! made when the person pressed Submit. Every retry sends the same key, so the backend stores it
//! once even when an answer was lost after the backend had saved it.

use serde::{Deserialize, Serialize};

use crate::api::problem_types as pt;
use crate::api_error::ApiError;
use crate::inquiry::InquiryDraft;
use crate::retry::RetryPolicy;

/// Waits between attempts: from about two seconds, doubling, to at most five minutes, with full
/// jitter so phones that come back online together do not all call at once.
pub const OUTBOX_RETRY: RetryPolicy = RetryPolicy {
    max_attempts: u32::MAX,
    base_delay_ms: 2_000,
    max_delay_ms: 300_000,
};

/// One inquiry waiting on the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    /// The `Idempotency-Key`: the same on every attempt.
    pub key: String,
    pub inquiry: InquiryDraft,
    /// Milliseconds since the Unix epoch.
    pub queued_at_ms: i64,
    pub attempts: u32,
    pub next_attempt_at_ms: i64,
    /// Set when the backend refused the inquiry itself: it waits for the person, not for a retry.
    #[serde(default)]
    pub needs_person: bool,
}

impl OutboxEntry {
    pub fn new(key: String, inquiry: InquiryDraft, now_ms: i64) -> OutboxEntry {
        OutboxEntry {
            key,
            inquiry,
            queued_at_ms: now_ms,
            attempts: 0,
            next_attempt_at_ms: now_ms,
            needs_person: false,
        }
    }

    pub fn is_due(&self, now_ms: i64) -> bool {
        !self.needs_person && self.next_attempt_at_ms <= now_ms
    }
}

/// What an attempt that did not deliver means for the entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterFailure {
    /// Keep it and try again at `at_ms`.
    RetryAt { at_ms: i64 },
    /// The backend refused the inquiry itself: trying again cannot help, the person must look at
    /// it. The entry stays on the device, text intact, until the person opens it in the form.
    NeedsPerson,
}

/// Decides what follows a failed attempt and records it on the entry.
/// `unit_random` is a random number in `[0, 1)` for the jitter.
pub fn after_failure(
    entry: &mut OutboxEntry,
    error: &ApiError,
    now_ms: i64,
    unit_random: f64,
) -> AfterFailure {
    entry.attempts = entry.attempts.saturating_add(1);
    if !worth_retrying(error) {
        entry.needs_person = true;
        return AfterFailure::NeedsPerson;
    }
    let jittered = i64::from(OUTBOX_RETRY.delay_ms(entry.attempts, unit_random));
    // Never sooner than a second (a tight loop helps nobody), never sooner than the backend asked.
    let asked = match error {
        ApiError::Status {
            retry_after_seconds: Some(s),
            ..
        } => i64::from(*s).saturating_mul(1000),
        _ => 0,
    };
    let wait = jittered.max(1_000).max(asked);
    entry.next_attempt_at_ms = now_ms.saturating_add(wait);
    AfterFailure::RetryAt {
        at_ms: entry.next_attempt_at_ms,
    }
}

/// Failures that say nothing about the inquiry itself: no answer, a slow or overloaded backend,
/// a server error (the backend releases the key of a request that failed), the same key still in
/// progress, or an answer that could not be read (a retry replays the stored one).
fn worth_retrying(error: &ApiError) -> bool {
    match error {
        ApiError::Network | ApiError::Timeout | ApiError::Cancelled => true,
        ApiError::Malformed { .. } => true,
        ApiError::Status {
            status, problem, ..
        } => {
            problem.type_uri == pt::IDEMPOTENCY_IN_PROGRESS
                || matches!(status, 408 | 425 | 429 | 500..=599)
        }
    }
}

/// The entry to try first: the earliest one that is waiting for a retry.
pub fn next_due(entries: &[OutboxEntry]) -> Option<&OutboxEntry> {
    entries
        .iter()
        .filter(|e| !e.needs_person)
        .min_by_key(|e| e.next_attempt_at_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Problem;
    use proptest::prelude::*;

    fn status(status: u16, type_uri: &str, retry_after: Option<u32>) -> ApiError {
        ApiError::Status {
            status,
            problem: Box::new(Problem {
                type_uri: type_uri.into(),
                status,
                ..Problem::default()
            }),
            retry_after_seconds: retry_after,
        }
    }

    fn entry() -> OutboxEntry {
        OutboxEntry::new("k-1".into(), InquiryDraft::default(), 1_000_000)
    }

    #[test]
    fn transient_failures_are_retried_later() {
        for error in [
            ApiError::Network,
            ApiError::Timeout,
            ApiError::Malformed { status: 201 },
            status(500, "/problems/internal", None),
            status(503, "about:blank", None),
            status(409, pt::IDEMPOTENCY_IN_PROGRESS, None),
            status(429, pt::RATE_LIMITED, None),
        ] {
            let mut e = entry();
            let next = after_failure(&mut e, &error, 2_000_000, 0.5);
            assert!(
                matches!(next, AfterFailure::RetryAt { at_ms } if at_ms >= 2_001_000),
                "{error:?}"
            );
            assert_eq!(e.attempts, 1);
            assert!(!e.is_due(2_000_000));
        }
    }

    #[test]
    fn refusals_go_back_to_the_person() {
        for error in [
            status(422, pt::VALIDATION, None),
            status(400, pt::BAD_REQUEST, None),
            status(422, pt::IDEMPOTENCY_KEY_REUSED, None),
            status(413, pt::PAYLOAD_TOO_LARGE, None),
        ] {
            let mut e = entry();
            assert_eq!(
                after_failure(&mut e, &error, 0, 0.5),
                AfterFailure::NeedsPerson,
                "{error:?}"
            );
            assert!(e.needs_person && !e.is_due(i64::MAX));
            assert_eq!(next_due(std::slice::from_ref(&e)), None);
        }
    }

    #[test]
    fn retry_after_is_honoured() {
        let mut e = entry();
        let next = after_failure(&mut e, &status(503, "about:blank", Some(120)), 0, 0.0);
        assert_eq!(next, AfterFailure::RetryAt { at_ms: 120_000 });
    }

    #[test]
    fn the_earliest_entry_goes_first() {
        let mut a = entry();
        a.next_attempt_at_ms = 50;
        let mut b = entry();
        b.key = "k-2".into();
        b.next_attempt_at_ms = 10;
        let list = [a, b];
        assert_eq!(next_due(&list).map(|e| e.key.as_str()), Some("k-2"));
        assert_eq!(next_due(&[]), None);
    }

    #[test]
    fn entries_round_trip_as_json() {
        let e = entry();
        let text = serde_json::to_string(&e).unwrap();
        assert!(text.contains("\"nextAttemptAtMs\""));
        assert_eq!(serde_json::from_str::<OutboxEntry>(&text).unwrap(), e);
    }

    proptest! {
        #[test]
        fn waits_stay_between_one_second_and_five_minutes(attempts in 0u32..1_000, r in 0.0f64..1.0, now in 0i64..4_000_000_000_000) {
            let mut e = entry();
            e.attempts = attempts;
            let next = after_failure(&mut e, &ApiError::Network, now, r);
            let AfterFailure::RetryAt { at_ms } = next else { panic!("network failures are retried") };
            prop_assert!(at_ms - now >= 1_000);
            prop_assert!(at_ms - now <= 300_000);
        }
    }
}
