//! Wall-clock time in Unix seconds, with an offset tests can move forward to expire things, and
//! which tests can stop, so a second ticking by mid-test does not change what they check.

use std::{
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc,
    },
    time::{SystemTime, UNIX_EPOCH},
};

#[derive(Debug, Clone)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
    /// The time it was stopped at, or `RUNNING`.
    stopped_at: Arc<AtomicI64>,
}

const RUNNING: i64 = i64::MIN;

impl Default for Clock {
    fn default() -> Self {
        Clock {
            offset_seconds: Arc::default(),
            stopped_at: Arc::new(AtomicI64::new(RUNNING)),
        }
    }
}

impl Clock {
    pub fn now(&self) -> i64 {
        let base = match self.stopped_at.load(Ordering::Relaxed) {
            RUNNING => real_now(),
            stopped => stopped,
        };
        base + self.offset_seconds.load(Ordering::Relaxed)
    }

    /// Stops this clock (and every clone of it) at the current time; only `advance` moves it on.
    pub fn stop(&self) {
        self.stopped_at.store(real_now(), Ordering::Relaxed);
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, seconds: i64) {
        self.offset_seconds.fetch_add(seconds, Ordering::Relaxed);
    }
}

fn real_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
