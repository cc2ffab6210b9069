//! Sessions: the cookie, the table, the middleware that recognises a session on each API request,
//! and the extractors handlers use to demand a signed-in user (`CurrentUser`) or a role (`RequireRole`).

use crate::{db::DbError, problem::ApiProblem, AppState};
use axum::{
    extract::{FromRequestParts, Request, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use portal_core::api::{Role, Session, User};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use std::{
    marker::PhantomData,
    ops::Deref,
    sync::{Arc, Mutex},
};

/// `__Host-`: browsers accept the cookie only with `Secure`, `Path=/` and no `Domain`, so neither a
/// sibling subdomain nor a plain-http page on the same host can plant or overwrite it.
pub const COOKIE_NAME: &str = "__Host-portal_session";
const TOKEN_BYTES: usize = 32;

/// A fresh session token: 32 random bytes, base64url without padding.
pub fn new_token() -> String {
    let bytes: [u8; TOKEN_BYTES] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Only the hash is stored, so a leaked database does not hand out live sessions.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Every (name, value) pair of the request's `Cookie` headers.
pub fn cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

/// The session token from the `Cookie` headers, if one is present and well formed.
pub fn token_from_headers(headers: &HeaderMap) -> Option<String> {
    cookies(headers)
        .filter(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim_matches('"'))
        .find(|value| {
            URL_SAFE_NO_PAD
                .decode(value)
                .is_ok_and(|b| b.len() == TOKEN_BYTES)
        })
        .map(str::to_owned)
}

pub fn session_cookie(token: &str, max_age_seconds: i64) -> HeaderValue {
    cookie_value(token, max_age_seconds.max(0))
}

pub fn clearing_cookie() -> HeaderValue {
    cookie_value("", 0)
}

fn cookie_value(token: &str, max_age: i64) -> HeaderValue {
    let text = format!(
        "{COOKIE_NAME}={token}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={max_age}"
    );
    // The token is base64url and the rest is fixed ASCII, so this cannot fail; stay safe regardless.
    HeaderValue::from_str(&text).unwrap_or_else(|_| {
        HeaderValue::from_static("__Host-portal_session=; Secure; Path=/; Max-Age=0")
    })
}

fn sets_session_cookie(res: &Response) -> bool {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with(&format!("{COOKIE_NAME}=")))
}

/// A session row joined with its user.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub token_hash: Vec<u8>,
    pub user: User,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// The lifetime rules of sessions.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    pub idle_seconds: i64,
    pub absolute_seconds: i64,
}

impl Lifetimes {
    pub fn from_state(state: &AppState) -> Self {
        Lifetimes {
            idle_seconds: i64::from(state.settings.session_idle_timeout_seconds),
            absolute_seconds: i64::from(state.settings.session_absolute_lifetime_seconds),
        }
    }

    pub fn expires_at(&self, created_at: i64, last_seen_at: i64) -> i64 {
        (last_seen_at + self.idle_seconds).min(created_at + self.absolute_seconds)
    }
}

pub fn user_from_row(
    id: String,
    email: String,
    display_name: String,
    role: String,
) -> Result<User, DbError> {
    let role = Role::parse(&role)
        .ok_or_else(|| DbError::new(format!("user {id} has unknown role {role:?}")))?;
    Ok(User {
        id,
        email,
        display_name,
        role,
    })
}

fn load_session(conn: &Connection, hash: &[u8]) -> Result<Option<SessionRecord>, DbError> {
    let row = conn
        .query_row(
            "SELECT u.id, u.email, u.display_name, u.role, s.created_at, s.last_seen_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1",
            params![hash],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                ))
            },
        )
        .optional()?;
    match row {
        None => Ok(None),
        Some((id, email, name, role, created_at, last_seen_at)) => Ok(Some(SessionRecord {
            token_hash: hash.to_vec(),
            user: user_from_row(id, email, name, role)?,
            created_at,
            last_seen_at,
        })),
    }
}

/// A session just stored: the token for the cookie and when the session ends unless used.
pub struct NewSession {
    pub token: String,
    pub expires_at: i64,
    /// Seconds from creation to `expires_at`, for the cookie's Max-Age.
    pub max_age_seconds: i64,
}

