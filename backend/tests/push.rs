//! Web Push for dose reminders, end to end: devices subscribe through the API, a reminder's dose
//! becomes due on a moved clock, one round of `push::send_due_doses` runs, and a fake push
//! service on 127.0.0.1 records what arrived.
//!
//! The first test has other people's code read the requests: `push_check.py` decrypts each body
//! with the Python `http_ece` package and verifies each VAPID token with `cryptography`. The
//! others decrypt with this file's own reading of RFC 8291 (written from the RFC, apart from the
//! backend's). CI installs the Python modules (`scripts/setup.sh --test`); without them the first
//! test fails, unless `PORTAL_SKIP_PYTHON_PUSH=1` says to skip it.

mod common;

use aes_gcm::{aead::Aead, Aes128Gcm, KeyInit, Nonce};
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    response::IntoResponse,
    routing::post,
    Router,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use common::{cara, json_request, pat, TestApp, TestResponse};
use hkdf::Hkdf;
use jiff::{tz::TimeZone, Timestamp};
use p256::{elliptic_curve::sec1::ToEncodedPoint, PublicKey, SecretKey};
use portal_backend::push::{self, PushReport};
use portal_core::api::problem_types as pt;
use serde_json::{json, Value};
use sha2::Sha256;
use std::{
    collections::{HashMap, VecDeque},
    net::SocketAddr,
    process::Command,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

const SUBSCRIPTIONS: &str = "/api/v1/push/subscriptions";
const PUBLIC_KEY: &str = "/api/v1/push/public-key";
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/push_check.py");

// A fake push service ------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Received {
    device: String,
    headers: HeaderMap,
    body: Vec<u8>,
    at: Instant,
}

/// A status to answer, and a `Retry-After` with it.
type Answer = (u16, Option<&'static str>);

#[derive(Default)]
struct FakeState {
    received: Mutex<Vec<Received>>,
    /// Answers to give per device, in order: status and `Retry-After`; then 201.
    script: Mutex<HashMap<String, VecDeque<Answer>>>,
}

struct FakePushService {
    addr: SocketAddr,
    state: Arc<FakeState>,
}

async fn receive(
    State(state): State<Arc<FakeState>>,
    Path(device): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    state.received.lock().unwrap().push(Received {
        device: device.clone(),
        headers,
        body: body.to_vec(),
        at: Instant::now(),
    });
    let next = state
        .script
        .lock()
        .unwrap()
        .get_mut(&device)
        .and_then(VecDeque::pop_front);
    let (status, retry_after) = next.unwrap_or((201, None));
    let mut res = StatusCode::from_u16(status).unwrap().into_response();
    if let Some(v) = retry_after {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static(v));
    }
    res
}

impl FakePushService {
    async fn start() -> FakePushService {
        let state = Arc::new(FakeState::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new()
            .route("/push/{device}", post(receive))
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakePushService { addr, state }
    }

    fn endpoint(&self, device: &str) -> String {
        format!("http://{}/push/{device}", self.addr)
    }

    fn answer(&self, device: &str, answers: &[Answer]) {
        self.state
            .script
            .lock()
            .unwrap()
            .insert(device.to_owned(), answers.iter().copied().collect());
    }

    fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    fn take(&self) -> Vec<Received> {
        std::mem::take(&mut *self.state.received.lock().unwrap())
    }
}

// A browser's side -----------------------------------------------------------------------------

/// A device's push subscription, with the keys a browser makes for it.
struct Device {
    name: String,
    endpoint: String,
    secret: SecretKey,
    auth: [u8; 16],
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap()
}

impl Device {
    fn new(fake: &FakePushService, name: &str) -> Device {
        Device {
            name: name.to_owned(),
            endpoint: fake.endpoint(name),
            secret: SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng),
            auth: rand::random(),
        }
    }

    fn public(&self) -> Vec<u8> {
        self.secret
            .public_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec()
    }

