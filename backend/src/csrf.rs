//! Refuses state-changing API requests that a browser sends on behalf of another site.
//!
//! The session cookie is `SameSite=Strict`, which already keeps it off cross-site requests in
//! current browsers; this check is the second lock, and the one that also holds for same-site
//! neighbours (another subdomain of the same registrable domain is "same-site" but not
//! same-origin). It uses what browsers add themselves and pages cannot forge:
//!
//! - `Sec-Fetch-Site`: `same-origin` and `none` (typed in the address bar) pass; `same-site` and
//!   `cross-site` pass only from an origin the deployment allows.
//! - `Origin`: must be the API's own origin (scheme from `X-Forwarded-Proto` when a proxy terminates
//!   TLS, host from `Host`) or one of `Settings::allowed_origins`.
//!
//! Requests with neither header (curl, server-to-server calls, very old browsers) pass: they carry
//! no ambient browser credentials a page could abuse, and old browsers still have `SameSite`.

use crate::{problem::ApiProblem, AppState};
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};

const SEC_FETCH_SITE: &str = "sec-fetch-site";
const FORWARDED_PROTO: &str = "x-forwarded-proto";

/// Methods that only read: they may come from anywhere (their answers are protected by CORS and
/// `SameSite`, not by this check).
fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

pub async fn csrf_middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if is_safe(req.method()) {
        return next.run(req).await;
    }
    match check(req.headers(), &state.settings.allowed_origins) {
        Ok(()) => next.run(req).await,
        Err(detail) => {
            tracing::warn!(method = %req.method(), path = req.uri().path(), detail, "cross-site request refused");
            ApiProblem::cross_site_request(detail).into_response()
        }
    }
}

/// `Err` with a sentence for the problem's `detail` when the request came from another site.
pub fn check(headers: &HeaderMap, allowed: &[String]) -> Result<(), &'static str> {
    let origin = match headers.get(header::ORIGIN) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| "The request's Origin header is not readable.")?
                .trim()
                .to_ascii_lowercase(),
        ),
    };
    let configured = origin
        .as_deref()
        .is_some_and(|o| allowed.iter().any(|a| a == o));
    let origin_ok = origin
        .as_deref()
        .map(|o| configured || own_origin(headers).as_deref() == Some(o));
    if let Some(site) = headers.get(SEC_FETCH_SITE) {
        match site.to_str().map(str::trim) {
            Ok("same-origin") | Ok("none") => {}
            // A neighbour on the same site, or another site: only an origin the deployment names.
            _ if configured => {}
            _ => {
                return Err(
                    "This change was sent from another website, so it was refused to protect your account. \
                     Open the portal itself and try again.",
                )
            }
        }
    }
    if origin_ok == Some(false) {
        return Err(
            "This change came from a page on another origin, so it was refused to protect your account. \
             Open the portal itself and try again.",
        );
    }
    Ok(())
}

/// The origin browsers see for this API: `Host` with the scheme a TLS-terminating proxy reports in
/// `X-Forwarded-Proto`, plain `http` without one (this server does not speak TLS itself).
fn own_origin(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?.trim();
    if host.is_empty() {
        return None;
    }
    let scheme = headers
        .get(FORWARDED_PROTO)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| v == "https" || v == "http")
        .unwrap_or_else(|| "http".to_owned());
    Some(format!("{scheme}://{}", host.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_static(value));
        }
        h
    }

    #[test]
    fn own_origin_follows_the_proxy() {
        assert_eq!(
            own_origin(&headers(&[("host", "Portal.Example.com")])).as_deref(),
            Some("http://portal.example.com")
        );
        assert_eq!(
            own_origin(&headers(&[
                ("host", "portal.example.com"),
                ("x-forwarded-proto", "https, http")
            ]))
            .as_deref(),
            Some("https://portal.example.com")
        );
        assert_eq!(own_origin(&headers(&[])), None);
    }

    #[test]
    fn decisions() {
        let allowed = vec!["https://app.example.com".to_owned()];
        let ok = |pairs: &[(&'static str, &'static str)]| check(&headers(pairs), &allowed).is_ok();
        assert!(ok(&[]));
        assert!(ok(&[("sec-fetch-site", "same-origin")]));
        assert!(ok(&[("sec-fetch-site", "none")]));
        assert!(!ok(&[("sec-fetch-site", "cross-site")]));
        assert!(!ok(&[("sec-fetch-site", "same-site")]));
        assert!(ok(&[("host", "h:1"), ("origin", "http://h:1")]));
        assert!(!ok(&[("host", "h:1"), ("origin", "http://h:2")]));
        assert!(!ok(&[("host", "h:1"), ("origin", "null")]));
        assert!(!ok(&[("origin", "http://h:1")]), "no Host to compare with");
        assert!(ok(&[
            ("host", "api.example.com"),
            ("origin", "https://app.example.com"),
            ("sec-fetch-site", "same-site")
        ]));
        assert!(!ok(&[
            ("host", "h:1"),
            ("origin", "http://h:1"),
            ("sec-fetch-site", "cross-site")
        ]));
    }
}