/// Stores a new session for `user_id` and returns its token; also clears out expired sessions.
pub async fn create_session(
    state: &AppState,
    user_id: String,
    replaces: Option<Vec<u8>>,
) -> Result<NewSession, DbError> {
    let token = new_token();
    let hash = token_hash(&token);
    let now = state.clock.now();
    let life = Lifetimes::from_state(state);
    state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            if let Some(old) = replaces {
                // A new sign-in never keeps the old session alive (no session fixation).
                tx.execute("DELETE FROM sessions WHERE token_hash = ?1", params![old])?;
            }
            tx.execute(
                "DELETE FROM sessions WHERE last_seen_at <= ?1 OR created_at <= ?2",
                params![now - life.idle_seconds, now - life.absolute_seconds],
            )?;
            tx.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?3)",
                params![hash, user_id, now],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    let expires_at = life.expires_at(now, now);
    Ok(NewSession {
        token,
        expires_at,
        max_age_seconds: expires_at - now,
    })
}

pub async fn delete_session(state: &AppState, hash: Vec<u8>) -> Result<(), DbError> {
    state
        .db
        .call(move |conn| {
            conn.execute("DELETE FROM sessions WHERE token_hash = ?1", params![hash])?;
            Ok(())
        })
        .await
}

/// What the session middleware learnt about the request, shared with extractors and handlers.
#[derive(Debug, Default)]
pub struct SessionContext {
    /// The well-formed token the request carried, valid or not.
    pub token: Option<String>,
    /// The live session the token belongs to, as it was when the request arrived.
    pub active: Option<SessionRecord>,
    /// Set once a handler used the session; the middleware then re-sends the cookie.
    used: Mutex<Option<CurrentUser>>,
}

impl SessionContext {
    pub fn user_id(&self) -> Option<&str> {
        self.active.as_ref().map(|s| s.user.id.as_str())
    }

    pub fn token_hash(&self) -> Option<Vec<u8>> {
        self.token.as_deref().map(token_hash)
    }

    fn used(&self) -> Option<CurrentUser> {
        self.used.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Recognises the session cookie on every API request. Expired sessions are deleted here, and a
/// session a handler used gets its cookie re-sent so the browser's copy slides along with the server's.
pub async fn session_middleware(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let ctx = match resolve(&state, req.headers()).await {
        Ok(ctx) => Arc::new(ctx),
        Err(e) => return ApiProblem::from(e).into_response(),
    };
    req.extensions_mut().insert(ctx.clone());
    let mut res = next.run(req).await;
    if sets_session_cookie(&res) {
        return res;
    }
    match (&ctx.token, ctx.used()) {
        (Some(token), Some(user)) if res.status() != StatusCode::UNAUTHORIZED => {
            res.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(token, user.cookie_max_age_seconds),
            );
        }
        (Some(_), _) if ctx.active.is_none() => {
            // Tell the browser to drop a cookie that no longer opens anything.
            res.headers_mut()
                .append(header::SET_COOKIE, clearing_cookie());
        }
        _ => {}
    }
    res
}

/// Who is signed in with the request's cookie, if anyone, without counting the request as activity:
/// for pages the backend writes out (the app confirms the session itself once it runs).
pub async fn signed_in_user(state: &AppState, headers: &HeaderMap) -> Option<User> {
    resolve(state, headers)
        .await
        .ok()?
        .active
        .map(|record| record.user)
}

async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<SessionContext, DbError> {
    let Some(token) = token_from_headers(headers) else {
        return Ok(SessionContext::default());
    };
    let hash = token_hash(&token);
    let now = state.clock.now();
    let life = Lifetimes::from_state(state);
    let active = state
        .db
        .call(move |conn| {
            let Some(record) = load_session(conn, &hash)? else {
                return Ok(None);
            };
            if now >= life.expires_at(record.created_at, record.last_seen_at) {
                conn.execute("DELETE FROM sessions WHERE token_hash = ?1", params![hash])?;
                return Ok(None);
            }
            Ok(Some(record))
        })
        .await?;
    Ok(SessionContext {
        token: Some(token),
        active,
        used: Mutex::new(None),
    })
}

/// The request's session context; empty when the session middleware is not installed.
pub struct SessionCtx(pub Arc<SessionContext>);

impl<S: Send + Sync> FromRequestParts<S> for SessionCtx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(SessionCtx(
            parts
                .extensions
                .get::<Arc<SessionContext>>()
                .cloned()
                .unwrap_or_default(),
        ))
    }
}

/// The signed-in user of a request. Extracting it counts as activity and extends the session.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    /// Unix seconds at which the session ends unless used again.
    pub expires_at: i64,
    pub idle_timeout_seconds: u32,
    /// Seconds from this request to `expires_at`, for the re-sent cookie.
    cookie_max_age_seconds: i64,
}

impl Deref for CurrentUser {
    type Target = User;
    fn deref(&self) -> &User {
        &self.user
    }
}

