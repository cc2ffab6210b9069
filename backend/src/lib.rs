//! Reference backend of the patient portal: implements `api/openapi.yaml` on SQLite and serves the
//! built app. `main.rs` only reads settings and starts [`router`]; tests drive the router directly.

pub mod articles;
pub mod auth;
pub mod clock;
pub mod config;
pub mod content;
pub mod csrf;
pub mod db;
pub mod first_paint;
pub mod ics;
pub mod idempotency;
pub mod inquiries;
pub mod password;
pub mod problem;
pub mod push;
pub mod rate_limit;
pub mod reminders;
pub mod routes;
pub mod security;
pub mod seed;
pub mod sessions;
pub mod static_files;
pub mod studio;
pub mod time_zones;
pub mod web_push;
pub mod words;

pub use config::Settings;
pub use routes::ROUTES;

use axum::{
    extract::{DefaultBodyLimit, Request},
    http::{header, HeaderValue},
    middleware::{from_fn, from_fn_with_state, Next},
    response::Response,
    routing::MethodRouter,
    Router,
};
use portal_core::api::API_PREFIX;
use std::{collections::BTreeMap, path::Path, sync::Arc};
use tower::ServiceBuilder;
use tower_http::compression::{
    predicate::{DefaultPredicate, Predicate},
    CompressionLayer, CompressionLevel,
};

/// Largest request body the API accepts.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// Everything handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: db::Db,
    pub clock: clock::Clock,
    pub limiter: Arc<rate_limit::RateLimiter>,
    pub csp: Arc<security::Csp>,
}

impl AppState {
    /// Opens (or creates) the database file and prepares the state for serving.
    pub fn open(settings: Settings, db_path: &Path) -> Result<AppState, db::DbError> {
        Self::with_db(settings, db::Db::open(db_path)?)
    }

    /// Prepares the state on an open database: adds the demo accounts it lacks (when
    /// `seed_demo_users` is on), the demo products if its catalogue is empty, and the embedded
    /// articles if its library is empty (after the products, which articles may name).
    pub fn with_db(settings: Settings, db: db::Db) -> Result<AppState, db::DbError> {
        let clock = clock::Clock::default();
        if settings.seed_demo_users {
            let now = clock.now();
            db.call_blocking(|conn| seed::seed_missing_accounts(conn, now))?;
        }
        db.call_blocking(seed::seed_products_if_empty)?;
        let now = clock.now();
        db.call_blocking(move |conn| content::seed_articles_if_empty(conn, now))?;
        // Computed now, so the first unknown-email sign-in is not measurably slower than later ones.
        let _ = password::dummy_hash();
        let pages: Vec<_> = portal_core::navigation::Entry::ALL
            .iter()
            .filter_map(|e| {
                let name = std::path::PathBuf::from(e.html_file());
                let html = std::fs::read(settings.static_dir.join(&name)).ok()?;
                Some((name, html))
            })
            .collect();
        let csp = security::Csp::new(&settings.runtime.api_base_url, &pages);
        Ok(AppState {
            settings: Arc::new(settings),
            db,
            clock,
            limiter: Arc::new(rate_limit::RateLimiter::new()),
            csp: Arc::new(csp),
        })
    }
}

/// The whole application: API, `/config.json`, and the app itself.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// Like [`router`], with `extra_api` routes (paths relative to `/api/v1`) mounted behind the same
/// API middleware; lets tests exercise extractors and middleware on endpoints of their own.
pub fn router_with(state: AppState, extra_api: Router<AppState>) -> Router {
    let mut by_path: BTreeMap<&str, MethodRouter<AppState>> = BTreeMap::new();
    for route in ROUTES {
        let entry = by_path.entry(route.path).or_default();
        *entry = std::mem::take(entry).merge((route.handler)());
    }

    let mut api: Router<AppState> = Router::new();
    let mut top: Router<AppState> = Router::new();
    for (path, methods) in by_path {
        let methods = methods.fallback(routes::method_not_allowed);
        match path.strip_prefix(API_PREFIX) {
            Some(relative) => api = api.route(relative, methods),
            None => top = top.route(path, methods),
        }
    }

    let api = api
        .merge(extra_api)
        .route_layer(from_fn_with_state(
            state.clone(),
            idempotency::idempotency_middleware,
        ))
        .fallback(static_files::api_not_found)
        .layer(
            ServiceBuilder::new()
                .layer(from_fn(problem::contain_panics))
                .layer(from_fn(api_cache_control))
                .layer(from_fn_with_state(state.clone(), csrf::csrf_middleware))
                .layer(from_fn_with_state(state.clone(), auth::session_middleware))
                .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES)),
        );

    top.nest(API_PREFIX, api)
        .fallback(static_files::fallback)
        .layer(
            ServiceBuilder::new()
                .layer(from_fn(log_requests))
                .layer(on_the_fly_compression())
                .layer(from_fn_with_state(
                    state.clone(),
                    security::security_headers,
                ))
                .layer(from_fn(problem::ensure_problem_json)),
        )
        .with_state(state)
}

