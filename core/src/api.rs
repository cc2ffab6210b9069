//! Data types of the backend contract (`api/openapi.yaml`), shared by the app and the reference backend.

use serde::{Deserialize, Serialize};

/// The version prefix of every API path.
pub const API_PREFIX: &str = "/api/v1";

/// What a signed-in person may do. Content-team members are editors; the Medical Information team
/// answers inquiries through the backend's own endpoints (and does not use this app's pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Patient,
    Caregiver,
    Editor,
    MedicalInformation,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Patient => "patient",
            Role::Caregiver => "caregiver",
            Role::Editor => "editor",
            Role::MedicalInformation => "medical_information",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "patient" => Some(Role::Patient),
            "caregiver" => Some(Role::Caregiver),
            "editor" => Some(Role::Editor),
            "medical_information" => Some(Role::MedicalInformation),
            _ => None,
        }
    }
}

/// The signed-in person as the app shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

/// Body of `POST /api/v1/session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

/// Answer of `POST /api/v1/session` and `GET /api/v1/session`.
/// The session itself travels only in an HttpOnly cookie; the app never sees a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub user: User,
    /// RFC 3339 time after which the session ends unless it is used again.
    pub expires_at: String,
    /// Seconds of inactivity after which the backend ends the session.
    pub idle_timeout_seconds: u32,
}

/// Answer of `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    pub status: String,
    pub version: String,
}

/// Deployment settings fetched by the app at start from `/config.json`, so one build serves any deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeConfig {
    /// Base URL of the backend API, absolute or relative to the app's origin, e.g. `/api/v1`.
    pub api_base_url: String,
    /// Phone number of the Medical Information team, shown on the Ask page.
    pub medical_information_phone: String,
    /// Email address of the Medical Information team.
    pub medical_information_email: String,
    /// Local emergency number, shown wherever urgent symptoms are mentioned.
    pub emergency_number: String,
    /// Minutes without activity after which the app signs a person out.
    pub idle_sign_out_minutes: u32,
    /// Where the privacy notice lives.
    pub privacy_notice_url: String,
    /// Milliseconds before an API request is abandoned.
    #[serde(default = "default_request_timeout_ms")]
    pub request_timeout_ms: u32,
}

fn default_request_timeout_ms() -> u32 {
    10_000
}

impl RuntimeConfig {
    /// Checks the settings a deployment could get wrong, so a broken file shows a clear error page
    /// instead of a half-working app.
    pub fn validate(&self) -> Result<(), String> {
        let base = self.api_base_url.trim();
        if base.is_empty() {
            return Err("apiBaseUrl is empty".into());
        }
        if !(base.starts_with('/') || base.starts_with("https://") || base.starts_with("http://")) {
            return Err(format!(
                "apiBaseUrl must start with /, http:// or https://, got {base:?}"
            ));
        }
        if self.idle_sign_out_minutes == 0 {
            return Err("idleSignOutMinutes must be at least 1".into());
        }
        if self.request_timeout_ms < 1_000 {
            return Err("requestTimeoutMs must be at least 1000".into());
        }
        Ok(())
    }

    /// Joins the API base URL and a path that starts with `/`.
    pub fn api_url(&self, path: &str) -> String {
        format!("{}{}", self.api_base_url.trim_end_matches('/'), path)
    }

    /// A full URL for a path the backend gives relative to its own origin (such as a calendar
    /// feed's `/calendar/<token>.ics`): the API base URL's origin when it is absolute, else
    /// `page_origin` (the backend serves the app).
    pub fn backend_url(&self, path: &str, page_origin: &str) -> String {
        let base = self.api_base_url.trim();
        let origin = ["https://", "http://"]
            .iter()
            .find_map(|scheme| {
                let rest = base.strip_prefix(scheme)?;
                let host = rest.split('/').next().unwrap_or(rest);
                Some(format!("{scheme}{host}"))
            })
            .unwrap_or_else(|| page_origin.trim_end_matches('/').to_owned());
        format!("{origin}{path}")
    }
}