impl CurrentUser {
    pub fn session(&self) -> Result<Session, ApiProblem> {
        Ok(Session {
            user: self.user.clone(),
            expires_at: rfc3339(self.expires_at)?,
            idle_timeout_seconds: self.idle_timeout_seconds,
        })
    }

    /// 403 unless the user has one of `roles`; for checks that depend on request data.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), ApiProblem> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(ApiProblem::forbidden())
        }
    }
}

pub fn rfc3339(unix_seconds: i64) -> Result<String, ApiProblem> {
    jiff::Timestamp::from_second(unix_seconds)
        .map(|t| t.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, unix_seconds, "time out of range");
            ApiProblem::internal()
        })
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiProblem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiProblem> {
        let Some(ctx) = parts.extensions.get::<Arc<SessionContext>>().cloned() else {
            tracing::error!("CurrentUser used on a route without the session middleware");
            return Err(ApiProblem::internal());
        };
        if let Some(user) = ctx.used() {
            return Ok(user);
        }
        let Some(active) = ctx.active.clone() else {
            return Err(ApiProblem::unauthenticated());
        };
        let now = state.clock.now();
        let hash = active.token_hash.clone();
        let still_there = state
            .db
            .call(move |conn| {
                Ok(conn.execute(
                    "UPDATE sessions SET last_seen_at = ?1 WHERE token_hash = ?2",
                    params![now, hash],
                )? == 1)
            })
            .await?;
        if !still_there {
            // Signed out in another tab while this request was on its way.
            return Err(ApiProblem::unauthenticated());
        }
        let expires_at = Lifetimes::from_state(state).expires_at(active.created_at, now);
        let user = CurrentUser {
            user: active.user,
            expires_at,
            idle_timeout_seconds: state.settings.session_idle_timeout_seconds,
            cookie_max_age_seconds: expires_at - now,
        };
        *ctx.used.lock().unwrap_or_else(|p| p.into_inner()) = Some(user.clone());
        Ok(user)
    }
}

/// The set of roles an endpoint admits, as a type, so the requirement is visible in the signature.
pub trait AllowedRoles: Send + Sync + 'static {
    const ROLES: &'static [Role];
}

/// Content-team members (Studio).
pub struct Editors;
impl AllowedRoles for Editors {
    const ROLES: &'static [Role] = &[Role::Editor];
}

pub struct Patients;
impl AllowedRoles for Patients {
    const ROLES: &'static [Role] = &[Role::Patient];
}

pub struct Caregivers;
impl AllowedRoles for Caregivers {
    const ROLES: &'static [Role] = &[Role::Caregiver];
}

/// People who receive care information: patients and those caring for them.
pub struct PatientsOrCaregivers;
impl AllowedRoles for PatientsOrCaregivers {
    const ROLES: &'static [Role] = &[Role::Patient, Role::Caregiver];
}

/// The Medical Information team: answers inquiries, and (as drug safety's first contact) works
/// through the safety reports among them.
pub struct MedicalInformationTeam;
impl AllowedRoles for MedicalInformationTeam {
    const ROLES: &'static [Role] = &[Role::MedicalInformation];
}

/// A signed-in user with one of `A::ROLES`; 401 when not signed in, 403 for other roles.
pub struct RequireRole<A: AllowedRoles> {
    pub user: CurrentUser,
    _roles: PhantomData<fn() -> A>,
}

impl<A: AllowedRoles> Deref for RequireRole<A> {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.user
    }
}

impl<A: AllowedRoles> FromRequestParts<AppState> for RequireRole<A> {
    type Rejection = ApiProblem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiProblem> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        user.require_any(A::ROLES)?;
        Ok(RequireRole {
            user,
            _roles: PhantomData,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_32_random_bytes() {
        let a = new_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_ne!(a, new_token());
    }

    #[test]
    fn finds_the_session_cookie_among_others() {
        let token = new_token();
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; __Host-portal_session=short"),
        );
        h.append(
            header::COOKIE,
            HeaderValue::from_str(&format!("theme=dark; __Host-portal_session={token}")).unwrap(),
        );
        assert_eq!(token_from_headers(&h), Some(token));
        let mut bad = HeaderMap::new();
        bad.insert(
            header::COOKIE,
            HeaderValue::from_static("__Host-portal_session=%%%"),
        );
        assert_eq!(token_from_headers(&bad), None);
    }

    #[test]
    fn expiry_is_the_earlier_of_idle_and_absolute() {
        let l = Lifetimes {
            idle_seconds: 1800,
            absolute_seconds: 43200,
        };
        assert_eq!(l.expires_at(0, 0), 1800);
        assert_eq!(l.expires_at(0, 43000), 43200);
    }
}
