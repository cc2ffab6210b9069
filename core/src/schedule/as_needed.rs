//! As-needed medicines: may this dose be logged now? The most common complaint about reminder apps
//! is that they let a person take more than the label allows; this check runs before a dose is
//! logged, on the device, without the network.

use jiff::{SignedDuration, Timestamp};

use super::model::AsNeededLimits;

const DAY: SignedDuration = SignedDuration::from_hours(24);

/// What the app may say when someone logs an as-needed dose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsNeededVerdict {
    Ok,
    /// The last dose was too recent: wait this many minutes (rounded up).
    TooSoon {
        wait_minutes: u32,
    },
    /// The maximum for any 24 hours has been taken; one more is allowed at `next_allowed` (which
    /// also respects the minimum gap).
    DailyMaxReached {
        next_allowed: Timestamp,
    },
}

/// Checks one more dose at `now` against the doses already `taken` (any order).
///
/// The 24 hours are rolling, not a calendar day: a dose taken exactly 24 hours ago no longer
/// counts. Logged doses later than `now` (a phone whose clock was corrected) count as taken, so a
/// wrong clock can only make the check stricter. The daily maximum is reported before the gap,
/// being the more serious of the two. Limits that [`super::validate()`] rejects err on the side of
/// caution: a maximum of 0 allows nothing (the verdict points a day ahead).
pub fn as_needed_check(
    limits: &AsNeededLimits,
    taken: &[Timestamp],
    now: Timestamp,
) -> AsNeededVerdict {
    let gap = SignedDuration::from_mins(i64::from(limits.min_gap_minutes));
    let last = taken.iter().max().copied();
    let gap_ends = last.map(|t| t.saturating_add(gap).unwrap_or(Timestamp::MAX));

    let day_ago = now.saturating_sub(DAY).unwrap_or(Timestamp::MIN);
    let mut recent: Vec<Timestamp> = taken.iter().copied().filter(|t| *t > day_ago).collect();
    recent.sort_unstable();
    let max = usize::from(limits.max_per_24h);
    if recent.len() >= max {
        // Enough of the recent doses must leave the window to make room for one more.
        let leaving = recent.get(recent.len() - max).copied().unwrap_or(now);
        let window_frees = leaving.saturating_add(DAY).unwrap_or(Timestamp::MAX);
        let next_allowed = gap_ends.map_or(window_frees, |g| g.max(window_frees));
        return AsNeededVerdict::DailyMaxReached { next_allowed };
    }
    match gap_ends {
        Some(g) if now < g => {
            const MINUTE_NANOS: i128 = 60_000_000_000;
            let nanos = g.duration_since(now).as_nanos();
            let minutes = (nanos + MINUTE_NANOS - 1) / MINUTE_NANOS;
            AsNeededVerdict::TooSoon {
                wait_minutes: u32::try_from(minutes).unwrap_or(u32::MAX),
            }
        }
        _ => AsNeededVerdict::Ok,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LIMITS: AsNeededLimits = AsNeededLimits {
        max_per_24h: 4,
        min_gap_minutes: 240,
    };

    fn at(hours: f64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + (hours * 3_600.0) as i64).unwrap()
    }

    #[test]
    fn first_dose_is_ok() {
        assert_eq!(as_needed_check(&LIMITS, &[], at(0.0)), AsNeededVerdict::Ok);
    }

    #[test]
    fn too_soon_says_how_long_to_wait_rounded_up() {
        let v = as_needed_check(&LIMITS, &[at(0.0)], at(1.0));
        assert_eq!(v, AsNeededVerdict::TooSoon { wait_minutes: 180 });
        let just_after = Timestamp::from_second(1_700_000_000 + 30).unwrap();
        assert_eq!(
            as_needed_check(&LIMITS, &[at(0.0)], just_after),
            AsNeededVerdict::TooSoon { wait_minutes: 240 }
        );
        assert_eq!(
            as_needed_check(&LIMITS, &[at(0.0)], at(4.0)),
            AsNeededVerdict::Ok
        );
    }

    #[test]
    fn the_daily_maximum_is_rolling() {
        let taken = [at(0.0), at(4.0), at(8.0), at(12.0)];
        // The fifth dose would be allowed by the gap at 16:00, but not by the maximum until the
        // first dose is 24 hours old.
        assert_eq!(
            as_needed_check(&LIMITS, &taken, at(16.0)),
            AsNeededVerdict::DailyMaxReached {
                next_allowed: at(24.0)
            }
        );
        assert_eq!(
            as_needed_check(&LIMITS, &taken, at(24.0)),
            AsNeededVerdict::Ok
        );
        // Order does not matter, and old doses do not count.
        let shuffled = [at(12.0), at(-30.0), at(4.0), at(0.0), at(8.0)];
        assert_eq!(
            as_needed_check(&LIMITS, &shuffled, at(23.0)),
            AsNeededVerdict::DailyMaxReached {
                next_allowed: at(24.0)
            }
        );
    }

    #[test]
    fn next_allowed_respects_the_gap_too() {
        let limits = AsNeededLimits {
            max_per_24h: 2,
            min_gap_minutes: 600,
        };
        let taken = [at(0.0), at(20.0)];
        // The first dose leaves the window at 24:00, but the gap after 20:00 ends at 30:00.
        assert_eq!(
            as_needed_check(&limits, &taken, at(21.0)),
            AsNeededVerdict::DailyMaxReached {
                next_allowed: at(30.0)
            }
        );
    }

    #[test]
    fn doses_logged_in_the_future_count() {
        assert_eq!(
            as_needed_check(&LIMITS, &[at(2.0)], at(0.0)),
            AsNeededVerdict::TooSoon { wait_minutes: 360 }
        );
    }

    #[test]
    fn a_zero_maximum_allows_nothing() {
        let limits = AsNeededLimits {
            max_per_24h: 0,
            min_gap_minutes: 60,
        };
        assert_eq!(
            as_needed_check(&limits, &[], at(0.0)),
            AsNeededVerdict::DailyMaxReached {
                next_allowed: at(24.0)
            }
        );
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        let taken = [Timestamp::MAX, Timestamp::MIN, Timestamp::MAX];
        for now in [Timestamp::MIN, Timestamp::MAX, at(0.0)] {
            let _ = as_needed_check(&LIMITS, &taken, now);
        }
    }

    proptest! {
        #[test]
        fn following_the_verdict_never_breaks_a_limit(
            max in 1u8..8,
            gap in 1u16..600,
            tries in prop::collection::vec(0i64..3_000, 1..60),
        ) {
            // Someone tries to take a dose at random moments and takes it only when allowed: the
            // log must then respect both limits, and an allowed time given must really be allowed.
            let limits = AsNeededLimits { max_per_24h: max, min_gap_minutes: gap };
            let mut now = at(0.0);
            let mut taken: Vec<Timestamp> = Vec::new();
            for step in tries {
                now = now.checked_add(SignedDuration::from_mins(step)).unwrap();
                match as_needed_check(&limits, &taken, now) {
                    AsNeededVerdict::Ok => taken.push(now),
                    AsNeededVerdict::TooSoon { wait_minutes } => {
                        prop_assert!(wait_minutes >= 1 && wait_minutes <= u32::from(gap));
                    }
                    AsNeededVerdict::DailyMaxReached { next_allowed } => {
                        prop_assert!(next_allowed > now);
                        prop_assert_eq!(as_needed_check(&limits, &taken, next_allowed), AsNeededVerdict::Ok);
                    }
                }
            }
            for (i, t) in taken.iter().enumerate() {
                if let Some(next) = taken.get(i + 1) {
                    prop_assert!(next.duration_since(*t) >= SignedDuration::from_mins(i64::from(gap)));
                }
                let in_day = taken.iter().filter(|u| **u >= *t && u.duration_since(*t) < DAY).count();
                prop_assert!(in_day <= usize::from(max));
            }
        }
    }
}
