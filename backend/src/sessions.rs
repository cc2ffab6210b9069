//! `/api/v1/session`: signing in, asking who is signed in, signing out.

use crate::{
    auth::{self, CurrentUser, SessionCtx},
    password,
    problem::{ApiJson, ApiProblem},
    rate_limit::LimitKey,
    AppState,
};
use axum::{
    extract::{ConnectInfo, FromRequestParts, State},
    http::{header, request::Parts, HeaderName, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use portal_core::{
    api::{FieldError, Session, SignInRequest},
    sign_in::{email_is_plausible, normalise_email, MAX_EMAIL_LEN, MAX_PASSWORD_LEN},
};
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};

/// The peer address of the connection, when the server was started with connect info.
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
                .await
                .ok()
                .map(|ConnectInfo(addr)| addr.ip()),
        ))
    }
}

/// `SignInRequest` with every field optional, so a missing field is reported per field (422)
/// instead of as an unreadable body.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

pub fn validate(form: SignInForm) -> Result<SignInRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let email = form.email.unwrap_or_default();
    let password = form.password.unwrap_or_default();
    let field = |field: &str, code: &str, detail: &str| FieldError {
        field: field.into(),
        code: code.into(),
        detail: detail.into(),
    };
    let trimmed = email.trim();
    if trimmed.is_empty() {
        errors.push(field("email", "required", "Email is required."));
    } else if trimmed.len() > MAX_EMAIL_LEN {
        errors.push(field(
            "email",
            "too_long",
            &format!("Email must be at most {MAX_EMAIL_LEN} bytes."),
        ));
    } else if !email_is_plausible(trimmed) {
        errors.push(field(
            "email",
            "invalid_email",
            "Email must look like name@example.com.",
        ));
    }
    if password.is_empty() {
        errors.push(field("password", "required", "Password is required."));
    } else if password.len() > MAX_PASSWORD_LEN {
        errors.push(field(
            "password",
            "too_long",
            &format!("Password must be at most {MAX_PASSWORD_LEN} bytes."),
        ));
    }
    if errors.is_empty() {
        Ok(SignInRequest { email, password })
    } else {
        Err(errors)
    }
}

/// Password checks allowed at the same time.
static PASSWORD_CHECKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

pub async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    SessionCtx(ctx): SessionCtx,
    ApiJson(form): ApiJson<SignInForm>,
) -> Result<Response, ApiProblem> {
    let request = validate(form).map_err(ApiProblem::validation)?;
    let email = normalise_email(&request.email);
    let email_key = LimitKey::Email(email.clone());
    let keys = [email_key.clone(), LimitKey::client(ip)];
    let now = state.clock.now();
    state
        .limiter
        .attempt(&keys, now)
        .map_err(ApiProblem::rate_limited)?;

    let found = state
        .db
        .call(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT id, email, display_name, role, password_hash FROM users WHERE email = ?1",
                    params![email],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, String>(4)?,
                        ))
                    },
                )
                .optional()?)
        })
        .await?;

    let stored_hash = found
        .as_ref()
        .map(|row| row.4.clone())
        .unwrap_or_else(|| password::dummy_hash().to_owned());
    let password = request.password;
    // Each check takes about 19 MiB and a core for a moment; a flood of sign-ins must queue, not exhaust memory.
    let _permit = PASSWORD_CHECKS
        .acquire()
        .await
        .map_err(|_| ApiProblem::internal())?;
    let matches = tokio::task::spawn_blocking(move || password::verify(&password, &stored_hash))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "password check failed");
            ApiProblem::internal()
        })?;

    // The attempt was counted before the check; a failure stays counted.
    let Some((id, email, display_name, role, _)) = found.filter(|_| matches) else {
        // Said for unknown emails too, counted the same way, so it tells nothing about accounts.
        let left = state.limiter.attempts_left(&keys, now);
        return Err(ApiProblem::invalid_credentials(
            u32::try_from(left).unwrap_or(u32::MAX),
        ));
    };
    state.limiter.forgive(&keys, now);
    state.limiter.reset(&email_key);

    let user = auth::user_from_row(id, email, display_name, role)?;
    let created = auth::create_session(&state, user.id.clone(), ctx.token_hash()).await?;
    let session = Session {
        user,
        expires_at: auth::rfc3339(created.expires_at)?,
        idle_timeout_seconds: state.settings.session_idle_timeout_seconds,
    };
    Ok((
        StatusCode::OK,
        [(
            header::SET_COOKIE,
            auth::session_cookie(&created.token, created.max_age_seconds),
        )],
        Json(session),
    )
        .into_response())
}

/// Nobody signed in is an answer to "who is signed in", not a failure: 204 rather than 401, so a
/// signed-out visit leaves no error in the browser's console.
pub async fn current_session(
    user: Result<CurrentUser, ApiProblem>,
) -> Result<Response, ApiProblem> {
    match user {
        Ok(user) => Ok(Json(user.session()?).into_response()),
        Err(problem) if problem.status == StatusCode::UNAUTHORIZED => {
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Err(problem) => Err(problem),
    }
}

/// Sent with every sign-out: the browser deletes what the app kept on this device (IndexedDB,
/// Cache Storage, localStorage, sessionStorage, the HTTP cache) and unregisters its service worker,
/// even if the app itself was stopped before it could. Not `"cookies"`: `Set-Cookie` already ends
/// the session cookie, and `"cookies"` would also drop the cookies of every other site under the
/// same registrable domain.
pub const CLEAR_SITE_DATA: &str = "\"cache\", \"storage\"";

/// Always 204, so signing out twice or with a stale cookie is not an error.
pub async fn sign_out(
    State(state): State<AppState>,
    SessionCtx(ctx): SessionCtx,
) -> Result<Response, ApiProblem> {
    if let Some(hash) = ctx.token_hash() {
        auth::delete_session(&state, hash).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [
            (header::SET_COOKIE, auth::clearing_cookie()),
            (
                HeaderName::from_static("clear-site-data"),
                HeaderValue::from_static(CLEAR_SITE_DATA),
            ),
        ],
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(email: Option<&str>, password: Option<&str>) -> SignInForm {
        SignInForm {
            email: email.map(str::to_owned),
            password: password.map(str::to_owned),
        }
    }

    fn codes(r: Result<SignInRequest, Vec<FieldError>>) -> Vec<(String, String)> {
        r.unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn each_field_gets_a_code() {
        assert_eq!(
            codes(validate(form(None, None))),
            vec![
                ("email".into(), "required".into()),
                ("password".into(), "required".into())
            ]
        );
        assert_eq!(
            codes(validate(form(Some("nope"), Some("x")))),
            vec![("email".into(), "invalid_email".into())]
        );
        let long_email = format!("{}@example.com", "a".repeat(250));
        let long_password = "p".repeat(MAX_PASSWORD_LEN + 1);
        assert_eq!(
            codes(validate(form(Some(&long_email), Some(&long_password)))),
            vec![
                ("email".into(), "too_long".into()),
                ("password".into(), "too_long".into())
            ]
        );
        assert!(validate(form(Some(" Pat@Example.com "), Some(" "))).is_ok());
    }
}
