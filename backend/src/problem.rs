//! RFC 9457 problem responses, and the JSON body extractor that turns every kind of bad body into one.

use axum::{
    extract::{rejection::JsonRejection, FromRequest, Request},
    http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use portal_core::api::{problem_types as pt, FieldError, Problem};
use serde::de::DeserializeOwned;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Problem types the backend uses that `portal_core::api::problem_types` does not list (yet).
/// Documented in `api/openapi.yaml` like the others; they belong in core once the app maps them.
pub mod extra_types {
    /// `412`: the `If-Match` version (or a publish request's `version`) is not the current one,
    /// or `If-None-Match: *` met a translation that exists: someone else saved meanwhile.
    pub const VERSION_CONFLICT: &str = "/problems/version-conflict";
    /// `428`: a change to an existing draft came without `If-Match`, so it could silently
    /// overwrite someone else's work.
    pub const PRECONDITION_REQUIRED: &str = "/problems/precondition-required";
    /// `403`: a state-changing request a browser sent from another site (see `csrf`).
    pub const CROSS_SITE_REQUEST: &str = "/problems/cross-site-request";
}

/// An error answer of the API. Handlers return `Result<_, ApiProblem>`.
/// Boxed, so the `Err` side of those results stays one pointer wide.
#[derive(Debug, Clone)]
pub struct ApiProblem(Box<ProblemParts>);

#[derive(Debug, Clone)]
pub struct ProblemParts {
    pub status: StatusCode,
    pub problem: Problem,
    /// Extra response headers, such as `Retry-After`.
    pub headers: HeaderMap,
}

impl std::ops::Deref for ApiProblem {
    type Target = ProblemParts;
    fn deref(&self) -> &ProblemParts {
        &self.0
    }
}

impl std::ops::DerefMut for ApiProblem {
    fn deref_mut(&mut self) -> &mut ProblemParts {
        &mut self.0
    }
}

impl ApiProblem {
    pub fn new(status: StatusCode, type_uri: &str, title: &str) -> Self {
        ApiProblem(Box::new(ProblemParts {
            status,
            problem: Problem {
                type_uri: type_uri.to_owned(),
                title: title.to_owned(),
                status: status.as_u16(),
                detail: None,
                instance: None,
                errors: Vec::new(),
                attempts_left: None,
            },
            headers: HeaderMap::new(),
        }))
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.problem.detail = Some(detail.into());
        self
    }

    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, pt::BAD_REQUEST, "Bad request").with_detail(detail)
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let mut p = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            pt::VALIDATION,
            "Some fields are not valid",
        );
        p.problem.errors = errors;
        p
    }

    /// A wrong email or password; `attempts_left` more are allowed before the pause.
    pub fn invalid_credentials(attempts_left: u32) -> Self {
        let mut problem = Self::new(
            StatusCode::UNAUTHORIZED,
            pt::INVALID_CREDENTIALS,
            "Email or password is wrong",
        );
        problem.problem.attempts_left = Some(attempts_left);
        problem
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            pt::UNAUTHENTICATED,
            "Not signed in",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            pt::FORBIDDEN,
            "Not allowed for this account",
        )
    }

    pub fn cross_site_request(detail: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            extra_types::CROSS_SITE_REQUEST,
            "Request from another website refused",
        )
        .with_detail(detail)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, pt::NOT_FOUND, "Not found")
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            pt::METHOD_NOT_ALLOWED,
            "Method not allowed",
        )
    }

    pub fn rate_limited(retry_after_seconds: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            pt::RATE_LIMITED,
            "Too many attempts",
        )
        .with_detail(format!("Try again in {retry_after_seconds} seconds."))
        .with_header(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds))
    }

    pub fn idempotency_key_reused() -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            pt::IDEMPOTENCY_KEY_REUSED,
            "Idempotency key already used for a different request",
        )
    }

    pub fn idempotency_in_progress() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            pt::IDEMPOTENCY_IN_PROGRESS,
            "A request with this idempotency key is still being processed",
        )
    }

    pub fn payload_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            pt::PAYLOAD_TOO_LARGE,
            "Request body too large",
        )
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            pt::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported media type",
        )
        .with_detail("Send the body as application/json.")
    }

    /// `412`: the request was made against a version that is no longer the current one.
    pub fn version_conflict(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            extra_types::VERSION_CONFLICT,
            "Changed by someone else meanwhile",
        )
        .with_detail(detail)
    }

    /// `428`: a change that must name the version it was made on did not.
    pub fn precondition_required(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            extra_types::PRECONDITION_REQUIRED,
            "The version being changed is required",
        )
        .with_detail(detail)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            pt::INTERNAL,
            "Something went wrong on our side",
        )
    }

    /// The problem for an error status produced outside our handlers (framework rejections, 405s).
    pub fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::BAD_REQUEST => Self::bad_request("The request could not be read."),
            StatusCode::UNAUTHORIZED => Self::unauthenticated(),
            StatusCode::FORBIDDEN => Self::forbidden(),
            StatusCode::NOT_FOUND => Self::not_found(),
            StatusCode::METHOD_NOT_ALLOWED => Self::method_not_allowed(),
            StatusCode::PAYLOAD_TOO_LARGE => Self::payload_too_large(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::unsupported_media_type(),
            StatusCode::UNPROCESSABLE_ENTITY => Self::validation(Vec::new()),
            StatusCode::TOO_MANY_REQUESTS => {
                Self::new(status, pt::RATE_LIMITED, "Too many requests")
            }
            s if s.is_server_error() => {
                let mut p = Self::internal();
                p.status = s;
                p.problem.status = s.as_u16();
                p
            }
            s => Self::new(
                s,
                "about:blank",
                s.canonical_reason().unwrap_or("Request failed"),
            ),
        }
    }
}

