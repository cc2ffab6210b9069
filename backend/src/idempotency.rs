//! `Idempotency-Key` for POST requests: a retried write acts once, and the retry gets the first answer.
//!
//! Applied as a middleware to every POST route under `/api/v1` (except sign-in, which creates a
//! fresh session each time and must never replay a cookie), so new endpoints get it for free.
//!
//! Keys are scoped to the signed-in user (or to anonymous callers), so one person's key can never
//! meet another's. Routes listed in [`SHARED_SCOPES`] are the exception: their keys live in one
//! scope whatever the session, and those routes refuse to run without a key.

use crate::{auth::SessionContext, db::DbError, problem::ApiProblem, AppState, BODY_LIMIT_BYTES};
use axum::{
    body::{Body, Bytes, HttpBody},
    extract::{OriginalUri, Request, State},
    http::{header, HeaderName, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};
use std::{pin::Pin, sync::Arc};

pub const KEY_HEADER: HeaderName = HeaderName::from_static("idempotency-key");
pub const REPLAYED_HEADER: HeaderName = HeaderName::from_static("idempotent-replayed");
pub const KEY_LIFETIME_SECONDS: i64 = 24 * 60 * 60;
pub const MAX_KEY_LEN: usize = 255;
/// POST routes that handle repeats themselves: sign-in (a new session each time) and dose
/// events (each carries its own id, and a full batch is larger than the records keep).
pub const EXEMPT_PATHS: &[&str] = &["/api/v1/session", "/api/v1/dose-events"];
/// POST routes with a path parameter that must not keep their answers, as `(prefix, suffix)`:
/// a calendar feed's address is a secret stored only as a hash, so its answer is never kept for
/// a replay (each POST makes a new address anyway).
pub const EXEMPT_PATTERNS: &[(&str, &str)] = &[("/api/v1/people/", "/calendar-token")];

/// Whether a POST to `path` is left alone by this middleware.
pub fn is_exempt(path: &str) -> bool {
    EXEMPT_PATHS.contains(&path)
        || EXEMPT_PATTERNS.iter().any(|(prefix, suffix)| {
            path.len() > prefix.len() + suffix.len()
                && path.starts_with(prefix)
                && path.ends_with(suffix)
                && !path[prefix.len()..path.len() - suffix.len()].contains('/')
        })
}

/// A POST route whose keys share one scope for every caller, signed in or not.
#[derive(Debug, Clone, Copy)]
pub struct SharedScope {
    pub path: &'static str,
    /// Stored as the key's scope. The `shared:` prefix keeps it apart from user ids (hex) and
    /// from `anonymous`.
    pub scope: &'static str,
}

/// Routes where a retry may come from a different session than the first attempt.
///
/// The app's outbox keeps an inquiry until the backend confirms it, and sends it again after a
/// lost answer, which may be after the person's session ended (or after they signed in). Scoped
/// by user, that retry would miss the first attempt and file the inquiry twice; in one shared
/// scope it is recognised and gets the first answer. Sharing is safe because the keys are random
/// UUIDs, a replay needs the identical body as well, and what it replays is only the receipt.
/// A duplicate here means a medical question (or a safety report) filed twice, so these routes
/// also require the key rather than merely accepting it.
pub const SHARED_SCOPES: &[SharedScope] = &[SharedScope {
    path: "/api/v1/inquiries",
    scope: "shared:inquiries",
}];
/// Larger answers are passed through but not kept for replay.
const MAX_STORED_RESPONSE_BYTES: usize = 1024 * 1024;

/// 1 to 255 printable ASCII characters.
pub fn key_is_valid(key: &[u8]) -> bool {
    (1..=MAX_KEY_LEN).contains(&key.len()) && key.iter().all(|b| (0x20..=0x7e).contains(b))
}

pub fn fingerprint(method: &Method, path: &str, body: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(method.as_str().as_bytes());
    h.update(b"\n");
    h.update(path.as_bytes());
    h.update(b"\n");
    h.update(body);
    h.finalize().to_vec()
}

#[derive(Debug)]
struct StoredResponse {
    status: u16,
    content_type: Option<String>,
    location: Option<String>,
    body: Vec<u8>,
}

#[derive(Debug)]
enum Claim {
    /// This request holds the key and runs the handler.
    Owned,
    Replay(StoredResponse),
    InProgress,
    Reused,
}

pub async fn idempotency_middleware(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let path = req
        .extensions()
        .get::<OriginalUri>()
        .map(|u| u.0.path().to_owned())
        .unwrap_or_else(|| req.uri().path().to_owned());
    if is_exempt(&path) {
        return next.run(req).await;
    }
    let shared = SHARED_SCOPES.iter().find(|s| s.path == path);
    let Some(raw_key) = req.headers().get(&KEY_HEADER) else {
        if shared.is_some() {
            return missing_key().into_response();
        }
        return next.run(req).await;
    };
    if !key_is_valid(raw_key.as_bytes()) {
        return ApiProblem::bad_request(
            "Idempotency-Key must be 1 to 255 printable ASCII characters.",
        )
        .into_response();
    }
    let key = String::from_utf8_lossy(raw_key.as_bytes()).into_owned();
    let scope = match shared {
        Some(shared) => shared.scope.to_owned(),
        None => req
            .extensions()
            .get::<Arc<SessionContext>>()
            .and_then(|c| c.user_id().map(str::to_owned))
            .unwrap_or_else(|| "anonymous".to_owned()),
    };

    let (parts, body) = req.into_parts();
    let body = match read_limited(body, BODY_LIMIT_BYTES).await {
        Ok(b) => b,
        Err(p) => return p.into_response(),
    };
    let print = fingerprint(&parts.method, &path, &body);

    let claim = match claim(&state, scope.clone(), key.clone(), print).await {
        Ok(c) => c,
        Err(e) => return ApiProblem::from(e).into_response(),
    };
    match claim {
        Claim::Reused => return ApiProblem::idempotency_key_reused().into_response(),
        Claim::InProgress => return ApiProblem::idempotency_in_progress().into_response(),
        Claim::Replay(stored) => return replay(stored),
        Claim::Owned => {}
    }

    let mut guard = ClaimGuard {
        state: state.clone(),
        scope,
        key,
        armed: true,
    };
    let res = next.run(Request::from_parts(parts, Body::from(body))).await;
    let (res_parts, res_body) = res.into_parts();
    let bytes = match axum::body::to_bytes(res_body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "could not read a response to keep for replay");
            return ApiProblem::internal().into_response();
        }
    };
    let status = res_parts.status;
    // 408 and 429 say "not now", not "done": a retry with the same key must run for real.
    let transient = matches!(status.as_u16(), 408 | 429);
    if status.is_server_error() || transient || bytes.len() > MAX_STORED_RESPONSE_BYTES {
        // A server error may be transient: release the key before answering, so the client's
        // retry runs for real instead of meeting its own unfinished claim.
        let (scope, key) = (guard.scope.clone(), guard.key.clone());
        let released = state
            .db
            .call(move |conn| {
                conn.execute(RELEASE_SQL, params![scope, key])?;
                Ok(())
            })
            .await;
        match released {
            Ok(()) => guard.armed = false,
            Err(e) => tracing::error!(error = %e, "could not release an idempotency key"),
        }
    } else {
        let header_text = |name| {
            res_parts
                .headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let stored = StoredResponse {
            status: status.as_u16(),
            content_type: header_text(header::CONTENT_TYPE),
            location: header_text(header::LOCATION),
            body: bytes.to_vec(),
        };
        match complete(&state, &guard.scope, &guard.key, stored).await {
            Ok(()) => guard.armed = false,
            Err(e) => tracing::error!(error = %e, "could not store an idempotent response"),
        }
    }
    Response::from_parts(res_parts, Body::from(bytes))
}