/// Marks an answer that is compressed on the fly for browsers that accept brotli or gzip: the
/// pages the backend writes and published articles, the largest answers a patient waits for.
/// Built files are compressed ahead of time instead; other API answers are small. Compressing
/// is safe here because none of these answers puts a secret (a token, a password) beside text a
/// third party could choose, which is what a compression side channel (BREACH) needs.
#[derive(Debug, Clone, Copy)]
pub struct Compressible;

impl Compressible {
    pub fn mark(mut res: Response) -> Response {
        res.extensions_mut().insert(Compressible);
        res
    }
}

/// Brotli quality 5 (gzip level 5): most of the gain of the slowest setting, at a small share of
/// its time, which matters for pages written per request.
fn on_the_fly_compression() -> CompressionLayer<impl Predicate> {
    let marked = |_: axum::http::StatusCode,
                  _: axum::http::Version,
                  _: &axum::http::HeaderMap,
                  extensions: &axum::http::Extensions| {
        extensions.get::<Compressible>().is_some()
    };
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .quality(CompressionLevel::Precise(5))
        .compress_when(DefaultPredicate::new().and(marked))
}

/// Marks a successful API answer that is the same for everyone (public time zone data): it keeps
/// the `Cache-Control` its handler gave it, where every other API answer is `no-store`.
#[derive(Debug, Clone, Copy)]
pub struct Shareable;

/// `Cache-Control: no-store` on every API answer but [`Shareable`] ones. A shared answer loses
/// any `Set-Cookie` (such as the session middleware's clearing of a dead cookie): a shared cache
/// would hand it to everyone who asks.
async fn api_cache_control(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let shared = res.extensions().get::<Shareable>().is_some()
        && res.status().is_success()
        && res.headers().contains_key(header::CACHE_CONTROL);
    if shared {
        res.headers_mut().remove(header::SET_COOKIE);
    } else {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// One line per request: API traffic and failures at info level, served app files at debug level
/// so page loads do not drown the log. Paths only; query strings may carry personal data. A
/// calendar feed's path is its secret token, so it is logged without it.
async fn log_requests(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = loggable_path(req.uri().path());
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16();
    let ms = started.elapsed().as_millis() as u64;
    if res.status().is_server_error() {
        tracing::warn!(%method, %path, status, ms, "request failed");
    } else if path.starts_with("/api/") || res.status().is_client_error() {
        tracing::info!(%method, %path, status, ms, "request");
    } else {
        tracing::debug!(%method, %path, status, ms, "request");
    }
    res
}

/// The path as logs may show it: a calendar feed's token is a credential, so it is left out.
fn loggable_path(path: &str) -> String {
    if path.starts_with(reminders::CALENDAR_FEED_PREFIX) {
        format!("{}{{token}}", reminders::CALENDAR_FEED_PREFIX)
    } else {
        path.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_tokens_stay_out_of_the_logs() {
        assert_eq!(
            loggable_path("/calendar/abcDEF123_-.ics"),
            "/calendar/{token}"
        );
        assert_eq!(
            loggable_path("/api/v1/people/p1/calendar.ics"),
            "/api/v1/people/p1/calendar.ics"
        );
        assert_eq!(loggable_path("/"), "/");
    }
}
