//! What can go wrong when talking to the backend, decided from plain data (status, headers, body text)
//! so the rules are tested on the host and the app never panics on a malformed answer.

use crate::api::{problem_types as pt, FieldError, Problem};
use serde::de::DeserializeOwned;

/// Why a request did not give the expected answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No answer at all: offline, DNS, connection refused, CORS.
    Network,
    /// No answer within the configured time.
    Timeout,
    /// The request was cancelled because the person moved on.
    Cancelled,
    /// The backend answered with an error status; its problem document when it sent a readable one.
    Status {
        status: u16,
        problem: Box<Problem>,
        retry_after_seconds: Option<u32>,
    },
    /// The backend answered 2xx but the body was not what the contract promises.
    Malformed { status: u16 },
}

/// A plain-language message for a person, identified by its key in the locale files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorMessage {
    Offline,
    Timeout,
    InvalidCredentials,
    SessionExpired,
    Forbidden,
    NotFound,
    RateLimited,
    CheckFields,
    AlreadySent,
    StillSending,
    ServerTrouble,
    Unexpected,
}

impl ApiError {
    /// The message a person sees for this error.
    pub fn message(&self) -> ErrorMessage {
        match self {
            ApiError::Network => ErrorMessage::Offline,
            ApiError::Timeout => ErrorMessage::Timeout,
            ApiError::Cancelled => ErrorMessage::Unexpected,
            ApiError::Malformed { .. } => ErrorMessage::Unexpected,
            ApiError::Status {
                status, problem, ..
            } => match problem.type_uri.as_str() {
                pt::INVALID_CREDENTIALS => ErrorMessage::InvalidCredentials,
                pt::UNAUTHENTICATED => ErrorMessage::SessionExpired,
                pt::FORBIDDEN => ErrorMessage::Forbidden,
                pt::NOT_FOUND => ErrorMessage::NotFound,
                pt::RATE_LIMITED => ErrorMessage::RateLimited,
                pt::VALIDATION | pt::BAD_REQUEST => ErrorMessage::CheckFields,
                pt::IDEMPOTENCY_KEY_REUSED => ErrorMessage::AlreadySent,
                pt::IDEMPOTENCY_IN_PROGRESS => ErrorMessage::StillSending,
                _ => match status {
                    401 => ErrorMessage::SessionExpired,
                    403 => ErrorMessage::Forbidden,
                    404 => ErrorMessage::NotFound,
                    429 => ErrorMessage::RateLimited,
                    400 | 422 => ErrorMessage::CheckFields,
                    500..=599 => ErrorMessage::ServerTrouble,
                    _ => ErrorMessage::Unexpected,
                },
            },
        }
    }

    /// True when the backend says the person is not (or no longer) signed in.
    pub fn is_unauthenticated(&self) -> bool {
        matches!(self, ApiError::Status { status: 401, problem, .. } if problem.type_uri != pt::INVALID_CREDENTIALS)
    }

    /// Field-level errors from a validation problem, for showing next to each field.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            ApiError::Status { problem, .. } => &problem.errors,
            _ => &[],
        }
    }

    /// True when trying again later may succeed without changing the request.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Network | ApiError::Timeout => true,
            ApiError::Status { status, .. } => matches!(status, 408 | 429 | 502 | 503 | 504),
            ApiError::Cancelled | ApiError::Malformed { .. } => false,
        }
    }
}

/// Decodes a finished response. `content_type` and `retry_after` are the raw header values.
pub fn decode_response<T: DeserializeOwned>(
    status: u16,
    content_type: Option<&str>,
    retry_after: Option<&str>,
    body: &str,
) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        // A 204 has no body; callers that expect one use `()`-like types that accept `null`.
        let text = if body.trim().is_empty() { "null" } else { body };
        return serde_json::from_str(text).map_err(|_| ApiError::Malformed { status });
    }
    Err(decode_error(status, content_type, retry_after, body))
}

