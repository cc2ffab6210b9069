//! What signing out would delete before it has reached the backend: doses logged offline, a
//! question being written, Studio edits not saved yet. Sign-out wipes the device (the person's
//! data must not outlive the session), so the person is told first and chooses.

use crate::api::Api;
use crate::device_store::{self, keys};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unsent {
    pub doses: usize,
    pub question: bool,
    pub edits: usize,
}

impl Unsent {
    pub fn is_empty(&self) -> bool {
        *self == Unsent::default()
    }

    /// Sends the waiting doses first (online, they then leave nothing behind), and counts what
    /// would still be lost.
    pub async fn before_sign_out(api: &Api) -> Unsent {
        Unsent {
            doses: crate::reminder_data::flush_outbox(api).await,
            question: crate::routes::ask::draft_started().await,
            edits: stored_list_len(keys::STUDIO_EDITS).await,
        }
    }
}

async fn stored_list_len(key: &str) -> usize {
    match device_store::get(key).await {
        // Counted without building the entries: IgnoredAny skips each one.
        Ok(Some(text)) => serde_json::from_str::<Vec<serde::de::IgnoredAny>>(&text)
            .map(|list| list.len())
            .unwrap_or(0),
        _ => 0,
    }
}
