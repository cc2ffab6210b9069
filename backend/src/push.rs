//! Web Push for dose reminders: devices register their push subscriptions
//! (`/api/v1/push/subscriptions`), and a background round ([`send_due_doses`], every
//! [`TICK_SECONDS`]) pushes each dose that has just become due to every device of its account,
//! so a reminder arrives with the app closed.
//!
//! Dose times come from the core schedule engine, in the zone the app's Today view follows
//! ([`portal_core::dose_log::zone_followed`]), so `scheduledAt` in a push is exactly the
//! occurrence's `at` that a device logs a dose event against. A dose is pushed when it becomes
//! due, unless a dose event already took or skipped it; a snoozed dose is pushed again when its
//! snooze ends. A dose more than [`LATE_LIMIT_SECONDS`] past is never pushed (after the server
//! was down, phones must not ring for a morning's worth of doses at once). Each push is claimed
//! in `push_deliveries` before it is sent, so no device gets the same one twice, even from rounds
//! that overlap.
//!
//! What a push carries is health data. It is encrypted for the device (see [`crate::web_push`]);
//! the push service sees only an opaque body, and a reminder set to hide the medicine's name
//! carries neither name nor dose. Logs name subscriptions by id and push services by host only:
//! an endpoint address is a credential for sending to that device.

use crate::{
    auth::{PatientsOrCaregivers, RequireRole},
    db::DbError,
    problem::{ApiJson, ApiProblem},
    web_push::{self, VapidKey},
    words::words,
    AppState, Shareable,
};
use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use jiff::{SignedDuration, Timestamp};
use portal_core::{
    api::FieldError,
    language::Language,
    reminders::{parse_instant, DoseAction, INVALID, REQUIRED, TOO_LONG},
    schedule::{occurrences, Pattern, Schedule},
};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::{
    collections::BTreeMap,
    fmt,
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};
use url::Url;

/// How often the background round looks for doses that became due.
pub const TICK_SECONDS: u64 = 20;
/// A dose (or the end of its snooze) further back than this is not pushed.
pub const LATE_LIMIT_SECONDS: i64 = 15 * 60;
/// How long a push service keeps trying to reach a device that is off: after an hour a dose
/// reminder is more confusing than useful (the Today view shows it as overdue anyway).
pub const DOSE_TTL_SECONDS: u32 = 3600;
/// Where a tap on the notification leads: the app's Today view.
pub const TODAY_URL: &str = "/reminders";
/// `Cache-Control` of the public key. Short enough that a key changed by configuration reaches
/// devices within the hour.
pub const PUBLIC_KEY_CACHE_CONTROL: &str = "public, max-age=3600";
/// VAPID tokens are valid this long (RFC 8292 allows at most 24 hours).
const VAPID_VALIDITY_SECONDS: i64 = 12 * 60 * 60;
/// Devices an account may register; registering one more forgets the longest unused.
pub const MAX_SUBSCRIPTIONS_PER_ACCOUNT: usize = 20;
pub const MAX_ENDPOINT_CHARS: usize = 2048;
/// Delivery records are needed only while a dose or its snooze can still be pushed.
const DELIVERIES_KEPT_SECONDS: i64 = 2 * 24 * 60 * 60;
/// A push service asking to wait longer than this (`Retry-After`) is not retried.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// Web Push settings of a deployment.
#[derive(Clone)]
pub struct PushSettings {
    /// The VAPID `sub` claim: how push services' operators reach whoever runs this server, a
    /// `mailto:` or `https:` address.
    pub contact: String,
    /// The VAPID private key (32 bytes) when configured; otherwise one is made on first use
    /// and kept in the database.
    pub vapid_private_key: Option<Vec<u8>>,
    /// Accept `http://` endpoints on loopback addresses, for a fake push service in tests.
    /// Never on in a deployment: pushes then leave unencrypted at the transport level.
    pub allow_loopback_http: bool,
    /// Tries per message when the push service fails (5xx, 429, network).
    pub attempts: u32,
    /// Wait before the first retry; doubled for each one after.
    pub retry_delay: Duration,
    pub request_timeout: Duration,
}

pub const DEFAULT_CONTACT: &str = "mailto:security@example.com";