/// RFC 9457 problem details, as the backend sends them with `application/problem+json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Problem {
    #[serde(rename = "type", default = "about_blank")]
    pub type_uri: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Extension member: one entry per invalid field of a request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Extension member of a wrong sign-in: how many more wrong passwords for this email are
    /// allowed before signing in pauses for [`crate::sign_in::PAUSE_MINUTES`].
    #[serde(
        default,
        rename = "attemptsLeft",
        skip_serializing_if = "Option::is_none"
    )]
    pub attempts_left: Option<u32>,
}

fn about_blank() -> String {
    "about:blank".into()
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// JSON name of the field, e.g. `email`.
    pub field: String,
    /// Stable machine code, e.g. `required`, `invalid_email`, `too_long`.
    pub code: String,
    /// English explanation for developers and logs.
    pub detail: String,
}

/// Problem `type` URIs used by the portal's backend. The app maps them to plain-language messages.
pub mod problem_types {
    pub const BAD_REQUEST: &str = "/problems/bad-request";
    pub const VALIDATION: &str = "/problems/validation";
    pub const INVALID_CREDENTIALS: &str = "/problems/invalid-credentials";
    pub const UNAUTHENTICATED: &str = "/problems/unauthenticated";
    pub const FORBIDDEN: &str = "/problems/forbidden";
    pub const NOT_FOUND: &str = "/problems/not-found";
    pub const METHOD_NOT_ALLOWED: &str = "/problems/method-not-allowed";
    pub const RATE_LIMITED: &str = "/problems/rate-limited";
    pub const IDEMPOTENCY_KEY_REUSED: &str = "/problems/idempotency-key-reused";
    pub const IDEMPOTENCY_IN_PROGRESS: &str = "/problems/idempotency-in-progress";
    pub const PAYLOAD_TOO_LARGE: &str = "/problems/payload-too-large";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "/problems/unsupported-media-type";
    pub const INTERNAL: &str = "/problems/internal";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> RuntimeConfig {
        RuntimeConfig {
            api_base_url: "/api/v1/".into(),
            medical_information_phone: "+44 800 000 0000".into(),
            medical_information_email: "medinfo@example.com".into(),
            emergency_number: "112".into(),
            idle_sign_out_minutes: 15,
            privacy_notice_url: "/privacy".into(),
            request_timeout_ms: 10_000,
        }
    }

    #[test]
    fn api_url_joins_without_double_slash() {
        assert_eq!(config().api_url("/session"), "/api/v1/session");
    }

    #[test]
    fn backend_urls_use_the_api_origin_or_the_page() {
        let mut c = config();
        assert_eq!(
            c.backend_url("/calendar/t.ics", "https://portal.example/"),
            "https://portal.example/calendar/t.ics"
        );
        c.api_base_url = "https://api.example:8443/v1".into();
        assert_eq!(
            c.backend_url("/calendar/t.ics", "https://portal.example"),
            "https://api.example:8443/calendar/t.ics"
        );
        c.api_base_url = "http://localhost".into();
        assert_eq!(c.backend_url("/x", ""), "http://localhost/x");
    }

    #[test]
    fn config_rejects_bad_base_url_and_zero_idle() {
        let mut c = config();
        assert!(c.validate().is_ok());
        c.api_base_url = "javascript:alert(1)".into();
        assert!(c.validate().unwrap_err().contains("apiBaseUrl"));
        let mut c = config();
        c.idle_sign_out_minutes = 0;
        assert!(c.validate().unwrap_err().contains("idleSignOutMinutes"));
    }

    #[test]
    fn config_timeout_defaults_when_missing() {
        let json = r#"{"apiBaseUrl":"/api/v1","medicalInformationPhone":"1","medicalInformationEmail":"a@b.c",
            "emergencyNumber":"112","idleSignOutMinutes":15,"privacyNoticeUrl":"/privacy"}"#;
        let c: RuntimeConfig = serde_json::from_str(json).unwrap();
        assert_eq!(c.request_timeout_ms, 10_000);
    }

    #[test]
    fn role_round_trips() {
        for r in [
            Role::Patient,
            Role::Caregiver,
            Role::Editor,
            Role::MedicalInformation,
        ] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn problem_tolerates_missing_members() {
        let p: Problem = serde_json::from_str("{}").unwrap();
        assert_eq!(p.type_uri, "about:blank");
        assert!(p.errors.is_empty());
    }
}