/// The answer to a POST on a [`SHARED_SCOPES`] route without a key.
pub fn missing_key() -> ApiProblem {
    ApiProblem::bad_request(
        "This request needs an Idempotency-Key header: a fresh random value (such as a UUID) \
         for each new request, sent again unchanged with every retry of it.",
    )
}

/// Reads a request body up to `limit` bytes, answering 413 beyond it.
async fn read_limited(mut body: Body, limit: usize) -> Result<Bytes, ApiProblem> {
    if body.size_hint().lower() > limit as u64 {
        return Err(ApiProblem::payload_too_large());
    }
    let mut buf = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame =
            frame.map_err(|_| ApiProblem::bad_request("The request body could not be read."))?;
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > limit {
                return Err(ApiProblem::payload_too_large());
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(buf))
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut res = (status, stored.body).into_response();
    let headers = res.headers_mut();
    headers.remove(header::CONTENT_TYPE);
    for (name, value) in [
        (header::CONTENT_TYPE, stored.content_type),
        (header::LOCATION, stored.location),
    ] {
        if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(name, v);
        }
    }
    headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    res
}

async fn claim(
    state: &AppState,
    scope: String,
    key: String,
    print: Vec<u8>,
) -> Result<Claim, DbError> {
    let now = state.clock.now();
    // One locked step from look-up to insert, so concurrent duplicates cannot both own the key.
    state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            tx.execute(
                "DELETE FROM idempotency_keys WHERE created_at <= ?1",
                params![now - KEY_LIFETIME_SECONDS],
            )?;
            let existing = tx
                .query_row(
                    "SELECT fingerprint, completed, status, content_type, location, body
                     FROM idempotency_keys WHERE scope = ?1 AND key = ?2",
                    params![scope, key],
                    |r| {
                        Ok((
                            r.get::<_, Vec<u8>>(0)?,
                            r.get::<_, bool>(1)?,
                            r.get::<_, Option<u16>>(2)?,
                            r.get::<_, Option<String>>(3)?,
                            r.get::<_, Option<String>>(4)?,
                            r.get::<_, Option<Vec<u8>>>(5)?,
                        ))
                    },
                )
                .optional()?;
            let claim = match existing {
                None => {
                    tx.execute(
                        "INSERT INTO idempotency_keys (scope, key, fingerprint, completed, created_at)
                         VALUES (?1, ?2, ?3, 0, ?4)",
                        params![scope, key, print, now],
                    )?;
                    Claim::Owned
                }
                Some((stored_print, _, _, _, _, _)) if stored_print != print => Claim::Reused,
                Some((_, false, _, _, _, _)) => Claim::InProgress,
                Some((_, true, status, content_type, location, body)) => {
                    Claim::Replay(StoredResponse {
                        status: status.unwrap_or(200),
                        content_type,
                        location,
                        body: body.unwrap_or_default(),
                    })
                }
            };
            tx.commit()?;
            Ok(claim)
        })
        .await
}

