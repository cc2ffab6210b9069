//! The table of every route the backend serves. The router is built from it and the contract test
//! compares it with `api/openapi.yaml`, so the two cannot drift apart unnoticed.

use crate::{
    articles, inquiries,
    problem::{ApiProblem, RouteMiss},
    push, reminders, sessions, studio, time_zones, AppState,
};
use axum::{
    extract::{DefaultBodyLimit, State},
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
    routing::{delete, get, post, put, MethodRouter},
    Json,
};
use portal_core::api::{Health, RuntimeConfig};

pub struct Route {
    /// Upper-case HTTP method, as in the spec.
    pub method: &'static str,
    /// Full path, as in the spec (`{name}` for path parameters).
    pub path: &'static str,
    pub(crate) handler: fn() -> MethodRouter<AppState>,
}

pub const ROUTES: &[Route] = &[
    Route {
        method: "GET",
        path: "/config.json",
        handler: || get(runtime_config),
    },
    Route {
        method: "GET",
        path: "/api/v1/health",
        handler: || get(health),
    },
    Route {
        method: "POST",
        path: "/api/v1/session",
        handler: || post(sessions::sign_in),
    },
    Route {
        method: "GET",
        path: "/api/v1/session",
        handler: || get(sessions::current_session),
    },
    Route {
        method: "DELETE",
        path: "/api/v1/session",
        handler: || delete(sessions::sign_out),
    },
    Route {
        method: "GET",
        path: "/api/v1/products",
        handler: || get(inquiries::list_products),
    },
    Route {
        method: "POST",
        path: "/api/v1/inquiries",
        handler: || post(inquiries::submit),
    },
    Route {
        method: "GET",
        path: "/api/v1/inquiries",
        handler: || get(inquiries::list_own),
    },
    Route {
        method: "GET",
        path: "/api/v1/medical-information/inquiries",
        handler: || get(inquiries::list_for_staff),
    },
    Route {
        method: "PUT",
        path: "/api/v1/medical-information/inquiries/{reference}",
        handler: || put(inquiries::update),
    },
    Route {
        method: "GET",
        path: "/api/v1/articles",
        handler: || get(articles::list),
    },
    Route {
        method: "GET",
        path: "/api/v1/articles/{slug}",
        handler: || get(articles::page),
    },
    Route {
        method: "POST",
        path: "/api/v1/articles/{slug}/feedback",
        handler: || post(articles::feedback),
    },
    Route {
        method: "GET",
        path: "/api/v1/studio/articles",
        handler: || get(studio::list),
    },
    Route {
        method: "GET",
        path: "/api/v1/studio/articles/{slug}/{lang}",
        handler: || get(studio::get_draft),
    },
    Route {
        method: "PUT",
        path: "/api/v1/studio/articles/{slug}/{lang}",
        // An article's text may be longer than the API's usual body limit allows.
        handler: || {
            put(studio::save_draft).layer(DefaultBodyLimit::max(studio::DRAFT_BODY_LIMIT_BYTES))
        },
    },
    Route {
        method: "POST",
        path: "/api/v1/studio/articles/{slug}/{lang}/publish",
        handler: || post(studio::publish),
    },
    Route {
        method: "POST",
        path: "/api/v1/studio/articles/{slug}/{lang}/unpublish",
        handler: || post(studio::unpublish),
    },
    Route {
        method: "GET",
        path: "/api/v1/people",
        handler: || get(reminders::list_people),
    },
    Route {
        method: "POST",
        path: "/api/v1/people",
        handler: || post(reminders::create_person),
    },
    Route {
        method: "PUT",
        path: "/api/v1/people/{id}",
        handler: || put(reminders::update_person),
    },
    Route {
        method: "DELETE",
        path: "/api/v1/people/{id}",
        handler: || delete(reminders::delete_person),
    },
    Route {
        method: "GET",
        path: "/api/v1/people/{id}/calendar.ics",
        handler: || get(reminders::person_calendar),
    },
    Route {
        method: "GET",
        path: "/api/v1/people/{id}/calendar-token",
        handler: || get(reminders::calendar_token_status),
    },
    Route {
        method: "POST",
        path: "/api/v1/people/{id}/calendar-token",
        handler: || post(reminders::create_calendar_token),
    },
    Route {
        method: "DELETE",
        path: "/api/v1/people/{id}/calendar-token",
        handler: || delete(reminders::delete_calendar_token),
    },
    Route {
        method: "GET",
        path: "/api/v1/reminders",
        handler: || get(reminders::list_reminders),
    },
    Route {
        method: "POST",
        path: "/api/v1/reminders",
        handler: || post(reminders::create_reminder),
    },
    Route {
        method: "GET",
        path: "/api/v1/reminders/{id}",
        handler: || get(reminders::get_reminder),
    },
    Route {
        method: "PUT",
        path: "/api/v1/reminders/{id}",
        handler: || put(reminders::update_reminder),
    },
    Route {
        method: "DELETE",
        path: "/api/v1/reminders/{id}",
        handler: || delete(reminders::delete_reminder),
    },
    Route {
        method: "GET",
        path: "/api/v1/reminders/{id}/occurrences",
        handler: || get(reminders::reminder_occurrences),
    },
    Route {
        method: "POST",
        path: "/api/v1/dose-events",
        // A device's offline queue may hold more than the API's usual body limit allows.
        handler: || {
            post(reminders::record_dose_events).layer(DefaultBodyLimit::max(
                reminders::DOSE_EVENTS_BODY_LIMIT_BYTES,
            ))
        },
    },
    Route {
        method: "GET",
        path: "/api/v1/dose-events",
        handler: || get(reminders::list_dose_events),
    },
    Route {
        method: "GET",
        path: "/api/v1/push/public-key",
        handler: || get(push::public_key),
    },
    Route {
        method: "PUT",
        path: "/api/v1/push/subscriptions",
        handler: || put(push::put_subscription),
    },
    Route {
        method: "DELETE",
        path: "/api/v1/push/subscriptions",
        handler: || delete(push::delete_subscription),
    },
    Route {
        method: "GET",
        path: "/api/v1/time-zone",
        handler: || get(time_zones::time_zone),
    },
    Route {
        method: "GET",
        path: "/api/v1/time-zones",
        handler: || get(time_zones::list_time_zones),
    },
    Route {
        method: "GET",
        path: "/calendar/{token}",
        handler: || get(reminders::public_calendar),
    },
];

pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}

pub async fn runtime_config(State(state): State<AppState>) -> impl IntoResponse {
    (
        // Revalidated on every start of the app, so a changed deployment takes effect at once.
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
        Json::<RuntimeConfig>(state.settings.runtime.clone()),
    )
}

/// Answer for a known path with a method it does not support; the router adds `Allow`.
pub async fn method_not_allowed() -> Response {
    let mut res = ApiProblem::method_not_allowed().into_response();
    res.extensions_mut().insert(RouteMiss);
    res
}