impl Default for PushSettings {
    fn default() -> Self {
        PushSettings {
            contact: DEFAULT_CONTACT.to_owned(),
            vapid_private_key: None,
            allow_loopback_http: false,
            attempts: 4,
            retry_delay: Duration::from_secs(2),
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// The private key stays out of logs and panic messages.
impl fmt::Debug for PushSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushSettings")
            .field("contact", &self.contact)
            .field(
                "vapid_private_key",
                &self.vapid_private_key.as_ref().map(|_| "<configured>"),
            )
            .field("allow_loopback_http", &self.allow_loopback_http)
            .field("attempts", &self.attempts)
            .field("retry_delay", &self.retry_delay)
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

/// Whether `contact` may be the VAPID `sub` claim (RFC 8292 section 2.1).
pub fn is_contact(contact: &str) -> bool {
    let rest = contact
        .strip_prefix("mailto:")
        .or_else(|| contact.strip_prefix("https://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace))
}

/// A configured VAPID private key: base64url of the 32-byte scalar, as web-push tools print it.
pub fn parse_private_key(text: &str) -> Result<Vec<u8>, String> {
    let bytes = web_push::decode_base64url(text.trim())
        .ok_or("is not base64url")?
        .to_vec();
    VapidKey::from_private_bytes(&bytes).map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// Signed-in patients and caregivers; editors and the MI team get `403`.
type Member = RequireRole<PatientsOrCaregivers>;

// The key ------------------------------------------------------------------------------------

/// The server's VAPID key: the configured one, else the stored one, made and stored on first
/// use. Changing it invalidates every subscription, so it is never made again once stored.
pub async fn vapid_key(state: &AppState) -> Result<VapidKey, DbError> {
    if let Some(bytes) = &state.settings.push.vapid_private_key {
        return VapidKey::from_private_bytes(bytes)
            .map_err(|e| DbError::new(format!("the configured VAPID key is unusable: {e}")));
    }
    let now = state.clock.now();
    state.db.call(move |conn| stored_key(conn, now)).await
}

fn stored_key(conn: &Connection, now: i64) -> Result<VapidKey, DbError> {
    let stored: Option<Vec<u8>> = conn
        .query_row("SELECT private_key FROM push_keys WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(bytes) = stored {
        return VapidKey::from_private_bytes(&bytes)
            .map_err(|e| DbError::new(format!("the stored VAPID key is unusable: {e}")));
    }
    // The connection is held for the whole call, so no other call can store one meanwhile.
    let key = VapidKey::generate();
    conn.execute(
        "INSERT INTO push_keys (id, private_key, created_at) VALUES (1, ?1, ?2)",
        params![key.private_bytes(), now],
    )?;
    tracing::info!("made the VAPID key pair for Web Push");
    Ok(key)
}

/// Answer of `GET /api/v1/push/public-key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushPublicKey {
    /// The uncompressed P-256 point, base64url: the `applicationServerKey` to subscribe with.
    pub public_key: String,
}

/// `GET /api/v1/push/public-key`: the key devices subscribe with. Public and the same for
/// everyone, so caches may keep it for an hour.
pub async fn public_key(State(state): State<AppState>) -> Result<Response, ApiProblem> {
    let key = vapid_key(&state).await?;
    let body = PushPublicKey {
        public_key: key.public_key_base64url(),
    };
    let mut res = (
        [(
            header::CACHE_CONTROL,
            HeaderValue::from_static(PUBLIC_KEY_CACHE_CONTROL),
        )],
        Json(body),
    )
        .into_response();
    res.extensions_mut().insert(Shareable);
    Ok(res)
}

// Subscriptions ------------------------------------------------------------------------------

/// Body of `PUT /api/v1/push/subscriptions`: a browser's `PushSubscription.toJSON()`. Other
/// members (`expirationTime`) are ignored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SubscriptionInput {
    pub endpoint: Option<String>,
    pub keys: Option<SubscriptionKeys>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SubscriptionKeys {
    pub p256dh: Option<String>,
    pub auth: Option<String>,
}

/// Body of `DELETE /api/v1/push/subscriptions`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EndpointInput {
    pub endpoint: Option<String>,
}

/// A subscription as stored.
struct CheckedSubscription {
    endpoint: String,
    p256dh: Vec<u8>,
    auth: Vec<u8>,
}

fn field_error(field: &str, code: &str) -> FieldError {
    let detail = match (field, code) {
        ("endpoint", TOO_LONG) => {
            format!("Give the push service's address (at most {MAX_ENDPOINT_CHARS} characters).")
        }
        ("endpoint", _) => "Give the subscription's endpoint: the https address of a push \
                            service, as PushSubscription.endpoint gives it."
            .to_owned(),
        ("keys.p256dh", _) => "Give keys.p256dh as the browser gives it: an uncompressed P-256 \
                               public key (65 bytes), base64url."
            .to_owned(),
        ("keys.auth", _) => {
            "Give keys.auth as the browser gives it: 16 bytes, base64url.".to_owned()
        }
        _ => "Check this field.".to_owned(),
    };
    FieldError {
        field: field.to_owned(),
        code: code.to_owned(),
        detail,
    }
}

/// Whether an address is one a push service could have: public, not this machine, its network
/// or a reserved range. Keeps subscriptions from making the server send requests inside its own
/// network.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                || a >= 240
                // Shared address space (RFC 6598) and IETF protocol assignments.
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                // Benchmarking (RFC 2544).
                || (a == 198 && (18..20).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_ip(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // Unique local (fc00::/7), link-local (fe80::/10), documentation (2001:db8::/32).
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first == 0x2001 && v6.segments()[1] == 0x0db8))
        }
    }
}

/// The endpoint as stored and sent to, if the server may send to it: `https` to a public host,
/// or (only with [`PushSettings::allow_loopback_http`]) `http` to a loopback address.
pub fn checked_endpoint(text: &str, allow_loopback_http: bool) -> Result<Url, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Err(REQUIRED);
    }
    if text.chars().count() > MAX_ENDPOINT_CHARS {
        return Err(TOO_LONG);
    }
    let url = Url::parse(text).map_err(|_| INVALID)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(INVALID);
    }
    let host = url.host().ok_or(INVALID)?;
    let allowed = match (url.scheme(), host) {
        ("https", url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            // Single-label names and localhost resolve inside the server's own network.
            name.contains('.') && name != "localhost" && !name.ends_with(".localhost")
        }
        ("https", url::Host::Ipv4(ip)) => is_public_ip(IpAddr::V4(ip)),
        ("https", url::Host::Ipv6(ip)) => is_public_ip(IpAddr::V6(ip)),
        ("http", url::Host::Ipv4(ip)) => allow_loopback_http && ip.is_loopback(),
        ("http", url::Host::Ipv6(ip)) => allow_loopback_http && ip.is_loopback(),
        _ => false,
    };
    if allowed {
        Ok(url)
    } else {
        Err(INVALID)
    }
}