impl IntoResponse for ApiProblem {
    fn into_response(self) -> Response {
        let ProblemParts {
            status,
            problem,
            headers,
        } = *self.0;
        let body = match serde_json::to_vec(&problem) {
            Ok(b) => b,
            // Serialising plain strings and numbers cannot fail; answer something valid regardless.
            Err(_) => {
                br#"{"type":"/problems/internal","title":"Internal error","status":500}"#.to_vec()
            }
        };
        let mut res = (status, body).into_response();
        res.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        for (name, value) in headers.iter() {
            res.headers_mut().insert(name.clone(), value.clone());
        }
        res
    }
}

impl From<crate::db::DbError> for ApiProblem {
    fn from(e: crate::db::DbError) -> Self {
        tracing::error!(error = %e, "database error");
        ApiProblem::internal()
    }
}

/// `Json<T>` whose rejections are problem documents with the status the contract promises.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiProblem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection_problem(&rejection)),
        }
    }
}

fn json_rejection_problem(rejection: &JsonRejection) -> ApiProblem {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiProblem::unsupported_media_type(),
        JsonRejection::JsonSyntaxError(e) => ApiProblem::bad_request(e.body_text()),
        JsonRejection::JsonDataError(e) => ApiProblem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            pt::VALIDATION,
            "Some fields are not valid",
        )
        .with_detail(e.body_text()),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiProblem::payload_too_large(),
        other => ApiProblem::bad_request(other.body_text()),
    }
}

/// Marks a response whose error body is meant for people (e.g. "the app is not built") and must stay as is.
#[derive(Debug, Clone, Copy)]
pub struct KeepBody;

/// Marks the router's own "no such route" answer, so the contract test can tell it from a handler's 404.
#[derive(Debug, Clone, Copy)]
pub struct RouteMiss;

/// Ensures every error the framework produces (405s, extractor rejections) is problem+json as well,
/// so future endpoints cannot leak plain-text errors by accident.
pub async fn ensure_problem_json(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error())
        || res.extensions().get::<KeepBody>().is_some()
        || is_problem_json(res.headers())
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let mut problem = ApiProblem::for_status(status);
    if status.is_client_error() {
        if let Ok(bytes) = axum::body::to_bytes(body, 4096).await {
            let text = String::from_utf8_lossy(&bytes).trim().to_owned();
            if !text.is_empty() {
                problem.problem.detail = Some(text);
            }
        }
    } else {
        tracing::error!(%status, "server error without a problem body");
    }
    let problem_res = problem.into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    let (_, body) = problem_res.into_parts();
    Response::from_parts(parts, body)
}

pub fn is_problem_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON))
}

/// Answers a panicking handler with a 500 problem instead of dropping the connection, and lets a
/// started request finish even if the client goes away (so idempotency records are completed).
pub async fn contain_panics(req: Request, next: Next) -> Response {
    match tokio::spawn(next.run(req)).await {
        Ok(res) => res,
        Err(e) => {
            tracing::error!(error = %e, "request handler failed");
            ApiProblem::internal().into_response()
        }
    }
}