async fn complete(
    state: &AppState,
    scope: &str,
    key: &str,
    stored: StoredResponse,
) -> Result<(), DbError> {
    let (scope, key) = (scope.to_owned(), key.to_owned());
    state
        .db
        .call(move |conn| {
            conn.execute(
                "UPDATE idempotency_keys
                 SET completed = 1, status = ?3, content_type = ?4, location = ?5, body = ?6
                 WHERE scope = ?1 AND key = ?2",
                params![
                    scope,
                    key,
                    stored.status,
                    stored.content_type,
                    stored.location,
                    stored.body
                ],
            )?;
            Ok(())
        })
        .await
}

const RELEASE_SQL: &str =
    "DELETE FROM idempotency_keys WHERE scope = ?1 AND key = ?2 AND completed = 0";

fn release(state: &AppState, scope: &str, key: &str) -> Result<(), DbError> {
    state.db.call_blocking(|conn| {
        conn.execute(RELEASE_SQL, params![scope, key])?;
        Ok(())
    })
}

/// Frees a claimed key unless its response was stored: after a 5xx, a panic, or a cancelled request.
struct ClaimGuard {
    state: AppState,
    scope: String,
    key: String,
    armed: bool,
}

impl Drop for ClaimGuard {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let (state, scope, key) = (
            self.state.clone(),
            std::mem::take(&mut self.scope),
            std::mem::take(&mut self.key),
        );
        let run = move || {
            if let Err(e) = release(&state, &scope, &key) {
                tracing::error!(error = %e, "could not release an idempotency key");
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn_blocking(run);
            }
            Err(_) => run(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_rules() {
        assert!(key_is_valid(b"a"));
        assert!(key_is_valid(b"0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(key_is_valid("k".repeat(255).as_bytes()));
        assert!(!key_is_valid(b""));
        assert!(!key_is_valid("k".repeat(256).as_bytes()));
        assert!(!key_is_valid(b"tab\there"));
        assert!(!key_is_valid("caf\u{e9}".as_bytes()));
    }

    #[test]
    fn shared_scopes_cannot_meet_user_scopes() {
        for shared in SHARED_SCOPES {
            assert!(shared.path.starts_with("/api/v1/"));
            assert!(!EXEMPT_PATHS.contains(&shared.path));
            assert!(shared.scope.starts_with("shared:"));
            assert_ne!(shared.scope, "anonymous");
            assert!(!shared.scope.bytes().all(|b| b.is_ascii_hexdigit()));
        }
    }

    #[test]
    fn exemptions_match_whole_routes_only() {
        assert!(is_exempt("/api/v1/session"));
        assert!(is_exempt("/api/v1/dose-events"));
        assert!(is_exempt("/api/v1/people/abc123/calendar-token"));
        assert!(!is_exempt("/api/v1/people//calendar-token"));
        assert!(!is_exempt("/api/v1/people/a/b/calendar-token"));
        assert!(!is_exempt("/api/v1/people"));
        assert!(!is_exempt("/api/v1/reminders"));
        assert!(!is_exempt("/api/v1/inquiries"));
    }

    #[test]
    fn fingerprint_separates_parts() {
        let a = fingerprint(&Method::POST, "/a", b"x");
        assert_eq!(a, fingerprint(&Method::POST, "/a", b"x"));
        assert_ne!(a, fingerprint(&Method::POST, "/a", b"y"));
        assert_ne!(a, fingerprint(&Method::POST, "/b", b"x"));
        assert_ne!(a, fingerprint(&Method::PUT, "/a", b"x"));
    }
}