    /// `PushSubscription.toJSON()`.
    fn subscription(&self) -> Value {
        json!({
            "endpoint": self.endpoint,
            "expirationTime": null,
            "keys": { "p256dh": b64(&self.public()), "auth": b64(&self.auth) }
        })
    }

    /// Decrypts a push body as RFC 8291 section 3 and RFC 8188 section 2 describe.
    fn decrypt(&self, body: &[u8]) -> Value {
        assert!(body.len() > 86, "{} bytes", body.len());
        let (salt, rest) = body.split_at(16);
        let record_size = u32::from_be_bytes(rest[..4].try_into().unwrap());
        assert!(record_size as usize >= body.len() - 86);
        let key_id_len = rest[4] as usize;
        assert_eq!(key_id_len, 65);
        let sender = &rest[5..5 + key_id_len];
        let sealed = &rest[5 + key_id_len..];
        let sender_key = PublicKey::from_sec1_bytes(sender).unwrap();
        let shared =
            p256::ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), sender_key.as_affine());
        let mut info = b"WebPush: info\0".to_vec();
        info.extend_from_slice(&self.public());
        info.extend_from_slice(sender);
        let mut ikm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(&self.auth), shared.raw_secret_bytes())
            .expand(&info, &mut ikm)
            .unwrap();
        let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
        prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
            .unwrap();
        prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
            .unwrap();
        let mut plain = Aes128Gcm::new_from_slice(&cek)
            .unwrap()
            .decrypt(Nonce::from_slice(&nonce), sealed)
            .expect("the body decrypts with the device's keys");
        while plain.last() == Some(&0) {
            plain.pop();
        }
        assert_eq!(plain.pop(), Some(2), "a single, last record");
        serde_json::from_slice(&plain).unwrap()
    }
}

// The app's side ------------------------------------------------------------------------------

fn push_app() -> TestApp {
    TestApp::with_settings(|s| {
        s.push.allow_loopback_http = true;
        s.push.retry_delay = Duration::from_millis(20);
    })
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    body: &Value,
    cookie: Option<&str>,
) -> TestResponse {
    let mut req = json_request(method, path, body);
    if let Some(cookie) = cookie {
        req.headers_mut()
            .insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
    }
    app.send(req).await
}

