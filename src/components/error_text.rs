//! Plain-language texts for API errors.

use portal_core::api_error::{ApiError, ErrorMessage};

use crate::i18n::Key;

/// The locale key of the message a person sees for `error`.
pub fn error_key(error: &ApiError) -> Key {
    match error.message() {
        ErrorMessage::Offline => Key::ErrorOffline,
        ErrorMessage::Timeout => Key::ErrorTimeout,
        ErrorMessage::InvalidCredentials => Key::ErrorInvalidCredentials,
        ErrorMessage::SessionExpired => Key::ErrorSessionExpired,
        ErrorMessage::Forbidden => Key::ErrorForbidden,
        ErrorMessage::NotFound => Key::ErrorNotFound,
        ErrorMessage::RateLimited => Key::ErrorRateLimited,
        ErrorMessage::CheckFields => Key::ErrorCheckFields,
        ErrorMessage::AlreadySent => Key::ErrorAlreadySent,
        ErrorMessage::StillSending => Key::ErrorStillSending,
        ErrorMessage::ServerTrouble => Key::ErrorServerTrouble,
        ErrorMessage::Unexpected => Key::ErrorUnexpected,
    }
}

/// [`error_key`] for a page that was loading or showing something, where nothing was typed: the
/// same messages without "what you typed is still here".
pub fn reading_error_key(error: &ApiError) -> Key {
    match error.message() {
        ErrorMessage::Offline => Key::ErrorOfflineReading,
        ErrorMessage::Timeout => Key::ErrorTimeoutReading,
        ErrorMessage::ServerTrouble => Key::ErrorServerTroubleReading,
        _ => error_key(error),
    }
}