fn check_subscription(
    input: SubscriptionInput,
    allow_loopback_http: bool,
) -> Result<CheckedSubscription, ApiProblem> {
    let mut errors = Vec::new();
    let endpoint =
        match checked_endpoint(input.endpoint.as_deref().unwrap_or(""), allow_loopback_http) {
            Ok(url) => Some(url.to_string()),
            Err(code) => {
                errors.push(field_error("endpoint", code));
                None
            }
        };
    let keys = input.keys.unwrap_or_default();
    let decoded = |text: Option<&str>| match text.map(str::trim) {
        None | Some("") => Err(REQUIRED),
        Some(t) => web_push::decode_base64url(t).ok_or(INVALID),
    };
    let p256dh = decoded(keys.p256dh.as_deref()).and_then(|bytes| {
        web_push::parse_public_key(&bytes)
            .map(|_| bytes)
            .map_err(|_| INVALID)
    });
    let p256dh = p256dh
        .map_err(|code| errors.push(field_error("keys.p256dh", code)))
        .ok();
    let auth = decoded(keys.auth.as_deref()).and_then(|bytes| {
        if bytes.len() == web_push::AUTH_SECRET_BYTES {
            Ok(bytes)
        } else {
            Err(INVALID)
        }
    });
    let auth = auth
        .map_err(|code| errors.push(field_error("keys.auth", code)))
        .ok();
    match (endpoint, p256dh, auth) {
        (Some(endpoint), Some(p256dh), Some(auth)) => Ok(CheckedSubscription {
            endpoint,
            p256dh,
            auth,
        }),
        _ => Err(ApiProblem::validation(errors)),
    }
}

