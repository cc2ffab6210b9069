//! When an idle person is warned and signed out: pure arithmetic on wall-clock milliseconds, so a
//! phone that slept through the limit is signed out at its first check after waking, and the rules
//! are tested without a browser.

/// How long before the sign-out the warning appears, at most. WCAG 2.2.1 asks for at least 20 s.
pub const WARNING_MS: i64 = 2 * 60_000;

/// Where an idle person stands at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdleState {
    /// Nothing to show.
    Active,
    /// Show the warning: this many milliseconds are left before the sign-out.
    Warning { remaining_ms: i64 },
    /// Sign out now.
    SignOut,
}

/// The idle limit the app applies: the server's own idle timeout (from the session) so both sides
/// end the session together, shortened by the deployment's `idleSignOutMinutes` when that is
/// stricter. Never longer than the server's: the app must warn before the server has already ended
/// the session. At least one minute, whatever the inputs.
pub fn limit_ms(server_idle_timeout_seconds: u32, config_minutes: u32) -> i64 {
    let server = i64::from(server_idle_timeout_seconds) * 1_000;
    let config = i64::from(config_minutes) * 60_000;
    let limit = match (server > 0, config > 0) {
        (true, true) => server.min(config),
        (true, false) => server,
        (false, true) => config,
        (false, false) => 15 * 60_000,
    };
    limit.max(60_000)
}

/// How long before the limit the warning shows: two minutes, or half a short limit.
pub fn warning_ms(limit_ms: i64) -> i64 {
    WARNING_MS.min(limit_ms / 2)
}

/// The state `now_ms` after the last activity at `last_activity_ms`. A clock that went backwards
/// (activity "in the future") counts as activity just now.
pub fn idle_state(now_ms: i64, last_activity_ms: i64, limit_ms: i64) -> IdleState {
    let idle = (now_ms - last_activity_ms).max(0);
    if idle >= limit_ms {
        IdleState::SignOut
    } else if idle >= limit_ms - warning_ms(limit_ms) {
        IdleState::Warning {
            remaining_ms: limit_ms - idle,
        }
    } else {
        IdleState::Active
    }
}

/// Minutes and seconds left, as `m:ss` (`1:59`), rounded up so the warning never shows `0:00`
/// while the person is still signed in.
pub fn countdown(remaining_ms: i64) -> String {
    let seconds = (remaining_ms.max(0) + 999) / 1_000;
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MIN: i64 = 60_000;

    #[test]
    fn warns_at_thirteen_minutes_and_signs_out_at_fifteen() {
        let limit = limit_ms(15 * 60, 15);
        assert_eq!(limit, 15 * MIN);
        assert_eq!(idle_state(13 * MIN - 1, 0, limit), IdleState::Active);
        assert_eq!(
            idle_state(13 * MIN, 0, limit),
            IdleState::Warning {
                remaining_ms: 2 * MIN
            }
        );
        assert_eq!(
            idle_state(14 * MIN + 1_000, 0, limit),
            IdleState::Warning {
                remaining_ms: 59_000
            }
        );
        assert_eq!(idle_state(15 * MIN, 0, limit), IdleState::SignOut);
    }

    #[test]
    fn a_phone_that_slept_through_the_limit_signs_out_at_once() {
        let limit = 15 * MIN;
        assert_eq!(idle_state(20 * MIN, 0, limit), IdleState::SignOut);
        assert_eq!(idle_state(30 * 24 * 60 * MIN, 0, limit), IdleState::SignOut);
    }

    #[test]
    fn a_clock_set_back_counts_as_activity() {
        assert_eq!(idle_state(0, 5 * MIN, 15 * MIN), IdleState::Active);
    }

    #[test]
    fn the_stricter_of_server_and_deployment_wins() {
        assert_eq!(limit_ms(30 * 60, 15), 15 * MIN);
        assert_eq!(limit_ms(10 * 60, 15), 10 * MIN);
        assert_eq!(limit_ms(0, 5), 5 * MIN);
        assert_eq!(limit_ms(20, 0), MIN, "never below a minute");
        assert_eq!(limit_ms(0, 0), 15 * MIN);
    }

    #[test]
    fn short_limits_warn_for_half_their_length() {
        assert_eq!(warning_ms(15 * MIN), 2 * MIN);
        assert_eq!(warning_ms(2 * MIN), MIN);
        assert_eq!(warning_ms(MIN), 30_000);
    }

    #[test]
    fn countdown_reads_like_a_clock() {
        assert_eq!(countdown(2 * MIN), "2:00");
        assert_eq!(countdown(119_001), "2:00");
        assert_eq!(countdown(119_000), "1:59");
        assert_eq!(countdown(9_000), "0:09");
        assert_eq!(countdown(1), "0:01");
        assert_eq!(countdown(0), "0:00");
        assert_eq!(countdown(-5), "0:00");
    }

    proptest! {
        #[test]
        fn more_idle_time_never_moves_back_a_stage(
            limit in 60_000i64..86_400_000,
            a in 0i64..100_000_000,
            extra in 0i64..100_000_000,
        ) {
            let rank = |s: IdleState| match s {
                IdleState::Active => 0,
                IdleState::Warning { .. } => 1,
                IdleState::SignOut => 2,
            };
            prop_assert!(rank(idle_state(a, 0, limit)) <= rank(idle_state(a + extra, 0, limit)));
            if let IdleState::Warning { remaining_ms } = idle_state(a, 0, limit) {
                prop_assert!(remaining_ms > 0 && remaining_ms <= WARNING_MS);
            }
        }
    }
}