async fn subscribe(app: &TestApp, cookie: &str, device: &Device) {
    let res = call(
        app,
        Method::PUT,
        SUBSCRIPTIONS,
        &device.subscription(),
        Some(cookie),
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
}

async fn add_person(app: &TestApp, cookie: &str, name: &str) -> String {
    let body = json!({ "name": name, "colour": "teal", "zone": "UTC" });
    let res = call(app, Method::POST, "/api/v1/people", &body, Some(cookie)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()["id"].as_str().unwrap().to_owned()
}

/// A daily reminder at the wall time of `at` (UTC), from that day on.
async fn add_reminder(
    app: &TestApp,
    cookie: &str,
    person: &str,
    at: Timestamp,
    extra: Value,
) -> String {
    let local = at.to_zoned(TimeZone::UTC);
    let mut body = json!({
        "personId": person,
        "medicine": "Metformin",
        "strength": "500 mg",
        "doseAmount": "1",
        "doseUnit": "tablet",
        "schedule": {
            "zone": "UTC",
            "start": local.date().to_string(),
            "pattern": { "kind": "daily", "times": [local.strftime("%H:%M").to_string()] }
        }
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let res = call(app, Method::POST, "/api/v1/reminders", &body, Some(cookie)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()["id"].as_str().unwrap().to_owned()
}

/// A whole minute a few minutes after the app's clock.
fn upcoming_minute(app: &TestApp) -> Timestamp {
    Timestamp::from_second((app.state.clock.now() / 60 + 3) * 60).unwrap()
}

/// Moves the app's clock to `seconds` after `at`.
fn move_clock_to(app: &TestApp, at: Timestamp, seconds: i64) {
    let target = at.as_second() + seconds;
    app.state.clock.advance(target - app.state.clock.now());
}

async fn tick(app: &TestApp) -> PushReport {
    push::send_due_doses(&app.state).await.unwrap()
}

fn subscription_rows(app: &TestApp) -> i64 {
    app.state
        .db
        .call_blocking(|c| {
            Ok(c.query_row("SELECT COUNT(*) FROM push_subscriptions", [], |r| r.get(0))?)
        })
        .unwrap()
}

fn header<'a>(r: &'a Received, name: &str) -> &'a str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} header"))
}

fn python_ready() -> bool {
    if std::env::var("PORTAL_SKIP_PYTHON_PUSH").is_ok_and(|v| v == "1") {
        eprintln!("PORTAL_SKIP_PYTHON_PUSH=1: the Python check of pushes is skipped");
        return false;
    }
    let ok = Command::new("python3")
        .args(["-c", "import http_ece, cryptography"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "The Python modules http_ece and cryptography are missing: run scripts/setup.sh --test \
         (CI installs them), or set PORTAL_SKIP_PYTHON_PUSH=1 to skip this check."
    );
    true
}

/// What `push_check.py` read from each request, in order.
fn python_reads(requests: &[(&Received, &Device)]) -> Vec<Value> {
    let input: Vec<Value> = requests
        .iter()
        .map(|(r, d)| {
            json!({
                "body": b64(&r.body),
                "private_key": b64(&d.secret.to_bytes()),
                "auth": b64(&d.auth),
                "authorization": header(r, "authorization"),
            })
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("requests.json");
    std::fs::write(&file, serde_json::to_vec(&input).unwrap()).unwrap();
    let out = Command::new("python3")
        .arg(SCRIPT)
        .arg(&file)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "push_check.py failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

// The tests -----------------------------------------------------------------------------------

#[tokio::test]
async fn a_due_dose_is_pushed_encrypted_and_signed_as_others_read_it() {
    if !python_ready() {
        return;
    }
    let fake = FakePushService::start().await;
    let app = push_app();
    let cara = cara(&app).await;
    let phone = Device::new(&fake, "cara-phone");
    let tablet = Device::new(&fake, "cara-tablet");
    subscribe(&app, &cara, &phone).await;
    subscribe(&app, &cara, &tablet).await;

    let key = app.get(PUBLIC_KEY).await;
    assert_eq!(key.status, StatusCode::OK, "{}", key.text());
    let public_key = key.json()["publicKey"].as_str().unwrap().to_owned();
    assert_eq!(unb64(&public_key).len(), 65);

    let mum = add_person(&app, &cara, "Mum").await;
    let at = upcoming_minute(&app);
    let shown = add_reminder(&app, &cara, &mum, at, json!({})).await;
    let hidden = add_reminder(
        &app,
        &cara,
        &mum,
        at,
        json!({ "medicine": "Sertraline", "doseAmount": "2", "hideNameInCalendar": true }),
    )
    .await;

    // Not yet due: nothing goes out.
    assert_eq!(tick(&app).await, PushReport::default());
    assert!(fake.received().is_empty());

    move_clock_to(&app, at, 5);
    let report = tick(&app).await;
    assert_eq!(report.delivered, 4, "{report:?}");
    let received = fake.take();
    assert_eq!(received.len(), 4);

    let pairs: Vec<(&Received, &Device)> = received
        .iter()
        .map(|r| {
            (
                r,
                if r.device == phone.name {
                    &phone
                } else {
                    &tablet
                },
            )
        })
        .collect();
    let reads = python_reads(&pairs);
    let scheduled_at = at.to_string();
    assert!(scheduled_at.ends_with(":00Z"), "{scheduled_at}");
    let mut payloads = Vec::new();
    for ((r, device), read) in pairs.iter().zip(&reads) {
        // Python's reading and this file's own agree.
        assert_eq!(read["payload"], device.decrypt(&r.body));
        assert_eq!(read["record_size"], 4096);
        assert_eq!(unb64(read["key_id"].as_str().unwrap()).len(), 65);
        assert_eq!(read["jwt_header"]["alg"], "ES256");
        assert_eq!(read["k"], public_key.as_str());
        let claims = &read["claims"];
        assert_eq!(claims["aud"], format!("http://{}", fake.addr));
        assert_eq!(claims["sub"], "mailto:security@example.com");
        let exp = claims["exp"].as_i64().unwrap();
        // 12 hours after the round (the clock runs on meanwhile): well within RFC 8292's 24.
        let now = app.state.clock.now();
        assert!(
            (now + 12 * 3600 - 5..=now + 12 * 3600).contains(&exp),
            "{exp} at {now}"
        );
        assert_eq!(header(r, "ttl"), "3600");
        assert_eq!(header(r, "urgency"), "high");
        assert_eq!(header(r, "content-encoding"), "aes128gcm");
        assert_eq!(header(r, "content-type"), "application/octet-stream");
        let topic = header(r, "topic");
        assert!(
            topic.len() <= 32 && !topic.contains(&scheduled_at),
            "{topic}"
        );
        assert!(r.body.len() < 4096);
        payloads.push((r.device.clone(), read["payload"].clone()));
    }
    for device in [&phone, &tablet] {
        let mine: Vec<&Value> = payloads
            .iter()
            .filter(|(d, _)| *d == device.name)
            .map(|(_, p)| p)
            .collect();
        let shown_push = mine.iter().find(|p| p["reminderId"] == shown.as_str());
        assert_eq!(
            shown_push.copied(),
            Some(&json!({
                "type": "dose-due",
                "reminderId": shown,
                "personId": mum,
                "scheduledAt": scheduled_at,
                "person": "Mum",
                "medicine": "Metformin 500 mg",
                "dose": "1 tablet",
                "doseAmount": "1",
                "doseUnit": "tablet",
                "url": "/reminders"
            })),
            "{}",
            device.name
        );
        let hidden_push = mine.iter().find(|p| p["reminderId"] == hidden.as_str());
        assert_eq!(
            hidden_push.copied(),
            Some(&json!({
                "type": "dose-due",
                "reminderId": hidden,
                "personId": mum,
                "scheduledAt": scheduled_at,
                "person": "Mum",
                "medicine": null,
                "dose": null,
                "doseAmount": null,
                "doseUnit": null,
                "url": "/reminders"
            }))
        );
    }

    // The occurrence the API lists has that very `at`.
    let occurrences = app
        .get_with_cookie(
            &format!(
                "/api/v1/reminders/{shown}/occurrences?from={}&until={}",
                at,
                Timestamp::from_second(at.as_second() + 60).unwrap()
            ),
            &cara,
        )
        .await
        .json();
    assert_eq!(occurrences["occurrences"][0]["at"], scheduled_at.as_str());

    // A second round, and one later on: each dose went to each device once.
    assert_eq!(tick(&app).await, PushReport::default());
    move_clock_to(&app, at, 60);
    assert_eq!(tick(&app).await, PushReport::default());
    assert!(fake.received().is_empty());
}

fn event(n: u32, reminder: &str, scheduled_at: Timestamp, action: &str, at: Timestamp) -> Value {
    let mut e = json!({
        "id": format!("0f8fad5b-d9cb-469f-a165-{n:012x}"),
        "reminderId": reminder,
        "scheduledAt": scheduled_at.to_string(),
        "action": action,
        "at": at.to_string()
    });
    if action == "snoozed" {
        e["snoozeMinutes"] = 10.into();
    }
    e
}

async fn log(app: &TestApp, cookie: &str, events: Value) {
    let res = call(
        app,
        Method::POST,
        "/api/v1/dose-events",
        &events,
        Some(cookie),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(
        res.json()["stored"].as_array().unwrap().len(),
        events.as_array().unwrap().len()
    );
}

#[tokio::test]
async fn taken_and_skipped_doses_are_not_pushed_and_a_snoozed_one_comes_back() {
    let fake = FakePushService::start().await;
    let app = push_app();
    let pat = pat(&app).await;
    let phone = Device::new(&fake, "pat-phone");
    subscribe(&app, &pat, &phone).await;
    let me = add_person(&app, &pat, "Pat").await;
    let at = upcoming_minute(&app);
    let taken = add_reminder(&app, &pat, &me, at, json!({ "medicine": "Taken early" })).await;
    let skipped = add_reminder(&app, &pat, &me, at, json!({ "medicine": "Skipped" })).await;
    let snoozed = add_reminder(&app, &pat, &me, at, json!({ "medicine": "Snoozed" })).await;
    let open = add_reminder(&app, &pat, &me, at, json!({ "medicine": "Open" })).await;

    // Taken a minute early, skipped ahead of time.
    let before = Timestamp::from_second(at.as_second() - 60).unwrap();
    log(
        &app,
        &pat,
        json!([
            event(1, &taken, at, "taken", before),
            event(2, &skipped, at, "skipped", before)
        ]),
    )
    .await;
    move_clock_to(&app, at, 1);
    tick(&app).await;
    let got: Vec<Value> = fake.take().iter().map(|r| phone.decrypt(&r.body)).collect();
    let mut ids: Vec<&str> = got
        .iter()
        .map(|p| p["reminderId"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut want = vec![snoozed.as_str(), open.as_str()];
    want.sort();
    assert_eq!(ids, want);

    // Snoozed for 10 minutes from the notification, two minutes after the dose's time.
    let snoozed_at = Timestamp::from_second(at.as_second() + 120).unwrap();
    log(
        &app,
        &pat,
        json!([event(3, &snoozed, at, "snoozed", snoozed_at)]),
    )
    .await;
    move_clock_to(&app, at, 121 + 9 * 60);
    assert_eq!(tick(&app).await, PushReport::default(), "still snoozed");
    move_clock_to(&app, at, 120 + 10 * 60 + 5);
    assert_eq!(tick(&app).await.delivered, 1);
    let again = fake.take();
    assert_eq!(again.len(), 1);
    let push = phone.decrypt(&again[0].body);
    assert_eq!(push["reminderId"], snoozed.as_str());
    assert_eq!(
        push["scheduledAt"],
        at.to_string(),
        "the same dose, to log against"
    );
    assert_eq!(push["medicine"], "Snoozed 500 mg");
    assert_eq!(tick(&app).await, PushReport::default(), "once per snooze");

    // Taken after the reminder: a later snooze of another dose is not affected, and nothing
    // more comes for this one.
    log(
        &app,
        &pat,
        json!([event(
            4,
            &snoozed,
            at,
            "taken",
            Timestamp::from_second(at.as_second() + 800).unwrap()
        )]),
    )
    .await;
    move_clock_to(&app, at, 900);
    assert_eq!(tick(&app).await, PushReport::default());
    assert!(fake.received().is_empty());
}

#[tokio::test]
async fn doses_long_past_are_not_pushed_after_a_pause() {
    let fake = FakePushService::start().await;
    let app = push_app();
    let pat = pat(&app).await;
    let phone = Device::new(&fake, "pat-phone");
    subscribe(&app, &pat, &phone).await;
    let me = add_person(&app, &pat, "Pat").await;
    let at = upcoming_minute(&app);
    add_reminder(&app, &pat, &me, at, json!({})).await;
    add_reminder(
        &app,
        &pat,
        &me,
        Timestamp::from_second(at.as_second() + 10 * 60).unwrap(),
        json!({}),
    )
    .await;
    // The server was down from before the first dose until 16 minutes after it: only the
    // second dose (6 minutes late) is still worth a push.
    move_clock_to(&app, at, 16 * 60);
    assert_eq!(tick(&app).await.delivered, 1);
    let got = fake.take();
    assert_eq!(
        phone.decrypt(&got[0].body)["scheduledAt"],
        Timestamp::from_second(at.as_second() + 600)
            .unwrap()
            .to_string()
    );
}

#[tokio::test]
async fn ended_subscriptions_are_dropped_and_failures_retried_or_given_up() {
    let fake = FakePushService::start().await;
    let app = push_app();
    let cara = cara(&app).await;
    let gone = Device::new(&fake, "gone");
    let missing = Device::new(&fake, "missing");
    let flaky = Device::new(&fake, "flaky");
    let busy = Device::new(&fake, "busy");
    let refused = Device::new(&fake, "refused");
    let down = Device::new(&fake, "down");
    for d in [&gone, &missing, &flaky, &busy, &refused, &down] {
        subscribe(&app, &cara, d).await;
    }
    fake.answer("gone", &[(410, None)]);
    fake.answer("missing", &[(404, None)]);
    fake.answer("flaky", &[(500, None), (503, None)]);
    fake.answer("busy", &[(429, Some("1"))]);
    fake.answer("refused", &[(400, None), (201, None)]);
    fake.answer("down", &[(500, None); 10]);

    let mum = add_person(&app, &cara, "Mum").await;
    let at = upcoming_minute(&app);
    add_reminder(&app, &cara, &mum, at, json!({})).await;
    move_clock_to(&app, at, 2);
    let started = Instant::now();
    let report = tick(&app).await;
    assert_eq!(
        report,
        PushReport {
            delivered: 2,
            failed: 4,
            subscriptions_removed: 2
        }
    );
    let received = fake.take();
    let count = |d: &str| received.iter().filter(|r| r.device == d).count();
    assert_eq!(count("gone"), 1);
    assert_eq!(count("missing"), 1);
    assert_eq!(count("flaky"), 3, "two server errors, then delivered");
    assert_eq!(count("busy"), 2);
    assert_eq!(count("refused"), 1, "a 400 is not retried");
    assert_eq!(count("down"), 4, "given up after the configured attempts");
    // Retry-After: 1 was respected.
    let busy_times: Vec<Instant> = received
        .iter()
        .filter(|r| r.device == "busy")
        .map(|r| r.at)
        .collect();
    assert!(busy_times[1] - busy_times[0] >= Duration::from_millis(990));
    assert!(started.elapsed() < Duration::from_secs(10));
    // Each retry carried the same message.
    let flaky_bodies: Vec<&Vec<u8>> = received
        .iter()
        .filter(|r| r.device == "flaky")
        .map(|r| &r.body)
        .collect();
    assert!(flaky_bodies.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(flaky.decrypt(flaky_bodies[0])["type"], "dose-due");

    assert_eq!(
        subscription_rows(&app),
        4,
        "404 and 410 dropped their subscriptions"
    );
    // Nothing is sent twice, not even to those that failed.
    move_clock_to(&app, at, 30);
    assert_eq!(tick(&app).await, PushReport::default());
    assert!(fake.received().is_empty());
}

#[tokio::test]
async fn pushes_go_only_to_the_accounts_own_devices() {
    let fake = FakePushService::start().await;
    let app = push_app();
    let pat = pat(&app).await;
    let cara = cara(&app).await;
    let pats = Device::new(&fake, "pats-phone");
    let caras = Device::new(&fake, "caras-phone");
    subscribe(&app, &pat, &pats).await;
    subscribe(&app, &cara, &caras).await;
    let mum = add_person(&app, &cara, "Mum").await;
    let at = upcoming_minute(&app);
    let reminder = add_reminder(&app, &cara, &mum, at, json!({})).await;
    move_clock_to(&app, at, 1);
    assert_eq!(tick(&app).await.delivered, 1);
    let got = fake.take();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].device, "caras-phone");
    assert_eq!(caras.decrypt(&got[0].body)["reminderId"], reminder.as_str());

    // Cara's phone is signed into Pat's account: it moves there, and gets no more of Cara's.
    let shared = Device::new(&fake, "caras-phone");
    assert_eq!(shared.endpoint, caras.endpoint);
    subscribe(&app, &pat, &shared).await;
    assert_eq!(subscription_rows(&app), 2);
    let next = Timestamp::from_second(at.as_second() + 5 * 60).unwrap();
    add_reminder(&app, &cara, &mum, next, json!({})).await;
    move_clock_to(&app, next, 1);
    assert_eq!(tick(&app).await, PushReport::default());
    assert!(fake.received().is_empty());

    // Deleting another account's endpoint does nothing.
    let res = call(
        &app,
        Method::DELETE,
        SUBSCRIPTIONS,
        &json!({ "endpoint": pats.endpoint }),
        Some(&cara),
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert_eq!(subscription_rows(&app), 2);
}

#[tokio::test]
async fn a_deleted_subscription_gets_no_pushes() {
    let fake = FakePushService::start().await;
    let app = push_app();
    let pat = pat(&app).await;
    let phone = Device::new(&fake, "pat-phone");
    subscribe(&app, &pat, &phone).await;
    // Renewing with the same endpoint keeps one subscription.
    subscribe(&app, &pat, &phone).await;
    assert_eq!(subscription_rows(&app), 1);
    let me = add_person(&app, &pat, "Pat").await;
    let at = upcoming_minute(&app);
    add_reminder(&app, &pat, &me, at, json!({})).await;

    let res = call(
        &app,
        Method::DELETE,
        SUBSCRIPTIONS,
        &json!({ "endpoint": phone.endpoint }),
        Some(&pat),
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    assert!(res.body.is_empty());
    assert_eq!(subscription_rows(&app), 0);
    // Again: still 204.
    let res = call(
        &app,
        Method::DELETE,
        SUBSCRIPTIONS,
        &json!({ "endpoint": phone.endpoint }),
        Some(&pat),
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);

    move_clock_to(&app, at, 1);
    assert_eq!(tick(&app).await, PushReport::default());
    assert!(fake.received().is_empty());

    let res = call(&app, Method::DELETE, SUBSCRIPTIONS, &json!({}), Some(&pat)).await;
    let p = res.assert_problem(422, pt::VALIDATION);
    assert_eq!(p["errors"][0]["field"], "endpoint");
}

fn field_codes(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(
                e["detail"].as_str().is_some_and(|d| d.ends_with('.')),
                "{e}"
            );
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn subscriptions_are_checked() {
    let fake = FakePushService::start().await;
    let app = push_app();
    let pat = pat(&app).await;
    let device = Device::new(&fake, "pat-phone");
    let good = device.subscription();
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };

    let res = call(&app, Method::PUT, SUBSCRIPTIONS, &json!({}), Some(&pat)).await;
    let p = res.assert_problem(422, pt::VALIDATION);
    assert_eq!(
        field_codes(&p),
        pairs(&[
            ("endpoint", "required"),
            ("keys.p256dh", "required"),
            ("keys.auth", "required")
        ])
    );

    let mut compressed = device.subscription();
    compressed["keys"]["p256dh"] =
        b64(device.secret.public_key().to_encoded_point(true).as_bytes()).into();
    let mut off_curve = device.subscription();
    let mut point = device.public();
    point[64] ^= 1;
    off_curve["keys"]["p256dh"] = b64(&point).into();
    let mut short_auth = device.subscription();
    short_auth["keys"]["auth"] = b64(&[1; 15]).into();
    let mut not_base64 = device.subscription();
    not_base64["keys"]["auth"] = "!!!".into();
    let mut insecure = device.subscription();
    insecure["endpoint"] = "http://push.example.com/x".into();
    let mut private = device.subscription();
    private["endpoint"] = "https://192.168.1.10/push".into();
    let mut nonsense = device.subscription();
    nonsense["endpoint"] = "push me".into();
    for (body, field, code) in [
        (compressed, "keys.p256dh", "invalid"),
        (off_curve, "keys.p256dh", "invalid"),
        (short_auth, "keys.auth", "invalid"),
        (not_base64, "keys.auth", "invalid"),
        (insecure, "endpoint", "invalid"),
        (private, "endpoint", "invalid"),
        (nonsense, "endpoint", "invalid"),
    ] {
        let res = call(&app, Method::PUT, SUBSCRIPTIONS, &body, Some(&pat)).await;
        let p = res.assert_problem(422, pt::VALIDATION);
        assert_eq!(field_codes(&p), pairs(&[(field, code)]), "{body}");
    }
    let res = call(
        &app,
        Method::PUT,
        SUBSCRIPTIONS,
        &json!({ "endpoint": 5 }),
        Some(&pat),
    )
    .await;
    res.assert_problem(422, pt::VALIDATION);
    assert_eq!(subscription_rows(&app), 0);

    // Padded base64url is read too.
    let mut padded = device.subscription();
    let mut auth = b64(&device.auth);
    while !auth.len().is_multiple_of(4) {
        auth.push('=');
    }
    padded["keys"]["auth"] = auth.into();
    let res = call(&app, Method::PUT, SUBSCRIPTIONS, &padded, Some(&pat)).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());

    // Signed out: 401; other roles: 403.
    call(&app, Method::PUT, SUBSCRIPTIONS, &good, None)
        .await
        .assert_problem(401, pt::UNAUTHENTICATED);
    call(&app, Method::DELETE, SUBSCRIPTIONS, &good, None)
        .await
        .assert_problem(401, pt::UNAUTHENTICATED);
    let editor = app.sign_in("eddie@example.com", "editor-demo").await;
    call(&app, Method::PUT, SUBSCRIPTIONS, &good, Some(&editor))
        .await
        .assert_problem(403, pt::FORBIDDEN);
    assert_eq!(subscription_rows(&app), 1);

    // Without the test setting, a plain-http loopback endpoint is refused too.
    let strict = TestApp::new();
    let pat = common::pat(&strict).await;
    let res = call(&strict, Method::PUT, SUBSCRIPTIONS, &good, Some(&pat)).await;
    let p = res.assert_problem(422, pt::VALIDATION);
    assert_eq!(field_codes(&p), pairs(&[("endpoint", "invalid")]));
}

#[tokio::test]
async fn the_public_key_is_public_cacheable_and_kept_across_restarts() {
    let app = push_app();
    let res = app.get(PUBLIC_KEY).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("cache-control"), Some("public, max-age=3600"));
    assert!(res.set_cookies().is_empty());
    let key = res.json()["publicKey"].as_str().unwrap().to_owned();
    let point = unb64(&key);
    assert_eq!(point.len(), 65);
    assert!(PublicKey::from_sec1_bytes(&point).is_ok());
    assert_eq!(app.get(PUBLIC_KEY).await.json()["publicKey"], key.as_str());

    // A restart on the same database keeps the key (and with it every subscription).
    let path = TestApp::db_path_in(&app.dir);
    let reopened = portal_backend::AppState::open(
        portal_backend::Settings::new(app.dir.path().join("dist")),
        &path,
    )
    .unwrap();
    let again = push::vapid_key(&reopened).await.unwrap();
    assert_eq!(again.public_key_base64url(), key);

    // A configured key wins.
    let configured = portal_backend::web_push::VapidKey::generate();
    let bytes = configured.private_bytes();
    let app = TestApp::with_settings(move |s| s.push.vapid_private_key = Some(bytes));
    assert_eq!(
        app.get(PUBLIC_KEY).await.json()["publicKey"],
        configured.public_key_base64url().as_str()
    );
}