/// Turns a non-2xx response into an error, reading its problem document when there is a sound one.
pub fn decode_error(
    status: u16,
    content_type: Option<&str>,
    retry_after: Option<&str>,
    body: &str,
) -> ApiError {
    let is_json = content_type
        .map(|c| {
            let c = c.to_ascii_lowercase();
            c.contains("application/problem+json") || c.contains("application/json")
        })
        .unwrap_or(false);
    let mut problem = if is_json {
        serde_json::from_str::<Problem>(body).unwrap_or_default()
    } else {
        Problem::default()
    };
    if problem.type_uri.is_empty() {
        problem.type_uri = "about:blank".into();
    }
    // The status line is authoritative; a body that claims another status is ignored on that point.
    problem.status = status;
    let retry_after_seconds = retry_after.and_then(|v| v.trim().parse::<u32>().ok());
    ApiError::Status {
        status,
        problem: Box::new(problem),
        retry_after_seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Thing {
        name: String,
    }

    #[test]
    fn ok_body_decodes() {
        let t: Thing =
            decode_response(200, Some("application/json"), None, r#"{"name":"x"}"#).unwrap();
        assert_eq!(t.name, "x");
    }

    #[test]
    fn malformed_ok_bodies_are_errors_not_panics() {
        for body in [
            "",
            "{",
            "[]",
            "null",
            "{\"name\":3}",
            "<html>oops</html>",
            "\u{0}",
        ] {
            let r: Result<Thing, _> = decode_response(200, Some("application/json"), None, body);
            assert_eq!(r, Err(ApiError::Malformed { status: 200 }), "body {body:?}");
        }
    }

    #[test]
    fn empty_204_decodes_to_unit() {
        let r: Result<(), _> = decode_response(204, None, None, "");
        assert_eq!(r, Ok(()));
    }

    #[test]
    fn problem_document_maps_to_message() {
        let body = r#"{"type":"/problems/invalid-credentials","title":"Wrong email or password","status":401}"#;
        let e = decode_error(401, Some("application/problem+json"), None, body);
        assert_eq!(e.message(), ErrorMessage::InvalidCredentials);
        assert!(!e.is_unauthenticated());
        let body = r#"{"type":"/problems/unauthenticated","title":"Sign in","status":401}"#;
        let e = decode_error(401, Some("application/problem+json"), None, body);
        assert_eq!(e.message(), ErrorMessage::SessionExpired);
        assert!(e.is_unauthenticated());
    }

    #[test]
    fn validation_problem_keeps_field_errors() {
        let body = r#"{"type":"/problems/validation","title":"t","status":422,
            "errors":[{"field":"email","code":"invalid_email","detail":"d"}]}"#;
        let e = decode_error(
            422,
            Some("application/problem+json; charset=utf-8"),
            None,
            body,
        );
        assert_eq!(e.message(), ErrorMessage::CheckFields);
        assert_eq!(e.field_errors()[0].field, "email");
    }

    #[test]
    fn html_error_page_falls_back_to_status() {
        let e = decode_error(502, Some("text/html"), None, "<h1>Bad gateway</h1>");
        assert_eq!(e.message(), ErrorMessage::ServerTrouble);
        assert!(e.is_transient());
        let e = decode_error(500, Some("application/problem+json"), None, "{not json");
        assert_eq!(e.message(), ErrorMessage::ServerTrouble);
        assert!(!e.is_transient());
    }

    #[test]
    fn rate_limit_reads_retry_after() {
        let e = decode_error(429, None, Some(" 30 "), "");
        assert!(matches!(
            e,
            ApiError::Status {
                retry_after_seconds: Some(30),
                ..
            }
        ));
        assert_eq!(e.message(), ErrorMessage::RateLimited);
        let e = decode_error(429, None, Some("Wed, 21 Oct 2015 07:28:00 GMT"), "");
        assert!(matches!(
            e,
            ApiError::Status {
                retry_after_seconds: None,
                ..
            }
        ));
    }

    #[test]
    fn body_status_does_not_override_status_line() {
        let e = decode_error(
            500,
            Some("application/problem+json"),
            None,
            r#"{"status":200}"#,
        );
        assert!(
            matches!(e, ApiError::Status { status: 500, ref problem, .. } if problem.status == 500)
        );
    }

    proptest! {
        #[test]
        fn any_response_decodes_without_panic(status in 0u16..1000, ct in proptest::option::of("[a-z/+;= -]{0,40}"),
                                             ra in proptest::option::of(".{0,12}"), body in any::<String>()) {
            let _ = decode_response::<Thing>(status, ct.as_deref(), ra.as_deref(), &body);
            let e = decode_error(status, ct.as_deref(), ra.as_deref(), &body);
            let _ = e.message();
        }

        #[test]
        fn any_json_value_decodes_without_panic(body in "[\\[\\]{}\":,0-9a-z ]{0,64}") {
            let _ = decode_response::<Thing>(200, Some("application/json"), None, &body);
            let _ = decode_error(400, Some("application/problem+json"), None, &body);
        }
    }
}
