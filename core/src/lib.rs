//! The portal's functional core: plain Rust shared by the WebAssembly app and the reference backend.
//!
//! Nothing here touches the browser or the network, so every rule is tested on the host.

pub mod api;
pub mod api_error;
pub mod dose_log;
pub mod html;
pub mod idle;
pub mod inquiry;
pub mod language;
pub mod learn;
pub mod markdown;
pub mod navigation;
pub mod outbox;
pub mod readability;
pub mod reminder_form;
pub mod reminders;
pub mod retry;
pub mod schedule;
pub mod search;
pub mod sign_in;
pub mod time_zone;
