//! Pieces shared by several pages.

pub mod article_view;
pub mod error_text;
pub mod field;
pub mod focus;
pub mod guard;
pub mod icons;
pub mod idle_sign_out;
pub mod language_picker;
pub mod notices;
pub mod page;
pub mod shell;

/// Asks the browser's own yes-or-no question before something that cannot be undone; `false`
/// when it cannot be asked.
pub fn confirm(message: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false)
}