/// `PUT /api/v1/push/subscriptions`: registers this device's subscription for the signed-in
/// account, or renews it (same endpoint). An endpoint registered by another account moves to
/// this one, with nothing of the other account's kept for it.
pub async fn put_subscription(
    State(state): State<AppState>,
    member: Member,
    ApiJson(input): ApiJson<SubscriptionInput>,
) -> Result<StatusCode, ApiProblem> {
    let sub = check_subscription(input, state.settings.push.allow_loopback_http)?;
    let account = member.id.clone();
    let now = state.clock.now();
    let id = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            // A different account's registration is replaced, not taken over, so its delivery
            // records (which name its reminders) go with it.
            tx.execute(
                "DELETE FROM push_subscriptions WHERE endpoint = ?1 AND account_id <> ?2",
                params![sub.endpoint, account],
            )?;
            tx.execute(
                "INSERT INTO push_subscriptions
                     (account_id, endpoint, p256dh, auth, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT (endpoint) DO UPDATE
                 SET p256dh = excluded.p256dh, auth = excluded.auth,
                     updated_at = excluded.updated_at",
                params![account, sub.endpoint, sub.p256dh, sub.auth, now],
            )?;
            let id: i64 = tx.query_row(
                "SELECT id FROM push_subscriptions WHERE endpoint = ?1",
                params![sub.endpoint],
                |r| r.get(0),
            )?;
            tx.execute(
                "DELETE FROM push_subscriptions
                 WHERE account_id = ?1 AND id NOT IN (
                     SELECT id FROM push_subscriptions WHERE account_id = ?1
                     ORDER BY updated_at DESC, id DESC LIMIT ?2)",
                params![account, MAX_SUBSCRIPTIONS_PER_ACCOUNT as i64],
            )?;
            tx.commit()?;
            Ok(id)
        })
        .await?;
    tracing::info!(subscription = id, by = %member.id, "push subscription registered");
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/push/subscriptions`: this device gets no more pushes for the account.
/// Succeeds when there is no such subscription too, so the app can always call it on signing
/// out, and nobody learns whether an endpoint is registered.
pub async fn delete_subscription(
    State(state): State<AppState>,
    member: Member,
    ApiJson(input): ApiJson<EndpointInput>,
) -> Result<StatusCode, ApiProblem> {
    let text = input.endpoint.unwrap_or_default();
    if text.trim().is_empty() {
        return Err(ApiProblem::validation(vec![field_error(
            "endpoint", REQUIRED,
        )]));
    }
    // Stored endpoints are in their parsed spelling; anything unparsable matches nothing.
    let endpoint = Url::parse(text.trim()).map_or_else(|_| text.clone(), |u| u.to_string());
    let account = member.id.clone();
    let removed = state
        .db
        .call(move |conn| {
            Ok(conn.execute(
                "DELETE FROM push_subscriptions WHERE account_id = ?1 AND endpoint = ?2",
                params![account, endpoint],
            )?)
        })
        .await?;
    tracing::info!(removed, by = %member.id, "push subscription removed");
    Ok(StatusCode::NO_CONTENT)
}

// What a push says ---------------------------------------------------------------------------

/// The decrypted body of a dose push, for the app's service worker. JSON, UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DosePush {
    /// Always `dose-due`.
    #[serde(rename = "type")]
    pub kind: String,
    pub reminder_id: String,
    pub person_id: String,
    /// The dose's occurrence `at` (RFC 3339, UTC), as a dose event's `scheduledAt` names it.
    pub scheduled_at: String,
    /// The person's name.
    pub person: String,
    /// Medicine and strength ("Metformin 500 mg"); `null` when the reminder hides the name.
    pub medicine: Option<String>,
    /// The dose ("1 tablet"); `null` when the reminder hides the name.
    pub dose: Option<String>,
    /// The dose's amount and unit as the reminder stores them ("1", "tablet"): a device that has
    /// its own wording of the dose in its reader's language uses it only for this very dose.
    /// `null` when the reminder hides the name.
    pub dose_amount: Option<String>,
    pub dose_unit: Option<String>,
    /// The app's page to open.
    pub url: String,
}

pub const DOSE_PUSH_TYPE: &str = "dose-due";

/// The medicine as the Today view titles it: the name, then the strength if there is one.
pub fn medicine_text(medicine: &str, strength: &str) -> String {
    if strength.is_empty() {
        medicine.to_owned()
    } else {
        format!("{medicine} {strength}")
    }
}

// Finding doses due --------------------------------------------------------------------------

/// A reminder's fields a push needs.
struct ReminderFacts {
    id: String,
    person_id: String,
    medicine: String,
    strength: String,
    dose_amount: String,
    dose_unit: String,
    schedule_json: String,
    hide_name: bool,
}

/// The latest event logged against a dose, which decides where it stands (as in the app:
/// events are ordered by their time-ordered ids, whatever the case of their letters).
struct LatestEvent {
    id: String,
    action: String,
    /// When a snooze ends, Unix milliseconds; for snoozes only.
    snooze_end_ms: Option<i64>,
}

fn latest_event(
    conn: &Connection,
    account: &str,
    reminder_id: &str,
    scheduled_at: &str,
) -> Result<Option<LatestEvent>, DbError> {
    Ok(conn
        .query_row(
            "SELECT id, action, at_ms + COALESCE(snooze_minutes, 0) * 60000
             FROM dose_events
             WHERE account_id = ?1 AND reminder_id = ?2 AND scheduled_at = ?3
             ORDER BY lower(id) DESC, id DESC LIMIT 1",
            params![account, reminder_id, scheduled_at],
            |r| {
                let action: String = r.get(1)?;
                let end: i64 = r.get(2)?;
                Ok(LatestEvent {
                    id: r.get(0)?,
                    snooze_end_ms: (action == DoseAction::Snoozed.as_str()).then_some(end),
                    action,
                })
            },
        )
        .optional()?)
}

/// One push to make: a dose, and which time it is pushed for it.
struct DueDose {
    reminder_id: String,
    scheduled_at: String,
    /// `""` for the dose's own time, the snooze event's id after a snooze.
    round: String,
    push: DosePush,
}

/// The account's doses that became due (or whose snooze ended) in `[now - late limit, now]`
/// and are neither taken nor skipped.
fn due_doses(conn: &Connection, account: &str, now: Timestamp) -> Result<Vec<DueDose>, DbError> {
    let earliest = now - SignedDuration::from_secs(LATE_LIMIT_SECONDS);
    let until = now + SignedDuration::from_secs(1);
    let (earliest_ms, now_ms) = (earliest.as_millisecond(), now.as_millisecond());

    let mut people: BTreeMap<String, (String, String)> = BTreeMap::new();
    {
        let mut stmt = conn.prepare("SELECT id, name, zone FROM people WHERE account_id = ?1")?;
        let rows = stmt.query_map(params![account], |r| {
            Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?)))
        })?;
        for row in rows {
            let (id, person) = row?;
            people.insert(id, person);
        }
    }
    let reminders: Vec<ReminderFacts> = {
        let mut stmt = conn.prepare(
            "SELECT id, person_id, medicine, strength, dose_amount, dose_unit, schedule_json,
                    hide_name_in_calendar
             FROM reminders WHERE account_id = ?1 ORDER BY created_at, rowid",
        )?;
        let rows = stmt.query_map(params![account], |r| {
            Ok(ReminderFacts {
                id: r.get(0)?,
                person_id: r.get(1)?,
                medicine: r.get(2)?,
                strength: r.get(3)?,
                dose_amount: r.get(4)?,
                dose_unit: r.get(5)?,
                schedule_json: r.get(6)?,
                hide_name: r.get(7)?,
            })
        })?;
        rows.collect::<Result<_, _>>()?
    };
    let mut snoozes = conn.prepare(
        "SELECT id, scheduled_at, at_ms + snooze_minutes * 60000 FROM dose_events
         WHERE account_id = ?1 AND reminder_id = ?2 AND action = ?3
           AND scheduled_at IS NOT NULL AND snooze_minutes IS NOT NULL
           AND at_ms + snooze_minutes * 60000 BETWEEN ?4 AND ?5",
    )?;

    let mut due = Vec::new();
    for r in &reminders {
        let schedule: Schedule = match serde_json::from_str(&r.schedule_json) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(reminder = %r.id, error = %e, "stored schedule unreadable");
                continue;
            }
        };
        if matches!(schedule.pattern, Pattern::AsNeeded(_)) {
            continue;
        }
        let Some((person, person_zone)) = people.get(&r.person_id) else {
            continue;
        };
        let zone = schedule.zone_to_follow(person_zone);
        let tz = match jiff::tz::db().get(zone) {
            Ok(tz) => tz,
            Err(e) => {
                tracing::error!(reminder = %r.id, %zone, error = %e, "stored zone unknown");
                continue;
            }
        };
        let push_for = |scheduled_at: String, round: String| {
            let (medicine, dose, dose_amount, dose_unit) = if r.hide_name {
                (None, None, None, None)
            } else {
                (
                    Some(medicine_text(&r.medicine, &r.strength)),
                    // Written before any device reads it, so in English; the service worker
                    // puts the app's wording in the reader's language in its place.
                    Some(words(Language::En).dose(&r.dose_amount, &r.dose_unit)),
                    Some(r.dose_amount.clone()),
                    Some(r.dose_unit.clone()),
                )
            };
            DueDose {
                reminder_id: r.id.clone(),
                scheduled_at: scheduled_at.clone(),
                round,
                push: DosePush {
                    kind: DOSE_PUSH_TYPE.to_owned(),
                    reminder_id: r.id.clone(),
                    person_id: r.person_id.clone(),
                    scheduled_at,
                    person: person.clone(),
                    medicine,
                    dose,
                    dose_amount,
                    dose_unit,
                    url: TODAY_URL.to_owned(),
                },
            }
        };

        for occurrence in occurrences(&schedule, &tz, earliest, until) {
            let slot = occurrence.at.to_string();
            let open = match latest_event(conn, account, &r.id, &slot)? {
                None => true,
                // Marked taken by mistake, then undone: as if nothing had been logged.
                Some(e) if e.action == DoseAction::Undone.as_str() => true,
                // A snooze that ended before the dose's time does not move it (as in the app).
                Some(e) => e
                    .snooze_end_ms
                    .is_some_and(|end| end <= occurrence.at.as_millisecond()),
            };
            if open {
                due.push(push_for(slot, String::new()));
            }
        }

        let ended: Vec<(String, String, i64)> = snoozes
            .query_map(
                params![
                    account,
                    r.id,
                    DoseAction::Snoozed.as_str(),
                    earliest_ms,
                    now_ms
                ],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )?
            .collect::<Result<_, _>>()?;
        for (event_id, slot, end_ms) in ended {
            let Some(at) = parse_instant(&slot) else {
                continue;
            };
            if end_ms <= at.as_millisecond() {
                continue;
            }
            // Only while the snooze is still the last word on the dose.
            let latest = latest_event(conn, account, &r.id, &slot)?;
            if latest.is_none_or(|l| l.id != event_id || l.action != DoseAction::Snoozed.as_str()) {
                continue;
            }
            // A schedule changed after the snooze may no longer have that dose.
            let still_scheduled =
                occurrences(&schedule, &tz, at, at + SignedDuration::from_secs(1))
                    .iter()
                    .any(|o| o.at == at);
            if still_scheduled {
                due.push(push_for(slot, event_id));
            }
        }
    }
    Ok(due)
}

/// A registered subscription.
struct Device {
    id: i64,
    endpoint: String,
    p256dh: Vec<u8>,
    auth: Vec<u8>,
}

/// One push claimed for one device.
struct Outgoing {
    subscription_id: i64,
    endpoint: String,
    p256dh: Vec<u8>,
    auth: Vec<u8>,
    reminder_id: String,
    scheduled_at: String,
    round: String,
    payload: Vec<u8>,
}

/// Finds the doses due for every account with a device, and claims each push not made yet.
fn claim_due_pushes(conn: &mut Connection, now: i64) -> Result<Vec<Outgoing>, DbError> {
    let now_ts = Timestamp::from_second(now)
        .map_err(|e| DbError::new(format!("clock out of range: {e}")))?;
    let tx = conn.transaction()?;
    tx.execute(
        "DELETE FROM push_deliveries WHERE created_at < ?1",
        params![now - DELIVERIES_KEPT_SECONDS],
    )?;
    let mut devices: BTreeMap<String, Vec<Device>> = BTreeMap::new();
    {
        let mut stmt = tx.prepare(
            "SELECT account_id, id, endpoint, p256dh, auth FROM push_subscriptions ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Device {
                    id: r.get(1)?,
                    endpoint: r.get(2)?,
                    p256dh: r.get(3)?,
                    auth: r.get(4)?,
                },
            ))
        })?;
        for row in rows {
            let (account, device) = row?;
            devices.entry(account).or_default().push(device);
        }
    }
    let mut claimed = Vec::new();
    for (account, subscriptions) in &devices {
        for dose in due_doses(&tx, account, now_ts)? {
            let payload = serde_json::to_vec(&dose.push)
                .map_err(|e| DbError::new(format!("a push cannot be written: {e}")))?;
            for device in subscriptions {
                let fresh = tx.execute(
                    "INSERT OR IGNORE INTO push_deliveries
                         (subscription_id, account_id, reminder_id, scheduled_at, round, outcome,
                          created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'sending', ?6)",
                    params![
                        device.id,
                        account,
                        dose.reminder_id,
                        dose.scheduled_at,
                        dose.round,
                        now
                    ],
                )? == 1;
                if fresh {
                    claimed.push(Outgoing {
                        subscription_id: device.id,
                        endpoint: device.endpoint.clone(),
                        p256dh: device.p256dh.clone(),
                        auth: device.auth.clone(),
                        reminder_id: dose.reminder_id.clone(),
                        scheduled_at: dose.scheduled_at.clone(),
                        round: dose.round.clone(),
                        payload: payload.clone(),
                    });
                }
            }
        }
    }
    tx.commit()?;
    Ok(claimed)
}

// Sending ------------------------------------------------------------------------------------

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushReport {
    /// Pushes the push service accepted.
    pub delivered: usize,
    /// Pushes given up on (refused, or still failing after every retry).
    pub failed: usize,
    /// Subscriptions dropped because their push service said they no longer exist.
    pub subscriptions_removed: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Delivered,
    /// 404 or 410: the subscription has ended (unsubscribed, app removed); drop it.
    Gone,
    Failed,
}

/// Resolves push services' names to public addresses only, so a name pointing into the
/// server's own network is never reached (addresses written as such are checked with the
/// endpoint).
struct PublicAddressesOnly;

impl reqwest::dns::Resolve for PublicAddressesOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public_ip(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err("the push service has no public address".into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

fn http_client(settings: &PushSettings) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        // Push services answer directly; a redirect could point anywhere.
        .redirect(reqwest::redirect::Policy::none())
        // Push services are public hosts reached directly: a proxy from the environment would
        // also be resolved through the public-only resolver, and receive health data's metadata.
        .no_proxy()
        .dns_resolver(Arc::new(PublicAddressesOnly))
        .timeout(settings.request_timeout)
        .connect_timeout(settings.request_timeout)
        .user_agent(concat!(
            "patient-portal-backend/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
}

/// `Retry-After` as a wait: seconds, or an HTTP date (RFC 9110 section 10.2.3).
fn retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let wait = at.duration_since(now);
    Some(Duration::from_millis(
        u64::try_from(wait.as_millis()).unwrap_or(0),
    ))
}

/// The `Topic` of a dose's pushes: a push service that still holds an undelivered one for the
/// device replaces it with the newer (after a snooze), instead of delivering both. At most 32
/// base64url characters (RFC 8030 section 5.4), and says nothing about the dose.
fn topic(reminder_id: &str, scheduled_at: &str) -> String {
    let digest = Sha256::digest(format!("{reminder_id}\n{scheduled_at}").as_bytes());
    let mut text = web_push::encode_base64url(&digest);
    text.truncate(32);
    text
}

/// Sends one push, retrying what may succeed later.
async fn deliver(
    client: &reqwest::Client,
    key: &VapidKey,
    settings: &PushSettings,
    message: &Outgoing,
    now: i64,
) -> Outcome {
    let log_host = |url: &Url| url.host_str().unwrap_or("?").to_owned();
    let url = match checked_endpoint(&message.endpoint, settings.allow_loopback_http) {
        Ok(url) => url,
        Err(_) => {
            tracing::warn!(
                subscription = message.subscription_id,
                "endpoint no longer allowed"
            );
            return Outcome::Failed;
        }
    };
    let host = log_host(&url);
    let body = match web_push::encrypt(&message.payload, &message.p256dh, &message.auth) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(subscription = message.subscription_id, error = %e,
                "push cannot be encrypted");
            return Outcome::Failed;
        }
    };
    let audience = url.origin().ascii_serialization();
    let authorization =
        key.authorization(&audience, now + VAPID_VALIDITY_SECONDS, &settings.contact);
    let topic = topic(&message.reminder_id, &message.scheduled_at);

    let attempts = settings.attempts.max(1);
    for attempt in 1..=attempts {
        let sent = client
            .post(url.clone())
            .header("TTL", DOSE_TTL_SECONDS.to_string())
            .header("Urgency", "high")
            .header("Topic", &topic)
            .header(header::CONTENT_ENCODING, "aes128gcm")
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .header(header::AUTHORIZATION, &authorization)
            .body(body.clone())
            .send()
            .await;
        let mut wait = settings
            .retry_delay
            .saturating_mul(1 << (attempt - 1).min(16));
        match sent {
            Ok(res) if res.status().is_success() => return Outcome::Delivered,
            Ok(res) if matches!(res.status().as_u16(), 404 | 410) => {
                tracing::info!(subscription = message.subscription_id, %host,
                    status = res.status().as_u16(), "push subscription ended");
                return Outcome::Gone;
            }
            Ok(res)
                if res.status().is_server_error()
                    || res.status() == reqwest::StatusCode::TOO_MANY_REQUESTS =>
            {
                let asked = res
                    .headers()
                    .get(header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| retry_after(v, Timestamp::now()));
                tracing::warn!(subscription = message.subscription_id, %host, attempt,
                    status = res.status().as_u16(), "push service failed");
                if let Some(asked) = asked {
                    if asked > MAX_RETRY_AFTER {
                        tracing::warn!(subscription = message.subscription_id, %host,
                            seconds = asked.as_secs(), "push service asks to wait too long");
                        return Outcome::Failed;
                    }
                    wait = wait.max(asked);
                }
            }
            Ok(res) => {
                // Refused for good (a malformed request, a key the subscription was not made
                // with, a body too large): retrying would be refused the same way.
                tracing::warn!(subscription = message.subscription_id, %host,
                    status = res.status().as_u16(), "push refused");
                return Outcome::Failed;
            }
            Err(e) => {
                tracing::warn!(subscription = message.subscription_id, %host, attempt,
                    error = %e.without_url(), "push service unreachable");
            }
        }
        if attempt < attempts {
            // Jitter keeps many servers' retries from arriving together.
            let jitter = wait.mul_f64(rand::random::<f64>() * 0.25);
            tokio::time::sleep(wait + jitter).await;
        }
    }
    Outcome::Failed
}

/// One round: pushes every dose that became due since the last (within the late limit) to
/// every device of its account, and waits until each is delivered or given up. The background
/// task calls it every [`TICK_SECONDS`]; tests call it directly with a moved clock.
pub async fn send_due_doses(state: &AppState) -> Result<PushReport, DbError> {
    let now = state.clock.now();
    let claimed = state
        .db
        .call(move |conn| claim_due_pushes(conn, now))
        .await?;
    let mut report = PushReport::default();
    if claimed.is_empty() {
        return Ok(report);
    }
    let settings = &state.settings.push;
    let key = vapid_key(state).await;
    let client = http_client(settings);
    let outcomes: Vec<(Outcome, Outgoing)> = match (key, client) {
        (Ok(key), Ok(client)) => {
            let key = Arc::new(key);
            let mut tasks = tokio::task::JoinSet::new();
            for message in claimed {
                let (client, key, settings) = (client.clone(), key.clone(), settings.clone());
                tasks.spawn(async move {
                    let outcome = deliver(&client, &key, &settings, &message, now).await;
                    (outcome, message)
                });
            }
            let mut outcomes = Vec::new();
            while let Some(done) = tasks.join_next().await {
                match done {
                    Ok(pair) => outcomes.push(pair),
                    Err(e) => tracing::error!(error = %e, "push task failed"),
                }
            }
            outcomes
        }
        (key, client) => {
            if let Err(e) = key {
                tracing::error!(error = %e, "no VAPID key; no pushes sent");
            }
            if let Err(e) = client {
                tracing::error!(error = %e, "no HTTP client; no pushes sent");
            }
            claimed.into_iter().map(|m| (Outcome::Failed, m)).collect()
        }
    };

    for (outcome, _) in &outcomes {
        match outcome {
            Outcome::Delivered => report.delivered += 1,
            Outcome::Gone | Outcome::Failed => report.failed += 1,
        }
    }
    let removed = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let mut removed = 0;
            for (outcome, m) in &outcomes {
                match outcome {
                    Outcome::Gone => {
                        removed += tx.execute(
                            "DELETE FROM push_subscriptions WHERE id = ?1",
                            params![m.subscription_id],
                        )?;
                    }
                    Outcome::Delivered | Outcome::Failed => {
                        let done = if *outcome == Outcome::Delivered {
                            "delivered"
                        } else {
                            "failed"
                        };
                        tx.execute(
                            "UPDATE push_deliveries SET outcome = ?5
                             WHERE subscription_id = ?1 AND reminder_id = ?2
                               AND scheduled_at = ?3 AND round = ?4",
                            params![
                                m.subscription_id,
                                m.reminder_id,
                                m.scheduled_at,
                                m.round,
                                done
                            ],
                        )?;
                    }
                }
            }
            tx.commit()?;
            Ok(removed)
        })
        .await?;
    report.subscriptions_removed = removed;
    tracing::info!(
        delivered = report.delivered,
        failed = report.failed,
        subscriptions_removed = report.subscriptions_removed,
        "dose pushes sent"
    );
    Ok(report)
}

/// Starts the background task that runs [`send_due_doses`] every [`TICK_SECONDS`].
pub fn spawn_dose_pushes(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(TICK_SECONDS));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let state = state.clone();
            // A round waits for slow push services (retries, Retry-After); it must not hold up
            // the next one's doses. Rounds that overlap never send twice: pushes are claimed.
            tokio::spawn(async move {
                if let Err(e) = send_due_doses(&state).await {
                    tracing::error!(error = %e, "dose push round failed");
                }
            });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_core::reminders::{MAX_MEDICINE_CHARS, MAX_PERSON_NAME_CHARS, MAX_STRENGTH_CHARS};

    #[test]
    fn medicines_read_with_their_strength() {
        assert_eq!(medicine_text("Metformin", "500 mg"), "Metformin 500 mg");
        assert_eq!(medicine_text("Metformin", ""), "Metformin");
    }

    #[test]
    fn the_longest_push_fits_easily() {
        // Four-byte characters everywhere a person types, ids as long as the backend makes.
        let wide = |n: usize| "\u{1F48A}".repeat(n);
        let push = DosePush {
            kind: DOSE_PUSH_TYPE.to_owned(),
            reminder_id: "f".repeat(64),
            person_id: "f".repeat(64),
            scheduled_at: "2026-12-06T08:00:00Z".to_owned(),
            person: wide(MAX_PERSON_NAME_CHARS),
            medicine: Some(medicine_text(
                &wide(MAX_MEDICINE_CHARS),
                &wide(MAX_STRENGTH_CHARS),
            )),
            dose: Some(words(Language::En).dose("9999.99", "injection")),
            dose_amount: Some("9999.99".to_owned()),
            dose_unit: Some("injection".to_owned()),
            url: TODAY_URL.to_owned(),
        };
        let bytes = serde_json::to_vec(&push).unwrap();
        assert!(bytes.len() < 3 * 1024, "{} bytes", bytes.len());
        assert!(bytes.len() <= web_push::MAX_PLAINTEXT_BYTES);
    }

    #[test]
    fn the_payload_has_the_contract_names() {
        let push = DosePush {
            kind: DOSE_PUSH_TYPE.to_owned(),
            reminder_id: "r".to_owned(),
            person_id: "p".to_owned(),
            scheduled_at: "2026-12-06T08:00:00Z".to_owned(),
            person: "Mum".to_owned(),
            medicine: None,
            dose: None,
            dose_amount: None,
            dose_unit: None,
            url: TODAY_URL.to_owned(),
        };
        assert_eq!(
            serde_json::to_value(&push).unwrap(),
            serde_json::json!({
                "type": "dose-due", "reminderId": "r", "personId": "p",
                "scheduledAt": "2026-12-06T08:00:00Z", "person": "Mum",
                "medicine": null, "dose": null, "doseAmount": null, "doseUnit": null,
                "url": "/reminders"
            })
        );
    }

    #[test]
    fn only_push_service_addresses_are_accepted() {
        for ok in [
            "https://fcm.googleapis.com/fcm/send/abc:def",
            "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
            "https://web.push.apple.com/QGx",
            "https://8.8.8.8/x",
        ] {
            assert!(checked_endpoint(ok, false).is_ok(), "{ok}");
        }
        for (bad, code) in [
            ("", REQUIRED),
            ("   ", REQUIRED),
            ("not a url", INVALID),
            ("http://fcm.googleapis.com/x", INVALID),
            ("https://localhost/x", INVALID),
            ("https://push.localhost/x", INVALID),
            ("https://intranet/x", INVALID),
            ("https://127.0.0.1/x", INVALID),
            ("https://10.1.2.3/x", INVALID),
            ("https://192.168.0.1/x", INVALID),
            ("https://169.254.169.254/latest/meta-data", INVALID),
            ("https://[::1]/x", INVALID),
            ("https://[fd00::1]/x", INVALID),
            ("https://[::ffff:10.0.0.1]/x", INVALID),
            ("https://user:pw@fcm.googleapis.com/x", INVALID),
            ("ftp://fcm.googleapis.com/x", INVALID),
            ("http://127.0.0.1:9000/push", INVALID),
        ] {
            assert_eq!(checked_endpoint(bad, false).err(), Some(code), "{bad}");
        }
        let long = format!(
            "https://push.example.com/{}",
            "a".repeat(MAX_ENDPOINT_CHARS)
        );
        assert_eq!(checked_endpoint(&long, false).err(), Some(TOO_LONG));
        // The test setting admits plain http on loopback addresses only.
        assert!(checked_endpoint("http://127.0.0.1:9000/push", true).is_ok());
        assert!(checked_endpoint("http://[::1]:9000/push", true).is_ok());
        assert!(checked_endpoint("http://10.0.0.1:9000/push", true).is_err());
        assert!(checked_endpoint("http://localhost:9000/push", true).is_err());
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now: Timestamp = "2026-12-06T08:00:00Z".parse().unwrap();
        assert_eq!(retry_after("30", now), Some(Duration::from_secs(30)));
        assert_eq!(
            retry_after("Sun, 06 Dec 2026 08:01:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            retry_after("Sun, 06 Dec 2026 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn topics_are_short_and_url_safe() {
        let t = topic("0123456789abcdef", "2026-12-06T08:00:00Z");
        assert_eq!(t.len(), 32);
        assert!(t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(t, topic("0123456789abcdef", "2026-12-06T20:00:00Z"));
    }

    #[tokio::test]
    async fn names_resolve_to_public_addresses_only() {
        use reqwest::dns::Resolve;
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        assert!(PublicAddressesOnly.resolve(name).await.is_err());
        assert!(is_public_ip("8.8.8.8".parse().unwrap()));
        assert!(is_public_ip("2606:4700::1111".parse().unwrap()));
        for private in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fc00::1",
            "::ffff:192.168.1.1",
        ] {
            assert!(!is_public_ip(private.parse().unwrap()), "{private}");
        }
        // The client for real push services (https, rustls with bundled roots) can be made.
        assert!(http_client(&PushSettings::default()).is_ok());
    }

    #[test]
    fn contacts_are_mailto_or_https() {
        assert!(is_contact("mailto:security@example.com"));
        assert!(is_contact("https://example.com/contact"));
        assert!(!is_contact("security@example.com"));
        assert!(!is_contact("http://example.com"));
        assert!(!is_contact("mailto:"));
        let key = VapidKey::generate();
        let text = web_push::encode_base64url(&key.private_bytes());
        assert_eq!(parse_private_key(&text).unwrap(), key.private_bytes());
        assert!(parse_private_key("nope!").is_err());
        assert!(parse_private_key(&web_push::encode_base64url(&[0; 32])).is_err());
        let settings = PushSettings {
            vapid_private_key: Some(key.private_bytes()),
            ..PushSettings::default()
        };
        assert!(!format!("{settings:?}").contains(&text));
    }
}
